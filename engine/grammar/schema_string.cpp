#include "grammar/schema_string.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "tokenizer/unicode.h"

namespace pipit::grammar {
namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;
constexpr int kMaxPatternRepeat = 1000;  // {m,n} counts
constexpr int kMaxGroupDepth = 64;

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;  // inclusive, sorted, disjoint after Normalize

Ranges Normalize(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Ranges Complement(const Ranges& set) {
  Ranges n = Normalize(set), out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : n) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxCodePoint) out.emplace_back(next, kMaxCodePoint);
  return out;
}

Ranges Intersect(const Ranges& a, const Ranges& b) {
  Ranges out;
  for (const auto& [alo, ahi] : Normalize(a)) {
    for (const auto& [blo, bhi] : Normalize(b)) {
      uint32_t lo = std::max(alo, blo), hi = std::min(ahi, bhi);
      if (lo <= hi) out.emplace_back(lo, hi);
    }
  }
  return Normalize(out);
}

bool Contains(const Ranges& set, uint32_t cp) {
  for (const auto& [lo, hi] : set) {
    if (cp >= lo && cp <= hi) return true;
  }
  return false;
}

// Characters a JSON string may hold raw (everything else needs an escape).
const Ranges& RawJsonChars() {
  static const Ranges r = {{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0xD7FF}, {0xE000, kMaxCodePoint}};
  return r;
}

// The canonical JSON spelling of one decoded character, as a GBNF literal.
std::string EncodedChar(uint32_t cp) {
  std::string json;
  switch (cp) {
    case '"': json = "\\\""; break;
    case '\\': json = "\\\\"; break;
    case '\n': json = "\\n"; break;
    case '\r': json = "\\r"; break;
    case '\t': json = "\\t"; break;
    case '\b': json = "\\b"; break;
    case '\f': json = "\\f"; break;
    default:
      if (cp < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
        json = buf;
      } else {
        tokenizer::AppendUtf8(cp, &json);
      }
  }
  return GbnfLiteral(json);
}

class PatternConverter {
 public:
  PatternConverter(std::string_view pattern, GbnfBuilder* rules) : cps_(tokenizer::DecodeUtf8(pattern)), rules_(rules) {}

  Status Convert(std::string* expr) {
    bool anchored_start = !cps_.empty() && cps_[0] == '^';
    if (anchored_start) pos_ = 1;
    end_ = cps_.size();
    bool anchored_end = false;
    if (end_ > pos_ && cps_[end_ - 1] == '$') {
      size_t backslashes = 0;
      while (end_ - 1 - backslashes > pos_ && cps_[end_ - 2 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) {
        anchored_end = true;
        --end_;
      }
    }
    std::string body;
    bool top_alternation = false;
    PIPIT_TRY(ParseAlternation(0, &body, &top_alternation));
    if (pos_ != end_) return Error("unmatched ')'");
    if (top_alternation && (anchored_start || anchored_end))
      return Error("^ or $ around a top-level '|' is ambiguous here; write ^(a|b)$");
    std::string any = rules_->Char() + "*";
    *expr = (anchored_start ? "" : any + " ") + "( " + body + " )" + (anchored_end ? "" : " " + any);
    return Status::Ok();
  }

 private:
  Status Error(const char* what) const {
    return Status::Error("pattern: %s (at character %zu)", what, pos_ + 1);
  }

  bool AtEnd() const { return pos_ >= end_; }
  uint32_t Peek() const { return cps_[pos_]; }

  Status ParseAlternation(int depth, std::string* expr, bool* has_alternation) {
    if (depth > kMaxGroupDepth) return Error("groups nested too deeply");
    std::vector<std::string> branches;
    while (true) {
      std::string seq;
      PIPIT_TRY(ParseSequence(depth, &seq));
      branches.push_back(seq.empty() ? "\"\"" : seq);
      if (AtEnd() || Peek() != '|') break;
      ++pos_;
    }
    *has_alternation = branches.size() > 1;
    if (branches.size() == 1) {
      *expr = branches[0];
    } else {
      *expr = "";
      for (size_t i = 0; i < branches.size(); ++i) *expr += (i ? " | " : "") + branches[i];
    }
    return Status::Ok();
  }

  Status ParseSequence(int depth, std::string* expr) {
    expr->clear();
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      std::string atom;
      PIPIT_TRY(ParseAtom(depth, &atom));
      PIPIT_TRY(ParseQuantifier(&atom));
      if (!expr->empty()) *expr += " ";
      *expr += atom;
    }
    return Status::Ok();
  }

  Status ParseAtom(int depth, std::string* expr) {
    uint32_t c = Peek();
    switch (c) {
      case '(': {
        ++pos_;
        if (!AtEnd() && Peek() == '?') {
          ++pos_;
          if (!AtEnd() && Peek() == ':') {
            ++pos_;
          } else if (!AtEnd() && Peek() == '<' && pos_ + 1 < end_ && cps_[pos_ + 1] != '=' && cps_[pos_ + 1] != '!') {
            while (!AtEnd() && Peek() != '>') ++pos_;  // named group: the name does not matter
            if (AtEnd()) return Error("unterminated group name");
            ++pos_;
          } else {
            return Error("lookaround assertions are not supported");
          }
        }
        std::string inner;
        bool alternation = false;
        PIPIT_TRY(ParseAlternation(depth + 1, &inner, &alternation));
        if (AtEnd() || Peek() != ')') return Error("missing ')'");
        ++pos_;
        *expr = "( " + (inner.empty() ? std::string("\"\"") : inner) + " )";
        return Status::Ok();
      }
      case ')': return Error("unmatched ')'");
      case '[': {
        Ranges set;
        PIPIT_TRY(ParseClass(&set));
        return SetExpr(set, expr);
      }
      case '.': {
        ++pos_;
        return SetExpr(Complement({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}), expr);
      }
      case '\\': {
        ++pos_;
        Ranges set;
        PIPIT_TRY(ParseEscape(/*in_class=*/false, &set));
        return SetExpr(set, expr);
      }
      case '^':
      case '$': return Error("^ and $ are only supported at the start and end of the pattern");
      case '*':
      case '+':
      case '?':
      case '{': return Error("quantifier without anything to repeat");
      case ']':
      case '}': return Error("lone ']' or '}' (escape it)");
      default:
        ++pos_;
        *expr = EncodedChar(c);
        return Status::Ok();
    }
  }

  // Reads digits; false if there are none.
  bool ParseCount(int* out) {
    if (AtEnd() || Peek() < '0' || Peek() > '9') return false;
    long v = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      v = std::min<long>(v * 10 + (Peek() - '0'), 1000000);
      ++pos_;
    }
    *out = static_cast<int>(v);
    return true;
  }

  Status ParseQuantifier(std::string* atom) {
    if (AtEnd()) return Status::Ok();
    uint32_t c = Peek();
    std::string suffix;
    if (c == '*' || c == '+' || c == '?') {
      ++pos_;
      suffix = std::string(1, static_cast<char>(c));
    } else if (c == '{') {
      ++pos_;
      int lo = 0, hi = -1;
      if (!ParseCount(&lo)) return Error("malformed {m,n} quantifier");
      if (!AtEnd() && Peek() == ',') {
        ++pos_;
        if (!ParseCount(&hi)) hi = -1;  // {m,}
      } else {
        hi = lo;
      }
      if (AtEnd() || Peek() != '}') return Error("malformed {m,n} quantifier");
      ++pos_;
      if (hi >= 0 && hi < lo) return Error("{m,n} with n < m");
      if (lo > kMaxPatternRepeat || hi > kMaxPatternRepeat) return Error("repetition count above 1000");
      suffix = "{" + std::to_string(lo) + (hi == lo ? "" : "," + (hi < 0 ? std::string() : std::to_string(hi))) + "}";
    } else {
      return Status::Ok();
    }
    if (!AtEnd() && Peek() == '?') ++pos_;  // lazy: same language
    if (!AtEnd() && (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{'))
      return Error("nothing to repeat");
    *atom = "( " + *atom + " )" + suffix;
    return Status::Ok();
  }

  // After a backslash. Sets *set to the characters the escape stands for.
  Status ParseEscape(bool in_class, Ranges* set) {
    if (AtEnd()) return Error("pattern ends with a backslash");
    uint32_t c = Peek();
    ++pos_;
    static const Ranges kDigit = {{'0', '9'}};
    static const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    static const Ranges kSpace = {{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                                  {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
                                  {0xFEFF, 0xFEFF}};
    auto hex = [&](int digits, uint32_t* out) -> bool {
      uint32_t v = 0;
      for (int i = 0; i < digits; ++i) {
        if (AtEnd()) return false;
        uint32_t h = Peek();
        int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
        if (d < 0) return false;
        v = v * 16 + d;
        ++pos_;
      }
      *out = v;
      return true;
    };
    uint32_t cp = 0;
    switch (c) {
      case 'd': *set = kDigit; return Status::Ok();
      case 'D': *set = Complement(kDigit); return Status::Ok();
      case 'w': *set = kWord; return Status::Ok();
      case 'W': *set = Complement(kWord); return Status::Ok();
      case 's': *set = kSpace; return Status::Ok();
      case 'S': *set = Complement(kSpace); return Status::Ok();
      case 'n': cp = '\n'; break;
      case 'r': cp = '\r'; break;
      case 't': cp = '\t'; break;
      case 'f': cp = '\f'; break;
      case 'v': cp = '\v'; break;
      case '0': cp = 0; break;
      case 'b':
        if (!in_class) return Error("\\b word boundaries are not supported");
        cp = '\b';
        break;
      case 'x':
        if (!hex(2, &cp)) return Error("malformed \\xHH escape");
        break;
      case 'u':
        if (!AtEnd() && Peek() == '{') {
          ++pos_;
          cp = 0;
          int n = 0;
          while (!AtEnd() && Peek() != '}') {
            uint32_t d = 0;
            if (!hex(1, &d) || ++n > 6) return Error("malformed \\u{...} escape");
            cp = cp * 16 + d;
          }
          if (AtEnd() || n == 0 || cp > kMaxCodePoint) return Error("malformed \\u{...} escape");
          ++pos_;
        } else if (!hex(4, &cp)) {
          return Error("malformed \\uHHHH escape");
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) return Error("surrogate escapes are not supported");
        break;
      default: {
        bool syntax = c == '^' || c == '$' || c == '\\' || c == '.' || c == '*' || c == '+' || c == '?' ||
                      c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '|' || c == '/' ||
                      (in_class && c == '-');
        if (!syntax) {
          if (c >= '1' && c <= '9') return Error("backreferences are not supported");
          return Error("unsupported escape");
        }
        cp = c;
      }
    }
    *set = {{cp, cp}};
    return Status::Ok();
  }

  Status ParseClass(Ranges* out) {
    ++pos_;  // '['
    bool negated = !AtEnd() && Peek() == '^';
    if (negated) ++pos_;
    Ranges set;
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("missing ']'");
      if (Peek() == ']') {
        if (first) return Error("empty character class");
        ++pos_;
        break;
      }
      first = false;
      Ranges item;
      bool single = true;
      if (Peek() == '\\') {
        ++pos_;
        PIPIT_TRY(ParseEscape(/*in_class=*/true, &item));
        single = item.size() == 1 && item[0].first == item[0].second;
      } else {
        item = {{Peek(), Peek()}};
        ++pos_;
      }
      // A range a-b (a '-' before ']' is literal).
      if (single && !AtEnd() && Peek() == '-' && pos_ + 1 < end_ && cps_[pos_ + 1] != ']') {
        ++pos_;
        Ranges hi_item;
        if (Peek() == '\\') {
          ++pos_;
          PIPIT_TRY(ParseEscape(/*in_class=*/true, &hi_item));
          if (hi_item.size() != 1 || hi_item[0].first != hi_item[0].second)
            return Error("class escape as a range bound");
        } else {
          hi_item = {{Peek(), Peek()}};
          ++pos_;
        }
        if (hi_item[0].first < item[0].first) return Error("range out of order in character class");
        item = {{item[0].first, hi_item[0].first}};
      }
      set.insert(set.end(), item.begin(), item.end());
    }
    *out = negated ? Complement(set) : Normalize(set);
    return Status::Ok();
  }

  // The canonical JSON spellings of any one character of `set`.
  Status SetExpr(const Ranges& set, std::string* expr) {
    Ranges raw = Intersect(set, RawJsonChars());
    std::vector<std::string> alternatives;
    if (!raw.empty()) {
      std::string cls;
      bool ok = true;
      if (raw.back().second == kMaxCodePoint) {
        // Mostly everything: list what is missing. (Surrogates are never
        // characters; controls, " and \ are handled below.)
        Ranges missing = Intersect(Complement(raw), RawJsonChars());
        cls = "[^\\x00-\\x1F\\x22\\x5C";
        for (const auto& [lo, hi] : missing) {
          ok = ok && AppendClassChar(lo, &cls);
          if (hi != lo) ok = ok && (cls += "-", AppendClassChar(hi, &cls));
        }
      } else {
        cls = "[";
        for (const auto& [lo, hi] : raw) {
          ok = ok && AppendClassChar(lo, &cls);
          if (hi != lo) ok = ok && (cls += "-", AppendClassChar(hi, &cls));
        }
      }
      if (!ok) return Error("character classes beyond U+FFFF are not supported");
      alternatives.push_back(cls + "]");
    }
    // Characters that need an escape in JSON.
    for (uint32_t cp = 0; cp < 0x20; ++cp) {
      if (Contains(set, cp)) alternatives.push_back(EncodedChar(cp));
    }
    if (Contains(set, '"')) alternatives.push_back(EncodedChar('"'));
    if (Contains(set, '\\')) alternatives.push_back(EncodedChar('\\'));
    if (alternatives.empty()) return Error("character class matches nothing");
    if (alternatives.size() == 1) {
      *expr = alternatives[0];
    } else {
      *expr = "(";
      for (size_t i = 0; i < alternatives.size(); ++i) *expr += (i ? " | " : " ") + alternatives[i];
      *expr += " )";
    }
    return Status::Ok();
  }

  std::vector<uint32_t> cps_;
  GbnfBuilder* rules_;
  size_t pos_ = 0;
  size_t end_ = 0;
};

}  // namespace

Status FormatGbnf(std::string_view format, GbnfBuilder* rules, std::string* expr) {
  auto date = [&]() {
    std::string long_month = "( \"01\" | \"03\" | \"05\" | \"07\" | \"08\" | \"10\" | \"12\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )";
    std::string short_month = "( \"04\" | \"06\" | \"09\" | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" )";
    std::string february = "\"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] )";
    // Leap years: divisible by 4, and by 400 when divisible by 100.
    std::string leap = "( [0-9]{2} ( \"0\" [48] | [2468] [048] | [13579] [26] ) | ( [02468] [048] | [13579] [26] ) \"00\" )";
    return rules->Add("date", "[0-9]{4} \"-\" ( " + long_month + " | " + short_month + " | " + february + " ) | " +
                                  leap + " \"-02-29\"");
  };
  auto time = [&]() {
    std::string hour = "( [01] [0-9] | \"2\" [0-3] )";
    return rules->Add("time", hour + " \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,9} )? ( \"Z\" | [+-] " +
                                  hour + " \":\" [0-5] [0-9] )");
  };
  if (format == "date") {
    *expr = date();
  } else if (format == "time") {
    *expr = time();
  } else if (format == "date-time") {
    *expr = rules->Add("date-time", date() + " \"T\" " + time());
  } else if (format == "uuid") {
    *expr = rules->Add("uuid", "[0-9a-fA-F]{8} \"-\" ( [0-9a-fA-F]{4} \"-\" ){3} [0-9a-fA-F]{12}");
  } else {
    return Status::Error("unsupported format \"%.*s\" (supported: date, time, date-time, uuid)",
                         static_cast<int>(format.size()), format.data());
  }
  return Status::Ok();
}

Status PatternGbnf(std::string_view pattern, GbnfBuilder* rules, std::string* expr) {
  PatternConverter converter(pattern, rules);
  return converter.Convert(expr);
}

}  // namespace pipit::grammar
