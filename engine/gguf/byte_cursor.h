// Internal to gguf/: a bounds-checked little-endian cursor over untrusted
// bytes, and helpers shared by the reader and the typed getters.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "core/status.h"
#include "gguf/gguf.h"

namespace pipit::gguf::detail {

// Little-endian loads that work on any host and any alignment.
inline uint16_t LoadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t LoadU64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadU32(p)) | (static_cast<uint64_t>(LoadU32(p + 4)) << 32);
}
inline float LoadF32(const uint8_t* p) {
  uint32_t bits = LoadU32(p);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline double LoadF64(const uint8_t* p) {
  uint64_t bits = LoadU64(p);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// Size in bytes of a fixed-size value type; 0 for STRING and ARRAY; -1 when
// `raw` is not a GGUF type at all.
inline int FixedSize(uint32_t raw) {
  switch (raw) {
    case 0: case 1: case 7: return 1;           // UINT8 INT8 BOOL
    case 2: case 3: return 2;                   // UINT16 INT16
    case 4: case 5: case 6: return 4;           // UINT32 INT32 FLOAT32
    case 10: case 11: case 12: return 8;        // UINT64 INT64 FLOAT64
    case 8: case 9: return 0;                   // STRING ARRAY
    default: return -1;
  }
}

// A name from the file made safe for a one-line error message: control and
// non-ASCII bytes become \xNN, long names are cut.
inline std::string Printable(std::string_view s) {
  constexpr size_t kMax = 96;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

class Cursor {
 public:
  Cursor(const uint8_t* begin, size_t size) : begin_(begin), size_(size) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  size_t size() const { return size_; }
  const uint8_t* here() const { return begin_ + pos_; }

  // Takes `n` bytes or fails naming `what` ("the tensor count").
  Status Take(uint64_t n, const char* what, const uint8_t** out) {
    if (n > remaining()) {
      return Status::Error("file is truncated: expected %llu bytes for %s at offset %zu, file has %zu bytes",
                           static_cast<unsigned long long>(n), what, pos_, size_);
    }
    *out = begin_ + pos_;
    pos_ += static_cast<size_t>(n);
    return Status::Ok();
  }
  Status U32(const char* what, uint32_t* out) {
    const uint8_t* p = nullptr;
    PIPIT_TRY(Take(4, what, &p));
    *out = LoadU32(p);
    return Status::Ok();
  }
  Status U64(const char* what, uint64_t* out) {
    const uint8_t* p = nullptr;
    PIPIT_TRY(Take(8, what, &p));
    *out = LoadU64(p);
    return Status::Ok();
  }
  // A GGUF string: u64 length, then that many bytes (no terminator).
  Status String(const char* what, std::string_view* out) {
    if (remaining() < 8) {
      return Status::Error("file is truncated: expected 8 bytes for the length of %s at offset %zu, file has %zu bytes",
                           what, pos_, size_);
    }
    uint64_t len = LoadU64(here());
    pos_ += 8;
    if (len > remaining()) {
      return Status::Error("%s claims %llu bytes at offset %zu but only %zu bytes are left", what,
                           static_cast<unsigned long long>(len), pos_, remaining());
    }
    const uint8_t* p = nullptr;
    PIPIT_TRY(Take(len, what, &p));
    *out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    return Status::Ok();
  }

 private:
  const uint8_t* begin_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace pipit::gguf::detail
