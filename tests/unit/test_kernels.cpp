// Every kernel table this CPU can run (scalar, avx2, avx512, neon) against the
// reference code of engine/quant/: dot products for every weight type at
// awkward sizes and on awkward data, activation quantizers byte for byte.
//
// Dot tolerance: integer block sums are exact in every kernel; only the order
// of float additions (per-block partial sums into SIMD lanes) and where a
// product is rounded (FMA) differ. Each float add errs by at most 2^-24 of
// the running magnitude, so with m = sum over elements of |scale part * a| +
// |min part * a| the error is about sqrt(adds) * 2^-24 * m (worst case
// adds * 2^-24 * m). We allow 1e-5 * m: over 10x the typical error at 5632
// elements (176 blocks), and far below what any real bug (one wrong block,
// scale or nibble) costs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "quant/blocks_k.h"
#include "quant/blocks_legacy.h"
#include "quant/dtype.h"
#include "quant/formats.h"
#include "quant/fp16.h"

namespace pipit {
namespace {

using kernels::FindKernelSet;
using kernels::KernelSet;

constexpr auto& kSetNames = kernels::kKernelSetNames;

// Weight types with a dot product (priority order of the kernel work).
constexpr DType kWeightTypes[] = {DType::Q4_K, DType::Q6_K, DType::Q8_0, DType::Q5_K, DType::Q4_0,
                                  DType::F16,  DType::F32,  DType::Q3_K, DType::Q2_K, DType::Q5_0,
                                  DType::Q5_1, DType::Q4_1, DType::BF16};
constexpr DType kActivationTypes[] = {DType::Q8_0, DType::Q8_1, DType::Q8_K, DType::F16, DType::F32, DType::BF16};

std::vector<const KernelSet*> AvailableSets() {
  std::vector<const KernelSet*> sets;
  for (const char* name : kSetNames) {
    if (const KernelSet* set = FindKernelSet(name)) sets.push_back(set);
  }
  return sets;
}

// Element counts: 1, 3 and 22 blocks (22 x 256 = 5632, an FFN width) and
// 2048 + one block; float types also get tails that are no SIMD width.
std::vector<int64_t> Sizes(DType type) {
  const int64_t bs = Traits(type).block_size;
  std::vector<int64_t> sizes = {bs, 3 * bs, 5632, 2048 + bs};
  if (bs == 1) sizes.insert(sizes.end(), {7, 31, 33, 2053});
  return sizes;
}

// Offsets of the scale ("d") half in a block, and of every half field.
size_t ScaleOffset(DType type) {
  switch (type) {
    case DType::Q2_K: return offsetof(quant::BlockQ2K, d);
    case DType::Q3_K: return offsetof(quant::BlockQ3K, d);
    case DType::Q6_K: return offsetof(quant::BlockQ6K, d);
    default: return 0;  // legacy formats, Q4_K, Q5_K: d comes first
  }
}
std::vector<size_t> HalfOffsets(DType type) {
  switch (type) {
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: return {0};
    case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: return {0, 2};
    case DType::Q2_K: return {offsetof(quant::BlockQ2K, d), offsetof(quant::BlockQ2K, dmin)};
    case DType::Q3_K: return {offsetof(quant::BlockQ3K, d)};
    case DType::Q6_K: return {offsetof(quant::BlockQ6K, d)};
    default: return {};
  }
}

enum class Data { kGaussian, kOutliers, kRandomBytes, kSaturated };
constexpr Data kAllData[] = {Data::kGaussian, Data::kOutliers, Data::kRandomBytes, Data::kSaturated};
const char* DataName(Data d) {
  switch (d) {
    case Data::kGaussian: return "gaussian";
    case Data::kOutliers: return "outliers";
    case Data::kRandomBytes: return "random-bytes";
    case Data::kSaturated: return "saturated";
  }
  return "?";
}

std::vector<float> RandomFloats(std::mt19937& rng, int64_t n, Data data) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) {
    v = normal(rng);
    if (data == Data::kOutliers && rng() % 64 == 0) v *= 1000.0f;
    if (data == Data::kSaturated) v = (rng() & 1) ? 1.0f : -1.0f;  // every level at +-127
  }
  return x;
}

// A random finite half whose magnitude is at most 2^(max_exponent - 15).
uint16_t RandomHalf(std::mt19937& rng, int max_exponent) {
  const uint16_t sign = (rng() & 1) ? 0x8000 : 0;
  const uint16_t exponent = static_cast<uint16_t>(rng() % (max_exponent + 1));
  return static_cast<uint16_t>(sign | (exponent << 10) | (rng() & 0x3FF));
}

// One weight row. Random bytes exercise every nibble, every 6-bit scale
// (63 included) and -128 in Q8_0; their halves are finite, sometimes 65504.
std::vector<uint8_t> MakeWeights(std::mt19937& rng, DType type, int64_t n, Data data) {
  const DTypeTraits& t = Traits(type);
  std::vector<uint8_t> row(RowBytes(t, n));
  if (data != Data::kRandomBytes) {
    t.quantize(RandomFloats(rng, n, data).data(), row.data(), n);
    return row;
  }
  if (type == DType::F32) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = std::ldexp(static_cast<float>(rng() % 2000) - 1000.0f, static_cast<int>(rng() % 40) - 30);
      std::memcpy(row.data() + 4 * i, &v, 4);
    }
    return row;
  }
  if (type == DType::F16 || type == DType::BF16) {
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h = RandomHalf(rng, 30);
      if (type == DType::BF16) h = Fp32ToBf16(Fp16ToFp32(h) * std::ldexp(1.0f, static_cast<int>(rng() % 60) - 30));
      std::memcpy(row.data() + 2 * i, &h, 2);
    }
    return row;
  }
  for (uint8_t& b : row) b = static_cast<uint8_t>(rng());
  for (int64_t block = 0; block < n / t.block_size; ++block) {
    for (size_t off : HalfOffsets(type)) {
      const uint16_t h = (rng() % 16 == 0) ? static_cast<uint16_t>(0x7BFF | ((rng() & 1) << 15)) : RandomHalf(rng, 18);
      std::memcpy(row.data() + block * t.block_bytes + off, &h, 2);
    }
  }
  return row;
}

// m of the header comment: sum |scale part * a| + |min part * a| in double.
// The min part is the row dequantized with its scale halves set to zero.
double Magnitude(DType type, const std::vector<uint8_t>& row, const std::vector<uint8_t>& act, int64_t n) {
  const DTypeTraits& t = Traits(type);
  std::vector<float> w(n), mins(n, 0.0f), a(n);
  t.dequantize(row.data(), w.data(), n);
  Traits(t.dot_type).dequantize(act.data(), a.data(), n);
  if (t.block_size > 1) {
    std::vector<uint8_t> no_scale = row;
    for (int64_t block = 0; block < n / t.block_size; ++block) {
      std::memset(no_scale.data() + block * t.block_bytes + ScaleOffset(type), 0, 2);
    }
    t.dequantize(no_scale.data(), mins.data(), n);
  }
  double m = 0;
  for (int64_t i = 0; i < n; ++i) {
    m += std::fabs(static_cast<double>(w[i] - mins[i]) * a[i]) + std::fabs(static_cast<double>(mins[i]) * a[i]);
  }
  return m;
}

TEST(Kernels, ReportsWhichSetsRun) {
  std::string names;
  for (const KernelSet* set : AvailableSets()) names += std::string(set->name) + " ";
  std::printf("kernel sets on this CPU: %s(in use: %s)\n", names.c_str(), kernels::Kernels().name);
  RecordProperty("kernel_sets", names);
  EXPECT_NE(FindKernelSet("scalar"), nullptr);
  EXPECT_EQ(FindKernelSet("no-such-isa"), nullptr);
  EXPECT_NE(FindKernelSet(kernels::Kernels().name), nullptr);
}

// tests/arm/run_arm_tests.sh runs this binary on emulated CPUs with and
// without the dot-product instructions and says which table dispatch must
// pick there (a wrong feature check would pick a table that cannot run).
TEST(Kernels, PicksTheExpectedTableForThisCpu) {
  const char* expected = std::getenv("PIPIT_EXPECT_KERNELS");
  if (expected == nullptr || std::getenv("PIPIT_KERNELS") != nullptr) GTEST_SKIP() << "no expectation set";
  EXPECT_STREQ(kernels::Kernels().name, expected);
}

TEST(Kernels, EveryTableIsComplete) {
  for (const KernelSet* set : AvailableSets()) {
    for (DType type : kWeightTypes) {
      EXPECT_NE(set->Dot(type), nullptr) << set->name << " " << Traits(type).name;
    }
    for (DType type : kActivationTypes) {
      EXPECT_NE(set->QuantizeActivation(type), nullptr) << set->name << " " << Traits(type).name;
    }
  }
}

TEST(Kernels, DotsMatchReference) {
  std::mt19937 rng(1234);
  for (const KernelSet* set : AvailableSets()) {
    int checked = 0;
    for (DType type : kWeightTypes) {
      const DTypeTraits& t = Traits(type);
      const DTypeTraits& act_type = Traits(t.dot_type);
      for (int64_t n : Sizes(type)) {
        for (Data data : kAllData) {
          SCOPED_TRACE(std::string(set->name) + " " + t.name + " n=" + std::to_string(n) + " " + DataName(data));
          const std::vector<uint8_t> row = MakeWeights(rng, type, n, data);
          std::vector<uint8_t> act(RowBytes(act_type, n));
          act_type.quantize(RandomFloats(rng, n, data == Data::kSaturated ? data : Data::kGaussian).data(), act.data(),
                            n);
          const float expected = t.dot(row.data(), act.data(), n);
          const float got = set->Dot(type)(row.data(), act.data(), n);
          const double bound = 1e-5 * Magnitude(type, row, act, n);
          ASSERT_TRUE(std::isfinite(expected));
          EXPECT_LE(std::fabs(static_cast<double>(got) - expected), bound) << "expected " << expected << " got " << got;
          ++checked;
        }
      }
    }
    std::printf("%s: %d dot cases checked\n", set->name, checked);
  }
}

// SIMD kernels may step over several blocks at a time (AVX-512 Q4_0: four):
// 32-weight formats at 1..17 blocks cover every tail of steps up to 16.
TEST(Kernels, LegacyDotsMatchReferenceAtEveryBlockCount) {
  std::mt19937 rng(4321);
  for (const KernelSet* set : AvailableSets()) {
    for (DType type : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0}) {
      const DTypeTraits& t = Traits(type);
      const DTypeTraits& act_type = Traits(t.dot_type);
      for (int64_t blocks = 1; blocks <= 17; ++blocks) {
        for (Data data : {Data::kGaussian, Data::kRandomBytes}) {
          const int64_t n = blocks * t.block_size;
          SCOPED_TRACE(std::string(set->name) + " " + t.name + " n=" + std::to_string(n) + " " + DataName(data));
          const std::vector<uint8_t> row = MakeWeights(rng, type, n, data);
          std::vector<uint8_t> act(RowBytes(act_type, n));
          act_type.quantize(RandomFloats(rng, n, Data::kGaussian).data(), act.data(), n);
          const float expected = t.dot(row.data(), act.data(), n);
          const float got = set->Dot(type)(row.data(), act.data(), n);
          ASSERT_TRUE(std::isfinite(expected));
          EXPECT_LE(std::fabs(static_cast<double>(got) - expected), 1e-5 * Magnitude(type, row, act, n))
              << "expected " << expected << " got " << got;
        }
      }
    }
  }
}

// Float rows that quantizers find awkward, one block size long each.
std::vector<std::vector<float>> AwkwardActivations(std::mt19937& rng, int64_t n) {
  std::vector<std::vector<float>> rows;
  for (Data data : {Data::kGaussian, Data::kOutliers, Data::kSaturated}) rows.push_back(RandomFloats(rng, n, data));
  rows.push_back(std::vector<float>(n, 0.0f));  // all-zero blocks
  std::vector<float> ties(n);  // absmax 127: x / d lands on k + 0.5 exactly
  for (int64_t i = 0; i < n; ++i) ties[i] = (i % 32 == 0) ? 127.0f : static_cast<float>(static_cast<int>(rng() % 253) - 126) + 0.5f;
  rows.push_back(ties);
  std::vector<float> sign_tie = RandomFloats(rng, n, Data::kGaussian);  // +-max: the first one wins
  for (int64_t i = 0; i < n; i += 16) sign_tie[i] = (i / 16) % 2 ? 9.0f : -9.0f;
  rows.push_back(sign_tie);
  std::vector<float> tiny(n);  // subnormal and near-overflow scales
  for (int64_t i = 0; i < n; ++i) tiny[i] = std::ldexp(static_cast<float>(rng() % 200) - 100.0f, (i / 256) % 2 ? -140 : 100);
  rows.push_back(tiny);
  return rows;
}

TEST(Kernels, ActivationQuantizersAreBitIdentical) {
  std::mt19937 rng(99);
  for (const KernelSet* set : AvailableSets()) {
    for (DType type : kActivationTypes) {
      const DTypeTraits& t = Traits(type);
      for (int64_t n : Sizes(type)) {
        for (const std::vector<float>& x : AwkwardActivations(rng, n)) {
          SCOPED_TRACE(std::string(set->name) + " " + t.name + " n=" + std::to_string(n));
          std::vector<uint8_t> expected(RowBytes(t, n), 0xAB), got(RowBytes(t, n), 0xCD);
          t.quantize(x.data(), expected.data(), n);
          set->QuantizeActivation(type)(x.data(), got.data(), n);
          ASSERT_EQ(0, std::memcmp(expected.data(), got.data(), expected.size()));
        }
      }
    }
  }
}

// Inf and NaN are the reference's business: the SIMD quantizers hand such
// blocks to it (Q8_0/Q8_1 are left out: their reference converts NaN to int,
// which is undefined behaviour).
TEST(Kernels, NonFiniteActivationsFollowTheReference) {
  std::mt19937 rng(7);
  for (const KernelSet* set : AvailableSets()) {
    for (DType type : {DType::Q8_K, DType::F16}) {
      const DTypeTraits& t = Traits(type);
      const int64_t n = 512;
      std::vector<float> x = RandomFloats(rng, n, Data::kGaussian);
      x[3] = INFINITY;
      x[300] = NAN;
      x[301] = -NAN;
      std::vector<uint8_t> expected(RowBytes(t, n)), got(RowBytes(t, n));
      t.quantize(x.data(), expected.data(), n);
      set->QuantizeActivation(type)(x.data(), got.data(), n);
      EXPECT_EQ(0, std::memcmp(expected.data(), got.data(), expected.size())) << set->name << " " << t.name;
    }
  }
}

}  // namespace
}  // namespace pipit
