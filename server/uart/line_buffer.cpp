#include "line_buffer.h"

#include "text_format.h"

namespace pipit::uart {

LineBuffer::LineBuffer(size_t max_line) : max_line_(max_line) { line_.reserve(max_line); }

LineBuffer::Event LineBuffer::Push(uint8_t byte) {
  if (completed_) {
    line_.clear();
    completed_ = false;
  }
  switch (byte) {
    case '\n': {
      const bool too_long = overflowed_;
      overflowed_ = false;
      completed_ = true;
      if (too_long) line_.clear();
      return too_long ? Event::kTooLong : Event::kLine;
    }
    case '\r':
      return Event::kNone;
    case 0x08:
    case 0x7f:
      if (!overflowed_) EraseLastCharacter();
      return Event::kNone;
    default:
      break;
  }
  if (overflowed_) return Event::kNone;
  if (line_.size() >= max_line_) {
    overflowed_ = true;
    line_.clear();
    return Event::kNone;
  }
  line_.push_back(static_cast<char>(byte));
  return Event::kNone;
}

void LineBuffer::EraseLastCharacter() {
  // Drop continuation bytes (10xxxxxx), then the lead byte.
  while (!line_.empty() && (static_cast<uint8_t>(line_.back()) & 0xC0) == 0x80) line_.pop_back();
  if (!line_.empty()) line_.pop_back();
}

namespace {

// Length of a well-formed UTF-8 sequence at text[i], or 0 if malformed.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const uint8_t c = static_cast<uint8_t>(text[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;  // continuation byte, overlong lead (C0, C1) or F5..FF
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const uint8_t cc = static_cast<uint8_t>(text[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;  // overlong
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                         // surrogate
  if (cp > 0x10FFFF) return 0;
  return n;
}

}  // namespace

bool CheckLineText(std::string_view line, std::string* why) {
  for (size_t i = 0; i < line.size();) {
    const uint8_t c = static_cast<uint8_t>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      *why = "control byte ";
      AppendHexByte(why, c);
      *why += " at column ";
      AppendInt(why, static_cast<int64_t>(i) + 1);
      *why += " (send plain text lines)";
      return false;
    }
    const size_t n = Utf8SequenceLength(line, i);
    if (n == 0) {
      *why = "line is not valid UTF-8 (byte ";
      AppendHexByte(why, c);
      *why += " at column ";
      AppendInt(why, static_cast<int64_t>(i) + 1);
      *why += ")";
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace pipit::uart
