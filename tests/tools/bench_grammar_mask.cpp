// What grammar masking costs per generated token, for a model's vocabulary:
//   - a JSON generation driven by random logits (seeded; structural tokens
//     favoured so objects nest): median / p90 / max ms of Mask per token,
//     over fresh constraints (the first tokens of each pay for building the
//     automaton's transitions) and over the whole run;
//   - fixed states (start, inside a string, inside a number, after a key,
//     after a colon): the first mask (cold automaton) and the median of
//     repeats (warm).
// Only the tokenizer is used (no forward pass). The machine may be shared:
// medians, not means.
// Usage: bench_grammar_mask MODEL.gguf [--tokens N] [--seed S]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "grammar/automaton.h"
#include "grammar/builtin_grammars.h"
#include "grammar/constraint.h"
#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/token_mask.h"
#include "model/model.h"

namespace {

using namespace pipit;
using namespace pipit::grammar;

double NowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1))];
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_grammar_mask MODEL.gguf [--tokens N] [--seed S]\n");
    return 2;
  }
  int n_tokens = 2000;
  uint32_t seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tokens")) n_tokens = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = static_cast<uint32_t>(std::atoi(argv[i + 1]));
  }
  std::unique_ptr<Model> model;
  if (Status s = Model::Open(argv[1], &model); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  const Tokenizer& tok = model->tokenizer();
  TokenMask mask;
  double t0 = NowMs();
  if (Status s = mask.Build(tok); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::printf("%s: %d tokens, trie %zu nodes, built in %.1f ms, every byte a token: %s\n", argv[1], tok.n_vocab(),
              mask.n_trie_nodes(), NowMs() - t0, mask.covers_all_bytes() ? "yes" : "NO");

  // Random-logit JSON generations.
  const int n_vocab = tok.n_vocab();
  std::vector<float> bias(n_vocab, 0.0f), logits(n_vocab);
  for (Token t = 0; t < n_vocab; ++t) {
    const std::string& b = mask.TokenBytes(t);
    if (!b.empty() && std::strchr("{}[]\",:0123456789-tfn", b[0]) && b[0] != '\0') bias[t] = 4.0f;
  }
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 2.0f);
  std::uniform_real_distribution<double> u(1e-12, 1.0);
  std::vector<double> all, first8;
  int objects = 0;
  while (static_cast<int>(all.size()) < n_tokens) {
    std::unique_ptr<GrammarConstraint> c;
    if (Status s = GrammarConstraint::JsonObject(&mask, &c); !s.ok()) return 1;
    const int budget = 256;
    int n = 0;
    while (n < budget && !c->IsComplete()) {
      for (int t = 0; t < n_vocab; ++t) logits[t] = noise(rng) + bias[t];
      const double start = NowMs();
      if (Status s = c->Mask(logits.data(), budget - n); !s.ok()) {
        std::fprintf(stderr, "mask: %s\n", s.message().c_str());
        return 1;
      }
      const double ms = NowMs() - start;
      all.push_back(ms);
      if (n < 8) first8.push_back(ms);
      Token best = -1;
      double best_score = -1e300;
      for (int t = 0; t < n_vocab; ++t) {
        if (std::isinf(logits[t])) continue;
        const double score = logits[t] - std::log(-std::log(u(rng)));
        if (score > best_score) best_score = score, best = t;
      }
      if (Status s = c->Accept(best); !s.ok()) return 1;
      ++n;
      if (c->ended()) break;
    }
    ++objects;
  }
  std::printf("JSON generation, %zu masked tokens in %d objects (budget 256 each):\n", all.size(), objects);
  // Mask() reuses the mask of a repeated state (inside a string) while the budget is loose.
  std::printf("  all tokens:          median %.3f ms  p90 %.3f ms  max %.3f ms\n", Percentile(all, 0.5),
              Percentile(all, 0.9), Percentile(all, 1.0));
  std::printf("  first 8 per object:  median %.3f ms  p90 %.3f ms  (fresh automaton: transitions computed)\n",
              Percentile(first8, 0.5), Percentile(first8, 0.9));

  // Fixed states.
  struct Case {
    const char* name;
    const char* prefix;
  };
  const Case cases[] = {
      {"start", ""},
      {"after '{'", "{"},
      {"inside a string", "{\"name\": \"Al"},
      {"inside a number", "{\"count\": 12"},
      {"after a key", "{\"name\""},
      {"after a colon", "{\"name\": "},
      {"deep string", "{\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": \"x"},
  };
  Grammar g;
  if (!ParseGbnf(kJsonObjectGbnf, &g).ok()) return 1;
  std::vector<uint8_t> scratch;
  std::printf("fixed states (TokenMask walk, no per-state cache; budget 256):\n                       cold ms   warm median ms   allowed\n");
  for (const Case& k : cases) {
    Automaton a(&g);
    Matcher m(&a);
    if (!m.AcceptBytes(k.prefix)) return 1;
    double start = NowMs();
    const int allowed = mask.Apply(m, 256, logits.data(), &scratch);
    const double cold = NowMs() - start;
    std::vector<double> warm;
    for (int r = 0; r < 30; ++r) {
      start = NowMs();
      mask.Apply(m, 256, logits.data(), &scratch);
      warm.push_back(NowMs() - start);
    }
    std::printf("  %-18s %12.3f %16.3f %9d\n", k.name, cold, Percentile(warm, 0.5), allowed);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
