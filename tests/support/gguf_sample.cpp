#include "support/gguf_sample.h"

#include <string>

#include "gguf/writer.h"
#include "quant/dtype.h"

namespace pipit::test {

std::vector<uint8_t> MakeSampleGguf() {
  gguf::Writer w;
  w.SetString("general.architecture", "llama");
  w.SetU32("general.alignment", 32);
  w.SetU32("llama.block_count", 1);
  w.SetU32("llama.context_length", 64);
  w.SetF32("llama.rope.freq_base", 10000.0f);
  w.SetBool("test.flag", true);
  w.SetU32("test.dup_a", 1);
  w.SetU32("test.dup_b", 2);
  w.SetStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "hello"});
  w.SetF32Array("tokenizer.ggml.scores", {0.0f, -1.0f, -2.0f, -3.5f});
  w.SetI32Array("tokenizer.ggml.token_type", {2, 3, 3, 1});

  struct Spec {
    const char* name;
    DType type;
    std::vector<int64_t> ne;
  };
  const Spec specs[] = {
      {"token_embd.weight", DType::F32, {8, 4}},
      {"blk.0.attn_q.weight", DType::Q8_0, {32, 2}},
      {"blk.0.attn_k.weight", DType::Q8_0, {32, 1}},
      {"output_norm.weight", DType::F32, {8}},
  };
  int t = 0;
  for (const Spec& s : specs) {
    const DTypeTraits& traits = Traits(s.type);
    int64_t rows = 1;
    for (size_t d = 1; d < s.ne.size(); ++d) rows *= s.ne[d];
    std::vector<uint8_t> data(RowBytes(traits, s.ne[0]) * static_cast<size_t>(rows));
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(t * 31 + i);
    w.AddTensor(s.name, s.type, s.ne, data.data(), data.size());
    ++t;
  }
  return w.Serialize();
}

}  // namespace pipit::test
