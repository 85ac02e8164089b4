// JSON Schema -> GBNF: the generated grammar, run by the engine's matcher,
// accepts the valid and rejects the invalid instances of the corpus in
// tests/grammar/schemas (whose labels tests/grammar/check_corpus.mjs checks
// against ajv); integer ranges are checked exhaustively against arithmetic;
// unsupported keywords are errors that name the keyword and its path.
#include "grammar/json_schema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "grammar/automaton.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/schema_integer.h"

namespace pipit::grammar {
namespace {

// A schema compiled down to a matcher.
class CompiledSchema {
 public:
  explicit CompiledSchema(const std::string& schema) {
    Status s = JsonSchemaToGbnf(schema, &gbnf_);
    ok_ = s.ok();
    if (!ok_) {
      error_ = s.message();
      return;
    }
    Status p = ParseGbnf(gbnf_, &grammar_);
    EXPECT_TRUE(p.ok()) << p.message() << "\n" << gbnf_;
    ok_ = p.ok();
    if (ok_) automaton_ = std::make_unique<Automaton>(&grammar_);
  }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& gbnf() const { return gbnf_; }
  const Grammar& grammar() const { return grammar_; }

  bool Accepts(const std::string& text) {
    Matcher m(automaton_.get());
    return m.AcceptBytes(text) && m.IsAccepting();
  }

 private:
  bool ok_ = false;
  std::string error_, gbnf_;
  Grammar grammar_;
  std::unique_ptr<Automaton> automaton_;
};

std::string ErrorOf(const std::string& schema) {
  std::string gbnf;
  Status s = JsonSchemaToGbnf(schema, &gbnf);
  EXPECT_FALSE(s.ok()) << "accepted " << schema << "\n" << gbnf;
  return s.message();
}

std::filesystem::path CorpusDir() { return std::filesystem::path(PIPIT_SOURCE_DIR) / "tests/grammar/schemas"; }

TEST(JsonSchema, CorpusAgreesWithLabels) {
  int files = 0, instances = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CorpusDir())) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    std::ifstream in(entry.path());
    nlohmann::ordered_json corpus = nlohmann::ordered_json::parse(in);  // keeps property order
    std::string name = entry.path().filename().string();
    CompiledSchema compiled(corpus["schema"].dump());
    ASSERT_TRUE(compiled.ok()) << name << ": " << compiled.error();
    for (const auto& text : corpus["valid"]) {
      ++instances;
      EXPECT_TRUE(compiled.Accepts(text.get<std::string>())) << name << " should accept " << text << "\n"
                                                             << compiled.gbnf();
    }
    for (const char* list : {"invalid", "valid_rejected"}) {
      if (!corpus.contains(list)) continue;
      for (const auto& text : corpus[list]) {
        ++instances;
        EXPECT_FALSE(compiled.Accepts(text.get<std::string>())) << name << " should reject (" << list << ") " << text
                                                                << "\n"
                                                                << compiled.gbnf();
      }
    }
  }
  EXPECT_GE(files, 15);
  EXPECT_GE(instances, 200);
}

// Every integer near the bounds: accepted exactly when inside the interval.
void CheckRange(std::optional<int64_t> lo, std::optional<int64_t> hi) {
  std::string expr;
  ASSERT_TRUE(IntegerRangeGbnf(lo, hi, &expr).ok());
  Grammar g;
  Status p = ParseGbnf("root ::= " + expr + "\n", &g);
  ASSERT_TRUE(p.ok()) << p.message() << "\n" << expr;
  Automaton a(&g);
  auto accepts = [&](const std::string& text) {
    Matcher m(&a);
    return m.AcceptBytes(text) && m.IsAccepting();
  };
  std::vector<int64_t> probes;
  for (int64_t center : {lo.value_or(0), hi.value_or(0), int64_t{0}, int64_t{10}, int64_t{-10}, int64_t{100},
                         int64_t{-1000}, int64_t{99999}}) {
    for (int64_t d = -30; d <= 30; ++d) probes.push_back(center + d);
  }
  for (int64_t v : probes) {
    bool inside = (!lo || v >= *lo) && (!hi || v <= *hi);
    EXPECT_EQ(accepts(std::to_string(v)), inside) << v << " in [" << (lo ? std::to_string(*lo) : "-inf") << ", "
                                                  << (hi ? std::to_string(*hi) : "inf") << "]: " << expr;
  }
  // Never a non-canonical spelling.
  for (const char* text : {"-0", "00", "01", "+1", "1.0", "1e2", "", "-"}) EXPECT_FALSE(accepts(text)) << text;
}

TEST(JsonSchema, IntegerRangesAreExact) {
  CheckRange(0, 0);
  CheckRange(0, 9);
  CheckRange(1, 10);
  CheckRange(-15, 27);
  CheckRange(100, 999);
  CheckRange(99, 1000);
  CheckRange(-1000, -7);
  CheckRange(123, 4567);
  CheckRange(-99999, 99999);
  CheckRange(std::nullopt, -7);
  CheckRange(std::nullopt, 0);
  CheckRange(std::nullopt, 42);
  CheckRange(-3, std::nullopt);
  CheckRange(0, std::nullopt);
  CheckRange(1000, std::nullopt);
  CheckRange(std::nullopt, std::nullopt);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 60; ++i) {
    int64_t scale = int64_t{1} << (rng() % 20);
    int64_t a = static_cast<int64_t>(rng() % (2 * scale)) - scale;
    int64_t b = a + static_cast<int64_t>(rng() % (scale + 1));
    CheckRange(a, b);
  }
}

TEST(JsonSchema, IntegerRangeLimits) {
  std::string expr;
  EXPECT_FALSE(IntegerRangeGbnf(5, 4, &expr).ok());
  EXPECT_FALSE(IntegerRangeGbnf(int64_t{1} << 60, std::nullopt, &expr).ok());
  // Open ends stop at 18 digits, so every output is a finite double.
  CompiledSchema s(R"({"type":"integer"})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s.Accepts(std::string(18, '9')));
  EXPECT_FALSE(s.Accepts(std::string(19, '9')));
  EXPECT_TRUE(s.Accepts("-" + std::string(18, '9')));
}

TEST(JsonSchema, AdditionalKeysNeverShadowDeclaredOnes) {
  // Keys that are prefixes/extensions of declared names are fine, the names
  // themselves are not (a duplicate would override the declared value).
  CompiledSchema s(R"({"type":"object","properties":{"ab":{"type":"integer"},"abc":{"type":"integer"},"x":false}})");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_TRUE(s.Accepts(R"({"ab":1,"a":"s"})"));
  EXPECT_TRUE(s.Accepts(R"({"abcd":"s"})"));
  EXPECT_TRUE(s.Accepts(R"({"b":"s","xy":1})"));
  EXPECT_FALSE(s.Accepts(R"({"ab":1,"ab":"s"})"));
  EXPECT_FALSE(s.Accepts(R"({"abc":"s"})"));
  EXPECT_FALSE(s.Accepts(R"({"x":1})"));  // schema false: must not appear at all
  EXPECT_FALSE(s.Accepts(R"({"a\u0062":"s"})"));
}

TEST(JsonSchema, ManyOptionalPropertiesStayLinear) {
  std::string schema = R"({"type":"object","additionalProperties":false,"properties":{)";
  for (int i = 0; i < 200; ++i) schema += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":{\"type\":\"integer\"}";
  schema += "}}";
  CompiledSchema s(schema);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_LT(s.gbnf().size(), 200u * 400u);
  EXPECT_TRUE(s.Accepts("{}"));
  EXPECT_TRUE(s.Accepts(R"({"p0":1,"p199":2})"));
  EXPECT_TRUE(s.Accepts(R"({"p5":1,"p6":2,"p150":3})"));
  EXPECT_FALSE(s.Accepts(R"({"p6":1,"p5":2})"));  // schema order
  EXPECT_FALSE(s.Accepts(R"({"p1":1,})"));
  EXPECT_FALSE(s.Accepts(R"({,"p1":1})"));
}

TEST(JsonSchema, WhitespaceIsBounded) {
  CompiledSchema s(R"({"type":"array","items":{"type":"integer"}})");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s.Accepts("[1, 2,\n    3]"));
  EXPECT_TRUE(s.Accepts("[1,\n" + std::string(20, ' ') + "2]"));
  EXPECT_FALSE(s.Accepts("[1,\n" + std::string(21, ' ') + "2]"));
  EXPECT_FALSE(s.Accepts("[1,  2]"));
  EXPECT_FALSE(s.Accepts(" [1]"));
  // The shortest output is known to the engine (the budget check uses it).
  CompiledSchema obj(R"({"type":"object","properties":{"a":{"const":"xy"}},"required":["a"]})");
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(obj.grammar().MinOutputBytes(), std::string(R"({"a":"xy"})").size());
}

TEST(JsonSchema, PatternsSearchUnlessAnchored) {
  CompiledSchema s(R"({"type":"string","pattern":"^x|y$"})");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().find("pattern"), std::string::npos);
  CompiledSchema start(R"({"type":"string","pattern":"^ab"})");
  ASSERT_TRUE(start.ok()) << start.error();
  EXPECT_TRUE(start.Accepts(R"("abzzz")"));
  EXPECT_FALSE(start.Accepts(R"("zab")"));
  CompiledSchema end(R"({"type":"string","pattern":"ab$"})");
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_TRUE(end.Accepts(R"("zzab")"));
  EXPECT_FALSE(end.Accepts(R"("abz")"));
  CompiledSchema classes(R"({"type":"string","pattern":"^[^a-y\\d]\\D\\W\\S$"})");
  ASSERT_TRUE(classes.ok()) << classes.error();
  EXPECT_TRUE(classes.Accepts(R"("zx-!")"));
  EXPECT_TRUE(classes.Accepts(R"("\"\\\n\u0001")"));
  EXPECT_FALSE(classes.Accepts(R"("ax-!")"));
  EXPECT_FALSE(classes.Accepts(R"("z1-!")"));
  EXPECT_FALSE(classes.Accepts(R"("zxa!")"));
  EXPECT_FALSE(classes.Accepts(R"("zx- ")"));
}

struct ErrorCase {
  const char* schema;
  const char* expected;  // substring of the error
};

TEST(JsonSchema, UnsupportedIsAnErrorWithKeywordAndPath) {
  const ErrorCase cases[] = {
      {R"J({"type":"integer","multipleOf":3})J", "'multipleOf' at #/multipleOf"},
      {R"J({"properties":{"a":{"type":"string","foo":1}}})J", "'foo' at #/properties/a/foo"},
      {R"J({"properties":{"a/b":{"not":{}}}})J", "'not' at #/properties/a~1b/not"},
      {R"J({"type":"number","minimum":1})J", "'minimum' at #/minimum"},
      {R"J({"minimum":1})J", "'minimum' at #/minimum"},
      {R"J({"type":"object","patternProperties":{"x":{}}})J", "'patternProperties' at #/patternProperties"},
      {R"J({"type":"object","minProperties":1})J", "'minProperties'"},
      {R"J({"type":"array","uniqueItems":true})J", "'uniqueItems' at #/uniqueItems"},
      {R"J({"type":"array","contains":{}})J", "'contains' at #/contains"},
      {R"J({"type":"array","items":[{"type":"string"}]})J", "'items' at #/items"},
      {R"J({"type":"string","format":"email"})J", "'format' at #/format"},
      {R"J({"type":"string","pattern":"(?=a)"})J", "'pattern' at #/pattern"},
      {R"J({"type":"string","pattern":"(a)\\1"})J", "backreference"},
      {R"J({"type":"string","pattern":"a{2000}"})J", "above 1000"},
      {R"J({"type":"string","pattern":"x","minLength":2})J", "'pattern' at #/pattern"},
      {R"J({"type":"string","format":"date","maxLength":2})J", "'format' at #/format"},
      {R"J({"$ref":"http://example.com/s.json"})J", "'$ref' at #/$ref"},
      {R"J({"$ref":"#/$defs/missing"})J", "does not resolve"},
      {R"J({"$ref":"#/$defs/a","$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"null"}]}}})J", "left recursion"},
      {R"J({"$ref":"#/$defs/a","type":"object","$defs":{"a":{}}})J", "'$ref' combined with 'type'"},
      {R"J({"oneOf":[{"type":"integer"},{"type":"number"}]})J", "'oneOf' at #/oneOf"},
      {R"J({"oneOf":[{"type":"string"},{"type":"string","maxLength":2}]})J", "branches 0 and 1"},
      {R"J({"type":"object","anyOf":[{"required":["a"]}]})J", "'anyOf' combined with 'type'"},
      {R"J({"allOf":[{"type":"string"}]})J", "'type' at #/allOf/0/type"},
      {R"J({"allOf":[{"properties":{"a":{}},"additionalProperties":false}]})J", "#/allOf/0/additionalProperties"},
      {R"J({"allOf":[{"properties":{"a":{}}}],"additionalProperties":false})J", "additionalProperties"},
      {R"J({"enum":[1,2],"minimum":1})J", "'enum' combined with 'minimum'"},
      {R"J({"type":"string","enum":[1,2]})J", "'enum' at #/enum"},
      {R"J({"type":"array","minItems":3,"maxItems":2})J", "minItems 3"},
      {R"J({"type":"array","prefixItems":[{}],"items":false,"minItems":2})J", "minItems 2"},
      {R"J({"type":"string","minLength":3,"maxLength":2})J", "maxLength 2 is below minLength 3"},
      {R"J({"type":"string","maxLength":100000})J", "'maxLength' at #/maxLength"},
      {R"J({"type":"string","maxLength":-1})J", "'maxLength' at #/maxLength"},
      {R"J({"type":"integer","minimum":3,"maximum":2})J", "empty"},
      {R"J({"type":"integer","exclusiveMinimum":true})J", "'exclusiveMinimum' at #/exclusiveMinimum"},
      {R"J({"type":"integer","maximum":1e300})J", "'maximum' at #/maximum"},
      {R"J({"type":"object","properties":{"a":false},"required":["a"]})J", "'a' is required"},
      {R"J({"type":"object","additionalProperties":false,"required":["a"]})J", "'a' is not in 'properties'"},
      {R"J({"type":"strng"})J", "'type' at #/type"},
      {R"J({"type":[]})J", "'type' at #/type"},
      {R"J(false)J", "accepts nothing"},
      {R"J([])J", "must be an object or a boolean"},
      {R"J({"type":"object",})J", "JSON line 1, column 18"},
      {R"J({"$defs":{"x":{}},"$anchor":"a"})J", "'$anchor' at #/$anchor"},
  };
  for (const ErrorCase& c : cases) {
    std::string message = ErrorOf(c.schema);
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.schema << " -> " << message;
  }
}

TEST(JsonSchema, AnnotationsAreIgnored) {
  CompiledSchema s(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","title":"t",
    "description":"d","examples":[1],"default":2,"$comment":"c","type":"integer","minimum":1,"maximum":3})");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_TRUE(s.Accepts("2"));
  EXPECT_FALSE(s.Accepts("4"));
}

TEST(JsonSchema, OneOfAcceptsProvablyDisjointBranches) {
  CompiledSchema types(R"({"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]})");
  ASSERT_TRUE(types.ok()) << types.error();
  EXPECT_TRUE(types.Accepts("\"s\""));
  EXPECT_TRUE(types.Accepts("3"));
  EXPECT_FALSE(types.Accepts("true"));
  CompiledSchema literals(R"({"oneOf":[{"const":"a"},{"enum":["b","c"]}]})");
  ASSERT_TRUE(literals.ok()) << literals.error();
  EXPECT_TRUE(literals.Accepts("\"c\""));
  EXPECT_FALSE(literals.Accepts("\"d\""));
}

TEST(JsonSchema, HostileSchemasFailCleanly) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"items":)";
  std::string gbnf;
  EXPECT_FALSE(JsonSchemaToGbnf(deep, &gbnf).ok());
  // A long chain of $refs.
  std::string chain = R"({"$ref":"#/$defs/d0","$defs":{)";
  for (int i = 0; i < 400; ++i)
    chain += (i ? "," : "") + std::string("\"d") + std::to_string(i) + "\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/d" +
             std::to_string(i + 1) + "\"}}";
  chain += R"(,"d400":{"type":"integer"}}})";
  Status s = JsonSchemaToGbnf(chain, &gbnf);
  if (!s.ok()) EXPECT_NE(s.message().find("nested too deeply"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace pipit::grammar
