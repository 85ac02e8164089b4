// The Cortex-M33 kernels (engine/kernels/m33/), compiled for the host with
// the C emulations of the DSP instructions, against the scalar reference:
// bit for bit, on random rows of several lengths. The real instructions run
// in the firmware (QEMU test and the /selftest command).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/m33/dsp_ops.h"
#include "kernels/m33/m33_kernels.h"
#include "quant/dtype.h"
#include "quant/formats.h"
#include "quant/fp16.h"

namespace pipit::kernels::m33 {
namespace {

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Rows quantized by the reference quantizers from normal floats (what the
// engine feeds the kernels), with a few blocks scaled up or zeroed.
std::vector<uint8_t> QuantizedRow(DType type, int64_t n, std::mt19937* rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = normal(*rng) * (i % 96 < 32 ? 40.0f : 1.0f);
  if (n >= 64) std::fill(values.begin() + 32, values.begin() + 64, 0.0f);
  std::vector<uint8_t> row(RowBytes(Traits(type), n));
  Traits(type).quantize(values.data(), row.data(), n);
  return row;
}

// Rows of raw random bytes with finite half scales: every quant value,
// including -128 in Q8_0 (which the quantizer never makes).
std::vector<uint8_t> RandomRow(DType type, int64_t n, std::mt19937* rng) {
  const DTypeTraits& t = Traits(type);
  std::vector<uint8_t> row(RowBytes(t, n));
  for (auto& byte : row) byte = static_cast<uint8_t>((*rng)());
  for (size_t off = 0; off < row.size(); off += static_cast<size_t>(t.block_bytes)) {
    std::uniform_real_distribution<float> scale(-0.5f, 0.5f);
    const uint16_t half = Fp32ToFp16(scale(*rng));
    std::memcpy(row.data() + off, &half, 2);
  }
  return row;
}

const int64_t kLengths[] = {32, 64, 96, 192, 384, 512, 2048, 4096};

TEST(KernelsM33, Q8_0DotIsBitIdenticalToScalar) {
  std::mt19937 rng(1);
  for (int64_t n : kLengths) {
    for (int trial = 0; trial < 20; ++trial) {
      const bool raw = trial % 2 == 1;
      const auto row = raw ? RandomRow(DType::Q8_0, n, &rng) : QuantizedRow(DType::Q8_0, n, &rng);
      const auto act = raw ? RandomRow(DType::Q8_0, n, &rng) : QuantizedRow(DType::Q8_0, n, &rng);
      const float want = quant::dot_q8_0_q8_0(row.data(), act.data(), n);
      const float got = dot_q8_0_q8_0(row.data(), act.data(), n);
      ASSERT_EQ(Bits(got), Bits(want)) << "n=" << n << " trial=" << trial << " " << got << " vs " << want;
    }
  }
}

TEST(KernelsM33, Q4_0DotIsBitIdenticalToScalar) {
  std::mt19937 rng(2);
  for (int64_t n : kLengths) {
    for (int trial = 0; trial < 20; ++trial) {
      const bool raw = trial % 2 == 1;
      const auto row = raw ? RandomRow(DType::Q4_0, n, &rng) : QuantizedRow(DType::Q4_0, n, &rng);
      const auto act = raw ? RandomRow(DType::Q8_0, n, &rng) : QuantizedRow(DType::Q8_0, n, &rng);
      const float want = quant::dot_q4_0_q8_0(row.data(), act.data(), n);
      const float got = dot_q4_0_q8_0(row.data(), act.data(), n);
      ASSERT_EQ(Bits(got), Bits(want)) << "n=" << n << " trial=" << trial << " " << got << " vs " << want;
    }
  }
}

// Extreme blocks: every weight at its most negative level against -128 /
// +127 activations (the largest integer sums a block can have).
TEST(KernelsM33, ExtremeBlocks) {
  const int64_t n = 64;
  std::vector<uint8_t> q8(RowBytes(Traits(DType::Q8_0), n)), a(q8.size()), q4(RowBytes(Traits(DType::Q4_0), n));
  const uint16_t one = Fp32ToFp16(1.0f);
  for (int b = 0; b < 2; ++b) {
    std::memcpy(&q8[b * 34], &one, 2), std::memcpy(&a[b * 34], &one, 2), std::memcpy(&q4[b * 18], &one, 2);
    std::memset(&q8[b * 34 + 2], b == 0 ? 0x80 : 0x7F, 32);
    std::memset(&a[b * 34 + 2], 0x80, 32);
    std::memset(&q4[b * 18 + 2], b == 0 ? 0x00 : 0xFF, 16);  // levels -8 / +7
  }
  EXPECT_EQ(dot_q8_0_q8_0(q8.data(), a.data(), n), 32 * 128 * 128 - 32 * 127 * 128.0f);
  EXPECT_EQ(Bits(dot_q8_0_q8_0(q8.data(), a.data(), n)), Bits(quant::dot_q8_0_q8_0(q8.data(), a.data(), n)));
  EXPECT_EQ(dot_q4_0_q8_0(q4.data(), a.data(), n), 32 * 8 * 128 - 32 * 7 * 128.0f);
  EXPECT_EQ(Bits(dot_q4_0_q8_0(q4.data(), a.data(), n)), Bits(quant::dot_q4_0_q8_0(q4.data(), a.data(), n)));
}

// The emulated instructions against their definitions in the Armv8-M
// reference manual, on random words.
TEST(KernelsM33, EmulatedInstructionsMatchTheirDefinitions) {
  std::mt19937 rng(3);
  auto byte = [](uint32_t x, int i) { return static_cast<int8_t>(x >> (8 * i)); };
  auto lane = [](uint32_t x, int i) { return static_cast<int16_t>(x >> (16 * i)); };
  for (int i = 0; i < 100000; ++i) {
    const uint32_t x = rng(), y = rng();
    const int32_t acc = static_cast<int32_t>(rng());
    EXPECT_EQ(lane(Sxtb16(x), 0), byte(x, 0));
    EXPECT_EQ(lane(Sxtb16(x), 1), byte(x, 2));
    EXPECT_EQ(lane(Sxtb16Ror8(x), 0), byte(x, 1));
    EXPECT_EQ(lane(Sxtb16Ror8(x), 1), byte(x, 3));
    const int64_t wide = static_cast<int64_t>(acc) + lane(x, 0) * lane(y, 0) + lane(x, 1) * lane(y, 1);
    EXPECT_EQ(Smlad(x, y, acc), static_cast<int32_t>(static_cast<uint32_t>(wide)));
    const uint32_t d = Ssub8(x, y);
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(static_cast<uint8_t>(d >> (8 * k)), static_cast<uint8_t>(byte(x, k) - byte(y, k)));
    }
    if (::testing::Test::HasFailure()) break;
  }
}

// Attention loops on random finite halves (normal and subnormal).
TEST(KernelsM33, AttentionLoopsAreBitIdenticalToScalar) {
  const KernelSet& scalar = *FindKernelSet("scalar");
  std::mt19937 rng(4);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (int64_t n : {1, 7, 32, 64, 100}) {
    std::vector<uint16_t> k(n);
    std::vector<float> q(n), out_a(n), out_b(n);
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h = static_cast<uint16_t>(rng());
      if (((h >> 10) & 0x1F) == 0x1F) h &= 0xBFFF;  // no inf/NaN
      k[i] = h;
      q[i] = normal(rng);
      out_a[i] = out_b[i] = normal(rng);
    }
    EXPECT_EQ(Bits(dot_half_float(k.data(), q.data(), n)), Bits(scalar.dot_half_float(k.data(), q.data(), n))) << n;
    axpy_half(0.37f, k.data(), out_a.data(), n);
    scalar.axpy_half(0.37f, k.data(), out_b.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(Bits(out_a[i]), Bits(out_b[i])) << n << " " << i;
    // The row versions over 3 rows of n, 2n halves apart.
    std::vector<uint16_t> rows(6 * n);
    for (int64_t i = 0; i < 6 * n; ++i) rows[i] = k[i % n] ^ static_cast<uint16_t>(i & 0x3FF);
    const float w[3] = {0.25f, -1.5f, 0.125f};
    float scores_a[3], scores_b[3];
    dot_half_rows(rows.data(), 2 * n, 3, q.data(), n, 0.125f, scores_a);
    scalar.dot_half_rows(rows.data(), 2 * n, 3, q.data(), n, 0.125f, scores_b);
    for (int r = 0; r < 3; ++r) EXPECT_EQ(Bits(scores_a[r]), Bits(scores_b[r])) << n << " row " << r;
    weighted_sum_half(w, rows.data(), 2 * n, 3, n, out_a.data());
    scalar.weighted_sum_half(w, rows.data(), 2 * n, 3, n, out_b.data());
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(Bits(out_a[i]), Bits(out_b[i])) << n << " " << i;
  }
}

TEST(KernelsM33, FillReplacesTheQ4_0AndQ8_0DotsAndAttentionLoops) {
  const KernelSet& scalar = *FindKernelSet("scalar");
  KernelSet set = scalar;
  FillM33Kernels(&set);
  for (int id = 0; id < kDTypeSlots; ++id) {
    const bool replaced = id == static_cast<int>(DType::Q4_0) || id == static_cast<int>(DType::Q8_0);
    EXPECT_EQ(set.dot[id] != scalar.dot[id], replaced) << id;
    EXPECT_EQ(set.quantize_activation[id], scalar.quantize_activation[id]);
  }
  EXPECT_EQ(set.dot[static_cast<int>(DType::Q4_0)], &dot_q4_0_q8_0);
  EXPECT_EQ(set.dot_half_float, &dot_half_float);
  EXPECT_EQ(set.axpy_half, &axpy_half);
  EXPECT_EQ(set.dot_half_rows, &dot_half_rows);
  EXPECT_EQ(set.weighted_sum_half, &weighted_sum_half);
}

}  // namespace
}  // namespace pipit::kernels::m33
