// Vocab: token texts referenced in the GGUF bytes, the text -> id table and
// the BPE merge table (see vocab.h for the memory budget).
#include "tokenizer/vocab.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace pipit::tokenizer {
namespace {

constexpr uint64_t kGoldenRatio = 0x9E3779B97F4A7C15ull;  // Fibonacci hashing multiplier

// Maps a 64-bit hash onto [0, n) with its high bits (Lemire's fast range):
// the tables need not be a power of two in size, so they can sit at the
// load factor we want instead of up to twice that.
size_t Slot(uint64_t hash, size_t n) {
  return static_cast<size_t>(((hash >> 32) * static_cast<uint64_t>(n)) >> 32);
}

uint32_t BitWidth(uint64_t v) {
  uint32_t bits = 0;
  while (v != 0) ++bits, v >>= 1;
  return bits;
}

// Key of a merge in merge_fallback_: the left length keeps "ab"+"c" and
// "a"+"bc" apart whatever bytes the texts hold.
std::string FallbackKey(std::string_view left, std::string_view right) {
  std::string key;
  key.reserve(4 + left.size() + right.size());
  const uint32_t n = static_cast<uint32_t>(left.size());
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  key.append(left).append(right);
  return key;
}

}  // namespace

uint64_t Vocab::HashText(std::string_view text) {
  // Remixed so that Slot's high bits are good even where size_t is 32 bits.
  return static_cast<uint64_t>(std::hash<std::string_view>{}(text)) * kGoldenRatio;
}

Status Vocab::SetTokens(const std::vector<std::string_view>& texts, std::vector<float> scores,
                        std::vector<uint8_t> attrs) {
  const size_t n = texts.size();
  if (n > 0x7FFFFFFF) return Status::Error("tokenizer.ggml.tokens: %zu tokens is too many", n);

  // Offsets are taken from the lowest text address; the Reader's string
  // array is one contiguous run of the file, so 31 bits always suffice.
  const char* lo = nullptr;
  const char* hi = nullptr;
  for (std::string_view t : texts) {
    if (t.empty()) continue;
    if (lo == nullptr || t.data() < lo) lo = t.data();
    if (hi == nullptr || t.data() + t.size() > hi) hi = t.data() + t.size();
  }
  if (lo != nullptr && static_cast<size_t>(hi - lo) >= kOwnedBit) {
    return Status::Error("tokenizer.ggml.tokens: the token texts span more than 2 GiB");
  }
  file_base_ = lo;
  owned_.clear();
  refs_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string_view t = texts[i];
    if (t.empty()) {
      // llama.cpp names empty tokens so that they stay distinct.
      char name[32];
      const int len = std::snprintf(name, sizeof name, "[EMPTY_%zu]", i);
      refs_[i] = {kOwnedBit | static_cast<uint32_t>(owned_.size()), static_cast<uint32_t>(len)};
      owned_.append(name, static_cast<size_t>(len));
    } else {
      refs_[i] = {static_cast<uint32_t>(t.data() - lo), static_cast<uint32_t>(t.size())};
    }
  }
  if (owned_.size() >= kOwnedBit) return Status::Error("tokenizer.ggml.tokens: too many empty tokens");
  scores_ = std::move(scores);
  attrs_ = std::move(attrs);

  // Load factor 1/2: a hit costs ~1.5 probes, a miss ~2.5.
  index_.assign(std::max<size_t>(2 * n, 1), -1);
  for (size_t i = 0; i < n; ++i) {
    const std::string_view text = Text(static_cast<int32_t>(i));
    size_t s = Slot(HashText(text), index_.size());
    while (index_[s] >= 0 && Text(index_[s]) != text) s = s + 1 == index_.size() ? 0 : s + 1;
    index_[s] = static_cast<int32_t>(i);  // a duplicate text: the later id wins
  }
  return Status::Ok();
}

int32_t Vocab::Find(std::string_view text) const {
  if (index_.empty()) return -1;
  size_t s = Slot(HashText(text), index_.size());
  while (true) {
    const int32_t id = index_[s];
    if (id < 0) return -1;
    const TextRef r = refs_[id];
    if (r.size == text.size() && Text(id) == text) return id;
    s = s + 1 == index_.size() ? 0 : s + 1;
  }
}

void Vocab::SetMerges(const std::vector<std::string_view>& merges) {
  merge_slots_.clear();
  merge_fallback_.clear();
  packed_merges_ = false;
  if (merges.empty() || refs_.empty()) return;
  // Every rank + 1 and every id must fit its field.
  id_bits_ = std::max<uint32_t>(BitWidth(refs_.size() - 1), 1);
  rank_bits_ = BitWidth(merges.size());
  packed_merges_ = 2 * id_bits_ + rank_bits_ <= 64;
  // Load factor ~2/3 with linear probing: a hit ~2 probes, a miss ~5, all
  // in one or two cache lines.
  if (packed_merges_) merge_slots_.assign(merges.size() + merges.size() / 2 + 1, 0);

  for (size_t i = 0; i < merges.size(); ++i) {
    // "left right", split at the first space after the first byte. Symbols
    // are never empty, so a merge with an empty side (or no space at all,
    // which llama.cpp turns into an empty pair) can never apply: skip it.
    const std::string_view m = merges[i];
    const size_t space = m.size() > 1 ? m.find(' ', 1) : std::string_view::npos;
    if (space == std::string_view::npos || space + 1 == m.size()) continue;
    const std::string_view left = m.substr(0, space);
    const std::string_view right = m.substr(space + 1);
    const int32_t left_id = Find(left);
    const int32_t right_id = Find(right);
    const int32_t rank = static_cast<int32_t>(i);
    if (packed_merges_ && left_id >= 0 && right_id >= 0) {
      InsertMerge(PackMerge(left_id, right_id, static_cast<uint32_t>(rank) + 1));
    } else {
      merge_fallback_.emplace(FallbackKey(left, right), rank);  // first occurrence wins
    }
  }
}

bool Vocab::InsertMerge(uint64_t entry) {
  const uint64_t key = entry >> rank_bits_;
  size_t s = Slot(key * kGoldenRatio, merge_slots_.size());
  while (merge_slots_[s] != 0) {
    if ((merge_slots_[s] >> rank_bits_) == key) return false;  // first occurrence wins
    s = s + 1 == merge_slots_.size() ? 0 : s + 1;
  }
  merge_slots_[s] = entry;
  return true;
}

int32_t Vocab::MergeRank(int32_t left_id, std::string_view left, int32_t right_id,
                         std::string_view right) const {
  if (packed_merges_ && left_id >= 0 && right_id >= 0) {
    if (merge_slots_.empty()) return -1;
    const uint64_t key = PackMerge(left_id, right_id, 0) >> rank_bits_;
    size_t s = Slot(key * kGoldenRatio, merge_slots_.size());
    while (true) {
      const uint64_t entry = merge_slots_[s];
      if (entry == 0) return -1;
      if ((entry >> rank_bits_) == key) {
        return static_cast<int32_t>(entry & ((uint64_t{1} << rank_bits_) - 1)) - 1;
      }
      s = s + 1 == merge_slots_.size() ? 0 : s + 1;
    }
  }
  if (merge_fallback_.empty()) return -1;
  const auto it = merge_fallback_.find(FallbackKey(left, right));
  return it == merge_fallback_.end() ? -1 : it->second;
}

}  // namespace pipit::tokenizer
