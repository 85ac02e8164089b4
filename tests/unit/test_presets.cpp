// The per-tensor type rules of the file-type presets. Expected values are
// worked out by hand from llama.cpp's llama_tensor_get_type (src/llama-quant.cpp).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "quant/preset.h"

namespace pipit::quant {
namespace {

// TinyLlama 1.1B: 22 layers, 2048 wide, 32 query heads sharing 4 KV heads.
TensorContext TinyLlama(const std::string& name, int64_t ne0 = 2048, int n_dims = 2) {
  static std::string storage;  // keeps the name alive for the string_view
  storage = name;
  TensorContext t;
  t.name = storage;
  t.n_dims = n_dims;
  t.ne0 = ne0;
  t.n_layers = 22;
  t.n_head = 32;
  t.n_head_kv = 4;
  t.has_output = true;
  return t;
}

DType Choose(const char* preset, const TensorContext& t, DType current = DType::F32) {
  const Preset* p = FindPreset(preset);
  EXPECT_NE(p, nullptr) << preset;
  DType out = DType::F32;
  Status s = ChooseTensorType(*p, t, current, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

std::string Name(int layer, const char* what) { return "blk." + std::to_string(layer) + "." + what + ".weight"; }

TEST(Presets, LookupAndFileTypeValues) {
  // LLAMA_FTYPE_* values from llama.h.
  EXPECT_EQ(FindPreset("F32")->file_type, 0u);
  EXPECT_EQ(FindPreset("f16")->file_type, 1u);
  EXPECT_EQ(FindPreset("Q4_0")->file_type, 2u);
  EXPECT_EQ(FindPreset("q8_0")->file_type, 7u);
  EXPECT_EQ(FindPreset("Q5_0")->file_type, 8u);
  EXPECT_EQ(FindPreset("Q2_K")->file_type, 10u);
  EXPECT_EQ(FindPreset("Q4_K_M")->file_type, 15u);
  EXPECT_EQ(FindPreset("Q6_K")->file_type, 18u);
  EXPECT_EQ(FindPreset("Q2_K_S")->file_type, 21u);
  EXPECT_EQ(FindPreset("BF16")->file_type, 32u);
  EXPECT_EQ(FindPreset("Q4_K"), nullptr);  // a tensor type, not a preset
  EXPECT_EQ(FindPreset("Q4_K_MM"), nullptr);
  EXPECT_EQ(AllPresets().size(), 18u);
}

TEST(Presets, Q4KMOutputAndEmbeddings) {
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama("output.weight")), DType::Q6_K);
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama("token_embd.weight")), DType::Q4_K);
  // Tied embeddings: token_embd is also the output, so it gets the output's type.
  TensorContext tied = TinyLlama("token_embd.weight");
  tied.has_output = false;
  EXPECT_EQ(Choose("Q4_K_M", tied), DType::Q6_K);
}

TEST(Presets, Q4KMUsesMoreBitsOnAboutHalfOfAttnVAndFfnDown) {
  // use_more_bits(i, 22): i < 2, i >= 19, or (i - 2) % 3 == 2.
  const std::set<int> more_bits = {0, 1, 4, 7, 10, 13, 16, 19, 20, 21};
  for (int layer = 0; layer < 22; ++layer) {
    const DType want = more_bits.count(layer) ? DType::Q6_K : DType::Q4_K;
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "attn_v"))), want) << "layer " << layer;
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "ffn_down"), 5632)), want) << "layer " << layer;
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "attn_q"))), DType::Q4_K);
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "attn_k"))), DType::Q4_K);
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "attn_output"))), DType::Q4_K);
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "ffn_gate"))), DType::Q4_K);
    EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(layer, "ffn_up"))), DType::Q4_K);
  }
  // Q5_K_M follows the same layer pattern on a Q5_K base.
  EXPECT_EQ(Choose("Q5_K_M", TinyLlama(Name(4, "attn_v"))), DType::Q6_K);
  EXPECT_EQ(Choose("Q5_K_M", TinyLlama(Name(5, "attn_v"))), DType::Q5_K);
}

TEST(Presets, NormsAndOneDimensionalTensorsKeepTheirType) {
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(0, "attn_norm"), 2048, 1)), DType::F32);
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama("output_norm.weight", 2048, 1)), DType::F32);
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama("rope_freqs.weight", 32, 1)), DType::F32);
  EXPECT_EQ(Choose("F16", TinyLlama(Name(3, "ffn_norm"), 2048, 1)), DType::F32);
  // A 2-D norm weight still is a norm.
  EXPECT_EQ(Choose("Q8_0", TinyLlama(Name(3, "ffn_norm"))), DType::F32);
  // The current type is kept, whatever it is.
  EXPECT_EQ(Choose("Q4_0", TinyLlama("output_norm.weight", 2048, 1), DType::F16), DType::F16);
}

TEST(Presets, FloatPresetsConvertEveryMatrixWithoutRules) {
  for (const char* name : {"output.weight", "token_embd.weight", "blk.0.attn_v.weight", "blk.0.ffn_down.weight"}) {
    EXPECT_EQ(Choose("F16", TinyLlama(name)), DType::F16) << name;
    EXPECT_EQ(Choose("BF16", TinyLlama(name)), DType::BF16) << name;
    EXPECT_EQ(Choose("F32", TinyLlama(name), DType::Q4_K), DType::F32) << name;
  }
}

TEST(Presets, FallbackWhenRowsAreNotMultiplesOf256) {
  // ne0 = 64 (a tiny test model): k-quants fall back to 32-wide types.
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(2, "attn_q"), 64)), DType::Q5_0);   // Q4_K -> Q5_0
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(0, "attn_v"), 64)), DType::Q8_0);   // Q6_K -> Q8_0
  EXPECT_EQ(Choose("Q5_K_S", TinyLlama(Name(2, "attn_q"), 64)), DType::Q5_1);   // Q5_K -> Q5_1
  EXPECT_EQ(Choose("Q2_K", TinyLlama(Name(2, "attn_q"), 64)), DType::Q4_0);     // Q2_K -> Q4_0
  EXPECT_EQ(Choose("Q3_K_S", TinyLlama(Name(2, "attn_q"), 64)), DType::Q4_0);   // Q3_K -> Q4_0
  EXPECT_EQ(Choose("Q6_K", TinyLlama(Name(2, "attn_q"), 64)), DType::Q8_0);     // Q6_K -> Q8_0
  // The output: Q8_0 straight away when the row does not fit the base type.
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama("output.weight", 64)), DType::Q8_0);
  // The output of a 32-wide preset is Q6_K, unless the row does not fit it.
  EXPECT_EQ(Choose("Q4_0", TinyLlama("output.weight", 2048)), DType::Q6_K);
  EXPECT_EQ(Choose("Q4_0", TinyLlama("output.weight", 288)), DType::Q8_0);
  // Not even a multiple of 32: F16.
  EXPECT_EQ(Choose("Q4_K_M", TinyLlama(Name(2, "attn_q"), 48)), DType::F16);
  EXPECT_EQ(Choose("Q8_0", TinyLlama(Name(2, "attn_q"), 48)), DType::F16);
  // 32-wide presets need no fallback at 64.
  EXPECT_EQ(Choose("Q8_0", TinyLlama(Name(2, "attn_q"), 64)), DType::Q8_0);
  EXPECT_EQ(Choose("Q8_0", TinyLlama("output.weight", 64)), DType::Q8_0);
}

TEST(Presets, LowBitPresets) {
  // Q2_K: attn_v Q4_K with >= 4 query heads per KV head, else Q3_K.
  EXPECT_EQ(Choose("Q2_K", TinyLlama(Name(5, "attn_v"))), DType::Q4_K);
  TensorContext mha = TinyLlama(Name(5, "attn_v"));
  mha.n_head_kv = 32;
  EXPECT_EQ(Choose("Q2_K", mha), DType::Q3_K);
  EXPECT_EQ(Choose("Q2_K_S", mha), DType::Q2_K);
  EXPECT_EQ(Choose("Q2_K", TinyLlama(Name(5, "ffn_down"))), DType::Q3_K);
  EXPECT_EQ(Choose("Q2_K", TinyLlama(Name(5, "attn_output"))), DType::Q3_K);
  EXPECT_EQ(Choose("Q2_K", TinyLlama(Name(5, "attn_q"))), DType::Q2_K);
  // Q2_K_S: first eighth of ffn_down (22 / 8 = 2 layers) gets Q4_K.
  EXPECT_EQ(Choose("Q2_K_S", TinyLlama(Name(1, "ffn_down"))), DType::Q4_K);
  EXPECT_EQ(Choose("Q2_K_S", TinyLlama(Name(2, "ffn_down"))), DType::Q2_K);
  // Q3_K_M: attn_v Q5_K on the first two layers, Q4_K after; ffn_down
  // Q5_K on the first 22/16 = 1 layer; attn_output Q4_K.
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(1, "attn_v"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(2, "attn_v"))), DType::Q4_K);
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(0, "ffn_down"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(1, "ffn_down"))), DType::Q4_K);
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(1, "attn_output"))), DType::Q4_K);
  EXPECT_EQ(Choose("Q3_K_M", TinyLlama(Name(1, "ffn_up"))), DType::Q3_K);
  // Q3_K_L: attn_v, ffn_down, attn_output all Q5_K.
  EXPECT_EQ(Choose("Q3_K_L", TinyLlama(Name(9, "attn_v"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_L", TinyLlama(Name(9, "ffn_down"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_L", TinyLlama(Name(9, "attn_output"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_S", TinyLlama(Name(9, "attn_v"))), DType::Q3_K);
  // Q4_K_S: attn_v Q5_K on the first 4 layers, ffn_down on the first eighth.
  EXPECT_EQ(Choose("Q4_K_S", TinyLlama(Name(3, "attn_v"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q4_K_S", TinyLlama(Name(4, "attn_v"))), DType::Q4_K);
  EXPECT_EQ(Choose("Q4_K_S", TinyLlama(Name(1, "ffn_down"))), DType::Q5_K);
  EXPECT_EQ(Choose("Q4_K_S", TinyLlama(Name(2, "ffn_down"))), DType::Q4_K);
}

TEST(Presets, SeventyBillionAttnVGetsQ5K) {
  TensorContext t = TinyLlama(Name(40, "attn_v"), 8192);
  t.n_layers = 80;
  t.n_head = 64;
  t.n_head_kv = 8;
  EXPECT_EQ(Choose("Q4_K_S", t), DType::Q5_K);
  EXPECT_EQ(Choose("Q3_K_S", t), DType::Q5_K);
  t.n_head_kv = 64;  // LLaMA-65B: no GQA, no bump
  EXPECT_EQ(Choose("Q4_K_S", t), DType::Q4_K);
}

TEST(Presets, BadLayerIndexIsAnError) {
  const Preset& p = *FindPreset("Q4_K_M");
  DType out;
  EXPECT_FALSE(ChooseTensorType(p, TinyLlama(Name(22, "attn_v")), DType::F32, &out).ok());
  EXPECT_FALSE(ChooseTensorType(p, TinyLlama("blk.x.ffn_down.weight"), DType::F32, &out).ok());
  EXPECT_TRUE(ChooseTensorType(p, TinyLlama(Name(21, "ffn_down")), DType::F32, &out).ok());
}

}  // namespace
}  // namespace pipit::quant
