#include "grammar/gbnf_builder.h"

#include <cstdio>

namespace pipit::grammar {

std::string GbnfBuilder::UniqueName(std::string_view hint) {
  std::string base;
  for (char c : hint) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word) {
      base.push_back(c);
    } else if (!base.empty() && base.back() != '-') {
      base.push_back('-');
    }
    if (base.size() >= 40) break;
  }
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty()) base = "r";
  std::string name = base;
  for (int n = 2; index_by_name_.count(name) != 0 || name == "root"; ++n) name = base + "-" + std::to_string(n);
  index_by_name_[name] = rules_.size();
  rules_.emplace_back(name, std::string());
  return name;
}

std::string GbnfBuilder::Add(std::string_view hint, std::string body) {
  auto it = name_by_body_.find(body);
  if (it != name_by_body_.end()) return it->second;
  std::string name = UniqueName(hint);
  rules_[index_by_name_[name]].second = body;
  name_by_body_[std::move(body)] = name;
  return name;
}

std::string GbnfBuilder::Reserve(std::string_view hint) { return UniqueName(hint); }

void GbnfBuilder::Define(const std::string& name, std::string body) {
  rules_[index_by_name_[name]].second = std::move(body);
}

// Whitespace between tokens, bounded so every output is finite: nothing, one
// space, or a newline plus up to 20 indentation characters.
std::string GbnfBuilder::Ws() { return Add("ws", "| \" \" | \"\\n\" [ \\t]{0,20}"); }

// One character of a JSON string, as one code point: a raw character other
// than " \ and controls, or an escape. \u escapes of UTF-16 surrogates are left
// out so every escape is exactly one code point (minLength/maxLength count
// code points, and a surrogate pair would be two escapes but one character).
std::string GbnfBuilder::Char() {
  return Add("char",
             "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-CefEF] [0-9a-fA-F]{3} | "
             "[dD] [0-7] [0-9a-fA-F]{2} ) )");
}

std::string GbnfBuilder::AnyString() { return Add("string", "\"\\\"\" " + Char() + "* \"\\\"\""); }

// Any JSON number, with at most 18 integer digits and a 2-digit exponent so
// that every accepted number is a finite double (a 400-digit number parses to
// Infinity, which validators reject).
std::string GbnfBuilder::AnyNumber() {
  return Add("number", "\"-\"? ( \"0\" | [1-9] [0-9]{0,17} ) ( \".\" [0-9]+ )? ( [eE] [-+]? [0-9]{1,2} )?");
}

std::string GbnfBuilder::AnyValue() {
  if (!any_value_.empty()) return any_value_;
  std::string value = any_value_ = Reserve("value");
  std::string ws = Ws();
  std::string str = AnyString();
  std::string member = str + " " + ws + " \":\" " + ws + " " + value + " " + ws;
  std::string object = Add("object", "\"{\" " + ws + " ( " + member + " ( \",\" " + ws + " " + member + " )* )? \"}\"");
  std::string element = value + " " + ws;
  std::string array = Add("array", "\"[\" " + ws + " ( " + element + " ( \",\" " + ws + " " + element + " )* )? \"]\"");
  Define(value, object + " | " + array + " | " + str + " | " + AnyNumber() + " | \"true\" | \"false\" | \"null\"");
  return value;
}

std::string GbnfBuilder::Text(const std::string& root_body) const {
  std::string out = "root ::= " + root_body + "\n";
  for (const auto& [name, body] : rules_) out += name + " ::= " + body + "\n";
  return out;
}

std::string GbnfLiteral(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out += "\"";
  return out;
}

bool AppendClassChar(uint32_t cp, std::string* out) {
  bool plain = cp >= 0x20 && cp < 0x7f && cp != '\\' && cp != ']' && cp != '[' && cp != '^' && cp != '-' && cp != '"';
  char buf[12];
  if (plain) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x80) {
    std::snprintf(buf, sizeof buf, "\\x%02X", cp);
    *out += buf;
  } else if (cp <= 0xFFFF) {
    std::snprintf(buf, sizeof buf, "\\u%04X", cp);
    *out += buf;
  } else {
    return false;
  }
  return true;
}

}  // namespace pipit::grammar
