// Command-line options of `pipit`, compatible with PicoLM's flags.
#pragma once

#include <cstdint>
#include <string>

namespace pipit::cli {

struct Options {
  std::string model_path;
  std::string prompt;
  bool prompt_given = false;   // -p; otherwise the prompt is read from stdin
  int max_tokens = 256;        // -n
  float temperature = 0.8f;    // -t
  float top_p = 0.9f;          // -k (PicoLM's name for top-p)
  int top_k = 40;              // --top-k
  float min_p = 0.0f;          // --min-p
  float repeat_penalty = 1.0f; // --repeat-penalty
  int repeat_last_n = 64;      // --repeat-last-n
  uint64_t seed = 42;          // -s
  int n_ctx = 0;               // -c; 0 = the model's training context, at most 2048
  int n_threads = 4;           // -j
  int n_batch = 16;            // -b: prompt tokens per forward pass (scratch memory grows with it)
  std::string cache_path;      // --cache
  bool ignore_eos = false;     // --ignore-eos
  bool chat = false;           // --chat
  std::string chat_template;   // --template NAME (implies --chat)
  std::string system_prompt;   // --system TEXT (with --chat)
  bool tokenize_only = false;  // --tokenize
  bool quiet = false;          // -q: no stats on stderr
  // Constrained output (at most one): the output follows a grammar.
  bool json = false;           // --json: one JSON object
  std::string grammar_path;    // --grammar FILE: a GBNF grammar
  std::string schema_path;     // --schema FILE: a JSON Schema (engine/grammar/JSON_SCHEMA.md)
};

// Parses argv. On error returns false and sets *error to a one-line reason.
// `*help` is set for -h/--help.
bool ParseOptions(int argc, char** argv, Options* out, std::string* error, bool* help);

// The usage text for stderr.
const char* UsageText();

}  // namespace pipit::cli
