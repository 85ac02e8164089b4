// pipit_logits: the pipit side of the llama.cpp parity suite.
//
//   pipit_logits MODEL --tokens "1 450 4996 ..." --n-prompt P --out FILE [-j N] [-b N]
//
// Evaluates the first P tokens as one prompt (logits of the last), then
// feeds the remaining tokens one at a time, as a generation would, and writes
// the next-token logits after each step to FILE: float32
// [n_tokens - P + 1, n_vocab], row-major. This mirrors what
// tests/parity/logits_oracle.mjs records from llama.cpp for the same tokens.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "model/context.h"
#include "model/model.h"

using namespace pipit;

int main(int argc, char** argv) {
  std::string model_path, tokens_text, out_path;
  int n_prompt = -1, n_threads = 2, n_batch = 64;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "pipit_logits: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--tokens")) tokens_text = next();
    else if (!std::strcmp(argv[i], "--n-prompt")) n_prompt = std::atoi(next());
    else if (!std::strcmp(argv[i], "--out")) out_path = next();
    else if (!std::strcmp(argv[i], "-j")) n_threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "-b")) n_batch = std::atoi(next());
    else if (model_path.empty()) model_path = argv[i];
    else {
      std::fprintf(stderr, "pipit_logits: unexpected argument %s\n", argv[i]);
      return 2;
    }
  }
  std::vector<Token> tokens;
  std::istringstream in(tokens_text);
  for (Token t; in >> t;) tokens.push_back(t);
  if (model_path.empty() || out_path.empty() || n_prompt < 1 || n_prompt > static_cast<int>(tokens.size())) {
    std::fprintf(stderr, "usage: pipit_logits MODEL --tokens \"IDS\" --n-prompt P --out FILE [-j N] [-b N]\n");
    return 2;
  }

  std::unique_ptr<Model> model;
  if (Status s = Model::Open(model_path, &model); !s.ok()) {
    std::fprintf(stderr, "pipit_logits: %s\n", s.message().c_str());
    return 1;
  }
  ContextParams params;
  params.n_ctx = static_cast<int>(tokens.size()) + 1;
  params.n_threads = n_threads;
  params.n_batch = n_batch;
  std::unique_ptr<Context> ctx;
  if (Status s = Context::Create(*model, params, &ctx); !s.ok()) {
    std::fprintf(stderr, "pipit_logits: %s\n", s.message().c_str());
    return 1;
  }

  FILE* out = std::fopen(out_path.c_str(), "wb");
  if (!out) {
    std::perror(out_path.c_str());
    return 1;
  }
  const int n_vocab = model->config().n_vocab;
  Batch batch;
  for (int i = 0; i < n_prompt; ++i) batch.Add(tokens[i], i, 0, i == n_prompt - 1);
  for (int pos = n_prompt;; ++pos) {
    if (Status s = ctx->Decode(batch); !s.ok()) {
      std::fprintf(stderr, "pipit_logits: %s\n", s.message().c_str());
      return 1;
    }
    std::fwrite(ctx->Logits(0), sizeof(float), n_vocab, out);
    if (pos >= static_cast<int>(tokens.size())) break;
    batch.Clear();
    batch.Add(tokens[pos], pos, 0, true);
  }
  return std::fclose(out) == 0 ? 0 : 1;
}
