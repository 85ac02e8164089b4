#include "support/fixture_model.h"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <memory>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "gguf/writer.h"
#include "platform/platform.h"
#include "platform/thread_pool.h"
#include "quant/dtype.h"
#include "core/hash.h"
#include "quant/preset.h"
#include "sampling/rng.h"

namespace pipit::test {
namespace {

// The preset whose general.file_type the file gets. With `pure`, a bare
// k-quant type name stands for its _M preset (as llama.cpp labels such files).
const quant::Preset* FindFixturePreset(const FixtureModelOptions& o) {
  if (const quant::Preset* p = quant::FindPreset(o.preset)) return p;
  if (o.pure && FindDTypeByName(o.preset.c_str())) return quant::FindPreset(o.preset + "_M");
  return nullptr;
}

DType PureType(const FixtureModelOptions& o) {
  if (const DTypeTraits* t = FindDTypeByName(o.preset.c_str())) return t->type;
  return FindFixturePreset(o)->default_type;
}


// ---- Seeded random numbers: the engine's xoshiro256** (seeded through
// splitmix64), Box-Muller turns uniforms into normals. Every row has its own stream, derived from
// (seed, tensor name, row), so the output does not depend on threading.

class Rng {
 public:
  explicit Rng(uint64_t seed) : bits_(seed) {}
  // Uniform in (0, 1]: never 0, so log() is finite.
  double Uniform() { return static_cast<double>((bits_.Next() >> 11) + 1) * 0x1.0p-53; }
  // Fills `out` with N(mean, std^2) samples.
  void Normal(float* out, int64_t n, float mean, float std) {
    constexpr double kTwoPi = 6.283185307179586;
    for (int64_t i = 0; i < n; i += 2) {
      const double r = std::sqrt(-2.0 * std::log(Uniform()));
      const double theta = kTwoPi * Uniform();
      out[i] = static_cast<float>(mean + std * r * std::cos(theta));
      if (i + 1 < n) out[i + 1] = static_cast<float>(mean + std * r * std::sin(theta));
    }
  }

 private:
  Xoshiro256 bits_;
};

// ---- Tensors of the llama architecture.

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;  // ne[0] is the row length
  float mean;               // normal(mean, std) per element
  float std;
  std::vector<float> fixed;  // when not empty: these values, not random
};

std::vector<TensorSpec> LlamaTensors(const FixtureModelOptions& o, int64_t n_vocab) {
  const int64_t hd = o.head_dim > 0 ? o.head_dim : o.n_embd / o.n_head;
  const int64_t q_dim = o.n_head * hd, kv_dim = o.n_head_kv * hd;
  const float e = static_cast<float>(o.n_embd);
  // Scales keep activations O(1): projections read a unit-RMS (normed)
  // input so std = 1/sqrt(fan_in) gives unit outputs; the residual branches
  // (attn_output, ffn_down) are damped so deep stacks stay bounded; the
  // output std makes logits spread with std ~2.5, like a trained model's.
  const float norm_noise = 0.1f;
  const float embd_std = 2.5f / std::sqrt(e);
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight", {o.n_embd, n_vocab}, 0, embd_std, {}});
  if (o.llama3_rope) t.push_back({"rope_freqs.weight", {hd / 2}, 0, 0, Llama3RopeFactors(static_cast<int>(hd), o.rope_base)});
  for (int l = 0; l < o.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    t.push_back({p + "attn_norm.weight", {o.n_embd}, 1, norm_noise, {}});
    t.push_back({p + "attn_q.weight", {o.n_embd, q_dim}, 0, 1 / std::sqrt(e), {}});
    t.push_back({p + "attn_k.weight", {o.n_embd, kv_dim}, 0, 1 / std::sqrt(e), {}});
    t.push_back({p + "attn_v.weight", {o.n_embd, kv_dim}, 0, 1 / std::sqrt(e), {}});
    t.push_back({p + "attn_output.weight", {q_dim, o.n_embd}, 0, 0.5f / std::sqrt(static_cast<float>(q_dim)), {}});
    t.push_back({p + "ffn_norm.weight", {o.n_embd}, 1, norm_noise, {}});
    t.push_back({p + "ffn_gate.weight", {o.n_embd, o.n_ff}, 0, 1 / std::sqrt(e), {}});
    t.push_back({p + "ffn_up.weight", {o.n_embd, o.n_ff}, 0, 1 / std::sqrt(e), {}});
    t.push_back({p + "ffn_down.weight", {o.n_ff, o.n_embd}, 0, 0.5f / std::sqrt(static_cast<float>(o.n_ff)), {}});
  }
  t.push_back({"output_norm.weight", {o.n_embd}, 1, norm_noise, {}});
  if (!o.tied) t.push_back({"output.weight", {o.n_embd, n_vocab}, 0, embd_std, {}});
  return t;
}

// Generates and encodes one tensor, rows split across the pool. Each worker
// holds one F32 row at a time.
std::vector<uint8_t> MakeTensorData(const TensorSpec& spec, DType type, uint64_t seed,
                                    platform::ThreadPool* pool) {
  const DTypeTraits& traits = Traits(type);
  const int64_t row_len = spec.ne[0];
  int64_t n_rows = 1;
  for (size_t i = 1; i < spec.ne.size(); ++i) n_rows *= spec.ne[i];
  const size_t row_bytes = RowBytes(traits, row_len);
  std::vector<uint8_t> data(row_bytes * n_rows);
  const uint64_t tensor_seed = seed ^ Fnv1a(spec.name.data(), spec.name.size());
  pool->ParallelFor(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(row_len);
    for (int64_t r = begin; r < end; ++r) {
      if (!spec.fixed.empty()) {
        std::copy(spec.fixed.begin() + r * row_len, spec.fixed.begin() + (r + 1) * row_len, row.begin());
      } else {
        Rng rng(tensor_seed + 0x632BE59BD9B4E019ull * static_cast<uint64_t>(r + 1));
        rng.Normal(row.data(), row_len, spec.mean, spec.std);
      }
      traits.quantize(row.data(), data.data() + r * row_bytes, row_len);
    }
  });
  return data;
}

Status CheckOptions(const FixtureModelOptions& o) {
  if (o.n_embd <= 0 || o.n_layers <= 0 || o.n_head <= 0 || o.n_head_kv <= 0 || o.n_ff <= 0 || o.n_ctx <= 0) {
    return Status::Error("embd, layers, heads, kv-heads, ff and ctx must be positive");
  }
  if (o.n_head % o.n_head_kv != 0) return Status::Error("heads (%d) must be a multiple of kv-heads (%d)", o.n_head, o.n_head_kv);
  if (o.head_dim == 0 && o.n_embd % o.n_head != 0) {
    return Status::Error("embd (%d) must be a multiple of heads (%d), or give head-dim", o.n_embd, o.n_head);
  }
  const int hd = o.head_dim > 0 ? o.head_dim : o.n_embd / o.n_head;
  if (hd % 2 != 0) return Status::Error("head dimension %d must be even (rope rotates pairs)", hd);
  if (!FindFixturePreset(o)) return Status::Error("unknown type preset '%s'", o.preset.c_str());
  return Status::Ok();
}

void SetVocabMetadata(const FixtureVocab& v, gguf::Writer* w) {
  w->SetString("tokenizer.ggml.model", v.model);
  w->SetString("tokenizer.ggml.pre", v.pre);
  w->SetStringArray("tokenizer.ggml.tokens", v.tokens);
  // llama.cpp's converter stores scores for SentencePiece vocabs only.
  if (v.model == "llama") w->SetF32Array("tokenizer.ggml.scores", v.scores);
  w->SetI32Array("tokenizer.ggml.token_type", v.token_type);
  if (!v.merges.empty()) w->SetStringArray("tokenizer.ggml.merges", v.merges);
  if (v.bos_token_id >= 0) w->SetU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos_token_id));
  if (v.eos_token_id >= 0) w->SetU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos_token_id));
  if (v.unknown_token_id >= 0) w->SetU32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(v.unknown_token_id));
  if (v.padding_token_id >= 0) w->SetU32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(v.padding_token_id));
  w->SetBool("tokenizer.ggml.add_bos_token", v.add_bos_token);
  w->SetBool("tokenizer.ggml.add_eos_token", v.add_eos_token);
  if (!v.chat_template.empty()) w->SetString("tokenizer.chat_template", v.chat_template);
}

}  // namespace

Status LoadFixtureVocab(const std::string& json_path, FixtureVocab* out) {
  std::ifstream in(json_path);
  if (!in) return Status::Error("cannot open vocab '%s' (run tests/fixtures/make_fixtures.sh)", json_path.c_str());
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    FixtureVocab v;
    v.model = j.at("model").get<std::string>();
    v.pre = j.value("pre", std::string("default"));
    v.tokens = j.at("tokens").get<std::vector<std::string>>();
    v.scores = j.at("scores").get<std::vector<float>>();
    v.token_type = j.at("token_type").get<std::vector<int32_t>>();
    if (j.contains("merges")) v.merges = j["merges"].get<std::vector<std::string>>();
    v.bos_token_id = j.value("bos_token_id", int64_t{-1});
    v.eos_token_id = j.value("eos_token_id", int64_t{-1});
    v.unknown_token_id = j.value("unknown_token_id", int64_t{-1});
    v.padding_token_id = j.value("padding_token_id", int64_t{-1});
    v.add_bos_token = j.value("add_bos_token", true);
    v.add_eos_token = j.value("add_eos_token", false);
    v.chat_template = j.value("chat_template", std::string());
    if (v.scores.size() != v.tokens.size() || v.token_type.size() != v.tokens.size()) {
      return Status::Error("vocab '%s': tokens, scores and token_type differ in length", json_path.c_str());
    }
    *out = std::move(v);
  } catch (const std::exception& e) {
    return Status::Error("vocab '%s': %s", json_path.c_str(), e.what());
  }
  return Status::Ok();
}

namespace {

constexpr int32_t kTokenTypeByte = 6;  // llama.cpp's LLAMA_TOKEN_TYPE_BYTE

// Length of the UTF-8 character starting with byte c (1 for stray bytes).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// Pieces that cannot be built by merges of kept pieces. SentencePiece
// starts from single characters (tokens or not) and merges two adjacent
// symbols when their concatenation is a token, so a piece is reachable when
// it splits into two parts that are each one character or a reachable piece.
int CountUnreachable(const FixtureVocab& v) {
  std::unordered_map<std::string, int32_t> id_of;
  for (size_t i = 0; i < v.tokens.size(); ++i) id_of.emplace(v.tokens[i], static_cast<int32_t>(i));
  std::vector<size_t> order;
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    if (v.token_type[i] == 1) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v.tokens[a].size() < v.tokens[b].size(); });
  std::vector<uint8_t> reachable(v.tokens.size(), 0);
  int unreachable = 0;
  for (size_t i : order) {
    const std::string& t = v.tokens[i];
    bool ok = Utf8Length(static_cast<unsigned char>(t[0])) >= t.size();  // one character
    for (size_t cut = Utf8Length(static_cast<unsigned char>(t[0])); !ok && cut < t.size();
         cut += Utf8Length(static_cast<unsigned char>(t[cut]))) {
      const auto left = id_of.find(t.substr(0, cut));
      const auto right = id_of.find(t.substr(cut));
      const bool left_char = Utf8Length(static_cast<unsigned char>(t[0])) == cut;
      const bool right_char = Utf8Length(static_cast<unsigned char>(t[cut])) == t.size() - cut;
      ok = (left_char || (left != id_of.end() && reachable[left->second])) &&
           (right_char || (right != id_of.end() && reachable[right->second]));
    }
    reachable[i] = ok;
    if (!ok) ++unreachable;
  }
  return unreachable;
}

}  // namespace

Status CutFixtureVocab(int n_keep, FixtureVocab* v, int* unreachable) {
  const int n = static_cast<int>(v->tokens.size());
  if (v->model != "llama") {
    return Status::Error("a vocabulary cut needs a SentencePiece (llama) vocabulary, not %s", v->model.c_str());
  }
  if (n_keep <= 0 || n_keep > n) return Status::Error("vocab size %d is outside [1, %d]", n_keep, n);
  for (int i = n_keep; i < n; ++i) {
    if (v->token_type[i] == kTokenTypeByte) {
      return Status::Error("byte token %d (%s) lies beyond the cut at %d", i, v->tokens[i].c_str(), n_keep);
    }
  }
  for (int64_t id : {v->bos_token_id, v->eos_token_id, v->unknown_token_id, v->padding_token_id}) {
    if (id >= n_keep) {
      return Status::Error("special token %lld lies beyond the cut at %d", static_cast<long long>(id), n_keep);
    }
  }
  v->tokens.resize(n_keep);
  v->scores.resize(n_keep);
  v->token_type.resize(n_keep);
  if (unreachable) *unreachable = CountUnreachable(*v);
  return Status::Ok();
}

std::vector<float> Llama3RopeFactors(int head_dim, float rope_base) {
  const double factor = 8, low_freq_factor = 1, high_freq_factor = 4, original_context = 8192;
  const double low_freq_wavelen = original_context / low_freq_factor;
  const double high_freq_wavelen = original_context / high_freq_factor;
  std::vector<float> factors;
  for (int i = 0; i < head_dim; i += 2) {
    const double freq = 1.0 / std::pow(static_cast<double>(rope_base), static_cast<double>(i) / head_dim);
    const double wavelen = 2 * M_PI / freq;
    if (wavelen < high_freq_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_freq_wavelen) {
      factors.push_back(static_cast<float>(factor));
    } else {
      const double smooth = (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
      factors.push_back(static_cast<float>(1.0 / ((1 - smooth) / factor + smooth)));
    }
  }
  return factors;
}

Status WriteFixtureModel(const FixtureModelOptions& o, const std::string& out_path, FixtureStats* stats) {
  const double start = platform::NowSeconds();
  PIPIT_TRY(CheckOptions(o));
  FixtureVocab vocab;
  PIPIT_TRY(LoadFixtureVocab(o.vocab_path, &vocab));
  if (o.vocab_size > 0) {
    int unreachable = 0;
    PIPIT_TRY(CutFixtureVocab(o.vocab_size, &vocab, &unreachable));
    if (o.verbose) {
      std::fprintf(stderr, "vocab cut to %d tokens; %d pieces unreachable by merges\n", o.vocab_size, unreachable);
    }
  }
  const quant::Preset& preset = *FindFixturePreset(o);
  const int64_t n_vocab = static_cast<int64_t>(vocab.tokens.size());
  const int head_dim = o.head_dim > 0 ? o.head_dim : o.n_embd / o.n_head;

  gguf::Writer w;
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", o.name);
  w.SetU32("general.file_type", preset.file_type);
  w.SetU32("general.quantization_version", 2);
  w.SetU32("llama.context_length", o.n_ctx);
  w.SetU32("llama.embedding_length", o.n_embd);
  w.SetU32("llama.block_count", o.n_layers);
  w.SetU32("llama.feed_forward_length", o.n_ff);
  w.SetU32("llama.rope.dimension_count", head_dim);
  w.SetU32("llama.attention.head_count", o.n_head);
  w.SetU32("llama.attention.head_count_kv", o.n_head_kv);
  if (o.head_dim > 0) {
    w.SetU32("llama.attention.key_length", o.head_dim);
    w.SetU32("llama.attention.value_length", o.head_dim);
  }
  w.SetF32("llama.attention.layer_norm_rms_epsilon", o.rms_eps);
  w.SetF32("llama.rope.freq_base", o.rope_base);
  w.SetU32("llama.vocab_size", static_cast<uint32_t>(n_vocab));
  SetVocabMetadata(vocab, &w);

  const int threads = o.threads > 0 ? o.threads : platform::HardwareThreads();
  platform::ThreadPool pool(threads);
  const std::vector<TensorSpec> specs = LlamaTensors(o, n_vocab);
  int index = 0;
  for (const TensorSpec& spec : specs) {
    ++index;
    quant::TensorContext ctx;
    ctx.name = spec.name;
    ctx.n_dims = static_cast<int>(spec.ne.size());
    ctx.ne0 = spec.ne[0];
    ctx.n_layers = o.n_layers;
    ctx.n_head = o.n_head;
    ctx.n_head_kv = o.n_head_kv;
    ctx.has_output = !o.tied;
    DType type = DType::F32;
    if (o.pure) {
      type = quant::IsQuantizable(ctx) ? PureType(o) : DType::F32;
    } else {
      PIPIT_TRY(quant::ChooseTensorType(preset, ctx, DType::F32, &type));
    }
    const std::vector<uint8_t> data = MakeTensorData(spec, type, o.seed, &pool);
    if (o.verbose) {
      std::fprintf(stderr, "[%4d/%4zu] %-28s %6lld x %-6lld %s\n", index, specs.size(), spec.name.c_str(),
                   static_cast<long long>(spec.ne[0]), static_cast<long long>(spec.ne.size() > 1 ? spec.ne[1] : 1),
                   Traits(type).name);
    }
    w.AddTensor(spec.name, type, spec.ne, data.data(), data.size());
  }
  PIPIT_TRY(w.WriteFile(out_path));
  if (stats) {
    std::ifstream f(out_path, std::ios::binary | std::ios::ate);
    stats->file_bytes = f ? static_cast<uint64_t>(f.tellg()) : 0;
    stats->n_tensors = static_cast<int>(specs.size());
    stats->seconds = platform::NowSeconds() - start;
  }
  return Status::Ok();
}

}  // namespace pipit::test
