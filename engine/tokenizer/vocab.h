// The vocabulary the encoders work on (internal to engine/tokenizer/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/pretokenize.h"

namespace pipit::tokenizer {

// llama.cpp's token attributes (from GGUF token_type: 1 normal, 2 unknown,
// 3 control, 4 user-defined, 5 unused, 6 byte).
enum TokenAttr : uint32_t {
  kAttrUndefined = 0,
  kAttrUnknown = 1u << 0,
  kAttrUnused = 1u << 1,
  kAttrNormal = 1u << 2,
  kAttrControl = 1u << 3,
  kAttrUserDefined = 1u << 4,
  kAttrByte = 1u << 5,
};

struct TokenData {
  std::string text;
  float score = 0.0f;
  uint32_t attr = kAttrNormal;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Vocab {
  std::vector<TokenData> tokens;
  // text -> id; a duplicated text maps to its last id, like llama.cpp.
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> text_to_id;
  // BPE merges: first + '\0' + second -> rank (first occurrence wins).
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> merge_ranks;
  int32_t unk = -1;

  int32_t Find(std::string_view text) const {
    auto it = text_to_id.find(text);
    return it == text_to_id.end() ? -1 : it->second;
  }
  int32_t MergeRank(std::string_view left, std::string_view right) const;
};

// Appends the tokens of one span of plain text (no special tokens).
// SPM: `text` already has spaces escaped to U+2581 and any prefix added.
void EncodeSpm(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out);
void EncodeBpe(const Vocab& vocab, PreTokenizer pre, bool ignore_merges, std::string_view text,
               std::vector<int32_t>* out);

}  // namespace pipit::tokenizer
