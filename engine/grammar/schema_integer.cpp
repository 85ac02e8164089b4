#include "grammar/schema_integer.h"

#include <vector>

namespace pipit::grammar {
namespace {

std::string Digit(char c) { return std::string("\"") + c + "\""; }

std::string DigitClass(char lo, char hi) {
  if (lo == hi) return Digit(lo);
  return std::string("[") + lo + "-" + hi + "]";
}

std::string AnyDigits(size_t n) {
  if (n == 0) return "";
  if (n == 1) return "[0-9]";
  return "[0-9]{" + std::to_string(n) + "}";
}

std::string Join(const std::vector<std::string>& alternatives) {
  if (alternatives.size() == 1) return alternatives[0];
  std::string out = "(";
  for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? " | " : " ") + alternatives[i];
  return out + " )";
}

std::string Concat(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}

bool All(const std::string& s, size_t from, char c) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] != c) return false;
  }
  return true;
}

// Digit strings of equal length with lo <= hi: every string in between.
std::string SameLength(const std::string& lo, const std::string& hi) {
  if (lo.empty()) return "";
  if (lo[0] == hi[0]) return Concat(Digit(lo[0]), SameLength(lo.substr(1), hi.substr(1)));
  size_t rest = lo.size() - 1;
  bool lo_rest_zero = All(lo, 1, '0');
  bool hi_rest_nine = All(hi, 1, '9');
  std::vector<std::string> alternatives;
  // lo[0] followed by [lo.rest, 99..9], unless that is the whole block.
  if (!lo_rest_zero) alternatives.push_back(Concat(Digit(lo[0]), SameLength(lo.substr(1), std::string(rest, '9'))));
  // The full blocks between.
  char first = lo_rest_zero ? lo[0] : static_cast<char>(lo[0] + 1);
  char last = hi_rest_nine ? hi[0] : static_cast<char>(hi[0] - 1);
  if (first <= last) alternatives.push_back(Concat(DigitClass(first, last), AnyDigits(rest)));
  // hi[0] followed by [00..0, hi.rest].
  if (!hi_rest_nine) alternatives.push_back(Concat(Digit(hi[0]), SameLength(std::string(rest, '0'), hi.substr(1))));
  return Join(alternatives);
}

std::string PowerOfTen(size_t n) { return "1" + std::string(n, '0'); }

// Canonical spellings of the non-negative integers in [lo, hi]; `hi` absent
// means up to kOpenIntegerMaxDigits digits.
std::string NonNegative(uint64_t lo, std::optional<uint64_t> hi) {
  std::string lo_text = std::to_string(lo);
  size_t max_len = hi ? std::to_string(*hi).size() : static_cast<size_t>(kOpenIntegerMaxDigits);
  if (!hi && lo_text.size() > max_len) max_len = lo_text.size();
  std::vector<std::string> alternatives;
  for (size_t len = lo_text.size(); len <= max_len; ++len) {
    std::string from = len == lo_text.size() ? lo_text : PowerOfTen(len - 1);
    std::string to = (hi && len == max_len) ? std::to_string(*hi) : std::string(len, '9');
    if (!hi && len > lo_text.size()) {
      // All longer lengths at once: [1-9] [0-9]{len-1, max_len-1}.
      std::string more = "[1-9] [0-9]{" + std::to_string(len - 1) + "," + std::to_string(max_len - 1) + "}";
      alternatives.push_back(more);
      break;
    }
    alternatives.push_back(SameLength(from, to));
  }
  return Join(alternatives);
}

}  // namespace

Status IntegerRangeGbnf(std::optional<int64_t> min, std::optional<int64_t> max, std::string* expr) {
  if ((min && (*min > kMaxIntegerBound || *min < -kMaxIntegerBound)) ||
      (max && (*max > kMaxIntegerBound || *max < -kMaxIntegerBound))) {
    return Status::Error("integer bound beyond +-2^53 is not supported");
  }
  if (min && max && *min > *max) {
    return Status::Error("the integer range [%lld, %lld] is empty", static_cast<long long>(*min),
                         static_cast<long long>(*max));
  }
  std::vector<std::string> alternatives;
  // Negative part: "-" and a magnitude in [max(1, -max), -min].
  if (!min || *min < 0) {
    uint64_t from = (max && *max < 0) ? static_cast<uint64_t>(-*max) : 1;
    std::optional<uint64_t> to;
    if (min) to = static_cast<uint64_t>(-*min);
    alternatives.push_back("\"-\" " + NonNegative(from, to));
  }
  // Non-negative part: [max(0, min), max].
  if (!max || *max >= 0) {
    uint64_t from = (min && *min > 0) ? static_cast<uint64_t>(*min) : 0;
    std::optional<uint64_t> to;
    if (max) to = static_cast<uint64_t>(*max);
    alternatives.push_back(NonNegative(from, to));
  }
  *expr = Join(alternatives);
  return Status::Ok();
}

}  // namespace pipit::grammar
