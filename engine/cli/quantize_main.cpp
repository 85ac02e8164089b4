// pipit-quantize IN OUT TYPE [-j threads]
//
// Re-encodes every weight of a GGUF model with the per-tensor types that
// llama-quantize would choose for the file-type preset TYPE (quant/preset.h).
// Input tensors of any supported type are dequantized to F32 and quantized
// again; tensors that keep their type are copied byte for byte. All metadata
// is copied; general.file_type and general.quantization_version are set.
// OUT is written atomically.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "platform/platform.h"
#include "platform/thread_pool.h"
#include "quant/dtype.h"
#include "quant/preset.h"

namespace pipit {
namespace {

void Usage() {
  std::fprintf(stderr, "usage: pipit-quantize IN.gguf OUT.gguf TYPE [-j threads]\n  TYPE:");
  for (const quant::Preset& p : quant::AllPresets()) std::fprintf(stderr, " %s", p.name);
  std::fprintf(stderr, "\n");
}

struct Args {
  std::string in, out;
  const quant::Preset* preset = nullptr;
  int threads = 0;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-j") == 0) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      long n = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || n < 1 || n > 1024) return false;
      args->threads = static_cast<int>(n);
    } else {
      positional.push_back(argv[i]);
    }
  }
  if (positional.size() != 3) return false;
  args->in = positional[0];
  args->out = positional[1];
  args->preset = quant::FindPreset(positional[2]);
  if (!args->preset) std::fprintf(stderr, "pipit-quantize: unknown TYPE '%s'\n", positional[2].c_str());
  return args->preset != nullptr;
}

// Model shape the preset rules look at, from "<arch>.*" metadata.
struct ModelShape {
  int n_layers = 0;
  int n_head = 1;
  int n_head_kv = 1;
  bool has_output = false;
};

Status ReadShape(const gguf::Reader& r, ModelShape* shape) {
  std::string_view arch_view;
  PIPIT_TRY(r.GetString("general.architecture", &arch_view));
  const std::string arch(arch_view);
  uint32_t n_layers = 0, n_head = 1;
  PIPIT_TRY(r.GetU32(arch + ".block_count", &n_layers));
  PIPIT_TRY(r.GetU32Opt(arch + ".attention.head_count", &n_head));
  uint32_t n_head_kv = n_head;
  PIPIT_TRY(r.GetU32Opt(arch + ".attention.head_count_kv", &n_head_kv));
  if (n_head_kv == 0) return Status::Error("%s.attention.head_count_kv is 0", arch.c_str());
  shape->n_layers = static_cast<int>(n_layers);
  shape->n_head = static_cast<int>(n_head);
  shape->n_head_kv = static_cast<int>(n_head_kv);
  shape->has_output = r.FindTensor("output.weight") != nullptr;
  return Status::Ok();
}

// Converts one tensor to `to`, rows in parallel. Each worker holds one F32
// row at a time.
std::vector<uint8_t> Convert(const gguf::TensorInfo& t, const DTypeTraits& to, platform::ThreadPool* pool) {
  const DTypeTraits& from = *t.dtype;
  const int64_t row_len = t.ne[0];
  const int64_t n_rows = t.n_elements() / row_len;
  const size_t in_row_bytes = RowBytes(from, row_len);
  const size_t out_row_bytes = RowBytes(to, row_len);
  std::vector<uint8_t> out(out_row_bytes * n_rows);
  pool->ParallelFor(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(row_len);  // [row_len]
    for (int64_t r = begin; r < end; ++r) {
      from.dequantize(t.data + r * in_row_bytes, row.data(), row_len);
      to.quantize(row.data(), out.data() + r * out_row_bytes, row_len);
    }
  });
  return out;
}

// "2048x5632"
std::string ShapeString(const gguf::TensorInfo& t) {
  char buf[96];
  int len = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(t.ne[0]));
  for (uint32_t d = 1; d < t.n_dims && len < static_cast<int>(sizeof buf); ++d) {
    len += std::snprintf(buf + len, sizeof buf - len, "x%lld", static_cast<long long>(t.ne[d]));
  }
  return buf;
}

Status Quantize(const Args& args) {
  platform::MappedFile file;
  PIPIT_TRY(file.Open(args.in).Prefix("reading " + args.in));
  gguf::Reader reader;
  PIPIT_TRY(reader.Parse(file.bytes()).Prefix(args.in));
  ModelShape shape;
  PIPIT_TRY(ReadShape(reader, &shape).Prefix(args.in));

  gguf::Writer writer;
  for (const gguf::KeyValue& kv : reader.metadata()) {
    // Set below, or owned by the writer (it aligns tensor data to 32).
    if (kv.key == "general.file_type" || kv.key == "general.quantization_version" ||
        kv.key == "general.alignment") {
      continue;
    }
    writer.CopyValue(kv);
  }
  writer.SetU32("general.file_type", args.preset->file_type);
  writer.SetU32("general.quantization_version", 2);

  if (std::strcmp(args.preset->name, "Q2_K_S") == 0) {
    // llama-quantize refuses Q2_K_S without an importance matrix; pipit has
    // none, so the result matches llama.cpp's rules but not its imatrix data.
    std::fprintf(stderr, "pipit-quantize: note: llama.cpp needs an imatrix for Q2_K_S; quantizing without one\n");
  }
  const int threads = args.threads > 0 ? args.threads : platform::HardwareThreads();
  platform::ThreadPool pool(threads);
  const size_t n_tensors = reader.tensors().size();
  uint64_t bytes_in = 0, bytes_out = 0;
  const double start = platform::NowSeconds();
  for (size_t i = 0; i < n_tensors; ++i) {
    const gguf::TensorInfo& t = reader.tensors()[i];
    quant::TensorContext ctx;
    ctx.name = t.name;
    ctx.n_dims = static_cast<int>(t.n_dims);
    ctx.ne0 = t.ne[0];
    ctx.n_layers = shape.n_layers;
    ctx.n_head = shape.n_head;
    ctx.n_head_kv = shape.n_head_kv;
    ctx.has_output = shape.has_output;
    DType type = t.dtype->type;
    PIPIT_TRY(quant::ChooseTensorType(*args.preset, ctx, t.dtype->type, &type));
    const DTypeTraits& to = Traits(type);
    std::fprintf(stderr, "[%4zu/%4zu] %-32.*s %-14s %5s -> %s\n", i + 1, n_tensors, static_cast<int>(t.name.size()),
                 t.name.data(), ShapeString(t).c_str(), t.dtype->name, to.name);
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    if (type == t.dtype->type) {
      writer.AddTensor(std::string(t.name), type, ne, t.data, t.n_bytes);
      bytes_out += t.n_bytes;
    } else {
      if (t.ne[0] % to.block_size != 0) {
        return Status::Error("tensor '%.*s': row length %lld is not a multiple of %s's block size %d",
                             static_cast<int>(t.name.size()), t.name.data(), static_cast<long long>(t.ne[0]),
                             to.name, to.block_size);
      }
      const std::vector<uint8_t> data = Convert(t, to, &pool);
      writer.AddTensor(std::string(t.name), type, ne, data.data(), data.size());
      bytes_out += data.size();
    }
    bytes_in += t.n_bytes;
  }
  PIPIT_TRY(writer.WriteFile(args.out).Prefix("writing " + args.out));
  std::fprintf(stderr, "pipit-quantize: %s -> %s (%s): tensors %.1f MiB -> %.1f MiB, %.1f s\n", args.in.c_str(),
               args.out.c_str(), args.preset->name, bytes_in / 1048576.0, bytes_out / 1048576.0,
               platform::NowSeconds() - start);
  return Status::Ok();
}

}  // namespace
}  // namespace pipit

int main(int argc, char** argv) {
  pipit::Args args;
  if (!pipit::ParseArgs(argc, argv, &args)) {
    pipit::Usage();
    return 2;
  }
  pipit::Status s = pipit::Quantize(args);
  if (!s.ok()) {
    std::fprintf(stderr, "pipit-quantize: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
