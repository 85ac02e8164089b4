#include "text_format.h"

#include <cmath>
#include <cstdlib>

namespace pipit::uart {

void AppendUint(std::string* out, uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out->push_back(digits[--n]);
}

void AppendInt(std::string* out, int64_t value) {
  if (value < 0) {
    out->push_back('-');
    AppendUint(out, static_cast<uint64_t>(-(value + 1)) + 1);  // no overflow at INT64_MIN
  } else {
    AppendUint(out, static_cast<uint64_t>(value));
  }
}

void AppendFixed(std::string* out, double value, int decimals) {
  if (std::isnan(value)) return out->append("nan"), void();
  if (std::isinf(value)) return out->append(value < 0 ? "-inf" : "inf"), void();
  if (value < 0) {
    out->push_back('-');
    value = -value;
  }
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  if (value * scale >= 1.8e19) return out->append("huge"), void();
  const uint64_t scaled = static_cast<uint64_t>(value * static_cast<double>(scale) + 0.5);
  AppendUint(out, scaled / scale);
  if (decimals == 0) return;
  out->push_back('.');
  const uint64_t frac = scaled % scale;
  for (uint64_t div = scale / 10; div > 0; div /= 10) out->push_back(static_cast<char>('0' + frac / div % 10));
}

void AppendHexByte(std::string* out, uint8_t byte) {
  static const char kHex[] = "0123456789abcdef";
  out->append("0x");
  out->push_back(kHex[byte >> 4]);
  out->push_back(kHex[byte & 15]);
}

bool ParseUint64(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool ParseInt(std::string_view text, int64_t lo, int64_t hi, int* out) {
  bool negative = !text.empty() && text[0] == '-';
  uint64_t magnitude;
  if (!ParseUint64(negative ? text.substr(1) : text, &magnitude) || magnitude > (1ull << 31)) return false;
  const int64_t value = negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  if (value < lo || value > hi) return false;
  *out = static_cast<int>(value);
  return true;
}

bool ParseFloat(std::string_view text, float* out) {
  // strtof needs a terminated string; arguments are short.
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
    if (!ok) return false;  // rejects "nan", "inf", hex floats, spaces
  }
  char buf[33];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  char* end = nullptr;
  const float value = std::strtof(buf, &end);
  if (end != buf + text.size() || !std::isfinite(value)) return false;
  *out = value;
  return true;
}

}  // namespace pipit::uart
