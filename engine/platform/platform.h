// The engine's whole view of the operating system. Everything that touches
// files, clocks, threads or memory statistics is declared here and
// implemented once per platform: platform/posix/ (Linux, macOS) and
// platform/baremetal/ (microcontrollers: the "file" is a span of XIP flash).
// No other engine file may include an OS header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace pipit::platform {

// A read-only view of bytes: a memory-mapped file or a region of flash.
struct ByteSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// A read-only, memory-mapped file. Weights point straight into the mapping,
// so they stay file-backed pages the OS can drop and re-read.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // kReadOften: the bytes are read again and again (model weights, once per
  // token), so map them in 2 MiB pages where the OS can; see files_posix.cpp.
  enum class Use { kReadOnce, kReadOften };
  Status Open(const std::string& path, Use use = Use::kReadOnce);
  ByteSpan bytes() const { return bytes_; }

 private:
  ByteSpan bytes_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
};

// Writes a file atomically: data goes to "path.tmp.<pid>", is flushed, then
// renamed over `path`. Readers never see a half-written file.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();  // abandons (deletes) the temp file unless committed
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  Status Open(const std::string& path);
  Status Write(const void* data, size_t size);
  Status Commit();

 private:
  std::string path_;
  std::string temp_path_;
  void* file_ = nullptr;  // FILE*
};

// Reads a whole (small) file into memory.
Status ReadFile(const std::string& path, std::vector<uint8_t>* out);

// Monotonic clock in seconds.
double NowSeconds();

// Resident memory of this process, split into anonymous (heap, KV cache) and
// file-backed (mapped weights) bytes. Zero where the platform can't tell.
struct MemoryUsage {
  size_t anon_bytes = 0;
  size_t file_bytes = 0;
  size_t file_huge_bytes = 0;  // of file_bytes, mapped in 2 MiB pages (Linux)
};
MemoryUsage ProcessMemory();

// Number of hardware threads (1 on bare metal).
int HardwareThreads();

// Whether this 64-bit ARM CPU has the Armv8.2 dot-product instructions
// (SDOT/UDOT). Only the aarch64 kernel dispatch asks; false elsewhere.
bool CpuHasArmDotProd();

}  // namespace pipit::platform
