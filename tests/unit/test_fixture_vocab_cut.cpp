// pipit_fixture --vocab-size: cutting a SentencePiece vocabulary keeps the
// specials and byte tokens, counts pieces no merge chain can build, and the
// cut vocabulary still encodes any text (through byte fallback).
#include <gtest/gtest.h>

#include <memory>

#include "model/model.h"
#include "support/fixture_model.h"
#include "support/tiny_model.h"

namespace pipit::test {
namespace {

TEST(FixtureVocabCut, KeepsTheFirstTokensAndCountsUnreachablePieces) {
  FixtureVocab v;
  ASSERT_TRUE(LoadFixtureVocab(TinyVocabPath(), &v).ok());
  const int n = static_cast<int>(v.tokens.size());
  FixtureVocab whole = v;
  int unreachable = -1;
  ASSERT_TRUE(CutFixtureVocab(n, &whole, &unreachable).ok());
  // "▁hello" splits only into parts that are neither one character nor
  // tokens ("▁hell" + "o" needs "▁hell"); everything else is reachable.
  EXPECT_EQ(unreachable, 1);

  FixtureVocab cut = v;
  const int keep = 259 + 12;  // specials, bytes, "▁" .. "he"
  ASSERT_TRUE(CutFixtureVocab(keep, &cut, &unreachable).ok());
  EXPECT_EQ(static_cast<int>(cut.tokens.size()), keep);
  EXPECT_EQ(cut.scores.size(), cut.tokens.size());
  EXPECT_EQ(cut.token_type.size(), cut.tokens.size());
  EXPECT_EQ(cut.tokens.back(), v.tokens[keep - 1]);
  EXPECT_EQ(unreachable, 0);
}

TEST(FixtureVocabCut, RejectsCutsThatLoseBytesOrSpecials) {
  FixtureVocab v;
  ASSERT_TRUE(LoadFixtureVocab(TinyVocabPath(), &v).ok());
  FixtureVocab a = v;
  EXPECT_FALSE(CutFixtureVocab(100, &a).ok());  // byte tokens 3..258 beyond the cut
  FixtureVocab b = v;
  EXPECT_FALSE(CutFixtureVocab(0, &b).ok());
  FixtureVocab c = v;
  EXPECT_FALSE(CutFixtureVocab(static_cast<int>(v.tokens.size()) + 1, &c).ok());
  FixtureVocab d = v;
  d.model = "gpt2";
  EXPECT_FALSE(CutFixtureVocab(300, &d).ok());
}

TEST(FixtureVocabCut, ACutModelEncodesTextThroughByteFallback) {
  FixtureModelOptions o;
  o.vocab_path = TinyVocabPath();
  o.n_embd = 32, o.n_layers = 1, o.n_head = 2, o.n_head_kv = 1, o.n_ff = 64, o.n_ctx = 64, o.threads = 1;
  o.vocab_size = 259 + 3;  // "▁", "a", "b": every other character becomes bytes
  const std::string path = TempPath("vocab-cut.gguf");
  ASSERT_TRUE(WriteFixtureModel(o, path).ok());
  std::unique_ptr<Model> model;
  ASSERT_TRUE(Model::Open(path, &model).ok());
  EXPECT_EQ(model->config().n_vocab, 262);
  const Tokenizer& tok = model->tokenizer();
  const std::string text = "ab hello é";
  const std::vector<Token> ids = tok.Encode(text, false, false);
  for (Token t : ids) EXPECT_LT(t, 262);
  // Without "▁" prefix handling in the comparison: Detokenize drops the
  // leading space that SentencePiece adds.
  EXPECT_EQ(tok.Detokenize(ids), text);
}

}  // namespace
}  // namespace pipit::test
