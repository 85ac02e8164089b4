// Files on a microcontroller: there is no file system. The model is a span of
// XIP flash handed to Model::FromBytes, so every path-based call fails with
// one clear message instead of pretending.
#include "platform/platform.h"

namespace pipit::platform {
namespace {

Status NoFileSystem(const char* action, const std::string& path) {
  return Status::Error("cannot %s '%s': no file system on this target", action, path.c_str());
}

}  // namespace

MappedFile::~MappedFile() = default;

Status MappedFile::Open(const std::string& path, Use) {
  bytes_ = ByteSpan{};
  return NoFileSystem("open", path);
}

AtomicFileWriter::~AtomicFileWriter() = default;

Status AtomicFileWriter::Open(const std::string& path) {
  path_ = path;
  return NoFileSystem("create", path);
}

Status AtomicFileWriter::Write(const void*, size_t) { return NoFileSystem("write", path_); }

Status AtomicFileWriter::Commit() { return NoFileSystem("commit", path_); }

Status ReadFile(const std::string& path, std::vector<uint8_t>* out) {
  out->clear();
  return NoFileSystem("read", path);
}

}  // namespace pipit::platform
