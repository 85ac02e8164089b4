// POSIX platform layer: mapping, atomic writes, whole-file reads, clocks,
// memory statistics, thread count.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/platform.h"

namespace pipit::platform {
namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipit_platform_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  static void WriteRaw(const std::string& path, const std::string& content) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  size_t EntriesInDir() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  fs::path dir_;
};

using MappedFileTest = TempDir;
using AtomicWriterTest = TempDir;
using ReadFileTest = TempDir;

TEST_F(MappedFileTest, MapsContents) {
  std::string content(10000, 'x');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 13);
  WriteRaw(Path("a.bin"), content);
  MappedFile m;
  Status s = m.Open(Path("a.bin"));
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(m.bytes().size, content.size());
  EXPECT_EQ(std::memcmp(m.bytes().data, content.data(), content.size()), 0);
  // Re-opening replaces the mapping.
  WriteRaw(Path("b.bin"), "hello");
  ASSERT_TRUE(m.Open(Path("b.bin")).ok());
  ASSERT_EQ(m.bytes().size, 5u);
  EXPECT_EQ(std::memcmp(m.bytes().data, "hello", 5), 0);
}

// Large files start on a 2 MiB boundary (so the kernel can map them in huge
// pages), and kReadOften, which may drop the file's cached pages and map it
// again (files_posix.cpp), still shows exactly the file's bytes.
TEST_F(MappedFileTest, LargeFilesAreAlignedAndReadOftenKeepsContents) {
  std::string content((size_t{9} << 20) + 12345, '\0');
  uint32_t state = 12345;
  for (char& c : content) c = static_cast<char>((state = state * 1664525u + 1013904223u) >> 24);
  WriteRaw(Path("big.bin"), content);
  for (MappedFile::Use use : {MappedFile::Use::kReadOnce, MappedFile::Use::kReadOften, MappedFile::Use::kReadOften}) {
    MappedFile m;
    Status s = m.Open(Path("big.bin"), use);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(m.bytes().size, content.size());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(m.bytes().data) % (2u << 20), 0u);
    EXPECT_EQ(std::memcmp(m.bytes().data, content.data(), content.size()), 0);
  }
}

TEST_F(MappedFileTest, EmptyFile) {
  WriteRaw(Path("empty"), "");
  MappedFile m;
  Status s = m.Open(Path("empty"));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(m.bytes().size, 0u);
  EXPECT_NE(m.bytes().data, nullptr);
  ASSERT_TRUE(m.Open(Path("empty"), MappedFile::Use::kReadOften).ok());
  EXPECT_EQ(m.bytes().size, 0u);
}

TEST_F(MappedFileTest, ErrorsNamePathAndReason) {
  MappedFile m;
  Status s = m.Open(Path("missing.gguf"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(Path("missing.gguf")), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::strerror(ENOENT)), std::string::npos) << s.message();
  s = m.Open(dir_.string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
}

TEST_F(AtomicWriterTest, CommitReplacesTargetAndLeavesNoTemp) {
  WriteRaw(Path("out"), "old contents");
  {
    AtomicFileWriter w;
    ASSERT_TRUE(w.Open(Path("out")).ok());
    ASSERT_TRUE(w.Write("new ", 4).ok());
    ASSERT_TRUE(w.Write("data", 4).ok());
    ASSERT_TRUE(w.Write(nullptr, 0).ok());
    // Until the commit, readers still see the old file.
    std::vector<uint8_t> seen;
    ASSERT_TRUE(ReadFile(Path("out"), &seen).ok());
    EXPECT_EQ(std::string(seen.begin(), seen.end()), "old contents");
    EXPECT_TRUE(fs::exists(Path("out") + ".tmp." + std::to_string(getpid())));
    Status s = w.Commit();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::vector<uint8_t> got;
  ASSERT_TRUE(ReadFile(Path("out"), &got).ok());
  EXPECT_EQ(std::string(got.begin(), got.end()), "new data");
  EXPECT_EQ(EntriesInDir(), 1u);
}

TEST_F(AtomicWriterTest, UncommittedWriteIsAbandoned) {
  WriteRaw(Path("out"), "keep me");
  {
    AtomicFileWriter w;
    ASSERT_TRUE(w.Open(Path("out")).ok());
    ASSERT_TRUE(w.Write("partial", 7).ok());
  }
  std::vector<uint8_t> got;
  ASSERT_TRUE(ReadFile(Path("out"), &got).ok());
  EXPECT_EQ(std::string(got.begin(), got.end()), "keep me");
  EXPECT_EQ(EntriesInDir(), 1u);
}

TEST_F(AtomicWriterTest, ErrorsNamePath) {
  AtomicFileWriter w;
  Status s = w.Open(Path("no/such/dir/out"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no/such/dir/out"), std::string::npos) << s.message();
  EXPECT_FALSE(w.Write("x", 1).ok());
  EXPECT_FALSE(w.Commit().ok());
}

TEST_F(ReadFileTest, ReadsLargeAndEmptyFiles) {
  std::string big(200000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i % 251);
  WriteRaw(Path("big"), big);
  std::vector<uint8_t> got = {1, 2, 3};
  ASSERT_TRUE(ReadFile(Path("big"), &got).ok());
  EXPECT_EQ(std::string(got.begin(), got.end()), big);
  WriteRaw(Path("empty"), "");
  ASSERT_TRUE(ReadFile(Path("empty"), &got).ok());
  EXPECT_TRUE(got.empty());
  Status s = ReadFile(Path("missing"), &got);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos);
}

TEST(PlatformSystem, ClockMemoryThreads) {
  double t0 = NowSeconds();
  usleep(20000);
  double t1 = NowSeconds();
  EXPECT_GE(t1 - t0, 0.015);
  EXPECT_LT(t1 - t0, 5.0);

  MemoryUsage before = ProcessMemory();
  EXPECT_GT(before.anon_bytes, 0u);
  EXPECT_GT(before.file_bytes, 0u);  // the executable itself is file-backed
  // Touching 64 MiB of heap raises anonymous RSS by about that much.
  std::vector<uint8_t> block(64 << 20);
  for (size_t i = 0; i < block.size(); i += 4096) block[i] = 1;
  MemoryUsage after = ProcessMemory();
  EXPECT_GT(after.anon_bytes, before.anon_bytes + (48u << 20));
  EXPECT_GE(HardwareThreads(), 1);
}

}  // namespace
}  // namespace pipit::platform
