// Fuzz target: schema text -> GBNF -> the engine's GBNF parser. Neither step
// may crash, hang or blow the stack, and every grammar the converter emits
// must parse (a converter bug otherwise).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "grammar/grammar.h"
#include "grammar/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string gbnf;
  if (!pipit::grammar::JsonSchemaToGbnf(text, &gbnf).ok()) return 0;
  pipit::grammar::Grammar grammar;
  pipit::Status s = pipit::grammar::ParseGbnf(gbnf, &grammar);
  // Grammars above the parser's size limits are a fair refusal; anything
  // else means the converter wrote bad GBNF.
  if (!s.ok()) {
    const std::string& m = s.message();
    bool size_limit = m.find("too large") != std::string::npos || m.find("above the limit") != std::string::npos ||
                      m.find("needs more than") != std::string::npos || m.find("deeper than") != std::string::npos;
    if (!size_limit) {
      std::fprintf(stderr, "converter wrote GBNF the parser rejects: %s\n%s\n", m.c_str(), gbnf.c_str());
      __builtin_trap();
    }
  }
  return 0;
}
