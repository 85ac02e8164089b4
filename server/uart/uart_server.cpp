// The UART line protocol (server/uart/README.md): a banner, then "> ";
// each line is a prompt (answered by streamed text and a "#end" stats line)
// or a /command; every problem is one "#error" line, and the server keeps
// serving. Each prompt starts a fresh sequence (the KV cache is cleared and
// the sampler re-seeded), so an answer depends only on the prompt and the
// settings, exactly like one `pipit -p PROMPT` run on a host.
#include "uart_server.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_selftest.h"
#include "kernels/kernels.h"
#include "line_buffer.h"
#include "model/context.h"
#include "model/model.h"
#include "sampling/sampler.h"
#include "text_format.h"
#include "tokenizer/tokenizer.h"

namespace pipit::uart {

namespace {
constexpr int kMaxContext = 256;  // default context: the KV cache is most of the RAM
}  // namespace

struct UartServer::State {
  explicit State(const UartServerOptions& o) : options(o), line(o.max_line) {
    sampling.temperature = o.temperature;
    sampling.top_p = o.top_p;
    sampling.top_k = o.top_k;
    sampling.seed = o.seed;
    n_predict = o.n_predict;
  }

  UartServerOptions options;
  WriteFn write = nullptr;
  void* user = nullptr;
  LineBuffer line;

  std::unique_ptr<Model> model;
  std::unique_ptr<Context> ctx;
  std::unique_ptr<Sampler> sampler;  // rebuilt when a setting changes
  SamplingParams sampling;           // pipit's defaults (min_p 0, no penalties)
  int n_predict = 32;
  std::vector<float> logits;         // [n_vocab] copy the sampler may modify
  std::string out;                   // one protocol line being built

  void Write(std::string_view text) const {
    if (write != nullptr && !text.empty()) write(user, text.data(), text.size());
  }
  // Writes `out` plus '\n' and clears it.
  void FlushLine() {
    out.push_back('\n');
    Write(out);
    out.clear();
  }
  void Error(std::string_view why) {
    out = "#error ";
    out.append(why);
    FlushLine();
  }
  void Prompt() const { Write("> "); }

  int n_ctx() const { return ctx->params().n_ctx; }
  void AppendModelInfo();
  void AppendSettings();
  void OnLine(std::string_view text);
  void OnCommand(std::string_view name, std::string_view arg);
  void Generate(std::string_view prompt_text);
  void ResetSequence();
};

// "model=... arch=llama layers=4 embd=192 heads=6 kv_heads=1 ff=512
// vocab=2048 type=Q4_0 ctx=256 kernels=m33"
void UartServer::State::AppendModelInfo() {
  const ModelConfig& c = model->config();
  std::string_view name = "unnamed", arch = "llama";
  (void)model->file().GetStringOpt("general.name", &name);
  (void)model->file().GetStringOpt("general.architecture", &arch);
  const Weights& w = model->weights();
  out.append("model=").append(name).append(" arch=").append(arch);
  out.append(" layers="), AppendInt(&out, c.n_layer);
  out.append(" embd="), AppendInt(&out, c.n_embd);
  out.append(" heads="), AppendInt(&out, c.n_head);
  out.append(" kv_heads="), AppendInt(&out, c.n_head_kv);
  out.append(" ff="), AppendInt(&out, c.n_ff);
  out.append(" vocab="), AppendInt(&out, c.n_vocab);
  out.append(" type=").append(w.layers.empty() ? "?" : w.layers[0].w_gate.dtype->name);
  if (!w.layers.empty() && w.output.dtype != w.layers[0].w_gate.dtype) {
    out.append(" output=").append(w.output.dtype->name);
  }
  out.append(" ctx="), AppendInt(&out, n_ctx());
  out.append(" kernels=").append(kernels::Kernels().name);
}

void UartServer::State::AppendSettings() {
  out.append("temp="), AppendFixed(&out, sampling.temperature, 3);
  out.append(" topp="), AppendFixed(&out, sampling.top_p, 3);
  out.append(" topk="), AppendInt(&out, sampling.top_k);
  out.append(" seed="), AppendUint(&out, sampling.seed);
  out.append(" n="), AppendInt(&out, n_predict);
}

void UartServer::State::ResetSequence() {
  ctx->kv().Truncate(0, 0);
  if (sampler == nullptr) {
    sampler = std::make_unique<Sampler>(sampling, model->config().n_vocab);
  } else {
    sampler->Reset();
  }
}

void UartServer::State::OnLine(std::string_view text) {
  std::string why;
  if (!CheckLineText(text, &why)) return Error(why);
  if (model == nullptr) return Error("no model loaded");
  if (text.empty()) return;  // an empty line just gets a new prompt
  if (text[0] != '/') return Generate(text);
  const size_t space = text.find(' ');
  const std::string_view name = text.substr(0, space);
  std::string_view arg = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.remove_suffix(1);
  OnCommand(name, arg);
}

void UartServer::State::OnCommand(std::string_view name, std::string_view arg) {
  const bool needs_arg = name == "/temp" || name == "/topp" || name == "/topk" || name == "/seed" || name == "/n";
  const bool known = needs_arg || name == "/reset" || name == "/info" || name == "/help" || name == "/selftest";
  if (!known) {
    out = "unknown command ";
    out.append(name.substr(0, 32)).append(" (/help lists the commands)");
    const std::string why = out;
    return Error(why);
  }
  if (needs_arg && arg.empty()) return Error(std::string(name) + " needs a value (/help)");
  if (!needs_arg && !arg.empty()) return Error(std::string(name) + " takes no value");

  SamplingParams next = sampling;
  if (name == "/temp") {
    if (!ParseFloat(arg, &next.temperature) || next.temperature < 0 || next.temperature > 100) {
      return Error("/temp wants a number from 0 (greedy) to 100");
    }
  } else if (name == "/topp") {
    if (!ParseFloat(arg, &next.top_p) || !(next.top_p > 0) || next.top_p > 1) {
      return Error("/topp wants a number in (0, 1] (1 = off)");
    }
  } else if (name == "/topk") {
    if (!ParseInt(arg, 0, model->config().n_vocab, &next.top_k)) {
      std::string why = "/topk wants an integer from 0 (off) to ";
      AppendInt(&why, model->config().n_vocab);
      return Error(why);
    }
  } else if (name == "/seed") {
    if (!ParseUint64(arg, &next.seed)) return Error("/seed wants an integer from 0 to 18446744073709551615");
  } else if (name == "/n") {
    if (!ParseInt(arg, 1, n_ctx(), &n_predict)) {
      std::string why = "/n wants an integer from 1 to ";
      AppendInt(&why, n_ctx());
      return Error(why);
    }
  } else if (name == "/reset") {
    ResetSequence();
    out = "#ok reset: context cleared, sampler re-seeded (";
    AppendSettings();
    out.append(")");
    return FlushLine();
  } else if (name == "/info") {
    out = "#info ";
    AppendModelInfo();
    FlushLine();
    out = "#info ";
    AppendSettings();
    FlushLine();
    const platform::MemoryUsage mem = platform::ProcessMemory();
    out = "#info kv_bytes=";
    AppendUint(&out, ctx->kv().bytes());
    out.append(" model_bytes="), AppendUint(&out, model->file_size());
    out.append(" weight_bytes_per_token="), AppendUint(&out, model->weight_bytes_per_token());
    out.append(" heap_bytes="), AppendUint(&out, mem.anon_bytes);
    out.append(" max_line="), AppendUint(&out, options.max_line);
    return FlushLine();
  } else if (name == "/selftest") {
    out = "#selftest ";
    RunKernelSelfTest(&out);
    return FlushLine();
  } else if (name == "/help") {
    static const char* const kHelp[] = {
        "#help a line of text is a prompt: the answer streams back, then \"#end ...\"",
        "#help each prompt starts fresh (no chat memory); no echo: use local echo",
        "#help /temp X    sampling temperature, 0 = greedy",
        "#help /topp X    nucleus sampling threshold in (0, 1], 1 = off",
        "#help /topk N    keep the N most likely tokens, 0 = off",
        "#help /seed N    random seed (each prompt starts from it)",
        "#help /n N       tokens per answer",
        "#help /reset     clear the context and re-seed the sampler",
        "#help /info      model, settings and memory",
        "#help /selftest  check the kernels against the scalar reference",
    };
    for (const char* line : kHelp) {
      out = line;
      FlushLine();
    }
    return;
  }
  if (needs_arg) {
    // The sampler is rebuilt with the new settings before the next prompt.
    const bool changed = name != "/n";
    sampling = next;
    if (changed) sampler.reset();
    out = "#ok ";
    AppendSettings();
    FlushLine();
  }
}

// Mirrors the generation loop of engine/cli/pipit_main.cpp, so greedy (and
// seeded) answers equal pipit's stdout for the same model and settings.
void UartServer::State::Generate(std::string_view prompt_text) {
  const Tokenizer& tok = model->tokenizer();
  const std::vector<Token> prompt = tok.Encode(prompt_text, tok.add_bos(), /*parse_special=*/false);
  if (prompt.empty()) return Error("the prompt encodes to no tokens");
  if (static_cast<int>(prompt.size()) >= n_ctx()) {
    out = "prompt has ";
    AppendInt(&out, static_cast<int64_t>(prompt.size()));
    out.append(" tokens; the context holds ");
    AppendInt(&out, n_ctx());
    out.append(" (at most ");
    AppendInt(&out, n_ctx() - 1);
    out.append(")");
    const std::string why = out;
    return Error(why);
  }
  ResetSequence();
  for (Token t : prompt) sampler->Accept(t);

  const double t_start = platform::NowSeconds();
  Batch batch;
  for (int i = 0; i < static_cast<int>(prompt.size()); ++i) {
    batch.Add(prompt[i], i, 0, i + 1 == static_cast<int>(prompt.size()));
  }
  if (Status s = ctx->Decode(batch); !s.ok()) return Error(s.message());
  const int n_vocab = model->config().n_vocab;
  logits.assign(ctx->Logits(0), ctx->Logits(0) + n_vocab);
  const double t_first = platform::NowSeconds();

  TokenDecoder decoder(tok);
  const char* stop = "length";
  int n_generated = 0, n_text = 0, n_decoded = 0;
  int pos = static_cast<int>(prompt.size());
  while (n_generated < n_predict) {
    const Token next = sampler->Sample(logits.data());
    if (next < 0) {
      stop = "no_token";
      break;
    }
    ++n_generated;
    if (tok.IsEndOfGeneration(next)) {
      stop = "eos";
      break;
    }
    sampler->Accept(next);
    ++n_text;
    Write(decoder.Push(next));
    if (n_generated == n_predict) break;
    if (pos >= n_ctx()) {
      stop = "ctx";
      break;
    }
    batch.Clear();
    batch.Add(next, pos++, 0, true);
    if (Status s = ctx->Decode(batch); !s.ok()) {
      Write(decoder.Flush());
      Write("\n");
      return Error(s.message());
    }
    ++n_decoded;
    logits.assign(ctx->Logits(0), ctx->Logits(0) + n_vocab);
  }
  const double t_end = platform::NowSeconds();
  Write(decoder.Flush());
  Write("\n");

  const double ms_per_token = n_decoded > 0 ? (t_end - t_first) * 1e3 / n_decoded : 0.0;
  out = "#end tokens=";
  AppendInt(&out, n_text);
  out.append(" prompt="), AppendInt(&out, static_cast<int64_t>(prompt.size()));
  out.append(" prefill_ms="), AppendFixed(&out, (t_first - t_start) * 1e3, 1);
  out.append(" ms_per_token="), AppendFixed(&out, ms_per_token, 2);
  out.append(" tok_s="), AppendFixed(&out, ms_per_token > 0 ? 1e3 / ms_per_token : 0.0, 1);
  out.append(" stop=").append(stop);
  FlushLine();
}

UartServer::UartServer() : UartServer(UartServerOptions()) {}
UartServer::UartServer(const UartServerOptions& options) : state_(std::make_unique<State>(options)) {}
UartServer::~UartServer() = default;

Status UartServer::Start(platform::ByteSpan model_bytes, WriteFn write, void* user) {
  State& s = *state_;
  s.write = write;
  s.user = user;
  s.ctx.reset();
  s.sampler.reset();
  s.model.reset();
  Status status = Model::FromBytes(model_bytes, &s.model);
  if (status.ok()) {
    ContextParams params;
    params.n_ctx = s.options.n_ctx > 0 ? s.options.n_ctx : std::min(s.model->config().n_ctx_train, kMaxContext);
    params.n_batch = std::max(1, s.options.n_batch);
    params.n_threads = 1;
    status = Context::Create(*s.model, params, &s.ctx);
  }
  if (!status.ok()) {
    s.ctx.reset();
    s.model.reset();
    s.Error(status.message());  // the caller decides what follows (OnByte still answers "#error")
    return status;
  }
  s.n_predict = std::clamp(s.n_predict, 1, s.n_ctx());
  s.logits.reserve(s.model->config().n_vocab);
  s.ResetSequence();
  s.out = "#pipit ";
  s.AppendModelInfo();
  s.FlushLine();
  s.Prompt();
  return Status::Ok();
}

void UartServer::OnByte(uint8_t byte) {
  State& s = *state_;
  switch (s.line.Push(byte)) {
    case LineBuffer::Event::kNone:
      return;
    case LineBuffer::Event::kTooLong: {
      std::string why = "line too long (max ";
      AppendUint(&why, s.line.max_line());
      why.append(" bytes)");
      s.Error(why);
      break;
    }
    case LineBuffer::Event::kLine:
      s.OnLine(s.line.line());
      break;
  }
  s.Prompt();
}

}  // namespace pipit::uart
