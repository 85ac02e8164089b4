// SentencePiece-style encoding as llama.cpp's llm_tokenizer_spm does it:
// start from single UTF-8 characters, repeatedly merge the adjacent pair
// whose concatenation is a vocabulary token with the highest score (ties:
// leftmost first), and emit characters that never became a token as
// <0xXX> byte tokens.
#include <queue>

#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

namespace pipit::tokenizer {
namespace {

struct Symbol {
  int prev;      // index of the previous live symbol, -1 at the start
  int next;      // index of the next live symbol, -1 at the end
  size_t begin;  // byte offset into the text
  size_t n;      // byte length; 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  float score;
  size_t size;  // byte length of the merged text, to detect stale entries
};

struct BigramOrder {
  // std::priority_queue pops the "largest": highest score, then lowest left.
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class SpmSession {
 public:
  SpmSession(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

  void Encode(std::vector<int32_t>* out) {
    // Split into UTF-8 characters (a truncated sequence at the end is kept
    // as it is).
    size_t offset = 0;
    while (offset < text_.size()) {
      size_t len = Utf8SequenceLength(static_cast<uint8_t>(text_[offset]));
      if (len > text_.size() - offset) len = text_.size() - offset;
      const int index = static_cast<int>(symbols_.size());
      offset += len;
      symbols_.push_back({index - 1, offset == text_.size() ? -1 : index + 1, offset - len, len});
    }
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) TryAddBigram(i - 1, i);

    while (!queue_.empty()) {
      const Bigram bigram = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[bigram.left];
      Symbol& right = symbols_[bigram.right];
      // Skip pairs whose symbols changed since the pair was queued.
      if (left.n == 0 || right.n == 0 || left.n + right.n != bigram.size) continue;

      left.n += right.n;
      right.n = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = bigram.left;

      TryAddBigram(left.prev, bigram.left);
      TryAddBigram(bigram.left, left.next);
    }

    if (symbols_.empty()) return;
    for (int i = 0; i != -1; i = symbols_[i].next) Emit(symbols_[i], out);
  }

 private:
  std::string_view TextOf(const Symbol& s) const { return text_.substr(s.begin, s.n); }

  void TryAddBigram(int left, int right) {
    if (left == -1 || right == -1) return;
    const std::string_view merged =
        text_.substr(symbols_[left].begin, symbols_[left].n + symbols_[right].n);
    const int32_t id = vocab_.Find(merged);
    if (id < 0) return;
    queue_.push({left, right, vocab_.Score(id), merged.size()});
  }

  // Every merged symbol is a vocabulary token by construction; a single
  // character may not be, and then falls back to its bytes.
  void Emit(const Symbol& symbol, std::vector<int32_t>* out) const {
    const std::string_view text = TextOf(symbol);
    const int32_t id = vocab_.Find(text);
    if (id >= 0) {
      out->push_back(id);
      return;
    }
    for (char c : text) out->push_back(ByteToken(static_cast<uint8_t>(c)));
  }

  int32_t ByteToken(uint8_t byte) const {
    static const char kHex[] = "0123456789ABCDEF";
    const char name[6] = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
    int32_t id = vocab_.Find(std::string_view(name, 6));
    if (id < 0) id = vocab_.Find(std::string_view(reinterpret_cast<const char*>(&byte), 1));
    // llama.cpp aborts here; a vocabulary without byte tokens gets <unk>.
    return id >= 0 ? id : vocab_.unk;
  }

  const Vocab& vocab_;
  std::string_view text_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
};

}  // namespace

void EncodeSpm(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out) {
  SpmSession(vocab, text).Encode(out);
}

}  // namespace pipit::tokenizer
