// Loads llama.cpp's ggml libraries with dlopen and exposes their reference
// quantization functions. We load the baseline "x64" CPU variant: it is built
// for plain SSE2, so ggml's vector functions (ggml_vec_dot_f16, ...) take
// their scalar paths, the same arithmetic as our reference code.
#include "support/ggml_oracle.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#ifndef PIPIT_SOURCE_DIR
#define PIPIT_SOURCE_DIR "."
#endif

namespace pipit::test {
namespace {

// ggml's C types (ggml.h / ggml-cpu.h), declared here so that no ggml header
// is needed.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
using VecDotFn = void (*)(int n, float* s, size_t bs, const void* x, size_t bx, const void* y, size_t by,
                          int nrc);
using InitFn = void (*)();

struct GgmlTypeTraits {  // struct ggml_type_traits
  const char* type_name;
  int64_t blck_size;
  int64_t blck_size_interleave;
  size_t type_size;
  bool is_quantized;
  ToFloatFn to_float;
  FromFloatFn from_float_ref;
};
struct GgmlTypeTraitsCpu {  // struct ggml_type_traits_cpu
  FromFloatFn from_float;
  VecDotFn vec_dot;
  int vec_dot_type;  // enum ggml_type
  int64_t nrows;
};
using GetTraitsFn = const GgmlTypeTraits* (*)(int type);
using GetTraitsCpuFn = const GgmlTypeTraitsCpu* (*)(int type);

constexpr DType kAllTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                               DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q8_1, DType::Q2_K,
                               DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_K};

// Type names as they appear in ggml's symbols (capital K for k-quants).
const char* GgmlSymbolName(uint32_t raw_type) {
  switch (static_cast<DType>(raw_type)) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::BF16: return "bf16";
    case DType::Q4_0: return "q4_0";
    case DType::Q4_1: return "q4_1";
    case DType::Q5_0: return "q5_0";
    case DType::Q5_1: return "q5_1";
    case DType::Q8_0: return "q8_0";
    case DType::Q8_1: return "q8_1";
    case DType::Q2_K: return "q2_K";
    case DType::Q3_K: return "q3_K";
    case DType::Q4_K: return "q4_K";
    case DType::Q5_K: return "q5_K";
    case DType::Q6_K: return "q6_K";
    case DType::Q8_K: return "q8_K";
  }
  return nullptr;
}

constexpr uint32_t kMaxType = 64;  // DType ids are below this

// F32 rows are plain copies; ggml has no row function for them.
void CopyToF32(const void* src, float* dst, int64_t n) { std::memcpy(dst, src, static_cast<size_t>(n) * 4); }
void CopyFromF32(const float* src, void* dst, int64_t n) { std::memcpy(dst, src, static_cast<size_t>(n) * 4); }

std::string g_load_error;

}  // namespace

struct GgmlOracle::Impl {
  void* base = nullptr;
  void* cpu = nullptr;
  GetTraitsFn get_traits = nullptr;
  GetTraitsCpuFn get_traits_cpu = nullptr;
  ToFloatFn dequantize[kMaxType] = {};
  FromFloatFn quantize_ref[kMaxType] = {};
  VecDotFn dot[kMaxType] = {};
};

namespace {

void* Sym(void* lib, const std::string& name) { return dlsym(lib, name.c_str()); }

GgmlOracle::Impl* Load() {
  std::string dir;
  if (const char* env = std::getenv("PIPIT_GGML_LIB_DIR"); env && *env) {
    dir = env;
  } else {
    dir = std::string(PIPIT_SOURCE_DIR) + "/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64";
  }
  const std::string fix =
      " -- the llama.cpp oracle comes from the npm package @node-llama-cpp/linux-x64: run `npm ci` in the "
      "repository root, or set PIPIT_GGML_LIB_DIR to a directory holding libggml-base.so and "
      "libggml-cpu-x64.so";

  auto* impl = new GgmlOracle::Impl;
  auto fail = [&](const std::string& why) -> GgmlOracle::Impl* {
    g_load_error = why + fix;
    delete impl;
    return nullptr;
  };
  const std::string base_path = dir + "/libggml-base.so";
  impl->base = dlopen(base_path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!impl->base) return fail("cannot load " + base_path + ": " + dlerror());
  // libggml-cpu-x64.so lists libggml-base.so as NEEDED; that resolves to the
  // copy loaded globally above (it also has RUNPATH $ORIGIN).
  const std::string cpu_path = dir + "/libggml-cpu-x64.so";
  impl->cpu = dlopen(cpu_path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!impl->cpu) return fail("cannot load " + cpu_path + ": " + dlerror());

  // ggml_cpu_init fills ggml_table_f32_f16, through which the scalar CPU
  // paths read every half (block scales included): without it they read 0.
  auto init = reinterpret_cast<InitFn>(Sym(impl->cpu, "ggml_cpu_init"));
  impl->get_traits = reinterpret_cast<GetTraitsFn>(Sym(impl->base, "ggml_get_type_traits"));
  impl->get_traits_cpu = reinterpret_cast<GetTraitsCpuFn>(Sym(impl->cpu, "ggml_get_type_traits_cpu"));
  if (!init || !impl->get_traits || !impl->get_traits_cpu) {
    return fail("the ggml libraries in " + dir +
                " lack ggml_cpu_init / ggml_get_type_traits / ggml_get_type_traits_cpu");
  }
  init();

  std::string missing;
  auto resolve = [&](void* lib, const std::string& symbol) {
    void* p = Sym(lib, symbol);
    if (!p) missing += " " + symbol;
    return p;
  };
  for (DType type : kAllTypes) {
    const uint32_t id = static_cast<uint32_t>(type);
    const std::string name = GgmlSymbolName(id);
    switch (type) {
      case DType::F32:
        impl->dequantize[id] = CopyToF32;
        impl->quantize_ref[id] = CopyFromF32;
        break;
      case DType::F16:
        impl->dequantize[id] = reinterpret_cast<ToFloatFn>(resolve(impl->base, "ggml_fp16_to_fp32_row"));
        impl->quantize_ref[id] = reinterpret_cast<FromFloatFn>(resolve(impl->base, "ggml_fp32_to_fp16_row"));
        break;
      case DType::BF16:
        impl->dequantize[id] = reinterpret_cast<ToFloatFn>(resolve(impl->base, "ggml_bf16_to_fp32_row"));
        impl->quantize_ref[id] =
            reinterpret_cast<FromFloatFn>(resolve(impl->base, "ggml_fp32_to_bf16_row_ref"));
        break;
      case DType::Q8_1:
        // ggml never dequantizes Q8_1 (an activation-only type).
        impl->quantize_ref[id] = reinterpret_cast<FromFloatFn>(resolve(impl->base, "quantize_row_q8_1_ref"));
        break;
      default:
        impl->dequantize[id] = reinterpret_cast<ToFloatFn>(resolve(impl->base, "dequantize_row_" + name));
        impl->quantize_ref[id] =
            reinterpret_cast<FromFloatFn>(resolve(impl->base, "quantize_row_" + name + "_ref"));
        break;
    }
    // The dot partner is ggml's vec_dot_type, not ours, so a mismatch in our
    // traits table shows up as a test failure rather than being mirrored.
    const GgmlTypeTraitsCpu* cpu_traits = impl->get_traits_cpu(static_cast<int>(id));
    if (type == DType::Q8_1 || type == DType::Q8_K || !cpu_traits) continue;  // no dot of their own
    if (type == DType::F32 || type == DType::F16 || type == DType::BF16) {
      // The x64 variant is built without SIMD: these are ggml's scalar loops.
      impl->dot[id] = reinterpret_cast<VecDotFn>(resolve(impl->cpu, "ggml_vec_dot_" + name));
    } else {
      const char* dot_name = GgmlSymbolName(static_cast<uint32_t>(cpu_traits->vec_dot_type));
      if (!dot_name) {
        missing += " (dot type of " + name + ")";
        continue;
      }
      impl->dot[id] = reinterpret_cast<VecDotFn>(
          resolve(impl->cpu, "ggml_vec_dot_" + name + "_" + dot_name + "_generic"));
    }
  }
  if (!missing.empty()) std::fprintf(stderr, "ggml oracle: symbols not found:%s\n", missing.c_str());
  return impl;
}

bool ValidType(DType type) { return static_cast<uint32_t>(type) < kMaxType; }

}  // namespace

GgmlOracle* GgmlOracle::Get() {
  static std::once_flag once;
  static GgmlOracle oracle;
  static GgmlOracle* instance = nullptr;
  std::call_once(once, [] {
    oracle.impl_ = Load();
    if (oracle.impl_) instance = &oracle;
  });
  return instance;
}

const std::string& GgmlOracle::LoadError() {
  Get();
  return g_load_error;
}

bool GgmlOracle::Dequantize(DType type, const void* src, float* dst, int64_t n) const {
  if (!ValidType(type) || !impl_->dequantize[static_cast<uint32_t>(type)]) return false;
  impl_->dequantize[static_cast<uint32_t>(type)](src, dst, n);
  return true;
}

bool GgmlOracle::QuantizeRef(DType type, const float* src, void* dst, int64_t n) const {
  if (!ValidType(type) || !impl_->quantize_ref[static_cast<uint32_t>(type)]) return false;
  impl_->quantize_ref[static_cast<uint32_t>(type)](src, dst, n);
  return true;
}

bool GgmlOracle::Dot(DType type, const void* row, const void* act, int64_t n, float* out) const {
  if (!ValidType(type) || !impl_->dot[static_cast<uint32_t>(type)]) return false;
  impl_->dot[static_cast<uint32_t>(type)](static_cast<int>(n), out, 0, row, 0, act, 0, 1);
  return true;
}

bool GgmlOracle::Info(DType type, TypeInfo* out) const {
  const GgmlTypeTraits* t = impl_->get_traits(static_cast<int>(type));
  const GgmlTypeTraitsCpu* c = impl_->get_traits_cpu(static_cast<int>(type));
  if (!t || !t->type_name) return false;
  out->name = t->type_name;
  out->block_size = t->blck_size;
  out->block_bytes = static_cast<int64_t>(t->type_size);
  // Activation-only types (Q8_1, Q8_K) have no vec_dot; ggml leaves their
  // vec_dot_type unset or pointing at themselves. Report the type itself.
  out->dot_type = c && c->vec_dot ? static_cast<uint32_t>(c->vec_dot_type) : static_cast<uint32_t>(type);
  return true;
}

}  // namespace pipit::test
