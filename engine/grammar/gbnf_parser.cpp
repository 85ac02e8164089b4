// GBNF text -> Grammar. A recursive-descent parser whose only recursion is
// parentheses, bounded by GrammarLimits::max_nesting. Repetitions become
// helper rules the way llama.cpp builds them: x* -> R ::= x R | (empty),
// x{m,n} -> m copies of x, then a chain of n-m nested optionals.
#include <algorithm>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"

namespace pipit::grammar {
namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;
constexpr uint32_t kUnbounded = UINT32_MAX;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Sorts and merges ranges, applies negation, removes surrogates.
std::vector<CodeRange> NormalizeClass(std::vector<CodeRange> in, bool negated) {
  std::sort(in.begin(), in.end(), [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
  std::vector<CodeRange> merged;
  for (const CodeRange& r : in) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  if (negated) {
    std::vector<CodeRange> complement;
    uint32_t next = 0;
    for (const CodeRange& r : merged) {
      if (r.lo > next) complement.push_back({next, r.lo - 1});
      next = r.hi + 1;
    }
    if (next <= kMaxCodePoint) complement.push_back({next, kMaxCodePoint});
    merged = std::move(complement);
  }
  std::vector<CodeRange> out;
  for (const CodeRange& r : merged) {
    if (r.hi < 0xD800 || r.lo > 0xDFFF) {
      out.push_back(r);
      continue;
    }
    if (r.lo < 0xD800) out.push_back({r.lo, 0xD7FF});
    if (r.hi > 0xDFFF) out.push_back({0xE000, r.hi});
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view src, const GrammarLimits& limits) : src_(src), limits_(limits) {}

  Status Parse(Grammar* out);

 private:
  struct RuleBuild {
    std::string name;
    std::vector<std::vector<Element>> alts;
    bool defined = false;
    size_t def_offset = 0;
    size_t first_ref = SIZE_MAX;  // offset of the first reference
    uint32_t origin = 0;          // user rule this helper was made for
    int helpers = 0;              // helper rules made for it so far
  };

  [[gnu::format(printf, 3, 4)]] Status ErrorAt(size_t offset, const char* fmt, ...) const;
  void LineColumn(size_t offset, uint32_t* line, uint32_t* column) const;

  bool AtEnd() const { return pos_ >= src_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }
  void SkipInline();  // spaces, tabs, comments (not newlines)
  bool NextLineStartsRule(size_t p) const;
  void SkipSpaceInRule(int depth);
  void SkipBlankLines();

  uint32_t RuleId(const std::string& name);
  uint32_t NewHelper(uint32_t origin);
  Status AddElements(std::vector<Element>* seq, const std::vector<Element>& more);

  Status ParseAlternates(uint32_t rule, int depth, std::vector<std::vector<Element>>* alts);
  Status ParseSequence(uint32_t rule, int depth, std::vector<Element>* seq);
  Status ParseLiteral(std::vector<Element>* seq);
  Status ParseClass(std::vector<Element>* seq);
  Status ParseChar(bool in_class, uint32_t* cp);
  Status ParseBraces(uint32_t* min, uint32_t* max);
  Status ApplyRepetition(uint32_t rule, std::vector<Element>* seq, size_t item_start, uint32_t min, uint32_t max);
  uint32_t AddClass(const std::vector<CodeRange>& ranges);

  std::string_view src_;
  GrammarLimits limits_;
  size_t pos_ = 0;
  size_t n_elements_ = 0;
  std::vector<RuleBuild> rules_;
  std::unordered_map<std::string, uint32_t> by_name_;
  std::vector<CharClass> classes_;
  std::vector<CodeRange> ranges_;
};

void Parser::LineColumn(size_t offset, uint32_t* line, uint32_t* column) const {
  offset = std::min(offset, src_.size());
  uint32_t l = 1, c = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (src_[i] == '\n') {
      ++l;
      c = 1;
    } else if ((static_cast<uint8_t>(src_[i]) & 0xC0) != 0x80) {
      ++c;  // columns count characters, not UTF-8 continuation bytes
    }
  }
  *line = l;
  *column = c;
}

Status Parser::ErrorAt(size_t offset, const char* fmt, ...) const {
  char what[400];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(what, sizeof what, fmt, args);
  va_end(args);
  uint32_t line, column;
  LineColumn(offset, &line, &column);
  return Status::Error("line %u, column %u: %s", line, column, what);
}

void Parser::SkipInline() {
  while (!AtEnd()) {
    const char c = Peek();
    if (c == ' ' || c == '\t') {
      ++pos_;
    } else if (c == '#') {
      while (!AtEnd() && Peek() != '\n') ++pos_;
    } else if (c == '\r' && Peek(1) != '\n') {
      ++pos_;  // a lone CR is blank
    } else {
      return;
    }
  }
}

// After a newline at the top level of a rule: does the next non-blank line
// start a new rule ("name ::=") or is the text over? Otherwise the line
// continues the current rule.
bool Parser::NextLineStartsRule(size_t p) const {
  while (p < src_.size()) {
    const char c = src_[p];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++p;
    } else if (c == '#') {
      while (p < src_.size() && src_[p] != '\n') ++p;
    } else {
      break;
    }
  }
  if (p >= src_.size()) return true;
  size_t q = p;
  while (q < src_.size() && IsNameChar(src_[q])) ++q;
  if (q == p) return false;
  while (q < src_.size() && (src_[q] == ' ' || src_[q] == '\t')) ++q;
  return src_.substr(q, 3) == "::=";
}

void Parser::SkipSpaceInRule(int depth) {
  for (;;) {
    SkipInline();
    if (AtEnd()) return;
    const char c = Peek();
    if (c == '\r' || c == '\n') {
      if (depth == 0 && NextLineStartsRule(pos_)) return;
      ++pos_;
      continue;
    }
    return;
  }
}

void Parser::SkipBlankLines() {
  for (;;) {
    SkipInline();
    if (!AtEnd() && (Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
      continue;
    }
    return;
  }
}

uint32_t Parser::RuleId(const std::string& name) {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(rules_.size());
  rules_.emplace_back();
  rules_.back().name = name;
  rules_.back().origin = id;
  by_name_.emplace(name, id);
  return id;
}

uint32_t Parser::NewHelper(uint32_t origin) {
  origin = rules_[origin].origin;
  // A name no GBNF text can write (names have no '_'), so it never clashes.
  const std::string name = rules_[origin].name + "_" + std::to_string(++rules_[origin].helpers);
  const uint32_t id = static_cast<uint32_t>(rules_.size());
  rules_.emplace_back();
  rules_.back().name = name;
  rules_.back().origin = origin;
  rules_.back().defined = true;
  rules_.back().def_offset = rules_[origin].def_offset;
  return id;
}

Status Parser::AddElements(std::vector<Element>* seq, const std::vector<Element>& more) {
  n_elements_ += more.size() + 1;
  if (n_elements_ > limits_.max_elements) {
    return ErrorAt(pos_, "the grammar is too large (more than %u elements after expanding repetitions)",
                   limits_.max_elements);
  }
  seq->insert(seq->end(), more.begin(), more.end());
  return Status::Ok();
}

uint32_t Parser::AddClass(const std::vector<CodeRange>& ranges) {
  CharClass c;
  c.first = static_cast<uint32_t>(ranges_.size());
  c.count = static_cast<uint32_t>(ranges.size());
  ranges_.insert(ranges_.end(), ranges.begin(), ranges.end());
  classes_.push_back(c);
  return static_cast<uint32_t>(classes_.size() - 1);
}

Status Parser::Parse(Grammar* out) {
  SkipBlankLines();
  while (!AtEnd()) {
    const size_t name_start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    if (pos_ == name_start) return ErrorAt(pos_, "expected a rule name, found '%c'", Peek());
    const std::string name(src_.substr(name_start, pos_ - name_start));
    SkipInline();
    if (src_.substr(pos_, 3) != "::=") return ErrorAt(pos_, "expected '::=' after the rule name '%s'", name.c_str());
    pos_ += 3;
    const uint32_t id = RuleId(name);
    if (rules_[id].defined) {
      uint32_t line, column;
      LineColumn(rules_[id].def_offset, &line, &column);
      return ErrorAt(name_start, "rule '%s' is defined twice (first at line %u)", name.c_str(), line);
    }
    rules_[id].defined = true;
    rules_[id].def_offset = name_start;
    SkipBlankLines();  // the body may start on the next line
    std::vector<std::vector<Element>> alts;
    PIPIT_TRY(ParseAlternates(id, 0, &alts));
    rules_[id].alts = std::move(alts);
    if (!AtEnd() && Peek() != '\n' && Peek() != '\r') {
      if (Peek() == ')') return ErrorAt(pos_, "unexpected ')' without a matching '('");
      return ErrorAt(pos_, "unexpected character '%c'", Peek());
    }
    SkipBlankLines();
  }

  // Undefined references: report the first one in the text.
  const RuleBuild* undefined = nullptr;
  for (const RuleBuild& r : rules_) {
    if (!r.defined && (!undefined || r.first_ref < undefined->first_ref)) undefined = &r;
  }
  if (undefined) return ErrorAt(undefined->first_ref, "undefined rule '%s'", undefined->name.c_str());
  auto root = by_name_.find("root");
  if (root == by_name_.end()) return ErrorAt(0, "the grammar has no 'root' rule");

  Grammar g;
  g.classes = std::move(classes_);
  g.ranges = std::move(ranges_);
  g.root = root->second;
  g.rules.resize(rules_.size());
  for (size_t r = 0; r < rules_.size(); ++r) {
    Rule& rule = g.rules[r];
    rule.name = rules_[r].name;
    LineColumn(rules_[r].def_offset, &rule.line, &rule.column);
    for (const std::vector<Element>& alt : rules_[r].alts) {
      rule.alts.push_back(static_cast<uint32_t>(g.elements.size()));
      g.elements.insert(g.elements.end(), alt.begin(), alt.end());
      g.elements.push_back({ElementType::kEndOfAlternative, 0});
    }
  }
  PIPIT_TRY(AnalyzeGrammar(&g));
  *out = std::move(g);
  return Status::Ok();
}

Status Parser::ParseAlternates(uint32_t rule, int depth, std::vector<std::vector<Element>>* alts) {
  alts->emplace_back();
  PIPIT_TRY(ParseSequence(rule, depth, &alts->back()));
  while (Peek() == '|') {
    ++pos_;
    SkipSpaceInRule(depth);
    alts->emplace_back();
    PIPIT_TRY(ParseSequence(rule, depth, &alts->back()));
  }
  return Status::Ok();
}

Status Parser::ParseSequence(uint32_t rule, int depth, std::vector<Element>* seq) {
  size_t item_start = SIZE_MAX;  // where the last item (what a repetition repeats) starts in seq
  for (;;) {
    SkipSpaceInRule(depth);
    if (AtEnd()) return Status::Ok();
    const char c = Peek();
    const size_t at = pos_;
    if (c == '"') {
      item_start = seq->size();
      PIPIT_TRY(ParseLiteral(seq));
    } else if (c == '[') {
      item_start = seq->size();
      PIPIT_TRY(ParseClass(seq));
    } else if (c == '.') {
      ++pos_;
      item_start = seq->size();
      const uint32_t any = AddClass(NormalizeClass({{0, kMaxCodePoint}}, false));
      PIPIT_TRY(AddElements(seq, {{ElementType::kChar, any}}));
    } else if (IsNameChar(c)) {
      while (!AtEnd() && IsNameChar(Peek())) ++pos_;
      const std::string name(src_.substr(at, pos_ - at));
      size_t q = pos_;
      while (q < src_.size() && (src_[q] == ' ' || src_[q] == '\t')) ++q;
      if (src_.substr(q, 3) == "::=") {
        return ErrorAt(at, "rule '%s' starts in the middle of another rule (missing newline or ')'?)", name.c_str());
      }
      const uint32_t ref = RuleId(name);
      rules_[ref].first_ref = std::min(rules_[ref].first_ref, at);
      item_start = seq->size();
      PIPIT_TRY(AddElements(seq, {{ElementType::kRule, ref}}));
    } else if (c == '(') {
      if (depth + 1 > limits_.max_nesting) {
        return ErrorAt(at, "parentheses nested deeper than %d", limits_.max_nesting);
      }
      ++pos_;
      const uint32_t group = NewHelper(rule);
      SkipSpaceInRule(depth + 1);
      std::vector<std::vector<Element>> alts;
      PIPIT_TRY(ParseAlternates(group, depth + 1, &alts));
      SkipSpaceInRule(depth + 1);
      if (Peek() != ')') {
        if (AtEnd()) return ErrorAt(at, "'(' is never closed");
        uint32_t line, column;
        LineColumn(at, &line, &column);
        return ErrorAt(pos_, "expected ')' to close the '(' at line %u, column %u, found '%c'", line, column,
                       Peek());
      }
      ++pos_;
      rules_[group].alts = std::move(alts);
      item_start = seq->size();
      PIPIT_TRY(AddElements(seq, {{ElementType::kRule, group}}));
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
      if (item_start == SIZE_MAX) return ErrorAt(at, "'%c' has nothing before it to repeat", c);
      uint32_t min = 0, max = kUnbounded;
      if (c == '{') {
        PIPIT_TRY(ParseBraces(&min, &max));
      } else {
        ++pos_;
        if (c == '+') min = 1;
        if (c == '?') max = 1;
      }
      PIPIT_TRY(ApplyRepetition(rule, seq, item_start, min, max));
    } else {
      return Status::Ok();  // '|', ')', a newline ending the rule, or junk the caller reports
    }
  }
}

// One character of a literal or class, with escapes.
Status Parser::ParseChar(bool in_class, uint32_t* cp) {
  const size_t at = pos_;
  const uint8_t b = static_cast<uint8_t>(Peek());
  if (b == '\\') {
    const char e = Peek(1);
    pos_ += 2;
    int digits = 0;
    switch (e) {
      case 'n': *cp = '\n'; return Status::Ok();
      case 'r': *cp = '\r'; return Status::Ok();
      case 't': *cp = '\t'; return Status::Ok();
      case '\\': case '"': case '\'': case '[': case ']': case '-': case '^': case '/':
        *cp = static_cast<uint8_t>(e);
        return Status::Ok();
      case 'x': digits = 2; break;
      case 'u': digits = 4; break;
      case 'U': digits = 8; break;
      default:
        if (e == '\0' && pos_ - 1 >= src_.size()) return ErrorAt(at, "the text ends inside an escape");
        return ErrorAt(at, "unknown escape '\\%c'", e);
    }
    uint32_t v = 0;
    for (int i = 0; i < digits; ++i) {
      const int h = HexValue(Peek());
      if (h < 0) return ErrorAt(at, "escape '\\%c' needs %d hex digits", e, digits);
      v = v * 16 + static_cast<uint32_t>(h);
      ++pos_;
    }
    if (v > kMaxCodePoint) return ErrorAt(at, "escape is beyond U+10FFFF");
    if (!in_class && v >= 0xD800 && v <= 0xDFFF) {
      return ErrorAt(at, "escape U+%04X is a surrogate, not a character", v);
    }
    *cp = v;
    return Status::Ok();
  }
  // A UTF-8 character of the grammar text itself.
  int len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || pos_ + len > src_.size()) return ErrorAt(at, "invalid UTF-8 in the grammar text");
  uint32_t v = len == 1 ? b : b & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    const uint8_t c = static_cast<uint8_t>(src_[pos_ + i]);
    if ((c & 0xC0) != 0x80) return ErrorAt(at, "invalid UTF-8 in the grammar text");
    v = v << 6 | (c & 0x3F);
  }
  if (Utf8Length(v) != len || v > kMaxCodePoint || (v >= 0xD800 && v <= 0xDFFF)) {
    return ErrorAt(at, "invalid UTF-8 in the grammar text");
  }
  pos_ += len;
  *cp = v;
  return Status::Ok();
}

Status Parser::ParseLiteral(std::vector<Element>* seq) {
  const size_t open = pos_++;
  std::vector<Element> chars;
  for (;;) {
    if (AtEnd() || Peek() == '\n') return ErrorAt(open, "string literal is never closed");
    if (Peek() == '"') break;
    uint32_t cp;
    PIPIT_TRY(ParseChar(false, &cp));
    chars.push_back({ElementType::kChar, AddClass({{cp, cp}})});
  }
  ++pos_;
  return AddElements(seq, chars);
}

Status Parser::ParseClass(std::vector<Element>* seq) {
  const size_t open = pos_++;
  bool negated = false;
  if (Peek() == '^') {
    negated = true;
    ++pos_;
  }
  std::vector<CodeRange> ranges;
  for (;;) {
    if (AtEnd() || Peek() == '\n') return ErrorAt(open, "character class is never closed (missing ']')");
    if (Peek() == ']') break;
    const size_t at = pos_;
    uint32_t lo, hi;
    PIPIT_TRY(ParseChar(true, &lo));
    hi = lo;
    if (Peek() == '-' && Peek(1) != ']' && Peek(1) != '\0') {
      ++pos_;
      PIPIT_TRY(ParseChar(true, &hi));
      if (hi < lo) return ErrorAt(at, "character range is reversed (U+%04X > U+%04X)", lo, hi);
    }
    ranges.push_back({lo, hi});
  }
  ++pos_;
  return AddElements(seq, {{ElementType::kChar, AddClass(NormalizeClass(std::move(ranges), negated))}});
}

Status Parser::ParseBraces(uint32_t* min, uint32_t* max) {
  const size_t open = pos_++;
  auto number = [&](uint32_t* v) -> bool {
    SkipInline();
    if (Peek() < '0' || Peek() > '9') return false;
    uint64_t n = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      n = std::min<uint64_t>(n * 10 + (Peek() - '0'), UINT32_MAX - 1);
      ++pos_;
    }
    *v = static_cast<uint32_t>(n);
    SkipInline();
    return true;
  };
  if (!number(min)) return ErrorAt(pos_, "expected a number after '{'");
  if (Peek() == ',') {
    ++pos_;
    SkipInline();
    if (Peek() != '}' && !number(max)) return ErrorAt(pos_, "expected a number or '}' after ','");
  } else {
    *max = *min;
  }
  if (Peek() != '}') return ErrorAt(pos_, "expected '}' to close the repetition");
  ++pos_;
  const uint32_t biggest = *max == kUnbounded ? *min : *max;
  if (biggest > limits_.max_repeat) {
    return ErrorAt(open, "repetition count %u is above the limit %u", biggest, limits_.max_repeat);
  }
  if (*max < *min) return ErrorAt(open, "repetition {%u,%u} has its maximum below its minimum", *min, *max);
  return Status::Ok();
}

Status Parser::ApplyRepetition(uint32_t rule, std::vector<Element>* seq, size_t item_start, uint32_t min,
                               uint32_t max) {
  const std::vector<Element> item(seq->begin() + static_cast<std::ptrdiff_t>(item_start), seq->end());
  seq->resize(item_start);
  for (uint32_t i = 0; i < min; ++i) PIPIT_TRY(AddElements(seq, item));
  if (max == kUnbounded) {
    // star ::= item star | (empty)
    const uint32_t star = NewHelper(rule);
    std::vector<Element> loop;
    PIPIT_TRY(AddElements(&loop, item));
    loop.push_back({ElementType::kRule, star});
    rules_[star].alts = {std::move(loop), {}};
    return AddElements(seq, {{ElementType::kRule, star}});
  }
  // opt_k ::= item opt_(k-1) | (empty), opt_1 ::= item | (empty)
  uint32_t prev = UINT32_MAX;
  for (uint32_t k = min; k < max; ++k) {
    const uint32_t opt = NewHelper(rule);
    std::vector<Element> body;
    PIPIT_TRY(AddElements(&body, item));
    if (prev != UINT32_MAX) body.push_back({ElementType::kRule, prev});
    rules_[opt].alts = {std::move(body), {}};
    prev = opt;
  }
  if (prev != UINT32_MAX) PIPIT_TRY(AddElements(seq, {{ElementType::kRule, prev}}));
  return Status::Ok();
}

}  // namespace

Status ParseGbnf(std::string_view text, Grammar* out, const GrammarLimits& limits) {
  Parser parser(text, limits);
  return parser.Parse(out);
}

}  // namespace pipit::grammar
