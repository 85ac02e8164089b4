// A small but complete GGUF file for the reader's tests, the corrupt-file
// suite and the fuzzer's seed corpus: metadata of several types (including a
// string array), general.alignment, and three tensors whose data ends exactly
// at the end of the file (so cutting off any byte breaks the file).
#pragma once

#include <cstdint>
#include <vector>

namespace pipit::test {

// Tensor names, in file order, and their types and shapes.
//   token_embd.weight    F32  [8, 4]
//   blk.0.attn_q.weight  Q8_0 [32, 2]
//   blk.0.attn_k.weight  Q8_0 [32, 1]
//   output_norm.weight   F32  [8]      (32 bytes: no trailing padding)
// Metadata: general.architecture (STRING "llama"), general.alignment
// (UINT32 32), llama.block_count (UINT32 1), llama.context_length (UINT32 64),
// llama.rope.freq_base (FLOAT32 10000), test.flag (BOOL true),
// test.dup_a / test.dup_b (UINT32 1 / 2, same-length keys for duplicate
// tests), tokenizer.ggml.tokens (ARRAY of 4 STRING), tokenizer.ggml.scores
// (ARRAY of 4 FLOAT32), tokenizer.ggml.token_type (ARRAY of 4 INT32).
// Tensor bytes are a deterministic pattern (byte i of tensor t = t*31+i).
std::vector<uint8_t> MakeSampleGguf();

}  // namespace pipit::test
