#include "sampling/candidates.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace pipit {
namespace {

// Best first: higher logit, then lower id. Ids are unique, so this is a
// strict total order and the k best / the sorted order are unique: the
// results do not depend on the standard library's sort or heap algorithms.
bool BetterThan(const TokenCandidate& a, const TokenCandidate& b) {
  if (a.logit != b.logit) return a.logit > b.logit;
  return a.id < b.id;
}

float MaxLogit(const CandidateList& list) {
  if (list.sorted) return list.items[0].logit;
  float max_logit = list.items[0].logit;
  for (size_t i = 1; i < list.size; ++i) max_logit = std::max(max_logit, list.items[i].logit);
  return max_logit;
}

// Sets every live weight to exp(logit - max) and returns their sum.
double ComputeWeights(CandidateList* list) {
  const float max_logit = MaxLogit(*list);
  double total = 0.0;
  for (size_t i = 0; i < list->size; ++i) {
    TokenCandidate& c = list->items[i];
    c.weight = std::exp(c.logit - max_logit);
    total += c.weight;
  }
  return total;
}

// Partitions a[lo, hi) (hi - lo >= 3) around a median-of-three pivot: items
// better than the pivot come first, then the pivot, then the rest. Returns
// the pivot's index; *better_mass gets the summed weight before it.
size_t PartitionByPivot(TokenCandidate* a, size_t lo, size_t hi, double* better_mass) {
  const size_t mid = lo + (hi - lo) / 2;
  // Order a[lo], a[mid], a[hi-1] best-first, then use the middle one.
  if (BetterThan(a[mid], a[lo])) std::swap(a[mid], a[lo]);
  if (BetterThan(a[hi - 1], a[lo])) std::swap(a[hi - 1], a[lo]);
  if (BetterThan(a[hi - 1], a[mid])) std::swap(a[hi - 1], a[mid]);
  std::swap(a[mid], a[hi - 1]);
  const TokenCandidate pivot = a[hi - 1];

  size_t store = lo;
  double mass = 0.0;
  for (size_t i = lo; i + 1 < hi; ++i) {
    if (BetterThan(a[i], pivot)) {
      mass += a[i].weight;
      std::swap(a[i], a[store++]);
    }
  }
  std::swap(a[store], a[hi - 1]);
  *better_mass = mass;
  return store;
}

}  // namespace

void CollectCandidates(const float* logits, int n_vocab, CandidateList* list) {
  if (list->items.size() < static_cast<size_t>(n_vocab)) list->items.resize(n_vocab);
  constexpr float kLargest = std::numeric_limits<float>::max();
  size_t n = 0;
  for (int32_t id = 0; id < n_vocab; ++id) {
    const float logit = logits[id];
    if (!(logit > -INFINITY)) continue;  // -inf (masked) or NaN
    list->items[n++] = {logit > kLargest ? kLargest : logit, id, 0.0f};
  }
  list->size = n;
  list->sorted = false;
}

int32_t ArgmaxToken(const float* logits, int n_vocab) {
  int32_t best = -1;
  float best_logit = -INFINITY;
  for (int32_t id = 0; id < n_vocab; ++id) {
    // Strict '>' keeps the lowest id among ties; NaN never compares greater.
    if (logits[id] > best_logit) {
      best_logit = logits[id];
      best = id;
    }
  }
  return best;
}

void KeepTopK(CandidateList* list, int k) {
  if (k <= 0 || static_cast<size_t>(k) >= list->size) return;
  TokenCandidate* a = list->items.data();
  const size_t n = list->size;
  const size_t kk = static_cast<size_t>(k);
  if (list->sorted) {
    list->size = kk;
    return;
  }
  if (kk * 16 <= n) {
    // Small k: keep the k best so far in a heap whose top is the worst of
    // them; most tokens are rejected by one comparison with that top.
    std::make_heap(a, a + kk, BetterThan);
    for (size_t i = kk; i < n; ++i) {
      if (BetterThan(a[i], a[0])) {
        std::pop_heap(a, a + kk, BetterThan);
        a[kk - 1] = a[i];
        std::push_heap(a, a + kk, BetterThan);
      }
    }
  } else {
    std::nth_element(a, a + (kk - 1), a + n, BetterThan);
  }
  std::sort(a, a + kk, BetterThan);
  list->size = kk;
  list->sorted = true;
}

void KeepTopP(CandidateList* list, float p) {
  if (p >= 1.0f || list->size <= 1) return;
  const double target = static_cast<double>(p) * ComputeWeights(list);
  TokenCandidate* a = list->items.data();

  if (list->sorted) {
    double cumulative = 0.0;
    for (size_t i = 0; i < list->size; ++i) {
      cumulative += a[i].weight;
      if (cumulative >= target) {
        list->size = i + 1;
        return;
      }
    }
    return;  // rounding: the whole list
  }

  // Quickselect on mass. Invariant: a[0, lo) are the lo best tokens, with
  // summed weight `before` < target; the cut lies in a[lo, hi).
  size_t lo = 0, hi = list->size;
  double before = 0.0;
  for (int round = 0; hi - lo > 32 && round < 64; ++round) {
    double better_mass = 0.0;
    const size_t m = PartitionByPivot(a, lo, hi, &better_mass);
    if (before + better_mass >= target) {
      hi = m;  // the cut is among the tokens better than the pivot
      continue;
    }
    before += better_mass + a[m].weight;
    if (before >= target) {
      list->size = m + 1;
      return;
    }
    lo = m + 1;
  }
  // Few tokens left (or an unlucky pivot sequence): sort the rest and walk.
  std::sort(a + lo, a + hi, BetterThan);
  for (size_t i = lo; i < hi; ++i) {
    before += a[i].weight;
    if (before >= target) {
      list->size = i + 1;
      if (lo == 0) list->sorted = true;
      return;
    }
  }
  list->size = hi;  // rounding: the mass of a[lo, hi) reached it in another order
}

void KeepMinP(CandidateList* list, float min_p) {
  if (min_p <= 0.0f || list->size <= 1) return;
  // min_p > 1 would keep nothing; clamped, it keeps the best token(s).
  const float min_logit = MaxLogit(*list) + std::log(std::min(min_p, 1.0f));
  size_t kept = 0;
  for (size_t i = 0; i < list->size; ++i) {
    // Compacting in place keeps the current order (sorted or not). The max
    // itself always passes because log(min_p) <= 0.
    if (list->items[i].logit >= min_logit) list->items[kept++] = list->items[i];
  }
  list->size = kept;
}

void ApplyTemperature(CandidateList* list, float temperature) {
  for (size_t i = 0; i < list->size; ++i) list->items[i].logit /= temperature;
}

int32_t DrawToken(CandidateList* list, double u) {
  if (list->size == 0) return -1;
  if (list->size == 1) return list->items[0].id;

  const double target = u * ComputeWeights(list);
  // Pick the first candidate whose cumulative weight passes u * total.
  // Strict '>' means a zero-weight (underflowed) candidate is never chosen.
  double cumulative = 0.0;
  size_t last_nonzero = 0;
  for (size_t i = 0; i < list->size; ++i) {
    const float w = list->items[i].weight;
    if (w == 0.0f) continue;
    cumulative += w;
    last_nonzero = i;
    if (cumulative > target) return list->items[i].id;
  }
  // Rounding left the sum a hair short of the target.
  return list->items[last_nonzero].id;
}

}  // namespace pipit
