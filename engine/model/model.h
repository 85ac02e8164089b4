// A loaded model: the GGUF file (memory-mapped, or a span of flash), its
// config, weights bound in place, and its tokenizer. Immutable once loaded,
// so any number of Contexts can share it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "gguf/gguf.h"
#include "model/config.h"
#include "model/weights.h"
#include "platform/platform.h"
#include "tokenizer/tokenizer.h"

namespace pipit {

class Model {
 public:
  // Maps the file read-only and loads it. Errors name the file.
  static Status Open(const std::string& path, std::unique_ptr<Model>* out);
  // Loads from bytes that stay valid for the model's lifetime (XIP flash).
  static Status FromBytes(platform::ByteSpan bytes, std::unique_ptr<Model>* out);

  const ModelConfig& config() const { return config_; }
  const Weights& weights() const { return weights_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  const gguf::Reader& file() const { return file_; }
  size_t file_size() const { return bytes_.size; }
  // Bytes of weights read for one decoded token (every matrix once).
  size_t weight_bytes_per_token() const;
  // A fingerprint of this exact model file (header, tensor table and samples
  // of every tensor's data): saved KV state is only reused on a match.
  uint64_t identity() const { return identity_; }

 private:
  Status Load();

  platform::MappedFile mapping_;
  platform::ByteSpan bytes_;
  gguf::Reader file_;
  ModelConfig config_;
  Weights weights_;
  Tokenizer tokenizer_;
  uint64_t identity_ = 0;
};

}  // namespace pipit
