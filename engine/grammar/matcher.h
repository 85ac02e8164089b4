// Matcher: a position in the grammar, fed one byte at a time. A value type
// (an automaton pointer and a state id): copying it is a checkpoint, and
// copies share the automaton's transition cache.
#pragma once

#include <cstdint>
#include <string_view>

#include "grammar/automaton.h"

namespace pipit::grammar {

class Matcher {
 public:
  Matcher() = default;
  // At the start of the grammar; dead (ok() false) if a limit was hit.
  explicit Matcher(Automaton* automaton) : automaton_(automaton), state_(automaton->Start()) {}

  // False (and the state unchanged) when the byte can not follow.
  bool AcceptByte(uint8_t byte) {
    if (state_ == kDeadState) return false;
    const StateId next = automaton_->Next(state_, byte);
    if (next == kDeadState) return false;
    state_ = next;
    return true;
  }
  // All bytes or none: on failure the state is unchanged.
  bool AcceptBytes(std::string_view bytes) {
    if (state_ == kDeadState) return false;
    StateId s = state_;
    for (char c : bytes) {
      s = automaton_->Next(s, static_cast<uint8_t>(c));
      if (s == kDeadState) return false;
    }
    state_ = s;
    return true;
  }

  bool ok() const { return state_ != kDeadState; }
  bool IsAccepting() const { return ok() && automaton_->IsAccepting(state_); }
  bool IsComplete() const { return ok() && automaton_->IsComplete(state_); }
  uint32_t MinBytesToClose() const { return ok() ? automaton_->MinBytesToClose(state_) : kInfiniteBytes; }

  StateId state() const { return state_; }
  Automaton* automaton() const { return automaton_; }

 private:
  Automaton* automaton_ = nullptr;
  StateId state_ = kDeadState;
};

}  // namespace pipit::grammar
