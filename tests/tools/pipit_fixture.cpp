// pipit_fixture: writes a llama-architecture GGUF with seeded random weights.
//
//   pipit_fixture --vocab .cache/vocab/tinyllama.json --embd 2048 --layers 22 \
//     --heads 32 --kv-heads 4 --ff 5632 --type Q4_K_M --out .cache/models/x.gguf
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/fixture_model.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "usage: pipit_fixture --vocab VOCAB.json --out OUT.gguf [options]\n"
               "  --embd N        embedding length (64)\n"
               "  --layers N      block count (2)\n"
               "  --heads N       attention heads (4)\n"
               "  --kv-heads N    key/value heads (2)\n"
               "  --ff N          feed-forward length (128)\n"
               "  --ctx N         context_length metadata (2048)\n"
               "  --head-dim N    key/value length (default embd/heads)\n"
               "  --rope-base F   rope freq_base (10000)\n"
               "  --eps F         rms norm epsilon (1e-5)\n"
               "  --type PRESET   F32 F16 BF16 Q4_0 ... Q4_K_M ... Q6_K (F32)\n"
               "  --pure          every weight matrix in TYPE (a preset or a type name)\n"
               "  --tied          no output.weight (token_embd is the output)\n"
               "  --llama3-rope   add rope_freqs.weight (Llama 3.1 scaling)\n"
               "  --seed N        random seed (1)\n"
               "  --vocab-size N  keep the first N tokens of a SentencePiece vocab (specials,\n"
               "                  byte tokens, then pieces in score order)\n"
               "  --name S        general.name\n"
               "  -j N            threads (all)\n"
               "  -v              one line per tensor\n");
}

bool ParseInt(const char* s, int* out) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 0 || v > (1L << 30)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseFloat(const char* s, float* out) {
  char* end = nullptr;
  *out = std::strtof(s, &end);
  return end != s && *end == '\0';
}

bool ParseU64(const char* s, uint64_t* out) {
  char* end = nullptr;
  *out = std::strtoull(s, &end, 10);
  return end != s && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  pipit::test::FixtureModelOptions o;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tied") { o.tied = true; continue; }
    if (a == "--pure") { o.pure = true; continue; }
    if (a == "--llama3-rope") { o.llama3_rope = true; continue; }
    if (a == "-v") { o.verbose = true; continue; }
    if (a == "-h" || a == "--help") { Usage(); return 0; }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "pipit_fixture: %s needs a value\n", a.c_str());
      Usage();
      return 2;
    }
    const char* v = argv[++i];
    bool ok = true;
    if (a == "--vocab") o.vocab_path = v;
    else if (a == "--out") out = v;
    else if (a == "--name") o.name = v;
    else if (a == "--type") o.preset = v;
    else if (a == "--embd") ok = ParseInt(v, &o.n_embd);
    else if (a == "--layers") ok = ParseInt(v, &o.n_layers);
    else if (a == "--heads") ok = ParseInt(v, &o.n_head);
    else if (a == "--kv-heads") ok = ParseInt(v, &o.n_head_kv);
    else if (a == "--ff") ok = ParseInt(v, &o.n_ff);
    else if (a == "--ctx") ok = ParseInt(v, &o.n_ctx);
    else if (a == "--head-dim") ok = ParseInt(v, &o.head_dim);
    else if (a == "-j") ok = ParseInt(v, &o.threads);
    else if (a == "--vocab-size") ok = ParseInt(v, &o.vocab_size);
    else if (a == "--rope-base") ok = ParseFloat(v, &o.rope_base);
    else if (a == "--eps") ok = ParseFloat(v, &o.rms_eps);
    else if (a == "--seed") ok = ParseU64(v, &o.seed);
    else {
      std::fprintf(stderr, "pipit_fixture: unknown option %s\n", a.c_str());
      Usage();
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "pipit_fixture: bad value '%s' for %s\n", v, a.c_str());
      return 2;
    }
  }
  if (o.vocab_path.empty() || out.empty()) {
    Usage();
    return 2;
  }
  pipit::test::FixtureStats stats;
  pipit::Status s = pipit::test::WriteFixtureModel(o, out, &stats);
  if (!s.ok()) {
    std::fprintf(stderr, "pipit_fixture: %s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "pipit_fixture: wrote %s (%d tensors, %.1f MiB, %.1f s)\n", out.c_str(), stats.n_tensors,
               stats.file_bytes / 1048576.0, stats.seconds);
  return 0;
}
