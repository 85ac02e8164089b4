// Byte-level BPE encoding as llama.cpp's llm_tokenizer_bpe does it: split
// the text into words with the pre-tokenizer, map each word's bytes to the
// GPT-2 byte alphabet, then inside each word repeatedly merge the adjacent
// pair with the lowest merge rank (ties: leftmost first).
#include <queue>

#include "tokenizer/unicode.h"
#include "tokenizer/vocab.h"

namespace pipit::tokenizer {
namespace {

struct Symbol {
  int prev, next;
  size_t begin, n;  // bytes of the byte-level-encoded word; n = 0 once merged
  int32_t id;       // vocabulary id of the symbol's text, -1 when it is none
};

struct Bigram {
  int left, right;
  int32_t rank;
  size_t size;  // byte length of the merged text, to detect stale entries
};

struct BigramOrder {
  // std::priority_queue pops the "largest": lowest rank, then lowest left.
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

class BpeWord {
 public:
  BpeWord(const Vocab& vocab, std::string_view word) : vocab_(vocab), word_(word) {}

  void Encode(bool ignore_merges, std::vector<int32_t>* out) {
    if (ignore_merges) {
      const int32_t id = vocab_.Find(word_);
      if (id >= 0) {
        out->push_back(id);
        return;
      }
    }
    size_t offset = 0;
    while (offset < word_.size()) {
      size_t len = Utf8SequenceLength(static_cast<uint8_t>(word_[offset]));
      if (len > word_.size() - offset) len = word_.size() - offset;
      const int index = static_cast<int>(symbols_.size());
      offset += len;
      symbols_.push_back({index - 1, offset == word_.size() ? -1 : index + 1, offset - len, len,
                          vocab_.Find(word_.substr(offset - len, len))});
    }
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) TryAddBigram(i - 1, i);

    while (!queue_.empty()) {
      const Bigram bigram = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[bigram.left];
      Symbol& right = symbols_[bigram.right];
      // Stale: llama.cpp compares the texts, but a live left symbol only
      // grows by absorbing this right one, and a live right symbol only by
      // absorbing its own right neighbour, so the length tells the same.
      if (left.n == 0 || right.n == 0 || left.n + right.n != bigram.size) continue;
      left.n += right.n;
      right.n = 0;
      left.id = vocab_.Find(word_.substr(left.begin, left.n));
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = bigram.left;
      TryAddBigram(left.prev, bigram.left);
      TryAddBigram(bigram.left, left.next);
    }

    for (const Symbol& s : symbols_) {
      if (s.n == 0) continue;
      if (s.id >= 0) {
        out->push_back(s.id);
        continue;
      }
      // Not a token: llama.cpp looks up each single byte of the encoded
      // text and silently drops the ones that are not tokens.
      for (char c : word_.substr(s.begin, s.n)) {
        const int32_t byte_id = vocab_.Find(std::string_view(&c, 1));
        if (byte_id >= 0) out->push_back(byte_id);
      }
    }
  }

 private:
  void TryAddBigram(int left, int right) {
    if (left == -1 || right == -1) return;
    const Symbol& l = symbols_[left];
    const Symbol& r = symbols_[right];
    const int32_t rank =
        vocab_.MergeRank(l.id, word_.substr(l.begin, l.n), r.id, word_.substr(r.begin, r.n));
    if (rank < 0) return;
    queue_.push({left, right, rank, l.n + r.n});
  }

  const Vocab& vocab_;
  std::string_view word_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
};

}  // namespace

void EncodeBpe(const Vocab& vocab, PreTokenizer pre, bool ignore_merges, std::string_view text,
               std::vector<int32_t>* out) {
  for (const std::string& word : PreTokenize(pre, text)) {
    std::string encoded;
    encoded.reserve(word.size() * 2);
    for (char c : word) encoded += ByteToUnicode(static_cast<uint8_t>(c));
    BpeWord(vocab, encoded).Encode(ignore_merges, out);
  }
}

}  // namespace pipit::tokenizer
