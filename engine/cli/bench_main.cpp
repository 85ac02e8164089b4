// pipit-bench MODEL [-p 512] [-n 128] [-t 2] [-r 5] [-b 512] [--json]
//
// Speed of one model, measured the way llama-bench measures it so the two
// can be put side by side:
//   pp (prefill): p random token ids (BOS first) in one Decode, split into
//       chunks of b tokens, logits only for the last; tok/s = p / time.
//   tg (decode): n single-token Decode steps from an empty context (BOS
//       first, then random ids: sampling is not part of the measurement);
//       tok/s = n / time.
// Each runs r times after one untimed warm-up; the KV cache is emptied
// before every run. Decode reads every weight once per token, so tg tok/s
// times the weight bytes per token is an effective bandwidth, printed next
// to the read bandwidth measured here with the same thread count.
// With --json the last stdout line is one JSON object with every number.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/bench_bandwidth.h"
#include "kernels/kernels.h"
#include "model/context.h"
#include "model/model.h"
#include "platform/platform.h"

namespace pipit::cli {
namespace {

constexpr size_t kBandwidthBufferBytes = size_t{1} << 30;  // 1 GiB: far beyond any cache
constexpr int kBandwidthPasses = 3;

struct BenchArgs {
  std::string model_path;
  int n_prompt = 512;  // -p
  int n_gen = 128;     // -n
  int n_threads = 2;   // -t
  int reps = 5;        // -r
  int n_batch = 512;   // -b: prompt tokens per forward pass (llama-bench's n_ubatch)
  bool json = false;   // --json
};

void Usage() {
  std::fprintf(stderr,
               "usage: pipit-bench MODEL.gguf [-p N_PROMPT] [-n N_GEN] [-t THREADS] [-r REPS] [-b N_BATCH] [--json]\n"
               "  defaults: -p 512 -n 128 -t 2 -r 5 -b 512; -p 0 or -n 0 skips that test\n");
}

bool ParseInt(const char* text, int min, int max, int* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseArgs(int argc, char** argv, BenchArgs* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      a->json = true;
      continue;
    }
    if (arg.size() == 2 && arg[0] == '-') {
      if (i + 1 >= argc) return false;
      const char* value = argv[++i];
      bool ok = false;
      switch (arg[1]) {
        case 'p': ok = ParseInt(value, 0, 1 << 20, &a->n_prompt); break;
        case 'n': ok = ParseInt(value, 0, 1 << 20, &a->n_gen); break;
        case 't': ok = ParseInt(value, 1, 1024, &a->n_threads); break;
        case 'r': ok = ParseInt(value, 1, 1000, &a->reps); break;
        case 'b': ok = ParseInt(value, 1, 1 << 16, &a->n_batch); break;
        default: ok = false;
      }
      if (!ok) return false;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') return false;
    if (!a->model_path.empty()) return false;
    a->model_path = arg;
  }
  return !a->model_path.empty() && (a->n_prompt > 0 || a->n_gen > 0);
}

// tok/s of every timed run, and their summary.
struct Samples {
  std::vector<double> tok_s;

  double Median() const {
    if (tok_s.empty()) return 0.0;
    std::vector<double> s = tok_s;
    std::sort(s.begin(), s.end());
    const size_t m = s.size() / 2;
    return s.size() % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
  }
  double Min() const { return tok_s.empty() ? 0.0 : *std::min_element(tok_s.begin(), tok_s.end()); }
  double Max() const { return tok_s.empty() ? 0.0 : *std::max_element(tok_s.begin(), tok_s.end()); }
};

class Runner {
 public:
  Runner(Context* ctx, const Model& model) : ctx_(ctx), model_(model), rng_(1234) {}

  // Random valid ids; BOS first when the model has one, as a real prompt would.
  Token RandomToken() {
    return static_cast<Token>(rng_() % static_cast<uint32_t>(model_.config().n_vocab));
  }
  Token FirstToken() {
    const Token bos = model_.tokenizer().bos();
    return bos >= 0 ? bos : RandomToken();
  }

  // One prefill of n tokens; returns seconds.
  Status Prefill(int n, double* seconds) {
    ctx_->kv().Truncate(0, 0);
    batch_.Clear();
    for (int i = 0; i < n; ++i) batch_.Add(i == 0 ? FirstToken() : RandomToken(), i, 0, i == n - 1);
    const double t0 = platform::NowSeconds();
    PIPIT_TRY(ctx_->Decode(batch_));
    *seconds = platform::NowSeconds() - t0;
    return Status::Ok();
  }

  // n single-token decode steps from an empty context; returns seconds.
  Status Generate(int n, double* seconds) {
    ctx_->kv().Truncate(0, 0);
    Token token = FirstToken();
    const double t0 = platform::NowSeconds();
    for (int i = 0; i < n; ++i) {
      batch_.Clear();
      batch_.Add(token, i, 0, true);
      PIPIT_TRY(ctx_->Decode(batch_));
      token = RandomToken();
    }
    *seconds = platform::NowSeconds() - t0;
    return Status::Ok();
  }

 private:
  Context* ctx_;
  const Model& model_;
  std::mt19937 rng_;
  Batch batch_;
};

// A string as a JSON string literal.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonArray(const std::vector<double>& xs) {
  std::string out = "[";
  for (size_t i = 0; i < xs.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.3f", i ? "," : "", xs[i]);
    out += buf;
  }
  return out + "]";
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "pipit-bench: %s\n", message.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  BenchArgs a;
  if (!ParseArgs(argc, argv, &a)) {
    Usage();
    return 2;
  }

  std::unique_ptr<Model> model;
  if (Status s = Model::Open(a.model_path, &model); !s.ok()) return Fail(s.message());
  ContextParams params;
  params.n_ctx = std::max(a.n_prompt, a.n_gen);
  params.n_batch = std::min(a.n_batch, std::max(a.n_prompt, 1));
  params.n_threads = a.n_threads;
  std::unique_ptr<Context> ctx;
  if (Status s = Context::Create(*model, params, &ctx); !s.ok()) return Fail(s.message());

  const char* kernels = kernels::Kernels().name;
  const double weight_bytes = static_cast<double>(model->weight_bytes_per_token());
  std::printf("pipit-bench: %s\n", a.model_path.c_str());
  const int n_threads = ctx->params().n_threads;  // -t, capped at the CPUs we may run on
  std::printf("  kernels %s, threads %d%s, n_batch %d, weights read per token %.1f MB\n", kernels, n_threads,
              n_threads < a.n_threads ? " (fewer than -t: the CPUs this process may run on)" : "", params.n_batch,
              weight_bytes / 1e6);
  std::fflush(stdout);

  Runner runner(ctx.get(), *model);
  Samples pp, tg;
  double seconds = 0;
  // Warm-up: pages the weights in and settles the threads.
  if (a.n_prompt > 0) {
    if (Status s = runner.Prefill(a.n_prompt, &seconds); !s.ok()) return Fail(s.message());
  }
  if (a.n_gen > 0) {
    if (Status s = runner.Generate(std::min(a.n_gen, 8), &seconds); !s.ok()) return Fail(s.message());
  }
  for (int r = 0; r < a.reps; ++r) {
    if (a.n_prompt > 0) {
      if (Status s = runner.Prefill(a.n_prompt, &seconds); !s.ok()) return Fail(s.message());
      pp.tok_s.push_back(a.n_prompt / seconds);
    }
    if (a.n_gen > 0) {
      if (Status s = runner.Generate(a.n_gen, &seconds); !s.ok()) return Fail(s.message());
      tg.tok_s.push_back(a.n_gen / seconds);
    }
  }
  const platform::MemoryUsage mem = platform::ProcessMemory();
  const double anon_mb = mem.anon_bytes / 1048576.0, file_mb = mem.file_bytes / 1048576.0;

  // The bandwidth buffer comes last so it doesn't count in the RSS above.
  // The marker line lets a script that samples our RSS stop before it, and
  // the pause gives its sampler time to see the marker.
  std::fprintf(stderr, "pipit-bench: measuring memory bandwidth\n");
  std::fflush(stderr);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double bandwidth = MeasureReadBandwidth(kBandwidthBufferBytes, n_threads, kBandwidthPasses);
  const double tg_gb_s = tg.Median() * weight_bytes / 1e9;

  std::printf("  %-8s %10s %10s %10s\n", "test", "median", "min", "max");
  if (a.n_prompt > 0) {
    std::printf("  pp%-6d %10.2f %10.2f %10.2f tok/s\n", a.n_prompt, pp.Median(), pp.Min(), pp.Max());
  }
  if (a.n_gen > 0) {
    std::printf("  tg%-6d %10.2f %10.2f %10.2f tok/s\n", a.n_gen, tg.Median(), tg.Min(), tg.Max());
    std::printf("  decode reads %.2f GB/s of weights = %.0f%% of the measured %.2f GB/s\n", tg_gb_s,
                bandwidth > 0 ? 100.0 * tg_gb_s / bandwidth : 0.0, bandwidth);
  } else {
    std::printf("  memory read bandwidth (%d threads): %.2f GB/s\n", n_threads, bandwidth);
  }
  std::printf("  RssAnon %.1f MiB, RssFile %.1f MiB (%.1f MiB of it in 2 MiB pages) after the runs\n", anon_mb,
              file_mb, mem.file_huge_bytes / 1048576.0);

  if (a.json) {
    std::printf(
        "{\"model\":%s,\"kernels\":%s,\"threads\":%d,\"n_prompt\":%d,\"n_gen\":%d,\"reps\":%d,\"n_batch\":%d,"
        "\"pp_tok_s\":%.3f,\"pp_min\":%.3f,\"pp_max\":%.3f,\"tg_tok_s\":%.3f,\"tg_min\":%.3f,\"tg_max\":%.3f,"
        "\"pp_samples\":%s,\"tg_samples\":%s,\"weight_bytes_per_token\":%.0f,\"bandwidth_gb_s\":%.3f,"
        "\"tg_gb_s\":%.3f,\"rss_anon_mb\":%.1f,\"rss_file_mb\":%.1f,\"rss_file_huge_mb\":%.1f}\n",
        JsonString(a.model_path).c_str(), JsonString(kernels).c_str(), n_threads, a.n_prompt, a.n_gen, a.reps,
        params.n_batch, pp.Median(), pp.Min(), pp.Max(), tg.Median(), tg.Min(), tg.Max(),
        JsonArray(pp.tok_s).c_str(), JsonArray(tg.tok_s).c_str(), weight_bytes, bandwidth, tg_gb_s, anon_mb,
        file_mb, mem.file_huge_bytes / 1048576.0);
  }
  return 0;
}

}  // namespace
}  // namespace pipit::cli

int main(int argc, char** argv) { return pipit::cli::Main(argc, argv); }
