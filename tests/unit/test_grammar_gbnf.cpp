// GBNF parser and byte-level matcher: every construct of the dialect
// accepts what it should and rejects what it should (checked by feeding
// bytes), every error kind names its line and column, pathological grammars
// end in an error instead of a hang, and UTF-8 characters split across
// feeds are matched byte by byte.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "grammar/automaton.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"

namespace pipit::grammar {
namespace {

struct Compiled {
  Grammar grammar;
  std::unique_ptr<Automaton> automaton;
};

std::unique_ptr<Compiled> Compile(const std::string& text) {
  auto c = std::make_unique<Compiled>();
  Status s = ParseGbnf(text, &c->grammar);
  EXPECT_TRUE(s.ok()) << s.message() << "\n" << text;
  if (!s.ok()) return nullptr;
  c->automaton = std::make_unique<Automaton>(&c->grammar);
  return c;
}

// The whole input is a match of the grammar.
bool Matches(Compiled* c, const std::string& input) {
  Matcher m(c->automaton.get());
  for (char ch : input) {
    if (!m.AcceptByte(static_cast<uint8_t>(ch))) return false;
  }
  return m.IsAccepting();
}

std::string ParseError(const std::string& text) {
  Grammar g;
  Status s = ParseGbnf(text, &g);
  return s.ok() ? "OK" : s.message();
}

TEST(Gbnf, LiteralsSequencesAlternatives) {
  auto c = Compile("root ::= \"ab\" \"c\" | \"xyz\"\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "abc"));
  EXPECT_TRUE(Matches(c.get(), "xyz"));
  EXPECT_FALSE(Matches(c.get(), "ab"));
  EXPECT_FALSE(Matches(c.get(), "abcx"));
  EXPECT_FALSE(Matches(c.get(), "xy"));
  EXPECT_FALSE(Matches(c.get(), ""));
}

TEST(Gbnf, RuleReferencesGroupsAndNames) {
  auto c = Compile("root ::= greeting-2 (\" \" name)?\ngreeting-2 ::= \"hi\" | \"yo\"\nname ::= [A-Z] [a-z]*\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "hi"));
  EXPECT_TRUE(Matches(c.get(), "yo Bob"));
  EXPECT_TRUE(Matches(c.get(), "hi X"));
  EXPECT_FALSE(Matches(c.get(), "hi bob"));
  EXPECT_FALSE(Matches(c.get(), "hi "));
}

TEST(Gbnf, CharacterClasses) {
  auto c = Compile(R"(root ::= [a-c0-9_] [^"\\] [\x41-\x43] . [\]\-])");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "a!Bz]"));
  EXPECT_TRUE(Matches(c.get(), "9xC\n-"));
  EXPECT_TRUE(Matches(c.get(), "_\xC3\xA9" "A\xF0\x9F\x98\x80]"));  // é and 😀 are single characters
  EXPECT_FALSE(Matches(c.get(), "d!Bz]"));
  EXPECT_FALSE(Matches(c.get(), "a\"Bz]"));
  EXPECT_FALSE(Matches(c.get(), "a\\Bz]"));
  EXPECT_FALSE(Matches(c.get(), "a!Dz]"));
  EXPECT_FALSE(Matches(c.get(), "a!Bz["));
}

TEST(Gbnf, Escapes) {
  auto c = Compile(R"(root ::= "\x41\u00e9\U0001F600\n\r\t\\\"" [\u0100-\u01FF])");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "A\xC3\xA9\xF0\x9F\x98\x80\n\r\t\\\"\xC4\x80"));
  EXPECT_FALSE(Matches(c.get(), "A\xC3\xA9\xF0\x9F\x98\x80\n\r\t\\\"\xC3\xBF"));
}

TEST(Gbnf, Repetitions) {
  auto c = Compile("root ::= \"a\"{2} \"b\"{1,} \"c\"{0,2} \"d\"* \"e\"+ \"f\"? \"g\"{2,3}\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "aabegg"));
  EXPECT_TRUE(Matches(c.get(), "aabbbccdddeeefggg"));
  EXPECT_FALSE(Matches(c.get(), "abegg"));       // {2}
  EXPECT_FALSE(Matches(c.get(), "aaegg"));       // {1,}
  EXPECT_FALSE(Matches(c.get(), "aabcccegg"));   // {0,2}
  EXPECT_FALSE(Matches(c.get(), "aabgg"));       // +
  EXPECT_FALSE(Matches(c.get(), "aabeffgg"));    // ?
  EXPECT_FALSE(Matches(c.get(), "aabeg"));       // {2,3}
  EXPECT_FALSE(Matches(c.get(), "aabegggg"));
  // A repeated multi-character literal repeats as a whole.
  auto d = Compile("root ::= \"ab\"{2}\n");
  ASSERT_TRUE(d);
  EXPECT_TRUE(Matches(d.get(), "abab"));
  EXPECT_FALSE(Matches(d.get(), "abb"));
}

TEST(Gbnf, CommentsAndRulesSpanningLines) {
  const std::string text =
      "# a comment line\n"
      "root ::= (\n"
      "    \"a\"   # inside a group\n"
      "  | \"b\"\n"
      "  ) tail\n"
      "  | \"c\"      # continuation line starting with |\n"
      "tail ::= \"x\" |\n"
      "  \"y\"\n"
      "        \"z\"   # a continuation line that starts no rule\n"
      "\n";
  auto c = Compile(text);
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "ax"));
  EXPECT_TRUE(Matches(c.get(), "byz"));
  EXPECT_TRUE(Matches(c.get(), "c"));
  EXPECT_FALSE(Matches(c.get(), "ay"));
  EXPECT_FALSE(Matches(c.get(), "cx"));
}

TEST(Gbnf, RecursionAndNullableLoopsDoNotHang) {
  auto nested = Compile("root ::= \"(\" root \")\" | \"x\"\n");
  ASSERT_TRUE(nested);
  EXPECT_TRUE(Matches(nested.get(), "((x))"));
  EXPECT_FALSE(Matches(nested.get(), "((x)"));
  // x* with a nullable x, and a cycle of tail references: no stack growth.
  auto nullable = Compile("root ::= (\"a\"? | \"\")* \"b\"\n");
  ASSERT_TRUE(nullable);
  EXPECT_TRUE(Matches(nullable.get(), "b"));
  EXPECT_TRUE(Matches(nullable.get(), "aaab"));
  auto tail = Compile("root ::= a\na ::= b\nb ::= a | \"x\"\n");
  ASSERT_TRUE(tail);
  EXPECT_TRUE(Matches(tail.get(), "x"));
}

TEST(Gbnf, DeepNestingHitsTheStackLimitNotTheMachine) {
  Compiled c;
  ASSERT_TRUE(ParseGbnf("root ::= \"[\" root \"]\" | \"x\"\n", &c.grammar).ok());
  AutomatonLimits limits;
  limits.max_stack_depth = 50;
  Automaton a(&c.grammar, limits);
  Matcher m(&a);
  int accepted = 0;
  while (accepted < 1000 && m.AcceptByte('[')) ++accepted;
  EXPECT_LT(accepted, 60);
  EXPECT_FALSE(a.status().ok());
}

TEST(Gbnf, MinBytesToCloseAndCompleteness) {
  auto c = Compile("root ::= \"ab\" (\"c\" | \"de\")\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->grammar.MinOutputBytes(), 3u);
  Matcher m(c->automaton.get());
  EXPECT_EQ(m.MinBytesToClose(), 3u);
  ASSERT_TRUE(m.AcceptBytes("ab"));
  EXPECT_EQ(m.MinBytesToClose(), 1u);
  ASSERT_TRUE(m.AcceptByte('d'));
  EXPECT_EQ(m.MinBytesToClose(), 1u);
  EXPECT_FALSE(m.IsAccepting());
  ASSERT_TRUE(m.AcceptByte('e'));
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_TRUE(m.IsComplete());
  // Accepting but not complete: more may follow.
  auto star = Compile("root ::= \"a\"+\n");
  Matcher s(star->automaton.get());
  ASSERT_TRUE(s.AcceptByte('a'));
  EXPECT_TRUE(s.IsAccepting());
  EXPECT_FALSE(s.IsComplete());
}

TEST(Gbnf, MultiByteCharacterSplitAcrossFeeds) {
  // "é" is C3 A9, "😀" F0 9F 98 80; [α-ω] is CE B1 .. CF 89.
  auto c = Compile("root ::= \"\xC3\xA9\" [\xCE\xB1-\xCF\x89] \"\xF0\x9F\x98\x80\"\n");
  ASSERT_TRUE(c);
  Matcher m(c->automaton.get());
  EXPECT_EQ(m.MinBytesToClose(), 8u);
  ASSERT_TRUE(m.AcceptByte(0xC3));
  EXPECT_FALSE(m.IsAccepting());
  EXPECT_EQ(m.MinBytesToClose(), 7u);
  Matcher wrong = m;
  EXPECT_FALSE(wrong.AcceptByte(0xA8));  // C3 A8 is "è"
  ASSERT_TRUE(m.AcceptByte(0xA9));
  // CE alone could still become α..ϖ; CE 80 (U+0380) is below α.
  Matcher lead = m;
  ASSERT_TRUE(lead.AcceptByte(0xCE));
  EXPECT_FALSE(lead.AcceptByte(0x80));
  EXPECT_FALSE(Matcher(m).AcceptByte(0xCD));  // no character of the class starts with CD
  ASSERT_TRUE(m.AcceptBytes("\xCF\x89\xF0\x9F"));
  EXPECT_EQ(m.MinBytesToClose(), 2u);
  ASSERT_TRUE(m.AcceptBytes("\x98\x80"));
  EXPECT_TRUE(m.IsComplete());
}

TEST(Gbnf, InvalidUtf8NeverMatches) {
  auto c = Compile("root ::= .*\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(Matches(c.get(), "a\xC3\xA9\xE2\x82\xAC\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(Matches(c.get(), "\x80"));              // continuation without a lead
  EXPECT_FALSE(Matches(c.get(), "\xC0\x80"));          // overlong
  EXPECT_FALSE(Matches(c.get(), "\xE0\x80\x80"));      // overlong
  EXPECT_FALSE(Matches(c.get(), "\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(Matches(c.get(), "\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(Matches(c.get(), "\xC3"));              // unfinished: not accepting
  EXPECT_FALSE(Matches(c.get(), "\xC3" "a"));
}

TEST(Gbnf, AcceptBytesIsAllOrNothing) {
  auto c = Compile("root ::= \"abc\"\n");
  Matcher m(c->automaton.get());
  EXPECT_FALSE(m.AcceptBytes("abx"));
  EXPECT_EQ(m.MinBytesToClose(), 3u);
  EXPECT_TRUE(m.AcceptBytes("abc"));
}

TEST(GbnfErrors, EveryKindWithLineAndColumn) {
  EXPECT_EQ(ParseError("root = \"x\""), "line 1, column 6: expected '::=' after the rule name 'root'");
  EXPECT_EQ(ParseError("root ::= foo\n"), "line 1, column 10: undefined rule 'foo'");
  EXPECT_EQ(ParseError("root ::= a\na ::= \"x\" b\n"), "line 2, column 11: undefined rule 'b'");
  EXPECT_EQ(ParseError("a ::= \"x\"\n"), "line 1, column 1: the grammar has no 'root' rule");
  EXPECT_EQ(ParseError(""), "line 1, column 1: the grammar has no 'root' rule");
  EXPECT_EQ(ParseError("root ::= \"abc\n"), "line 1, column 10: string literal is never closed");
  EXPECT_EQ(ParseError("root ::= [abc\n"), "line 1, column 10: character class is never closed (missing ']')");
  EXPECT_EQ(ParseError("root ::= \"a\\q\"\n"), "line 1, column 12: unknown escape '\\q'");
  EXPECT_EQ(ParseError("root ::= \"\\x4\"\n"), "line 1, column 11: escape '\\x' needs 2 hex digits");
  EXPECT_EQ(ParseError("root ::= [\\u12]\n"), "line 1, column 11: escape '\\u' needs 4 hex digits");
  EXPECT_EQ(ParseError("root ::= \"\\U00110000\"\n"), "line 1, column 11: escape is beyond U+10FFFF");
  EXPECT_EQ(ParseError("root ::= (\"a\"\n"), "line 1, column 10: '(' is never closed");
  EXPECT_EQ(ParseError("root ::= (\"a\" ]\n"),
            "line 1, column 15: expected ')' to close the '(' at line 1, column 10, found ']'");
  EXPECT_EQ(ParseError("root ::= \"a\")\n"), "line 1, column 13: unexpected ')' without a matching '('");
  EXPECT_EQ(ParseError("root ::= \"a\" @\n"), "line 1, column 14: unexpected character '@'");
  EXPECT_EQ(ParseError("root ::= * \"a\"\n"), "line 1, column 10: '*' has nothing before it to repeat");
  EXPECT_EQ(ParseError("root ::= [z-a]\n"), "line 1, column 11: character range is reversed (U+007A > U+0061)");
  EXPECT_EQ(ParseError("root ::= \"a\"{3,2}\n"),
            "line 1, column 13: repetition {3,2} has its maximum below its minimum");
  EXPECT_EQ(ParseError("root ::= \"a\"{1,100000}\n"),
            "line 1, column 13: repetition count 100000 is above the limit 10000");
  EXPECT_EQ(ParseError("root ::= \"a\"{x}\n"), "line 1, column 14: expected a number after '{'");
  EXPECT_EQ(ParseError("root ::= \"a\"\nroot ::= \"b\"\n"),
            "line 2, column 1: rule 'root' is defined twice (first at line 1)");
  EXPECT_EQ(ParseError("root ::= \"a\" b ::= \"c\"\n"),
            "line 1, column 14: rule 'b' starts in the middle of another rule (missing newline or ')'?)");
  EXPECT_EQ(ParseError("\n\n# comment\n  ::= \"a\"\n"), "line 4, column 3: expected a rule name, found ':'");
  // Columns count characters, not bytes.
  EXPECT_EQ(ParseError("root ::= \"\xC3\xA9\" \\n\n"), "line 1, column 14: unexpected character '\\'");
}

TEST(GbnfErrors, LeftRecursionAndRulesThatNeverFinish) {
  EXPECT_EQ(ParseError("root ::= expr\nexpr ::= expr \"+\" \"1\" | \"1\"\n"),
            "line 2, column 1: rule 'expr' is left-recursive (it can reach itself before matching any character)");
  // Indirect, through a nullable prefix.
  EXPECT_EQ(ParseError("root ::= a\na ::= b? c \"x\" | \"y\"\nb ::= \"z\"\nc ::= a\n"),
            "line 2, column 1: rule 'a' is left-recursive (it can reach itself before matching any character)");
  EXPECT_EQ(ParseError("root ::= \"a\" | x\nx ::= [^\\x00-\\U0010FFFF]\n"),
            "line 2, column 1: rule 'x' can never finish (every alternative needs itself, or an empty "
            "character class)");
  EXPECT_EQ(ParseError("root ::= \"a\" root\n"),
            "line 1, column 1: rule 'root' can never finish (every alternative needs itself, or an empty "
            "character class)");
}

TEST(GbnfErrors, NestingAndSizeAreBounded) {
  std::string deep = "root ::= ";
  for (int i = 0; i < 200; ++i) deep += "(";
  deep += "\"a\"";
  for (int i = 0; i < 200; ++i) deep += ")";
  EXPECT_EQ(ParseError(deep + "\n"), "line 1, column 74: parentheses nested deeper than 64");
  // Repetitions copy what they repeat; the element limit stops the growth.
  const std::string big = ParseError("root ::= \"" + std::string(200, 'a') + "\"{10000}\n");
  EXPECT_NE(big.find("the grammar is too large"), std::string::npos) << big;
  // Nested repetitions stay small but multiply the shortest output.
  EXPECT_EQ(ParseError("root ::= ((\"a\"{10000}){10000}){10000}\n"),
            "line 1, column 1: rule 'root' needs more than 1073741824 bytes");
}

TEST(Gbnf, TooManyParsesAtOnceIsAnError) {
  // After n "a": for each count of pending "b" (0..n) three parses (next
  // is the "a" of either alternative, or "c"), none mergeable: 3 (n + 1).
  Compiled c;
  ASSERT_TRUE(ParseGbnf("root ::= \"a\" root \"b\" | \"a\" root | \"c\"\n", &c.grammar).ok());
  AutomatonLimits limits;
  limits.max_stacks = 64;
  Automaton a(&c.grammar, limits);
  Matcher m(&a);
  int accepted = 0;
  while (accepted < 1000 && m.AcceptByte('a')) ++accepted;
  EXPECT_EQ(accepted, 20);  // 3 * 21 <= 64 < 3 * 22
  EXPECT_NE(a.status().message().find("too many parses"), std::string::npos) << a.status().message();
  // Below the limit the language is right: a^n c b^k with k <= n.
  Matcher ok(&a);
  EXPECT_TRUE(ok.AcceptBytes("aaacbb"));
  EXPECT_TRUE(ok.IsAccepting());
  Matcher bad(&a);
  EXPECT_FALSE(bad.AcceptBytes("aacbbb"));
}

TEST(Gbnf, AmbiguousGrammarGivesAnErrorNotABlowUp) {
  // Every "a" can be read two ways: the number of parses doubles per byte
  // unless equal stacks are merged; when they can not be, a limit ends it.
  Compiled c;
  ASSERT_TRUE(ParseGbnf("root ::= x*\nx ::= \"a\" | \"a\" y\ny ::= \"\"\n", &c.grammar).ok());
  Automaton a(&c.grammar);
  Matcher m(&a);
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(m.AcceptByte('a'));
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_LT(a.n_states(), 10u);  // merged: the same state over and over
}

}  // namespace
}  // namespace pipit::grammar
