// Tokenizers that match llama.cpp token for token on the same GGUF file:
//   tokenizer.ggml.model = "llama": SentencePiece-style (score-ordered
//     bigram merges, "▁" for spaces, <0xXX> byte fallback);
//   tokenizer.ggml.model = "gpt2": byte-level BPE (pre-tokenizer split by
//     tokenizer.ggml.pre, ranked merges, GPT-2 byte-to-unicode alphabet).
// Special tokens (control, user-defined, unknown) are matched in the raw
// text before either algorithm runs, longest text first, as llama.cpp's
// tokenizer_st_partition does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "gguf/gguf.h"
#include "tokenizer/vocab.h"

namespace pipit {

using Token = int32_t;

class Tokenizer {
 public:
  enum class Model { kSpm, kBpe };

  // Reads tokenizer.ggml.* from the GGUF metadata (model, pre, tokens,
  // scores, token_type, merges, special token ids, add_bos_token,
  // add_eos_token, add_space_prefix). Missing or inconsistent -> error.
  //
  // Lifetime: token texts are not copied; the Tokenizer keeps pointers into
  // the bytes `file` was parsed from (the memory-mapped file or flash), so
  // those bytes must outlive the Tokenizer (Model owns both and declares the
  // mapping first). The Reader itself may go away after Load.
  Status Load(const gguf::Reader& file);

  // With add_bos (llama.cpp's add_special) the vocabulary's BOS is
  // prepended when it says add_bos_token, and EOS appended when it says
  // add_eos_token. parse_special: control/unknown token texts such as
  // "<|eot_id|>" or "</s>" in `text` become those tokens (use it only for
  // text from chat templates). User-defined tokens are always matched.
  std::vector<Token> Encode(std::string_view text, bool add_bos, bool parse_special) const;

  // Bytes of one token as it appears in output: byte tokens -> that byte,
  // SPM "▁" -> space, byte-level BPE characters -> their bytes. Control and
  // unknown tokens -> empty unless render_special. Out of range -> empty.
  // Computed on each call (a few dozen bytes of work), not cached.
  std::string Piece(Token t, bool render_special = false) const;

  // Whole-sequence detokenization like llama_detokenize(remove_special =
  // false): concatenated pieces, one leading space dropped from the first
  // piece when the vocabulary adds a space prefix (SPM), and llama.cpp's
  // space clean-up (" ." -> "." ...) for vocabularies that use it (BPE).
  std::string Detokenize(const std::vector<Token>& tokens, bool render_special = false) const;

  int n_vocab() const { return vocab_.size(); }
  Token bos() const { return bos_; }
  Token eos() const { return eos_; }
  Token eot() const { return eot_; }    // -1 when none
  Token unk() const { return vocab_.unk; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool add_space_prefix() const { return add_space_prefix_; }
  Model model() const { return model_; }

  // eos, eot, eom and tokens whose text llama.cpp treats as end of
  // generation ("<|eot_id|>", "<|im_end|>", "<|end_of_text|>", ...).
  bool IsEndOfGeneration(Token t) const;
  bool IsControl(Token t) const;  // control or unknown: not rendered by default
  std::string_view Text(Token t) const;  // raw vocabulary string

 private:
  Status LoadSpecialIds(const gguf::Reader& file);
  void DetectEndOfGeneration();
  void FindSpecialTokens();

  Model model_ = Model::kSpm;
  tokenizer::PreTokenizer pre_ = tokenizer::PreTokenizer::kDefault;
  tokenizer::Vocab vocab_;
  Token bos_ = -1, eos_ = -1, eot_ = -1, eom_ = -1, pad_ = -1;
  bool add_bos_ = false;
  bool add_eos_ = false;
  bool add_space_prefix_ = false;
  bool ignore_merges_ = false;  // BPE: a word that is a whole token skips merges
  bool clean_spaces_ = false;   // Detokenize: llama.cpp's space clean-up
  std::vector<Token> special_tokens_;  // matched in raw text, longest first
  std::vector<uint8_t> is_eog_;        // [n_vocab]
};

// Streams generated tokens as UTF-8 text: returns only complete UTF-8
// characters, holding back the bytes of a character split across byte
// tokens until it is complete. strip_leading_space drops one space at the
// very start of the output (what llama_detokenize does for SPM
// vocabularies); llama.cpp's streaming paths (server, CLI) keep it, so it
// is off by default.
class TokenDecoder {
 public:
  explicit TokenDecoder(const Tokenizer& tokenizer, bool strip_leading_space = false)
      : tokenizer_(tokenizer), strip_leading_space_(strip_leading_space) {}
  std::string Push(Token t);
  // Returns whatever is held back (an incomplete character's bytes, as is).
  std::string Flush();

 private:
  const Tokenizer& tokenizer_;
  bool strip_leading_space_;
  bool at_start_ = true;
  std::string pending_;
};

}  // namespace pipit
