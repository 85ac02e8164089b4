// UTF-8 and Unicode helpers for the tokenizers. Decoding follows llama.cpp's
// rules exactly (its tokenizers are the reference): an invalid or truncated
// sequence yields U+FFFD and consumes one byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipit::tokenizer {

// Length of the UTF-8 sequence that starts with `lead`, from its high
// nibble alone (continuation bytes count as 1), like llama.cpp's
// unicode_len_utf8.
inline size_t Utf8SequenceLength(uint8_t lead) {
  static constexpr uint8_t kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

constexpr uint32_t kReplacementChar = 0xFFFD;

std::vector<uint32_t> DecodeUtf8(std::string_view text);
void AppendUtf8(uint32_t cpt, std::string* out);

bool IsLetter(uint32_t cpt);       // \p{L}
bool IsNumber(uint32_t cpt);       // \p{N}
bool IsPunctuation(uint32_t cpt);  // \p{P}
bool IsWhitespace(uint32_t cpt);   // \s (Unicode White_Space)

// GPT-2 byte-level encoding: every byte maps to one printable code point
// (printable Latin-1 bytes map to themselves, the rest to U+0100 upwards).
// Returns the UTF-8 of that code point.
const std::string& ByteToUnicode(uint8_t byte);
// Inverse for one code point; false when it is not a byte-level character.
bool UnicodeToByte(uint32_t cpt, uint8_t* byte);

}  // namespace pipit::tokenizer
