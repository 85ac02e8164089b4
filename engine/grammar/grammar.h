// A context-free grammar over Unicode code points, in the shape the matcher
// walks: every rule is a list of alternatives, every alternative a flat
// sequence of elements (a character class or a reference to a rule) that
// ends with kEndOfAlternative. All alternatives of all rules live in one
// `elements` array, so a position in it names "what is left to match".
//
// Grammars come from GBNF text (llama.cpp's format, see ParseGbnf). Text
// from users is untrusted: the parser bounds nesting, repetition counts and
// size, and rejects grammars the matcher could not run (an undefined rule,
// left recursion that would grow the stack forever, a rule that can never
// finish), each error as "line L, column C: ...".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pipit::grammar {

// Inclusive code point range.
struct CodeRange {
  uint32_t lo, hi;
};

enum class ElementType : uint8_t {
  kEndOfAlternative,  // value unused
  kChar,              // value = index into Grammar::classes
  kRule,              // value = rule index
};

struct Element {
  ElementType type;
  uint32_t value;
};

// A set of code points: ranges[first, first + count) of Grammar::ranges,
// sorted, disjoint, never containing surrogates (U+D800..U+DFFF can not be
// encoded in UTF-8, so no output ever holds them). May be empty.
struct CharClass {
  uint32_t first;
  uint32_t count;
};

struct Rule {
  std::string name;            // as written; generated helper rules get "name-N"
  std::vector<uint32_t> alts;  // start position of each alternative in elements
  uint32_t min_bytes = 0;      // fewest UTF-8 bytes a full match takes
  uint32_t line = 0, column = 0;  // where it (or the rule it was made for) is defined
};

// Saturating "infinite" byte count: a rule with no finite expansion.
constexpr uint32_t kInfiniteBytes = 1u << 30;

struct Grammar {
  std::vector<Element> elements;
  std::vector<CharClass> classes;
  std::vector<CodeRange> ranges;
  std::vector<Rule> rules;
  uint32_t root = 0;
  // [elements.size()] fewest bytes to match from this position to the end of
  // its alternative (0 at kEndOfAlternative).
  std::vector<uint32_t> suffix_min_bytes;

  bool ClassContains(uint32_t class_id, uint32_t cp) const;
  // Whether the class holds any code point in [lo, hi].
  bool ClassIntersects(uint32_t class_id, uint32_t lo, uint32_t hi) const;
  // Fewest bytes of the root rule: the shortest possible output.
  uint32_t MinOutputBytes() const { return rules[root].min_bytes; }
};

// Limits on untrusted grammar text.
struct GrammarLimits {
  int max_nesting = 64;            // parentheses inside parentheses
  uint32_t max_repeat = 10000;     // m and n of x{m,n}
  uint32_t max_elements = 1u << 20;
};

// Parses GBNF:
//   name ::= alternatives         names [a-zA-Z0-9-]+; `root` is the start
//   a b c                         sequence; a | b alternatives; ( ) groups
//   "lit\n"                       literal, escapes \n \r \t \\ \" \' \[ \] \- \^ \/ \xHH \uHHHH \UHHHHHHHH
//   [a-z_] [^"\\]                 character classes (same escapes); . any character
//   x* x+ x? x{m} x{m,} x{m,n}    repetition
//   # comment                     to the end of the line
// A rule ends at a newline unless the newline is inside parentheses, follows
// a `|`, or the next non-blank line does not start a new rule ("name ::=")
// (a continuation line). Errors: "line L, column C: <what>" (1-based).
Status ParseGbnf(std::string_view text, Grammar* out, const GrammarLimits& limits = GrammarLimits());

// Fills min_bytes and suffix_min_bytes and checks that every rule can finish
// and no rule is left-recursive through a non-tail reference. Called by
// ParseGbnf; exposed for grammars built by hand.
Status AnalyzeGrammar(Grammar* g);

// Bytes of one code point in UTF-8 (1-4).
int Utf8Length(uint32_t cp);

}  // namespace pipit::grammar
