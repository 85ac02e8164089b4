// Corrupt-file suite: a valid sample file (tests/support/gguf_sample.h) is
// truncated at every offset and patched field by field; the reader must
// return one precise, one-line error naming what is wrong, and never crash.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "support/gguf_sample.h"

namespace pipit::gguf {
namespace {

using Bytes = std::vector<uint8_t>;

void PutU32(Bytes* f, size_t at, uint32_t v) {
  ASSERT_LE(at + 4, f->size());
  for (int i = 0; i < 4; ++i) (*f)[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU64(Bytes* f, size_t at, uint64_t v) {
  ASSERT_LE(at + 8, f->size());
  for (int i = 0; i < 8; ++i) (*f)[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Offset just past the first occurrence of `name` in the file: where the
// fields following a key or tensor name start. The length prefix is 8 bytes
// before the name.
size_t After(const Bytes& f, const std::string& name) {
  for (size_t i = 0; i + name.size() <= f.size(); ++i) {
    if (std::memcmp(f.data() + i, name.data(), name.size()) == 0) return i + name.size();
  }
  ADD_FAILURE() << "name not found: " << name;
  return 0;
}

// Tensor info layout after the name: u32 n_dims, u64 ne[n_dims], u32 type, u64 offset.
struct TensorFields {
  size_t n_dims, ne0, type, offset;
};
TensorFields FieldsOf(const Bytes& f, const std::string& name, int n_dims) {
  size_t at = After(f, name);
  return {at, at + 4, at + 4 + 8 * n_dims, at + 4 + 8 * n_dims + 4};
}

// Parses and returns the error message; fails the test when parsing succeeds
// or the message is not one "gguf: ..." line.
std::string ParseError(const Bytes& f) {
  Reader r;
  Status s = r.Parse({f.data(), f.size()});
  if (s.ok()) {
    ADD_FAILURE() << "corrupt file parsed without error";
    return "";
  }
  EXPECT_EQ(s.message().rfind("gguf: ", 0), 0u) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_GT(s.message().size(), 12u);
  EXPECT_TRUE(r.tensors().empty());
  return s.message();
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "message: " << (haystack)

class Corrupt : public ::testing::Test {
 protected:
  void SetUp() override { f_ = test::MakeSampleGguf(); }
  Bytes f_;
};

TEST_F(Corrupt, SampleIsValid) {
  Reader r;
  Status s = r.Parse({f_.data(), f_.size()});
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(r.tensors().size(), 4u);
  const TensorInfo& last = r.tensors().back();
  // The last tensor ends exactly at the end of the file: no trailing padding.
  EXPECT_EQ(last.data + last.n_bytes, f_.data() + f_.size());
}

TEST_F(Corrupt, EveryTruncationFails) {
  for (size_t n = 0; n < f_.size(); ++n) {
    Bytes cut(f_.begin(), f_.begin() + n);
    Reader r;
    Status s = r.Parse({cut.data(), cut.size()});
    ASSERT_FALSE(s.ok()) << "truncated to " << n << " bytes";
    ASSERT_FALSE(s.message().empty());
    ASSERT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  }
}

TEST_F(Corrupt, TruncationMessagesSayWhatIsMissing) {
  Bytes cut(f_.begin(), f_.begin() + 10);
  std::string m = ParseError(cut);
  EXPECT_CONTAINS(m, "file is truncated: expected 8 bytes for the tensor count at offset 8, file has 10 bytes");
  Bytes cut2(f_.begin(), f_.begin() + static_cast<ptrdiff_t>(After(f_, "tokenizer.ggml.token_type") + 2));
  m = ParseError(cut2);
  EXPECT_CONTAINS(m, "metadata key #10 'tokenizer.ggml.token_type': file is truncated");
  EXPECT_CONTAINS(m, "value type");
  Bytes empty;
  EXPECT_CONTAINS(ParseError(empty), "magic");
}

TEST_F(Corrupt, BadMagic) {
  std::memcpy(f_.data(), "ABCD", 4);
  EXPECT_CONTAINS(ParseError(f_), "not a GGUF file (magic is 'ABCD')");
  f_[0] = '\n';
  std::string m = ParseError(f_);
  EXPECT_CONTAINS(m, "\\x0a");
}

TEST_F(Corrupt, UnsupportedVersions) {
  PutU32(&f_, 4, 1);
  EXPECT_CONTAINS(ParseError(f_), "unsupported version 1");
  PutU32(&f_, 4, 4);
  EXPECT_CONTAINS(ParseError(f_), "unsupported version 4");
  PutU32(&f_, 4, 0x03000000);
  EXPECT_CONTAINS(ParseError(f_), "big-endian");
}

TEST_F(Corrupt, HugeCountsFailFast) {
  Bytes f = f_;
  PutU64(&f, 8, 1ull << 62);
  EXPECT_CONTAINS(ParseError(f), "tensor count 4611686018427387904");
  f = f_;
  PutU64(&f, 16, 1ull << 62);
  EXPECT_CONTAINS(ParseError(f), "metadata key count 4611686018427387904");

  f = f_;
  std::string key = "general.architecture";
  PutU64(&f, After(f, key) - key.size() - 8, 1ull << 62);  // key length
  EXPECT_CONTAINS(ParseError(f), "metadata key #0");

  f = f_;
  PutU64(&f, After(f, key) + 4, 1ull << 62);  // string value length
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "'general.architecture'");
  EXPECT_CONTAINS(m, "string value");

  f = f_;
  PutU64(&f, After(f, "tokenizer.ggml.tokens") + 8, 1ull << 62);  // array count
  m = ParseError(f);
  EXPECT_CONTAINS(m, "'tokenizer.ggml.tokens'");
  EXPECT_CONTAINS(m, "array of 4611686018427387904 STRING elements");

  f = f_;
  PutU64(&f, After(f, "tokenizer.ggml.scores") + 8, 1ull << 62);
  EXPECT_CONTAINS(ParseError(f), "array of 4611686018427387904 FLOAT32");

  f = f_;
  PutU64(&f, After(f, "<s>") - 3 - 8, 1ull << 62);  // a string inside the array
  m = ParseError(f);
  EXPECT_CONTAINS(m, "'tokenizer.ggml.tokens'");
  EXPECT_CONTAINS(m, "array element #1");

  f = f_;
  PutU64(&f, After(f, "token_embd.weight") - 17 - 8, 1ull << 62);  // tensor name length
  EXPECT_CONTAINS(ParseError(f), "tensor #0");
}

TEST_F(Corrupt, TensorOffsets) {
  TensorFields q = FieldsOf(f_, "blk.0.attn_q.weight", 2);
  Bytes f = f_;
  PutU64(&f, q.offset, 1ull << 40);
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'blk.0.attn_q.weight'");
  EXPECT_CONTAINS(m, "past the end of the file");

  f = f_;
  PutU64(&f, q.offset, ~0ull - 31);  // aligned, and overflows when added
  EXPECT_CONTAINS(ParseError(f), "past the end of the file");

  TensorFields last = FieldsOf(f_, "output_norm.weight", 1);
  f = f_;
  PutU64(&f, last.offset, 4096);
  m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'output_norm.weight': data [");
  EXPECT_CONTAINS(m, "ends past the end of the file (" + std::to_string(f.size()) + " bytes)");

  f = f_;
  PutU64(&f, q.offset, 129);
  m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'blk.0.attn_q.weight'");
  EXPECT_CONTAINS(m, "not a multiple of the alignment 32");

  f = f_;
  PutU64(&f, q.offset, 0);  // overlaps token_embd.weight
  m = ParseError(f);
  EXPECT_CONTAINS(m, "overlaps");
  EXPECT_CONTAINS(m, "token_embd.weight");
}

TEST_F(Corrupt, TensorShapesAndTypes) {
  TensorFields q = FieldsOf(f_, "blk.0.attn_q.weight", 2);
  Bytes f = f_;
  PutU64(&f, q.ne0, 16);
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'blk.0.attn_q.weight'");
  EXPECT_CONTAINS(m, "not a multiple of the Q8_0 block size 32");

  for (uint32_t n_dims : {0u, 5u}) {
    f = f_;
    PutU32(&f, q.n_dims, n_dims);
    m = ParseError(f);
    EXPECT_CONTAINS(m, "tensor 'blk.0.attn_q.weight'");
    EXPECT_CONTAINS(m, "n_dims is " + std::to_string(n_dims));
  }

  f = f_;
  PutU32(&f, q.type, 99);
  m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'blk.0.attn_q.weight'");
  EXPECT_CONTAINS(m, "type id 99");

  f = f_;
  PutU32(&f, q.type, 16);
  EXPECT_CONTAINS(ParseError(f), "IQ2_XXS (id 16) is not supported");

  f = f_;
  PutU64(&f, q.ne0 + 8, 0);
  EXPECT_CONTAINS(ParseError(f), "dimension 1 is 0");
  f = f_;
  PutU64(&f, q.ne0 + 8, ~0ull);  // negative as int64
  EXPECT_CONTAINS(ParseError(f), "dimension 1 is 18446744073709551615");

  TensorFields e = FieldsOf(f_, "token_embd.weight", 2);
  f = f_;
  PutU64(&f, e.ne0, 1ull << 40);
  PutU64(&f, e.ne0 + 8, 1ull << 40);
  m = ParseError(f);
  EXPECT_CONTAINS(m, "tensor 'token_embd.weight'");
  EXPECT_CONTAINS(m, "too large");
}

TEST_F(Corrupt, UnknownValueTypes) {
  Bytes f = f_;
  PutU32(&f, After(f, "llama.block_count"), 99);
  EXPECT_CONTAINS(ParseError(f), "metadata key #2 'llama.block_count': value type 99 is not a GGUF type");

  f = f_;
  PutU32(&f, After(f, "tokenizer.ggml.scores") + 4, 13);  // element type
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "'tokenizer.ggml.scores'");
  EXPECT_CONTAINS(m, "array element type 13");
}

TEST_F(Corrupt, Alignment) {
  for (uint32_t bad : {0u, 3u, 48u}) {
    Bytes f = f_;
    PutU32(&f, After(f, "general.alignment") + 4, bad);
    std::string m = ParseError(f);
    EXPECT_CONTAINS(m, "general.alignment");
    EXPECT_CONTAINS(m, "is " + std::to_string(bad) + ", expected a non-zero power of two");
  }
  Writer w;
  w.SetU64("general.alignment", 32);
  Bytes f = w.Serialize();
  EXPECT_CONTAINS(ParseError(f), "'general.alignment' has type UINT64, expected UINT32");
}

TEST_F(Corrupt, Duplicates) {
  Bytes f = f_;
  size_t b = After(f, "test.dup_b") - 1;
  f[b] = 'a';
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "duplicate metadata key 'test.dup_a'");

  f = f_;
  size_t k = After(f, "blk.0.attn_k.weight") - std::string(".weight").size() - 1;
  f[k] = 'q';
  m = ParseError(f);
  EXPECT_CONTAINS(m, "duplicate tensor name 'blk.0.attn_q.weight'");
}

TEST(CorruptHandBuilt, DeeplyNestedArraysAreRejected) {
  Bytes f = {'G', 'G', 'U', 'F', 3, 0, 0, 0};
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(v >> (8 * i))); };
  auto u64 = [&](uint64_t v) { for (int i = 0; i < 8; ++i) f.push_back(static_cast<uint8_t>(v >> (8 * i))); };
  u64(0);
  u64(1);
  u64(1);
  f.push_back('k');
  u32(9);  // ARRAY
  for (int depth = 0; depth < 100; ++depth) {
    u32(9);  // of ARRAY
    u64(1);
  }
  u32(0);
  u64(0);
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "'k'");
  EXPECT_CONTAINS(m, "nested more than");
}

TEST(CorruptHandBuilt, ControlCharactersInNamesAreEscaped) {
  Writer w;
  w.SetU32("bad\nkey", 1);
  Bytes f = w.Serialize();
  PutU32(&f, After(f, "bad\nkey"), 77);
  std::string m = ParseError(f);
  EXPECT_CONTAINS(m, "'bad\\x0akey'");
}

}  // namespace
}  // namespace pipit::gguf
