// Typed access to GGUF metadata. Values were bounds-checked by Parse, so the
// getters only check types: a missing key or a value of the wrong type is an
// error naming the key, the expected and the actual type.
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "gguf/byte_cursor.h"
#include "gguf/gguf.h"

namespace pipit::gguf {
namespace {

using detail::LoadF32;
using detail::LoadF64;
using detail::LoadU16;
using detail::LoadU32;
using detail::LoadU64;
using detail::Printable;

bool IsInteger(ValueType t) {
  switch (t) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::UINT16: case ValueType::INT16:
    case ValueType::UINT32: case ValueType::INT32: case ValueType::UINT64: case ValueType::INT64:
      return true;
    default:
      return false;
  }
}

// An integer of any GGUF integer type, held without loss.
struct Integer {
  bool is_signed;
  int64_t s;
  uint64_t u;
};

Integer LoadInteger(const uint8_t* p, ValueType t) {
  switch (t) {
    case ValueType::UINT8: return {false, 0, p[0]};
    case ValueType::INT8: return {true, static_cast<int8_t>(p[0]), 0};
    case ValueType::UINT16: return {false, 0, LoadU16(p)};
    case ValueType::INT16: return {true, static_cast<int16_t>(LoadU16(p)), 0};
    case ValueType::UINT32: return {false, 0, LoadU32(p)};
    case ValueType::INT32: return {true, static_cast<int32_t>(LoadU32(p)), 0};
    case ValueType::UINT64: return {false, 0, LoadU64(p)};
    default: return {true, static_cast<int64_t>(LoadU64(p)), 0};  // INT64
  }
}

template <class T>
bool Fits(const Integer& v, T* out) {
  if (v.is_signed) {
    if (!std::in_range<T>(v.s)) return false;
    *out = static_cast<T>(v.s);
  } else {
    if (!std::in_range<T>(v.u)) return false;
    *out = static_cast<T>(v.u);
  }
  return true;
}

std::string IntegerText(const Integer& v) {
  char buf[32];
  if (v.is_signed) {
    std::snprintf(buf, sizeof buf, "%" PRId64, v.s);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRIu64, v.u);
  }
  return buf;
}

int ElementSize(ValueType t) { return detail::FixedSize(static_cast<uint32_t>(t)); }

Status Missing(std::string_view key) { return Status::Error("gguf: missing metadata key '%s'", Printable(key).c_str()); }

Status WrongType(std::string_view key, const char* expected, const Value& v) {
  if (v.type == ValueType::ARRAY) {
    return Status::Error("gguf: metadata key '%s': expected %s, found an ARRAY of %s", Printable(key).c_str(), expected,
                         ValueTypeName(v.elem_type));
  }
  return Status::Error("gguf: metadata key '%s': expected %s, found %s", Printable(key).c_str(), expected,
                       ValueTypeName(v.type));
}

template <class T>
Status GetInteger(const Reader& r, std::string_view key, const char* expected, T* out) {
  const KeyValue* kv = r.Find(key);
  if (kv == nullptr) return Missing(key);
  if (!IsInteger(kv->value.type)) return WrongType(key, expected, kv->value);
  Integer v = LoadInteger(kv->value.data, kv->value.type);
  if (!Fits(v, out)) {
    return Status::Error("gguf: metadata key '%s': value %s (%s) does not fit in %s", Printable(key).c_str(),
                         IntegerText(v).c_str(), ValueTypeName(kv->value.type), expected);
  }
  return Status::Ok();
}

// Finds an array under `key`; errors name `expected` ("an array of FLOAT32").
Status FindArray(const Reader& r, std::string_view key, const char* expected, const Value** out) {
  const KeyValue* kv = r.Find(key);
  if (kv == nullptr) return Missing(key);
  if (kv->value.type != ValueType::ARRAY) return WrongType(key, expected, kv->value);
  *out = &kv->value;
  return Status::Ok();
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::UINT8: return "UINT8";
    case ValueType::INT8: return "INT8";
    case ValueType::UINT16: return "UINT16";
    case ValueType::INT16: return "INT16";
    case ValueType::UINT32: return "UINT32";
    case ValueType::INT32: return "INT32";
    case ValueType::FLOAT32: return "FLOAT32";
    case ValueType::BOOL: return "BOOL";
    case ValueType::STRING: return "STRING";
    case ValueType::ARRAY: return "ARRAY";
    case ValueType::UINT64: return "UINT64";
    case ValueType::INT64: return "INT64";
    case ValueType::FLOAT64: return "FLOAT64";
  }
  return "UNKNOWN";
}

Status Reader::GetU32(std::string_view key, uint32_t* out) const { return GetInteger(*this, key, "UINT32", out); }
Status Reader::GetU64(std::string_view key, uint64_t* out) const { return GetInteger(*this, key, "UINT64", out); }
Status Reader::GetI32(std::string_view key, int32_t* out) const { return GetInteger(*this, key, "INT32", out); }

Status Reader::GetF32(std::string_view key, float* out) const {
  const KeyValue* kv = Find(key);
  if (kv == nullptr) return Missing(key);
  if (kv->value.type == ValueType::FLOAT32) {
    *out = LoadF32(kv->value.data);
  } else if (kv->value.type == ValueType::FLOAT64) {
    *out = static_cast<float>(LoadF64(kv->value.data));
  } else {
    return WrongType(key, "FLOAT32", kv->value);
  }
  return Status::Ok();
}

Status Reader::GetBool(std::string_view key, bool* out) const {
  const KeyValue* kv = Find(key);
  if (kv == nullptr) return Missing(key);
  if (kv->value.type != ValueType::BOOL) return WrongType(key, "BOOL", kv->value);
  *out = kv->value.data[0] != 0;
  return Status::Ok();
}

Status Reader::GetString(std::string_view key, std::string_view* out) const {
  const KeyValue* kv = Find(key);
  if (kv == nullptr) return Missing(key);
  if (kv->value.type != ValueType::STRING) return WrongType(key, "STRING", kv->value);
  *out = std::string_view(reinterpret_cast<const char*>(kv->value.data), static_cast<size_t>(kv->value.count));
  return Status::Ok();
}

Status Reader::GetStringArray(std::string_view key, std::vector<std::string_view>* out) const {
  const Value* v = nullptr;
  PIPIT_TRY(FindArray(*this, key, "an ARRAY of STRING", &v));
  if (v->elem_type != ValueType::STRING) return WrongType(key, "an ARRAY of STRING", *v);
  out->clear();
  out->reserve(static_cast<size_t>(v->count));
  // Parse checked every length prefix, so the walk stays inside [data, end).
  const uint8_t* p = v->data;
  for (uint64_t i = 0; i < v->count; ++i) {
    uint64_t len = LoadU64(p);
    out->emplace_back(reinterpret_cast<const char*>(p + 8), static_cast<size_t>(len));
    p += 8 + len;
  }
  return Status::Ok();
}

Status Reader::GetF32Array(std::string_view key, std::vector<float>* out) const {
  const Value* v = nullptr;
  PIPIT_TRY(FindArray(*this, key, "an ARRAY of FLOAT32", &v));
  if (v->elem_type != ValueType::FLOAT32 && v->elem_type != ValueType::FLOAT64) {
    return WrongType(key, "an ARRAY of FLOAT32", *v);
  }
  out->resize(static_cast<size_t>(v->count));
  int size = ElementSize(v->elem_type);
  for (uint64_t i = 0; i < v->count; ++i) {
    const uint8_t* p = v->data + i * size;
    (*out)[i] = v->elem_type == ValueType::FLOAT32 ? LoadF32(p) : static_cast<float>(LoadF64(p));
  }
  return Status::Ok();
}

Status Reader::GetI32Array(std::string_view key, std::vector<int32_t>* out) const {
  const Value* v = nullptr;
  PIPIT_TRY(FindArray(*this, key, "an ARRAY of INT32", &v));
  if (!IsInteger(v->elem_type)) return WrongType(key, "an ARRAY of INT32", *v);
  out->resize(static_cast<size_t>(v->count));
  int size = ElementSize(v->elem_type);
  for (uint64_t i = 0; i < v->count; ++i) {
    Integer x = LoadInteger(v->data + i * size, v->elem_type);
    if (!Fits(x, &(*out)[i])) {
      out->clear();
      return Status::Error("gguf: metadata key '%s': element #%llu = %s (%s) does not fit in INT32",
                           Printable(key).c_str(), static_cast<unsigned long long>(i), IntegerText(x).c_str(),
                           ValueTypeName(v->elem_type));
    }
  }
  return Status::Ok();
}

Status Reader::GetU32Opt(std::string_view key, uint32_t* out) const {
  return Find(key) == nullptr ? Status::Ok() : GetU32(key, out);
}
Status Reader::GetF32Opt(std::string_view key, float* out) const {
  return Find(key) == nullptr ? Status::Ok() : GetF32(key, out);
}
Status Reader::GetBoolOpt(std::string_view key, bool* out) const {
  return Find(key) == nullptr ? Status::Ok() : GetBool(key, out);
}
Status Reader::GetStringOpt(std::string_view key, std::string_view* out) const {
  return Find(key) == nullptr ? Status::Ok() : GetString(key, out);
}

}  // namespace pipit::gguf
