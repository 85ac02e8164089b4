// GGUF v3 writer. The header (metadata + tensor infos) is built in memory;
// tensor data is streamed after it one tensor at a time, so writing a large
// model needs no second copy of the weights.
#include "gguf/writer.h"

#include <cstring>

#include "platform/platform.h"

namespace pipit::gguf {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint64_t kDefaultAlignment = 32;

void PutBytes(std::vector<uint8_t>* out, const void* p, size_t n) {
  if (n == 0) return;
  size_t at = out->size();
  out->resize(at + n);
  std::memcpy(out->data() + at, p, n);
}
void PutU32(std::vector<uint8_t>* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU64(std::vector<uint8_t>* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutF32(std::vector<uint8_t>* out, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  PutU32(out, bits);
}
void PutString(std::vector<uint8_t>* out, const std::string& s) {
  PutU64(out, s.size());
  PutBytes(out, s.data(), s.size());
}
void PutType(std::vector<uint8_t>* out, ValueType t) { PutU32(out, static_cast<uint32_t>(t)); }

uint64_t AlignUp(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

}  // namespace

// Replaces an existing entry with the same key so the file never holds a
// duplicate (which the reader rejects).
static void StoreValue(std::vector<std::pair<std::string, std::vector<uint8_t>>>* kv, const std::string& key,
                       std::vector<uint8_t> encoded) {
  for (auto& entry : *kv) {
    if (entry.first == key) {
      entry.second = std::move(encoded);
      return;
    }
  }
  kv->emplace_back(key, std::move(encoded));
}

void Writer::SetU32(const std::string& key, uint32_t v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::UINT32);
  PutU32(&e, v);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetI32(const std::string& key, int32_t v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::INT32);
  PutU32(&e, static_cast<uint32_t>(v));
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetU64(const std::string& key, uint64_t v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::UINT64);
  PutU64(&e, v);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetF32(const std::string& key, float v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::FLOAT32);
  PutF32(&e, v);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetBool(const std::string& key, bool v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::BOOL);
  e.push_back(v ? 1 : 0);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetString(const std::string& key, const std::string& v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::STRING);
  PutString(&e, v);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetStringArray(const std::string& key, const std::vector<std::string>& v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::ARRAY);
  PutType(&e, ValueType::STRING);
  PutU64(&e, v.size());
  for (const std::string& s : v) PutString(&e, s);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetF32Array(const std::string& key, const std::vector<float>& v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::ARRAY);
  PutType(&e, ValueType::FLOAT32);
  PutU64(&e, v.size());
  for (float f : v) PutF32(&e, f);
  StoreValue(&kv_, key, std::move(e));
}

void Writer::SetI32Array(const std::string& key, const std::vector<int32_t>& v) {
  std::vector<uint8_t> e;
  PutType(&e, ValueType::ARRAY);
  PutType(&e, ValueType::INT32);
  PutU64(&e, v.size());
  for (int32_t x : v) PutU32(&e, static_cast<uint32_t>(x));
  StoreValue(&kv_, key, std::move(e));
}

// A Value's bytes [data, end) are the file's encoding minus the prefix that
// Parse consumed (string length, or array element type + count).
void Writer::CopyValue(const KeyValue& kv) {
  std::vector<uint8_t> e;
  PutType(&e, kv.value.type);
  if (kv.value.type == ValueType::STRING) {
    PutU64(&e, kv.value.count);
  } else if (kv.value.type == ValueType::ARRAY) {
    PutType(&e, kv.value.elem_type);
    PutU64(&e, kv.value.count);
  }
  PutBytes(&e, kv.value.data, static_cast<size_t>(kv.value.end - kv.value.data));
  StoreValue(&kv_, std::string(kv.key), std::move(e));
}

void Writer::AddTensor(const std::string& name, DType type, const std::vector<int64_t>& ne, const void* data,
                       size_t n_bytes) {
  Tensor t;
  t.name = name;
  t.type = type;
  t.ne = ne;
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  t.data.assign(bytes, bytes + n_bytes);
  tensors_.push_back(std::move(t));
}

// general.alignment when the caller set a valid one, else GGUF's default.
static uint64_t AlignmentOf(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& kv) {
  for (const auto& entry : kv) {
    const std::vector<uint8_t>& encoded = entry.second;
    if (entry.first != "general.alignment" || encoded.size() != 8) continue;
    auto load_u32 = [&encoded](size_t at) {
      return static_cast<uint32_t>(encoded[at] | (encoded[at + 1] << 8) | (encoded[at + 2] << 16) |
                                   (static_cast<uint32_t>(encoded[at + 3]) << 24));
    };
    uint32_t type = load_u32(0), value = load_u32(4);
    if (type == static_cast<uint32_t>(ValueType::UINT32) && value != 0 && (value & (value - 1)) == 0) return value;
  }
  return kDefaultAlignment;
}

// Everything before the data section, padded to the alignment. (A template
// so it can take Writer's private Tensor list.)
template <class Tensors>
static std::vector<uint8_t> BuildHeader(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& kv,
                                        const Tensors& tensors, uint64_t alignment) {
  std::vector<uint8_t> out;
  PutBytes(&out, "GGUF", 4);
  PutU32(&out, kVersion);
  PutU64(&out, tensors.size());
  PutU64(&out, kv.size());
  for (const auto& [key, encoded] : kv) {
    PutString(&out, key);
    PutBytes(&out, encoded.data(), encoded.size());
  }
  uint64_t offset = 0;  // relative to the data section
  for (const auto& t : tensors) {
    PutString(&out, t.name);
    PutU32(&out, static_cast<uint32_t>(t.ne.size()));
    for (int64_t n : t.ne) PutU64(&out, static_cast<uint64_t>(n));
    PutU32(&out, static_cast<uint32_t>(t.type));
    PutU64(&out, offset);
    offset = AlignUp(offset + t.data.size(), alignment);
  }
  out.resize(AlignUp(out.size(), alignment), 0);
  return out;
}

Status Writer::WriteFile(const std::string& path) const {
  uint64_t alignment = AlignmentOf(kv_);
  std::vector<uint8_t> header = BuildHeader(kv_, tensors_, alignment);

  platform::AtomicFileWriter file;
  PIPIT_TRY(file.Open(path));
  PIPIT_TRY(file.Write(header.data(), header.size()));
  static const uint8_t kZeros[256] = {};
  for (const Tensor& t : tensors_) {
    PIPIT_TRY(file.Write(t.data.data(), t.data.size()));
    size_t pad = static_cast<size_t>(AlignUp(t.data.size(), alignment) - t.data.size());
    while (pad > 0) {
      size_t n = pad < sizeof kZeros ? pad : sizeof kZeros;
      PIPIT_TRY(file.Write(kZeros, n));
      pad -= n;
    }
  }
  return file.Commit();
}

std::vector<uint8_t> Writer::Serialize() const {
  uint64_t alignment = AlignmentOf(kv_);
  std::vector<uint8_t> out = BuildHeader(kv_, tensors_, alignment);
  for (const Tensor& t : tensors_) {
    out.insert(out.end(), t.data.begin(), t.data.end());
    out.resize(AlignUp(out.size(), alignment), 0);
  }
  return out;
}

}  // namespace pipit::gguf
