// GGUF (versions 2 and 3) reader. The reader never trusts the file: every
// count, length, offset and size is checked against the bytes that are there
// before it is used, and a bad file yields one precise Status message naming
// the key or tensor and what was expected. Tensor data is not copied: each
// TensorInfo::data points into the caller's ByteSpan (an mmap or XIP flash).
//
// Layout (little-endian): magic "GGUF", u32 version, u64 n_tensors,
// u64 n_kv, n_kv x {string key, u32 type, value}, n_tensors x {string name,
// u32 n_dims, u64 ne[n_dims], u32 type, u64 offset}, padding to
// general.alignment (default 32), tensor data.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "platform/platform.h"
#include "quant/dtype.h"

namespace pipit::gguf {

namespace detail {
class Cursor;  // gguf/byte_cursor.h
}

enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5,
  FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11,
  FLOAT64 = 12,
};
const char* ValueTypeName(ValueType type);

// One metadata value. For scalars `data` points at the value; for strings
// at the bytes (length `count`); for arrays at the first element, with
// `elem_type` and `count` elements (nested arrays allowed).
struct Value {
  ValueType type;
  ValueType elem_type;   // arrays only
  uint64_t count;        // string length in bytes, or array element count
  const uint8_t* data;
  const uint8_t* end;    // one past the value's last byte
};

struct KeyValue {
  std::string_view key;
  Value value;
};

constexpr int kMaxDims = 4;

struct TensorInfo {
  std::string_view name;
  uint32_t n_dims;
  int64_t ne[kMaxDims];   // ne[0] is the row length (contiguous); unused dims are 1
  const DTypeTraits* dtype;
  uint64_t offset;        // relative to the start of the data section
  const uint8_t* data;    // points into the file
  uint64_t n_bytes;

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
};

class Reader {
 public:
  // Parses and validates the whole header. `file` must outlive the Reader.
  Status Parse(platform::ByteSpan file);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  const std::vector<KeyValue>& metadata() const { return kv_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }

  const KeyValue* Find(std::string_view key) const;
  const TensorInfo* FindTensor(std::string_view name) const;

  // Typed getters. A missing key or a value of the wrong type is an error
  // naming the key, the expected and the actual type. Integer getters accept
  // any integer type whose value fits.
  Status GetU32(std::string_view key, uint32_t* out) const;
  Status GetU64(std::string_view key, uint64_t* out) const;
  Status GetI32(std::string_view key, int32_t* out) const;
  Status GetF32(std::string_view key, float* out) const;  // FLOAT32 or FLOAT64
  Status GetBool(std::string_view key, bool* out) const;
  Status GetString(std::string_view key, std::string_view* out) const;
  // Arrays: element types must match (integers: any integer type that fits).
  Status GetStringArray(std::string_view key, std::vector<std::string_view>* out) const;
  Status GetF32Array(std::string_view key, std::vector<float>* out) const;
  Status GetI32Array(std::string_view key, std::vector<int32_t>* out) const;

  // Optional variants: leave *out unchanged and return Ok when the key is
  // missing; still an error when present with the wrong type.
  Status GetU32Opt(std::string_view key, uint32_t* out) const;
  Status GetF32Opt(std::string_view key, float* out) const;
  Status GetBoolOpt(std::string_view key, bool* out) const;
  Status GetStringOpt(std::string_view key, std::string_view* out) const;

 private:
  Status ParseUnprefixed(platform::ByteSpan file);
  Status ParseMetadata(detail::Cursor& cursor, uint64_t n_kv);
  Status ParseTensorInfos(detail::Cursor& cursor, uint64_t n_tensors);
  Status LocateTensorData(platform::ByteSpan file, size_t header_end);

  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> kv_index_;      // key -> index in kv_
  std::unordered_map<std::string_view, size_t> tensor_index_;  // name -> index in tensors_
};

}  // namespace pipit::gguf
