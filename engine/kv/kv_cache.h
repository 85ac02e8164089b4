// FP16 key/value cache addressed by (sequence, position).
//
// Each sequence owns n_ctx positions. Keys and values of one position are
// rows of kv_dim = n_head_kv * head_dim halves:
//   k, v: [n_layer, n_seq, n_ctx, kv_dim] uint16 (IEEE half bits)
// A sequence's length is the number of leading positions that hold data.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/status.h"
#include "model/config.h"

namespace pipit {

class KvCache {
 public:
  Status Init(const ModelConfig& config, int n_ctx, int n_seq);

  int n_ctx() const { return n_ctx_; }
  int n_seq() const { return n_seq_; }
  int n_layer() const { return n_layer_; }
  int kv_dim() const { return kv_dim_; }
  size_t bytes() const { return 2 * size_ * sizeof(uint16_t); }

  uint16_t* K(int layer, int seq, int pos) { return &k_[Index(layer, seq, pos)]; }
  uint16_t* V(int layer, int seq, int pos) { return &v_[Index(layer, seq, pos)]; }
  const uint16_t* K(int layer, int seq, int pos) const { return &k_[Index(layer, seq, pos)]; }
  const uint16_t* V(int layer, int seq, int pos) const { return &v_[Index(layer, seq, pos)]; }

  int Length(int seq) const { return length_[seq]; }
  void SetLength(int seq, int n) { length_[seq] = n; }
  // Forgets everything at positions >= n_keep in `seq`.
  void Truncate(int seq, int n_keep) {
    if (n_keep < length_[seq]) length_[seq] = n_keep < 0 ? 0 : n_keep;
  }

 private:
  size_t Index(int layer, int seq, int pos) const {
    return ((static_cast<size_t>(layer) * n_seq_ + seq) * n_ctx_ + pos) * kv_dim_;
  }

  int n_layer_ = 0, n_seq_ = 0, n_ctx_ = 0, kv_dim_ = 0;
  // calloc'd: zero pages become resident only as positions fill.
  struct Free {
    void operator()(uint16_t* p) const { std::free(p); }
  };
  size_t size_ = 0;
  std::unique_ptr<uint16_t[], Free> k_, v_;
  std::vector<int> length_;  // [n_seq]
};

}  // namespace pipit
