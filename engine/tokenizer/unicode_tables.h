// Code point ranges of the Unicode classes the pre-tokenizers test
// (generated into unicode_tables.cpp by scripts/gen_unicode_tables.mjs).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pipit::tokenizer {

struct CodepointRange {
  uint32_t first;
  uint32_t last;  // inclusive
};

// Sorted, non-overlapping.
extern const CodepointRange kLetterRanges[];       // \p{L}
extern const size_t kLetterRangesCount;
extern const CodepointRange kNumberRanges[];       // \p{N}
extern const size_t kNumberRangesCount;
extern const CodepointRange kPunctuationRanges[];  // \p{P}
extern const size_t kPunctuationRangesCount;
extern const CodepointRange kWhitespaceRanges[];   // White_Space property (regex \s)
extern const size_t kWhitespaceRangesCount;

}  // namespace pipit::tokenizer
