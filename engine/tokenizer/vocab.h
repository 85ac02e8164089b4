// The vocabulary the encoders work on (internal to engine/tokenizer/).
//
// Built to cost little anonymous memory, since it lives as long as the
// model: token texts are not copied but referenced in the GGUF bytes (the
// memory-mapped file or flash, which must outlive the Vocab), text -> id is
// a flat open-addressing table of ids, and BPE merges are keyed by their two
// token ids: about 17 bytes per token (+4 for SPM scores) and 12 per merge,
// where std::string copies and node-based maps took ~145 and ~75.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "tokenizer/pretokenize.h"

namespace pipit::tokenizer {

// llama.cpp's token attributes (from GGUF token_type: 1 normal, 2 unknown,
// 3 control, 4 user-defined, 5 unused, 6 byte).
enum TokenAttr : uint8_t {
  kAttrUndefined = 0,
  kAttrUnknown = 1u << 0,
  kAttrUnused = 1u << 1,
  kAttrNormal = 1u << 2,
  kAttrControl = 1u << 3,
  kAttrUserDefined = 1u << 4,
  kAttrByte = 1u << 5,
};

class Vocab {
 public:
  // Takes the token texts (views into bytes that outlive the Vocab; an empty
  // text becomes "[EMPTY_<id>]" in owned storage, as in llama.cpp), one
  // score per token (empty: all 0) and one TokenAttr set per token.
  Status SetTokens(const std::vector<std::string_view>& texts, std::vector<float> scores,
                   std::vector<uint8_t> attrs);
  // BPE merges "left right" in rank order (call after SetTokens). The first
  // occurrence of a pair wins; a line without a separating space can never
  // match, as in llama.cpp.
  void SetMerges(const std::vector<std::string_view>& merges);

  int32_t size() const { return static_cast<int32_t>(refs_.size()); }
  std::string_view Text(int32_t id) const {
    const TextRef r = refs_[id];
    const char* base = (r.offset & kOwnedBit) ? owned_.data() : file_base_;
    return {base + (r.offset & ~kOwnedBit), r.size};
  }
  float Score(int32_t id) const { return scores_.empty() ? 0.0f : scores_[id]; }
  uint32_t Attr(int32_t id) const { return attrs_[id]; }
  void AddAttr(int32_t id, uint32_t attr) { attrs_[id] = static_cast<uint8_t>(attrs_[id] | attr); }

  // text -> id; a duplicated text maps to its last id, like llama.cpp. -1
  // when absent.
  int32_t Find(std::string_view text) const;
  // Rank of the merge of two adjacent symbols (their texts, and their ids
  // from Find, -1 for a text that is no token); -1 when there is none.
  int32_t MergeRank(int32_t left_id, std::string_view left, int32_t right_id,
                    std::string_view right) const;

  int32_t unk = -1;

 private:
  static constexpr uint32_t kOwnedBit = 0x80000000u;
  // Where a token's text is: offset from file_base_, or (kOwnedBit set)
  // into owned_.
  struct TextRef {
    uint32_t offset;
    uint32_t size;
  };
  static uint64_t HashText(std::string_view text);
  // One merge_slots_ entry; the key alone is entry >> rank_bits_.
  uint64_t PackMerge(uint32_t left, uint32_t right, uint32_t rank_plus_1) const {
    return ((static_cast<uint64_t>(left) << id_bits_ | right) << rank_bits_) | rank_plus_1;
  }
  bool InsertMerge(uint64_t key_and_rank);  // false when the pair is already there

  const char* file_base_ = nullptr;
  std::string owned_;               // texts that are not in the file
  std::vector<TextRef> refs_;       // [n_vocab]
  std::vector<float> scores_;       // [n_vocab] or empty (all 0)
  std::vector<uint8_t> attrs_;      // [n_vocab] TokenAttr bits
  std::vector<int32_t> index_;      // open addressing, -1 = empty; ~2 slots per token

  // Merges whose sides are both tokens: each slot packs
  // (left id, right id, rank + 1) into 64 bits; 0 = empty. id_bits_ and
  // rank_bits_ are sized to the vocabulary and the merge count.
  std::vector<uint64_t> merge_slots_;
  uint32_t id_bits_ = 0, rank_bits_ = 0;
  bool packed_merges_ = false;
  // The rest (a side that is no token, or ids too wide to pack): keyed by
  // 4-byte left length + left + right.
  std::unordered_map<std::string, int32_t> merge_fallback_;
};

// Appends the tokens of one span of plain text (no special tokens).
// SPM: `text` already has spaces escaped to U+2581 and any prefix added.
void EncodeSpm(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out);
void EncodeBpe(const Vocab& vocab, PreTokenizer pre, bool ignore_merges, std::string_view text,
               std::vector<int32_t>* out);

}  // namespace pipit::tokenizer
