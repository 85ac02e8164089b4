// F32/F16/BF16 and the legacy quant formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q8_1) against llama.cpp itself, loaded as an oracle from the prebuilt ggml
// libraries: quantize must match quantize_row_*_ref byte for byte,
// dequantize and dot must match ggml's scalar code bit for bit, and the
// round trip must stay within each format's error bound.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "quant/dtype.h"
#include "quant/fp16.h"
#include "support/ggml_oracle.h"

namespace pipit {
namespace {

using test::GgmlOracle;

GgmlOracle* OracleOrFail() {
  GgmlOracle* oracle = GgmlOracle::Get();
  EXPECT_NE(oracle, nullptr) << "llama.cpp oracle unavailable: " << GgmlOracle::LoadError();
  return oracle;
}

// NaNs compare equal to NaNs with the same bits; everything else bitwise.
bool SameBits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Index of the first differing float (bitwise), or -1.
int64_t FirstMismatch(const std::vector<float>& a, const std::vector<float>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameBits(a[i], b[i])) return static_cast<int64_t>(i);
  }
  return -1;
}

// ---------------------------------------------------------------- inputs

struct InputCase {
  const char* name;
  bool finite_scales;  // false: scales may overflow FP16, skip error bounds
  std::function<void(std::mt19937&, std::vector<float>&)> fill;
};

std::vector<InputCase> InputCases() {
  auto gaussian = [](std::mt19937& rng, std::vector<float>& x, float scale) {
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (float& v : x) v = dist(rng) * scale;
  };
  return {
      {"gaussian", true, [=](std::mt19937& rng, std::vector<float>& x) { gaussian(rng, x, 1.0f); }},
      {"with_zeros", true,
       [=](std::mt19937& rng, std::vector<float>& x) {
         gaussian(rng, x, 1.0f);
         for (size_t i = 0; i < x.size(); ++i) {
           if (i < 32 || i % 3 == 0) x[i] = 0.0f;  // a whole zero block, then scattered zeros
         }
       }},
      {"all_zero", true, [](std::mt19937&, std::vector<float>& x) { std::fill(x.begin(), x.end(), 0.0f); }},
      {"constant", true, [](std::mt19937&, std::vector<float>& x) { std::fill(x.begin(), x.end(), 0.7f); }},
      {"constant_negative", true,
       [](std::mt19937&, std::vector<float>& x) { std::fill(x.begin(), x.end(), -1.3f); }},
      {"negative_only", true,
       [=](std::mt19937& rng, std::vector<float>& x) {
         gaussian(rng, x, 1.0f);
         for (float& v : x) v = -std::fabs(v) - 0.1f;
       }},
      {"positive_only", true,
       [=](std::mt19937& rng, std::vector<float>& x) {
         gaussian(rng, x, 1.0f);
         for (float& v : x) v = std::fabs(v) + 0.1f;
       }},
      {"huge", true,
       [=](std::mt19937& rng, std::vector<float>& x) {
         gaussian(rng, x, 1.5e4f);
         for (float& v : x) v = std::fmax(-6.0e4f, std::fmin(6.0e4f, v));  // stays finite in FP16
       }},
      {"tiny", true, [=](std::mt19937& rng, std::vector<float>& x) { gaussian(rng, x, 1e-6f); }},
      {"mixed_block_scales", true,
       [=](std::mt19937& rng, std::vector<float>& x) {
         gaussian(rng, x, 1.0f);
         std::uniform_real_distribution<float> exponent(-6.0f, 4.0f);
         float scale = 1.0f;
         for (size_t i = 0; i < x.size(); ++i) {
           if (i % 32 == 0) scale = std::pow(10.0f, exponent(rng));
           x[i] *= scale;
         }
       }},
      {"rounding_ties", true,
       [](std::mt19937&, std::vector<float>& x) {
         for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * 0.5f;
       }},
      {"overflowing", false, [=](std::mt19937& rng, std::vector<float>& x) { gaussian(rng, x, 1e6f); }},
  };
}

// Types under test and their element counts (awkward multiples of the block).
constexpr DType kFormats[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                              DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q8_1};

std::vector<int64_t> Sizes(const DTypeTraits& t) {
  if (t.block_size == 1) return {1, 7, 33, 4096 + 32};
  return {t.block_size, 7 * t.block_size, 4096 + t.block_size};
}

// Largest error allowed for one element after a round trip, given the block
// it sits in. Each bound is the quantization step the format promises plus
// the error of storing its scale (and minimum) as FP16, whose absolute error
// is at most 2^-25 when the scale is subnormal.
double RoundTripBound(DType type, const float* block, int size, float x) {
  float amax = 0.0f, min = block[0], max = block[0];
  for (int i = 0; i < size; ++i) {
    amax = std::fmax(amax, std::fabs(block[i]));
    min = std::fmin(min, block[i]);
    max = std::fmax(max, block[i]);
  }
  const double fp16_abs = std::ldexp(1.0, -25);
  const double fp16_rel = std::ldexp(1.0, -11);
  switch (type) {
    case DType::F32: return 0.0;
    case DType::F16: return std::fabs(x) * fp16_rel + fp16_abs;
    case DType::BF16: return std::fabs(x) * std::ldexp(1.0, -8);
    // Symmetric with an extra negative level: the largest weight's opposite
    // may clamp one full step short, so one step, not half.
    case DType::Q4_0: return amax / 8.0 + amax * 8 * fp16_rel + 8 * fp16_abs;
    case DType::Q5_0: return amax / 16.0 + amax * 16 * fp16_rel + 16 * fp16_abs;
    case DType::Q4_1:
    case DType::Q5_1: {
      const double levels = type == DType::Q4_1 ? 15.0 : 31.0;
      const double d = (static_cast<double>(max) - min) / levels;
      return d / 2 + (d * levels + std::fabs(min)) * fp16_rel + (levels + 1) * fp16_abs + 1e-6 * d;
    }
    case DType::Q8_0:
    case DType::Q8_1: return amax / 127.0 / 2 + amax * fp16_rel + 127 * fp16_abs;
    default: return 0.0;
  }
}

// ---------------------------------------------------------------- tests

TEST(QuantLegacy, OracleLoads) {
  ASSERT_NE(GgmlOracle::Get(), nullptr) << GgmlOracle::LoadError();
}

TEST(QuantLegacy, TraitsTableMatchesGgml) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  const DType all[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                       DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q8_1, DType::Q2_K,
                       DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_K};
  for (DType type : all) {
    const DTypeTraits& ours = Traits(type);
    SCOPED_TRACE(ours.name);
    GgmlOracle::TypeInfo theirs;
    ASSERT_TRUE(oracle->Info(type, &theirs));
    EXPECT_EQ(ours.block_size, theirs.block_size);
    EXPECT_EQ(ours.block_bytes, theirs.block_bytes);
    EXPECT_EQ(static_cast<uint32_t>(ours.dot_type), theirs.dot_type);
    EXPECT_EQ(FindDTypeByName(theirs.name.c_str()), &ours) << "ggml calls it " << theirs.name;
    EXPECT_EQ(FindDType(static_cast<uint32_t>(type)), &ours);
  }
}

TEST(QuantLegacy, Fp16ToFp32MatchesGgmlForEveryHalf) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  std::vector<uint16_t> halves(1 << 16);
  for (uint32_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<uint16_t>(i);
  std::vector<float> expected(halves.size());
  ASSERT_TRUE(oracle->Dequantize(DType::F16, halves.data(), expected.data(), halves.size()));
  int mismatches = 0;
  for (uint32_t i = 0; i < halves.size(); ++i) {
    const float ours = Fp16ToFp32(halves[i]);
    if (!SameBits(ours, expected[i]) && ++mismatches <= 5) {
      ADD_FAILURE() << "half " << Hex(i) << ": ours " << Hex(std::bit_cast<uint32_t>(ours)) << " ggml "
                    << Hex(std::bit_cast<uint32_t>(expected[i]));
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Edge floats for the narrowing conversions: zeros, subnormals, the FP16
// normal/subnormal boundary, the overflow threshold, ties, inf and NaNs.
std::vector<float> EdgeFloats() {
  std::vector<uint32_t> bits = {0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00800000, 0x33000000,
                                0x33000001, 0x337FFFFF, 0x33800000, 0x33C00000, 0x387FC000, 0x387FE000,
                                0x387FF000, 0x38800000, 0x38801000, 0x38803000, 0x3F801000, 0x3F803000,
                                0x3F800FFF, 0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000,
                                0x7F7FFFFF, 0x7F800000, 0xFF800000, 0x7F800001, 0x7FC00000, 0xFFC00001,
                                0x7FFFFFFF, 0x3F7F8000, 0x3F7F8001, 0x3F808000, 0x3F818000, 0x3F7FFFFF};
  std::vector<float> out;
  for (uint32_t b : bits) {
    out.push_back(std::bit_cast<float>(b));
    out.push_back(std::bit_cast<float>(b ^ 0x80000000u));
  }
  // Every half's exact value and the midpoints next to it (ties).
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    const uint32_t f = std::bit_cast<uint32_t>(Fp16ToFp32(static_cast<uint16_t>(h)));
    for (int delta : {-1, 0, 1}) out.push_back(std::bit_cast<float>(f + static_cast<uint32_t>(delta)));
    if (h >= 0x0400) out.push_back(std::bit_cast<float>(f + 0x1000u));  // exactly halfway to the next half
  }
  return out;
}

std::vector<float> RandomFloatBits(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t b = rng();
    // Half of them in and near FP16's exponent range, where rounding matters.
    if (i % 2 == 0) b = (b & 0x807FFFFFu) | ((0x60u + (rng() % 0x40u)) << 23);
    out[i] = std::bit_cast<float>(b);
  }
  return out;
}

TEST(QuantLegacy, Fp32ToFp16MatchesGgml) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  std::vector<float> inputs = EdgeFloats();
  const std::vector<float> random = RandomFloatBits(4'000'000, 1234);
  inputs.insert(inputs.end(), random.begin(), random.end());
  std::vector<uint16_t> expected(inputs.size());
  ASSERT_TRUE(oracle->QuantizeRef(DType::F16, inputs.data(), expected.data(), inputs.size()));
  int mismatches = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const uint16_t ours = Fp32ToFp16(inputs[i]);
    if (ours != expected[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "float " << Hex(std::bit_cast<uint32_t>(inputs[i])) << ": ours " << Hex(ours) << " ggml "
                    << Hex(expected[i]);
    }
  }
  EXPECT_EQ(mismatches, 0);
}

#if defined(__x86_64__)
// Independent of ggml: the F16C instruction rounds to nearest even in
// hardware. NaNs differ by design (F16C keeps the payload), so skip them.
__attribute__((target("f16c"))) uint16_t HardwareFp32ToFp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, 0));
}

bool CpuHasF16c() {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
}

TEST(QuantLegacy, Fp32ToFp16MatchesF16cHardware) {
  if (!CpuHasF16c()) GTEST_SKIP() << "CPU has no F16C";
  std::vector<float> inputs = EdgeFloats();
  const std::vector<float> random = RandomFloatBits(2'000'000, 99);
  inputs.insert(inputs.end(), random.begin(), random.end());
  int mismatches = 0;
  for (float f : inputs) {
    if (std::isnan(f)) continue;
    const uint16_t hw = HardwareFp32ToFp16(f);
    if (Fp32ToFp16(f) != hw && ++mismatches <= 5) {
      ADD_FAILURE() << "float " << Hex(std::bit_cast<uint32_t>(f)) << ": ours " << Hex(Fp32ToFp16(f)) << " F16C "
                    << Hex(hw);
    }
  }
  EXPECT_EQ(mismatches, 0);
}
#endif

TEST(QuantLegacy, Bf16MatchesGgml) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  std::vector<uint16_t> all(1 << 16);
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  std::vector<float> widened(all.size());
  ASSERT_TRUE(oracle->Dequantize(DType::BF16, all.data(), widened.data(), all.size()));
  for (uint32_t i = 0; i < all.size(); ++i) {
    ASSERT_TRUE(SameBits(Bf16ToFp32(all[i]), widened[i])) << "bf16 " << Hex(i);
  }
  std::vector<float> inputs = EdgeFloats();
  const std::vector<float> random = RandomFloatBits(2'000'000, 7);
  inputs.insert(inputs.end(), random.begin(), random.end());
  std::vector<uint16_t> expected(inputs.size());
  ASSERT_TRUE(oracle->QuantizeRef(DType::BF16, inputs.data(), expected.data(), inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(Fp32ToBf16(inputs[i]), expected[i]) << "float " << Hex(std::bit_cast<uint32_t>(inputs[i]));
  }
}

TEST(QuantLegacy, FormatsMatchGgmlOnAwkwardInputs) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  std::mt19937 rng(42);
  for (DType type : kFormats) {
    const DTypeTraits& t = Traits(type);
    for (int64_t n : Sizes(t)) {
      for (const InputCase& input : InputCases()) {
        SCOPED_TRACE(std::string(t.name) + " n=" + std::to_string(n) + " input=" + input.name);
        std::vector<float> x(n);
        input.fill(rng, x);
        const size_t bytes = RowBytes(t, n);

        // quantize: byte for byte
        std::vector<uint8_t> ours(bytes), theirs(bytes);
        t.quantize(x.data(), ours.data(), n);
        ASSERT_TRUE(oracle->QuantizeRef(type, x.data(), theirs.data(), n));
        for (size_t i = 0; i < bytes; ++i) {
          ASSERT_EQ(ours[i], theirs[i]) << "quantized byte " << i << " (block " << i / t.block_bytes << ")";
        }

        // dequantize: bit for bit (ggml has no Q8_1 dequantizer)
        std::vector<float> back(n);
        t.dequantize(ours.data(), back.data(), n);
        std::vector<float> back_ggml(n);
        if (oracle->Dequantize(type, ours.data(), back_ggml.data(), n)) {
          const int64_t bad = FirstMismatch(back, back_ggml);
          ASSERT_EQ(bad, -1) << "dequantized element " << bad << ": ours " << back[bad] << " ggml "
                             << back_ggml[bad];
        } else {
          ASSERT_EQ(type, DType::Q8_1);
        }

        // round trip within the format's bound
        if (input.finite_scales) {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t start = i / t.block_size * t.block_size;
            const double bound = RoundTripBound(type, &x[start], t.block_size, x[i]);
            ASSERT_LE(std::fabs(static_cast<double>(back[i]) - x[i]), bound)
                << "element " << i << " was " << x[i] << ", came back " << back[i];
          }
        }

        // dot with a Gaussian activation row in the dot type: bit for bit
        if (t.dot == nullptr) continue;
        const DTypeTraits& a = Traits(t.dot_type);
        std::vector<float> act(n);
        InputCases()[0].fill(rng, act);
        std::vector<uint8_t> act_q(RowBytes(a, n));
        a.quantize(act.data(), act_q.data(), n);
        float dot_ours = t.dot(ours.data(), act_q.data(), n);
        float dot_ggml = 0.0f;
        ASSERT_TRUE(oracle->Dot(type, ours.data(), act_q.data(), n, &dot_ggml));
        EXPECT_TRUE(SameBits(dot_ours, dot_ggml) || (std::isnan(dot_ours) && std::isnan(dot_ggml)))
            << "dot: ours " << dot_ours << " ggml " << dot_ggml;

        // and close to the float dot of what the two rows hold
        if (input.finite_scales) {
          std::vector<float> act_back(n);
          a.dequantize(act_q.data(), act_back.data(), n);
          double exact = 0.0, magnitude = 0.0;
          for (int64_t i = 0; i < n; ++i) {
            exact += static_cast<double>(back[i]) * act_back[i];
            magnitude += std::fabs(static_cast<double>(back[i]) * act_back[i]);
          }
          // Q4_1/Q5_1 dots use the activation's stored s = fp16(d * sum(q))
          // for the minimum term instead of summing; that FP16 rounding
          // (up to 2^-11 of m*s, and again for d's own rounding) is allowed.
          double min_term = 0.0;
          if (t.dot_type == DType::Q8_1) {
            for (int64_t b = 0; b < n / 32; ++b) {
              uint16_t m, s;
              std::memcpy(&m, ours.data() + b * t.block_bytes + 2, 2);
              std::memcpy(&s, act_q.data() + b * a.block_bytes + 2, 2);
              min_term += std::fabs(static_cast<double>(Fp16ToFp32(m)) * Fp16ToFp32(s)) * std::ldexp(1.0, -10);
            }
          }
          EXPECT_NEAR(dot_ours, exact, 1e-5 * magnitude + min_term + 1e-30) << "dot drifts from the dequantized rows";
        }
      }
    }
  }
}

// Random block contents with sane scales: exercises every bit pattern of
// the quants (including ones our quantizer never emits, e.g. Q8 -128).
void FillRandomBlocks(DType type, std::mt19937& rng, std::vector<uint8_t>& bytes, int64_t n) {
  const DTypeTraits& t = Traits(type);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  std::normal_distribution<float> dist(0.0f, 1.0f);
  auto random_half = [&] { return Fp32ToFp16(dist(rng) * 0.05f); };
  if (type == DType::F32) {
    auto* f = reinterpret_cast<float*>(bytes.data());
    for (int64_t i = 0; i < n; ++i) f[i] = dist(rng);
    return;
  }
  if (t.block_size == 1) {
    // Finite values only, so that sums stay meaningful.
    auto* h = reinterpret_cast<uint16_t*>(bytes.data());
    for (int64_t i = 0; i < n; ++i) h[i] = type == DType::F16 ? random_half() : Fp32ToBf16(dist(rng));
    return;
  }
  const bool has_second_half = type == DType::Q4_1 || type == DType::Q5_1 || type == DType::Q8_1;
  for (int64_t b = 0; b < n / t.block_size; ++b) {
    uint8_t* block = bytes.data() + b * t.block_bytes;
    uint16_t d = random_half();
    std::memcpy(block, &d, 2);
    if (has_second_half) {
      uint16_t m = random_half();
      std::memcpy(block + 2, &m, 2);
    }
  }
}

TEST(QuantLegacy, RandomBlocksMatchGgml) {
  GgmlOracle* oracle = OracleOrFail();
  ASSERT_NE(oracle, nullptr);
  std::mt19937 rng(2024);
  for (DType type : kFormats) {
    const DTypeTraits& t = Traits(type);
    for (int64_t n : Sizes(t)) {
      for (int trial = 0; trial < 4; ++trial) {
        SCOPED_TRACE(std::string(t.name) + " n=" + std::to_string(n) + " trial=" + std::to_string(trial));
        std::vector<uint8_t> row(RowBytes(t, n));
        FillRandomBlocks(type, rng, row, n);
        std::vector<float> ours(n), theirs(n);
        t.dequantize(row.data(), ours.data(), n);
        if (oracle->Dequantize(type, row.data(), theirs.data(), n)) {
          const int64_t bad = FirstMismatch(ours, theirs);
          ASSERT_EQ(bad, -1) << "element " << bad << ": ours " << ours[bad] << " ggml " << theirs[bad];
        }
        if (t.dot == nullptr) continue;
        std::vector<uint8_t> act(RowBytes(Traits(t.dot_type), n));
        FillRandomBlocks(t.dot_type, rng, act, n);
        float dot_ggml = 0.0f;
        ASSERT_TRUE(oracle->Dot(type, row.data(), act.data(), n, &dot_ggml));
        const float dot_ours = t.dot(row.data(), act.data(), n);
        EXPECT_TRUE(SameBits(dot_ours, dot_ggml)) << "dot: ours " << dot_ours << " ggml " << dot_ggml;
      }
    }
  }
}

// Q8_1 has no ggml dequantizer; check its invariant s = d * sum(q) directly.
TEST(QuantLegacy, Q8_1StoresScaledSum) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> x(7 * 32);
  for (float& v : x) v = dist(rng);
  std::vector<uint8_t> q(RowBytes(Traits(DType::Q8_1), x.size()));
  Traits(DType::Q8_1).quantize(x.data(), q.data(), x.size());
  for (size_t b = 0; b < x.size() / 32; ++b) {
    const uint8_t* block = q.data() + b * 36;
    uint16_t d, s;
    std::memcpy(&d, block, 2);
    std::memcpy(&s, block + 2, 2);
    int sum = 0;
    for (int j = 0; j < 32; ++j) sum += static_cast<int8_t>(block[4 + j]);
    EXPECT_NEAR(Fp16ToFp32(s), Fp16ToFp32(d) * sum, std::fabs(Fp16ToFp32(d) * sum) * 2e-3 + 1e-6) << "block " << b;
  }
}

}  // namespace
}  // namespace pipit
