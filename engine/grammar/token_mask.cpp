#include "grammar/token_mask.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

namespace pipit::grammar {

Status TokenMask::Build(const Tokenizer& tokenizer) {
  n_vocab_ = tokenizer.n_vocab();
  bytes_.assign(static_cast<size_t>(n_vocab_), std::string());
  is_eog_.assign(static_cast<size_t>(n_vocab_), 0);
  eog_tokens_.clear();
  std::vector<Token> order;
  bool single[256] = {};
  for (Token t = 0; t < n_vocab_; ++t) {
    if (tokenizer.IsEndOfGeneration(t)) {
      is_eog_[static_cast<size_t>(t)] = 1;
      eog_tokens_.push_back(t);
      continue;
    }
    if (tokenizer.IsControl(t)) continue;
    std::string piece = tokenizer.Piece(t);
    if (piece.empty()) continue;
    if (piece.size() > 0xFFFF) return Status::Error("token %d is %zu bytes long", t, piece.size());
    if (piece.size() == 1) single[static_cast<uint8_t>(piece[0])] = true;
    bytes_[static_cast<size_t>(t)] = std::move(piece);
    order.push_back(t);
  }
  covers_all_bytes_ = std::all_of(std::begin(single), std::end(single), [](bool b) { return b; });
  std::sort(order.begin(), order.end(), [&](Token a, Token b) {
    const std::string& x = bytes_[static_cast<size_t>(a)];
    const std::string& y = bytes_[static_cast<size_t>(b)];
    return x != y ? x < y : a < b;
  });

  // Insert the sorted strings: each shares its first lcp bytes with the
  // previous one, so only the rest needs new nodes; nodes deeper than lcp
  // are finished (their subtree ends where the new ones start).
  nodes_.clear();
  tokens_.clear();
  max_depth_ = 0;
  std::vector<uint32_t> open;  // open[d] = node at depth d + 1 on the current path
  std::string_view prev;
  for (Token t : order) {
    const std::string_view s = bytes_[static_cast<size_t>(t)];
    size_t lcp = 0;
    while (lcp < s.size() && lcp < prev.size() && s[lcp] == prev[lcp]) ++lcp;
    while (open.size() > lcp) {
      nodes_[open.back()].subtree_end = static_cast<uint32_t>(nodes_.size());
      open.pop_back();
    }
    for (size_t d = lcp; d < s.size(); ++d) {
      TrieNode node{};
      node.byte = static_cast<uint8_t>(s[d]);
      node.depth = static_cast<uint16_t>(d + 1);
      open.push_back(static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(node);
    }
    TrieNode& last = nodes_[open.back()];
    if (last.n_tokens == 0) last.token_begin = static_cast<uint32_t>(tokens_.size());
    tokens_.push_back(t);  // equal strings are adjacent, so a node's tokens are contiguous
    ++last.n_tokens;
    max_depth_ = std::max<uint16_t>(max_depth_, static_cast<uint16_t>(s.size()));
    prev = s;
  }
  while (!open.empty()) {
    nodes_[open.back()].subtree_end = static_cast<uint32_t>(nodes_.size());
    open.pop_back();
  }
  return Status::Ok();
}

int TokenMask::Compute(const Matcher& m, int64_t budget, std::vector<uint8_t>* allowed, uint32_t* max_close) const {
  allowed->assign(static_cast<size_t>(n_vocab_), 0);
  uint32_t largest_close = 0;
  if (!m.ok() || budget <= 0) return 0;
  Automaton* a = m.automaton();
  int count = 0;
  if (a->IsAccepting(m.state())) {
    for (Token t : eog_tokens_) allowed->data()[t] = 1;
    count += static_cast<int>(eog_tokens_.size());
  }
  // After this token, budget - 1 tokens remain to close the grammar.
  const uint64_t close_limit = static_cast<uint64_t>(budget - 1);
  std::vector<StateId> path(static_cast<size_t>(max_depth_) + 1);  // path[d] = state after d bytes
  path[0] = m.state();
  const TrieNode* nodes = nodes_.data();
  const uint32_t n = static_cast<uint32_t>(nodes_.size());
  uint8_t* out = allowed->data();
  for (uint32_t i = 0; i < n;) {
    const TrieNode& node = nodes[i];
    const StateId s = a->Next(path[node.depth - 1], node.byte);
    if (s == kDeadState) {
      i = node.subtree_end;  // no token with this prefix can follow
      continue;
    }
    path[node.depth] = s;
    if (node.n_tokens) {
      const uint32_t close = a->MinBytesToClose(s);
      if (close <= close_limit) {
        for (uint32_t k = 0; k < node.n_tokens; ++k) out[tokens_[node.token_begin + k]] = 1;
        count += static_cast<int>(node.n_tokens);
        largest_close = std::max(largest_close, close);
      }
    }
    ++i;
  }
  if (max_close) *max_close = largest_close;
  return count;
}

void TokenMask::ApplyAllowed(const std::vector<uint8_t>& allowed, float* logits) const {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const uint8_t* a = allowed.data();
  for (int t = 0; t < n_vocab_; ++t) {
    if (!a[t]) logits[t] = neg_inf;
  }
}

int TokenMask::Apply(const Matcher& m, int64_t budget, float* logits, std::vector<uint8_t>* scratch) const {
  const int count = Compute(m, budget, scratch);
  ApplyAllowed(*scratch, logits);
  return count;
}

}  // namespace pipit::grammar
