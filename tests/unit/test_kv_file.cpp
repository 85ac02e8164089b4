// Saved KV state: reused only when everything it depends on matches, and a
// damaged or foreign file is reported and ignored, never used.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "kv/kv_file.h"
#include "model/context.h"
#include "model/model.h"
#include "support/tiny_model.h"

namespace pipit {
namespace {

const std::vector<Token> kPrompt = {1, 260, 270, 275, 265, 262, 278, 3, 77, 259, 271, 268};

struct Loaded {
  std::unique_ptr<Model> model;
  std::unique_ptr<Context> ctx;
};

Loaded Open(const std::string& preset = "F32", int n_ctx = 64) {
  Loaded r;
  Status s = Model::Open(test::TinyModelPath(preset), &r.model);
  EXPECT_TRUE(s.ok()) << s.message();
  s = Context::Create(*r.model, {n_ctx, 1, 64, 2}, &r.ctx);
  EXPECT_TRUE(s.ok()) << s.message();
  return r;
}

std::vector<float> DecodeFrom(Loaded& r, const std::vector<Token>& tokens, int first) {
  Batch b;
  for (int i = first; i < static_cast<int>(tokens.size()); ++i) b.Add(tokens[i], i, 0, i + 1 == static_cast<int>(tokens.size()));
  Status s = r.ctx->Decode(b);
  EXPECT_TRUE(s.ok()) << s.message();
  return std::vector<float>(r.ctx->Logits(0), r.ctx->Logits(0) + r.model->config().n_vocab);
}

std::string SavedState(const std::vector<Token>& tokens, const std::string& name) {
  Loaded r = Open();
  DecodeFrom(r, tokens, 0);
  const std::string path = test::TempPath(name);
  Status s = SaveKvState(path, *r.model, r.ctx->kv(), 0, tokens);
  EXPECT_TRUE(s.ok()) << s.message();
  return path;
}

TEST(KvFile, ReusesLongestPrefixAndGivesTheSameLogits) {
  const std::string path = SavedState(kPrompt, "prefix.kv");
  std::vector<Token> longer = kPrompt;
  longer.insert(longer.end(), {261, 262, 263});

  Loaded fresh = Open();
  const std::vector<float> expected = DecodeFrom(fresh, longer, 0);

  Loaded cached = Open();
  int reused = -1;
  Status s = LoadKvState(path, *cached.model, cached.ctx->kv(), 0, longer, &reused);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(reused, static_cast<int>(kPrompt.size()));
  EXPECT_EQ(DecodeFrom(cached, longer, reused), expected);
}

TEST(KvFile, SamePromptLeavesOneTokenToEvaluate) {
  const std::string path = SavedState(kPrompt, "same.kv");
  Loaded r = Open();
  int reused = -1;
  ASSERT_TRUE(LoadKvState(path, *r.model, r.ctx->kv(), 0, kPrompt, &reused).ok());
  EXPECT_EQ(reused, static_cast<int>(kPrompt.size()) - 1);
}

TEST(KvFile, DivergingPromptReusesOnlyTheCommonPart) {
  const std::string path = SavedState(kPrompt, "diverge.kv");
  std::vector<Token> other = kPrompt;
  other[5] = 270;
  Loaded r = Open();
  int reused = -1;
  ASSERT_TRUE(LoadKvState(path, *r.model, r.ctx->kv(), 0, other, &reused).ok());
  EXPECT_EQ(reused, 5);
}

void ExpectRejected(const std::string& path, const std::string& what, Loaded r = Open()) {
  int reused = -1;
  Status s = LoadKvState(path, *r.model, r.ctx->kv(), 0, kPrompt, &reused);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  EXPECT_EQ(reused, 0);
  EXPECT_EQ(r.ctx->kv().Length(0), 0);
}

TEST(KvFile, RejectsCorruptTruncatedAndForeignFiles) {
  const std::string path = SavedState(kPrompt, "good.kv");
  const auto size = std::filesystem::file_size(path);

  ExpectRejected(test::TempPath("missing.kv"), "missing.kv");

  const std::string flipped = test::TempPath("flipped.kv");
  std::filesystem::copy_file(path, flipped);
  {
    std::fstream f(flipped, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    char c;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size / 2));
    c ^= 0x40;
    f.write(&c, 1);
  }
  ExpectRejected(flipped, "checksum");

  for (uintmax_t cut : {uintmax_t{0}, uintmax_t{10}, uintmax_t{41}, size / 2, size - 1}) {
    const std::string truncated = test::TempPath("cut" + std::to_string(cut) + ".kv");
    std::filesystem::copy_file(path, truncated);
    std::filesystem::resize_file(truncated, cut);
    ExpectRejected(truncated, "truncated");
  }

  ExpectRejected(path, "different model", Open("Q8_0"));
  ExpectRejected(path, "context size", Open("F32", 32));
}

TEST(KvFile, WriteIsAtomicAndLeavesNoTempFiles) {
  const std::string path = SavedState(kPrompt, "atomic.kv");
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
  // A later save replaces the file whole.
  std::vector<Token> shorter(kPrompt.begin(), kPrompt.begin() + 4);
  Loaded r = Open();
  DecodeFrom(r, shorter, 0);
  ASSERT_TRUE(SaveKvState(path, *r.model, r.ctx->kv(), 0, shorter).ok());
  Loaded again = Open();
  int reused = -1;
  ASSERT_TRUE(LoadKvState(path, *again.model, again.ctx->kv(), 0, kPrompt, &reused).ok());
  EXPECT_EQ(reused, 4);
}

}  // namespace
}  // namespace pipit
