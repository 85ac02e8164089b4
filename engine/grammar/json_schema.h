// JSON Schema -> GBNF for constrained decoding. The supported subset is
// documented in engine/grammar/JSON_SCHEMA.md; any other keyword, or a
// supported one used in a way the grammar cannot enforce, is an error naming
// the keyword and its JSON pointer ("#/properties/age/multipleOf") — nothing
// is silently ignored, so every output the grammar allows validates.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "grammar/json_value.h"

namespace pipit::grammar {

// Converts schema text to GBNF text (llama.cpp's dialect, `root` first).
Status JsonSchemaToGbnf(std::string_view schema_json, std::string* gbnf);
// The same for an already parsed schema.
Status JsonSchemaToGbnf(const JsonValue& schema, std::string* gbnf);

}  // namespace pipit::grammar
