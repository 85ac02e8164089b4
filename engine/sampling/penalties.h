// Repetition penalties over a window of recently accepted tokens, with
// llama.cpp's semantics (llama_sampler_penalties). For every token that occurs
// `count` > 0 times in the window:
//   repeat:    logit > 0 ? logit / repeat_penalty : logit * repeat_penalty
//   then:      logit -= count * frequency_penalty + presence_penalty
// Each distinct token is penalized once per call, however often it occurs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pipit {

class PenaltyWindow {
 public:
  // window: how many of the most recent tokens count; 0 disables penalties,
  // -1 means every token accepted since the last Reset().
  PenaltyWindow(int n_vocab, int window);

  // Records one token. Ids outside [0, n_vocab) are ignored.
  void Accept(int32_t token);
  void Reset();

  // True when the three penalties would change nothing.
  static bool IsNeutral(float repeat, float presence, float frequency) {
    return repeat == 1.0f && presence == 0.0f && frequency == 0.0f;
  }

  // Applies the penalties in place to logits [n_vocab]. -inf stays -inf.
  void Apply(float* logits, float repeat, float presence, float frequency);

  // Occurrences of `token` in the current window (for tests and callers).
  int Count(int32_t token) const;

 private:
  int n_vocab_;
  int window_;
  // The window as a ring buffer [window_] when bounded; unused when unbounded
  // (window_ == -1), where only the counts are kept.
  std::vector<int32_t> ring_;
  size_t ring_head_ = 0;   // index of the oldest token once the ring is full
  size_t ring_size_ = 0;
  std::vector<int32_t> counts_;     // [n_vocab] occurrences in the window
  std::vector<int32_t> distinct_;   // tokens with counts_ > 0, any order
  std::vector<int32_t> slot_;       // [n_vocab] index into distinct_, or -1
};

}  // namespace pipit
