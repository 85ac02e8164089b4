// pipit_tokenize: our tokenizer's side of the llama.cpp tokenizer parity test
// (tests/parity/tokenizer_parity.sh; the other side is
// tests/parity/tokenize_oracle.mjs, which prints the same JSON).
//
//   pipit_tokenize vocab-gguf VOCAB.json OUT.gguf
//       writes a vocabulary-only GGUF (llama architecture metadata, no
//       tensors) from a .cache/vocab/*.json export, for both tokenizers.
//   pipit_tokenize tokenize MODEL.gguf CORPUS.txt
//       prints {"info": {...}, "lines": [{"text", "plain", "special",
//       "detok_plain", "detok_special"}]} for every corpus line, where
//       "plain" = Encode(text, add_bos=false, parse_special=false) and
//       "special" = Encode(text, false, true) (node-llama-cpp's
//       model.tokenize never adds BOS), "detok_*" = Detokenize of those.
//
// Corpus lines are one text each; "\n" "\t" "\r" "\\" and "\u{XXXX}" are
// unescaped so multi-line texts fit on one line.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "platform/platform.h"
#include "support/fixture_model.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace {

using pipit::Status;

std::string Unescape(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\' || i + 1 >= line.size()) {
      out.push_back(line[i]);
      continue;
    }
    const char c = line[++i];
    if (c == 'n') out.push_back('\n');
    else if (c == 't') out.push_back('\t');
    else if (c == 'r') out.push_back('\r');
    else if (c == '\\') out.push_back('\\');
    else if (c == 'u' && i + 1 < line.size() && line[i + 1] == '{') {
      const size_t close = line.find('}', i);
      const uint32_t cpt = std::stoul(line.substr(i + 2, close - i - 2), nullptr, 16);
      pipit::tokenizer::AppendUtf8(cpt, &out);
      i = close;
    } else {
      out.push_back('\\');
      out.push_back(c);
    }
  }
  return out;
}

Status WriteVocabGguf(const std::string& vocab_path, const std::string& out_path) {
  pipit::test::FixtureVocab v;
  PIPIT_TRY(pipit::test::LoadFixtureVocab(vocab_path, &v));
  pipit::gguf::Writer w;
  // Enough llama hyperparameters for llama.cpp to load the vocabulary only.
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", "pipit-vocab");
  w.SetU32("llama.context_length", 2048);
  w.SetU32("llama.embedding_length", 64);
  w.SetU32("llama.block_count", 1);
  w.SetU32("llama.feed_forward_length", 128);
  w.SetU32("llama.rope.dimension_count", 16);
  w.SetU32("llama.attention.head_count", 4);
  w.SetU32("llama.attention.head_count_kv", 4);
  w.SetF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.SetU32("llama.vocab_size", static_cast<uint32_t>(v.tokens.size()));
  w.SetString("tokenizer.ggml.model", v.model);
  w.SetString("tokenizer.ggml.pre", v.pre);
  w.SetStringArray("tokenizer.ggml.tokens", v.tokens);
  if (v.model == "llama") w.SetF32Array("tokenizer.ggml.scores", v.scores);
  w.SetI32Array("tokenizer.ggml.token_type", v.token_type);
  if (!v.merges.empty()) w.SetStringArray("tokenizer.ggml.merges", v.merges);
  if (v.bos_token_id >= 0) w.SetU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos_token_id));
  if (v.eos_token_id >= 0) w.SetU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos_token_id));
  if (v.unknown_token_id >= 0) {
    w.SetU32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(v.unknown_token_id));
  }
  if (v.padding_token_id >= 0) {
    w.SetU32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(v.padding_token_id));
  }
  w.SetBool("tokenizer.ggml.add_bos_token", v.add_bos_token);
  w.SetBool("tokenizer.ggml.add_eos_token", v.add_eos_token);
  return w.WriteFile(out_path);
}

Status Tokenize(const std::string& model_path, const std::string& corpus_path) {
  pipit::platform::MappedFile file;
  PIPIT_TRY(file.Open(model_path));
  pipit::gguf::Reader reader;
  PIPIT_TRY(reader.Parse(file.bytes()));
  pipit::Tokenizer tok;
  PIPIT_TRY(tok.Load(reader));

  nlohmann::json info;
  info["n_vocab"] = tok.n_vocab();
  info["bos"] = tok.bos();
  info["eos"] = tok.eos();
  info["add_bos"] = tok.add_bos();
  // What Encode(add_bos=true) puts in front: compared with llama.cpp's
  // shouldPrependBosToken + bos.
  const std::vector<pipit::Token> with_bos = tok.Encode("a", true, false);
  info["bos_prefix"] = with_bos.size() > 1 && with_bos[0] == tok.bos();
  std::vector<int> eog;
  for (int t = 0; t < tok.n_vocab(); ++t) {
    if (tok.IsEndOfGeneration(t)) eog.push_back(t);
  }
  info["eog"] = eog;

  std::ifstream in(corpus_path);
  if (!in) return Status::Error("cannot open corpus '%s'", corpus_path.c_str());
  nlohmann::json lines = nlohmann::json::array();
  std::string line;
  while (std::getline(in, line)) {
    const std::string text = Unescape(line);
    const auto plain = tok.Encode(text, false, false);
    const auto special = tok.Encode(text, false, true);
    lines.push_back({{"text", text},
                     {"plain", plain},
                     {"special", special},
                     {"detok_plain", tok.Detokenize(plain, false)},
                     {"detok_special", tok.Detokenize(special, true)}});
  }
  const nlohmann::json out = {{"info", info}, {"lines", lines}};
  std::puts(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  Status status;
  if (cmd == "vocab-gguf" && argc == 4) {
    status = WriteVocabGguf(argv[2], argv[3]);
  } else if (cmd == "tokenize" && argc == 4) {
    status = Tokenize(argv[2], argv[3]);
  } else {
    std::fprintf(stderr,
                 "usage: pipit_tokenize vocab-gguf VOCAB.json OUT.gguf\n"
                 "       pipit_tokenize tokenize MODEL.gguf CORPUS.txt\n");
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "pipit_tokenize: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
