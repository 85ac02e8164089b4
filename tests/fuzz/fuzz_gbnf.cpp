// libFuzzer target for the GBNF parser and the byte-level matcher. Parses
// arbitrary text; when it is a grammar, walks it byte by byte (bytes taken
// from the input, or the cheapest closing byte when the input's byte does
// not fit) under tight limits and traps when an invariant breaks:
//   - an error message always carries "line L, column C: ";
//   - a complete state accepts no byte; an accepting one needs 0 bytes;
//   - one byte lowers MinBytesToClose by at most 1, and from any live state
//     some byte lowers it by exactly 1 (what the budget guarantee rests on).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "grammar/automaton.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pipit::grammar;
  const std::string text(reinterpret_cast<const char*>(data), size);
  GrammarLimits glimits;
  glimits.max_repeat = 200;
  glimits.max_elements = 1 << 14;
  Grammar g;
  pipit::Status s = ParseGbnf(text, &g, glimits);
  if (!s.ok()) {
    Check(s.message().rfind("line ", 0) == 0 && s.message().find(", column ") != std::string::npos);
    return 0;
  }
  AutomatonLimits limits;
  limits.max_stack_depth = 128;
  limits.max_stacks = 256;
  limits.max_nodes = 1 << 15;
  limits.max_states = 1 << 12;
  limits.max_table_bytes = 1 << 20;
  Automaton a(&g, limits);
  Matcher m(&a);
  if (!m.ok()) return 0;
  Check(m.MinBytesToClose() == g.MinOutputBytes());
  for (size_t step = 0; step < 48; ++step) {
    const uint32_t close = m.MinBytesToClose();
    Check(m.IsAccepting() == (close == 0));
    int closing_byte = -1;
    bool any = false;
    for (int b = 0; b < 256; ++b) {
      Matcher next = m;
      if (!next.AcceptByte(static_cast<uint8_t>(b))) continue;
      any = true;
      Check(next.MinBytesToClose() + 1 >= close);
      if (close > 0 && next.MinBytesToClose() + 1 == close && closing_byte < 0) closing_byte = b;
    }
    if (!a.status().ok()) return 0;  // a limit was hit: the checks above may see dead ends
    if (m.IsComplete()) Check(!any);
    if (close > 0) Check(closing_byte >= 0);
    if (!any) return 0;
    const uint8_t wanted = size ? data[step % size] : 0;
    if (!m.AcceptByte(wanted)) {
      if (closing_byte < 0) return 0;
      Check(m.AcceptByte(static_cast<uint8_t>(closing_byte)));
    }
  }
  return 0;
}
