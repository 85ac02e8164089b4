#include "kv/kv_file.h"

#include <cstring>

#include "core/hash.h"
#include "platform/platform.h"

namespace pipit {
namespace {

constexpr char kMagic[8] = {'P', 'I', 'P', 'I', 'T', 'K', 'V', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kDtypeF16 = 1;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t dtype;
  uint64_t model_identity;
  uint32_t n_layer;
  uint32_t kv_dim;
  uint32_t n_ctx;
  uint32_t n_tokens;
};
static_assert(sizeof(Header) == 40, "the header is written as raw bytes");

// Writes through AtomicFileWriter and checksums everything written.
struct ChecksummedWriter {
  platform::AtomicFileWriter file;
  uint64_t hash = kFnvOffset;

  Status Write(const void* data, size_t n) {
    hash = Fnv1a(data, n, hash);
    return file.Write(data, n);
  }
};

}  // namespace

Status SaveKvState(const std::string& path, const Model& model, const KvCache& kv, int seq,
                   const std::vector<Token>& tokens) {
  const int n = static_cast<int>(tokens.size());
  if (n > kv.Length(seq)) {
    return Status::Error("kv state: sequence %d holds %d positions, cannot save %d", seq, kv.Length(seq), n);
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.dtype = kDtypeF16;
  h.model_identity = model.identity();
  h.n_layer = static_cast<uint32_t>(kv.n_layer());
  h.kv_dim = static_cast<uint32_t>(kv.kv_dim());
  h.n_ctx = static_cast<uint32_t>(kv.n_ctx());
  h.n_tokens = static_cast<uint32_t>(n);

  ChecksummedWriter out;
  PIPIT_TRY(out.file.Open(path));
  PIPIT_TRY(out.Write(&h, sizeof h));
  PIPIT_TRY(out.Write(tokens.data(), tokens.size() * sizeof(Token)));
  const size_t row_bytes = static_cast<size_t>(kv.kv_dim()) * sizeof(uint16_t);
  // Positions of one sequence are contiguous in the cache: one write per layer.
  for (int layer = 0; layer < kv.n_layer(); ++layer) PIPIT_TRY(out.Write(kv.K(layer, seq, 0), row_bytes * n));
  for (int layer = 0; layer < kv.n_layer(); ++layer) PIPIT_TRY(out.Write(kv.V(layer, seq, 0), row_bytes * n));
  const uint64_t checksum = out.hash;
  PIPIT_TRY(out.file.Write(&checksum, sizeof checksum));
  return out.file.Commit();
}

Status LoadKvState(const std::string& path, const Model& model, KvCache& kv, int seq,
                   const std::vector<Token>& prompt, int* n_reused) {
  *n_reused = 0;
  platform::MappedFile file;
  PIPIT_TRY(file.Open(path));
  const platform::ByteSpan bytes = file.bytes();

  Header h;
  if (bytes.size < sizeof h + sizeof(uint64_t)) {
    return Status::Error("%s: truncated (%zu bytes, smaller than the header)", path.c_str(), bytes.size);
  }
  std::memcpy(&h, bytes.data, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return Status::Error("%s: not a pipit KV state file", path.c_str());
  if (h.version != kVersion) {
    return Status::Error("%s: format version %u, this build reads version %u", path.c_str(), h.version, kVersion);
  }
  const uint64_t row_bytes = static_cast<uint64_t>(h.kv_dim) * sizeof(uint16_t);
  const uint64_t expected = sizeof h + static_cast<uint64_t>(h.n_tokens) * sizeof(Token) +
                            2ull * h.n_layer * h.n_tokens * row_bytes + sizeof(uint64_t);
  if (h.kv_dim > (1u << 20) || h.n_layer > 4096 || bytes.size != expected) {
    return Status::Error("%s: size is %zu bytes, the header implies %llu (truncated or corrupt)", path.c_str(),
                         bytes.size, static_cast<unsigned long long>(expected));
  }
  uint64_t stored;
  std::memcpy(&stored, bytes.data + bytes.size - sizeof stored, sizeof stored);
  if (Fnv1a(bytes.data, bytes.size - sizeof stored) != stored) {
    return Status::Error("%s: checksum mismatch (the file is corrupt)", path.c_str());
  }
  if (h.dtype != kDtypeF16) return Status::Error("%s: KV dtype %u is not F16", path.c_str(), h.dtype);
  if (h.model_identity != model.identity()) return Status::Error("%s: saved for a different model", path.c_str());
  if (static_cast<int>(h.n_layer) != kv.n_layer() || static_cast<int>(h.kv_dim) != kv.kv_dim()) {
    return Status::Error("%s: KV layout %u layers x %u differs from the model's %d x %d", path.c_str(), h.n_layer,
                         h.kv_dim, kv.n_layer(), kv.kv_dim());
  }
  if (static_cast<int>(h.n_ctx) != kv.n_ctx()) {
    return Status::Error("%s: saved with context size %u, this run uses %d", path.c_str(), h.n_ctx, kv.n_ctx());
  }
  if (kv.Length(seq) != 0) return Status::Error("kv state: sequence %d is not empty", seq);

  // Longest common prefix, keeping at least one prompt token to evaluate.
  const Token* saved = reinterpret_cast<const Token*>(bytes.data + sizeof h);
  int n = 0;
  const int limit = static_cast<int>(prompt.size()) - 1;
  while (n < limit && n < static_cast<int>(h.n_tokens) && saved[n] == prompt[n]) ++n;

  const uint8_t* k_data = bytes.data + sizeof h + static_cast<size_t>(h.n_tokens) * sizeof(Token);
  const uint8_t* v_data = k_data + static_cast<size_t>(h.n_layer) * h.n_tokens * row_bytes;
  for (int layer = 0; layer < kv.n_layer(); ++layer) {
    std::memcpy(kv.K(layer, seq, 0), k_data + layer * h.n_tokens * row_bytes, n * row_bytes);
    std::memcpy(kv.V(layer, seq, 0), v_data + layer * h.n_tokens * row_bytes, n * row_bytes);
  }
  kv.SetLength(seq, n);
  *n_reused = n;
  return Status::Ok();
}

}  // namespace pipit
