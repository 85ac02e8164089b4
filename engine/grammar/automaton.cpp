#include "grammar/automaton.h"

#include <algorithm>
#include <cstring>

namespace pipit::grammar {
namespace {

uint32_t AddSat(uint32_t a, uint32_t b) { return std::min<uint64_t>(uint64_t{a} + b, kInfiniteBytes); }

// The smallest code point of each UTF-8 length (shorter encodings are invalid).
constexpr uint32_t kMinCodePoint[5] = {0, 0, 0x80, 0x800, 0x10000};

}  // namespace

Automaton::Automaton(const Grammar* grammar, const AutomatonLimits& limits) : grammar_(grammar), limits_(limits) {
  nodes_.push_back({UINT32_MAX, 0, 0, 0});  // the empty stack
}

void Automaton::Fail(const char* what) {
  overflow_ = true;
  if (status_.ok()) status_ = Status::Error("grammar matcher: %s", what);
}

// A frame at `pos` on top of `parent`; a position at the end of its
// alternative is no frame at all (the parent continues), which is what makes
// tail references free.
uint32_t Automaton::MakeNode(uint32_t pos, uint32_t parent) {
  if (parent == kNoNode) return kNoNode;
  if (grammar_->elements[pos].type == ElementType::kEndOfAlternative) return parent;
  const uint64_t key = uint64_t{pos} << 32 | parent;
  auto it = node_index_.find(key);
  if (it != node_index_.end()) return it->second;
  const Node& below = nodes_[parent];
  if (below.depth + 1 > limits_.max_stack_depth) {
    Fail("the parse is nested too deeply (stack depth limit)");
    return kNoNode;
  }
  if (nodes_.size() >= limits_.max_nodes) {
    Fail("too many distinct stack frames (node limit)");
    return kNoNode;
  }
  const uint32_t id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back({pos, parent, below.depth + 1, AddSat(grammar_->suffix_min_bytes[pos], below.cost)});
  node_index_.emplace(key, id);
  return id;
}

void Automaton::Push(uint32_t node) {
  if (node == kNoNode) return;
  if (visit_mark_.size() < nodes_.size()) visit_mark_.resize(nodes_.size() * 2, 0);
  if (visit_mark_[node] == generation_) return;
  visit_mark_[node] = generation_;
  worklist_.push_back(node);
}

// Expands rule references until every stack's top is a character class (or
// the stack is empty); those stacks go to found_. The visit marks make each
// frame expand once, so tail cycles (x* of a nullable x) end.
void Automaton::ExpandWorklist() {
  const Grammar& g = *grammar_;
  while (!worklist_.empty()) {
    const uint32_t n = worklist_.back();
    worklist_.pop_back();
    if (n == 0) {
      found_.push_back(0);
      continue;
    }
    const Node node = nodes_[n];
    const Element& e = g.elements[node.pos];
    if (e.type == ElementType::kChar) {
      found_.push_back(n);
      continue;
    }
    const uint32_t after = MakeNode(node.pos + 1, node.parent);
    for (uint32_t alt : g.rules[e.value].alts) Push(MakeNode(alt, after));
  }
}

StateId Automaton::Start() {
  if (start_ != kUnknown) return start_;
  ++generation_;
  overflow_ = false;
  found_.clear();
  for (uint32_t alt : grammar_->rules[grammar_->root].alts) Push(MakeNode(alt, 0));
  ExpandWorklist();
  StateData none{};
  start_ = overflow_ ? kDeadState : Intern(&found_, none);
  return start_;
}

StateId Automaton::ComputeNext(StateId s, uint8_t byte) {
  const StateId next = Transition(s, byte);
  if (table_of_[s] < 0) {
    if ((transitions_.size() + 256) * sizeof(StateId) > limits_.max_table_bytes) {
      // Full: forget every cached transition (states stay valid).
      transitions_.clear();
      std::fill(table_of_.begin(), table_of_.end(), -1);
    }
    table_of_[s] = static_cast<int32_t>(transitions_.size());
    transitions_.resize(transitions_.size() + 256, kUnknown);
  }
  transitions_[static_cast<size_t>(table_of_[s]) + byte] = next;
  return next;
}

StateId Automaton::Transition(StateId s, uint8_t byte) {
  const StateData d = data_[s];
  std::vector<uint32_t> stacks(stack_pool_.begin() + d.first_stack,
                               stack_pool_.begin() + d.first_stack + d.n_stacks);
  if (d.left > 0) {
    if (byte < d.next_lo || byte > d.next_hi) return kDeadState;
    const uint32_t cp = d.cp << 6 | (byte & 0x3F);
    if (d.left == 1) return AdvanceCodePoint(stacks, cp);
    return Pending(stacks, cp, static_cast<uint8_t>(d.left - 1), d.length, 0x80, 0xBF);
  }
  if (byte < 0x80) return AdvanceCodePoint(stacks, byte);
  // A lead byte; the valid second bytes exclude overlong forms, surrogates
  // and code points above U+10FFFF (RFC 3629).
  if (byte >= 0xC2 && byte <= 0xDF) return Pending(stacks, byte & 0x1F, 1, 2, 0x80, 0xBF);
  if (byte >= 0xE0 && byte <= 0xEF) {
    const uint8_t lo = byte == 0xE0 ? 0xA0 : 0x80, hi = byte == 0xED ? 0x9F : 0xBF;
    return Pending(stacks, byte & 0x0F, 2, 3, lo, hi);
  }
  if (byte >= 0xF0 && byte <= 0xF4) {
    const uint8_t lo = byte == 0xF0 ? 0x90 : 0x80, hi = byte == 0xF4 ? 0x8F : 0xBF;
    return Pending(stacks, byte & 0x07, 3, 4, lo, hi);
  }
  return kDeadState;  // continuation byte without a lead, or never valid
}

StateId Automaton::AdvanceCodePoint(const std::vector<uint32_t>& stacks, uint32_t cp) {
  const Grammar& g = *grammar_;
  ++generation_;
  overflow_ = false;
  found_.clear();
  for (uint32_t n : stacks) {
    if (n == 0) continue;
    const Node node = nodes_[n];
    if (!g.ClassContains(g.elements[node.pos].value, cp)) continue;
    Push(MakeNode(node.pos + 1, node.parent));
  }
  ExpandWorklist();
  if (overflow_ || found_.empty()) return kDeadState;
  StateData none{};
  return Intern(&found_, none);
}

StateId Automaton::Pending(const std::vector<uint32_t>& stacks, uint32_t cp, uint8_t left, uint8_t length,
                           uint8_t next_lo, uint8_t next_hi) {
  const Grammar& g = *grammar_;
  // The code points this prefix can still become.
  uint32_t lo = cp << (6 * left);
  uint32_t hi = lo | ((1u << (6 * left)) - 1);
  lo = std::max(lo, kMinCodePoint[length]);
  hi = std::min<uint32_t>(hi, 0x10FFFF);
  if (lo <= 0xD800 && hi == 0xDFFF) hi = 0xD7FF;  // lead byte 0xED: no surrogates
  std::vector<uint32_t> kept;
  for (uint32_t n : stacks) {
    if (n != 0 && g.ClassIntersects(g.elements[nodes_[n].pos].value, lo, hi)) kept.push_back(n);
  }
  if (kept.empty()) return kDeadState;
  StateData d{};
  d.cp = cp;
  d.left = left;
  d.length = length;
  d.next_lo = next_lo;
  d.next_hi = next_hi;
  return Intern(&kept, d);
}

StateId Automaton::Intern(std::vector<uint32_t>* stacks, const StateData& pending) {
  if (stacks->empty()) return kDeadState;
  std::sort(stacks->begin(), stacks->end());
  stacks->erase(std::unique(stacks->begin(), stacks->end()), stacks->end());
  if (stacks->size() > limits_.max_stacks) {
    Fail("too many parses alive at once (ambiguous grammar)");
    return kDeadState;
  }
  std::string key(stacks->size() * sizeof(uint32_t) + 8, '\0');
  std::memcpy(key.data(), stacks->data(), stacks->size() * sizeof(uint32_t));
  char* tail = key.data() + stacks->size() * sizeof(uint32_t);
  std::memcpy(tail, &pending.cp, 4);
  tail[4] = static_cast<char>(pending.left);
  tail[5] = static_cast<char>(pending.length);
  tail[6] = static_cast<char>(pending.next_lo);
  tail[7] = static_cast<char>(pending.next_hi);
  auto it = state_index_.find(key);
  if (it != state_index_.end()) return it->second;
  if (table_of_.size() >= limits_.max_states) {
    Fail("too many distinct parse states (state limit)");
    return kDeadState;
  }

  const Grammar& g = *grammar_;
  StateData d = pending;
  d.first_stack = static_cast<uint32_t>(stack_pool_.size());
  d.n_stacks = static_cast<uint32_t>(stacks->size());
  stack_pool_.insert(stack_pool_.end(), stacks->begin(), stacks->end());
  uint32_t min_close = kInfiniteBytes;
  for (uint32_t n : *stacks) {
    const Node& node = nodes_[n];
    // A pending character: its remaining bytes, then what follows its class.
    const uint32_t cost =
        pending.left > 0 ? AddSat(pending.left, AddSat(g.suffix_min_bytes[node.pos + 1], nodes_[node.parent].cost))
                         : node.cost;
    min_close = std::min(min_close, cost);
  }
  uint8_t flags = 0;
  if (pending.left == 0 && (*stacks)[0] == 0) {
    flags |= kAccepting;
    if (stacks->size() == 1) flags |= kComplete;
  }
  const StateId id = static_cast<StateId>(table_of_.size());
  table_of_.push_back(-1);
  flags_.push_back(flags);
  min_close_.push_back(min_close);
  data_.push_back(d);
  state_index_.emplace(std::move(key), id);
  return id;
}

}  // namespace pipit::grammar
