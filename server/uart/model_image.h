// The model as it sits in flash: a 32-byte header, then the GGUF file. The
// header lets the firmware tell "no model flashed" (erased flash reads 0xff)
// and "model half-flashed" (checksum) apart from a GGUF error. Written by
// server/uart/tools/pack_model.py; the layout is little-endian:
//
//   0  char[8]  magic "PIPITMDL"
//   8  u32      version (1)
//  12  u32      header size (32)
//  16  u32      GGUF size in bytes
//  20  u32      FNV-1a 32 of the GGUF bytes
//  24  u32[2]   zero
//
// The GGUF starts 32 bytes after the (4 KB-aligned) image start, so its
// 32-byte tensor alignment holds in flash too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "platform/platform.h"

namespace pipit::uart {

constexpr size_t kModelImageHeaderSize = 32;

// Finds the GGUF inside a model image at `region` (`region_size` bytes up to
// the end of flash). Errors say what is wrong in words a user can act on.
Status FindModelInImage(const uint8_t* region, size_t region_size, platform::ByteSpan* gguf);

// FNV-1a 32 (offset basis 2166136261, prime 16777619).
uint32_t Fnv1a32(const uint8_t* data, size_t size);

}  // namespace pipit::uart
