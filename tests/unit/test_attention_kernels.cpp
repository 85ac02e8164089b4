// The attention loops of every kernel table against the scalar reference
// (engine/kernels/generic/attention_scalar.cpp): q.k over half keys and
// out += a * v over half values, at head sizes with and without SIMD tails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "quant/fp16.h"

namespace pipit {
namespace {

constexpr auto& kSetNames = kernels::kKernelSetNames;

std::vector<uint16_t> RandomHalves(std::mt19937& rng, int n, float scale) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<uint16_t> h(n);
  for (uint16_t& v : h) v = Fp32ToFp16(normal(rng));
  return h;
}

TEST(AttentionKernels, EveryTableHasThem) {
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    EXPECT_NE(set->dot_half_float, nullptr) << name;
    EXPECT_NE(set->axpy_half, nullptr) << name;
  }
}

TEST(AttentionKernels, MatchScalarReference) {
  std::mt19937 rng(9);
  const kernels::KernelSet& ref = *kernels::FindKernelSet("scalar");
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    for (int n : {1, 7, 8, 16, 17, 64, 80, 128, 131}) {
      SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n));
      const std::vector<uint16_t> k = RandomHalves(rng, n, 3.0f);
      const std::vector<uint16_t> qh = RandomHalves(rng, n, 1.0f);
      std::vector<float> q(n);
      double magnitude = 0;
      for (int i = 0; i < n; ++i) {
        q[i] = Fp16ToFp32(qh[i]);
        magnitude += std::fabs(static_cast<double>(q[i]) * Fp16ToFp32(k[i]));
      }
      const float expected = ref.dot_half_float(k.data(), q.data(), n);
      const float got = set->dot_half_float(k.data(), q.data(), n);
      // Float adds in another order: about n * 2^-24 of the magnitude at worst.
      EXPECT_NEAR(got, expected, 1e-6 * magnitude + 1e-30);

      std::vector<float> out_ref(n), out(n);
      for (int i = 0; i < n; ++i) out_ref[i] = out[i] = static_cast<float>(i % 5) - 2.0f;
      ref.axpy_half(0.37f, k.data(), out_ref.data(), n);
      set->axpy_half(0.37f, k.data(), out.data(), n);
      for (int i = 0; i < n; ++i) {
        // One FMA rounding instead of two: half an ulp of each term.
        EXPECT_NEAR(out[i], out_ref[i], 1e-6 * (std::fabs(out_ref[i]) + std::fabs(0.37f * Fp16ToFp32(k[i])))) << i;
      }
    }
  }
}

// A half row that is not the reference's result in any lane (a wrong
// conversion or a skipped tail) is caught: zeros in, zeros out; one value.
TEST(AttentionKernels, EveryElementCounts) {
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    for (int n : {9, 64, 131}) {
      for (int hot = 0; hot < n; ++hot) {
        std::vector<uint16_t> k(n, 0);
        std::vector<float> q(n, 1.0f);
        k[hot] = Fp32ToFp16(2.5f);
        ASSERT_EQ(set->dot_half_float(k.data(), q.data(), n), 2.5f) << name << " n=" << n << " at " << hot;
        std::vector<float> out(n, 0.0f);
        set->axpy_half(2.0f, k.data(), out.data(), n);
        for (int i = 0; i < n; ++i) ASSERT_EQ(out[i], i == hot ? 5.0f : 0.0f) << name << " n=" << n << " i=" << i;
      }
    }
  }
}

// The row versions: several cached positions `stride` halves apart, each
// row as the single-row kernels compute it (scores), and the weighted sum
// as the reference's axpy chain within float rounding.
TEST(AttentionKernels, RowKernelsMatchScalarReference) {
  std::mt19937 rng(12);
  const kernels::KernelSet& ref = *kernels::FindKernelSet("scalar");
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    ASSERT_NE(set->dot_half_rows, nullptr) << name;
    ASSERT_NE(set->weighted_sum_half, nullptr) << name;
    for (int n : {1, 8, 9, 64, 72, 128, 131}) {
      for (int n_rows : {1, 2, 5, 300}) {
        SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " rows=" + std::to_string(n_rows));
        const size_t stride = static_cast<size_t>(n) * 3 + 5;
        const std::vector<uint16_t> cache = RandomHalves(rng, static_cast<int>(stride) * n_rows, 2.0f);
        const std::vector<uint16_t> qh = RandomHalves(rng, n, 1.0f);
        std::vector<float> q(n), w(n_rows);
        for (int i = 0; i < n; ++i) q[i] = Fp16ToFp32(qh[i]);
        std::uniform_real_distribution<float> unit(0.0f, 1.0f);
        for (float& x : w) x = unit(rng);

        std::vector<float> scores(n_rows), scores_ref(n_rows);
        set->dot_half_rows(cache.data(), stride, n_rows, q.data(), n, 0.125f, scores.data());
        ref.dot_half_rows(cache.data(), stride, n_rows, q.data(), n, 0.125f, scores_ref.data());
        for (int r = 0; r < n_rows; ++r) {
          EXPECT_EQ(scores[r], set->dot_half_float(cache.data() + r * stride, q.data(), n) * 0.125f) << r;
          double magnitude = 0;
          for (int i = 0; i < n; ++i) magnitude += std::fabs(q[i] * Fp16ToFp32(cache[r * stride + i]));
          EXPECT_NEAR(scores[r], scores_ref[r], 1e-6 * magnitude) << r;
        }

        std::vector<float> out(n, 123.0f), out_ref(n, -7.0f);  // overwritten, not added to
        set->weighted_sum_half(w.data(), cache.data(), stride, n_rows, n, out.data());
        ref.weighted_sum_half(w.data(), cache.data(), stride, n_rows, n, out_ref.data());
        for (int i = 0; i < n; ++i) {
          double magnitude = 0, exact = 0;
          for (int r = 0; r < n_rows; ++r) {
            const double term = static_cast<double>(w[r]) * Fp16ToFp32(cache[r * stride + i]);
            magnitude += std::fabs(term);
            exact += term;
          }
          EXPECT_NEAR(out[i], out_ref[i], 2e-7 * n_rows * magnitude + 1e-30) << i;
          EXPECT_NEAR(out[i], exact, 2e-7 * n_rows * magnitude + 1e-30) << i;
        }
      }
    }
  }
}

// Softmax: every table's probabilities against exact ones computed in double
// here. Each is a half value, so the table may differ from the exact one by
// its own exp error (2 ulp of float) plus the half rounding: at most one
// half ulp. The scalar table is checked too (std::exp).
TEST(AttentionKernels, SoftmaxHalfMatchesExactProbabilities) {
  std::mt19937 rng(5);
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    ASSERT_NE(set->softmax_half, nullptr) << name;
    for (int n : {1, 2, 7, 8, 9, 16, 31, 100, 257, 2048}) {
      for (float spread : {0.01f, 3.0f, 30.0f, 300.0f}) {
        SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " spread=" + std::to_string(spread));
        std::normal_distribution<float> normal(0.0f, spread);
        std::vector<float> s(n);
        for (float& v : s) v = normal(rng);
        std::vector<double> exact(n);
        double m = s[0], l = 0;
        for (float v : s) m = v > m ? v : m;
        for (int i = 0; i < n; ++i) l += exact[i] = std::exp(static_cast<double>(s[i]) - m);
        std::vector<float> p = s;
        set->softmax_half(p.data(), n);
        double total = 0;
        for (int i = 0; i < n; ++i) {
          const double want = exact[i] / l;
          ASSERT_EQ(Fp16ToFp32(Fp32ToFp16(p[i])), p[i]) << "not a half value at " << i;
          // One half ulp (2^-11 relative for normals; 2^-24 absolute below).
          ASSERT_NEAR(p[i], want, std::max(want * 0.00049, 6.0e-8) + want * 1e-6) << i;
          total += p[i];
        }
        EXPECT_NEAR(total, 1.0, 0.0005 * std::min(n, 64) + 0.001);
      }
    }
  }
}

// Scores far below the maximum underflow to exactly zero, never to NaN.
TEST(AttentionKernels, SoftmaxHalfUnderflowsToZero) {
  for (const char* name : kSetNames) {
    const kernels::KernelSet* set = kernels::FindKernelSet(name);
    if (set == nullptr) continue;
    std::vector<float> s = {0.0f, -100.0f, -1e30f, -87.5f, -20.0f, 0.0f, -1e4f, -88.0f, -200.0f};
    set->softmax_half(s.data(), static_cast<int64_t>(s.size()));
    EXPECT_EQ(s[0], 0.5f) << name;
    EXPECT_EQ(s[5], 0.5f) << name;
    for (size_t i : {1u, 2u, 3u, 6u, 7u, 8u}) EXPECT_EQ(s[i], 0.0f) << name << " " << i;
    EXPECT_EQ(s[4], Fp16ToFp32(Fp32ToFp16(static_cast<float>(std::exp(-20.0) / 2)))) << name;
  }
}

}  // namespace
}  // namespace pipit
