#include "kv/kv_cache.h"

namespace pipit {

Status KvCache::Init(const ModelConfig& config, int n_ctx, int n_seq) {
  if (n_ctx < 1 || n_seq < 1) return Status::Error("kv cache: context size %d and sequence count %d must be >= 1", n_ctx, n_seq);
  n_layer_ = config.n_layer;
  n_seq_ = n_seq;
  n_ctx_ = n_ctx;
  kv_dim_ = config.kv_dim();
  size_ = static_cast<size_t>(n_layer_) * n_seq_ * n_ctx_ * kv_dim_;
  k_.reset(static_cast<uint16_t*>(std::calloc(size_, sizeof(uint16_t))));
  v_.reset(static_cast<uint16_t*>(std::calloc(size_, sizeof(uint16_t))));
  if (!k_ || !v_) return Status::Error("kv cache: cannot allocate %zu bytes", bytes());
  length_.assign(n_seq, 0);
  return Status::Ok();
}

}  // namespace pipit
