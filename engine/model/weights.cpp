#include "model/weights.h"

#include <string>

namespace pipit {
namespace {

Status FindTensor(const gguf::Reader& file, const std::string& name, const gguf::TensorInfo** out) {
  *out = file.FindTensor(name);
  if (!*out) return Status::Error("tensor '%s' is missing", name.c_str());
  return Status::Ok();
}

Status BindMatrix(const gguf::Reader& file, const std::string& name, int64_t cols, int64_t rows, Matrix* out) {
  const gguf::TensorInfo* t;
  PIPIT_TRY(FindTensor(file, name, &t));
  if (t->n_dims != 2 || t->ne[0] != cols || t->ne[1] != rows) {
    return Status::Error("tensor '%s' has shape [%lld, %lld] (%u dims), expected [%lld, %lld]", name.c_str(),
                         static_cast<long long>(t->ne[0]), static_cast<long long>(t->ne[1]), t->n_dims,
                         static_cast<long long>(cols), static_cast<long long>(rows));
  }
  if (!t->dtype->dot) {
    return Status::Error("tensor '%s' has type %s, which cannot be used for weights", name.c_str(), t->dtype->name);
  }
  out->dtype = t->dtype;
  out->data = t->data;
  out->cols = cols;
  out->rows = rows;
  out->row_bytes = RowBytes(*t->dtype, cols);
  return Status::Ok();
}

Status BindVector(const gguf::Reader& file, const std::string& name, int64_t n, std::vector<float>* out) {
  const gguf::TensorInfo* t;
  PIPIT_TRY(FindTensor(file, name, &t));
  if (t->n_elements() != n || t->ne[0] != n) {
    return Status::Error("tensor '%s' has %lld elements, expected a vector of %lld", name.c_str(),
                         static_cast<long long>(t->n_elements()), static_cast<long long>(n));
  }
  out->resize(n);
  t->dtype->dequantize(t->data, out->data(), n);
  return Status::Ok();
}

}  // namespace

Status BindWeights(const gguf::Reader& file, const ModelConfig& c, Weights* w) {
  PIPIT_TRY(BindMatrix(file, "token_embd.weight", c.n_embd, c.n_vocab, &w->token_embd));
  PIPIT_TRY(BindVector(file, "output_norm.weight", c.n_embd, &w->output_norm));
  w->tied_output = file.FindTensor("output.weight") == nullptr;
  if (w->tied_output) {
    w->output = w->token_embd;
  } else {
    PIPIT_TRY(BindMatrix(file, "output.weight", c.n_embd, c.n_vocab, &w->output));
  }
  if (file.FindTensor("rope_freqs.weight")) {
    PIPIT_TRY(BindVector(file, "rope_freqs.weight", c.n_rot / 2, &w->rope_freqs));
    for (float f : w->rope_freqs) {
      if (!(f > 0.0f)) return Status::Error("tensor 'rope_freqs.weight' holds a non-positive factor %g", f);
    }
  }
  w->layers.resize(c.n_layer);
  for (int i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& l = w->layers[i];
    PIPIT_TRY(BindVector(file, p + "attn_norm.weight", c.n_embd, &l.attn_norm));
    PIPIT_TRY(BindMatrix(file, p + "attn_q.weight", c.n_embd, c.q_dim(), &l.wq));
    PIPIT_TRY(BindMatrix(file, p + "attn_k.weight", c.n_embd, c.kv_dim(), &l.wk));
    PIPIT_TRY(BindMatrix(file, p + "attn_v.weight", c.n_embd, c.kv_dim(), &l.wv));
    PIPIT_TRY(BindMatrix(file, p + "attn_output.weight", c.q_dim(), c.n_embd, &l.wo));
    PIPIT_TRY(BindVector(file, p + "ffn_norm.weight", c.n_embd, &l.ffn_norm));
    PIPIT_TRY(BindMatrix(file, p + "ffn_gate.weight", c.n_embd, c.n_ff, &l.w_gate));
    PIPIT_TRY(BindMatrix(file, p + "ffn_up.weight", c.n_embd, c.n_ff, &l.w_up));
    PIPIT_TRY(BindMatrix(file, p + "ffn_down.weight", c.n_ff, c.n_embd, &l.w_down));
  }
  return Status::Ok();
}

}  // namespace pipit
