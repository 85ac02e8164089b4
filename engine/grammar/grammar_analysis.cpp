// Grammar analysis: the fewest bytes each rule can match (Knuth's
// generalization of Dijkstra to grammars: a rule's minimum is final once
// it is the smallest tentative value left), and the left-recursion check.
//
// Left recursion: a rule that can reach itself at its leftmost position
// without consuming input. Through a tail reference (the last element of an
// alternative) this is harmless: the matcher replaces the frame instead of
// pushing one, so expansion revisits the same stacks and stops (x* of a
// nullable x is such a cycle). A cycle through any non-tail reference would
// push a frame per turn forever, so it is an error.
#include <algorithm>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "grammar/grammar.h"

namespace pipit::grammar {
namespace {

uint32_t AddSat(uint32_t a, uint32_t b) { return std::min<uint64_t>(uint64_t{a} + b, kInfiniteBytes); }

uint32_t ClassMinBytes(const Grammar& g, uint32_t class_id) {
  const CharClass& c = g.classes[class_id];
  if (c.count == 0) return kInfiniteBytes;
  return static_cast<uint32_t>(Utf8Length(g.ranges[c.first].lo));
}

// Rule name for messages: helpers ("name_3") are reported as their rule.
std::string UserName(const std::string& name) {
  const size_t underscore = name.find('_');
  return underscore == std::string::npos ? name : name.substr(0, underscore);
}

Status ComputeMinBytes(Grammar* g) {
  struct Alt {
    uint32_t rule;
    uint32_t sum = 0;
    uint32_t pending = 0;  // rule references whose minimum is not final yet
    bool dead = false;     // holds an empty character class: never matches
  };
  std::vector<Alt> alts;
  std::vector<std::vector<uint32_t>> referenced_by(g->rules.size());  // rule -> alternatives (per occurrence)
  for (uint32_t r = 0; r < g->rules.size(); ++r) {
    for (uint32_t start : g->rules[r].alts) {
      Alt a;
      a.rule = r;
      for (uint32_t p = start; g->elements[p].type != ElementType::kEndOfAlternative; ++p) {
        const Element& e = g->elements[p];
        if (e.type == ElementType::kChar) {
          a.sum = AddSat(a.sum, ClassMinBytes(*g, e.value));
          a.dead = a.dead || g->classes[e.value].count == 0;
        } else {
          ++a.pending;
          referenced_by[e.value].push_back(static_cast<uint32_t>(alts.size()));
        }
      }
      alts.push_back(a);
    }
  }
  using Item = std::pair<uint32_t, uint32_t>;  // (bytes, rule)
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (const Alt& a : alts) {
    if (a.pending == 0 && !a.dead) queue.push({a.sum, a.rule});
  }
  std::vector<uint8_t> final_(g->rules.size(), 0);
  for (Rule& r : g->rules) r.min_bytes = kInfiniteBytes;
  while (!queue.empty()) {
    const auto [bytes, rule] = queue.top();
    queue.pop();
    if (final_[rule]) continue;
    final_[rule] = 1;
    g->rules[rule].min_bytes = bytes;
    for (uint32_t ai : referenced_by[rule]) {
      Alt& a = alts[ai];
      a.sum = AddSat(a.sum, bytes);
      if (--a.pending == 0 && !a.dead) queue.push({a.sum, a.rule});
    }
  }
  for (uint32_t i = 0; i < g->rules.size(); ++i) {
    const Rule& r = g->rules[i];
    if (final_[i] && r.min_bytes >= kInfiniteBytes) {
      return Status::Error("line %u, column %u: rule '%s' needs more than %u bytes", r.line, r.column,
                           UserName(r.name).c_str(), kInfiniteBytes);
    }
    if (!final_[i]) {
      return Status::Error("line %u, column %u: rule '%s' can never finish (every alternative needs itself, or an "
                           "empty character class)",
                           r.line, r.column, UserName(r.name).c_str());
    }
  }
  g->suffix_min_bytes.assign(g->elements.size(), 0);
  for (const Rule& r : g->rules) {
    for (uint32_t start : r.alts) {
      uint32_t end = start;
      while (g->elements[end].type != ElementType::kEndOfAlternative) ++end;
      uint32_t acc = 0;
      for (uint32_t p = end; p-- > start;) {
        const Element& e = g->elements[p];
        acc = AddSat(acc, e.type == ElementType::kChar ? ClassMinBytes(*g, e.value) : g->rules[e.value].min_bytes);
        g->suffix_min_bytes[p] = acc;
      }
    }
  }
  return Status::Ok();
}

Status CheckLeftRecursion(const Grammar& g) {
  struct Edge {
    uint32_t to;
    bool tail;
  };
  const uint32_t n = static_cast<uint32_t>(g.rules.size());
  std::vector<std::vector<Edge>> edges(n);
  for (uint32_t r = 0; r < n; ++r) {
    for (uint32_t start : g.rules[r].alts) {
      for (uint32_t p = start; g.elements[p].type == ElementType::kRule; ++p) {
        const uint32_t to = g.elements[p].value;
        edges[r].push_back({to, g.elements[p + 1].type == ElementType::kEndOfAlternative});
        if (g.rules[to].min_bytes > 0) break;  // only nullable prefixes keep the position leftmost
      }
    }
  }
  // Tarjan's strongly connected components, iteratively.
  std::vector<uint32_t> index(n, UINT32_MAX), low(n, 0), component(n, UINT32_MAX);
  std::vector<uint8_t> on_stack(n, 0);
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> frames;  // (rule, next edge)
  uint32_t next_index = 0, n_components = 0;
  for (uint32_t s = 0; s < n; ++s) {
    if (index[s] != UINT32_MAX) continue;
    frames.push_back({s, 0});
    index[s] = low[s] = next_index++;
    stack.push_back(s);
    on_stack[s] = 1;
    while (!frames.empty()) {
      auto& [v, next] = frames.back();
      if (next < edges[v].size()) {
        const uint32_t w = edges[v][next++].to;
        if (index[w] == UINT32_MAX) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = 1;
          frames.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      const uint32_t done = v;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().first] = std::min(low[frames.back().first], low[done]);
      if (low[done] == index[done]) {
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          component[w] = n_components;
        } while (w != done);
        ++n_components;
      }
    }
  }
  for (uint32_t r = 0; r < n; ++r) {
    for (const Edge& e : edges[r]) {
      if (!e.tail && component[e.to] == component[r]) {
        const Rule& rule = g.rules[r];
        return Status::Error("line %u, column %u: rule '%s' is left-recursive (it can reach itself before "
                             "matching any character)",
                             rule.line, rule.column, UserName(rule.name).c_str());
      }
    }
  }
  return Status::Ok();
}

}  // namespace

int Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

bool Grammar::ClassIntersects(uint32_t class_id, uint32_t lo, uint32_t hi) const {
  const CharClass& c = classes[class_id];
  const CodeRange* begin = ranges.data() + c.first;
  const CodeRange* end = begin + c.count;
  // First range that ends at or after lo.
  const CodeRange* it = std::lower_bound(begin, end, lo, [](const CodeRange& r, uint32_t v) { return r.hi < v; });
  return it != end && it->lo <= hi;
}

bool Grammar::ClassContains(uint32_t class_id, uint32_t cp) const { return ClassIntersects(class_id, cp, cp); }

Status AnalyzeGrammar(Grammar* g) {
  if (g->root >= g->rules.size()) return Status::Error("the grammar has no root rule");
  PIPIT_TRY(ComputeMinBytes(g));
  return CheckLeftRecursion(*g);
}

}  // namespace pipit::grammar
