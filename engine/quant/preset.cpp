#include "quant/preset.h"

#include <cctype>
#include <charconv>

namespace pipit::quant {
namespace {

// LLAMA_FTYPE_* values from llama.h.
constexpr Preset kPresets[] = {
    {"F32", 0, DType::F32},       {"F16", 1, DType::F16},       {"BF16", 32, DType::BF16},
    {"Q4_0", 2, DType::Q4_0},     {"Q4_1", 3, DType::Q4_1},     {"Q5_0", 8, DType::Q5_0},
    {"Q5_1", 9, DType::Q5_1},     {"Q8_0", 7, DType::Q8_0},     {"Q2_K", 10, DType::Q2_K},
    {"Q2_K_S", 21, DType::Q2_K},  {"Q3_K_S", 11, DType::Q3_K},  {"Q3_K_M", 12, DType::Q3_K},
    {"Q3_K_L", 13, DType::Q3_K},  {"Q4_K_S", 14, DType::Q4_K},  {"Q4_K_M", 15, DType::Q4_K},
    {"Q5_K_S", 16, DType::Q5_K},  {"Q5_K_M", 17, DType::Q5_K},  {"Q6_K", 18, DType::Q6_K},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool Contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool IsQuantizedType(DType t) { return Traits(t).block_size > 1; }

// The tensor roles llama.cpp's rules distinguish.
enum class Role { kTokenEmbd, kOutput, kAttnV, kAttnOutput, kFfnDown, kOther };

Role RoleOf(std::string_view name) {
  if (name == "output.weight") return Role::kOutput;
  if (name == "token_embd.weight") return Role::kTokenEmbd;
  if (Contains(name, "attn_v.weight")) return Role::kAttnV;
  if (Contains(name, "attn_output.weight")) return Role::kAttnOutput;
  if (Contains(name, "ffn_down")) return Role::kFfnDown;
  return Role::kOther;
}

// Layer index from "blk.<i>."; -1 when the name has none.
int LayerIndex(std::string_view name) {
  if (name.substr(0, 4) != "blk.") return -1;
  int layer = -1;
  const char* begin = name.data() + 4;
  auto [end, ec] = std::from_chars(begin, name.data() + name.size(), layer);
  if (ec != std::errc() || end == begin || *end != '.') return -1;
  return layer;
}

// llama.cpp gives these layers more bits: the first and last eighth and
// every third layer in between.
bool UseMoreBits(int layer, int n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

// The rules of llama_tensor_get_type for a quantized preset, before the
// shape fallback.
DType RuleType(const Preset& p, const TensorContext& t, Role role, int layer) {
  const std::string_view f = p.name;
  const int n_gqa = t.n_head_kv > 0 ? t.n_head / t.n_head_kv : 1;
  DType type = p.default_type;

  if (role == Role::kOutput || (role == Role::kTokenEmbd && !t.has_output)) {
    // The output projection is the most sensitive matrix.
    if (t.ne0 % Traits(type).block_size != 0) return DType::Q8_0;
    return type == DType::Q8_0 ? DType::Q8_0 : DType::Q6_K;
  }
  if (role == Role::kTokenEmbd) return type;

  if (role == Role::kAttnV) {
    if (f == "Q2_K") type = n_gqa >= 4 ? DType::Q4_K : DType::Q3_K;
    else if (f == "Q2_K_S" && n_gqa >= 4) type = DType::Q4_K;
    else if (f == "Q3_K_M") type = layer < 2 ? DType::Q5_K : DType::Q4_K;
    else if (f == "Q3_K_L") type = DType::Q5_K;
    else if ((f == "Q4_K_M" || f == "Q5_K_M") && UseMoreBits(layer, t.n_layers)) type = DType::Q6_K;
    else if (f == "Q4_K_S" && layer < 4) type = DType::Q5_K;
    // llama.cpp's "70B" (80 layers with grouped-query attention): attn_v is
    // 8x smaller than attn_q, so it is cheap to give it more bits.
    const bool is_70b = t.n_layers == 80 && t.n_head != t.n_head_kv;
    if (is_70b && (type == DType::Q3_K || type == DType::Q4_K)) type = DType::Q5_K;
    return type;
  }
  if (role == Role::kFfnDown) {
    const int n = t.n_layers;
    if (f == "Q2_K") type = DType::Q3_K;
    else if (f == "Q2_K_S") { if (layer < n / 8) type = DType::Q4_K; }
    else if (f == "Q3_K_M") type = layer < n / 16 ? DType::Q5_K : DType::Q4_K;
    else if (f == "Q3_K_L") type = DType::Q5_K;
    else if (f == "Q4_K_M") { if (UseMoreBits(layer, n)) type = DType::Q6_K; }
    else if (f == "Q5_K_M") { if (UseMoreBits(layer, n)) type = DType::Q6_K; }
    else if (f == "Q4_K_S") { if (layer < n / 8) type = DType::Q5_K; }
    return type;
  }
  if (role == Role::kAttnOutput) {
    if (f == "Q2_K") type = DType::Q3_K;
    else if (f == "Q3_K_M") type = DType::Q4_K;
    else if (f == "Q3_K_L") type = DType::Q5_K;
    return type;
  }
  return type;
}

// Rows whose length is not a multiple of the block size fall back to a
// 32-wide type, as llama.cpp's tensor_type_fallback does; F16 when even
// that does not fit.
DType ShapeFallback(DType type, int64_t ne0) {
  if (ne0 % Traits(type).block_size == 0) return type;
  DType fallback = DType::F16;
  switch (type) {
    case DType::Q2_K:
    case DType::Q3_K: fallback = DType::Q4_0; break;
    case DType::Q4_K: fallback = DType::Q5_0; break;
    case DType::Q5_K: fallback = DType::Q5_1; break;
    case DType::Q6_K: fallback = DType::Q8_0; break;
    default: break;
  }
  return ne0 % Traits(fallback).block_size == 0 ? fallback : DType::F16;
}

}  // namespace

std::span<const Preset> AllPresets() { return kPresets; }

const Preset* FindPreset(std::string_view name) {
  for (const Preset& p : kPresets) {
    if (EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

bool IsQuantizable(const TensorContext& t) {
  return t.n_dims >= 2 && EndsWith(t.name, "weight") && !Contains(t.name, "_norm.weight");
}

Status ChooseTensorType(const Preset& preset, const TensorContext& t, DType current, DType* out) {
  if (!IsQuantizable(t)) {
    *out = current;
    return Status::Ok();
  }
  if (!IsQuantizedType(preset.default_type)) {
    *out = preset.default_type;  // F32 / F16 / BF16: every matrix, no rules
    return Status::Ok();
  }
  const Role role = RoleOf(t.name);
  const int layer = LayerIndex(t.name);
  if ((role == Role::kAttnV || role == Role::kFfnDown) && (layer < 0 || layer >= t.n_layers)) {
    return Status::Error("tensor '%.*s': layer index not in [0, %d)", static_cast<int>(t.name.size()),
                         t.name.data(), t.n_layers);
  }
  *out = ShapeFallback(RuleType(preset, t, role, layer), t.ne0);
  return Status::Ok();
}

}  // namespace pipit::quant
