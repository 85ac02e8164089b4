#include "model/model.h"

#include <algorithm>

#include "core/hash.h"

namespace pipit {

Status Model::Open(const std::string& path, std::unique_ptr<Model>* out) {
  std::unique_ptr<Model> model(new Model);
  Status s = model->mapping_.Open(path, platform::MappedFile::Use::kReadOften);
  if (s.ok()) {
    model->bytes_ = model->mapping_.bytes();
    s = model->Load();
  }
  if (!s.ok()) return s.Prefix(path);
  *out = std::move(model);
  return Status::Ok();
}

Status Model::FromBytes(platform::ByteSpan bytes, std::unique_ptr<Model>* out) {
  std::unique_ptr<Model> model(new Model);
  model->bytes_ = bytes;
  PIPIT_TRY(model->Load());
  *out = std::move(model);
  return Status::Ok();
}

Status Model::Load() {
  PIPIT_TRY(file_.Parse(bytes_));
  PIPIT_TRY(ReadModelConfig(file_, &config_));
  PIPIT_TRY(BindWeights(file_, config_, &weights_));
  PIPIT_TRY(tokenizer_.Load(file_));
  if (tokenizer_.n_vocab() != config_.n_vocab) {
    return Status::Error("the tokenizer has %d tokens but the model's vocabulary size is %d", tokenizer_.n_vocab(),
                         config_.n_vocab);
  }
  // Fingerprint: everything before the tensor data, plus the first and last
  // 4 KiB of every tensor (catches re-quantized or re-seeded files cheaply).
  const gguf::TensorInfo* first = nullptr;
  for (const gguf::TensorInfo& t : file_.tensors()) {
    if (!first || t.data < first->data) first = &t;
  }
  const size_t header_bytes = first ? static_cast<size_t>(first->data - bytes_.data) : bytes_.size;
  uint64_t h = Fnv1a(bytes_.data, header_bytes);
  for (const gguf::TensorInfo& t : file_.tensors()) {
    const size_t n = std::min<size_t>(t.n_bytes, 4096);
    h = Fnv1a(t.data, n, h);
    h = Fnv1a(t.data + t.n_bytes - n, n, h);
  }
  identity_ = h;
  return Status::Ok();
}

size_t Model::weight_bytes_per_token() const {
  size_t total = 0;
  auto add = [&](const Matrix& m) { total += m.row_bytes * m.rows; };
  for (const LayerWeights& l : weights_.layers) {
    for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) add(*m);
  }
  add(weights_.output);
  return total;
}

}  // namespace pipit
