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

constexpr size_t kHugePage = size_t{2} << 20;

// Maps the file read-only. Files of 2 MiB or more start on a 2 MiB boundary,
// so file offset k * 2 MiB lands on one too: only then can the kernel map a
// 2 MiB page-cache folio with a single page-table entry.
void* MapAligned(int fd, size_t size) {
  if (size < kHugePage) return mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  // Reserve address space with room to slide, map the file over its aligned
  // part, then give back what is left on either side.
  const size_t reserved = size + kHugePage;
  void* reserve = mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserve == MAP_FAILED) return MAP_FAILED;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(reserve);
  const uintptr_t aligned = (begin + kHugePage - 1) & ~(kHugePage - 1);
  void* mapping = mmap(reinterpret_cast<void*>(aligned), size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  if (mapping == MAP_FAILED) {
    const int err = errno;
    munmap(reserve, reserved);
    errno = err;
    return MAP_FAILED;
  }
  const size_t page = PageSize();
  const uintptr_t map_end = aligned + (size + page - 1) / page * page;
  const uintptr_t reserve_end = begin + (reserved + page - 1) / page * page;
  if (aligned > begin) munmap(reserve, aligned - begin);
  if (reserve_end > map_end) munmap(reinterpret_cast<void*>(map_end), reserve_end - map_end);
  return mapping;
}

#ifdef __linux__
// Bytes of the mapping that starts at `addr` which the kernel maps in 2 MiB
// pages (FilePmdMapped in /proc/self/smaps), or -1 when it cannot tell.
long long HugeMappedBytes(const void* addr) {
  FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return -1;
  char header[32];
  std::snprintf(header, sizeof header, "%lx-", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(addr)));
  long long result = -1;
  bool in_mapping = false;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, header, std::strlen(header)) == 0) {
      in_mapping = true;
    } else if (in_mapping && std::strncmp(line, "FilePmdMapped:", 14) == 0) {
      unsigned long long kb = 0;
      if (std::sscanf(line + 14, "%llu", &kb) == 1) result = static_cast<long long>(kb) * 1024;
      break;
    }
  }
  std::fclose(f);
  return result;
}

bool TransparentHugePagesOff() {
  FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == nullptr) return true;
  char line[128] = {0};
  const bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  return !read || std::strstr(line, "[never]") != nullptr;
}

// Touches the 2 MiB window at `offset` of a mapping that has no page of
// that window mapped yet; returns whether the kernel mapped it as one huge
// page. When it cannot tell (no /proc), it says yes: nothing to fix that we
// could see.
bool TouchIsHuge(const void* mapping, size_t offset) {
  const long long before = HugeMappedBytes(mapping);
  const volatile uint8_t* byte = static_cast<const uint8_t*>(mapping) + offset;
  (void)*byte;
  const long long after = HugeMappedBytes(mapping);
  return before < 0 || after < 0 || after > before;
}

bool WindowIsCached(const void* mapping, size_t offset) {
  unsigned char resident[kHugePage / 4096];
  const size_t pages = kHugePage / PageSize();
  if (pages > sizeof resident) return true;
  void* window = static_cast<uint8_t*>(const_cast<void*>(mapping)) + offset;
  if (mincore(window, kHugePage, resident) != 0) return true;
  for (size_t i = 0; i < pages; ++i) {
    if (resident[i] & 1) return true;
  }
  return false;
}

// Weights are read once per token. Read through 4 KiB pages, a stream
// from the page cache ran at ~13 GB/s here (the prefetchers stop at every
// page boundary, and every page costs a TLB miss); through 2 MiB pages the
// same stream ran at 24-50 GB/s, and decode got 1.5x faster.
//
// MADV_HUGEPAGE makes the kernel read the file in as 2 MiB folios from now
// on (Linux 6.x, file systems with large folios such as ext4 and xfs). But
// pages already cached as small folios (a file just written or copied) stay
// small until evicted. Probes tell which case this is: a touch in each of up
// to 16 windows spread over the file. If some window is cached but not huge,
// the file's clean cached pages are dropped (POSIX_FADV_DONTNEED; pages
// another process maps stay) and read again as 2 MiB folios: once, since
// afterwards the cache holds the large folios. Unless a window the probes
// read fresh came back huge, one small window is dropped and re-read first,
// to see that the file system can do it at all.
// Returns the (possibly new) mapping, or MAP_FAILED with errno set.
void* PreferHugePages(int fd, void* mapping, size_t size) {
  if (size < 2 * kHugePage || TransparentHugePagesOff()) return mapping;
  if (madvise(mapping, size, MADV_HUGEPAGE) != 0) return mapping;

  const size_t windows = size / kHugePage;  // whole 2 MiB windows in the file
  const size_t probes = windows < 16 ? windows : 16;
  size_t small_cached = SIZE_MAX;  // a window cached in small folios
  bool fresh_huge = false;         // a window read just now came in huge
  for (size_t i = 0; i < probes; ++i) {
    const size_t offset = windows * (2 * i + 1) / (2 * probes) * kHugePage;
    const bool cached = WindowIsCached(mapping, offset);
    if (TouchIsHuge(mapping, offset)) {
      fresh_huge = fresh_huge || !cached;
    } else if (cached && small_cached == SIZE_MAX) {
      small_cached = offset;
    }
  }
  if (small_cached == SIZE_MAX) return mapping;  // all huge, or small only where the FS itself just read them

  auto remap = [&](off_t offset, off_t length) {
    munmap(mapping, size);
    posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED);
    mapping = MapAligned(fd, size);
    if (mapping != MAP_FAILED) madvise(mapping, size, MADV_HUGEPAGE);
    return mapping != MAP_FAILED;
  };
  if (!fresh_huge) {
    if (!remap(static_cast<off_t>(small_cached), static_cast<off_t>(kHugePage))) return MAP_FAILED;
    if (!TouchIsHuge(mapping, small_cached)) return mapping;  // the file system keeps them small
  }
  remap(0, 0);
  return mapping;
}
#else
void* PreferHugePages(int, void* mapping, size_t) { return mapping; }
#endif

}  // namespace

// ---------------------------------------------------------------- MappedFile

MappedFile::~MappedFile() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

Status MappedFile::Open(const std::string& path, Use use) {
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
  void* mapping = MapAligned(fd, size);
  if (mapping != MAP_FAILED && use == Use::kReadOften) mapping = PreferHugePages(fd, mapping, size);
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
