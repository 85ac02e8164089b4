#include "model_image.h"

#include <cstring>

namespace pipit::uart {
namespace {

uint32_t ReadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

uint32_t Fnv1a32(const uint8_t* data, size_t size) {
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 16777619u;
  }
  return hash;
}

Status FindModelInImage(const uint8_t* region, size_t region_size, platform::ByteSpan* gguf) {
  *gguf = platform::ByteSpan{};
  if (region_size < kModelImageHeaderSize) return Status::Error("no model: the model region is too small");
  if (std::memcmp(region, "PIPITMDL", 8) != 0) {
    bool erased = true;
    for (size_t i = 0; i < kModelImageHeaderSize; ++i) erased = erased && region[i] == 0xff;
    if (erased) return Status::Error("no model in flash (the model region is erased): flash a model image");
    return Status::Error("no model in flash (no PIPITMDL header at the model address): flash a model image");
  }
  const uint32_t version = ReadU32(region + 8);
  const uint32_t header_size = ReadU32(region + 12);
  const uint32_t size = ReadU32(region + 16);
  const uint32_t checksum = ReadU32(region + 20);
  if (version != 1 || header_size != kModelImageHeaderSize) {
    return Status::Error("model image version %u (header %u bytes) is not supported (want 1, 32)",
                         static_cast<unsigned>(version), static_cast<unsigned>(header_size));
  }
  if (size > region_size - kModelImageHeaderSize) {
    return Status::Error("model image claims %u bytes but only %u fit in flash after the header",
                         static_cast<unsigned>(size), static_cast<unsigned>(region_size - kModelImageHeaderSize));
  }
  const uint8_t* data = region + kModelImageHeaderSize;
  const uint32_t actual = Fnv1a32(data, size);
  if (actual != checksum) {
    return Status::Error("model image checksum mismatch (%08x, header says %08x): flash the model again",
                         static_cast<unsigned>(actual), static_cast<unsigned>(checksum));
  }
  *gguf = platform::ByteSpan{data, size};
  return Status::Ok();
}

}  // namespace pipit::uart
