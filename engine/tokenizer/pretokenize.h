// Byte-level BPE pre-tokenizers: split text into words before merges, the
// way llama.cpp's hand-written versions of the Hugging Face split regexes do
// (llama.cpp's unicode_regex_split_custom_*, which differ from a real regex
// engine in a few corner cases; we follow llama.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipit::tokenizer {

enum class PreTokenizer {
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  //  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kLlama3,
  // Same as kLlama3 with \p{N} (one digit per word).
  kQwen2,
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
  kGpt2,
  // llama.cpp's fallback cascade: [\p{P}\$\+<=>\^~\|]+, then kGpt2, then
  // \p{N}+, then [0-9][0-9][0-9], each splitting the pieces of the previous.
  kDefault,
};

// Returns the words of `text` (UTF-8; invalid bytes become U+FFFD first).
// Concatenating them gives the (sanitized) text back.
std::vector<std::string> PreTokenize(PreTokenizer kind, std::string_view text);

}  // namespace pipit::tokenizer
