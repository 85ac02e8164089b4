// GbnfBuilder: collects the rules of a generated GBNF grammar (llama.cpp's
// dialect) and writes them out as text. Used by the JSON Schema converter.
//
// Rule names are [a-zA-Z0-9-]+ (llama.cpp's word characters). Identical rule
// bodies added with Add() share one rule, which keeps generated grammars small.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pipit::grammar {

class GbnfBuilder {
 public:
  // Adds `name ::= body` (name made unique from `hint`); returns the name.
  // If an identical body was added before, returns that rule's name instead.
  std::string Add(std::string_view hint, std::string body);
  // Reserves a unique name for a rule whose body is known later (recursion).
  std::string Reserve(std::string_view hint);
  void Define(const std::string& name, std::string body);
  // The shared helper rules, added on first use: ws, char (one JSON string
  // character), value (any JSON value) and its parts.
  std::string Ws();
  std::string Char();
  std::string AnyValue();
  std::string AnyString();
  std::string AnyNumber();

  // All rules, `root` first, one per line.
  std::string Text(const std::string& root_body) const;

 private:
  std::string UniqueName(std::string_view hint);

  std::vector<std::pair<std::string, std::string>> rules_;  // name, body (in order)
  std::map<std::string, size_t> index_by_name_;
  std::map<std::string, std::string> name_by_body_;
  std::string any_value_;  // name of the recursive any-value rule, once added
};

// "..." literal for UTF-8 bytes `s` (escapes \" \\ \n \r \t and \xHH for
// other control bytes).
std::string GbnfLiteral(std::string_view s);

// One code point for use inside [...]: printable ASCII as is (except the
// class metacharacters), everything else \xHH / \uHHHH. Code points above
// U+FFFF cannot be written in a class: returns false.
bool AppendClassChar(uint32_t cp, std::string* out);


}  // namespace pipit::grammar
