// Grammars that ship with the engine, as GBNF text (the same text a user
// could pass with --grammar).
#pragma once

namespace pipit::grammar {

// RFC 8259 JSON whose top level is an object (what --json and an OpenAI
// response_format {"type": "json_object"} ask for). Strings with all escapes
// (no raw control characters), numbers without leading zeros, true / false /
// null, any nesting. Whitespace runs are bounded (one space, or a newline and
// up to 20 spaces/tabs), so a model can not fill the budget with blanks.
// The text ends right after the closing brace: then no byte can follow and
// generation stops.
inline constexpr const char* kJsonObjectGbnf = R"GBNF(# JSON object (RFC 8259)
root     ::= object
value    ::= object | array | string | number | "true" | "false" | "null"
object   ::= "{" ws ( member ( "," ws member )* )? "}"
member   ::= string ws ":" ws value ws
array    ::= "[" ws ( value ws ( "," ws value ws )* )? "]"
string   ::= "\"" char* "\""
char     ::= [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" hex hex hex hex )
hex      ::= [0-9a-fA-F]
number   ::= "-"? integer fraction? exponent?
integer  ::= "0" | [1-9] [0-9]*
fraction ::= "." [0-9]+
exponent ::= [eE] [-+]? [0-9]+
ws       ::= | " " | "\n" [ \t]{0,20}
)GBNF";

}  // namespace pipit::grammar
