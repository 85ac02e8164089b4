// JsonValue: a small JSON document model for the engine (JSON Schema input,
// grammar tests). Strict RFC 8259: no comments, no trailing commas, no NaN.
//
// Choices worth knowing:
//   - Duplicate object keys are an ERROR (a schema with two "type" keys is
//     ambiguous; silently taking the last one would hide mistakes).
//   - Object members keep their insertion order (property order matters for
//     grammars generated from schemas).
//   - Numbers keep their source text (exact, for re-emitting) and a double.
//   - Nesting deeper than `max_depth` is an error, so hostile input cannot
//     exhaust the stack (the parser is recursive).
//   - Strings are decoded to UTF-8; invalid UTF-8 in the input and unpaired
//     \uD800-\uDFFF escapes are errors.
// Errors carry "line L, column C" (1-based; the column counts bytes).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pipit::grammar {

enum class JsonType { kNull, kBool, kNumber, kString, kArray, kObject };

// Name for messages: "null", "boolean", "number", "string", "array", "object".
const char* JsonTypeName(JsonType type);

struct JsonMember;

struct JsonValue {
  JsonType type = JsonType::kNull;
  bool boolean = false;                                      // kBool
  double number = 0.0;                                       // kNumber
  std::string text;                                          // kString: decoded; kNumber: source text
  std::vector<JsonValue> items;                              // kArray
  std::vector<JsonMember> members;                           // kObject, in document order

  bool is_null() const { return type == JsonType::kNull; }
  bool is_bool() const { return type == JsonType::kBool; }
  bool is_number() const { return type == JsonType::kNumber; }
  bool is_string() const { return type == JsonType::kString; }
  bool is_array() const { return type == JsonType::kArray; }
  bool is_object() const { return type == JsonType::kObject; }
  // A number with no fractional part (1, -3, 2.0, 1e3).
  bool IsInteger() const;

  // The member named `key`, or nullptr (objects only).
  const JsonValue* Find(std::string_view key) const;
};

// An object member. (A struct, not std::pair: a pair of an incomplete type
// inside JsonValue does not compile with every standard library.)
struct JsonMember {
  std::string key;
  JsonValue value;
};

struct JsonParseOptions {
  int max_depth = 128;  // nested arrays/objects
};

// Parses exactly one JSON value (surrounding whitespace allowed).
Status ParseJson(std::string_view text, JsonValue* out, JsonParseOptions options = {});

// Compact canonical serialization: no whitespace, strings escaped minimally
// (\" \\ and \uXXXX / \n-style escapes for control characters only), numbers
// as their source text. Used to emit const/enum literals into grammars.
std::string SerializeJson(const JsonValue& value);

// Appends the JSON string literal (with quotes) for UTF-8 text `s`.
void AppendJsonString(std::string_view s, std::string* out);

// Structural equality as JSON Schema defines it (numbers compare by value,
// object member order does not matter).
bool JsonEqual(const JsonValue& a, const JsonValue& b);

}  // namespace pipit::grammar
