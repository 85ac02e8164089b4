// String contents for JSON Schema "format" and "pattern": GBNF expressions
// for what goes between the quotes of a JSON string.
//
// The grammars accept the canonical JSON spelling of each matching string:
// characters are written raw where JSON allows it, and " \ and control
// characters with their short escapes (\" \\ \n \t ...) or \u00XX. A string
// that matches but is spelled with needless escapes ("\u0061") is not
// accepted; every string the grammar accepts does match.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "grammar/gbnf_builder.h"

namespace pipit::grammar {

// Formats: "date", "time", "date-time", "uuid" (as ajv-formats' full mode
// checks them: real calendar days including leap years, a time zone required).
Status FormatGbnf(std::string_view format, GbnfBuilder* rules, std::string* expr);

// A JSON Schema pattern (ECMA-262 with the u flag, the subset documented in
// JSON_SCHEMA.md). Patterns search: without a leading ^ (trailing $) any
// characters may come before (after) the match.
Status PatternGbnf(std::string_view pattern, GbnfBuilder* rules, std::string* expr);

}  // namespace pipit::grammar
