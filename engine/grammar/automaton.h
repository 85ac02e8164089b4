// The byte-level matcher of a Grammar, built lazily as a DFA.
//
// Underneath it is a pushdown recognizer like llama.cpp's: a configuration
// is a set of stacks; each stack frame is "the rest of an alternative" (a
// position in Grammar::elements), the top frame always sits on a character
// class (after expanding rule references), and the empty stack means "the
// root rule is done". Stacks are persistent linked lists whose nodes are
// hash-consed, so equal stacks are equal ids, a configuration is a sorted id
// list, and equal configurations are one DFA state. A pending UTF-8
// character (a token may end mid-character) is part of the state: its bytes
// so far narrow the code points it can still become, and only stacks whose
// class holds one of them survive.
//
// Transitions are computed on first use and cached (256 per state), so the
// token-mask walk mostly costs a table lookup per trie node. The automaton
// is mutable (the cache grows) and not thread-safe: one per generation.
//
// Untrusted grammars: stacks are bounded in depth, configurations in size,
// nodes and states in number; hitting a limit makes the byte fail and sets
// status() to the reason.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "grammar/grammar.h"

namespace pipit::grammar {

using StateId = int32_t;
constexpr StateId kDeadState = -1;

struct AutomatonLimits {
  uint32_t max_stack_depth = 4096;      // nested rule frames (e.g. JSON nesting)
  uint32_t max_stacks = 4096;           // parses alive at once
  uint32_t max_nodes = 1u << 22;        // distinct stack frames ever made
  uint32_t max_states = 1u << 20;       // distinct configurations
  size_t max_table_bytes = 64u << 20;   // transition cache; flushed when full
};

class Automaton {
 public:
  // `grammar` must outlive the automaton.
  explicit Automaton(const Grammar* grammar, const AutomatonLimits& limits = AutomatonLimits());
  Automaton(const Automaton&) = delete;
  Automaton& operator=(const Automaton&) = delete;

  // The configuration before any byte; kDeadState when a limit is hit.
  StateId Start();

  // The state after one more byte, kDeadState when the byte can not follow.
  StateId Next(StateId s, uint8_t byte) {
    const int32_t table = table_of_[s];
    if (table >= 0) {
      const StateId next = transitions_[static_cast<size_t>(table) + byte];
      if (next != kUnknown) return next;
    }
    return ComputeNext(s, byte);
  }

  // The text so far is a complete match of the root rule.
  bool IsAccepting(StateId s) const { return (flags_[s] & kAccepting) != 0; }
  // Accepting, and no byte can follow.
  bool IsComplete(StateId s) const { return (flags_[s] & kComplete) != 0; }
  // Fewest bytes that take this state to an accepting one (0 when accepting).
  uint32_t MinBytesToClose(StateId s) const { return min_close_[s]; }

  const Grammar& grammar() const { return *grammar_; }
  // Ok, or the first limit that was hit.
  const Status& status() const { return status_; }
  size_t n_states() const { return table_of_.size(); }

 private:
  static constexpr StateId kUnknown = -2;
  static constexpr uint32_t kNoNode = UINT32_MAX;
  enum : uint8_t { kAccepting = 1, kComplete = 2 };

  struct Node {  // one stack frame; node 0 is the empty stack
    uint32_t pos;
    uint32_t parent;
    uint32_t depth;
    uint32_t cost;  // fewest bytes to pop this frame and all below it
  };
  struct StateData {
    uint32_t first_stack, n_stacks;  // into stack_pool_, sorted node ids
    uint32_t cp;                     // pending UTF-8 character: bits so far
    uint8_t left;                    // its bytes still to come (0: none pending)
    uint8_t length;                  // its full length in bytes
    uint8_t next_lo, next_hi;        // the range its next byte must be in
  };

  StateId ComputeNext(StateId s, uint8_t byte);
  StateId Transition(StateId s, uint8_t byte);
  StateId AdvanceCodePoint(const std::vector<uint32_t>& stacks, uint32_t cp);
  StateId Pending(const std::vector<uint32_t>& stacks, uint32_t cp, uint8_t left, uint8_t length, uint8_t next_lo,
                  uint8_t next_hi);
  StateId Intern(std::vector<uint32_t>* stacks, const StateData& pending);
  uint32_t MakeNode(uint32_t pos, uint32_t parent);
  void Push(uint32_t node);
  void ExpandWorklist();  // drains worklist_ into found_
  void Fail(const char* what);

  const Grammar* grammar_;
  AutomatonLimits limits_;
  Status status_;
  StateId start_ = kUnknown;

  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> node_index_;  // (pos << 32 | parent) -> node

  // Per state: hot arrays for the walk, cold data for computing transitions.
  std::vector<int32_t> table_of_;  // offset into transitions_, -1 = none yet
  std::vector<uint8_t> flags_;
  std::vector<uint32_t> min_close_;
  std::vector<StateData> data_;
  std::vector<uint32_t> stack_pool_;
  std::unordered_map<std::string, StateId> state_index_;
  std::vector<StateId> transitions_;  // [256 per state with a table]

  // Scratch for expansion.
  std::vector<uint32_t> visit_mark_;  // [nodes] generation that saw the node
  uint32_t generation_ = 0;
  std::vector<uint32_t> worklist_, found_;
  bool overflow_ = false;
};

}  // namespace pipit::grammar
