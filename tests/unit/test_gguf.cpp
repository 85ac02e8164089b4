// GGUF reader and writer: hand-built v2/v3 files with every value type,
// writer -> reader round trips, alignment, tensor data pointers, typed
// getters and their errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "quant/dtype.h"

namespace pipit::gguf {
namespace {

// Encodes GGUF bytes by hand, independently of gguf::Writer, so the reader is
// tested against the spec rather than against our own writer.
struct Bytes {
  std::vector<uint8_t> b;
  Bytes& U8(uint8_t v) { b.push_back(v); return *this; }
  Bytes& U16(uint16_t v) { return U8(v & 0xff).U8(v >> 8); }
  Bytes& U32(uint32_t v) { for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i))); return *this; }
  Bytes& U64(uint64_t v) { for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(v >> (8 * i))); return *this; }
  Bytes& F32(float f) { uint32_t u; std::memcpy(&u, &f, 4); return U32(u); }
  Bytes& F64(double d) { uint64_t u; std::memcpy(&u, &d, 8); return U64(u); }
  Bytes& Str(const std::string& s) { U64(s.size()); b.insert(b.end(), s.begin(), s.end()); return *this; }
  Bytes& Type(ValueType t) { return U32(static_cast<uint32_t>(t)); }
  Bytes& Key(const std::string& k, ValueType t) { return Str(k).Type(t); }
  Bytes& PadTo(size_t alignment) { while (b.size() % alignment) U8(0); return *this; }
};

// Every value type, a string array and an array of arrays; two tensors.
std::vector<uint8_t> HandBuiltFile(uint32_t version) {
  Bytes f;
  f.U8('G').U8('G').U8('U').U8('F').U32(version).U64(2).U64(15);
  f.Key("t.u8", ValueType::UINT8).U8(200);
  f.Key("t.i8", ValueType::INT8).U8(static_cast<uint8_t>(-5));
  f.Key("t.u16", ValueType::UINT16).U16(60000);
  f.Key("t.i16", ValueType::INT16).U16(static_cast<uint16_t>(-300));
  f.Key("t.u32", ValueType::UINT32).U32(4000000000u);
  f.Key("t.i32", ValueType::INT32).U32(static_cast<uint32_t>(-70000));
  f.Key("t.f32", ValueType::FLOAT32).F32(1.5f);
  f.Key("t.bool", ValueType::BOOL).U8(1);
  f.Key("t.str", ValueType::STRING).Str("h\xc3\xa9llo");
  f.Key("t.u64", ValueType::UINT64).U64(1ull << 40);
  f.Key("t.i64", ValueType::INT64).U64(static_cast<uint64_t>(-3));
  f.Key("t.f64", ValueType::FLOAT64).F64(0.25);
  f.Key("t.strs", ValueType::ARRAY).Type(ValueType::STRING).U64(3).Str("a").Str("").Str("ccc");
  // [[1, 2], [], [3]] as INT16
  f.Key("t.nested", ValueType::ARRAY).Type(ValueType::ARRAY).U64(3);
  f.Type(ValueType::INT16).U64(2).U16(1).U16(2);
  f.Type(ValueType::INT16).U64(0);
  f.Type(ValueType::INT16).U64(1).U16(3);
  f.Key("t.u8s", ValueType::ARRAY).Type(ValueType::UINT8).U64(3).U8(7).U8(8).U8(9);
  // Tensors: F32 [4, 2] at 0 (32 bytes), Q8_0 [32] at 32 (34 bytes).
  f.Str("a").U32(2).U64(4).U64(2).U32(0).U64(0);
  f.Str("b").U32(1).U64(32).U32(8).U64(32);
  f.PadTo(32);
  for (int i = 0; i < 32 + 34; ++i) f.U8(static_cast<uint8_t>(i));
  return f.b;
}

class HandBuiltTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(HandBuiltTest, ReadsEveryValueTypeAndTensor) {
  std::vector<uint8_t> file = HandBuiltFile(GetParam());
  Reader r;
  Status s = r.Parse({file.data(), file.size()});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(r.version(), GetParam());
  EXPECT_EQ(r.alignment(), 32u);
  ASSERT_EQ(r.metadata().size(), 15u);
  EXPECT_EQ(r.metadata()[0].key, "t.u8");

  uint32_t u32 = 0;
  ASSERT_TRUE(r.GetU32("t.u8", &u32).ok());
  EXPECT_EQ(u32, 200u);
  ASSERT_TRUE(r.GetU32("t.u16", &u32).ok());
  EXPECT_EQ(u32, 60000u);
  ASSERT_TRUE(r.GetU32("t.u32", &u32).ok());
  EXPECT_EQ(u32, 4000000000u);
  int32_t i32 = 0;
  ASSERT_TRUE(r.GetI32("t.i8", &i32).ok());
  EXPECT_EQ(i32, -5);
  ASSERT_TRUE(r.GetI32("t.i16", &i32).ok());
  EXPECT_EQ(i32, -300);
  ASSERT_TRUE(r.GetI32("t.i32", &i32).ok());
  EXPECT_EQ(i32, -70000);
  ASSERT_TRUE(r.GetI32("t.i64", &i32).ok());
  EXPECT_EQ(i32, -3);
  uint64_t u64 = 0;
  ASSERT_TRUE(r.GetU64("t.u64", &u64).ok());
  EXPECT_EQ(u64, 1ull << 40);
  float f = 0;
  ASSERT_TRUE(r.GetF32("t.f32", &f).ok());
  EXPECT_EQ(f, 1.5f);
  ASSERT_TRUE(r.GetF32("t.f64", &f).ok());
  EXPECT_EQ(f, 0.25f);
  bool b = false;
  ASSERT_TRUE(r.GetBool("t.bool", &b).ok());
  EXPECT_TRUE(b);
  std::string_view sv;
  ASSERT_TRUE(r.GetString("t.str", &sv).ok());
  EXPECT_EQ(sv, "h\xc3\xa9llo");
  std::vector<std::string_view> strs;
  ASSERT_TRUE(r.GetStringArray("t.strs", &strs).ok());
  EXPECT_EQ(strs, (std::vector<std::string_view>{"a", "", "ccc"}));
  std::vector<int32_t> ints;
  ASSERT_TRUE(r.GetI32Array("t.u8s", &ints).ok());
  EXPECT_EQ(ints, (std::vector<int32_t>{7, 8, 9}));

  const KeyValue* nested = r.Find("t.nested");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->value.type, ValueType::ARRAY);
  EXPECT_EQ(nested->value.elem_type, ValueType::ARRAY);
  EXPECT_EQ(nested->value.count, 3u);
  // Three inner arrays: 12-byte headers plus 2 + 0 + 1 INT16 elements.
  EXPECT_EQ(nested->value.end - nested->value.data, 3 * 12 + 3 * 2);
  EXPECT_FALSE(r.GetI32Array("t.nested", &ints).ok());

  ASSERT_EQ(r.tensors().size(), 2u);
  const TensorInfo* a = r.FindTensor("a");
  const TensorInfo* tb = r.FindTensor("b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(tb, nullptr);
  EXPECT_EQ(r.FindTensor("c"), nullptr);
  EXPECT_EQ(a->n_dims, 2u);
  EXPECT_EQ(a->ne[0], 4);
  EXPECT_EQ(a->ne[1], 2);
  EXPECT_EQ(a->ne[2], 1);
  EXPECT_EQ(a->n_elements(), 8);
  EXPECT_EQ(a->dtype->type, DType::F32);
  EXPECT_EQ(a->n_bytes, 32u);
  EXPECT_EQ(tb->dtype->type, DType::Q8_0);
  EXPECT_EQ(tb->n_bytes, 34u);
  size_t data_start = file.size() - 66;
  EXPECT_EQ(data_start % 32, 0u);
  EXPECT_EQ(a->data, file.data() + data_start);
  EXPECT_EQ(tb->data, file.data() + data_start + 32);
  EXPECT_EQ(tb->data[0], 32);
}

INSTANTIATE_TEST_SUITE_P(Versions, HandBuiltTest, ::testing::Values(2u, 3u));

TEST(GgufWriter, RoundTripsEveryWriterValueAndTensorData) {
  Writer w;
  w.SetU32("k.u32", 123456789u);
  w.SetI32("k.i32", -42);
  w.SetU64("k.u64", 0xfedcba9876543210ull);
  w.SetF32("k.f32", -0.125f);
  w.SetBool("k.bool", false);
  w.SetString("k.str", std::string("with\0nul", 8));
  w.SetStringArray("k.strs", {"x", "yy", ""});
  w.SetF32Array("k.f32s", {1.0f, -2.5f});
  w.SetI32Array("k.i32s", {-1, 0, 2147483647});
  w.SetU32("k.u32", 7u);  // replaces, never duplicates

  std::vector<uint8_t> t0(4 * 3 * 4), t1(2 * 34), t2(2 * 5);
  for (size_t i = 0; i < t0.size(); ++i) t0[i] = static_cast<uint8_t>(i * 7);
  for (size_t i = 0; i < t1.size(); ++i) t1[i] = static_cast<uint8_t>(255 - i);
  for (size_t i = 0; i < t2.size(); ++i) t2[i] = static_cast<uint8_t>(i + 100);
  w.AddTensor("t0", DType::F32, {4, 3}, t0.data(), t0.size());
  w.AddTensor("t1", DType::Q8_0, {32, 1, 2}, t1.data(), t1.size());
  w.AddTensor("t2", DType::F16, {5, 1, 1, 1}, t2.data(), t2.size());
  std::vector<uint8_t> file = w.Serialize();

  Reader r;
  Status s = r.Parse({file.data(), file.size()});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(r.version(), 3u);
  EXPECT_EQ(r.metadata().size(), 9u);
  uint32_t u32 = 0;
  ASSERT_TRUE(r.GetU32("k.u32", &u32).ok());
  EXPECT_EQ(u32, 7u);
  int32_t i32 = 0;
  ASSERT_TRUE(r.GetI32("k.i32", &i32).ok());
  EXPECT_EQ(i32, -42);
  uint64_t u64 = 0;
  ASSERT_TRUE(r.GetU64("k.u64", &u64).ok());
  EXPECT_EQ(u64, 0xfedcba9876543210ull);
  float f = 0;
  ASSERT_TRUE(r.GetF32("k.f32", &f).ok());
  EXPECT_EQ(f, -0.125f);
  bool b = true;
  ASSERT_TRUE(r.GetBool("k.bool", &b).ok());
  EXPECT_FALSE(b);
  std::string_view sv;
  ASSERT_TRUE(r.GetString("k.str", &sv).ok());
  EXPECT_EQ(sv, std::string_view("with\0nul", 8));
  std::vector<std::string_view> strs;
  ASSERT_TRUE(r.GetStringArray("k.strs", &strs).ok());
  EXPECT_EQ(strs, (std::vector<std::string_view>{"x", "yy", ""}));
  std::vector<float> floats;
  ASSERT_TRUE(r.GetF32Array("k.f32s", &floats).ok());
  EXPECT_EQ(floats, (std::vector<float>{1.0f, -2.5f}));
  std::vector<int32_t> ints;
  ASSERT_TRUE(r.GetI32Array("k.i32s", &ints).ok());
  EXPECT_EQ(ints, (std::vector<int32_t>{-1, 0, 2147483647}));

  ASSERT_EQ(r.tensors().size(), 3u);
  const std::vector<uint8_t>* expected[] = {&t0, &t1, &t2};
  const uint8_t* prev_end = nullptr;
  for (size_t i = 0; i < 3; ++i) {
    const TensorInfo& t = r.tensors()[i];
    EXPECT_EQ(t.name, "t" + std::to_string(i));
    EXPECT_EQ(t.offset % 32, 0u);
    EXPECT_EQ(static_cast<size_t>(t.data - file.data()) % 32, 0u) << t.name;
    EXPECT_GE(t.data, file.data());
    EXPECT_LE(t.data + t.n_bytes, file.data() + file.size());
    if (prev_end) EXPECT_GE(t.data, prev_end);
    prev_end = t.data + t.n_bytes;
    ASSERT_EQ(t.n_bytes, expected[i]->size());
    EXPECT_EQ(std::memcmp(t.data, expected[i]->data(), t.n_bytes), 0) << t.name;
  }
  EXPECT_EQ(r.tensors()[1].n_dims, 3u);
  EXPECT_EQ(r.tensors()[1].ne[2], 2);
  EXPECT_EQ(r.tensors()[2].n_dims, 4u);
  EXPECT_EQ(r.tensors()[2].dtype->type, DType::F16);
}

TEST(GgufWriter, HonoursGeneralAlignment) {
  Writer w;
  w.SetU32("general.alignment", 64);
  std::vector<uint8_t> a(3 * 4, 1), b(2 * 4, 2);
  w.AddTensor("a", DType::F32, {3}, a.data(), a.size());
  w.AddTensor("b", DType::F32, {2}, b.data(), b.size());
  std::vector<uint8_t> file = w.Serialize();
  Reader r;
  ASSERT_TRUE(r.Parse({file.data(), file.size()}).ok());
  EXPECT_EQ(r.alignment(), 64u);
  EXPECT_EQ(r.tensors()[1].offset, 64u);
  for (const TensorInfo& t : r.tensors()) EXPECT_EQ(static_cast<size_t>(t.data - file.data()) % 64, 0u);
  EXPECT_EQ(file.size() % 64, 0u);
}

TEST(GgufWriter, CopyValueReproducesEveryTypeByteForByte) {
  std::vector<uint8_t> src = HandBuiltFile(3);
  Reader in;
  ASSERT_TRUE(in.Parse({src.data(), src.size()}).ok());
  Writer w;
  for (const KeyValue& kv : in.metadata()) w.CopyValue(kv);
  std::vector<uint8_t> copy = w.Serialize();
  Reader out;
  Status s = out.Parse({copy.data(), copy.size()});
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.metadata().size(), in.metadata().size());
  for (size_t i = 0; i < in.metadata().size(); ++i) {
    const Value& a = in.metadata()[i].value;
    const Value& b = out.metadata()[i].value;
    EXPECT_EQ(in.metadata()[i].key, out.metadata()[i].key);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.count, b.count);
    if (a.type == ValueType::ARRAY) EXPECT_EQ(a.elem_type, b.elem_type);
    ASSERT_EQ(a.end - a.data, b.end - b.data);
    EXPECT_EQ(std::memcmp(a.data, b.data, a.end - a.data), 0) << in.metadata()[i].key;
  }
}

TEST(GgufWriter, WriteFileMatchesSerializeAndMapsBack) {
  Writer w;
  w.SetString("general.architecture", "llama");
  w.SetStringArray("tokenizer.ggml.tokens", {"a", "b"});
  std::vector<uint8_t> big(1000 * 4 + 3 * 4);  // not a multiple of 256: exercises the padding loop
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i % 253);
  w.AddTensor("big", DType::F32, {1003}, big.data(), big.size());
  w.AddTensor("small", DType::F32, {1}, big.data(), 4);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("pipit_gguf_writefile_" + std::to_string(getpid()) + ".gguf")).string();
  Status s = w.WriteFile(path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp." + std::to_string(getpid())));
  platform::MappedFile file;
  ASSERT_TRUE(file.Open(path).ok());
  std::vector<uint8_t> expected = w.Serialize();
  ASSERT_EQ(file.bytes().size, expected.size());
  EXPECT_EQ(std::memcmp(file.bytes().data, expected.data(), expected.size()), 0);
  Reader r;
  ASSERT_TRUE(r.Parse(file.bytes()).ok());
  ASSERT_NE(r.FindTensor("big"), nullptr);
  EXPECT_EQ(std::memcmp(r.FindTensor("big")->data, big.data(), big.size()), 0);
  std::filesystem::remove(path);

  s = w.WriteFile("/nonexistent-dir/x.gguf");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir/x.gguf"), std::string::npos) << s.message();
}

TEST(GgufReader, EmptyModelParses) {
  std::vector<uint8_t> file = Writer().Serialize();
  EXPECT_EQ(file.size(), 32u);  // 24-byte header padded to the alignment
  Reader r;
  ASSERT_TRUE(r.Parse({file.data(), 24}).ok());  // padding is optional without tensors
  EXPECT_TRUE(r.metadata().empty());
  EXPECT_TRUE(r.tensors().empty());
}

TEST(GgufReader, ParseResetsPreviousState) {
  std::vector<uint8_t> good = HandBuiltFile(3);
  Reader r;
  ASSERT_TRUE(r.Parse({good.data(), good.size()}).ok());
  std::vector<uint8_t> bad(good.begin(), good.begin() + 30);
  EXPECT_FALSE(r.Parse({bad.data(), bad.size()}).ok());
  EXPECT_TRUE(r.metadata().empty());
  EXPECT_TRUE(r.tensors().empty());
  EXPECT_EQ(r.Find("t.u8"), nullptr);
}

class GetterErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = HandBuiltFile(3);
    ASSERT_TRUE(r_.Parse({file_.data(), file_.size()}).ok());
  }
  std::vector<uint8_t> file_;
  Reader r_;
};

TEST_F(GetterErrors, WrongTypeNamesKeyExpectedAndActual) {
  uint32_t u32 = 99;
  Status s = r_.GetU32("t.str", &u32);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'t.str'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("UINT32"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("STRING"), std::string::npos) << s.message();
  EXPECT_EQ(u32, 99u);

  float f;
  s = r_.GetF32("t.u32", &f);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("FLOAT32"), std::string::npos) << s.message();
  bool b;
  EXPECT_FALSE(r_.GetBool("t.u8", &b).ok());
  std::string_view sv;
  EXPECT_FALSE(r_.GetString("t.strs", &sv).ok());
  std::vector<float> floats;
  s = r_.GetF32Array("t.strs", &floats);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ARRAY of STRING"), std::string::npos) << s.message();
  std::vector<std::string_view> strs;
  s = r_.GetStringArray("t.u8s", &strs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ARRAY of UINT8"), std::string::npos) << s.message();
  EXPECT_FALSE(r_.GetStringArray("t.str", &strs).ok());
}

TEST_F(GetterErrors, IntegersMustFit) {
  uint32_t u32 = 1;
  Status s = r_.GetU32("t.i8", &u32);  // -5
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("-5"), std::string::npos) << s.message();
  EXPECT_EQ(u32, 1u);
  EXPECT_FALSE(r_.GetU32("t.u64", &u32).ok());  // 2^40
  int32_t i32;
  EXPECT_FALSE(r_.GetI32("t.u32", &i32).ok());  // 4e9
  uint64_t u64;
  EXPECT_FALSE(r_.GetU64("t.i64", &u64).ok());  // -3
  ASSERT_TRUE(r_.GetU64("t.u8", &u64).ok());
  EXPECT_EQ(u64, 200u);
}

TEST_F(GetterErrors, MissingAndOptional) {
  uint32_t u32 = 5;
  Status s = r_.GetU32("no.such.key", &u32);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no.such.key"), std::string::npos);
  EXPECT_TRUE(r_.GetU32Opt("no.such.key", &u32).ok());
  EXPECT_EQ(u32, 5u);
  float f = 2.0f;
  EXPECT_TRUE(r_.GetF32Opt("no.such.key", &f).ok());
  EXPECT_EQ(f, 2.0f);
  bool b = true;
  EXPECT_TRUE(r_.GetBoolOpt("no.such.key", &b).ok());
  EXPECT_TRUE(b);
  std::string_view sv = "keep";
  EXPECT_TRUE(r_.GetStringOpt("no.such.key", &sv).ok());
  EXPECT_EQ(sv, "keep");
  // Present with the wrong type is still an error.
  EXPECT_FALSE(r_.GetU32Opt("t.str", &u32).ok());
  EXPECT_FALSE(r_.GetF32Opt("t.str", &f).ok());
  EXPECT_FALSE(r_.GetBoolOpt("t.str", &b).ok());
  EXPECT_FALSE(r_.GetStringOpt("t.u8", &sv).ok());
  // Present with the right type is read.
  ASSERT_TRUE(r_.GetU32Opt("t.u16", &u32).ok());
  EXPECT_EQ(u32, 60000u);
}

}  // namespace
}  // namespace pipit::gguf
