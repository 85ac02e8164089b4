// GGUF v3 writer, used by pipit-quantize and the test fixture writer.
// Tensor data is written in insertion order, each tensor aligned to
// general.alignment (32). The file is written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "gguf/gguf.h"

namespace pipit::gguf {

class Writer {
 public:
  void SetU32(const std::string& key, uint32_t v);
  void SetI32(const std::string& key, int32_t v);
  void SetU64(const std::string& key, uint64_t v);
  void SetF32(const std::string& key, float v);
  void SetBool(const std::string& key, bool v);
  void SetString(const std::string& key, const std::string& v);
  void SetStringArray(const std::string& key, const std::vector<std::string>& v);
  void SetF32Array(const std::string& key, const std::vector<float>& v);
  void SetI32Array(const std::string& key, const std::vector<int32_t>& v);
  // Copies a metadata entry from another file verbatim (used when
  // re-quantizing a model).
  void CopyValue(const KeyValue& kv);

  // `data` holds ne[0]*ne[1]*... elements of `type`, already encoded; it is
  // copied. ne[0] is the contiguous row length.
  void AddTensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                 const void* data, size_t n_bytes);

  Status WriteFile(const std::string& path) const;
  // Serializes to memory (tests).
  std::vector<uint8_t> Serialize() const;

 private:
  struct Tensor {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
  };
  std::vector<std::pair<std::string, std::vector<uint8_t>>> kv_;  // key, encoded type+value
  std::vector<Tensor> tensors_;
};

}  // namespace pipit::gguf
