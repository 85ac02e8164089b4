#include "tokenizer/unicode.h"

#include <algorithm>
#include <array>

#include "tokenizer/unicode_tables.h"

namespace pipit::tokenizer {
namespace {

bool InRanges(const CodepointRange* ranges, size_t count, uint32_t cpt) {
  const CodepointRange* end = ranges + count;
  // First range whose last >= cpt.
  const CodepointRange* it = std::lower_bound(
      ranges, end, cpt, [](const CodepointRange& r, uint32_t c) { return r.last < c; });
  return it != end && it->first <= cpt;
}

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Decodes one code point at text[*offset] with llama.cpp's rules; returns
// false (and leaves *offset alone) for an invalid sequence.
bool DecodeOne(std::string_view text, size_t* offset, uint32_t* cpt) {
  const size_t i = *offset;
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const uint8_t b0 = byte(0);
  if (!(b0 & 0x80)) {
    *cpt = b0;
    *offset += 1;
    return true;
  }
  if (!(b0 & 0x40)) return false;  // stray continuation byte
  if (!(b0 & 0x20)) {
    if (i + 1 >= text.size() || !IsContinuation(byte(1))) return false;
    *cpt = ((b0 & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
    *offset += 2;
    return true;
  }
  if (!(b0 & 0x10)) {
    if (i + 2 >= text.size() || !IsContinuation(byte(1)) || !IsContinuation(byte(2))) return false;
    *cpt = ((b0 & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
    *offset += 3;
    return true;
  }
  if (!(b0 & 0x08)) {
    if (i + 3 >= text.size() || !IsContinuation(byte(1)) || !IsContinuation(byte(2)) ||
        !IsContinuation(byte(3))) {
      return false;
    }
    *cpt = ((b0 & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) |
           (byte(3) & 0x3Fu);
    *offset += 4;
    return true;
  }
  return false;
}

struct ByteLevelMaps {
  std::array<std::string, 256> byte_to_utf8;
  std::array<uint32_t, 256> byte_to_cpt;
  std::array<int16_t, 0x144> cpt_to_byte;  // -1: not a byte-level character
};

const ByteLevelMaps& GetByteLevelMaps() {
  static const ByteLevelMaps maps = [] {
    ByteLevelMaps m;
    uint32_t next_extra = 256;
    m.cpt_to_byte.fill(-1);
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      m.byte_to_cpt[b] = printable ? static_cast<uint32_t>(b) : next_extra++;
      AppendUtf8(m.byte_to_cpt[b], &m.byte_to_utf8[b]);
      m.cpt_to_byte[m.byte_to_cpt[b]] = static_cast<int16_t>(b);
    }
    return m;
  }();
  return maps;
}

}  // namespace

std::vector<uint32_t> DecodeUtf8(std::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    uint32_t cpt;
    if (DecodeOne(text, &offset, &cpt)) {
      out.push_back(cpt);
    } else {
      out.push_back(kReplacementChar);
      ++offset;
    }
  }
  return out;
}

void AppendUtf8(uint32_t cpt, std::string* out) {
  if (cpt <= 0x7F) {
    out->push_back(static_cast<char>(cpt));
  } else if (cpt <= 0x7FF) {
    out->push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0xFFFF) {
    out->push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0x10FFFF) {
    out->push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    AppendUtf8(kReplacementChar, out);  // not encodable
  }
}

bool IsLetter(uint32_t cpt) { return InRanges(kLetterRanges, kLetterRangesCount, cpt); }
bool IsNumber(uint32_t cpt) { return InRanges(kNumberRanges, kNumberRangesCount, cpt); }
bool IsPunctuation(uint32_t cpt) {
  return InRanges(kPunctuationRanges, kPunctuationRangesCount, cpt);
}
bool IsWhitespace(uint32_t cpt) {
  return InRanges(kWhitespaceRanges, kWhitespaceRangesCount, cpt);
}

const std::string& ByteToUnicode(uint8_t byte) { return GetByteLevelMaps().byte_to_utf8[byte]; }

bool UnicodeToByte(uint32_t cpt, uint8_t* byte) {
  const ByteLevelMaps& maps = GetByteLevelMaps();
  if (cpt >= maps.cpt_to_byte.size() || maps.cpt_to_byte[cpt] < 0) return false;
  *byte = static_cast<uint8_t>(maps.cpt_to_byte[cpt]);
  return true;
}

}  // namespace pipit::tokenizer
