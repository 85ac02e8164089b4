// GrammarConstraint: what a generation loop (CLI, server) uses to keep a
// model's output inside a grammar.
//
//   std::unique_ptr<GrammarConstraint> g;
//   PIPIT_TRY(GrammarConstraint::FromGbnf(text, &token_mask, &g));  // or JsonObject
//   PIPIT_TRY(g->CheckBudget(max_tokens));
//   while (n < max_tokens && !g->IsComplete()) {
//     PIPIT_TRY(g->Mask(logits, max_tokens - n));  // disallowed -> -inf
//     t = sampler.Sample(logits);
//     PIPIT_TRY(g->Accept(t));
//     if (g->ended()) break;                        // an end-of-generation token
//     ...
//   }
//
// With the budget passed to Mask, the output is complete and valid when the
// budget runs out (see token_mask.h). One constraint per generation; the
// TokenMask is built once per tokenizer and shared (read-only).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "grammar/automaton.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/token_mask.h"

namespace pipit::grammar {

class GrammarConstraint {
 public:
  // GBNF text (untrusted is fine): errors are "line L, column C: ...".
  // `tokens` must outlive the constraint.
  static Status FromGbnf(std::string_view gbnf, const TokenMask* tokens, std::unique_ptr<GrammarConstraint>* out);
  // The built-in JSON object grammar (builtin_grammars.h).
  static Status JsonObject(const TokenMask* tokens, std::unique_ptr<GrammarConstraint>* out);

  // The fewest tokens the shortest output is guaranteed to fit in (its bytes:
  // one token per byte always exists; a budget below it is refused).
  uint32_t MinOutputTokens() const { return grammar_.MinOutputBytes(); }
  // "budget N tokens is below the M this grammar needs" when budget < M.
  Status CheckBudget(int64_t budget) const;

  // Sets logits [n_vocab] of tokens the grammar forbids next to -inf, with
  // `remaining` tokens left to generate (this one included). Error when no
  // token is allowed (a dead end: a limit of the matcher was hit).
  Status Mask(float* logits, int64_t remaining);
  // Moves past a sampled token; error if the grammar does not allow it.
  Status Accept(Token t);

  bool IsAccepting() const { return matcher_.IsAccepting(); }
  // No byte can follow: generation should stop.
  bool IsComplete() const { return ended_ || matcher_.IsComplete(); }
  // An end-of-generation token was accepted.
  bool ended() const { return ended_; }
  int last_mask_count() const { return last_mask_count_; }

  const Grammar& grammar() const { return grammar_; }
  const Matcher& matcher() const { return matcher_; }

  GrammarConstraint(const GrammarConstraint&) = delete;
  GrammarConstraint& operator=(const GrammarConstraint&) = delete;

 private:
  GrammarConstraint() = default;

  Grammar grammar_;
  std::unique_ptr<Automaton> automaton_;  // points at grammar_
  Matcher matcher_;
  const TokenMask* tokens_ = nullptr;
  std::vector<uint8_t> scratch_;  // [n_vocab] allowed flags

  // Masks of recent states computed without a budget limit; reused while
  // the budget is loose enough not to change them (inside a JSON string the
  // state repeats token after token).
  struct CachedMask {
    StateId state = kDeadState;
    std::vector<uint8_t> allowed;  // [n_vocab]
    uint32_t max_close = 0;
    int count = 0;
  };
  static constexpr size_t kCachedMasks = 16;
  static constexpr int64_t kLooseBudget = 64;  // below it the budget usually bites: no caching
  std::vector<CachedMask> cache_;
  size_t cache_next_ = 0;  // round-robin slot to replace
  bool ended_ = false;
  int last_mask_count_ = 0;
};

}  // namespace pipit::grammar
