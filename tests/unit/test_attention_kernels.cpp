// The attention loops of every kernel table against the scalar reference
// (engine/kernels/generic/attention_scalar.cpp): q.k over half keys and
// out += a * v over half values, at head sizes with and without SIMD tails.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pipit
