#include "sampling/penalties.h"

#include <cmath>

namespace pipit {

PenaltyWindow::PenaltyWindow(int n_vocab, int window)
    : n_vocab_(n_vocab < 0 ? 0 : n_vocab),
      window_(window < -1 ? -1 : window),
      counts_(static_cast<size_t>(n_vocab_), 0),
      slot_(static_cast<size_t>(n_vocab_), -1) {
  if (window_ > 0) ring_.resize(static_cast<size_t>(window_));
}

void PenaltyWindow::Reset() {
  for (int32_t token : distinct_) {
    counts_[token] = 0;
    slot_[token] = -1;
  }
  distinct_.clear();
  ring_head_ = 0;
  ring_size_ = 0;
}

void PenaltyWindow::Accept(int32_t token) {
  if (window_ == 0 || token < 0 || token >= n_vocab_) return;

  if (window_ > 0 && ring_size_ == ring_.size()) {
    // The window is full: the oldest token leaves it.
    const int32_t old = ring_[ring_head_];
    if (--counts_[old] == 0) {
      // Swap-remove `old` from distinct_.
      const int32_t at = slot_[old];
      const int32_t last = distinct_.back();
      distinct_[at] = last;
      slot_[last] = at;
      distinct_.pop_back();
      slot_[old] = -1;
    }
    ring_[ring_head_] = token;
    ring_head_ = (ring_head_ + 1) % ring_.size();
  } else if (window_ > 0) {
    ring_[ring_size_++] = token;
  }
  // Unbounded windows need only the counts.

  if (counts_[token]++ == 0) {
    slot_[token] = static_cast<int32_t>(distinct_.size());
    distinct_.push_back(token);
  }
}

int PenaltyWindow::Count(int32_t token) const {
  if (token < 0 || token >= n_vocab_) return 0;
  return counts_[token];
}

void PenaltyWindow::Apply(float* logits, float repeat, float presence, float frequency) {
  if (window_ == 0 || IsNeutral(repeat, presence, frequency)) return;
  for (int32_t token : distinct_) {
    float& logit = logits[token];
    if (logit == -INFINITY) continue;  // masked tokens stay masked (and never NaN)
    // Dividing a negative logit would make the token *more* likely, hence
    // the multiply for logit <= 0 (the usual fix, as in llama.cpp).
    if (logit <= 0.0f) {
      logit *= repeat;
    } else {
      logit /= repeat;
    }
    logit -= static_cast<float>(counts_[token]) * frequency + presence;
  }
}

}  // namespace pipit
