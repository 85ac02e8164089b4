// Saved KV state: the cache of one sequence after a prompt, so a later run
// with the same prompt prefix skips that part of the prefill.
//
// File layout (little-endian), format version 1:
//   char[8]  magic "PIPITKV\0"
//   u32      version, u32 dtype (1 = F16)
//   u64      model identity (Model::identity)
//   u32      n_layer, u32 kv_dim, u32 n_ctx, u32 n_tokens
//   i32      tokens[n_tokens]
//   u16      k[n_layer][n_tokens][kv_dim], then v in the same layout
//   u64      FNV-1a checksum of every byte before it
// Anything that does not match the running model and context, or fails the
// checksum, makes the whole file unusable: it is reported, never used.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "kv/kv_cache.h"
#include "model/model.h"

namespace pipit {

// Atomically writes positions [0, tokens.size()) of `seq`.
Status SaveKvState(const std::string& path, const Model& model, const KvCache& kv, int seq,
                   const std::vector<Token>& tokens);

// Restores the longest prefix of `prompt` that the file holds into `seq`
// (which must be empty), leaving at least one prompt token to run so the
// caller gets logits. *n_reused receives the number of restored positions.
// A missing file is an error too (the caller reports and continues).
Status LoadKvState(const std::string& path, const Model& model, KvCache& kv, int seq,
                   const std::vector<Token>& prompt, int* n_reused);

}  // namespace pipit
