// The forward pass as the server and CLI use it: batching must not change
// results, sequences must not see each other, bad batches are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "model/context.h"
#include "model/model.h"
#include "support/tiny_model.h"

namespace pipit {
namespace {

std::unique_ptr<Model> OpenTiny(const std::string& preset = "F32", bool tied = false) {
  std::unique_ptr<Model> model;
  Status s = Model::Open(test::TinyModelPath(preset, tied), &model);
  EXPECT_TRUE(s.ok()) << s.message();
  return model;
}

std::unique_ptr<Context> MakeContext(const Model& model, int n_batch = 64, int n_threads = 2, int n_seq = 1,
                                     int n_ctx = 128) {
  std::unique_ptr<Context> ctx;
  Status s = Context::Create(model, {n_ctx, n_seq, n_batch, n_threads}, &ctx);
  EXPECT_TRUE(s.ok()) << s.message();
  return ctx;
}

const std::vector<Token> kPrompt = {1, 260, 270, 275, 265, 262, 278, 3, 77, 259, 271, 268};  // vocab: 279 tokens

// Runs the prompt on `seq` in one Decode and returns the last logits.
std::vector<float> Prefill(Context& ctx, const std::vector<Token>& tokens, int seq = 0) {
  Batch b;
  for (size_t i = 0; i < tokens.size(); ++i) b.Add(tokens[i], static_cast<int>(i), seq, i + 1 == tokens.size());
  Status s = ctx.Decode(b);
  EXPECT_TRUE(s.ok()) << s.message();
  const int n = ctx.model().config().n_vocab;
  return std::vector<float>(ctx.Logits(0), ctx.Logits(0) + n);
}

TEST(Context, LogitsAreFiniteAndSpread) {
  auto model = OpenTiny();
  auto ctx = MakeContext(*model);
  std::vector<float> logits = Prefill(*ctx, kPrompt);
  float lo = logits[0], hi = logits[0];
  for (float v : logits) {
    ASSERT_TRUE(std::isfinite(v));
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  EXPECT_GT(hi - lo, 0.1f) << "random weights should give distinguishable logits";
}

TEST(Context, BatchedPrefillEqualsOneTokenAtATime) {
  auto model = OpenTiny("Q4_K_M");
  auto batched = MakeContext(*model, 64);
  std::vector<float> a = Prefill(*batched, kPrompt);

  auto stepwise = MakeContext(*model, 64);
  for (size_t i = 0; i < kPrompt.size(); ++i) {
    Batch b;
    b.Add(kPrompt[i], static_cast<int>(i), 0, true);
    ASSERT_TRUE(stepwise->Decode(b).ok());
  }
  std::vector<float> b(stepwise->Logits(0), stepwise->Logits(0) + model->config().n_vocab);
  EXPECT_EQ(a, b);
}

TEST(Context, SmallBatchSizeSplitsWithoutChangingResults) {
  auto model = OpenTiny("Q8_0");
  auto big = MakeContext(*model, 64);
  auto small = MakeContext(*model, 5);
  EXPECT_EQ(Prefill(*big, kPrompt), Prefill(*small, kPrompt));
}

TEST(Context, ThreadCountDoesNotChangeResults) {
  auto model = OpenTiny("Q4_K_M");
  auto one = MakeContext(*model, 64, 1);
  auto three = MakeContext(*model, 64, 3);
  EXPECT_EQ(Prefill(*one, kPrompt), Prefill(*three, kPrompt));
}

TEST(Context, SequencesInOneBatchAreIndependent) {
  auto model = OpenTiny();
  const std::vector<Token> other = {1, 278, 277, 3, 4, 5};
  auto alone = MakeContext(*model, 64, 2, 1);
  std::vector<float> expect_a = Prefill(*alone, kPrompt);
  auto alone_b = MakeContext(*model, 64, 2, 1);
  std::vector<float> expect_b = Prefill(*alone_b, other);

  // Interleave both prompts in one batch on sequences 1 and 0.
  auto shared = MakeContext(*model, 64, 2, 2);
  Batch batch;
  size_t ia = 0, ib = 0;
  while (ia < kPrompt.size() || ib < other.size()) {
    if (ia < kPrompt.size()) batch.Add(kPrompt[ia], static_cast<int>(ia), 1, ia + 1 == kPrompt.size()), ++ia;
    if (ib < other.size()) batch.Add(other[ib], static_cast<int>(ib), 0, ib + 1 == other.size()), ++ib;
  }
  ASSERT_TRUE(shared->Decode(batch).ok());
  ASSERT_EQ(shared->n_logits(), 2);
  const int n = model->config().n_vocab;
  // `other` is shorter, so its last token comes first in the batch.
  EXPECT_EQ(std::vector<float>(shared->Logits(0), shared->Logits(0) + n), expect_b);
  EXPECT_EQ(std::vector<float>(shared->Logits(1), shared->Logits(1) + n), expect_a);
}

TEST(Context, TiedOutputUsesTokenEmbeddings) {
  auto model = OpenTiny("F32", /*tied=*/true);
  ASSERT_TRUE(model->weights().tied_output);
  auto ctx = MakeContext(*model);
  std::vector<float> logits = Prefill(*ctx, kPrompt);
  for (float v : logits) ASSERT_TRUE(std::isfinite(v));
}

TEST(Context, RefusesBadBatches) {
  auto model = OpenTiny();
  auto ctx = MakeContext(*model, 64, 2, 1, 16);
  Batch b;
  EXPECT_NE(ctx->Decode(b).message().find("empty"), std::string::npos);
  b.Add(1, 3, 0, true);  // sequence 0 is empty: must start at 0
  EXPECT_NE(ctx->Decode(b).message().find("position"), std::string::npos);
  b.Clear();
  b.Add(model->config().n_vocab, 0, 0, true);
  EXPECT_NE(ctx->Decode(b).message().find("vocabulary"), std::string::npos);
  b.Clear();
  b.Add(1, 0, 1, true);
  EXPECT_NE(ctx->Decode(b).message().find("sequence 1"), std::string::npos);
  b.Clear();
  for (int i = 0; i < 17; ++i) b.Add(1, i, 0, false);
  EXPECT_NE(ctx->Decode(b).message().find("context size"), std::string::npos);
  // Nothing was written by the refused batches.
  EXPECT_EQ(ctx->kv().Length(0), 0);
}

}  // namespace
}  // namespace pipit
