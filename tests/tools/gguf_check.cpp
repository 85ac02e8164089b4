// gguf_check FILE            parse FILE; print a summary (exit 0) or the
//                            reader's error on stderr (exit 1)
// gguf_check --write-sample OUT   write the test sample file (exit 0)
//
// Used by tests/corrupt/run_corrupt_suite.sh and to seed the fuzzer.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "gguf/gguf.h"
#include "platform/platform.h"
#include "support/gguf_sample.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: gguf_check FILE | gguf_check --write-sample OUT\n");
  return 2;
}

int WriteSample(const std::string& path) {
  std::vector<uint8_t> bytes = pipit::test::MakeSampleGguf();
  pipit::platform::AtomicFileWriter w;
  pipit::Status s = w.Open(path);
  if (s.ok()) s = w.Write(bytes.data(), bytes.size());
  if (s.ok()) s = w.Commit();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

int Check(const std::string& path) {
  pipit::platform::MappedFile file;
  pipit::Status s = file.Open(path);
  pipit::gguf::Reader reader;
  if (s.ok()) s = reader.Parse(file.bytes());
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::printf("GGUF version %u, %zu metadata keys, %zu tensors, alignment %" PRIu64 "\n", reader.version(),
              reader.metadata().size(), reader.tensors().size(), reader.alignment());
  for (const pipit::gguf::KeyValue& kv : reader.metadata()) {
    std::printf("  key %.*s: %s", static_cast<int>(kv.key.size()), kv.key.data(),
                pipit::gguf::ValueTypeName(kv.value.type));
    if (kv.value.type == pipit::gguf::ValueType::ARRAY) {
      std::printf(" of %" PRIu64 " %s", kv.value.count, pipit::gguf::ValueTypeName(kv.value.elem_type));
    }
    std::printf("\n");
  }
  for (const pipit::gguf::TensorInfo& t : reader.tensors()) {
    std::printf("  tensor %.*s: %s [", static_cast<int>(t.name.size()), t.name.data(), t.dtype->name);
    for (uint32_t d = 0; d < t.n_dims; ++d) std::printf(d ? ", %" PRId64 : "%" PRId64, t.ne[d]);
    std::printf("] offset %" PRIu64 ", %" PRIu64 " bytes\n", t.offset, t.n_bytes);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-sample") == 0) return WriteSample(argv[2]);
  if (argc == 2 && argv[1][0] != '-') return Check(argv[1]);
  return Usage();
}
