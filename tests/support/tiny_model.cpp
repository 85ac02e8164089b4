#include "support/tiny_model.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pipit::test {
namespace {

std::string TempDir() {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / ("pipit-test-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all((std::filesystem::temp_directory_path() / ("pipit-test-" + std::to_string(getpid()))),
                                  ec);
    });
    return d;
  }();
  return dir;
}

}  // namespace

std::string TempPath(const std::string& name) { return TempDir() + "/" + name; }

std::string TinyVocabPath() {
  static const std::string path = [] {
    nlohmann::json j;
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<float> scores = {0, 0, 0};
    std::vector<int> types = {2, 3, 3};
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      tokens.push_back(name);
      scores.push_back(0);
      types.push_back(6);
    }
    // Single characters first, then merged pieces with descending scores.
    const char* pieces[] = {"▁", "a", "b", "c", "d", "e", "h", "l", "o", "t", "▁t", "he", "▁the", "ll", "▁hello", "lo",
                            "▁a", "ab", "▁b", "▁c"};
    float score = -1;
    for (const char* p : pieces) {
      tokens.push_back(p);
      scores.push_back(score);
      score -= 1;
      types.push_back(1);
    }
    j["model"] = "llama";
    j["tokens"] = tokens;
    j["scores"] = scores;
    j["token_type"] = types;
    j["bos_token_id"] = 1;
    j["eos_token_id"] = 2;
    j["unknown_token_id"] = 0;
    j["add_bos_token"] = true;
    const std::string p = TempPath("tiny_vocab.json");
    std::ofstream(p) << j.dump();
    return p;
  }();
  return path;
}

std::string TinyModelPath(const std::string& preset, bool tied) {
  static std::map<std::string, std::string> written;
  const std::string key = preset + (tied ? "-tied" : "");
  auto it = written.find(key);
  if (it != written.end()) return it->second;
  FixtureModelOptions o;
  o.vocab_path = TinyVocabPath();
  o.n_embd = 256;  // a multiple of 256, so k-quant presets use k-quants
  o.n_layers = 2;
  o.n_head = 4;
  o.n_head_kv = 2;
  o.n_ff = 512;
  o.n_ctx = 256;
  o.preset = preset;
  o.tied = tied;
  o.seed = 7;
  o.threads = 1;
  const std::string path = TempPath("tiny-" + key + ".gguf");
  Status s = WriteFixtureModel(o, path);
  if (!s.ok()) throw std::runtime_error("writing tiny model: " + s.message());
  written[key] = path;
  return path;
}

}  // namespace pipit::test
