// A Context runs the forward pass: it owns the KV cache, the scratch buffers
// and the thread pool, and advances any number of independent sequences in
// one pass (the server batches requests through it).
//
//   Batch batch;
//   for (i...) batch.Add(tokens[i], /*pos=*/i, /*seq=*/0, /*logits=*/i == last);
//   ctx->Decode(batch);
//   const float* logits = ctx->Logits(0);   // [n_vocab] of the first entry that asked
#pragma once

#include <memory>
#include <vector>

#include "kv/kv_cache.h"
#include "model/matmul.h"
#include "model/model.h"
#include "model/ops.h"
#include "platform/thread_pool.h"

namespace pipit {

struct ContextParams {
  int n_ctx = 2048;   // positions per sequence
  int n_seq = 1;      // independent sequences
  int n_batch = 16;   // tokens per forward pass (larger batches are split); scratch grows with it
  // At most the CPUs this process may run on are used: more threads only
  // take turns on the same cores (decode ran 30% slower with 4 threads on
  // 2 cores). Results never depend on the count; params() has the one used.
  int n_threads = 4;
};

// Tokens to run through the model. Each entry continues one sequence at the
// position right after that sequence's last cached position.
struct Batch {
  std::vector<Token> tokens;
  std::vector<int> pos;
  std::vector<int> seq;
  std::vector<uint8_t> want_logits;

  void Add(Token token, int position, int sequence, bool logits) {
    tokens.push_back(token);
    pos.push_back(position);
    seq.push_back(sequence);
    want_logits.push_back(logits ? 1 : 0);
  }
  void Clear() { tokens.clear(), pos.clear(), seq.clear(), want_logits.clear(); }
  int size() const { return static_cast<int>(tokens.size()); }
};

class Context {
 public:
  static Status Create(const Model& model, const ContextParams& params, std::unique_ptr<Context>* out);

  // Runs the batch; afterwards Logits(i) holds the next-token logits of the
  // i-th entry that asked for them. Validates tokens, positions, sequences.
  Status Decode(const Batch& batch);
  const float* Logits(int i) const { return &logits_[static_cast<size_t>(i) * model_.config().n_vocab]; }
  int n_logits() const { return n_logits_; }

  const Model& model() const { return model_; }
  const ContextParams& params() const { return params_; }
  KvCache& kv() { return kv_; }
  const KvCache& kv() const { return kv_; }

 private:
  Context(const Model& model, const ContextParams& params);
  Status Validate(const Batch& batch) const;
  // Runs entries [begin, end) of the batch (at most n_batch of them).
  void Forward(const Batch& batch, int begin, int end);
  void AttentionLayer(int layer, const Batch& batch, int begin, int n);

  const Model& model_;
  ContextParams params_;
  KvCache kv_;
  RopeTable rope_;
  platform::ThreadPool pool_;

  // Scratch for one chunk of up to n_batch tokens (T below).
  std::vector<float> x_;      // [T, n_embd]   residual stream
  std::vector<float> xn_;     // [T, n_embd]   normalized input of a sublayer
  std::vector<float> q_;      // [T, q_dim]
  std::vector<float> k_;      // [T, kv_dim]
  std::vector<float> v_;      // [T, kv_dim]
  std::vector<float> attn_;   // [T, q_dim]    attention output per head
  std::vector<float> scores_;  // [n_threads, n_ctx] each thread's attention scores
  std::vector<float> gate_;   // [T, n_ff]
  std::vector<float> up_;     // [T, n_ff]
  std::vector<float> out_;    // [T, n_embd]   sublayer output
  ActivationBuffer act_;
  std::vector<float> logits_;  // [n_logits, n_vocab]
  int n_logits_ = 0;
};

}  // namespace pipit
