// libFuzzer target for the GGUF reader: parse arbitrary bytes, then touch
// every tensor's first and last data byte and read every metadata value
// through every typed getter. Any out-of-bounds read is a sanitizer crash.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gguf/gguf.h"

namespace {

volatile uint8_t g_sink;

void TouchMetadata(const pipit::gguf::Reader& r, std::string_view key) {
  uint32_t u32;
  uint64_t u64;
  int32_t i32;
  float f32;
  bool b;
  std::string_view s;
  std::vector<std::string_view> strings;
  std::vector<float> floats;
  std::vector<int32_t> ints;
  (void)r.GetU32(key, &u32);
  (void)r.GetU64(key, &u64);
  (void)r.GetI32(key, &i32);
  (void)r.GetF32(key, &f32);
  (void)r.GetBool(key, &b);
  if (r.GetString(key, &s).ok() && !s.empty()) g_sink = static_cast<uint8_t>(s.front() ^ s.back());
  if (r.GetStringArray(key, &strings).ok()) {
    for (std::string_view e : strings) {
      if (!e.empty()) g_sink = static_cast<uint8_t>(e.front() ^ e.back());
    }
  }
  (void)r.GetF32Array(key, &floats);
  (void)r.GetI32Array(key, &ints);
  (void)r.GetU32Opt(key, &u32);
  (void)r.GetF32Opt(key, &f32);
  (void)r.GetBoolOpt(key, &b);
  (void)r.GetStringOpt(key, &s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into an exactly-sized heap buffer so ASan sees any read past the end.
  std::vector<uint8_t> file(data, data + size);
  pipit::gguf::Reader reader;
  if (!reader.Parse({file.data(), file.size()}).ok()) return 0;
  for (const pipit::gguf::KeyValue& kv : reader.metadata()) {
    if (kv.value.end > kv.value.data) g_sink = kv.value.data[0] ^ kv.value.end[-1];
    TouchMetadata(reader, kv.key);
  }
  for (const pipit::gguf::TensorInfo& t : reader.tensors()) {
    if (reader.FindTensor(t.name) != &t) __builtin_trap();
    if (t.n_bytes > 0) g_sink = t.data[0] ^ t.data[t.n_bytes - 1];
  }
  return 0;
}
