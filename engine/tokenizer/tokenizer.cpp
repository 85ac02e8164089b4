// Tokenizer::Encode / Piece / Detokenize and the streaming TokenDecoder.
#include "tokenizer/tokenizer.h"

#include <cstdlib>

#include "tokenizer/unicode.h"

namespace pipit {
namespace {

// A span of the input: raw text still to tokenize, or a special token.
struct Fragment {
  Token token;        // -1 for raw text
  size_t begin, size;  // raw text: byte range in the input
};

std::string EscapeSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == ' ') {
      out += "\xE2\x96\x81";  // U+2581 "▁"
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Number of bytes a UTF-8 character starting with `lead` needs; 0 for a
// byte that cannot start one (it is emitted as is).
size_t Utf8Need(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// llama.cpp's llama_decode_text: byte-level characters back to bytes.
void AppendByteLevelDecoded(std::string_view text, std::string* out) {
  for (uint32_t cpt : tokenizer::DecodeUtf8(text)) {
    uint8_t byte;
    if (tokenizer::UnicodeToByte(cpt, &byte)) {
      out->push_back(static_cast<char>(byte));
    } else {
      std::string utf8;
      tokenizer::AppendUtf8(cpt, &utf8);
      *out += "[UNK_BYTE_0x";
      static const char kHex[] = "0123456789abcdef";
      for (unsigned char c : utf8) {
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
      }
      out->append(text).push_back(']');
    }
  }
}

// SPM: every "▁" becomes a space.
void AppendSpmUnescaped(std::string_view text, std::string* out) {
  constexpr std::string_view kEscapedSpace = "\xE2\x96\x81";
  size_t pos = 0;
  while (true) {
    const size_t hit = text.find(kEscapedSpace, pos);
    if (hit == std::string_view::npos) break;
    out->append(text.substr(pos, hit - pos)).push_back(' ');
    pos = hit + kEscapedSpace.size();
  }
  out->append(text.substr(pos));
}

}  // namespace

std::vector<Token> Tokenizer::Encode(std::string_view text, bool add_bos, bool parse_special) const {
  // Split out special tokens, longest text first: each special token
  // splits every raw-text fragment left by the longer ones.
  std::vector<Fragment> fragments;
  if (!text.empty()) fragments.push_back({-1, 0, text.size()});
  for (Token special : special_tokens_) {
    if (!parse_special && (vocab_.Attr(special) & (tokenizer::kAttrControl | tokenizer::kAttrUnknown))) {
      continue;  // only user-defined tokens are matched in plain text
    }
    const std::string_view needle = vocab_.Text(special);
    std::vector<Fragment> next;
    next.reserve(fragments.size());
    for (const Fragment& f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t pos = f.begin;
      const size_t end = f.begin + f.size;
      while (pos < end) {
        const size_t hit = text.substr(0, end).find(needle, pos);
        if (hit == std::string_view::npos) break;
        if (hit > pos) next.push_back({-1, pos, hit - pos});
        next.push_back({special, hit, needle.size()});
        pos = hit + needle.size();
      }
      if (pos < end) next.push_back({-1, pos, end - pos});
    }
    fragments = std::move(next);
  }

  std::vector<Token> out;
  if (add_bos && add_bos_) out.push_back(bos_);
  // SPM adds its space prefix to the first text and to text that follows a
  // special token (llama.cpp's is_prev_special).
  bool prev_special = true;
  for (const Fragment& f : fragments) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prev_special = true;
      continue;
    }
    const std::string_view raw = text.substr(f.begin, f.size);
    if (model_ == Model::kSpm) {
      std::string spm_text = add_space_prefix_ && prev_special ? "\xE2\x96\x81" : "";
      spm_text += EscapeSpaces(raw);
      tokenizer::EncodeSpm(vocab_, spm_text, &out);
    } else {
      tokenizer::EncodeBpe(vocab_, pre_, ignore_merges_, raw, &out);
    }
    prev_special = false;
  }
  if (add_bos && add_eos_) out.push_back(eos_);
  return out;
}

std::string Tokenizer::Piece(Token t, bool render_special) const {
  if (t < 0 || t >= n_vocab()) return {};
  if (!render_special && IsControl(t)) return {};
  // llama.cpp's token_to_piece without lstrip.
  const uint32_t attr = vocab_.Attr(t);
  const std::string_view text = vocab_.Text(t);
  std::string piece;
  if (attr & (tokenizer::kAttrUnknown | tokenizer::kAttrControl | tokenizer::kAttrUserDefined)) {
    piece.assign(text);
  } else if (attr & tokenizer::kAttrNormal) {
    if (model_ == Model::kSpm) {
      AppendSpmUnescaped(text, &piece);
    } else {
      AppendByteLevelDecoded(text, &piece);
    }
  } else if (attr & tokenizer::kAttrByte) {
    // "<0xXX>"
    const std::string hex(text.size() >= 5 ? text.substr(3, 2) : std::string_view());
    piece.push_back(static_cast<char>(std::strtol(hex.c_str(), nullptr, 16)));
  }
  // Unused and undefined tokens render as nothing.
  return piece;
}

std::string Tokenizer::Detokenize(const std::vector<Token>& tokens, bool render_special) const {
  std::string text;
  bool strip_space = add_space_prefix_;
  for (Token t : tokens) {
    std::string piece = Piece(t, render_special);
    if (strip_space && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    strip_space = false;  // only the very first token, even if it was empty
    text += piece;
  }
  if (!clean_spaces_ || text.empty()) return text;

  // llama.cpp's three clean-up passes over the bytes.
  const auto pass = [](std::string& s, auto&& step) {
    std::string out;
    out.push_back(s[0]);
    for (size_t i = 1; i < s.size(); ++i) step(s, i, out);
    s = std::move(out);
  };
  // " ?" " !" " ." " ," lose the space.
  pass(text, [](const std::string& s, size_t i, std::string& out) {
    const char x = s[i];
    if (s[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) out.pop_back();
    out.push_back(x);
  });
  // " ' " -> "'": a lone apostrophe between spaces loses both.
  {
    std::string s = text;  // the dropped space is overwritten, as in llama.cpp
    std::string out;
    out.push_back(s[0]);
    for (size_t i = 1; i < s.size(); ++i) {
      const char x = s[i];
      if (x == '\'' && i + 1 < s.size() && s[i - 1] == ' ' && s[i + 1] == ' ') {
        out.pop_back();
        out.push_back(x);
        s[++i] = '\0';  // drop the following space
        continue;
      }
      out.push_back(x);
    }
    text = std::move(out);
  }
  // " 's" " 'm" " 're" " 've" lose the space.
  pass(text, [](const std::string& s, size_t i, std::string& out) {
    const char x = s[i];
    if (s[i - 1] == ' ' && x == '\'' && i + 1 < s.size()) {
      const char x1 = s[i + 1];
      const char x2 = i + 2 < s.size() ? s[i + 2] : '\0';
      if (x1 == 's' || x1 == 'm' || ((x1 == 'r' || x1 == 'v') && x2 == 'e' && i + 2 < s.size())) {
        out.pop_back();
      }
    }
    out.push_back(x);
  });
  return text;
}

bool Tokenizer::IsEndOfGeneration(Token t) const {
  return t >= 0 && t < n_vocab() && is_eog_[t] != 0;
}

bool Tokenizer::IsControl(Token t) const {
  if (t < 0 || t >= n_vocab()) return false;
  return (vocab_.Attr(t) & (tokenizer::kAttrControl | tokenizer::kAttrUnknown)) != 0;
}

std::string_view Tokenizer::Text(Token t) const {
  if (t < 0 || t >= n_vocab()) return {};
  return vocab_.Text(t);
}

namespace {
constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD
}  // namespace

std::string TokenDecoder::Push(Token t) {
  std::string piece = tokenizer_.Piece(t);
  if (at_start_ && !piece.empty()) {
    if (strip_leading_space_ && piece[0] == ' ') piece.erase(0, 1);
    at_start_ = false;
  }
  pending_ += piece;
  // Emit every complete character; hold back a character still missing
  // bytes. Bytes that can never form a character (a stray continuation byte,
  // a lead byte followed by a non-continuation) become U+FFFD, so the output
  // is always valid UTF-8.
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const size_t need = Utf8Need(static_cast<uint8_t>(pending_[i]));
    if (need == 0) {
      out += kReplacementCharacter;
      ++i;
      continue;
    }
    size_t have = 1;
    while (have < need && i + have < pending_.size() &&
           (static_cast<uint8_t>(pending_[i + have]) & 0xC0) == 0x80) {
      ++have;
    }
    if (have == need) {
      out.append(pending_, i, need);
      i += need;
    } else if (i + have == pending_.size()) {
      break;  // incomplete so far: wait for the next token
    } else {
      out += kReplacementCharacter;  // interrupted sequence
      i += have;
    }
  }
  pending_.erase(0, i);
  return out;
}

std::string TokenDecoder::Flush() {
  // A character cut off by the end of generation.
  std::string out = pending_.empty() ? "" : kReplacementCharacter;
  pending_.clear();
  return out;
}

}  // namespace pipit
