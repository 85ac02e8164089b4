#include "sampling/sampler.h"

namespace pipit {
namespace {

SamplingParams Sanitized(SamplingParams p) {
  if (!(p.repeat_penalty > 0.0f)) p.repeat_penalty = 1.0f;  // also catches NaN
  return p;
}

}  // namespace

Sampler::Sampler(const SamplingParams& params, int n_vocab)
    : params_(Sanitized(params)),
      n_vocab_(n_vocab < 0 ? 0 : n_vocab),
      rng_(params.seed),
      penalties_(n_vocab_, params.penalty_last_n) {
  candidates_.items.resize(static_cast<size_t>(n_vocab_));
}

int32_t Sampler::Sample(float* logits) {
  if (logits == nullptr || n_vocab_ == 0) return -1;

  penalties_.Apply(logits, params_.repeat_penalty, params_.presence_penalty,
                   params_.frequency_penalty);

  // Greedy: truncation cannot remove the best token, and temperature 0 keeps
  // only it, so the whole chain reduces to an argmax. No random draw is used.
  if (params_.temperature <= 0.0f) return ArgmaxToken(logits, n_vocab_);

  CollectCandidates(logits, n_vocab_, &candidates_);
  if (candidates_.size == 0) return -1;

  KeepTopK(&candidates_, params_.top_k);
  KeepTopP(&candidates_, params_.top_p);
  KeepMinP(&candidates_, params_.min_p);
  ApplyTemperature(&candidates_, params_.temperature);
  // One draw per sampled token, even when a single candidate is left, so the
  // random stream does not depend on how far truncation went.
  const double u = rng_.UniformDouble();
  return DrawToken(&candidates_, u);
}

void Sampler::Accept(int32_t token) { penalties_.Accept(token); }

void Sampler::Reset() {
  penalties_.Reset();
  rng_.Seed(params_.seed);
}

}  // namespace pipit
