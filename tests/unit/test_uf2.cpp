// The UF2 converter (server/uart/tools/uf2.py) and the model image packer
// (server/uart/tools/pack_model.py) on synthetic inputs: the UF2 layout is
// parsed here independently and checked block by block against the bytes
// that went in.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

const std::string kRepo = PIPIT_SOURCE_DIR;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/pipit_uf2_" + std::to_string(::getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

int RunTool(const std::string& args) {
  const std::string cmd = "python3 " + kRepo + "/server/uart/tools/" + args + " > /dev/null 2>&1";
  return std::system(cmd.c_str());
}

void Put32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put16(std::vector<uint8_t>* b, size_t at, uint16_t v) {
  (*b)[at] = static_cast<uint8_t>(v);
  (*b)[at + 1] = static_cast<uint8_t>(v >> 8);
}
uint32_t Get32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

struct Segment {
  uint32_t type, vaddr, paddr;
  std::vector<uint8_t> data;
  uint32_t memsz;
};

// A minimal 32-bit little-endian ARM ELF: header, program headers, then the
// segment contents back to back.
std::vector<uint8_t> MakeElf(const std::vector<Segment>& segments) {
  const size_t ph_off = 52, ph_size = 32;
  size_t data_off = ph_off + ph_size * segments.size();
  std::vector<uint8_t> elf(data_off, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(elf.data(), ident, sizeof ident);
  Put16(&elf, 16, 2);     // ET_EXEC
  Put16(&elf, 18, 40);    // EM_ARM
  Put32(&elf, 20, 1);     // version
  Put32(&elf, 28, ph_off);
  Put16(&elf, 40, 52);    // ehsize
  Put16(&elf, 42, ph_size);
  Put16(&elf, 44, static_cast<uint16_t>(segments.size()));
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const size_t ph = ph_off + i * ph_size;
    Put32(&elf, ph + 0, s.type);
    Put32(&elf, ph + 4, static_cast<uint32_t>(elf.size()));
    Put32(&elf, ph + 8, s.vaddr);
    Put32(&elf, ph + 12, s.paddr);
    Put32(&elf, ph + 16, static_cast<uint32_t>(s.data.size()));
    Put32(&elf, ph + 20, s.memsz);
    elf.insert(elf.end(), s.data.begin(), s.data.end());
  }
  return elf;
}

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return v;
}

// Parses and validates a UF2 file: every block well-formed, numbered 0..n-1
// with total n, family RP2350-ARM-S, 256-byte payloads at 256-aligned
// addresses. Returns address -> payload.
std::map<uint32_t, std::vector<uint8_t>> ParseUf2(const std::vector<uint8_t>& uf2) {
  std::map<uint32_t, std::vector<uint8_t>> pages;
  EXPECT_EQ(uf2.size() % 512, 0u);
  const size_t n = uf2.size() / 512;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* b = uf2.data() + 512 * i;
    EXPECT_EQ(Get32(b + 0), 0x0A324655u);
    EXPECT_EQ(Get32(b + 4), 0x9E5D5157u);
    EXPECT_EQ(Get32(b + 8), 0x00002000u);  // family id present
    const uint32_t addr = Get32(b + 12);
    EXPECT_EQ(addr % 256, 0u);
    EXPECT_EQ(Get32(b + 16), 256u);
    EXPECT_EQ(Get32(b + 20), i);
    EXPECT_EQ(Get32(b + 24), n);
    EXPECT_EQ(Get32(b + 28), 0xe48bff59u);
    EXPECT_EQ(Get32(b + 508), 0x0AB16F30u);
    for (int k = 32 + 256; k < 508; ++k) EXPECT_EQ(b[k], 0) << "padding byte " << k;
    EXPECT_EQ(pages.count(addr), 0u) << "address twice";
    pages[addr] = std::vector<uint8_t>(b + 32, b + 32 + 256);
  }
  return pages;
}

// The byte a UF2 image holds at `addr` (0 if no page covers it).
uint8_t ByteAt(const std::map<uint32_t, std::vector<uint8_t>>& pages, uint32_t addr) {
  auto it = pages.find(addr - addr % 256);
  return it == pages.end() ? 0 : it->second[addr % 256];
}

TEST(Uf2, ElfLoadSegmentsAtTheirLoadAddresses) {
  const auto text = Pattern(300, 1);  // spans two pages
  const auto data = Pattern(10, 99);  // .data: runs in RAM, stored in flash
  const std::vector<Segment> segs = {
      {1, 0x10000000, 0x10000000, text, 300},
      {1, 0x20000000, 0x10000400, data, 10},
      {1, 0x20000010, 0x20000010, {}, 4096},  // .bss: nothing in the file
      {4, 0, 0, Pattern(8, 5), 8},             // PT_NOTE: not loaded
  };
  const std::string in = TempPath("fw.elf"), out = TempPath("fw.uf2");
  WriteFile(in, MakeElf(segs));
  ASSERT_EQ(RunTool("uf2.py elf " + in + " -o " + out), 0);
  const auto pages = ParseUf2(ReadFileBytes(out));
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages.begin()->first, 0x10000000u);
  EXPECT_EQ(pages.count(0x10000100), 1u);
  EXPECT_EQ(pages.count(0x10000400), 1u);
  for (size_t i = 0; i < text.size(); ++i) ASSERT_EQ(ByteAt(pages, 0x10000000 + i), text[i]) << i;
  for (uint32_t a = 0x10000000 + 300; a < 0x10000200; ++a) ASSERT_EQ(ByteAt(pages, a), 0) << a;
  for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(ByteAt(pages, 0x10000400 + i), data[i]) << i;
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(Uf2, RawBinaryAtAnUnalignedAddress) {
  const auto bin = Pattern(513, 3);
  const std::string in = TempPath("model.bin"), out = TempPath("model.uf2");
  WriteFile(in, bin);
  ASSERT_EQ(RunTool("uf2.py bin " + in + " --addr 0x10080010 -o " + out), 0);
  const auto pages = ParseUf2(ReadFileBytes(out));
  ASSERT_EQ(pages.size(), 3u);  // 0x10080000, +0x100, +0x200 (513 + 16 bytes)
  EXPECT_EQ(pages.begin()->first, 0x10080000u);
  for (uint32_t a = 0x10080000; a < 0x10080010; ++a) EXPECT_EQ(ByteAt(pages, a), 0);
  for (size_t i = 0; i < bin.size(); ++i) ASSERT_EQ(ByteAt(pages, 0x10080010 + i), bin[i]) << i;
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(Uf2, RejectsWhatIsNotAnElf) {
  const std::string in = TempPath("junk.elf"), out = TempPath("junk.uf2");
  WriteFile(in, Pattern(100, 0));
  EXPECT_NE(RunTool("uf2.py elf " + in + " -o " + out), 0);
  std::remove(in.c_str());
  std::remove(out.c_str());
}

uint32_t Fnv1a(const std::vector<uint8_t>& data, size_t from) {
  uint32_t h = 2166136261u;
  for (size_t i = from; i < data.size(); ++i) h = (h ^ data[i]) * 16777619u;
  return h;
}

TEST(ModelImage, HeaderThenTheGgufAndAMatchingUf2) {
  std::vector<uint8_t> gguf = {'G', 'G', 'U', 'F'};
  const auto body = Pattern(1000, 11);
  gguf.insert(gguf.end(), body.begin(), body.end());
  const std::string in = TempPath("m.gguf"), img = TempPath("m.img"), uf2 = TempPath("m.uf2");
  WriteFile(in, gguf);
  ASSERT_EQ(RunTool("pack_model.py " + in + " -o " + img + " --uf2 " + uf2 + " --addr 0x10080000"), 0);
  const auto image = ReadFileBytes(img);
  ASSERT_EQ(image.size(), 32 + gguf.size());
  EXPECT_EQ(std::memcmp(image.data(), "PIPITMDL", 8), 0);
  EXPECT_EQ(Get32(&image[8]), 1u);
  EXPECT_EQ(Get32(&image[12]), 32u);
  EXPECT_EQ(Get32(&image[16]), gguf.size());
  EXPECT_EQ(Get32(&image[20]), Fnv1a(image, 32));
  for (int i = 24; i < 32; ++i) EXPECT_EQ(image[i], 0);
  EXPECT_TRUE(std::equal(gguf.begin(), gguf.end(), image.begin() + 32));
  const auto pages = ParseUf2(ReadFileBytes(uf2));
  for (size_t i = 0; i < image.size(); ++i) ASSERT_EQ(ByteAt(pages, 0x10080000 + i), image[i]) << i;
  // Too big for the flash left: refused.
  EXPECT_NE(RunTool("pack_model.py " + in + " -o " + img + " --max-size 100"), 0);
  std::remove(in.c_str());
  std::remove(img.c_str());
  std::remove(uf2.c_str());
}

}  // namespace
