// K-quant formats (Q2_K..Q6_K, Q8_K) against llama.cpp itself: the ggml
// libraries of the npm package are loaded as an oracle (tests/support/
// ggml_oracle.h), and our dequantize, quantize and dot must agree with
// llama.cpp's dequantize_row_*, quantize_row_*_ref and
// ggml_vec_dot_*_q8_K_generic bit for bit, at awkward sizes and on awkward
// data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "quant/blocks_k.h"
#include "quant/dtype.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "support/ggml_oracle.h"

namespace pipit {
namespace {

using test::GgmlOracle;

constexpr int kQK = 256;
constexpr DType kWeightTypes[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr DType kAllTypes[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_K};
constexpr int kBlockCounts[] = {1, 3, 22};  // 22 blocks = 5632, a real FFN width

// The oracle or a test failure that says why it is missing.
const GgmlOracle* Oracle() {
  const GgmlOracle* oracle = GgmlOracle::Get();
  if (!oracle) ADD_FAILURE() << "llama.cpp oracle unavailable: " << GgmlOracle::LoadError();
  return oracle;
}

std::string Name(DType type) { return Traits(type).name; }

// Byte offsets of the half-precision scale fields of each block, which
// random bytes would otherwise fill with NaNs and infinities.
std::vector<size_t> HalfFieldOffsets(DType type) {
  switch (type) {
    case DType::Q2_K: return {offsetof(quant::BlockQ2K, d), offsetof(quant::BlockQ2K, dmin)};
    case DType::Q3_K: return {offsetof(quant::BlockQ3K, d)};
    case DType::Q4_K: return {offsetof(quant::BlockQ4K, d), offsetof(quant::BlockQ4K, dmin)};
    case DType::Q5_K: return {offsetof(quant::BlockQ5K, d), offsetof(quant::BlockQ5K, dmin)};
    case DType::Q6_K: return {offsetof(quant::BlockQ6K, d)};
    default: return {};
  }
}

// Random finite half: any sign, mantissa and exponent below the inf/NaN one
// (zeros, subnormals and 65504 included), or capped at max_exponent.
uint16_t RandomFiniteHalf(std::mt19937& rng, int max_exponent = 30) {
  const uint16_t sign = (rng() & 1) ? 0x8000 : 0;
  const uint16_t exponent = static_cast<uint16_t>(rng() % (max_exponent + 1));
  const uint16_t mantissa = static_cast<uint16_t>(rng() & 0x3FF);
  return static_cast<uint16_t>(sign | (exponent << 10) | mantissa);
}

// Random bytes with finite scales: every bit pattern of the quants and
// packed sub-block scales is a valid block.
std::vector<uint8_t> RandomBlocks(DType type, int n_blocks, uint32_t seed, int max_half_exponent = 30) {
  std::mt19937 rng(seed);
  const size_t block_bytes = Traits(type).block_bytes;
  std::vector<uint8_t> bytes(block_bytes * n_blocks);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  for (int i = 0; i < n_blocks; ++i) {
    uint8_t* block = bytes.data() + i * block_bytes;
    if (type == DType::Q8_K) {
      // Finite float d; bsums consistent with qs, as any real Q8_K row.
      quant::BlockQ8K q;
      std::memcpy(&q, block, sizeof q);
      q.d = std::ldexp(static_cast<float>(rng() % 1000) / 1000.f - 0.5f, static_cast<int>(rng() % 40) - 30);
      for (int g = 0; g < 16; ++g) {
        int sum = 0;
        for (int k = 0; k < 16; ++k) sum += q.qs[16 * g + k];
        q.bsums[g] = static_cast<int16_t>(sum);
      }
      std::memcpy(block, &q, sizeof q);
      continue;
    }
    for (size_t offset : HalfFieldOffsets(type)) {
      const uint16_t h = RandomFiniteHalf(rng, max_half_exponent);
      std::memcpy(block + offset, &h, 2);
    }
  }
  return bytes;
}

::testing::AssertionResult SameFloats(const std::vector<float>& ours, const std::vector<float>& theirs) {
  for (size_t i = 0; i < ours.size(); ++i) {
    if (std::memcmp(&ours[i], &theirs[i], sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "element " << i << " (block " << i / kQK << "): ours " << ours[i]
                                           << ", llama.cpp " << theirs[i];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(QuantK, BlockSizesMatchTraits) {
  EXPECT_EQ(Traits(DType::Q2_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ2K)));
  EXPECT_EQ(Traits(DType::Q3_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ3K)));
  EXPECT_EQ(Traits(DType::Q4_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ4K)));
  EXPECT_EQ(Traits(DType::Q5_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ5K)));
  EXPECT_EQ(Traits(DType::Q6_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ6K)));
  EXPECT_EQ(Traits(DType::Q8_K).block_bytes, static_cast<int>(sizeof(quant::BlockQ8K)));
  for (DType type : kAllTypes) {
    EXPECT_EQ(Traits(type).block_size, kQK) << Name(type);
    EXPECT_EQ(Traits(type).dot_type, DType::Q8_K) << Name(type);
  }
}

TEST(QuantK, DequantizeRandomBlocksMatchesLlamaCpp) {
  const GgmlOracle* oracle = Oracle();
  ASSERT_NE(oracle, nullptr);
  for (DType type : kAllTypes) {
    for (int n_blocks : kBlockCounts) {
      for (uint32_t seed = 1; seed <= 4; ++seed) {
        const int64_t n = int64_t{n_blocks} * kQK;
        const std::vector<uint8_t> blocks = RandomBlocks(type, n_blocks, seed * 7919 + n_blocks);
        std::vector<float> ours(n), theirs(n);
        Traits(type).dequantize(blocks.data(), ours.data(), n);
        ASSERT_TRUE(oracle->Dequantize(type, blocks.data(), theirs.data(), n)) << Name(type);
        EXPECT_TRUE(SameFloats(ours, theirs)) << Name(type) << ", " << n_blocks << " blocks, seed " << seed;
      }
    }
  }
}

// ---- Quantization: awkward inputs ----

struct Input {
  std::string name;
  std::vector<float> values;
};

std::vector<float> Gaussian(int64_t n, uint32_t seed, float sigma = 1.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<Input> AwkwardInputs() {
  std::vector<Input> inputs;
  for (int n_blocks : kBlockCounts) {
    inputs.push_back({"gaussian x" + std::to_string(n_blocks), Gaussian(int64_t{n_blocks} * kQK, 100 + n_blocks)});
  }
  inputs.push_back({"zeros", std::vector<float>(3 * kQK, 0.f)});
  inputs.push_back({"constant positive", std::vector<float>(2 * kQK, 0.37f)});
  inputs.push_back({"constant negative", std::vector<float>(2 * kQK, -2.5f)});
  {
    std::vector<float> v(2 * kQK, 0.f);
    v[77] = 1000.f;
    v[256 + 200] = -3.f;
    inputs.push_back({"single outlier in zeros", v});
  }
  {
    std::vector<float> v = Gaussian(3 * kQK, 7);
    v[300] = 60.f;
    inputs.push_back({"gaussian with a 60-sigma outlier", v});
  }
  {
    std::vector<float> v = Gaussian(3 * kQK, 8);
    for (float& x : v) x = -std::fabs(x);
    inputs.push_back({"negative only", v});
  }
  {
    std::vector<float> v = Gaussian(3 * kQK, 9);
    for (float& x : v) x = std::fabs(x) + 1.f;
    inputs.push_back({"positive only, offset", v});
  }
  inputs.push_back({"huge (sigma 3e4)", Gaussian(2 * kQK, 10, 3e4f)});
  inputs.push_back({"beyond half range (sigma 1e8)", Gaussian(2 * kQK, 11, 1e8f)});
  inputs.push_back({"tiny (sigma 1e-6, subnormal half scales)", Gaussian(2 * kQK, 12, 1e-6f)});
  inputs.push_back({"tinier (sigma 1e-12, scales flush to zero)", Gaussian(2 * kQK, 13, 1e-12f)});
  inputs.push_back({"below group epsilon (sigma 1e-20)", Gaussian(2 * kQK, 14, 1e-20f)});
  {
    // Sub-blocks of very different magnitudes: exercises the 4/6/8-bit
    // sub-block scales, including ones that round to zero.
    std::vector<float> v = Gaussian(3 * kQK, 15);
    for (size_t i = 0; i < v.size(); ++i) v[i] *= std::ldexp(1.f, static_cast<int>((i / 16) % 13) - 6);
    inputs.push_back({"sub-blocks spanning 2^-6..2^6", v});
  }
  {
    std::vector<float> v(2 * kQK);
    for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 2 ? -1.f : 1.f) * static_cast<float>(i % 5);
    inputs.push_back({"small integers, alternating sign", v});
  }
  {
    // Many blocks of mixed shapes, so that rarely chosen candidates of the
    // scale searches get chosen somewhere: uniform, heavy-tailed (Laplace,
    // Cauchy-like), and sub-blocks with their own offsets.
    std::mt19937 rng(16);
    std::uniform_real_distribution<float> uniform(-1.f, 1.f);
    std::exponential_distribution<float> expo(1.f);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> v(4096 * kQK);
    for (size_t i = 0; i < v.size(); ++i) {
      const size_t block = i / kQK;
      switch (block % 4) {
        case 0: v[i] = uniform(rng); break;
        case 1: v[i] = (rng() & 1 ? 1.f : -1.f) * expo(rng); break;
        case 2: v[i] = normal(rng) / std::max(0.05f, std::fabs(normal(rng))); break;
        default: v[i] = normal(rng) + static_cast<float>((i / 16) % 5) - 2.f; break;
      }
    }
    inputs.push_back({"4096 blocks of mixed distributions", v});
  }
  return inputs;
}

double Rmse(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(sum / a.size());
}

TEST(QuantK, QuantizeIsByteIdenticalToLlamaCppReference) {
  const GgmlOracle* oracle = Oracle();
  ASSERT_NE(oracle, nullptr);
  for (const Input& input : AwkwardInputs()) {
    const int64_t n = static_cast<int64_t>(input.values.size());
    for (DType type : kAllTypes) {
      const size_t bytes = RowBytes(Traits(type), n);
      // Ours starts as garbage (every field must be written); llama.cpp's as
      // zeros, because its Q8_K leaves bsums unwritten for an all-zero block.
      std::vector<uint8_t> ours(bytes, 0xAB), theirs(bytes, 0);
      Traits(type).quantize(input.values.data(), ours.data(), n);
      ASSERT_TRUE(oracle->QuantizeRef(type, input.values.data(), theirs.data(), n)) << Name(type);
      if (ours == theirs) continue;
      size_t first = 0;
      while (ours[first] == theirs[first]) ++first;
      std::vector<float> x_ours(n), x_theirs(n);
      oracle->Dequantize(type, ours.data(), x_ours.data(), n);
      oracle->Dequantize(type, theirs.data(), x_theirs.data(), n);
      ADD_FAILURE() << Name(type) << " on '" << input.name << "': first differing byte " << first << " (block "
                    << first / Traits(type).block_bytes << ", offset " << first % Traits(type).block_bytes
                    << "); RMSE ours " << Rmse(input.values, x_ours) << " vs llama.cpp "
                    << Rmse(input.values, x_theirs);
    }
  }
}

// Independent of the oracle: on N(0,1) data each format's round-trip error
// must be well inside what its bit width allows.
TEST(QuantK, RoundTripErrorOnGaussianFitsBitWidth) {
  const std::vector<float> x = Gaussian(22 * kQK, 42);
  const int64_t n = static_cast<int64_t>(x.size());
  struct Bound {
    DType type;
    double max_rmse;  // half a step of a uniform grid over +-3 sigma
  };
  const Bound bounds[] = {{DType::Q2_K, 6.0 / 3 / 2}, {DType::Q3_K, 6.0 / 7 / 2}, {DType::Q4_K, 6.0 / 15 / 2},
                          {DType::Q5_K, 6.0 / 31 / 2}, {DType::Q6_K, 6.0 / 63 / 2}, {DType::Q8_K, 6.0 / 255 / 2}};
  for (const Bound& bound : bounds) {
    std::vector<uint8_t> q(RowBytes(Traits(bound.type), n));
    std::vector<float> back(n);
    Traits(bound.type).quantize(x.data(), q.data(), n);
    Traits(bound.type).dequantize(q.data(), back.data(), n);
    EXPECT_LT(Rmse(x, back), bound.max_rmse) << Name(bound.type);
  }
}

TEST(QuantK, Q8KFieldsAreConsistent) {
  const std::vector<float> x = Gaussian(3 * kQK, 5);
  std::vector<quant::BlockQ8K> q(3);
  quant::quantize_row_q8_k(x.data(), q.data(), 3 * kQK);
  for (const quant::BlockQ8K& b : q) {
    int max_abs = 0;
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int k = 0; k < 16; ++k) {
        sum += b.qs[16 * g + k];
        max_abs = std::max(max_abs, std::abs(static_cast<int>(b.qs[16 * g + k])));
      }
      EXPECT_EQ(b.bsums[g], sum);
    }
    EXPECT_EQ(max_abs, 127);  // the largest magnitude maps to -127 exactly
  }
}

// ---- Dot products ----

// A row of Q8_K activations from Gaussian values, checked to be llama.cpp's.
std::vector<uint8_t> QuantizedActivations(const GgmlOracle& oracle, int64_t n, uint32_t seed) {
  const std::vector<float> a = Gaussian(n, seed);
  std::vector<uint8_t> ours(RowBytes(Traits(DType::Q8_K), n)), theirs(ours.size());
  quant::quantize_row_q8_k(a.data(), ours.data(), n);
  EXPECT_TRUE(oracle.QuantizeRef(DType::Q8_K, a.data(), theirs.data(), n));
  EXPECT_EQ(ours, theirs);
  return ours;
}

::testing::AssertionResult SameDot(const GgmlOracle& oracle, DType type, const std::vector<uint8_t>& row,
                                   const std::vector<uint8_t>& act, int64_t n) {
  const float ours = Traits(type).dot(row.data(), act.data(), n);
  float theirs = 0;
  if (!oracle.Dot(type, row.data(), act.data(), n, &theirs)) {
    return ::testing::AssertionFailure() << "oracle has no dot for " << Name(type);
  }
  // Same integer sums and float operations in the same order: exact.
  if (std::memcmp(&ours, &theirs, sizeof ours) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "ours " << ours << ", llama.cpp " << theirs;
}

TEST(QuantK, DotOfRandomBlocksMatchesLlamaCppGeneric) {
  const GgmlOracle* oracle = Oracle();
  ASSERT_NE(oracle, nullptr);
  for (DType type : kWeightTypes) {
    for (int n_blocks : kBlockCounts) {
      const int64_t n = int64_t{n_blocks} * kQK;
      for (uint32_t seed = 1; seed <= 3; ++seed) {
        // Half scales up to 2^5 keep the sums finite.
        const std::vector<uint8_t> row = RandomBlocks(type, n_blocks, seed * 31 + n_blocks, 20);
        // Activations of both kinds: quantized floats, and raw random int8s
        // (reaching -128, which the quantizer never produces).
        const std::vector<uint8_t> act_q = QuantizedActivations(*oracle, n, seed);
        const std::vector<uint8_t> act_raw = RandomBlocks(DType::Q8_K, n_blocks, seed * 131 + n_blocks);
        EXPECT_TRUE(SameDot(*oracle, type, row, act_q, n)) << Name(type) << ", " << n_blocks << " blocks";
        EXPECT_TRUE(SameDot(*oracle, type, row, act_raw, n)) << Name(type) << ", " << n_blocks << " blocks, raw";
      }
    }
  }
}

TEST(QuantK, DotOfQuantizedRowsMatchesLlamaCppAndFloatDot) {
  const GgmlOracle* oracle = Oracle();
  ASSERT_NE(oracle, nullptr);
  const int64_t n = 22 * kQK;
  const std::vector<float> w = Gaussian(n, 77);
  const std::vector<float> a = Gaussian(n, 78);
  const std::vector<uint8_t> act = QuantizedActivations(*oracle, n, 78);
  double exact = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    exact += double(w[i]) * a[i];
    norm += std::fabs(double(w[i]) * a[i]);
  }
  for (DType type : kWeightTypes) {
    std::vector<uint8_t> row(RowBytes(Traits(type), n));
    Traits(type).quantize(w.data(), row.data(), n);
    EXPECT_TRUE(SameDot(*oracle, type, row, act, n)) << Name(type);
    // And it is a dot product: close to the float one, relative to the sum
    // of |products| (loose: Q2_K is coarse).
    const float dot = Traits(type).dot(row.data(), act.data(), n);
    EXPECT_NEAR(dot, exact, 0.1 * norm) << Name(type);
  }
}

}  // namespace
}  // namespace pipit
