// The engine's JSON parser: accepts RFC 8259, rejects everything else with a
// line:column, keeps member order, bounds nesting.
#include "grammar/json_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace pipit::grammar {
namespace {

JsonValue MustParse(const std::string& text) {
  JsonValue v;
  Status s = ParseJson(text, &v);
  EXPECT_TRUE(s.ok()) << text << ": " << s.message();
  return v;
}

std::string ErrorOf(const std::string& text, JsonParseOptions options = {}) {
  JsonValue v;
  Status s = ParseJson(text, &v, options);
  EXPECT_FALSE(s.ok()) << "accepted: " << text;
  return s.message();
}

TEST(JsonValue, Scalars) {
  EXPECT_TRUE(MustParse("null").is_null());
  EXPECT_TRUE(MustParse(" true ").boolean);
  EXPECT_FALSE(MustParse("false").boolean);
  JsonValue n = MustParse("-12.5e2");
  ASSERT_TRUE(n.is_number());
  EXPECT_EQ(n.text, "-12.5e2");
  EXPECT_DOUBLE_EQ(n.number, -1250.0);
  EXPECT_TRUE(MustParse("3").IsInteger());
  EXPECT_TRUE(MustParse("2.0").IsInteger());
  EXPECT_TRUE(MustParse("1e3").IsInteger());
  EXPECT_FALSE(MustParse("0.5").IsInteger());
  EXPECT_EQ(MustParse("0").number, 0.0);
}

TEST(JsonValue, HugeNumbersKeepTheirText) {
  JsonValue n = MustParse("1e400");
  EXPECT_EQ(n.text, "1e400");
  EXPECT_TRUE(std::isinf(n.number));
  EXPECT_FALSE(n.IsInteger());
}

TEST(JsonValue, StringEscapes) {
  JsonValue s = MustParse(R"("a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00")");
  ASSERT_TRUE(s.is_string());
  EXPECT_EQ(s.text, "a\"b\\c/d\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(MustParse("\"h\xC3\xA9llo\"").text, "h\xC3\xA9llo");  // raw UTF-8
}

TEST(JsonValue, ObjectKeepsOrder) {
  JsonValue o = MustParse(R"({"z": 1, "a": [true, null], "m": {"k": "v"}})");
  ASSERT_TRUE(o.is_object());
  ASSERT_EQ(o.members.size(), 3u);
  EXPECT_EQ(o.members[0].key, "z");
  EXPECT_EQ(o.members[1].key, "a");
  EXPECT_EQ(o.members[2].key, "m");
  ASSERT_NE(o.Find("a"), nullptr);
  EXPECT_EQ(o.Find("a")->items.size(), 2u);
  EXPECT_EQ(o.Find("m")->Find("k")->text, "v");
  EXPECT_EQ(o.Find("nope"), nullptr);
}

TEST(JsonValue, RejectsWithLineAndColumn) {
  EXPECT_NE(ErrorOf("{\n  \"a\": 1,\n}").find("line 3, column 1"), std::string::npos);
  EXPECT_NE(ErrorOf("[1, 2").find("line 1, column 6"), std::string::npos);
  EXPECT_NE(ErrorOf("{\"a\" 1}").find("line 1, column 6"), std::string::npos);
  EXPECT_NE(ErrorOf("\n\n   tru").find("line 3, column 4"), std::string::npos);
  EXPECT_NE(ErrorOf("01").find("leading zero"), std::string::npos);
}

TEST(JsonValue, RejectsInvalidDocuments) {
  const char* bad[] = {"",         "   ",      "{",        "}",         "[1,]",      "{\"a\":1,}",  "{a:1}",
                       "'s'",      "\"abc",    "\"\\x41\"", "\"\\u12\"", "1.",        ".5",          "-",
                       "1e",       "+1",       "NaN",       "Infinity",  "nul",       "[1 2]",       "1 2",
                       "\"\t\"",   "\"\\ud800\"", "\"\\udc00x\"", "\"\xff\"", "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
                       "// c\n1",  "[1]x",     "{\"a\":1 \"b\":2}"};
  for (const char* text : bad) ErrorOf(text);
}

TEST(JsonValue, DuplicateKeysAreAnError) {
  std::string message = ErrorOf("{\"a\": 1, \"b\": 2, \"a\": 3}");
  EXPECT_NE(message.find("duplicate key \"a\""), std::string::npos) << message;
  EXPECT_NE(message.find("column 18"), std::string::npos) << message;
}

TEST(JsonValue, DepthLimit) {
  JsonParseOptions options;
  options.max_depth = 10;
  JsonValue v;
  EXPECT_TRUE(ParseJson(std::string(10, '[') + std::string(10, ']'), &v, options).ok());
  EXPECT_NE(ErrorOf(std::string(11, '[') + std::string(11, ']'), options).find("nesting deeper than 10"),
            std::string::npos);
  // The default limit stops hostile input long before the stack is in danger.
  std::string deep(1000000, '[');
  EXPECT_FALSE(ParseJson(deep, &v).ok());
  std::string deep_objects;
  for (int i = 0; i < 100000; ++i) deep_objects += "{\"a\":";
  EXPECT_FALSE(ParseJson(deep_objects, &v).ok());
}

TEST(JsonValue, SerializeRoundTrips) {
  const char* docs[] = {R"({"b":[1,2.5,-3e2,true,false,null],"a":"x\"y\\z\n\u0001"})", R"([])", R"({})",
                        R"("\u00e9")"};
  for (const char* doc : docs) {
    JsonValue v = MustParse(doc);
    std::string text = SerializeJson(v);
    JsonValue again = MustParse(text);
    EXPECT_TRUE(JsonEqual(v, again)) << doc << " -> " << text;
    EXPECT_EQ(SerializeJson(again), text);
  }
  EXPECT_EQ(SerializeJson(MustParse(" { \"k\" : [ 1 , \"\\n\" ] } ")), "{\"k\":[1,\"\\n\"]}");
  EXPECT_EQ(SerializeJson(MustParse("\"\\u001f\"")), "\"\\u001f\"");
}

TEST(JsonValue, Equality) {
  EXPECT_TRUE(JsonEqual(MustParse("1"), MustParse("1.0")));
  EXPECT_TRUE(JsonEqual(MustParse(R"({"a":1,"b":2})"), MustParse(R"({"b":2,"a":1})")));
  EXPECT_FALSE(JsonEqual(MustParse(R"({"a":1})"), MustParse(R"({"a":1,"b":2})")));
  EXPECT_FALSE(JsonEqual(MustParse("[1,2]"), MustParse("[2,1]")));
  EXPECT_FALSE(JsonEqual(MustParse("\"1\""), MustParse("1")));
}

}  // namespace
}  // namespace pipit::grammar
