// Termination guarantee: with random logits (seeded) and token budgets down
// to the smallest the grammar allows, every generation ends within its
// budget with complete, valid output: JSON checked by nlohmann::json, a
// multi-byte grammar checked by decoding its UTF-8 here. Runs on the real
// 32k and 128k vocabularies; skipped when the fixture models are missing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "grammar/constraint.h"
#include "grammar/token_mask.h"
#include "model/model.h"

namespace pipit::grammar {
namespace {

std::string RepoPath(const std::string& rel) { return std::string(PIPIT_SOURCE_DIR) + "/" + rel; }

struct Vocab {
  std::unique_ptr<Model> model;
  TokenMask mask;
  std::vector<float> bias;  // [n_vocab] pushes random generations toward structure
};

Vocab* LoadVocab(const std::string& model_file) {
  static std::vector<std::pair<std::string, std::unique_ptr<Vocab>>> cache;
  for (auto& [name, v] : cache) {
    if (name == model_file) return v.get();
  }
  auto v = std::make_unique<Vocab>();
  if (!Model::Open(RepoPath(".cache/models/" + model_file), &v->model).ok()) return nullptr;
  if (!v->mask.Build(v->model->tokenizer()).ok()) return nullptr;
  v->bias.assign(v->model->tokenizer().n_vocab(), 0.0f);
  for (Token t = 0; t < v->model->tokenizer().n_vocab(); ++t) {
    const std::string& b = v->mask.TokenBytes(t);
    if (!b.empty() && std::string("{}[]\",:0123456789-tfn\\").find(b[0]) != std::string::npos) v->bias[t] = 5.0f;
  }
  cache.emplace_back(model_file, std::move(v));
  return cache.back().second.get();
}

struct Generated {
  std::string text;
  int n_tokens = 0;
  bool ended_by_eos = false;
};

// Picks the best of random logits + bias among the allowed tokens.
Status Generate(GrammarConstraint* c, const Vocab& v, int budget, uint32_t seed, Generated* out) {
  // xorshift64*: cheap noise (a 128k vocabulary per step adds up).
  uint64_t state = 0x9E3779B97F4A7C15ull * (seed + 1);
  auto noise = [&]() {
    state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
    return static_cast<float>((state * 0x2545F4914F6CDD1Dull) >> 40) * (4.0f / 16777216.0f);
  };
  const int n_vocab = v.mask.n_vocab();
  std::vector<float> logits(n_vocab);
  while (out->n_tokens < budget && !c->IsComplete()) {
    for (int t = 0; t < n_vocab; ++t) logits[t] = noise() + v.bias[t];
    PIPIT_TRY(c->Mask(logits.data(), budget - out->n_tokens));
    // The logits are already random: take the best allowed one.
    Token best = -1;
    float best_score = -std::numeric_limits<float>::infinity();
    for (int t = 0; t < n_vocab; ++t) {
      if (logits[t] > best_score) best_score = logits[t], best = t;
    }
    if (best < 0) return Status::Error("nothing to sample");
    PIPIT_TRY(c->Accept(best));
    ++out->n_tokens;
    if (c->ended()) {
      out->ended_by_eos = true;
      break;
    }
    out->text += v.mask.TokenBytes(best);
  }
  return Status::Ok();
}

class Termination : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    vocab_ = LoadVocab(GetParam());
    if (!vocab_) GTEST_SKIP() << "no .cache/models/" << GetParam();
  }
  Vocab* vocab_ = nullptr;
};

TEST_P(Termination, JsonAlwaysCompleteWithinBudget) {
  // Fewer runs on the 128k vocabulary: each starts a cold automaton.
  const uint32_t seeds = vocab_->mask.n_vocab() > 100000 ? 8 : 25;
  int forced = 0, nested = 0, total = 0;
  for (int budget : {2, 3, 4, 5, 6, 8, 11, 16, 24, 40, 64}) {
    for (uint32_t seed = 0; seed < seeds; ++seed) {
      std::unique_ptr<GrammarConstraint> c;
      ASSERT_TRUE(GrammarConstraint::JsonObject(&vocab_->mask, &c).ok());
      ASSERT_TRUE(c->CheckBudget(budget).ok());
      Generated g;
      Status s = Generate(c.get(), *vocab_, budget, seed * 131 + budget, &g);
      ASSERT_TRUE(s.ok()) << s.message() << " budget " << budget << " seed " << seed << " text " << g.text;
      EXPECT_LE(g.n_tokens, budget);
      EXPECT_TRUE(c->IsAccepting());
      nlohmann::json parsed;
      bool parsed_ok = true;
      try {
        parsed = nlohmann::json::parse(g.text);
      } catch (const std::exception& e) {
        parsed_ok = false;
      }
      ASSERT_TRUE(parsed_ok) << "budget " << budget << " seed " << seed << ": " << g.text;
      EXPECT_TRUE(parsed.is_object()) << g.text;
      forced += g.n_tokens == budget;
      nested += g.text.find_first_of("[", 1) != std::string::npos || g.text.find('{', 1) != std::string::npos;
      ++total;
    }
  }
  // The runs must exercise the forced closing, and reach some nesting.
  EXPECT_GT(forced, total / 4);
  EXPECT_GT(nested, 0);
}

TEST_P(Termination, BudgetBelowTheMinimumIsRefused) {
  std::unique_ptr<GrammarConstraint> c;
  ASSERT_TRUE(GrammarConstraint::JsonObject(&vocab_->mask, &c).ok());
  EXPECT_EQ(c->MinOutputTokens(), 2u);
  EXPECT_EQ(c->CheckBudget(1).message(), "budget 1 tokens is below the 2 this grammar needs");
  EXPECT_TRUE(c->CheckBudget(2).ok());
}

// Decodes UTF-8 strictly; false on any malformed sequence.
bool DecodeUtf8(const std::string& s, std::vector<uint32_t>* out) {
  for (size_t i = 0; i < s.size();) {
    const uint8_t b = static_cast<uint8_t>(s[i]);
    const int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      const uint8_t c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    out->push_back(cp);
    i += len;
  }
  return true;
}

TEST_P(Termination, MultiByteGrammarClosesMidCharacter) {
  // Greek letters and an emoji: tokens often end inside a character here.
  const std::string gbnf = "root ::= \"[\" ([\xCE\xB1-\xCF\x89] | \"\xF0\x9F\x98\x80\")* \"]\"\n";
  int forced = 0;
  for (int budget : {2, 3, 4, 7, 12}) {
    for (uint32_t seed = 0; seed < 20; ++seed) {
      std::unique_ptr<GrammarConstraint> c;
      ASSERT_TRUE(GrammarConstraint::FromGbnf(gbnf, &vocab_->mask, &c).ok());
      Generated g;
      Status s = Generate(c.get(), *vocab_, budget, seed, &g);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_LE(g.n_tokens, budget);
      std::vector<uint32_t> cps;
      ASSERT_TRUE(DecodeUtf8(g.text, &cps)) << g.text;
      ASSERT_GE(cps.size(), 2u) << g.text;
      EXPECT_EQ(cps.front(), uint32_t{'['});
      EXPECT_EQ(cps.back(), uint32_t{']'});
      for (size_t i = 1; i + 1 < cps.size(); ++i) {
        EXPECT_TRUE((cps[i] >= 0x3B1 && cps[i] <= 0x3C9) || cps[i] == 0x1F600) << g.text;
      }
      forced += g.n_tokens == budget;
    }
  }
  EXPECT_GT(forced, 0);
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, Termination,
                         ::testing::Values("tiny-tinyllama-F32.gguf", "tiny-llama3-F32.gguf"));

}  // namespace
}  // namespace pipit::grammar
