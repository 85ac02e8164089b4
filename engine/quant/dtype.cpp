#include "quant/dtype.h"

#include <cctype>

#include "quant/formats.h"

namespace pipit {
namespace {

using namespace quant;

// Activation-only types (Q8_1, Q8_K) have no dot of their own.
constexpr DTypeTraits kTraits[] = {
    {DType::F32, "F32", 1, 4, DType::F32, dequantize_row_f32, quantize_row_f32, dot_f32_f32},
    {DType::F16, "F16", 1, 2, DType::F16, dequantize_row_f16, quantize_row_f16, dot_f16_f16},
    {DType::BF16, "BF16", 1, 2, DType::BF16, dequantize_row_bf16, quantize_row_bf16, dot_bf16_bf16},
    {DType::Q4_0, "Q4_0", 32, 18, DType::Q8_0, dequantize_row_q4_0, quantize_row_q4_0, dot_q4_0_q8_0},
    {DType::Q4_1, "Q4_1", 32, 20, DType::Q8_1, dequantize_row_q4_1, quantize_row_q4_1, dot_q4_1_q8_1},
    {DType::Q5_0, "Q5_0", 32, 22, DType::Q8_0, dequantize_row_q5_0, quantize_row_q5_0, dot_q5_0_q8_0},
    {DType::Q5_1, "Q5_1", 32, 24, DType::Q8_1, dequantize_row_q5_1, quantize_row_q5_1, dot_q5_1_q8_1},
    {DType::Q8_0, "Q8_0", 32, 34, DType::Q8_0, dequantize_row_q8_0, quantize_row_q8_0, dot_q8_0_q8_0},
    {DType::Q8_1, "Q8_1", 32, 36, DType::Q8_1, dequantize_row_q8_1, quantize_row_q8_1, nullptr},
    {DType::Q2_K, "Q2_K", 256, 84, DType::Q8_K, dequantize_row_q2_k, quantize_row_q2_k, dot_q2_k_q8_k},
    {DType::Q3_K, "Q3_K", 256, 110, DType::Q8_K, dequantize_row_q3_k, quantize_row_q3_k, dot_q3_k_q8_k},
    {DType::Q4_K, "Q4_K", 256, 144, DType::Q8_K, dequantize_row_q4_k, quantize_row_q4_k, dot_q4_k_q8_k},
    {DType::Q5_K, "Q5_K", 256, 176, DType::Q8_K, dequantize_row_q5_k, quantize_row_q5_k, dot_q5_k_q8_k},
    {DType::Q6_K, "Q6_K", 256, 210, DType::Q8_K, dequantize_row_q6_k, quantize_row_q6_k, dot_q6_k_q8_k},
    {DType::Q8_K, "Q8_K", 256, 292, DType::Q8_K, dequantize_row_q8_k, quantize_row_q8_k, nullptr},
};

bool EqualsIgnoreCase(const char* a, const char* b) {
  for (; *a && *b; ++a, ++b) {
    if (std::tolower(static_cast<unsigned char>(*a)) != std::tolower(static_cast<unsigned char>(*b))) return false;
  }
  return *a == *b;
}

}  // namespace

const DTypeTraits* FindDType(uint32_t raw_type) {
  for (const DTypeTraits& t : kTraits) {
    if (static_cast<uint32_t>(t.type) == raw_type) return &t;
  }
  return nullptr;
}

const DTypeTraits& Traits(DType type) { return *FindDType(static_cast<uint32_t>(type)); }

const DTypeTraits* FindDTypeByName(const char* name) {
  for (const DTypeTraits& t : kTraits) {
    if (EqualsIgnoreCase(t.name, name)) return &t;
  }
  return nullptr;
}

}  // namespace pipit
