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
};

struct Bigram {
  int left, right;
  int32_t rank;
  std::string text;  // merged text, to detect stale entries
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
      symbols_.push_back({index - 1, offset == word_.size() ? -1 : index + 1, offset - len, len});
    }
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) TryAddBigram(i - 1, i);

    while (!queue_.empty()) {
      const Bigram bigram = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[bigram.left];
      Symbol& right = symbols_[bigram.right];
      if (left.n == 0 || right.n == 0) continue;
      if (word_.substr(left.begin, left.n + right.n) != bigram.text ||
          left.begin + left.n != right.begin) {
        continue;  // stale
      }
      left.n += right.n;
      right.n = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = bigram.left;
      TryAddBigram(left.prev, bigram.left);
      TryAddBigram(bigram.left, left.next);
    }

    for (const Symbol& s : symbols_) {
      if (s.n == 0) continue;
      const std::string_view text = word_.substr(s.begin, s.n);
      const int32_t id = vocab_.Find(text);
      if (id >= 0) {
        out->push_back(id);
        continue;
      }
      // Not a token: llama.cpp looks up each single byte of the encoded
      // text and silently drops the ones that are not tokens.
      for (char c : text) {
        const int32_t byte_id = vocab_.Find(std::string_view(&c, 1));
        if (byte_id >= 0) out->push_back(byte_id);
      }
    }
  }

 private:
  void TryAddBigram(int left, int right) {
    if (left == -1 || right == -1) return;
    const std::string_view l = word_.substr(symbols_[left].begin, symbols_[left].n);
    const std::string_view r = word_.substr(symbols_[right].begin, symbols_[right].n);
    const int32_t rank = vocab_.MergeRank(l, r);
    if (rank < 0) return;
    std::string text;
    text.reserve(l.size() + r.size());
    text.append(l).append(r);
    queue_.push({left, right, rank, std::move(text)});
  }

  const Vocab& vocab_;
  std::string_view word_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
};

}  // namespace

int32_t Vocab::MergeRank(std::string_view left, std::string_view right) const {
  std::string key;
  key.reserve(left.size() + 1 + right.size());
  key.append(left).push_back('\0');
  key.append(right);
  auto it = merge_ranks.find(key);
  return it == merge_ranks.end() ? -1 : it->second;
}

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
