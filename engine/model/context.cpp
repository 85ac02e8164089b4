#include "model/context.h"

#include <algorithm>
#include <cmath>

#include "model/attention.h"
#include "platform/platform.h"
#include "quant/fp16.h"

namespace pipit {

namespace {

ContextParams WithUsableThreads(ContextParams params) {
  params.n_threads = std::min(params.n_threads, platform::HardwareThreads());
  return params;
}

}  // namespace

Context::Context(const Model& model, const ContextParams& params)
    : model_(model), params_(WithUsableThreads(params)), pool_(params_.n_threads) {}

Status Context::Create(const Model& model, const ContextParams& params, std::unique_ptr<Context>* out) {
  if (params.n_batch < 1) return Status::Error("batch size must be >= 1 (got %d)", params.n_batch);
  if (params.n_threads < 1) return Status::Error("thread count must be >= 1 (got %d)", params.n_threads);
  const ModelConfig& c = model.config();
  std::unique_ptr<Context> ctx(new Context(model, params));
  PIPIT_TRY(ctx->kv_.Init(c, params.n_ctx, params.n_seq));
  ctx->rope_.Build(params.n_ctx, c.n_rot, c.rope_base, model.weights().rope_freqs);

  const size_t T = static_cast<size_t>(params.n_batch);
  ctx->x_.resize(T * c.n_embd);
  ctx->xn_.resize(T * c.n_embd);
  ctx->q_.resize(T * c.q_dim());
  ctx->k_.resize(T * c.kv_dim());
  ctx->v_.resize(T * c.kv_dim());
  ctx->attn_.resize(T * c.q_dim());
  ctx->scores_.resize(static_cast<size_t>(ctx->params_.n_threads) * ctx->kv_.n_ctx());
  ctx->gate_.resize(T * c.n_ff);
  ctx->up_.resize(T * c.n_ff);
  ctx->out_.resize(T * c.n_embd);
  *out = std::move(ctx);
  return Status::Ok();
}

Status Context::Validate(const Batch& batch) const {
  const int n = batch.size();
  if (n == 0) return Status::Error("decode: the batch is empty");
  if (static_cast<int>(batch.pos.size()) != n || static_cast<int>(batch.seq.size()) != n ||
      static_cast<int>(batch.want_logits.size()) != n) {
    return Status::Error("decode: batch arrays have different lengths");
  }
  std::vector<int> next(kv_.n_seq());
  for (int s = 0; s < kv_.n_seq(); ++s) next[s] = kv_.Length(s);
  for (int i = 0; i < n; ++i) {
    const int seq = batch.seq[i];
    if (batch.tokens[i] < 0 || batch.tokens[i] >= model_.config().n_vocab) {
      return Status::Error("decode: token id %d at batch index %d is outside the vocabulary (%d tokens)",
                           batch.tokens[i], i, model_.config().n_vocab);
    }
    if (seq < 0 || seq >= kv_.n_seq()) {
      return Status::Error("decode: sequence %d at batch index %d does not exist (have %d)", seq, i, kv_.n_seq());
    }
    if (batch.pos[i] >= kv_.n_ctx()) {
      return Status::Error("decode: position %d is past the context size %d", batch.pos[i], kv_.n_ctx());
    }
    if (batch.pos[i] != next[seq]) {
      return Status::Error("decode: sequence %d continues at position %d, but batch index %d has position %d", seq,
                           next[seq], i, batch.pos[i]);
    }
    ++next[seq];
  }
  return Status::Ok();
}

Status Context::Decode(const Batch& batch) {
  PIPIT_TRY(Validate(batch));
  n_logits_ = static_cast<int>(std::count(batch.want_logits.begin(), batch.want_logits.end(), 1));
  logits_.resize(static_cast<size_t>(n_logits_) * model_.config().n_vocab);
  for (int begin = 0; begin < batch.size(); begin += params_.n_batch) {
    Forward(batch, begin, std::min(batch.size(), begin + params_.n_batch));
  }
  return Status::Ok();
}

void Context::Forward(const Batch& batch, int begin, int end) {
  const ModelConfig& c = model_.config();
  const Weights& w = model_.weights();
  const int T = end - begin;

  // Token embeddings.  x: [T, n_embd]
  for (int t = 0; t < T; ++t) DequantizeRow(w.token_embd, batch.tokens[begin + t], &x_[t * c.n_embd]);

  for (int layer = 0; layer < c.n_layer; ++layer) {
    const LayerWeights& l = w.layers[layer];

    // Attention block: x += Wo · attention(rope(Wq·xn), rope(Wk·xn), Wv·xn)
    for (int t = 0; t < T; ++t) RmsNorm(&x_[t * c.n_embd], l.attn_norm.data(), c.n_embd, c.rms_eps, &xn_[t * c.n_embd]);
    const Matrix* qkv[] = {&l.wq, &l.wk, &l.wv};
    float* const qkv_out[] = {q_.data(), k_.data(), v_.data()};
    MatMulSharedInput(qkv, qkv_out, 3, xn_.data(), T, act_, pool_);
    AttentionLayer(layer, batch, begin, T);
    MatMul(l.wo, attn_.data(), T, out_.data(), act_, pool_);
    AddInPlace(x_.data(), out_.data(), static_cast<int64_t>(T) * c.n_embd);

    // Feed-forward block: x += W_down · (silu(W_gate·xn) * (W_up·xn))
    for (int t = 0; t < T; ++t) RmsNorm(&x_[t * c.n_embd], l.ffn_norm.data(), c.n_embd, c.rms_eps, &xn_[t * c.n_embd]);
    const Matrix* gate_up[] = {&l.w_gate, &l.w_up};
    float* const gate_up_out[] = {gate_.data(), up_.data()};
    MatMulSharedInput(gate_up, gate_up_out, 2, xn_.data(), T, act_, pool_);
    SwiGlu(gate_.data(), up_.data(), static_cast<int64_t>(T) * c.n_ff);
    MatMul(l.w_down, gate_.data(), T, out_.data(), act_, pool_);
    AddInPlace(x_.data(), out_.data(), static_cast<int64_t>(T) * c.n_embd);
  }

  // Logits for the entries that asked: gather their rows, norm, project.
  int n_out = 0;
  int first_logit = 0;  // logits slots used by entries before this chunk
  for (int i = 0; i < begin; ++i) first_logit += batch.want_logits[i];
  for (int t = 0; t < T; ++t) {
    if (!batch.want_logits[begin + t]) continue;
    RmsNorm(&x_[t * c.n_embd], w.output_norm.data(), c.n_embd, c.rms_eps, &xn_[n_out * c.n_embd]);
    ++n_out;
  }
  if (n_out > 0) {
    MatMul(w.output, xn_.data(), n_out, &logits_[static_cast<size_t>(first_logit) * c.n_vocab], act_, pool_);
  }
}

void Context::AttentionLayer(int layer, const Batch& batch, int begin, int T) {
  const ModelConfig& c = model_.config();
  const int kv_dim = c.kv_dim();

  // Rotate q and k, then append k and v to the cache as halves.
  for (int t = 0; t < T; ++t) {
    const int pos = batch.pos[begin + t];
    const int seq = batch.seq[begin + t];
    rope_.Apply(&q_[t * c.q_dim()], c.n_head, c.head_dim, pos);
    rope_.Apply(&k_[t * kv_dim], c.n_head_kv, c.head_dim, pos);
    uint16_t* k_cache = kv_.K(layer, seq, pos);
    uint16_t* v_cache = kv_.V(layer, seq, pos);
    for (int i = 0; i < kv_dim; ++i) {
      k_cache[i] = Fp32ToFp16(k_[t * kv_dim + i]);
      v_cache[i] = Fp32ToFp16(v_[t * kv_dim + i]);
    }
    if (layer == c.n_layer - 1) kv_.SetLength(seq, std::max(kv_.Length(seq), pos + 1));
  }

  // Every (token, head) pair is independent: spread them over the threads.
  const AttentionShape shape{c.head_dim, 1.0f / std::sqrt(static_cast<float>(c.head_dim))};
  const int group = c.n_head / c.n_head_kv;
  // Chunks of a few heads, handed out dynamically: a token late in a long
  // prompt attends to more positions than an early one.
  pool_.ParallelForChunks(static_cast<int64_t>(T) * c.n_head, 4, [&](int64_t first, int64_t last, int thread) {
    float* scores = &scores_[static_cast<size_t>(thread) * kv_.n_ctx()];
    for (int64_t job = first; job < last; ++job) {
      const int t = static_cast<int>(job / c.n_head);
      const int h = static_cast<int>(job % c.n_head);
      const int n_pos = batch.pos[begin + t] + 1;  // causal: itself and everything before
      AttendOneHead(kv_, layer, batch.seq[begin + t], n_pos, h / group, shape, &q_[t * c.q_dim() + h * c.head_dim],
                    scores, &attn_[t * c.q_dim() + h * c.head_dim]);
    }
  });
}

}  // namespace pipit
