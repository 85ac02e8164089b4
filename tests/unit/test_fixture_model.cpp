// The random-weight fixture model writer: the file parses, carries the llama
// metadata and tensor shapes llama.cpp expects, follows the preset's types,
// is deterministic, and its weights have the intended statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "platform/platform.h"
#include "quant/dtype.h"
#include "support/fixture_model.h"

namespace pipit::test {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = fs::path(__FILE__).parent_path().parent_path().parent_path();

class FixtureModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vocab_ = (kRepo / ".cache/vocab/tinyllama.json").string();
    if (!fs::exists(vocab_)) GTEST_SKIP() << vocab_ << " missing: run tests/fixtures/make_fixtures.sh";
    dir_ = fs::temp_directory_path() / ("pipit_fixture_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  FixtureModelOptions Tiny(const std::string& preset) {
    FixtureModelOptions o;
    o.vocab_path = vocab_;
    o.preset = preset;
    o.n_embd = 64;
    o.n_layers = 2;
    o.n_head = 4;
    o.n_head_kv = 2;
    o.n_ff = 128;
    o.threads = 2;
    return o;
  }

  std::vector<uint8_t> Write(const FixtureModelOptions& o, const std::string& name) {
    const std::string path = (dir_ / name).string();
    Status s = WriteFixtureModel(o, path);
    EXPECT_TRUE(s.ok()) << s.message();
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(platform::ReadFile(path, &bytes).ok());
    return bytes;
  }

  std::string vocab_;
  fs::path dir_;
};

TEST_F(FixtureModelTest, HasLlamaMetadataAndTensors) {
  FixtureModelOptions o = Tiny("Q4_K_M");
  std::vector<uint8_t> bytes = Write(o, "m.gguf");
  gguf::Reader r;
  ASSERT_TRUE(r.Parse({bytes.data(), bytes.size()}).ok());

  std::string_view arch;
  ASSERT_TRUE(r.GetString("general.architecture", &arch).ok());
  EXPECT_EQ(arch, "llama");
  uint32_t v = 0;
  ASSERT_TRUE(r.GetU32("llama.embedding_length", &v).ok());
  EXPECT_EQ(v, 64u);
  ASSERT_TRUE(r.GetU32("llama.block_count", &v).ok());
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(r.GetU32("llama.attention.head_count_kv", &v).ok());
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(r.GetU32("llama.rope.dimension_count", &v).ok());
  EXPECT_EQ(v, 16u);
  ASSERT_TRUE(r.GetU32("general.file_type", &v).ok());
  EXPECT_EQ(v, 15u);  // LLAMA_FTYPE_MOSTLY_Q4_K_M
  std::vector<std::string_view> tokens;
  ASSERT_TRUE(r.GetStringArray("tokenizer.ggml.tokens", &tokens).ok());
  ASSERT_EQ(tokens.size(), 32000u);
  EXPECT_EQ(tokens[13], "<0x0A>");
  EXPECT_EQ(tokens[15043], "\xE2\x96\x81Hello");  // "▁Hello"
  std::vector<float> scores;
  ASSERT_TRUE(r.GetF32Array("tokenizer.ggml.scores", &scores).ok());
  EXPECT_GT(scores[260], scores[300]);  // "▁t" merges before later pieces

  EXPECT_EQ(r.tensors().size(), 1u + 2 * 9 + 2);
  const gguf::TensorInfo* embd = r.FindTensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->ne[0], 64);
  EXPECT_EQ(embd->ne[1], 32000);
  const gguf::TensorInfo* k = r.FindTensor("blk.1.attn_k.weight");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->ne[0], 64);
  EXPECT_EQ(k->ne[1], 32);  // 2 KV heads x 16
  const gguf::TensorInfo* down = r.FindTensor("blk.0.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->ne[0], 128);
  // 64/128-wide rows: Q4_K falls back to Q5_0, Q6_K to Q8_0. With 2 layers
  // use_more_bits picks layer 1 only (i >= 7*2/8).
  EXPECT_EQ(r.FindTensor("blk.0.attn_q.weight")->dtype->type, DType::Q5_0);
  EXPECT_EQ(down->dtype->type, DType::Q5_0);
  EXPECT_EQ(r.FindTensor("blk.1.ffn_down.weight")->dtype->type, DType::Q8_0);
  EXPECT_EQ(r.FindTensor("blk.1.attn_v.weight")->dtype->type, DType::Q8_0);
  EXPECT_EQ(r.FindTensor("output.weight")->dtype->type, DType::Q8_0);
  EXPECT_EQ(r.FindTensor("blk.0.attn_norm.weight")->dtype->type, DType::F32);
}

TEST_F(FixtureModelTest, DeterministicAcrossRunsAndThreadCounts) {
  FixtureModelOptions o = Tiny("Q4_K_M");
  std::vector<uint8_t> a = Write(o, "a.gguf");
  o.threads = 1;
  std::vector<uint8_t> b = Write(o, "b.gguf");
  EXPECT_EQ(a, b);
  o.seed = 2;
  std::vector<uint8_t> c = Write(o, "c.gguf");
  ASSERT_EQ(a.size(), c.size());
  EXPECT_NE(a, c);
}

TEST_F(FixtureModelTest, WeightsHaveIntendedStatistics) {
  FixtureModelOptions o = Tiny("F32");
  std::vector<uint8_t> bytes = Write(o, "f.gguf");
  gguf::Reader r;
  ASSERT_TRUE(r.Parse({bytes.data(), bytes.size()}).ok());
  auto stats = [&](const char* name, double* mean, double* std) {
    const gguf::TensorInfo* t = r.FindTensor(name);
    ASSERT_NE(t, nullptr) << name;
    ASSERT_EQ(t->dtype->type, DType::F32);
    const float* x = reinterpret_cast<const float*>(t->data);
    const int64_t n = t->n_elements();
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_TRUE(std::isfinite(x[i]));
      s += x[i];
      s2 += static_cast<double>(x[i]) * x[i];
    }
    *mean = s / n;
    *std = std::sqrt(s2 / n - *mean * *mean);
  };
  double mean, std;
  stats("output.weight", &mean, &std);  // logits ~ N(0, 2.5^2) for a unit-RMS input
  EXPECT_NEAR(mean, 0, 0.005);
  EXPECT_NEAR(std, 2.5 / 8, 0.01);
  stats("blk.1.attn_q.weight", &mean, &std);
  EXPECT_NEAR(std, 1.0 / 8, 0.01);
  stats("blk.0.ffn_norm.weight", &mean, &std);
  EXPECT_NEAR(mean, 1, 0.05);
  EXPECT_GT(std, 0.05);
  EXPECT_LT(std, 0.2);
}

TEST_F(FixtureModelTest, TiedAndLlama3RopeVariants) {
  FixtureModelOptions o = Tiny("F16");
  o.tied = true;
  o.llama3_rope = true;
  o.rope_base = 500000;
  std::vector<uint8_t> bytes = Write(o, "t.gguf");
  gguf::Reader r;
  ASSERT_TRUE(r.Parse({bytes.data(), bytes.size()}).ok());
  EXPECT_EQ(r.FindTensor("output.weight"), nullptr);
  EXPECT_EQ(r.FindTensor("token_embd.weight")->dtype->type, DType::F16);
  const gguf::TensorInfo* rope = r.FindTensor("rope_freqs.weight");
  ASSERT_NE(rope, nullptr);
  ASSERT_EQ(rope->ne[0], 8);  // head_dim / 2
  const float* f = reinterpret_cast<const float*>(rope->data);
  EXPECT_EQ(f[0], 1.0f);  // highest frequency: unscaled
  EXPECT_EQ(f[7], 8.0f);  // lowest frequency (wavelength > 8192): scaled by 8
}

TEST_F(FixtureModelTest, RejectsBadOptions) {
  FixtureModelOptions o = Tiny("Q4_K_M");
  o.n_head_kv = 3;
  EXPECT_FALSE(WriteFixtureModel(o, (dir_ / "x.gguf").string()).ok());
  o = Tiny("Q9_K");
  EXPECT_FALSE(WriteFixtureModel(o, (dir_ / "x.gguf").string()).ok());
  o = Tiny("F32");
  o.vocab_path = (dir_ / "missing.json").string();
  EXPECT_FALSE(WriteFixtureModel(o, (dir_ / "x.gguf").string()).ok());
}

}  // namespace
}  // namespace pipit::test
