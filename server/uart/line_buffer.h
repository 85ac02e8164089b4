// Assembles UART bytes into lines of bounded length. No allocation after
// construction: the buffer holds at most max_line bytes, and the bytes of an
// over-long line are dropped up to its '\n' (which then reports kTooLong).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pipit::uart {

class LineBuffer {
 public:
  enum class Event { kNone, kLine, kTooLong };

  explicit LineBuffer(size_t max_line);

  // '\n' ends a line (kLine, or kTooLong when it overflowed); '\r' is
  // ignored; backspace (0x08) and DEL (0x7f) remove the last UTF-8 character.
  Event Push(uint8_t byte);

  // The line just completed (valid until the next Push).
  std::string_view line() const { return line_; }
  size_t max_line() const { return max_line_; }

 private:
  void EraseLastCharacter();

  size_t max_line_;
  std::string line_;
  bool completed_ = false;    // line_ holds a finished line; clear on the next byte
  bool overflowed_ = false;   // dropping bytes until '\n'
};

// Checks a line before it is used: no control bytes except tab, and valid
// UTF-8 (no overlongs, surrogates or code points above U+10FFFF). On failure
// writes a one-line reason (without "#error ") to *why.
bool CheckLineText(std::string_view line, std::string* why);

}  // namespace pipit::uart
