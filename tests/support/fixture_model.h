// Writes llama-architecture GGUF models with seeded random weights, for tests
// that need a real model file but no downloaded weights. The file carries
// every key llama.cpp needs to load it (so the parity tests can run the very
// same file through llama.cpp), a real vocabulary exported by
// tests/fixtures/export_vocab.mjs, and tensors with llama.cpp's names and
// shapes, quantized per tensor as llama-quantize would for the chosen preset.
//
// Weights are generated and quantized tensor by tensor, rows in parallel;
// no F32 copy of the whole model is ever held. The same options and seed
// give the same bytes on every run and any thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace pipit::test {

// A vocabulary as exported to .cache/vocab/*.json.
struct FixtureVocab {
  std::string model;  // "llama" (SentencePiece) or "gpt2" (byte-level BPE)
  std::string pre;    // "default", "llama-bpe"
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> token_type;
  std::vector<std::string> merges;  // gpt2 only
  int64_t bos_token_id = -1, eos_token_id = -1, unknown_token_id = -1, padding_token_id = -1;
  bool add_bos_token = true, add_eos_token = false;
  std::string chat_template;  // empty: none
};

Status LoadFixtureVocab(const std::string& json_path, FixtureVocab* out);

// Keeps the first n_keep tokens of a SentencePiece ("llama") vocabulary: the
// specials, the 256 byte-fallback tokens <0xNN> and then the pieces in id
// order, which for the llama2 vocabulary is score order. Encoding stays
// complete (text no piece covers falls back to byte tokens); the special
// ids and every byte token must lie below n_keep. *unreachable (optional)
// gets the number of kept pieces that no sequence of merges of kept tokens
// can produce (they cost a row but are never emitted by the encoder).
Status CutFixtureVocab(int n_keep, FixtureVocab* vocab, int* unreachable = nullptr);

struct FixtureModelOptions {
  std::string vocab_path;    // .cache/vocab/<name>.json
  std::string name = "pipit-fixture";
  int n_embd = 64;
  int n_layers = 2;
  int n_head = 4;
  int n_head_kv = 2;
  int n_ff = 128;
  int n_ctx = 2048;          // llama.context_length
  int head_dim = 0;          // 0: n_embd / n_head (key_length not written)
  float rope_base = 10000.0f;
  float rms_eps = 1e-5f;
  std::string preset = "F32";  // any name from quant/preset.h
  // Every weight matrix in one type (llama-quantize --pure): `preset` may
  // then also be a bare type name ("Q3_K"); norms stay F32.
  bool pure = false;
  bool tied = false;         // no output.weight: token_embd doubles as output
  bool llama3_rope = false;  // rope_freqs.weight with Llama 3.1 scaling factors
  uint64_t seed = 1;
  int vocab_size = 0;        // > 0: keep only the first vocab_size tokens (CutFixtureVocab)
  int threads = 0;           // 0: all hardware threads
  bool verbose = false;      // one line per tensor on stderr
};

struct FixtureStats {
  uint64_t file_bytes = 0;
  int n_tensors = 0;
  double seconds = 0;
};

Status WriteFixtureModel(const FixtureModelOptions& options, const std::string& out_path,
                         FixtureStats* stats = nullptr);

// Llama 3.1 rope frequency factors for head_dim (factor 8, low 1, high 4,
// original context 8192), as convert_hf_to_gguf computes them.
std::vector<float> Llama3RopeFactors(int head_dim, float rope_base);

}  // namespace pipit::test
