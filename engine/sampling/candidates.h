// The candidate list the truncation steps work on, and the steps themselves
// (llama.cpp's top-k, top-p, min-p, temperature and dist samplers, same
// semantics). Every step keeps at least one candidate.
//
// Ordering is fully deterministic: "best first" means higher logit first and,
// among equal logits, lower token id first. Unsorted lists are in token-id
// order, so the same logits always give the same list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pipit {

struct TokenCandidate {
  float logit;
  int32_t id;
  float weight;  // scratch: exp(logit - max logit), set by top-p and the draw
};

// A reusable buffer of candidates: `items` keeps its capacity between calls,
// `size` says how many are live.
struct CandidateList {
  std::vector<TokenCandidate> items;  // [capacity]; the first `size` are live
  size_t size = 0;
  bool sorted = false;  // true once the live items are in best-first order

  void Clear() { size = 0; sorted = false; }
  TokenCandidate* begin() { return items.data(); }
  TokenCandidate* end() { return items.data() + size; }
};

// Fills `list` with every token of logits [n_vocab] that can be sampled:
// -inf (masked) and NaN are left out; +inf is clamped to the largest float so
// that the softmax stays finite.
void CollectCandidates(const float* logits, int n_vocab, CandidateList* list);

// Index of the best finite-or-+inf logit (ties -> lowest id); -1 when every
// logit is -inf or NaN.
int32_t ArgmaxToken(const float* logits, int n_vocab);

// Keeps the k best (k <= 0: off). Leaves the list sorted when it truncates.
// O(n) for small k (one comparison per rejected token).
void KeepTopK(CandidateList* list, int k);

// Keeps the smallest best-first prefix whose softmax mass is >= p
// (p >= 1: off). On an unsorted list this is a mass-weighted quickselect,
// O(n) expected, so a wide nucleus over a 128k vocabulary needs no full
// sort; the kept tokens are then in a deterministic but unspecified order.
void KeepTopP(CandidateList* list, float p);

// Keeps the tokens whose probability is >= min_p * the largest probability,
// i.e. logit >= max_logit + log(min_p) (min_p <= 0: off).
void KeepMinP(CandidateList* list, float min_p);

// Divides every logit by temperature (> 0).
void ApplyTemperature(CandidateList* list, float temperature);

// Draws one token from the softmax of the live logits. `u` is uniform in
// [0, 1). Weights are exp(logit - max) in float, summed in double.
int32_t DrawToken(CandidateList* list, double u);

}  // namespace pipit
