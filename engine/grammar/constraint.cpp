#include "grammar/constraint.h"

#include <cstdint>

#include "grammar/builtin_grammars.h"

namespace pipit::grammar {

Status GrammarConstraint::FromGbnf(std::string_view gbnf, const TokenMask* tokens,
                                   std::unique_ptr<GrammarConstraint>* out) {
  std::unique_ptr<GrammarConstraint> c(new GrammarConstraint());
  PIPIT_TRY(ParseGbnf(gbnf, &c->grammar_));
  c->automaton_ = std::make_unique<Automaton>(&c->grammar_);
  c->matcher_ = Matcher(c->automaton_.get());
  if (!c->matcher_.ok()) return c->automaton_->status();
  c->tokens_ = tokens;
  *out = std::move(c);
  return Status::Ok();
}

Status GrammarConstraint::JsonObject(const TokenMask* tokens, std::unique_ptr<GrammarConstraint>* out) {
  return FromGbnf(kJsonObjectGbnf, tokens, out);
}

Status GrammarConstraint::CheckBudget(int64_t budget) const {
  if (budget < static_cast<int64_t>(MinOutputTokens())) {
    return Status::Error("budget %lld tokens is below the %u this grammar needs", static_cast<long long>(budget),
                         MinOutputTokens());
  }
  return Status::Ok();
}

Status GrammarConstraint::Mask(float* logits, int64_t remaining) {
  last_mask_count_ = -1;
  for (const CachedMask& c : cache_) {
    if (c.state == matcher_.state() && remaining >= 1 && static_cast<uint64_t>(remaining - 1) >= c.max_close) {
      tokens_->ApplyAllowed(c.allowed, logits);
      last_mask_count_ = c.count;
      break;
    }
  }
  if (last_mask_count_ < 0 && remaining > kLooseBudget) {
    // Unlimited budget first: cacheable when the real budget does not bite.
    CachedMask fresh;
    fresh.state = matcher_.state();
    fresh.count = tokens_->Compute(matcher_, INT64_MAX, &fresh.allowed, &fresh.max_close);
    if (remaining >= 1 && static_cast<uint64_t>(remaining - 1) >= fresh.max_close) {
      tokens_->ApplyAllowed(fresh.allowed, logits);
      last_mask_count_ = fresh.count;
      if (cache_.size() < kCachedMasks) {
        cache_.push_back(std::move(fresh));
      } else {
        cache_[cache_next_] = std::move(fresh);
        cache_next_ = (cache_next_ + 1) % kCachedMasks;
      }
    }
  }
  if (last_mask_count_ < 0) last_mask_count_ = tokens_->Apply(matcher_, remaining, logits, &scratch_);
  if (last_mask_count_ > 0) return Status::Ok();
  if (!automaton_->status().ok()) return automaton_->status();
  return Status::Error("the grammar allows no token here (%lld tokens left, %u bytes needed to finish)",
                       static_cast<long long>(remaining), matcher_.MinBytesToClose());
}

Status GrammarConstraint::Accept(Token t) {
  if (t < 0 || t >= tokens_->n_vocab()) return Status::Error("token %d is out of range", t);
  if (tokens_->IsEndOfGeneration(t)) {
    if (!matcher_.IsAccepting()) return Status::Error("end of generation before the grammar is complete");
    ended_ = true;
    return Status::Ok();
  }
  const std::string& bytes = tokens_->TokenBytes(t);
  if (bytes.empty() || !matcher_.AcceptBytes(bytes)) {
    if (!automaton_->status().ok()) return automaton_->status();
    return Status::Error("token %d is not allowed by the grammar here", t);
  }
  return Status::Ok();
}

}  // namespace pipit::grammar
