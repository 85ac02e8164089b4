// The token mask against brute force on the real vocabularies (32k
// SentencePiece with byte fallback, 128k byte-level BPE): for a set of
// grammar states and budgets, a token is allowed iff feeding its bytes one
// by one to a fresh matcher (its own automaton, no shared cache) succeeds
// and the grammar can still close within the budget left after it; EOS is
// allowed iff the state accepts. Token bytes are checked against
// Tokenizer::Piece. Skipped when the fixture models are not generated.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "grammar/automaton.h"
#include "grammar/builtin_grammars.h"
#include "grammar/constraint.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/token_mask.h"
#include "model/model.h"

namespace pipit::grammar {
namespace {

std::string RepoPath(const std::string& rel) { return std::string(PIPIT_SOURCE_DIR) + "/" + rel; }

struct Vocab {
  std::unique_ptr<Model> model;
  TokenMask mask;
};

// Loaded once per vocabulary for the whole test program.
Vocab* LoadVocab(const std::string& model_file) {
  static std::vector<std::pair<std::string, std::unique_ptr<Vocab>>> cache;
  for (auto& [name, v] : cache) {
    if (name == model_file) return v.get();
  }
  auto v = std::make_unique<Vocab>();
  if (!Model::Open(RepoPath(".cache/models/" + model_file), &v->model).ok()) return nullptr;
  if (!v->mask.Build(v->model->tokenizer()).ok()) return nullptr;
  cache.emplace_back(model_file, std::move(v));
  return cache.back().second.get();
}

class MaskVsBruteForce : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    vocab_ = LoadVocab(GetParam());
    if (!vocab_) GTEST_SKIP() << "no .cache/models/" << GetParam() << " (tests/fixtures/make_fixtures.sh)";
  }

  // Compares TokenMask::Compute with the brute-force rule for the state
  // after `prefix`, at several budgets.
  void CheckState(const std::string& gbnf, const std::string& prefix) {
    Grammar g;
    ASSERT_TRUE(ParseGbnf(gbnf, &g).ok());
    Automaton walked(&g), brute(&g);
    Matcher m(&walked);
    ASSERT_TRUE(m.AcceptBytes(prefix)) << prefix;
    Matcher start(&brute);
    ASSERT_TRUE(start.AcceptBytes(prefix));
    const Tokenizer& tok = vocab_->model->tokenizer();
    const int64_t close = m.MinBytesToClose();
    for (int64_t budget : {int64_t{1} << 40, close + 3, close + 1, close, int64_t{1}}) {
      if (budget < 1) continue;
      std::vector<uint8_t> allowed;
      const int count = vocab_->mask.Compute(m, budget, &allowed);
      int expected_count = 0;
      for (Token t = 0; t < tok.n_vocab(); ++t) {
        bool ok;
        if (tok.IsEndOfGeneration(t)) {
          ok = start.IsAccepting();
        } else if (tok.IsControl(t)) {
          ok = false;
        } else {
          const std::string piece = tok.Piece(t);
          Matcher copy = start;
          ok = !piece.empty();
          for (char c : piece) ok = ok && copy.AcceptByte(static_cast<uint8_t>(c));
          ok = ok && copy.MinBytesToClose() <= static_cast<uint64_t>(budget - 1);
        }
        expected_count += ok;
        ASSERT_EQ(allowed[t] != 0, ok) << "token " << t << " '" << tok.Piece(t) << "' after '" << prefix
                                       << "' budget " << budget;
      }
      EXPECT_EQ(count, expected_count);
      // Budget >= bytes to close always leaves a way forward.
      if (budget > close) EXPECT_GT(count, 0) << "after '" << prefix << "' budget " << budget;
    }
  }

  Vocab* vocab_ = nullptr;
};

TEST_P(MaskVsBruteForce, TokenBytesArePieces) {
  const Tokenizer& tok = vocab_->model->tokenizer();
  EXPECT_TRUE(vocab_->mask.covers_all_bytes());
  int with_bytes = 0;
  for (Token t = 0; t < tok.n_vocab(); ++t) {
    if (tok.IsControl(t) || tok.IsEndOfGeneration(t)) {
      EXPECT_TRUE(vocab_->mask.TokenBytes(t).empty()) << t;
    } else {
      EXPECT_EQ(vocab_->mask.TokenBytes(t), tok.Piece(t)) << t;
      with_bytes += !tok.Piece(t).empty();
    }
  }
  EXPECT_GT(with_bytes, tok.n_vocab() * 9 / 10);
}

TEST_P(MaskVsBruteForce, JsonStates) {
  for (const std::string prefix :
       {"", "{", "{\"", "{\"ab", "{\"a\":", "{\"a\": 1", "{\"a\":-", "{\"a\":0", "{\"a\":\"\\", "{\"a\":\"\\u00",
        "{\"a\":\"\xC3", "{\"a\":\"\xF0\x9F", "{\"a\":[", "{\"a\":{\"b\":[1,", "{\"a\":1}", "{\"a\":tr",
        "{\n    "}) {
    SCOPED_TRACE(prefix);
    CheckState(kJsonObjectGbnf, prefix);
  }
}

TEST_P(MaskVsBruteForce, MultiByteGrammar) {
  const std::string gbnf = "root ::= \"\xC3\xA9t\xC3\xA9 \" [\xCE\xB1-\xCF\x89]+ \" \xF0\x9F\x98\x80\" | \"x\"{3,5}\n";
  for (const std::string prefix : {"", "\xC3", "\xC3\xA9t\xC3\xA9 ", "\xC3\xA9t\xC3\xA9 \xCE", "xx"}) {
    SCOPED_TRACE(prefix);
    CheckState(gbnf, prefix);
  }
}

// GrammarConstraint::Mask (which caches masks of repeated states) agrees
// with a fresh TokenMask::Compute at every step of a long generation, and
// Accept refuses what the grammar forbids.
TEST_P(MaskVsBruteForce, ConstraintAlongAGeneration) {
  const Tokenizer& tok = vocab_->model->tokenizer();
  std::unique_ptr<GrammarConstraint> c;
  ASSERT_TRUE(GrammarConstraint::JsonObject(&vocab_->mask, &c).ok());
  EXPECT_FALSE(c->Accept(tok.eos()).ok());  // not accepting yet
  const std::vector<Token> quote = tok.Encode("\"", false, false);
  ASSERT_EQ(quote.size(), 1u);
  EXPECT_FALSE(c->Accept(quote[0]).ok());  // JSON object starts with '{'
  const int budget = 300;
  uint64_t x = 12345;
  int n = 0, hits = 0;
  std::vector<float> logits(tok.n_vocab());
  std::vector<uint8_t> expected;
  while (n < budget && !c->IsComplete()) {
    std::fill(logits.begin(), logits.end(), 0.0f);
    ASSERT_TRUE(c->Mask(logits.data(), budget - n).ok());
    vocab_->mask.Compute(c->matcher(), budget - n, &expected);
    std::vector<Token> allowed;
    for (Token t = 0; t < tok.n_vocab(); ++t) {
      ASSERT_EQ(logits[t] == 0.0f, expected[t] != 0) << "step " << n << " token " << t;
      if (expected[t]) allowed.push_back(t);
    }
    ASSERT_FALSE(allowed.empty());
    // Stay inside strings for a while (same state: the cache is used).
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    Token pick = allowed[(x >> 33) % allowed.size()];
    if (n > 3 && n < 150) {
      for (Token t : allowed) {
        const std::string& b = vocab_->mask.TokenBytes(t);
        if (b.size() > 1 && b.find_first_of("\"\\") == std::string::npos && (x >> 20) % 7) {
          pick = t;
          ++hits;
          break;
        }
      }
    }
    ASSERT_TRUE(c->Accept(pick).ok());
    ++n;
    if (c->ended()) break;
  }
  EXPECT_TRUE(c->IsAccepting());
  EXPECT_GT(hits, 10);
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, MaskVsBruteForce,
                         ::testing::Values("tiny-tinyllama-F32.gguf", "tiny-llama3-F32.gguf"));

}  // namespace
}  // namespace pipit::grammar
