// Tensor element types. Ids are GGML's (they are what GGUF files store).
// Each quantized type is a sequence of fixed-size blocks; one row of n
// elements takes n / block_size blocks of block_bytes each.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipit {

enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
};

// Everything the engine needs to know about one element type.
struct DTypeTraits {
  DType type;
  const char* name;     // "Q4_K", as llama.cpp spells it
  int32_t block_size;   // elements per block
  int32_t block_bytes;  // bytes per block

  // Activations are converted to this type before a dot product with a row
  // of this type (as llama.cpp does: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for
  // Q4_1/Q5_1, Q8_K for k-quants, F16 for F16, BF16 for BF16, F32 for F32).
  DType dot_type;

  // n must be a multiple of block_size for all three.
  void (*dequantize)(const void* src, float* dst, int64_t n);
  void (*quantize)(const float* src, void* dst, int64_t n);
  // Dot product of one row of this type with one row of dot_type.
  float (*dot)(const void* row, const void* act, int64_t n);
};

// Traits for a raw type id from a file; nullptr when pipit does not support
// the type.
const DTypeTraits* FindDType(uint32_t raw_type);
const DTypeTraits& Traits(DType type);

// Bytes in one row of n elements (n a multiple of the block size).
inline size_t RowBytes(const DTypeTraits& t, int64_t n) {
  return static_cast<size_t>(n / t.block_size) * static_cast<size_t>(t.block_bytes);
}

// Case-insensitive lookup by name ("q4_k", "F16"); nullptr when unknown.
const DTypeTraits* FindDTypeByName(const char* name);

}  // namespace pipit
