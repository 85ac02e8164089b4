// TokenMask: which tokens a grammar allows next, decided from each token's
// BYTES (Tokenizer::Piece: byte-fallback tokens <0x7B> are one byte, SPM "▁"
// is a space, byte-level BPE characters are their bytes), so a token that
// ends in the middle of a UTF-8 character is handled like any other.
//
// Built once per tokenizer: the token byte strings in a trie flattened in
// depth-first order. Computing a mask walks the trie carrying the automaton
// state, so a prefix shared by many tokens is matched once and a rejected
// prefix skips its whole subtree.
//
// Budget: with `budget` tokens left (this one included), a token is allowed
// only if the grammar can still be closed in budget - 1 more tokens; that is
// checked as MinBytesToClose(state after the token) <= budget - 1, a valid
// bound when every single byte is a token (covers_all_bytes(): SPM byte
// fallback or byte-level BPE), because the cheapest closing bytes can then
// always be emitted one token each. The invariant "closable within the
// budget" then holds at every step, so output cut by the budget is complete.
// End-of-generation tokens are allowed only in an accepting state; control
// tokens never.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "grammar/matcher.h"
#include "tokenizer/tokenizer.h"

namespace pipit::grammar {

class TokenMask {
 public:
  Status Build(const Tokenizer& tokenizer);

  // allowed[t] = 1 for every token allowed after `m` with `budget` tokens
  // left (this one included); returns how many are allowed. *max_close
  // (optional) gets the largest MinBytesToClose after an allowed token: the
  // same mask holds for every budget with budget - 1 >= it.
  int Compute(const Matcher& m, int64_t budget, std::vector<uint8_t>* allowed, uint32_t* max_close = nullptr) const;
  // Sets the logits of disallowed tokens to -inf; returns how many remain.
  int Apply(const Matcher& m, int64_t budget, float* logits, std::vector<uint8_t>* scratch) const;
  // Sets logits[t] = -inf where allowed[t] == 0.
  void ApplyAllowed(const std::vector<uint8_t>& allowed, float* logits) const;

  // The bytes a token adds to the output ("" for control tokens).
  const std::string& TokenBytes(Token t) const { return bytes_[static_cast<size_t>(t)]; }
  bool IsEndOfGeneration(Token t) const { return t >= 0 && t < n_vocab_ && is_eog_[static_cast<size_t>(t)]; }
  bool covers_all_bytes() const { return covers_all_bytes_; }
  int n_vocab() const { return n_vocab_; }
  size_t n_trie_nodes() const { return nodes_.size(); }

 private:
  struct TrieNode {
    uint8_t byte;
    uint16_t depth;        // 1 for the first byte of a token
    uint32_t subtree_end;  // index just past this node's subtree
    uint32_t token_begin;  // tokens ending here: tokens_[token_begin, token_begin + n_tokens)
    uint32_t n_tokens;
  };

  int n_vocab_ = 0;
  std::vector<std::string> bytes_;  // [n_vocab]
  std::vector<uint8_t> is_eog_;     // [n_vocab]
  std::vector<Token> eog_tokens_;
  std::vector<TrieNode> nodes_;     // depth-first order
  std::vector<Token> tokens_;
  uint16_t max_depth_ = 0;
  bool covers_all_bytes_ = false;
};

}  // namespace pipit::grammar
