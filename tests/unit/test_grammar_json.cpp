// The built-in JSON object grammar: a corpus of valid JSON objects is
// accepted and invalid text rejected, each case cross-checked against
// nlohmann::json (the corpus itself must be right); fewest bytes to close
// from hand-counted states; split UTF-8 inside strings.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "grammar/automaton.h"
#include "grammar/builtin_grammars.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"

namespace pipit::grammar {
namespace {

class JsonGrammar : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = ParseGbnf(kJsonObjectGbnf, &grammar_);
    ASSERT_TRUE(s.ok()) << s.message();
    automaton_ = std::make_unique<Automaton>(&grammar_);
  }
  bool Accepts(const std::string& text) {
    Matcher m(automaton_.get());
    return m.AcceptBytes(text) && m.IsAccepting();
  }
  Matcher After(const std::string& prefix) {
    Matcher m(automaton_.get());
    EXPECT_TRUE(m.AcceptBytes(prefix)) << prefix;
    return m;
  }
  static bool NlohmannAccepts(const std::string& text) { return nlohmann::json::accept(text); }

  Grammar grammar_;
  std::unique_ptr<Automaton> automaton_;
};

TEST_F(JsonGrammar, AcceptsValidObjects) {
  const std::vector<std::string> valid = {
      "{}",
      "{ }",
      "{\"a\":1}",
      "{\"a\": 1, \"b\": [true, false, null]}",
      "{\"n\": [0, -0, 1, -12, 3.25, -0.5e10, 1E+2, 2e-3, 10.0E5]}",
      "{\"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}",
      "{\"raw\": \"h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x82\xAC\x7F\"}",
      "{\"deep\": {\"a\": [[[[[[{}]]]]]], \"b\": {\"c\": {\"d\": []}}}}",
      "{\n  \"pretty\": [\n    1,\n    2\n  ],\n\t\"tab\": {}\n}",
      "{\"\": \"\", \"empty\": [], \"obj\": {}}",
      "{\n" + std::string(20, ' ') + "\"a\":1}",
  };
  for (const std::string& text : valid) {
    EXPECT_TRUE(NlohmannAccepts(text)) << "corpus error: " << text;
    EXPECT_TRUE(Accepts(text)) << text;
  }
}

TEST_F(JsonGrammar, RejectsInvalidJson) {
  const std::vector<std::string> invalid = {
      "[{]}",
      "{\"a\":1,}",
      "{\"a\":[1,2,]}",
      "{\"a\" 1}",
      "{\"a\":01}",
      "{\"a\":-01}",
      "{\"a\":\"\\q\"}",
      "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\\u12\"}",
      "{\"a\":\"abc",
      "{\"a\":\"abc\"",
      "{\"a\":1",
      "{a:1}",
      "{'a':1}",
      "{\"a\":.5}",
      "{\"a\":1.}",
      "{\"a\":-}",
      "{\"a\":+1}",
      "{\"a\":1e}",
      "{\"a\":tru}",
      "{\"a\":True}",
      "{\"a\":\"x\ty\"}",  // raw control character in a string
      "{\"a\":\"x\ny\"}",
      "{\"a\":1}}",
      "{\"a\":1} x",
      "{,}",
      "{\"a\":1 \"b\":2}",
      "",
      "{",
  };
  for (const std::string& text : invalid) {
    EXPECT_FALSE(NlohmannAccepts(text)) << "corpus error: " << text;
    EXPECT_FALSE(Accepts(text)) << text;
  }
}

TEST_F(JsonGrammar, RejectsValidJsonOutsideTheObjectGrammar) {
  // Valid JSON, but --json asks for one object with bounded whitespace and
  // nothing after it.
  for (const std::string& text : {std::string("[]"), std::string("1"), std::string("\"s\""), std::string(" {}"),
                                  std::string("{}\n"), "{\n" + std::string(21, ' ') + "\"a\":1}",
                                  std::string("{  \"a\":1}")}) {
    EXPECT_TRUE(NlohmannAccepts(text)) << text;
    EXPECT_FALSE(Accepts(text)) << text;
  }
}

TEST_F(JsonGrammar, InvalidUtf8InStringsIsRejected) {
  EXPECT_FALSE(Accepts("{\"a\":\"\x80\"}"));
  EXPECT_FALSE(Accepts("{\"a\":\"\xC3\"}"));
  EXPECT_FALSE(Accepts("{\"a\":\"\xED\xA0\x80\"}"));
  EXPECT_FALSE(Accepts("{\"a\":\"\xC0\xAF\"}"));
}

TEST_F(JsonGrammar, FewestBytesToClose) {
  EXPECT_EQ(grammar_.MinOutputBytes(), 2u);                 // {}
  EXPECT_EQ(After("{").MinBytesToClose(), 1u);              // }
  EXPECT_EQ(After("{\"").MinBytesToClose(), 4u);            // ":0}
  EXPECT_EQ(After("{\"a\":").MinBytesToClose(), 2u);        // 0}
  EXPECT_EQ(After("{\"a\":\"").MinBytesToClose(), 2u);      // "}
  EXPECT_EQ(After("{\"a\":\"\\").MinBytesToClose(), 3u);    // n"}
  EXPECT_EQ(After("{\"a\":\"\\u0").MinBytesToClose(), 5u);  // 000"}
  EXPECT_EQ(After("{\"a\":[[").MinBytesToClose(), 3u);      // ]]}
  EXPECT_EQ(After("{\"a\":-").MinBytesToClose(), 2u);       // 0}
  EXPECT_EQ(After("{\"a\":1.").MinBytesToClose(), 2u);      // 0}
  EXPECT_EQ(After("{\"a\":{\"b\":t").MinBytesToClose(), 5u);  // rue}}
  EXPECT_EQ(After("{\"a\":1,").MinBytesToClose(), 5u);      // "":0}
  // A character split across tokens: C3 of "é", then A9"}
  Matcher m = After("{\"k\":\"\xC3");
  EXPECT_FALSE(m.IsAccepting());
  EXPECT_EQ(m.MinBytesToClose(), 3u);
  EXPECT_FALSE(Matcher(m).AcceptByte('"'));  // the character must be finished first
  ASSERT_TRUE(m.AcceptBytes("\xA9\"}"));
  EXPECT_TRUE(m.IsComplete());
}

TEST_F(JsonGrammar, CompleteRightAfterTheClosingBrace) {
  Matcher m = After("{\"a\": [1, {\"b\": null}]");
  EXPECT_FALSE(m.IsAccepting());
  ASSERT_TRUE(m.AcceptByte('}'));
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_TRUE(m.IsComplete());
  for (int b = 0; b < 256; ++b) EXPECT_FALSE(Matcher(m).AcceptByte(static_cast<uint8_t>(b))) << b;
}

}  // namespace
}  // namespace pipit::grammar
