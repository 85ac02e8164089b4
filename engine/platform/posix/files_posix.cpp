// POSIX file access: read-only memory mapping, atomic writes, whole-file
// reads. Every error names the path and the OS reason (strerror).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "platform/platform.h"

namespace pipit::platform {
namespace {

// A zero-byte file has nothing to map; its span points here so that
// bytes().data is never null.
const uint8_t kEmptyFile[1] = {0};

Status OsError(const char* action, const std::string& path) {
  int err = errno;
  return Status::Error("cannot %s '%s': %s", action, path.c_str(), std::strerror(err));
}

size_t PageSize() {
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<size_t>(page) : 4096;
}

}  // namespace

// ---------------------------------------------------------------- MappedFile

MappedFile::~MappedFile() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

Status MappedFile::Open(const std::string& path) {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
  mapping_size_ = 0;
  bytes_ = ByteSpan{};

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Status s = OsError("stat", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error("cannot map '%s': not a regular file", path.c_str());
  }
  if (st.st_size == 0) {
    ::close(fd);
    bytes_ = ByteSpan{kEmptyFile, 0};
    return Status::Ok();
  }
  if (static_cast<uint64_t>(st.st_size) > SIZE_MAX) {
    ::close(fd);
    return Status::Error("cannot map '%s': %lld bytes do not fit in the address space", path.c_str(),
                         static_cast<long long>(st.st_size));
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* mapping = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapping == MAP_FAILED) {
    Status s = OsError("mmap", path);
    ::close(fd);
    return s;
  }
  ::close(fd);  // the mapping keeps the file alive
  mapping_ = mapping;
  mapping_size_ = size;
  bytes_ = ByteSpan{static_cast<const uint8_t*>(mapping), size};
  return Status::Ok();
}

void MappedFile::AdviseSequential() const {
  if (mapping_ != nullptr) madvise(mapping_, mapping_size_, MADV_SEQUENTIAL);
}

void MappedFile::WillNeed(const void* addr, size_t size) const {
  if (mapping_ == nullptr || size == 0) return;
  // madvise wants a page-aligned start; clamp the range to the mapping.
  uintptr_t map_begin = reinterpret_cast<uintptr_t>(mapping_);
  uintptr_t map_end = map_begin + mapping_size_;
  uintptr_t begin = reinterpret_cast<uintptr_t>(addr);
  if (begin < map_begin || begin >= map_end) return;
  uintptr_t end = size > map_end - begin ? map_end : begin + size;
  uintptr_t page = PageSize();
  uintptr_t aligned = begin & ~(page - 1);
  if (aligned < map_begin) aligned = map_begin;  // mapping itself is page-aligned
  madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_WILLNEED);
}

// ---------------------------------------------------------- AtomicFileWriter

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr) {
    std::fclose(static_cast<FILE*>(file_));
    std::remove(temp_path_.c_str());
  }
}

Status AtomicFileWriter::Open(const std::string& path) {
  if (file_ != nullptr) {
    std::fclose(static_cast<FILE*>(file_));
    std::remove(temp_path_.c_str());
    file_ = nullptr;
  }
  path_ = path;
  temp_path_ = path + ".tmp." + std::to_string(static_cast<long>(getpid()));
  FILE* f = std::fopen(temp_path_.c_str(), "wb");
  if (f == nullptr) return OsError("create", temp_path_);
  file_ = f;
  return Status::Ok();
}

Status AtomicFileWriter::Write(const void* data, size_t size) {
  if (file_ == nullptr) return Status::Error("writing '%s': the file is not open", path_.c_str());
  if (size == 0) return Status::Ok();
  if (std::fwrite(data, 1, size, static_cast<FILE*>(file_)) != size) return OsError("write", temp_path_);
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (file_ == nullptr) return Status::Error("committing '%s': the file is not open", path_.c_str());
  FILE* f = static_cast<FILE*>(file_);
  Status status;
  if (std::fflush(f) != 0) {
    status = OsError("flush", temp_path_);
  } else if (fsync(fileno(f)) != 0) {
    status = OsError("fsync", temp_path_);
  }
  if (std::fclose(f) != 0 && status.ok()) status = OsError("close", temp_path_);
  file_ = nullptr;
  if (status.ok() && std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    status = OsError("rename the temporary file onto", path_);
  }
  if (!status.ok()) {
    std::remove(temp_path_.c_str());
    return status;
  }
  // Make the rename itself durable (best effort: some filesystems refuse).
  std::string dir = path_;
  size_t slash = dir.find_last_of('/');
  dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

// ------------------------------------------------------------------ ReadFile

Status ReadFile(const std::string& path, std::vector<uint8_t>* out) {
  out->clear();
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return OsError("open", path);
  uint8_t chunk[65536];
  for (;;) {
    size_t n = std::fread(chunk, 1, sizeof chunk, f);
    out->insert(out->end(), chunk, chunk + n);
    if (n < sizeof chunk) break;
  }
  bool failed = std::ferror(f) != 0;
  Status status = failed ? OsError("read", path) : Status::Ok();
  std::fclose(f);
  return status;
}

}  // namespace pipit::platform
