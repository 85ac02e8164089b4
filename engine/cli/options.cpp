#include "cli/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace pipit::cli {
namespace {

bool ParseInt(const char* s, long min, long max, long* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

bool ParseFloat(const char* s, float min, float max, float* out) {
  char* end = nullptr;
  errno = 0;
  const float v = std::strtof(s, &end);
  if (errno || end == s || *end || !std::isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

const char* UsageText() {
  return "usage: pipit MODEL.gguf [options]      (prompt from -p or stdin; text to stdout, stats to stderr)\n"
         "  -p PROMPT            prompt text (default: read stdin)\n"
         "  -n N                 max tokens to generate (256)\n"
         "  -t T                 temperature, 0 = greedy (0.8)\n"
         "  -k P                 top-p (0.9)\n"
         "  -s SEED              random seed (42)\n"
         "  -c N                 context size (model's, at most 2048)\n"
         "  -j N                 threads (4)\n"
         "  -b N                 prompt tokens per forward pass (16)\n"
         "  --cache FILE         save the prompt's KV state after prefill; reuse a matching prefix\n"
         "  --top-k K            top-k, 0 = off (40)\n"
         "  --min-p P            min-p, 0 = off (0)\n"
         "  --repeat-penalty R   repetition penalty, 1 = off (1)\n"
         "  --repeat-last-n N    window for the penalty (64)\n"
         "  --ignore-eos         keep generating past end-of-sequence\n"
         "  --chat               wrap the prompt in the model's chat template\n"
         "  --template NAME      chat template: chatml, llama2, llama3, zephyr, mistral (implies --chat)\n"
         "  --system TEXT        system message (with --chat)\n"
         "  --json               output one JSON object (complete and valid even when -n cuts it short)\n"
         "  --grammar FILE       output follows a GBNF grammar (llama.cpp's format) from FILE\n"
         "  --schema FILE        output is JSON valid against the JSON Schema in FILE\n"
         "  --tokenize           print the prompt's token ids and exit\n"
         "  -q                   no stats on stderr\n"
         "  -h, --help           this text\n";
}

bool ParseOptions(int argc, char** argv, Options* o, std::string* error, bool* help) {
  *help = false;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    auto value = [&](const char** out) {
      if (i + 1 >= argc) {
        *error = std::string("option ") + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    auto int_opt = [&](long min, long max, auto* out) {
      const char* v;
      long n;
      if (!value(&v)) return false;
      if (!ParseInt(v, min, max, &n)) {
        *error = std::string("option ") + arg + ": '" + v + "' is not an integer in [" + std::to_string(min) + ", " +
                 std::to_string(max) + "]";
        return false;
      }
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(n);
      return true;
    };
    auto float_opt = [&](float min, float max, float* out) {
      const char* v;
      if (!value(&v)) return false;
      if (!ParseFloat(v, min, max, out)) {
        *error = std::string("option ") + arg + ": '" + v + "' is not a number in [" + std::to_string(min) + ", " +
                 std::to_string(max) + "]";
        return false;
      }
      return true;
    };
    const char* v;
    bool ok = true;
    if (!std::strcmp(arg, "-h") || !std::strcmp(arg, "--help")) {
      *help = true;
      return true;
    } else if (!std::strcmp(arg, "-p")) {
      ok = value(&v);
      if (ok) o->prompt = v, o->prompt_given = true;
    } else if (!std::strcmp(arg, "-n")) {
      ok = int_opt(0, 1 << 20, &o->max_tokens);
    } else if (!std::strcmp(arg, "-t")) {
      ok = float_opt(0.0f, 100.0f, &o->temperature);
    } else if (!std::strcmp(arg, "-k") || !std::strcmp(arg, "--top-p")) {
      ok = float_opt(0.0f, 1.0f, &o->top_p);
    } else if (!std::strcmp(arg, "-s")) {
      const char* s;
      ok = value(&s);
      char* end = nullptr;
      errno = 0;
      if (ok) o->seed = std::strtoull(s, &end, 10);
      if (ok && (errno || end == s || *end || *s == '-')) {
        *error = std::string("option -s: '") + s + "' is not a non-negative integer";
        ok = false;
      }
    } else if (!std::strcmp(arg, "-c")) {
      ok = int_opt(1, 1 << 20, &o->n_ctx);
    } else if (!std::strcmp(arg, "-j")) {
      ok = int_opt(1, 1024, &o->n_threads);
    } else if (!std::strcmp(arg, "-b")) {
      ok = int_opt(1, 4096, &o->n_batch);
    } else if (!std::strcmp(arg, "--cache")) {
      ok = value(&v);
      if (ok) o->cache_path = v;
    } else if (!std::strcmp(arg, "--top-k")) {
      ok = int_opt(0, 1 << 24, &o->top_k);
    } else if (!std::strcmp(arg, "--min-p")) {
      ok = float_opt(0.0f, 1.0f, &o->min_p);
    } else if (!std::strcmp(arg, "--repeat-penalty")) {
      ok = float_opt(0.0f, 100.0f, &o->repeat_penalty);
    } else if (!std::strcmp(arg, "--repeat-last-n")) {
      ok = int_opt(0, 1 << 20, &o->repeat_last_n);
    } else if (!std::strcmp(arg, "--ignore-eos")) {
      o->ignore_eos = true;
    } else if (!std::strcmp(arg, "--chat")) {
      o->chat = true;
    } else if (!std::strcmp(arg, "--template")) {
      ok = value(&v);
      if (ok) o->chat_template = v, o->chat = true;
    } else if (!std::strcmp(arg, "--system")) {
      ok = value(&v);
      if (ok) o->system_prompt = v;
    } else if (!std::strcmp(arg, "--json")) {
      o->json = true;
    } else if (!std::strcmp(arg, "--grammar")) {
      ok = value(&v);
      if (ok) o->grammar_path = v;
    } else if (!std::strcmp(arg, "--schema")) {
      ok = value(&v);
      if (ok) o->schema_path = v;
    } else if (!std::strcmp(arg, "--tokenize")) {
      o->tokenize_only = true;
    } else if (!std::strcmp(arg, "-q")) {
      o->quiet = true;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      *error = std::string("unknown option ") + arg;
      return false;
    } else if (o->model_path.empty()) {
      o->model_path = arg;
    } else {
      *error = std::string("unexpected argument '") + arg + "' (the model is already '" + o->model_path + "')";
      return false;
    }
    if (!ok) return false;
  }
  if (o->model_path.empty()) {
    *error = "no model file given";
    return false;
  }
  if (o->json && !o->grammar_path.empty()) {
    *error = "--json and --grammar both constrain the output; use one";
    return false;
  }
  if (!o->schema_path.empty() && (o->json || !o->grammar_path.empty())) {
    *error = "--schema and --json/--grammar both constrain the output; use one";
    return false;
  }
  return true;
}

}  // namespace pipit::cli
