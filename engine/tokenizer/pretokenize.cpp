#include "tokenizer/pretokenize.h"

#include "tokenizer/unicode.h"

namespace pipit::tokenizer {
namespace {

// A split is a list of piece lengths (in code points) that add up to the
// length of the text; each stage refines the pieces of the previous one.
using Lengths = std::vector<size_t>;

constexpr uint32_t kOutOfRange = 0xFFFFFFFF;

// Views one piece [begin, end) of the code points; positions outside read
// as kOutOfRange with no class, like llama.cpp's _get_cpt/_get_flags.
class Piece {
 public:
  Piece(const std::vector<uint32_t>& cpts, size_t begin, size_t end)
      : cpts_(cpts), begin_(begin), end_(end) {}
  size_t begin() const { return begin_; }
  size_t end() const { return end_; }
  uint32_t At(size_t pos) const { return pos >= begin_ && pos < end_ ? cpts_[pos] : kOutOfRange; }
  bool InRange(size_t pos) const { return pos >= begin_ && pos < end_; }
  bool Letter(size_t pos) const { return InRange(pos) && IsLetter(cpts_[pos]); }
  bool Number(size_t pos) const { return InRange(pos) && IsNumber(cpts_[pos]); }
  bool Space(size_t pos) const { return InRange(pos) && IsWhitespace(cpts_[pos]); }
  // [^\s\p{L}\p{N}] inside the piece.
  bool Other(size_t pos) const {
    return InRange(pos) && !IsWhitespace(cpts_[pos]) && !IsLetter(cpts_[pos]) &&
           !IsNumber(cpts_[pos]);
  }

 private:
  const std::vector<uint32_t>& cpts_;
  size_t begin_, end_;
};

// Collects word boundaries inside one piece.
class WordSink {
 public:
  WordSink(Lengths* out, size_t start) : out_(out), prev_end_(start) {}
  // Ends the current word at `end`; returns its length (0 adds nothing).
  size_t EndAt(size_t end) {
    const size_t len = end - prev_end_;
    if (len > 0) out_->push_back(len);
    prev_end_ = end;
    return len;
  }

 private:
  Lengths* out_;
  size_t prev_end_;
};

uint32_t AsciiLower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// Length of an English contraction ('s 't 're 've 'm 'll 'd) at pos, or 0.
size_t ContractionLength(const Piece& p, size_t pos, bool ignore_case) {
  if (p.At(pos) != '\'' || pos + 1 >= p.end()) return 0;
  const auto lower = [&](size_t k) { return ignore_case ? AsciiLower(p.At(k)) : p.At(k); };
  const uint32_t c1 = lower(pos + 1);
  if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
  if (pos + 2 >= p.end()) return 0;
  const uint32_t c2 = lower(pos + 2);
  if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
  return 0;
}

void SplitLlama3Piece(const Piece& p, size_t max_digits, Lengths* out) {
  WordSink sink(out, p.begin());
  size_t pos = p.begin();
  while (pos < p.end()) {
    const uint32_t cpt = p.At(pos);

    if (size_t n = ContractionLength(p, pos, /*ignore_case=*/true)) {
      pos += sink.EndAt(pos + n);
      continue;
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!(cpt == '\r' || cpt == '\n' || p.Number(pos)) && (p.Letter(pos) || p.Letter(pos + 1))) {
      ++pos;
      while (p.Letter(pos)) ++pos;
      sink.EndAt(pos);
      continue;
    }
    // \p{N}{1,max_digits}
    if (p.Number(pos)) {
      size_t run_start = pos;
      while (p.Number(pos)) {
        if (++pos - run_start >= max_digits) {
          sink.EndAt(pos);
          run_start = pos;
        }
      }
      sink.EndAt(pos);
      continue;
    }
    // ' '?[^\s\p{L}\p{N}]+[\r\n]*
    const size_t first_other = cpt == ' ' ? pos + 1 : pos;
    if (p.Other(first_other)) {
      pos = first_other;
      while (p.Other(pos)) ++pos;
      while (p.At(pos) == '\r' || p.At(pos) == '\n') ++pos;
      sink.EndAt(pos);
      continue;
    }
    size_t n_space = 0;
    size_t after_last_newline = 0;
    while (p.Space(pos + n_space)) {
      const uint32_t c = p.At(pos + n_space);
      if (c == '\r' || c == '\n') after_last_newline = pos + n_space + 1;
      ++n_space;
    }
    // \s*[\r\n]+
    if (after_last_newline > 0) {
      pos = after_last_newline;
      sink.EndAt(pos);
      continue;
    }
    // \s+(?!\S): leave the last space for the next word
    if (n_space > 1 && p.At(pos + n_space) != kOutOfRange) {
      pos += n_space - 1;
      sink.EndAt(pos);
      continue;
    }
    // \s+
    if (n_space > 0) {
      pos += n_space;
      sink.EndAt(pos);
      continue;
    }
    sink.EndAt(++pos);  // no rule matched: a word of one code point
  }
}

void SplitGpt2Piece(const Piece& p, Lengths* out) {
  WordSink sink(out, p.begin());
  size_t pos = p.begin();
  while (pos < p.end()) {
    const uint32_t cpt = p.At(pos);
    if (size_t n = ContractionLength(p, pos, /*ignore_case=*/false)) {
      pos += sink.EndAt(pos + n);
      continue;
    }
    const size_t first = cpt == ' ' ? pos + 1 : pos;
    // ' '?\p{L}+  |  ' '?\p{N}+  |  ' '?[^\s\p{L}\p{N}]+
    bool (Piece::*klass)(size_t) const = nullptr;
    if (p.Letter(first)) klass = &Piece::Letter;
    else if (p.Number(first)) klass = &Piece::Number;
    else if (p.Other(first)) klass = &Piece::Other;
    if (klass != nullptr) {
      pos = first;
      while ((p.*klass)(pos)) ++pos;
      sink.EndAt(pos);
      continue;
    }
    size_t n_space = 0;
    while (p.Space(pos + n_space)) ++n_space;
    if (n_space > 1 && p.At(pos + n_space) != kOutOfRange) {  // \s+(?!\S)
      pos += n_space - 1;
      sink.EndAt(pos);
      continue;
    }
    if (n_space > 0) {
      pos += n_space;
      sink.EndAt(pos);
      continue;
    }
    sink.EndAt(++pos);
  }
}

// Splits a piece into maximal runs matching `pred` (each run its own word)
// and the gaps between them: a regex split with isolated matches of pred+.
template <typename Pred>
void SplitRuns(const Piece& p, Pred pred, Lengths* out) {
  WordSink sink(out, p.begin());
  size_t pos = p.begin();
  while (pos < p.end()) {
    if (!pred(p.At(pos))) {
      ++pos;
      continue;
    }
    sink.EndAt(pos);
    while (pos < p.end() && pred(p.At(pos))) ++pos;
    sink.EndAt(pos);
  }
  sink.EndAt(p.end());
}

// Isolates every left-to-right match of [0-9][0-9][0-9].
void SplitDigitTriples(const Piece& p, Lengths* out) {
  const auto digit = [&](size_t k) { return p.At(k) >= '0' && p.At(k) <= '9'; };
  WordSink sink(out, p.begin());
  size_t pos = p.begin();
  while (pos < p.end()) {
    if (digit(pos) && digit(pos + 1) && digit(pos + 2)) {
      sink.EndAt(pos);
      pos += 3;
      sink.EndAt(pos);
    } else {
      ++pos;
    }
  }
  sink.EndAt(p.end());
}

template <typename SplitFn>
Lengths Refine(const std::vector<uint32_t>& cpts, const Lengths& in, SplitFn split) {
  Lengths out;
  out.reserve(in.size());
  size_t start = 0;
  for (size_t len : in) {
    split(Piece(cpts, start, start + len), &out);
    start += len;
  }
  return out;
}

bool IsDefaultPunct(uint32_t c) {
  if (c < 128) {
    // ASCII \p{P} plus the regex's extra symbols; not '`'.
    return c != '`' && ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
                        (c >= '[' && c <= '^') || c == '_' || (c >= '{' && c <= '~'));
  }
  return c != kOutOfRange && IsPunctuation(c);
}

}  // namespace

std::vector<std::string> PreTokenize(PreTokenizer kind, std::string_view text) {
  const std::vector<uint32_t> cpts = DecodeUtf8(text);
  Lengths lengths = {cpts.size()};
  switch (kind) {
    case PreTokenizer::kLlama3:
    case PreTokenizer::kQwen2: {
      const size_t max_digits = kind == PreTokenizer::kLlama3 ? 3 : 1;
      lengths = Refine(cpts, lengths, [&](const Piece& p, Lengths* out) {
        SplitLlama3Piece(p, max_digits, out);
      });
      break;
    }
    case PreTokenizer::kGpt2:
      lengths = Refine(cpts, lengths, SplitGpt2Piece);
      break;
    case PreTokenizer::kDefault: {
      lengths = Refine(cpts, lengths, [&](const Piece& p, Lengths* out) {
        SplitRuns(p, IsDefaultPunct, out);
      });
      lengths = Refine(cpts, lengths, SplitGpt2Piece);
      lengths = Refine(cpts, lengths, [&](const Piece& p, Lengths* out) {
        SplitRuns(p, [](uint32_t c) { return c != kOutOfRange && IsNumber(c); }, out);
      });
      lengths = Refine(cpts, lengths, SplitDigitTriples);
      break;
    }
  }

  std::vector<std::string> words;
  words.reserve(lengths.size());
  size_t start = 0;
  for (size_t len : lengths) {
    std::string word;
    for (size_t i = start; i < start + len; ++i) AppendUtf8(cpts[i], &word);
    words.push_back(std::move(word));
    start += len;
  }
  return words;
}

}  // namespace pipit::tokenizer
