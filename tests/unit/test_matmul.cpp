// Prefill runs as matrix x matrix: the multi-token dots (one weight row
// against several tokens) and MatMul's tiling over rows, tokens and threads.
// A token's result must not depend on the batch it is in nor on the thread
// count (test_context.cpp relies on that), so everything here is compared
// BIT FOR BIT with the same table's single-token Dot; MatMul is also checked
// against the scalar reference dots within the kernel tolerance.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/kernels.h"
#include "model/matmul.h"
#include "platform/thread_pool.h"
#include "quant/dtype.h"

namespace pipit {
namespace {

using kernels::FindKernelSet;
using kernels::KernelSet;

constexpr auto& kSetNames = kernels::kKernelSetNames;
// The formats of Q4_K_M / Q8_0 files (multi-token kernels), plus two that
// take the per-token fallback.
constexpr DType kTypes[] = {DType::Q4_K, DType::Q6_K, DType::Q8_0, DType::Q5_K, DType::F16};
constexpr int kTokenCounts[] = {1, 2, 3, 4, 5, 8, 17, 64};

std::vector<float> Gaussian(std::mt19937& rng, int64_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  return x;
}

// Weights as a Matrix over owned bytes.
struct TestMatrix {
  std::vector<uint8_t> bytes;
  Matrix m;
};

TestMatrix MakeMatrix(std::mt19937& rng, DType type, int64_t rows, int64_t cols) {
  const DTypeTraits& t = Traits(type);
  TestMatrix tm;
  tm.m.dtype = &t;
  tm.m.rows = rows;
  tm.m.cols = cols;
  tm.m.row_bytes = RowBytes(t, cols);
  tm.bytes.resize(tm.m.row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) t.quantize(Gaussian(rng, cols).data(), tm.bytes.data() + r * tm.m.row_bytes, cols);
  tm.m.data = tm.bytes.data();
  return tm;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(DotTokens, EveryTableHasTheFormatsOfCommonFiles) {
  for (const char* name : {"avx2", "avx512"}) {
    const KernelSet* set = FindKernelSet(name);
    if (set == nullptr) continue;
    for (DType type : {DType::Q4_K, DType::Q6_K, DType::Q8_0}) {
      EXPECT_NE(set->DotTokensOrNull(type), nullptr) << name << " " << Traits(type).name;
    }
  }
}

TEST(DotTokens, BitIdenticalToSingleTokenDot) {
  std::mt19937 rng(77);
  for (const char* name : kSetNames) {
    const KernelSet* set = FindKernelSet(name);
    if (set == nullptr) continue;
    for (DType type : kTypes) {
      const DTypeTraits& t = Traits(type);
      const DTypeTraits& act_type = Traits(t.dot_type);
      for (int64_t cols : {int64_t{256}, int64_t{2048}, int64_t{5632}}) {
        const TestMatrix w = MakeMatrix(rng, type, 1, cols);
        const size_t act_bytes = RowBytes(act_type, cols);
        const int max_tokens = 17;
        std::vector<uint8_t> acts(act_bytes * max_tokens);
        for (int t = 0; t < max_tokens; ++t) {
          set->QuantizeActivation(act_type.type)(Gaussian(rng, cols).data(), acts.data() + t * act_bytes, cols);
        }
        for (int n_tokens : {1, 2, 3, 4, 5, 7, 8, 17}) {
          SCOPED_TRACE(std::string(name) + " " + t.name + " cols=" + std::to_string(cols) +
                       " tokens=" + std::to_string(n_tokens));
          const size_t out_stride = 3;  // outputs interleaved with other rows' slots
          std::vector<float> out(out_stride * n_tokens, -1.0f);
          set->DotTokens(type, w.m.Row(0), acts.data(), act_bytes, n_tokens, cols, out.data(), out_stride);
          for (int tok = 0; tok < n_tokens; ++tok) {
            const float single = set->Dot(type)(w.m.Row(0), acts.data() + tok * act_bytes, cols);
            EXPECT_TRUE(SameBits(out[tok * out_stride], single))
                << "token " << tok << ": " << out[tok * out_stride] << " vs " << single;
            EXPECT_EQ(out[tok * out_stride + 1], -1.0f) << "wrote outside its slot";
          }
        }
      }
    }
  }
}

// MatMul (the table in use) for several batch sizes and thread counts:
// exactly the per-token dot of the same table, and within the kernel
// tolerance of the scalar reference.
TEST(MatMul, BatchedEqualsPerTokenDotsForAnyThreadCount) {
  std::mt19937 rng(5);
  const KernelSet& set = kernels::Kernels();
  const KernelSet& scalar = *FindKernelSet("scalar");
  for (DType type : kTypes) {
    const DTypeTraits& t = Traits(type);
    const DTypeTraits& act_type = Traits(t.dot_type);
    const int64_t rows = 75;  // not a multiple of the row chunk
    const int64_t cols = 512;
    const TestMatrix w = MakeMatrix(rng, type, rows, cols);
    const int max_tokens = 64;
    const std::vector<float> x = Gaussian(rng, max_tokens * cols);  // [tokens, cols]

    // Expected: per-token dots of the table in use, and of the reference.
    const size_t act_bytes = RowBytes(act_type, cols);
    std::vector<uint8_t> acts(act_bytes * max_tokens);
    std::vector<float> expected(max_tokens * rows), reference(max_tokens * rows), magnitude(max_tokens * rows);
    std::vector<float> w_row(cols), a_row(cols);
    for (int tok = 0; tok < max_tokens; ++tok) {
      uint8_t* a = acts.data() + tok * act_bytes;
      set.QuantizeActivation(act_type.type)(&x[tok * cols], a, cols);
      for (int64_t r = 0; r < rows; ++r) {
        expected[tok * rows + r] = set.Dot(type)(w.m.Row(r), a, cols);
        reference[tok * rows + r] = scalar.Dot(type)(w.m.Row(r), a, cols);
        t.dequantize(w.m.Row(r), w_row.data(), cols);
        act_type.dequantize(a, a_row.data(), cols);
        double m = 0;
        for (int64_t i = 0; i < cols; ++i) m += std::fabs(static_cast<double>(w_row[i]) * a_row[i]);
        magnitude[tok * rows + r] = static_cast<float>(m);
      }
    }

    for (int n_threads : {1, 2, 3}) {
      platform::ThreadPool pool(n_threads);
      ActivationBuffer scratch;
      for (int n_tokens : kTokenCounts) {
        SCOPED_TRACE(std::string(t.name) + " threads=" + std::to_string(n_threads) +
                     " tokens=" + std::to_string(n_tokens));
        std::vector<float> y(n_tokens * rows, NAN);
        MatMul(w.m, x.data(), n_tokens, y.data(), scratch, pool);
        int mismatches = 0;
        for (int64_t i = 0; i < n_tokens * rows; ++i) {
          if (!SameBits(y[i], expected[i])) ++mismatches;
          // Loose (float order, k-quant min cancellation; test_kernels has
          // the tight bound): catches a wrong row, token or block.
          EXPECT_NEAR(y[i], reference[i], 1e-4 * magnitude[i]) << "index " << i;
        }
        EXPECT_EQ(mismatches, 0);
      }
    }
  }
}

// Wq/Wk/Wv-style groups: one pass over all rows equals separate MatMuls bit
// for bit (same-width Q4_K/Q6_K/Q4_K, and a mixed-dot-type fallback).
TEST(MatMul, SharedInputEqualsSeparateCalls) {
  std::mt19937 rng(11);
  const int64_t cols = 512;
  std::vector<TestMatrix> mats;
  mats.push_back(MakeMatrix(rng, DType::Q4_K, 64, cols));
  mats.push_back(MakeMatrix(rng, DType::Q6_K, 21, cols));  // a partial chunk in the middle
  mats.push_back(MakeMatrix(rng, DType::Q4_K, 40, cols));
  mats.push_back(MakeMatrix(rng, DType::Q8_0, 33, cols));  // another dot type
  for (int n_threads : {1, 2, 3}) {
    platform::ThreadPool pool(n_threads);
    ActivationBuffer scratch;
    for (int n_tokens : {1, 5, 17}) {
      const std::vector<float> x = Gaussian(rng, n_tokens * cols);
      for (int n_mats : {3, 4}) {
        SCOPED_TRACE("threads=" + std::to_string(n_threads) + " tokens=" + std::to_string(n_tokens) +
                     " mats=" + std::to_string(n_mats));
        std::vector<const Matrix*> ws;
        std::vector<std::vector<float>> got(n_mats), want(n_mats);
        std::vector<float*> outs;
        for (int m = 0; m < n_mats; ++m) {
          ws.push_back(&mats[m].m);
          got[m].assign(n_tokens * mats[m].m.rows, NAN);
          want[m].assign(n_tokens * mats[m].m.rows, NAN);
          outs.push_back(got[m].data());
          MatMul(mats[m].m, x.data(), n_tokens, want[m].data(), scratch, pool);
        }
        MatMulSharedInput(ws.data(), outs.data(), n_mats, x.data(), n_tokens, scratch, pool);
        for (int m = 0; m < n_mats; ++m) {
          for (size_t i = 0; i < got[m].size(); ++i) {
            ASSERT_TRUE(SameBits(got[m][i], want[m][i])) << "matrix " << m << " index " << i;
          }
        }
      }
    }
  }
}

// ParallelForChunks covers [0, n) exactly once in chunk-aligned pieces,
// also with more threads than chunks and many jobs back to back (the
// spinning hand-over).
TEST(ThreadPool, ChunksCoverTheRangeExactlyOnce) {
  for (int n_threads : {1, 2, 4, 7}) {
    platform::ThreadPool pool(n_threads);
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{15}, int64_t{16}, int64_t{17}, int64_t{1000}}) {
      for (int rep = 0; rep < 50; ++rep) {
        std::vector<std::atomic<int>> hits(n);
        for (auto& h : hits) h.store(0);
        std::atomic<int> bad_chunks{0};
        pool.ParallelForChunks(n, 16, [&](int64_t begin, int64_t end) {
          if (begin % 16 != 0 || end - begin > 16 || end > n || begin >= end) bad_chunks.fetch_add(1);
          for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
        });
        EXPECT_EQ(bad_chunks.load(), 0);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
      }
    }
  }
}

// A body that takes a thread index gets one in [0, size()), and no two
// chunks run at once under the same index (so per-thread scratch is safe),
// also when a slow chunk makes the other threads take over its share.
TEST(ThreadPool, ThreadIndexIsUniqueAmongRunningChunks) {
  for (int n_threads : {1, 2, 3, 5}) {
    platform::ThreadPool pool(n_threads);
    std::vector<std::atomic<int>> busy(n_threads);
    for (int rep = 0; rep < 20; ++rep) {
      for (auto& b : busy) b.store(0);
      std::vector<std::atomic<int>> hits(200);
      for (auto& h : hits) h.store(0);
      std::atomic<int> bad{0};
      pool.ParallelForChunks(200, 3, [&](int64_t begin, int64_t end, int thread) {
        if (thread < 0 || thread >= n_threads || busy[thread].fetch_add(1) != 0) {
          bad.fetch_add(1);
          return;
        }
        if (begin == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the others steal
        for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
        busy[thread].fetch_sub(1);
      });
      ASSERT_EQ(bad.load(), 0) << n_threads;
      for (int i = 0; i < 200; ++i) ASSERT_EQ(hits[i].load(), 1) << n_threads << " " << i;
    }
  }
}

TEST(ThreadPool, ManyShortJobsAllComplete) {
  platform::ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  for (int job = 0; job < 20000; ++job) {
    pool.Run([](void* ctx, int index, int) { static_cast<std::atomic<int64_t>*>(ctx)->fetch_add(index + 1); }, &total);
  }
  EXPECT_EQ(total.load(), int64_t{20000} * (1 + 2 + 3));
}

}  // namespace
}  // namespace pipit
