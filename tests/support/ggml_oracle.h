// llama.cpp's own quantization code as a test oracle: the reference
// functions are loaded (dlopen) from the prebuilt ggml libraries that the npm
// package @node-llama-cpp/linux-x64 ships, so each of our formats can be
// checked against llama.cpp bit for bit, without copying its code.
#pragma once

#include <cstdint>
#include <string>

#include "quant/dtype.h"

namespace pipit::test {

class GgmlOracle {
 public:
  // The process-wide oracle, or nullptr when the libraries cannot be loaded
  // (then `LoadError()` says why). Looks in $PIPIT_GGML_LIB_DIR, else in
  // <repo>/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/.
  static GgmlOracle* Get();
  static const std::string& LoadError();

  // dequantize_row_<type> (F16/BF16/F32 included via ggml's row converters).
  bool Dequantize(DType type, const void* src, float* dst, int64_t n) const;
  // quantize_row_<type>_ref: llama.cpp's reference quantizer.
  bool QuantizeRef(DType type, const float* src, void* dst, int64_t n) const;
  // ggml_vec_dot_<type>_<dot_type>_generic: scalar dot of a weight row with an
  // activation row already in the type's dot_type.
  bool Dot(DType type, const void* row, const void* act, int64_t n, float* out) const;

  // ggml's own description of a type (ggml_get_type_traits and
  // ggml_get_type_traits_cpu), to check our traits table against.
  struct TypeInfo {
    std::string name;     // ggml's type_name, e.g. "q4_K"
    int64_t block_size;   // elements per block
    int64_t block_bytes;  // bytes per block
    uint32_t dot_type;    // raw type id of ggml's vec_dot_type
  };
  bool Info(DType type, TypeInfo* out) const;

  struct Impl;
 private:
  Impl* impl_ = nullptr;
};

}  // namespace pipit::test
