// pipit_grammar_sample: constrained sampling many times from one model, for
// the grammar property test (tests/grammar/property_test.mjs). Loads the
// model and the schema/grammar once, prefills the prompt once, then for every
// temperature x seed generates with a token budget and prints one JSON line:
//   {"seed":S,"temp":T,"budget":B,"tokens":N,"accepting":true,"text":"..."}
// The first line describes the run: {"min_tokens":M,"covers_all_bytes":true,...}.
//
// usage: pipit_grammar_sample -m MODEL (--schema FILE | --grammar FILE)
//          [--seeds N] [--seed0 S] [--temps 0.7,1,2] [--extra K | --budget B]
//          [-p PROMPT]
// The budget is min_tokens + K (default K = 4): as small as the grammar allows.
// Sampling is the worst case: no top-k / top-p, every allowed token can win.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/constraint.h"
#include "grammar/json_schema.h"
#include "grammar/token_mask.h"
#include "model/context.h"
#include "model/model.h"
#include "sampling/sampler.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "pipit_grammar_sample: %s\n", message.c_str());
  return 1;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pipit;
  std::string model_path, schema_path, grammar_path, prompt = "Answer in JSON:";
  int n_seeds = 10, extra = 4, fixed_budget = 0;
  uint64_t seed0 = 1;
  std::vector<float> temps = {1.0f};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-m") {
      model_path = next();
    } else if (a == "--schema") {
      schema_path = next();
    } else if (a == "--grammar") {
      grammar_path = next();
    } else if (a == "--seeds") {
      n_seeds = std::atoi(next().c_str());
    } else if (a == "--seed0") {
      seed0 = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--extra") {
      extra = std::atoi(next().c_str());
    } else if (a == "--budget") {
      fixed_budget = std::atoi(next().c_str());
    } else if (a == "-p") {
      prompt = next();
    } else if (a == "--temps") {
      temps.clear();
      std::stringstream ss(next());
      std::string t;
      while (std::getline(ss, t, ',')) temps.push_back(std::strtof(t.c_str(), nullptr));
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (model_path.empty() || schema_path.empty() == grammar_path.empty())
    return Fail("need -m MODEL and one of --schema FILE / --grammar FILE");

  std::string gbnf, text;
  if (!ReadFile(schema_path.empty() ? grammar_path : schema_path, &text)) return Fail("cannot read input file");
  if (!schema_path.empty()) {
    if (Status s = grammar::JsonSchemaToGbnf(text, &gbnf); !s.ok()) return Fail(s.message());
  } else {
    gbnf = text;
  }

  std::unique_ptr<Model> model;
  if (Status s = Model::Open(model_path, &model); !s.ok()) return Fail(s.message());
  const Tokenizer& tok = model->tokenizer();
  grammar::TokenMask mask;
  if (Status s = mask.Build(tok); !s.ok()) return Fail(s.message());

  const std::vector<Token> prompt_tokens = tok.Encode(prompt, tok.add_bos(), false);
  ContextParams params;
  params.n_ctx = 512;
  params.n_threads = 1;
  std::unique_ptr<Context> ctx;
  if (Status s = Context::Create(*model, params, &ctx); !s.ok()) return Fail(s.message());
  Batch batch;
  for (size_t i = 0; i < prompt_tokens.size(); ++i) batch.Add(prompt_tokens[i], static_cast<int>(i), 0, i + 1 == prompt_tokens.size());
  if (Status s = ctx->Decode(batch); !s.ok()) return Fail(s.message());
  const int n_vocab = model->config().n_vocab;
  const std::vector<float> prompt_logits(ctx->Logits(0), ctx->Logits(0) + n_vocab);
  const int n_prompt = static_cast<int>(prompt_tokens.size());

  std::unique_ptr<grammar::GrammarConstraint> probe;
  if (Status s = grammar::GrammarConstraint::FromGbnf(gbnf, &mask, &probe); !s.ok()) return Fail(s.message());
  const int min_tokens = static_cast<int>(probe->MinOutputTokens());
  const int budget = fixed_budget > 0 ? fixed_budget : min_tokens + extra;
  if (n_prompt + budget >= params.n_ctx) return Fail("budget does not fit the context");
  nlohmann::json head = {{"min_tokens", min_tokens}, {"budget", budget}, {"covers_all_bytes", mask.covers_all_bytes()},
                         {"n_vocab", n_vocab}, {"grammar_bytes", gbnf.size()}};
  std::printf("%s\n", head.dump().c_str());

  int failures = 0;
  for (size_t ti = 0; ti < temps.size(); ++ti) {
    const float temp = temps[ti];
    for (int k = 0; k < n_seeds; ++k) {
      // Every (temperature, k) gets its own seed: seed0 .. seed0 + temps * seeds - 1.
      const uint64_t seed = seed0 + ti * static_cast<uint64_t>(n_seeds) + static_cast<uint64_t>(k);
      SamplingParams sp;
      sp.temperature = temp;
      sp.top_k = 0;
      sp.top_p = 1.0f;
      sp.seed = seed;
      Sampler sampler(sp, n_vocab);
      std::unique_ptr<grammar::GrammarConstraint> g;
      if (Status s = grammar::GrammarConstraint::FromGbnf(gbnf, &mask, &g); !s.ok()) return Fail(s.message());
      if (Status s = g->CheckBudget(budget); !s.ok()) return Fail(s.message());
      ctx->kv().Truncate(0, n_prompt);
      std::vector<float> logits = prompt_logits;
      std::string out, error;
      int n = 0, pos = n_prompt;
      while (n < budget && !g->IsComplete()) {
        if (Status s = g->Mask(logits.data(), budget - n); !s.ok()) {
          error = s.message();
          break;
        }
        const Token t = sampler.Sample(logits.data());
        if (t < 0) {
          error = "sampler returned no token";
          break;
        }
        ++n;
        if (Status s = g->Accept(t); !s.ok()) {
          error = s.message();
          break;
        }
        if (g->ended()) break;
        sampler.Accept(t);
        out += mask.TokenBytes(t);
        if (n == budget || g->IsComplete()) break;
        batch.Clear();
        batch.Add(t, pos++, 0, true);
        if (Status s = ctx->Decode(batch); !s.ok()) return Fail(s.message());
        logits.assign(ctx->Logits(0), ctx->Logits(0) + n_vocab);
      }
      nlohmann::json line = {{"seed", seed}, {"temp", temp}, {"budget", budget}, {"tokens", n},
                             {"accepting", g->IsAccepting()}};
      if (!error.empty()) line["error"] = error;
      try {
        line["text"] = out;
        std::printf("%s\n", line.dump().c_str());
      } catch (const std::exception& e) {  // invalid UTF-8 in the output
        line["text"] = nullptr;
        line["error"] = std::string("output is not UTF-8: ") + e.what();
        std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      }
      if (!error.empty() || !g->IsAccepting()) ++failures;
    }
  }
  std::fflush(stdout);
  return failures == 0 ? 0 : 3;
}
