// GGUF agreement with llama.cpp's own gguf code (loaded with dlopen from the
// prebuilt libggml-base.so of @node-llama-cpp/linux-x64): files our writer
// makes load in llama.cpp with the same keys, tensors and offsets; metadata
// llama.cpp writes loads in our reader; and every truncation of the sample
// header is rejected by both. Skipped when the library is not installed.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "support/gguf_sample.h"

#ifndef PIPIT_SOURCE_DIR
#define PIPIT_SOURCE_DIR "."
#endif

namespace pipit::gguf {
namespace {

struct gguf_init_params {
  bool no_alloc;
  void** ctx;
};

// The few llama.cpp gguf functions the test calls.
struct LlamaGguf {
  void* (*init_from_buffer)(const void*, size_t, gguf_init_params);
  void* (*init_empty)();
  void (*free)(void*);
  uint32_t (*get_version)(const void*);
  size_t (*get_alignment)(const void*);
  size_t (*get_data_offset)(const void*);
  int64_t (*get_n_kv)(const void*);
  const char* (*get_key)(const void*, int64_t);
  int (*get_kv_type)(const void*, int64_t);
  int64_t (*get_n_tensors)(const void*);
  const char* (*get_tensor_name)(const void*, int64_t);
  size_t (*get_tensor_offset)(const void*, int64_t);
  int (*get_tensor_type)(const void*, int64_t);
  size_t (*get_tensor_size)(const void*, int64_t);
  uint32_t (*get_val_u32)(const void*, int64_t);
  void (*set_val_u8)(void*, const char*, uint8_t);
  void (*set_val_i16)(void*, const char*, int16_t);
  void (*set_val_i64)(void*, const char*, int64_t);
  void (*set_val_f64)(void*, const char*, double);
  void (*set_val_bool)(void*, const char*, bool);
  void (*set_val_str)(void*, const char*, const char*);
  void (*set_arr_data)(void*, const char*, int, const void*, size_t);
  void (*set_arr_str)(void*, const char*, const char**, size_t);
  size_t (*get_meta_size)(const void*);
  void (*get_meta_data)(const void*, void*);
  void (*log_set)(void (*)(int, const char*, void*), void*);

  static const LlamaGguf* Get(std::string* why) {
    static LlamaGguf lib;
    static std::string error;
    static bool loaded = [] {
      const char* env = std::getenv("PIPIT_GGML_LIB_DIR");
      std::string dir = env && *env ? env
                                    : std::string(PIPIT_SOURCE_DIR) +
                                          "/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64";
      void* h = dlopen((dir + "/libggml-base.so").c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        error = dlerror();
        return false;
      }
      bool ok = true;
      auto bind = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
        if (!fn) {
          error = std::string("missing symbol ") + name;
          ok = false;
        }
      };
      bind(lib.init_from_buffer, "gguf_init_from_buffer");
      bind(lib.init_empty, "gguf_init_empty");
      bind(lib.free, "gguf_free");
      bind(lib.get_version, "gguf_get_version");
      bind(lib.get_alignment, "gguf_get_alignment");
      bind(lib.get_data_offset, "gguf_get_data_offset");
      bind(lib.get_n_kv, "gguf_get_n_kv");
      bind(lib.get_key, "gguf_get_key");
      bind(lib.get_kv_type, "gguf_get_kv_type");
      bind(lib.get_n_tensors, "gguf_get_n_tensors");
      bind(lib.get_tensor_name, "gguf_get_tensor_name");
      bind(lib.get_tensor_offset, "gguf_get_tensor_offset");
      bind(lib.get_tensor_type, "gguf_get_tensor_type");
      bind(lib.get_tensor_size, "gguf_get_tensor_size");
      bind(lib.get_val_u32, "gguf_get_val_u32");
      bind(lib.set_val_u8, "gguf_set_val_u8");
      bind(lib.set_val_i16, "gguf_set_val_i16");
      bind(lib.set_val_i64, "gguf_set_val_i64");
      bind(lib.set_val_f64, "gguf_set_val_f64");
      bind(lib.set_val_bool, "gguf_set_val_bool");
      bind(lib.set_val_str, "gguf_set_val_str");
      bind(lib.set_arr_data, "gguf_set_arr_data");
      bind(lib.set_arr_str, "gguf_set_arr_str");
      bind(lib.get_meta_size, "gguf_get_meta_size");
      bind(lib.get_meta_data, "gguf_get_meta_data");
      bind(lib.log_set, "ggml_log_set");
      if (ok) lib.log_set([](int, const char*, void*) {}, nullptr);  // silence expected errors
      return ok;
    }();
    *why = error;
    return loaded ? &lib : nullptr;
  }
};

#define REQUIRE_LLAMA(lib)                                       \
  std::string why;                                               \
  const LlamaGguf* lib = LlamaGguf::Get(&why);                   \
  if (lib == nullptr) GTEST_SKIP() << "llama.cpp gguf: " << why

TEST(GgufLlamaParity, LlamaCppReadsOurFilesTheSameWay) {
  REQUIRE_LLAMA(lib);
  std::vector<uint8_t> file = test::MakeSampleGguf();
  Reader ours;
  ASSERT_TRUE(ours.Parse({file.data(), file.size()}).ok());
  void* ctx = lib->init_from_buffer(file.data(), file.size(), {true, nullptr});
  ASSERT_NE(ctx, nullptr) << "llama.cpp rejected our writer's file";
  EXPECT_EQ(lib->get_version(ctx), ours.version());
  EXPECT_EQ(lib->get_alignment(ctx), ours.alignment());
  ASSERT_EQ(lib->get_n_kv(ctx), static_cast<int64_t>(ours.metadata().size()));
  for (size_t i = 0; i < ours.metadata().size(); ++i) {
    EXPECT_EQ(std::string(lib->get_key(ctx, i)), ours.metadata()[i].key);
    EXPECT_EQ(lib->get_kv_type(ctx, i), static_cast<int>(ours.metadata()[i].value.type));
  }
  ASSERT_EQ(lib->get_n_tensors(ctx), static_cast<int64_t>(ours.tensors().size()));
  for (size_t i = 0; i < ours.tensors().size(); ++i) {
    const TensorInfo& t = ours.tensors()[i];
    EXPECT_EQ(std::string(lib->get_tensor_name(ctx, i)), t.name);
    EXPECT_EQ(lib->get_tensor_type(ctx, i), static_cast<int>(t.dtype->type));
    EXPECT_EQ(lib->get_tensor_size(ctx, i), t.n_bytes);
    // Absolute position of the data in the file must agree.
    EXPECT_EQ(lib->get_data_offset(ctx) + lib->get_tensor_offset(ctx, i),
              static_cast<size_t>(t.data - file.data()));
  }
  lib->free(ctx);
}

TEST(GgufLlamaParity, WeReadLlamaCppMetadata) {
  REQUIRE_LLAMA(lib);
  void* ctx = lib->init_empty();
  lib->set_val_u8(ctx, "a.u8", 250);
  lib->set_val_i16(ctx, "a.i16", -1234);
  lib->set_val_i64(ctx, "a.i64", -5000000000ll);
  lib->set_val_f64(ctx, "a.f64", 2.5);
  lib->set_val_bool(ctx, "a.bool", true);
  lib->set_val_str(ctx, "a.str", "llama");
  const int32_t ints[] = {3, -4, 5};
  lib->set_arr_data(ctx, "a.i32s", /*GGUF_TYPE_INT32*/ 5, ints, 3);
  const char* strs[] = {"x", "", "zz"};
  lib->set_arr_str(ctx, "a.strs", strs, 3);
  std::vector<uint8_t> meta(lib->get_meta_size(ctx));
  lib->get_meta_data(ctx, meta.data());
  lib->free(ctx);

  Reader r;
  Status s = r.Parse({meta.data(), meta.size()});
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(r.metadata().size(), 8u);
  uint32_t u32;
  ASSERT_TRUE(r.GetU32("a.u8", &u32).ok());
  EXPECT_EQ(u32, 250u);
  int32_t i32;
  ASSERT_TRUE(r.GetI32("a.i16", &i32).ok());
  EXPECT_EQ(i32, -1234);
  EXPECT_FALSE(r.GetI32("a.i64", &i32).ok());
  EXPECT_EQ(r.Find("a.i64")->value.type, ValueType::INT64);
  float f;
  ASSERT_TRUE(r.GetF32("a.f64", &f).ok());
  EXPECT_EQ(f, 2.5f);
  bool b;
  ASSERT_TRUE(r.GetBool("a.bool", &b).ok());
  EXPECT_TRUE(b);
  std::string_view sv;
  ASSERT_TRUE(r.GetString("a.str", &sv).ok());
  EXPECT_EQ(sv, "llama");
  std::vector<int32_t> iv;
  ASSERT_TRUE(r.GetI32Array("a.i32s", &iv).ok());
  EXPECT_EQ(iv, (std::vector<int32_t>{3, -4, 5}));
  std::vector<std::string_view> sa;
  ASSERT_TRUE(r.GetStringArray("a.strs", &sa).ok());
  EXPECT_EQ(sa, (std::vector<std::string_view>{"x", "", "zz"}));
}

TEST(GgufLlamaParity, BothRejectEveryTruncation) {
  REQUIRE_LLAMA(lib);
  std::vector<uint8_t> file = test::MakeSampleGguf();
  void* full = lib->init_from_buffer(file.data(), file.size(), {true, nullptr});
  ASSERT_NE(full, nullptr);
  size_t data_offset = lib->get_data_offset(full);
  lib->free(full);
  for (size_t n = 0; n < file.size(); ++n) {
    Reader ours;
    EXPECT_FALSE(ours.Parse({file.data(), n}).ok()) << n;
    // llama.cpp's gguf layer reads only the header; its model loader checks
    // the data bounds later. Our reader checks both at once.
    if (n >= data_offset) continue;
    void* ctx = lib->init_from_buffer(file.data(), n, {true, nullptr});
    EXPECT_EQ(ctx, nullptr) << "llama.cpp accepted a file truncated to " << n << " bytes";
    if (ctx) lib->free(ctx);
  }
}

}  // namespace
}  // namespace pipit::gguf
