// Token sampling: turns one row of logits into one token id.
//
// The chain follows llama.cpp's default order:
//   penalties -> top-k -> top-p -> min-p -> temperature -> draw
// (llama.cpp's typical-p, XTC, DRY and top-n-sigma steps are not implemented;
// with their default settings they are no-ops there too). Top-p and min-p
// therefore see the untempered distribution, as in llama.cpp.
//
// Determinism: the random draws come from an in-engine xoshiro256** seeded
// with `seed` (no std:: distributions, whose output differs between standard
// libraries), candidate order never depends on the sort implementation, and
// the sampler is single-threaded. Same seed + same logits + same accepted
// tokens => same token on every platform and thread count. (The softmax uses
// std::exp in double; a last-ulp libm difference could only matter when a
// draw lands within ~1e-16 of a bucket boundary.)
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/penalties.h"
#include "sampling/rng.h"

namespace pipit {

struct SamplingParams {
  float temperature = 0.8f;       // <= 0: greedy (argmax after penalties; ties -> lowest id)
  int top_k = 40;                 // <= 0: off
  float top_p = 0.9f;             // >= 1: off
  float min_p = 0.0f;             // <= 0: off; keeps p >= min_p * max p
  float repeat_penalty = 1.0f;    // 1: off; <= 0 is treated as 1.
                                  // logit > 0 ? logit / r : logit * r
  float presence_penalty = 0.0f;  // OpenAI: logit -= presence if the token occurred
  float frequency_penalty = 0.0f; // OpenAI: logit -= count * frequency
  int penalty_last_n = 64;        // penalty window in tokens; 0: penalties off;
                                  // -1: every token accepted since Reset()
  uint64_t seed = 42;
};

class Sampler {
 public:
  Sampler(const SamplingParams& params, int n_vocab);

  // Picks a token from logits [n_vocab]. The array is modified (penalties
  // are applied in place). Tokens whose logit is -inf (e.g. masked by a
  // grammar before this call) or NaN are never returned. Returns -1 when no
  // token can be sampled (every logit -inf/NaN, or logits == nullptr).
  // Does not record the token: call Accept() with the token actually used.
  int32_t Sample(float* logits);

  // Records a token in the penalty history (generated tokens; callers may
  // also feed prompt tokens, as llama.cpp's server does).
  void Accept(int32_t token);

  // Clears the history and re-seeds the generator with params.seed.
  void Reset();

  const SamplingParams& params() const { return params_; }
  const PenaltyWindow& penalties() const { return penalties_; }

 private:
  SamplingParams params_;
  int n_vocab_;
  Xoshiro256 rng_;
  PenaltyWindow penalties_;
  // Reused between calls so that sampling a 128k vocabulary allocates nothing.
  CandidateList candidates_;  // [n_vocab] capacity
};

}  // namespace pipit
