// pipit: generate text from a GGUF model. Pipe-friendly: the prompt comes
// from -p or stdin, only generated text goes to stdout, stats go to stderr.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "chat/chat_template.h"
#include "cli/options.h"
#include "grammar/builtin_grammars.h"
#include "grammar/constraint.h"
#include "grammar/grammar.h"
#include "grammar/json_schema.h"
#include "grammar/token_mask.h"
#include "kv/kv_file.h"
#include "model/context.h"
#include "model/model.h"
#include "platform/platform.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace pipit::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "pipit: %s\n", message.c_str());
  return 1;
}

std::string ReadStdin() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  // `echo hi | pipit` should prompt with "hi", not "hi\n".
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

Status BuildPromptText(const Options& o, const Model& model, std::string* text, bool* parse_special) {
  *parse_special = false;
  if (!o.chat) return Status::Ok();
  ChatTemplate tmpl;
  if (!o.chat_template.empty()) {
    if (!ChatTemplateFromName(o.chat_template, &tmpl)) {
      return Status::Error("unknown chat template '%s' (known: chatml, llama2, llama3, zephyr, mistral)",
                           o.chat_template.c_str());
    }
  } else {
    std::string_view jinja;
    PIPIT_TRY(model.file().GetStringOpt("tokenizer.chat_template", &jinja));
    if (jinja.empty()) return Status::Error("the model has no chat template; name one with --template");
    if (!DetectChatTemplate(jinja, &tmpl)) {
      return Status::Error("the model's chat template is not one pipit knows; name one with --template");
    }
  }
  std::vector<ChatMessage> messages;
  if (!o.system_prompt.empty()) messages.push_back({"system", o.system_prompt});
  messages.push_back({"user", *text});
  *text = RenderChat(tmpl, messages, /*add_assistant=*/true);
  *parse_special = true;
  return Status::Ok();
}

// The grammar the output must follow (--json, --grammar FILE) as GBNF text,
// and where it came from for messages; *constrained false when there is
// none. A new source (e.g. --schema FILE -> GBNF text) plugs in here. The
// text is parsed once here so a bad grammar fails before the model loads.
Status OutputGrammar(const Options& o, bool* constrained, std::string* gbnf, std::string* source) {
  *constrained = false;
  if (o.json) {
    *gbnf = grammar::kJsonObjectGbnf;
    *source = "--json";
  } else if (!o.grammar_path.empty()) {
    std::ifstream in(o.grammar_path, std::ios::binary);
    if (!in) return Status::Error("%s: can not read the grammar file", o.grammar_path.c_str());
    std::ostringstream text;
    text << in.rdbuf();
    *gbnf = text.str();
    *source = o.grammar_path;
  } else if (!o.schema_path.empty()) {
    std::ifstream in(o.schema_path, std::ios::binary);
    if (!in) return Status::Error("%s: can not read the schema file", o.schema_path.c_str());
    std::ostringstream text;
    text << in.rdbuf();
    *source = o.schema_path;
    Status converted = grammar::JsonSchemaToGbnf(text.str(), gbnf);
    if (!converted.ok()) return converted.Prefix(*source);
  } else {
    return Status::Ok();
  }
  *constrained = true;
  grammar::Grammar parsed;
  Status s = grammar::ParseGbnf(*gbnf, &parsed);
  return s.Prefix(*source);
}

void PrintStats(const Options& o, const Model& model, int n_prompt, int n_reused, int n_generated, double t_start,
                double t_first, double t_end) {
  if (o.quiet) return;
  const double prefill_s = t_first - t_start;
  const double gen_s = t_end - t_first;
  const int prefilled = n_prompt - n_reused;
  const platform::MemoryUsage mem = platform::ProcessMemory();
  std::fprintf(stderr, "\n--- pipit: %s\n", o.model_path.c_str());
  std::fprintf(stderr, "prompt tokens:   %d (%d from cache)\n", n_prompt, n_reused);
  std::fprintf(stderr, "prefill:         %.2f tok/s (%d tokens in %.3f s)\n", prefill_s > 0 ? prefilled / prefill_s : 0.0,
               prefilled, prefill_s);
  // The first generated token comes with the prefill; rate the rest.
  std::fprintf(stderr, "generation:      %.2f tok/s (%d tokens in %.3f s)\n",
               n_generated > 1 && gen_s > 0 ? (n_generated - 1) / gen_s : 0.0, n_generated, gen_s);
  std::fprintf(stderr, "time to first:   %.1f ms\n", prefill_s * 1e3);
  std::fprintf(stderr, "memory:          %.1f MiB anonymous, %.1f MiB file-backed (model file %.1f MiB)\n",
               mem.anon_bytes / 1048576.0, mem.file_bytes / 1048576.0, model.file_size() / 1048576.0);
}

int Run(int argc, char** argv) {
  Options o;
  std::string error;
  bool help = false;
  if (!ParseOptions(argc, argv, &o, &error, &help)) {
    std::fprintf(stderr, "pipit: %s\n%s", error.c_str(), UsageText());
    return 2;
  }
  if (help) {
    std::fputs(UsageText(), stdout);
    return 0;
  }

  bool constrained = false;
  std::string gbnf, grammar_source;
  if (Status s = OutputGrammar(o, &constrained, &gbnf, &grammar_source); !s.ok()) return Fail(s.message());

  std::unique_ptr<Model> model;
  if (Status s = Model::Open(o.model_path, &model); !s.ok()) return Fail(s.message());
  const Tokenizer& tok = model->tokenizer();

  std::string text = o.prompt_given ? o.prompt : ReadStdin();
  bool parse_special = false;
  if (Status s = BuildPromptText(o, *model, &text, &parse_special); !s.ok()) return Fail(s.message());
  const std::vector<Token> prompt = tok.Encode(text, tok.add_bos(), parse_special);

  if (o.tokenize_only) {
    for (size_t i = 0; i < prompt.size(); ++i) std::printf(i ? " %d" : "%d", prompt[i]);
    std::printf("\n");
    return 0;
  }
  if (prompt.empty()) return Fail("the prompt is empty");

  ContextParams params;
  params.n_ctx = o.n_ctx > 0 ? o.n_ctx : std::min(model->config().n_ctx_train, 2048);
  params.n_threads = o.n_threads;
  params.n_batch = o.n_batch;
  if (static_cast<int>(prompt.size()) >= params.n_ctx) {
    return Fail("the prompt has " + std::to_string(prompt.size()) + " tokens, more than the context size " +
                std::to_string(params.n_ctx) + " allows (-c)");
  }
  // Grammar: the token budget is what -n and the context leave; the output
  // is complete within it (the mask forces closing in time).
  int max_tokens = o.max_tokens;
  grammar::TokenMask token_mask;
  std::unique_ptr<grammar::GrammarConstraint> constraint;
  if (constrained) {
    max_tokens = std::min(o.max_tokens, params.n_ctx - static_cast<int>(prompt.size()));
    if (Status s = token_mask.Build(tok); !s.ok()) return Fail(s.message());
    if (Status s = grammar::GrammarConstraint::FromGbnf(gbnf, &token_mask, &constraint); !s.ok()) {
      return Fail(s.Prefix(grammar_source).message());
    }
    if (Status s = constraint->CheckBudget(max_tokens); !s.ok()) return Fail(s.Prefix(grammar_source).message());
    if (!token_mask.covers_all_bytes() && !o.quiet) {
      std::fprintf(stderr, "pipit: the vocabulary lacks some single-byte tokens; a budget cut may end the output "
                           "early\n");
    }
  }

  std::unique_ptr<Context> ctx;
  if (Status s = Context::Create(*model, params, &ctx); !s.ok()) return Fail(s.message());

  const double t_start = platform::NowSeconds();
  int n_reused = 0;
  if (!o.cache_path.empty()) {
    if (Status s = LoadKvState(o.cache_path, *model, ctx->kv(), 0, prompt, &n_reused); !s.ok()) {
      if (!o.quiet) std::fprintf(stderr, "pipit: cache not used: %s\n", s.message().c_str());
    } else if (!o.quiet) {
      std::fprintf(stderr, "pipit: cache: reused %d of %zu prompt tokens, prefilling %zu\n", n_reused, prompt.size(),
                   prompt.size() - n_reused);
    }
  }

  // Prefill: all remaining prompt tokens, logits for the last one only.
  Batch batch;
  for (int i = n_reused; i < static_cast<int>(prompt.size()); ++i) {
    batch.Add(prompt[i], i, 0, i + 1 == static_cast<int>(prompt.size()));
  }
  if (Status s = ctx->Decode(batch); !s.ok()) return Fail(s.message());
  if (!o.cache_path.empty()) {
    if (Status s = SaveKvState(o.cache_path, *model, ctx->kv(), 0, prompt); !s.ok()) {
      std::fprintf(stderr, "pipit: cache not saved: %s\n", s.message().c_str());
    }
  }

  SamplingParams sp;
  sp.temperature = o.temperature;
  sp.top_p = o.top_p;
  sp.top_k = o.top_k;
  sp.min_p = o.min_p;
  sp.repeat_penalty = o.repeat_penalty;
  sp.penalty_last_n = o.repeat_last_n;
  sp.seed = o.seed;
  Sampler sampler(sp, model->config().n_vocab);
  for (Token t : prompt) sampler.Accept(t);

  TokenDecoder decoder(tok);
  std::vector<float> logits(ctx->Logits(0), ctx->Logits(0) + model->config().n_vocab);
  const double t_first = platform::NowSeconds();
  int n_generated = 0;
  int pos = static_cast<int>(prompt.size());
  while (n_generated < max_tokens) {
    if (constraint) {
      if (constraint->IsComplete()) break;  // no byte can follow
      if (Status s = constraint->Mask(logits.data(), max_tokens - n_generated); !s.ok()) {
        return Fail(s.Prefix(grammar_source).message());
      }
    }
    const Token next = sampler.Sample(logits.data());
    if (next < 0) break;
    ++n_generated;
    if (constraint) {
      if (Status s = constraint->Accept(next); !s.ok()) return Fail(s.Prefix(grammar_source).message());
      if (constraint->ended()) break;  // end of generation in an accepting state
    }
    if (!o.ignore_eos && tok.IsEndOfGeneration(next)) break;
    sampler.Accept(next);
    const std::string piece = decoder.Push(next);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    if (n_generated == max_tokens || pos >= params.n_ctx) break;
    batch.Clear();
    batch.Add(next, pos++, 0, true);
    if (Status s = ctx->Decode(batch); !s.ok()) return Fail(s.message());
    logits.assign(ctx->Logits(0), ctx->Logits(0) + model->config().n_vocab);
  }
  const std::string rest = decoder.Flush();
  std::fwrite(rest.data(), 1, rest.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  PrintStats(o, *model, static_cast<int>(prompt.size()), n_reused, n_generated, t_start, t_first,
             platform::NowSeconds());
  return 0;
}

}  // namespace
}  // namespace pipit::cli

int main(int argc, char** argv) { return pipit::cli::Run(argc, argv); }
