// Tokenizer::Load: builds the vocabulary from tokenizer.ggml.* metadata
// with llama.cpp's defaults (llama_vocab::impl::load).
#include <algorithm>

#include "tokenizer/tokenizer.h"

namespace pipit {
namespace {

using tokenizer::PreTokenizer;

struct PreTokenizerName {
  const char* name;
  PreTokenizer kind;
};

// The tokenizer.ggml.pre values llama.cpp maps to the splitters we have.
constexpr PreTokenizerName kPreTokenizers[] = {
    {"default", PreTokenizer::kDefault},     {"llama3", PreTokenizer::kLlama3},
    {"llama-v3", PreTokenizer::kLlama3},     {"llama-bpe", PreTokenizer::kLlama3},
    {"falcon3", PreTokenizer::kLlama3},      {"falcon-h1", PreTokenizer::kLlama3},
    {"pixtral", PreTokenizer::kLlama3},      {"midm-2.0", PreTokenizer::kLlama3},
    {"lfm2", PreTokenizer::kLlama3},         {"dbrx", PreTokenizer::kLlama3},
    {"smaug-bpe", PreTokenizer::kLlama3},    {"chatglm-bpe", PreTokenizer::kLlama3},
    {"qwen2", PreTokenizer::kQwen2},         {"deepseek-r1-qwen", PreTokenizer::kQwen2},
    {"stablelm2", PreTokenizer::kQwen2},     {"hunyuan", PreTokenizer::kQwen2},
    {"megrez", PreTokenizer::kQwen2},        {"gpt-2", PreTokenizer::kGpt2},
    {"phi-2", PreTokenizer::kGpt2},          {"mpt", PreTokenizer::kGpt2},
    {"olmo", PreTokenizer::kGpt2},           {"jais", PreTokenizer::kGpt2},
    {"roberta-bpe", PreTokenizer::kGpt2},    {"exaone4", PreTokenizer::kGpt2},
};

bool IsLlama3Family(std::string_view pre) {
  return pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3" ||
         pre == "falcon-h1" || pre == "pixtral" || pre == "midm-2.0" || pre == "lfm2";
}

// Texts llama.cpp treats as end of generation whatever their id.
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",    "<|im_end|>",       "<|end|>",      "<|return|>",
    "<|call|>",      "<|flush|>",        "<|calls|>",    "<end_of_turn>",
    "<|endoftext|>", "</s>",             "<|eom_id|>",   "<EOT>",
    "_<EOT>",        "[EOT]",            "[EOS]",        "<|end_of_text|>",
    "<end_of_utterance>", "<eos>",       "<turn|>",      "<|tool_response>",
    "<｜end▁of▁sentence｜>", "[e~[",
};
// Texts llama.cpp picks as EOT when tokenizer.ggml.eot_token_id is absent.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
    "<end_of_utterance>",
};

template <size_t N>
bool OneOf(std::string_view text, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), text) != std::end(list);
}

uint8_t AttrFromTokenType(int32_t type) {
  switch (type) {
    case 1: return tokenizer::kAttrNormal;
    case 2: return tokenizer::kAttrUnknown;
    case 3: return tokenizer::kAttrControl;
    case 4: return tokenizer::kAttrUserDefined;
    case 5: return tokenizer::kAttrUnused;
    case 6: return tokenizer::kAttrByte;
    default: return tokenizer::kAttrUndefined;
  }
}

}  // namespace

Status Tokenizer::Load(const gguf::Reader& file) {
  *this = Tokenizer();
  std::string_view model_name;
  PIPIT_TRY(file.GetString("tokenizer.ggml.model", &model_name));
  std::string_view pre_name;
  PIPIT_TRY(file.GetStringOpt("tokenizer.ggml.pre", &pre_name));

  if (model_name == "llama") {
    model_ = Model::kSpm;
    bos_ = 1, eos_ = 2, vocab_.unk = 0;
    add_space_prefix_ = true;
    add_bos_ = true;
  } else if (model_name == "gpt2") {
    model_ = Model::kBpe;
    bos_ = 11, eos_ = 11;
    clean_spaces_ = true;
    if (pre_name.empty()) {
      pre_ = PreTokenizer::kDefault;
    } else {
      bool known = false;
      for (const auto& entry : kPreTokenizers) {
        if (pre_name == entry.name) pre_ = entry.kind, known = true;
      }
      if (!known) {
        return Status::Error("tokenizer.ggml.pre: unsupported pre-tokenizer '%.*s'",
                             static_cast<int>(pre_name.size()), pre_name.data());
      }
      if (IsLlama3Family(pre_name)) ignore_merges_ = true, add_bos_ = true;
      if (pre_name == "chatglm-bpe" || pre_name == "megrez" || pre_name == "hunyuan" ||
          pre_name == "deepseek-r1-qwen") {
        clean_spaces_ = false;  // llama.cpp turns the clean-up off for these
      }
    }
  } else {
    return Status::Error("tokenizer.ggml.model: unsupported tokenizer '%.*s' (want 'llama' or 'gpt2')",
                         static_cast<int>(model_name.size()), model_name.data());
  }
  PIPIT_TRY(file.GetBoolOpt("tokenizer.ggml.add_space_prefix", &add_space_prefix_));

  std::vector<std::string_view> texts;
  PIPIT_TRY(file.GetStringArray("tokenizer.ggml.tokens", &texts));
  if (texts.empty()) return Status::Error("tokenizer.ggml.tokens: empty vocabulary");
  if (texts.size() > 0x7FFFFFFF) return Status::Error("tokenizer.ggml.tokens: too many tokens");
  const size_t n = texts.size();

  // Scores are only used by SPM; BPE ranks come from the merges.
  std::vector<float> scores;
  if (const gguf::KeyValue* kv = file.Find("tokenizer.ggml.scores")) {
    if (kv->value.type == gguf::ValueType::ARRAY && kv->value.elem_type == gguf::ValueType::INT32) {
      std::vector<int32_t> iscores;
      PIPIT_TRY(file.GetI32Array("tokenizer.ggml.scores", &iscores));
      scores.assign(iscores.begin(), iscores.end());
    } else {
      PIPIT_TRY(file.GetF32Array("tokenizer.ggml.scores", &scores));
    }
    if (scores.size() < n) {
      return Status::Error("tokenizer.ggml.scores: %zu scores for %zu tokens", scores.size(), n);
    }
    scores.resize(n);
    if (model_ != Model::kSpm) scores = std::vector<float>();
  }
  std::vector<uint8_t> attrs(n, tokenizer::kAttrNormal);
  if (file.Find("tokenizer.ggml.token_type") != nullptr) {
    std::vector<int32_t> types;
    PIPIT_TRY(file.GetI32Array("tokenizer.ggml.token_type", &types));
    if (types.size() < n) {
      return Status::Error("tokenizer.ggml.token_type: %zu types for %zu tokens", types.size(), n);
    }
    for (size_t i = 0; i < n; ++i) attrs[i] = AttrFromTokenType(types[i]);
  }
  PIPIT_TRY(vocab_.SetTokens(texts, std::move(scores), std::move(attrs)));
  texts = std::vector<std::string_view>();  // release before the merges are built

  if (model_ == Model::kBpe) {
    if (file.Find("tokenizer.ggml.merges") == nullptr) {
      return Status::Error("tokenizer.ggml.merges: missing (required for a 'gpt2' tokenizer)");
    }
    std::vector<std::string_view> merges;
    PIPIT_TRY(file.GetStringArray("tokenizer.ggml.merges", &merges));
    vocab_.SetMerges(merges);
  }

  PIPIT_TRY(LoadSpecialIds(file));
  DetectEndOfGeneration();
  FindSpecialTokens();
  return Status::Ok();
}

Status Tokenizer::LoadSpecialIds(const gguf::Reader& file) {
  const int64_t n = vocab_.size();
  // Defaults that do not fit the vocabulary are disabled, like llama.cpp.
  for (Token* id : {&bos_, &eos_, &vocab_.unk}) {
    if (*id >= n) *id = -1;
  }
  struct Key {
    const char* key;
    Token* id;
  };
  Token fim_pad = -1, fim_rep = -1, fim_sep = -1;
  const Key keys[] = {
      {"tokenizer.ggml.bos_token_id", &bos_},       {"tokenizer.ggml.eos_token_id", &eos_},
      {"tokenizer.ggml.eot_token_id", &eot_},       {"tokenizer.ggml.eom_token_id", &eom_},
      {"tokenizer.ggml.unknown_token_id", &vocab_.unk},
      {"tokenizer.ggml.padding_token_id", &pad_},   {"tokenizer.ggml.fim_pad_token_id", &fim_pad},
      {"tokenizer.ggml.fim_rep_token_id", &fim_rep}, {"tokenizer.ggml.fim_sep_token_id", &fim_sep},
  };
  for (const Key& k : keys) {
    if (file.Find(k.key) == nullptr) continue;
    uint32_t value;
    PIPIT_TRY(file.GetU32(k.key, &value));
    if (value >= n) {
      return Status::Error("%s: token id %u is outside the vocabulary (%lld tokens)", k.key, value,
                           static_cast<long long>(n));
    }
    *k.id = static_cast<Token>(value);
  }
  PIPIT_TRY(file.GetBoolOpt("tokenizer.ggml.add_bos_token", &add_bos_));
  PIPIT_TRY(file.GetBoolOpt("tokenizer.ggml.add_eos_token", &add_eos_));
  if (add_bos_ && bos_ < 0) {
    return Status::Error("tokenizer.ggml.add_bos_token is set but the vocabulary has no BOS token");
  }
  if (add_eos_ && eos_ < 0) {
    return Status::Error("tokenizer.ggml.add_eos_token is set but the vocabulary has no EOS token");
  }
  is_eog_.assign(vocab_.size(), 0);
  for (Token id : {fim_pad, fim_rep, fim_sep}) {
    if (id >= 0) is_eog_[id] = 1;
  }
  return Status::Ok();
}

void Tokenizer::DetectEndOfGeneration() {
  // llama.cpp scans its text->id hash map, so which of several EOT-looking
  // tokens becomes "the" EOT is unspecified there; we take the lowest id.
  // Either way every one of them ends generation.
  for (Token id = 0; id < vocab_.size(); ++id) {
    const std::string_view text = vocab_.Text(id);
    if (vocab_.Find(text) != id) continue;  // shadowed duplicate
    if (eot_ < 0 && OneOf(text, kEotTexts)) {
      eot_ = id;
      vocab_.AddAttr(id, tokenizer::kAttrControl);
    }
    if (eom_ < 0 && text == "<|eom_id|>") {
      eom_ = id;
      vocab_.AddAttr(id, tokenizer::kAttrControl);
    }
    if (OneOf(text, kEogTexts)) {
      is_eog_[id] = 1;
      vocab_.AddAttr(id, tokenizer::kAttrControl);
    }
  }
  for (Token id : {eos_, eot_, eom_}) {
    if (id >= 0) is_eog_[id] = 1;
  }
}

void Tokenizer::FindSpecialTokens() {
  const uint32_t special_mask =
      tokenizer::kAttrControl | tokenizer::kAttrUserDefined | tokenizer::kAttrUnknown;
  for (Token id = 0; id < vocab_.size(); ++id) {
    if (vocab_.Attr(id) & special_mask) special_tokens_.push_back(id);
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(), [&](Token a, Token b) {
    return vocab_.Text(a).size() > vocab_.Text(b).size();
  });
}

}  // namespace pipit
