// File-type presets ("Q4_K_M", "Q8_0", ...) and the per-tensor type choice
// that llama.cpp's quantizer makes for them (llama_tensor_get_type in
// src/llama-quant.cpp), for the llama architecture: which tensors get more
// bits (output, some attn_v / ffn_down layers), and the fallback to a 32-wide
// type when a row length is not a multiple of 256.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "quant/dtype.h"

namespace pipit::quant {

struct Preset {
  const char* name;      // "Q4_K_M", as llama-quantize spells it
  uint32_t file_type;    // llama.cpp's LLAMA_FTYPE_* value (general.file_type)
  DType default_type;    // type of every weight matrix no rule singles out
};

std::span<const Preset> AllPresets();
// Case-insensitive lookup; nullptr when unknown.
const Preset* FindPreset(std::string_view name);

// What the rules need to know about one tensor and its model.
struct TensorContext {
  std::string_view name;   // "blk.3.attn_v.weight"
  int n_dims = 2;
  int64_t ne0 = 0;         // row length (contiguous dimension)
  int n_layers = 0;        // llama.block_count
  int n_head = 1;          // llama.attention.head_count
  int n_head_kv = 1;       // llama.attention.head_count_kv
  bool has_output = true;  // false: embeddings tied, token_embd is also the output
};

// True for the tensors llama.cpp quantizes: 2-D (or more) "*weight" tensors
// other than norms. Everything else keeps its type.
bool IsQuantizable(const TensorContext& t);

// The type `t` gets under `preset`; `current` is its type in the input file
// (kept when the tensor is not quantizable). Fails on a layer index that
// does not fit n_layers.
Status ChooseTensorType(const Preset& preset, const TensorContext& t, DType current, DType* out);

}  // namespace pipit::quant
