// GGUF header parsing and validation. Nothing read from the file is used
// before it has been checked against the bytes that are actually there: a
// count is compared with the smallest size its items could take before any
// vector is sized from it, so a lying header fails fast without allocating.
#include <algorithm>
#include <cstdio>
#include <string>

#include "gguf/byte_cursor.h"
#include "gguf/gguf.h"

namespace pipit::gguf {
namespace {

using detail::Cursor;
using detail::FixedSize;
using detail::Printable;

constexpr uint64_t kDefaultAlignment = 32;
// Smallest encodings, used to bound counts before trusting them.
constexpr uint64_t kMinKeyValueBytes = 8 + 4 + 1;        // empty key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, 1 dim, type, offset
constexpr uint64_t kMinStringBytes = 8;                  // length prefix
constexpr uint64_t kMinArrayBytes = 4 + 8;               // element type, count
constexpr int kMaxArrayNesting = 8;                      // arrays of arrays of ...

// GGML's names for type ids pipit does not support, so that an error says
// "IQ2_XXS" rather than just "16". Empty entries are ids GGML has retired.
const char* GgmlTypeName(uint32_t id) {
  static const char* const kNames[] = {
      "F32", "F16", "Q4_0", "Q4_1", "", "", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
      "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
      "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
      "BF16", "", "", "", "TQ1_0", "TQ2_0", "", "", "", "MXFP4"};
  if (id < sizeof kNames / sizeof kNames[0] && kNames[id][0] != '\0') return kNames[id];
  return nullptr;
}

// Parses one value of GGUF type `raw_type` at the cursor.
Status ParseValue(Cursor& c, uint32_t raw_type, int depth, Value* out) {
  int fixed = FixedSize(raw_type);
  if (fixed < 0) return Status::Error("value type %u is not a GGUF type", raw_type);
  out->type = static_cast<ValueType>(raw_type);
  out->elem_type = ValueType::UINT8;
  out->count = 1;
  if (fixed > 0) {
    PIPIT_TRY(c.Take(static_cast<uint64_t>(fixed), "the value", &out->data));
    out->end = out->data + fixed;
    return Status::Ok();
  }
  if (out->type == ValueType::STRING) {
    std::string_view s;
    PIPIT_TRY(c.String("the string value", &s));
    out->count = s.size();
    out->data = reinterpret_cast<const uint8_t*>(s.data());
    out->end = out->data + s.size();
    return Status::Ok();
  }

  // ARRAY: u32 element type, u64 count, elements.
  if (depth >= kMaxArrayNesting) {
    return Status::Error("arrays are nested more than %d deep", kMaxArrayNesting);
  }
  uint32_t elem_raw = 0;
  PIPIT_TRY(c.U32("the array element type", &elem_raw));
  int elem_fixed = FixedSize(elem_raw);
  if (elem_fixed < 0) return Status::Error("array element type %u is not a GGUF type", elem_raw);
  uint64_t count = 0;
  PIPIT_TRY(c.U64("the array length", &count));
  out->elem_type = static_cast<ValueType>(elem_raw);
  out->count = count;
  out->data = c.here();

  uint64_t min_elem_bytes = elem_fixed > 0                         ? static_cast<uint64_t>(elem_fixed)
                            : out->elem_type == ValueType::STRING ? kMinStringBytes
                                                                  : kMinArrayBytes;
  if (count > c.remaining() / min_elem_bytes) {
    return Status::Error("array of %llu %s elements needs at least %llu bytes per element but only %zu bytes are left",
                         static_cast<unsigned long long>(count), ValueTypeName(out->elem_type),
                         static_cast<unsigned long long>(min_elem_bytes), c.remaining());
  }
  if (elem_fixed > 0) {
    const uint8_t* p = nullptr;
    PIPIT_TRY(c.Take(count * static_cast<uint64_t>(elem_fixed), "the array elements", &p));
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      Status s;
      if (out->elem_type == ValueType::STRING) {
        std::string_view ignored;
        s = c.String("the string", &ignored);
      } else {
        Value inner;
        uint32_t inner_type = static_cast<uint32_t>(ValueType::ARRAY);
        s = ParseValue(c, inner_type, depth + 1, &inner);
      }
      if (!s.ok()) return s.Prefix("array element #" + std::to_string(i));
    }
  }
  out->end = c.here();
  return Status::Ok();
}

bool AddOverflows(uint64_t a, uint64_t b, uint64_t* sum) { return __builtin_add_overflow(a, b, sum); }

}  // namespace

Status Reader::Parse(platform::ByteSpan file) {
  *this = Reader();
  Status status = ParseUnprefixed(file);
  if (!status.ok()) {
    *this = Reader();
    status.Prefix("gguf");
  }
  return status;
}

Status Reader::ParseUnprefixed(platform::ByteSpan file) {
  if (file.data == nullptr && file.size != 0) return Status::Error("null file pointer");
  Cursor c(file.data, file.size);

  const uint8_t* magic = nullptr;
  PIPIT_TRY(c.Take(4, "the magic", &magic));
  if (std::string_view(reinterpret_cast<const char*>(magic), 4) != "GGUF") {
    return Status::Error("not a GGUF file (magic is '%s')",
                         Printable(std::string_view(reinterpret_cast<const char*>(magic), 4)).c_str());
  }
  PIPIT_TRY(c.U32("the version", &version_));
  if (version_ == 0x02000000u || version_ == 0x03000000u) {
    return Status::Error("big-endian GGUF files are not supported");
  }
  if (version_ == 1) {
    return Status::Error("unsupported version 1 (GGUF v1 is obsolete; re-convert the model with a current llama.cpp)");
  }
  if (version_ != 2 && version_ != 3) {
    return Status::Error("unsupported version %u (pipit reads versions 2 and 3)", version_);
  }

  uint64_t n_tensors = 0, n_kv = 0;
  PIPIT_TRY(c.U64("the tensor count", &n_tensors));
  PIPIT_TRY(c.U64("the metadata key count", &n_kv));
  if (n_kv > c.remaining() / kMinKeyValueBytes) {
    return Status::Error("metadata key count %llu is impossible: only %zu bytes follow the header (truncated or corrupt file)",
                         static_cast<unsigned long long>(n_kv), c.remaining());
  }
  if (n_tensors > c.remaining() / kMinTensorInfoBytes) {
    return Status::Error("tensor count %llu is impossible: only %zu bytes follow the header (truncated or corrupt file)",
                         static_cast<unsigned long long>(n_tensors), c.remaining());
  }

  PIPIT_TRY(ParseMetadata(c, n_kv));
  PIPIT_TRY(ParseTensorInfos(c, n_tensors));
  return LocateTensorData(file, c.offset());
}

Status Reader::ParseMetadata(Cursor& c, uint64_t n_kv) {
  kv_.reserve(static_cast<size_t>(n_kv));
  kv_index_.reserve(static_cast<size_t>(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    char what[64];
    std::snprintf(what, sizeof what, "metadata key #%llu", static_cast<unsigned long long>(i));
    KeyValue kv;
    PIPIT_TRY(c.String(what, &kv.key));
    std::string context = std::string(what) + " '" + Printable(kv.key) + "'";
    uint32_t raw_type = 0;
    Status s = c.U32("the value type", &raw_type);
    if (s.ok()) s = ParseValue(c, raw_type, 0, &kv.value);
    if (!s.ok()) return s.Prefix(context);

    auto [it, inserted] = kv_index_.emplace(kv.key, kv_.size());
    if (!inserted) {
      return Status::Error("duplicate metadata key '%s' (keys #%zu and #%llu)", Printable(kv.key).c_str(),
                           it->second, static_cast<unsigned long long>(i));
    }
    kv_.push_back(kv);
  }

  alignment_ = kDefaultAlignment;
  if (const KeyValue* kv = Find("general.alignment")) {
    if (kv->value.type != ValueType::UINT32) {
      return Status::Error("metadata key 'general.alignment' has type %s, expected UINT32",
                           ValueTypeName(kv->value.type));
    }
    uint32_t alignment = detail::LoadU32(kv->value.data);
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
      return Status::Error("metadata key 'general.alignment' is %u, expected a non-zero power of two", alignment);
    }
    alignment_ = alignment;
  }
  return Status::Ok();
}

Status Reader::ParseTensorInfos(Cursor& c, uint64_t n_tensors) {
  tensors_.reserve(static_cast<size_t>(n_tensors));
  tensor_index_.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    char what[64];
    std::snprintf(what, sizeof what, "the name of tensor #%llu", static_cast<unsigned long long>(i));
    TensorInfo t{};
    PIPIT_TRY(c.String(what, &t.name));
    std::string context = "tensor '" + Printable(t.name) + "'";

    Status s = c.U32("the dimension count", &t.n_dims);
    if (s.ok() && (t.n_dims < 1 || t.n_dims > kMaxDims)) {
      s = Status::Error("n_dims is %u, expected 1 to %d", t.n_dims, kMaxDims);
    }
    for (int d = 0; d < kMaxDims; ++d) t.ne[d] = 1;
    for (uint32_t d = 0; s.ok() && d < t.n_dims; ++d) {
      uint64_t ne = 0;
      s = c.U64("a dimension", &ne);
      if (!s.ok()) break;
      if (ne == 0 || ne > static_cast<uint64_t>(INT64_MAX)) {
        s = Status::Error("dimension %u is %llu, expected 1 to 2^63-1", d, static_cast<unsigned long long>(ne));
        break;
      }
      t.ne[d] = static_cast<int64_t>(ne);
    }
    uint32_t raw_type = 0;
    if (s.ok()) s = c.U32("the tensor type", &raw_type);
    if (s.ok()) s = c.U64("the data offset", &t.offset);
    if (!s.ok()) return s.Prefix(context);

    t.dtype = FindDType(raw_type);
    if (t.dtype == nullptr) {
      const char* ggml_name = GgmlTypeName(raw_type);
      if (ggml_name != nullptr) {
        return Status::Error("%s: type %s (id %u) is not supported by pipit", context.c_str(), ggml_name, raw_type);
      }
      return Status::Error("%s: type id %u is not a known GGML type", context.c_str(), raw_type);
    }
    if (t.ne[0] % t.dtype->block_size != 0) {
      return Status::Error("%s: row length ne[0] = %lld is not a multiple of the %s block size %d", context.c_str(),
                           static_cast<long long>(t.ne[0]), t.dtype->name, t.dtype->block_size);
    }
    // Element count and byte size must both fit, whatever the dimensions.
    int64_t n_elements = t.ne[0];
    uint64_t n_bytes = static_cast<uint64_t>(t.ne[0] / t.dtype->block_size) * static_cast<uint64_t>(t.dtype->block_bytes);
    bool overflow = false;
    for (int d = 1; d < kMaxDims; ++d) {
      overflow |= __builtin_mul_overflow(n_elements, t.ne[d], &n_elements);
      overflow |= __builtin_mul_overflow(n_bytes, static_cast<uint64_t>(t.ne[d]), &n_bytes);
    }
    if (overflow) {
      return Status::Error("%s: shape [%lld, %lld, %lld, %lld] is too large", context.c_str(),
                           static_cast<long long>(t.ne[0]), static_cast<long long>(t.ne[1]),
                           static_cast<long long>(t.ne[2]), static_cast<long long>(t.ne[3]));
    }
    t.n_bytes = n_bytes;

    auto [it, inserted] = tensor_index_.emplace(t.name, tensors_.size());
    if (!inserted) {
      return Status::Error("duplicate tensor name '%s' (tensors #%zu and #%llu)", Printable(t.name).c_str(),
                           it->second, static_cast<unsigned long long>(i));
    }
    tensors_.push_back(t);
  }
  return Status::Ok();
}

// The data section starts at the first aligned offset after the header;
// each tensor's offset is relative to it.
Status Reader::LocateTensorData(platform::ByteSpan file, size_t header_end) {
  uint64_t data_start = (static_cast<uint64_t>(header_end) + alignment_ - 1) / alignment_ * alignment_;
  for (TensorInfo& t : tensors_) {
    std::string name = Printable(t.name);
    if (t.offset % alignment_ != 0) {
      return Status::Error("tensor '%s': data offset %llu is not a multiple of the alignment %llu", name.c_str(),
                           static_cast<unsigned long long>(t.offset), static_cast<unsigned long long>(alignment_));
    }
    uint64_t begin, end;
    if (AddOverflows(data_start, t.offset, &begin) || AddOverflows(begin, t.n_bytes, &end)) {
      return Status::Error("tensor '%s': data offset %llu (%llu bytes) lies past the end of the file (%zu bytes)",
                           name.c_str(), static_cast<unsigned long long>(t.offset),
                           static_cast<unsigned long long>(t.n_bytes), file.size);
    }
    if (end > file.size) {
      return Status::Error("tensor '%s': data [%llu, %llu) ends past the end of the file (%zu bytes)", name.c_str(),
                           static_cast<unsigned long long>(begin), static_cast<unsigned long long>(end), file.size);
    }
    t.data = file.data + begin;
  }

  // Overlapping tensors would alias each other's weights: a corrupt file.
  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(tensors_.size());
  for (const TensorInfo& t : tensors_) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo& prev = *by_offset[i - 1];
    const TensorInfo& next = *by_offset[i];
    if (prev.offset + prev.n_bytes > next.offset) {
      return Status::Error("tensor '%s': data at offset %llu overlaps tensor '%s' (offset %llu, %llu bytes)",
                           Printable(next.name).c_str(), static_cast<unsigned long long>(next.offset),
                           Printable(prev.name).c_str(), static_cast<unsigned long long>(prev.offset),
                           static_cast<unsigned long long>(prev.n_bytes));
    }
  }
  return Status::Ok();
}

const KeyValue* Reader::Find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second];
}

const TensorInfo* Reader::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace pipit::gguf
