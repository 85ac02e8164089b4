// Tokenizer: SentencePiece merges by score, byte fallback, space prefix,
// special tokens on/off, byte-level BPE pre-tokenizer splits and merge
// ranks, metadata errors, the streaming UTF-8 decoder, and round trips over
// the parity corpus with the real vocabularies (when exported to
// .cache/vocab by tests/fixtures/export_vocab.mjs). Token-for-token parity
// with llama.cpp is tests/parity/tokenizer_parity.sh.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "gguf/writer.h"
#include "support/fixture_model.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace pipit {
namespace {

const std::string kSpace = "\xE2\x96\x81";  // "▁"

// Holds the serialized file: the Reader and the Tokenizer's views point into it.
struct LoadedTokenizer {
  std::vector<uint8_t> bytes;
  gguf::Reader reader;
  Tokenizer tok;
};

Status LoadFrom(const gguf::Writer& w, LoadedTokenizer* out) {
  out->bytes = w.Serialize();
  PIPIT_TRY(out->reader.Parse({out->bytes.data(), out->bytes.size()}));
  return out->tok.Load(out->reader);
}

// A tiny SentencePiece vocabulary: <unk> <s> </s>, 256 byte tokens, then
// `pieces` with their scores.
struct SpmVocab {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<float> scores = {0, 0, 0};
  std::vector<int32_t> types = {2, 3, 3};

  SpmVocab() {
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      Add(name, 0, 6);
    }
  }
  int Add(const std::string& text, float score, int32_t type = 1) {
    tokens.push_back(text);
    scores.push_back(score);
    types.push_back(type);
    return static_cast<int>(tokens.size()) - 1;
  }
  int Byte(int b) const { return 3 + b; }
  gguf::Writer Writer() const {
    gguf::Writer w;
    w.SetString("tokenizer.ggml.model", "llama");
    w.SetStringArray("tokenizer.ggml.tokens", tokens);
    w.SetF32Array("tokenizer.ggml.scores", scores);
    w.SetI32Array("tokenizer.ggml.token_type", types);
    return w;
  }
};

using Tokens = std::vector<Token>;

TEST(SpmTokenizer, MergesHighestScoreFirst) {
  for (bool ab_wins : {false, true}) {
    SpmVocab v;
    const int sp = v.Add(kSpace, -10), a = v.Add("a", -20), b = v.Add("b", -20),
              c = v.Add("c", -20);
    const int ab = v.Add("ab", ab_wins ? -1 : -3);
    const int bc = v.Add("bc", -2);
    LoadedTokenizer t;
    ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
    // "abc" -> "▁abc"; "▁a" is no token, so only ab / bc compete.
    const Tokens expected = ab_wins ? Tokens{sp, ab, c} : Tokens{sp, a, bc};
    EXPECT_EQ(t.tok.Encode("abc", false, false), expected) << "ab_wins=" << ab_wins;
    (void)b;
  }
}

TEST(SpmTokenizer, EqualScoresMergeLeftmostFirst) {
  SpmVocab v;
  const int sp = v.Add(kSpace, -10), a = v.Add("a", -20);
  const int aa = v.Add("aa", -1);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
  // "▁aaa": pairs (a,a) at 1 and 2 tie; the left one merges.
  EXPECT_EQ(t.tok.Encode("aaa", false, false), (Tokens{sp, aa, a}));
}

TEST(SpmTokenizer, ByteFallbackAndSpacePrefix) {
  SpmVocab v;
  const int sp = v.Add(kSpace, -10), a = v.Add("a", -20);
  const int spa = v.Add(kSpace + "a", -1);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
  EXPECT_TRUE(t.tok.add_bos());
  // é = C3 A9 is not in the vocabulary: two byte tokens.
  EXPECT_EQ(t.tok.Encode("aé", false, false), (Tokens{spa, v.Byte(0xC3), v.Byte(0xA9)}));
  // A leading space becomes a second "▁" before the word.
  EXPECT_EQ(t.tok.Encode(" a", false, false), (Tokens{sp, spa}));
  EXPECT_EQ(t.tok.Encode("a\na", false, false), (Tokens{spa, v.Byte('\n'), a}));
  EXPECT_EQ(t.tok.Encode("a", true, false), (Tokens{1, spa}));
  EXPECT_EQ(t.tok.Encode("", true, false), (Tokens{1}));
  EXPECT_EQ(t.tok.Encode("", false, false), Tokens{});
}

TEST(SpmTokenizer, NoSpacePrefixWhenMetadataSaysSo) {
  SpmVocab v;
  const int a = v.Add("a", -20);
  v.Add(kSpace, -10);
  gguf::Writer w = v.Writer();
  w.SetBool("tokenizer.ggml.add_space_prefix", false);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(w, &t).ok());
  EXPECT_EQ(t.tok.Encode("a", false, false), (Tokens{a}));
}

TEST(SpmTokenizer, SpecialTokensOnlyWhenParsingSpecial) {
  SpmVocab v;
  const int sp = v.Add(kSpace, -10), a = v.Add("a", -20);
  const int user = v.Add("[X]", 0, 4);  // user-defined: always matched
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
  // Text after a special token gets the space prefix again.
  EXPECT_EQ(t.tok.Encode("<s>a</s>", false, true), (Tokens{1, sp, a, 2}));
  const Tokens plain = t.tok.Encode("<s>a</s>", false, false);
  for (Token id : plain) {
    EXPECT_NE(id, 1);
    EXPECT_NE(id, 2);
  }
  EXPECT_EQ(plain.front(), sp);
  EXPECT_EQ(plain[1], v.Byte('<'));
  EXPECT_EQ(t.tok.Encode("a[X]a", false, false), (Tokens{sp, a, user, sp, a}));
}

TEST(SpmTokenizer, PiecesAndEndOfGeneration) {
  SpmVocab v;
  const int spa = v.Add(kSpace + "a", -1);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
  EXPECT_EQ(t.tok.Piece(spa), " a");
  EXPECT_EQ(t.tok.Piece(v.Byte(0x41)), "A");
  EXPECT_EQ(t.tok.Piece(2), "");
  EXPECT_EQ(t.tok.Piece(2, true), "</s>");
  EXPECT_EQ(t.tok.Piece(-1), "");
  EXPECT_EQ(t.tok.Piece(100000), "");
  EXPECT_TRUE(t.tok.IsEndOfGeneration(2));
  EXPECT_FALSE(t.tok.IsEndOfGeneration(1));
  EXPECT_EQ(t.tok.Text(spa), kSpace + "a");
}

TEST(TokenDecoder, EmojiSplitAcrossByteTokensComesOutOnce) {
  SpmVocab v;
  v.Add(kSpace, -10);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer(), &t).ok());
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
  const Tokens tokens = t.tok.Encode(emoji, false, false);
  ASSERT_EQ(tokens.size(), 5u);  // "▁" + 4 byte tokens
  TokenDecoder dec(t.tok);
  EXPECT_EQ(dec.Push(tokens[0]), " ");
  EXPECT_EQ(dec.Push(tokens[1]), "");
  EXPECT_EQ(dec.Push(tokens[2]), "");
  EXPECT_EQ(dec.Push(tokens[3]), "");
  EXPECT_EQ(dec.Push(tokens[4]), emoji);
  EXPECT_EQ(dec.Flush(), "");

  TokenDecoder stripping(t.tok, /*strip_leading_space=*/true);
  std::string out;
  for (Token id : tokens) out += stripping.Push(id);
  EXPECT_EQ(out, emoji);

  // An incomplete character is held back; cut off at the end, it becomes
  // U+FFFD: the output stays valid UTF-8.
  TokenDecoder partial(t.tok);
  EXPECT_EQ(partial.Push(v.Byte(0xF0)), "");
  EXPECT_EQ(partial.Push(v.Byte(0x9F)), "");
  EXPECT_EQ(partial.Flush(), "\xEF\xBF\xBD");

  // Bytes that cannot form a character are replaced, the rest kept.
  TokenDecoder broken(t.tok);
  EXPECT_EQ(broken.Push(v.Byte(0x80)), "\xEF\xBF\xBD");            // stray continuation
  EXPECT_EQ(broken.Push(v.Byte(0xE2)), "");                            // lead of 3
  EXPECT_EQ(broken.Push(v.Byte(0x41)), "\xEF\xBF\xBD" "A");          // interrupted
  EXPECT_EQ(broken.Flush(), "");
}

// --- byte-level BPE ---

std::vector<std::string> Split(tokenizer::PreTokenizer kind, const std::string& text) {
  return tokenizer::PreTokenize(kind, text);
}

TEST(BpePreTokenizer, Llama3Splits) {
  using V = std::vector<std::string>;
  const auto k = tokenizer::PreTokenizer::kLlama3;
  EXPECT_EQ(Split(k, "Hello world's 12345  \n\n x"),
            (V{"Hello", " world", "'s", " ", "123", "45", "  \n\n", " x"}));
  EXPECT_EQ(Split(k, "a  b"), (V{"a", " ", " b"}));
  EXPECT_EQ(Split(k, "a   "), (V{"a", "   "}));
  EXPECT_EQ(Split(k, "!!!\n\nx"), (V{"!!!\n\n", "x"}));
  EXPECT_EQ(Split(k, "I'M we'RE"), (V{"I", "'M", " we", "'RE"}));
  EXPECT_EQ(Split(k, " (x)"), (V{" (", "x", ")"}));
  EXPECT_EQ(Split(k, "\tdef"), (V{"\tdef"}));
  EXPECT_EQ(Split(k, "3.14"), (V{"3", ".", "14"}));
  // Non-ASCII letters and digits use the Unicode tables.
  EXPECT_EQ(Split(k, "naïve 日本 ٣٤٥٦"), (V{"naïve", " 日本", " ", "٣٤٥", "٦"}));
  // Invalid UTF-8 becomes U+FFFD.
  EXPECT_EQ(Split(k, "a\xFF"), (V{"a", "\xEF\xBF\xBD"}));
}

TEST(BpePreTokenizer, Qwen2SplitsDigitsOneByOne) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split(tokenizer::PreTokenizer::kQwen2, "x 1234"), (V{"x", " ", "1", "2", "3", "4"}));
}

TEST(BpePreTokenizer, Gpt2AndDefault) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split(tokenizer::PreTokenizer::kGpt2, "Hi there 12345 !?"),
            (V{"Hi", " there", " 12345", " !?"}));
  // default: punctuation runs are isolated first, digits in threes last.
  EXPECT_EQ(Split(tokenizer::PreTokenizer::kDefault, "a+b 12345"),
            (V{"a", "+", "b", " ", "123", "45"}));
}

// A byte-level vocabulary: the 256 byte characters, then `extra` tokens.
struct BpeVocab {
  std::vector<std::string> tokens;
  std::vector<std::string> merges;
  BpeVocab() {
    for (int b = 0; b < 256; ++b) tokens.push_back(tokenizer::ByteToUnicode(static_cast<uint8_t>(b)));
  }
  int Add(const std::string& text) {
    tokens.push_back(text);
    return static_cast<int>(tokens.size()) - 1;
  }
  int Byte(char c) const {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i] == tokenizer::ByteToUnicode(static_cast<uint8_t>(c))) return static_cast<int>(i);
    }
    return -1;
  }
  gguf::Writer Writer(const std::string& pre) const {
    gguf::Writer w;
    w.SetString("tokenizer.ggml.model", "gpt2");
    w.SetString("tokenizer.ggml.pre", pre);
    w.SetStringArray("tokenizer.ggml.tokens", tokens);
    w.SetStringArray("tokenizer.ggml.merges", merges);
    return w;
  }
};

TEST(BpeTokenizer, MergesByRank) {
  for (bool el_first : {false, true}) {
    BpeVocab v;
    const int ll = v.Add("ll"), he = v.Add("he"), hell = v.Add("hell"), hello = v.Add("hello");
    const int el = v.Add("el");
    v.merges = {"l l", "h e", "he ll", "hell o"};
    if (el_first) v.merges.insert(v.merges.begin(), "e l");
    LoadedTokenizer t;
    ASSERT_TRUE(LoadFrom(v.Writer("qwen2"), &t).ok());
    // h e l l o: "ll" then "he", "hell", "hello" -- unless "e l" ranks first.
    const Tokens expected = el_first ? Tokens{v.Byte('h'), el, v.Byte('l'), v.Byte('o')}
                                     : Tokens{hello};
    EXPECT_EQ(t.tok.Encode("hello", false, false), expected) << "el_first=" << el_first;
    (void)ll, (void)he, (void)hell;
  }
}

TEST(BpeTokenizer, Llama3WholeWordTokensSkipMerges) {
  BpeVocab v;
  const int hello = v.Add("hello");  // no merges lead to it
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer("llama-bpe"), &t).ok());
  EXPECT_EQ(t.tok.Encode("hello", false, false), (Tokens{hello}));
  // Without merges "hellos" falls apart into byte characters.
  EXPECT_EQ(t.tok.Encode("hellos", false, false).size(), 6u);
}

TEST(BpeTokenizer, SpacesAndBytesRoundTrip) {
  BpeVocab v;
  const int sp_world = v.Add(tokenizer::ByteToUnicode(' ') + "world");
  const int bos = v.Add("<|begin_of_text|>");
  gguf::Writer w = v.Writer("llama-bpe");
  std::vector<int32_t> types(v.tokens.size(), 1);
  types[bos] = 3;
  w.SetI32Array("tokenizer.ggml.token_type", types);
  w.SetU32("tokenizer.ggml.bos_token_id", bos);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(w, &t).ok());
  EXPECT_TRUE(t.tok.add_bos());  // llama-bpe defaults to adding BOS
  const Tokens tokens = t.tok.Encode("<|begin_of_text|>hi world", true, true);
  ASSERT_GE(tokens.size(), 5u);
  EXPECT_EQ(tokens[0], bos);
  EXPECT_EQ(tokens[1], bos);
  EXPECT_EQ(tokens.back(), sp_world);
  EXPECT_EQ(t.tok.Piece(sp_world), " world");
  // Without parse_special the text of the control token is plain text.
  const Tokens plain = t.tok.Encode("<|begin_of_text|>", false, false);
  EXPECT_GT(plain.size(), 1u);
  std::string decoded;
  for (Token id : plain) decoded += t.tok.Piece(id);
  EXPECT_EQ(decoded, "<|begin_of_text|>");
  // Every valid UTF-8 byte sequence survives the byte-level alphabet.
  const std::string text = std::string("\x01\t\x7F ~") + "\xC2\xA0 é 日本 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  std::string back;
  TokenDecoder dec(t.tok);
  for (Token id : t.tok.Encode(text, false, false)) back += dec.Push(id);
  back += dec.Flush();
  EXPECT_EQ(back, text);
  // Invalid UTF-8 is replaced by U+FFFD before splitting, as in llama.cpp.
  std::string replaced;
  for (Token id : t.tok.Encode("a\xFF", false, false)) replaced += t.tok.Piece(id);
  EXPECT_EQ(replaced, "a\xEF\xBF\xBD");
}

// A merge side that is no vocabulary token ("ll" here) still merges, and a
// final symbol that is no token falls apart into its byte characters.
TEST(BpeTokenizer, MergesWhoseSidesAreNotTokens) {
  BpeVocab v;
  const int he = v.Add("he"), hell = v.Add("hell");
  v.merges = {"h e", "l l", "he ll"};
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer("qwen2"), &t).ok());
  EXPECT_EQ(t.tok.Encode("hell", false, false), (Tokens{hell}));
  EXPECT_EQ(t.tok.Encode("hel", false, false), (Tokens{he, v.Byte('l')}));
  EXPECT_EQ(t.tok.Encode("ll", false, false), (Tokens{v.Byte('l'), v.Byte('l')}));
}

TEST(BpeTokenizer, FirstOccurrenceOfAMergeWins) {
  for (bool ab_first : {false, true}) {
    BpeVocab v;
    const int ab = v.Add("ab"), bc = v.Add("bc");
    // "a b" appears twice; only its first rank counts.
    v.merges = ab_first ? std::vector<std::string>{"a b", "b c", "a b"}
                        : std::vector<std::string>{"b c", "a b", "a b"};
    // Lines that can never apply are ignored, not errors.
    v.merges.push_back("x");
    v.merges.push_back("y ");
    LoadedTokenizer t;
    ASSERT_TRUE(LoadFrom(v.Writer("qwen2"), &t).ok());
    const Tokens expected = ab_first ? Tokens{ab, v.Byte('c')} : Tokens{v.Byte('a'), bc};
    EXPECT_EQ(t.tok.Encode("abc", false, false), expected) << "ab_first=" << ab_first;
  }
}

TEST(BpeTokenizer, DuplicateTextMapsToItsLastIdAndEmptyTextsGetNames) {
  BpeVocab v;
  const int first = v.Add("hello");
  const int empty = v.Add("");
  const int last = v.Add("hello");
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer("llama-bpe"), &t).ok());
  EXPECT_EQ(t.tok.Encode("hello", false, false), (Tokens{last}));
  EXPECT_EQ(t.tok.Text(first), "hello");
  EXPECT_EQ(t.tok.Text(empty), "[EMPTY_" + std::to_string(empty) + "]");
}

// Thousands of tokens and merges: every token text finds its own id, and
// merges resolve by rank through the whole table.
TEST(BpeTokenizer, LargeVocabularyAndMergeTable) {
  BpeVocab v;
  // Pairs "xy" with x in a-m and y in n-z, so in "xyx'y'" the middle (y, x')
  // is never a merge and the four letters can only go xy + x'y'.
  std::vector<std::string> pairs;
  std::vector<int> pair_id;
  for (char x = 'a'; x <= 'm'; ++x) {
    for (char y = 'n'; y <= 'z'; ++y) {
      pairs.push_back({x, y});
      pair_id.push_back(v.Add(pairs.back()));
      v.merges.push_back(std::string{x, ' ', y});
    }
  }
  std::vector<std::string> quads;
  std::vector<int> quad_id;
  for (size_t i = 0; i < pairs.size(); i += 2) {  // only even left pairs
    for (size_t j = 0; j < pairs.size(); ++j) {
      quads.push_back(pairs[i] + pairs[j]);
      quad_id.push_back(v.Add(quads.back()));
      v.merges.push_back(pairs[i] + " " + pairs[j]);
    }
  }
  ASSERT_GT(v.tokens.size(), 14000u);
  LoadedTokenizer t;
  ASSERT_TRUE(LoadFrom(v.Writer("qwen2"), &t).ok());
  for (size_t k = 0; k < quads.size(); ++k) {
    ASSERT_EQ(t.tok.Encode(quads[k], false, false), (Tokens{quad_id[k]})) << quads[k];
    ASSERT_EQ(t.tok.Text(quad_id[k]), quads[k]);
  }
  for (size_t i = 1; i < pairs.size(); i += 2) {  // odd left pairs: no merge to four letters
    ASSERT_EQ(t.tok.Encode(pairs[i], false, false), (Tokens{pair_id[i]}));
    const std::string w = pairs[i] + pairs[5];
    ASSERT_EQ(t.tok.Encode(w, false, false), (Tokens{pair_id[i], pair_id[5]})) << w;
  }
  EXPECT_EQ(t.tok.Encode("anb", false, false), (Tokens{pair_id[0], v.Byte('b')}));
}

// Token texts point into the file bytes, not into the Reader.
TEST(BpeTokenizer, OutlivesTheReader) {
  BpeVocab v;
  const int hello = v.Add("hello");
  const std::vector<uint8_t> bytes = v.Writer("llama-bpe").Serialize();
  Tokenizer tok;
  {
    gguf::Reader reader;
    ASSERT_TRUE(reader.Parse({bytes.data(), bytes.size()}).ok());
    ASSERT_TRUE(tok.Load(reader).ok());
  }
  EXPECT_EQ(tok.Encode("hello", false, false), (Tokens{hello}));
  EXPECT_EQ(tok.Piece(hello), "hello");
}

// --- metadata errors ---

TEST(TokenizerLoad, PreciseErrors) {
  {
    gguf::Writer w;
    w.SetStringArray("tokenizer.ggml.tokens", {"a"});
    LoadedTokenizer t;
    Status s = LoadFrom(w, &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("tokenizer.ggml.model"), std::string::npos) << s.message();
  }
  {
    BpeVocab v;
    gguf::Writer w;
    w.SetString("tokenizer.ggml.model", "gpt2");
    w.SetStringArray("tokenizer.ggml.tokens", v.tokens);
    LoadedTokenizer t;
    Status s = LoadFrom(w, &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("merges"), std::string::npos) << s.message();
  }
  {
    SpmVocab v;
    gguf::Writer w = v.Writer();
    w.SetF32Array("tokenizer.ggml.scores", {1.0f, 2.0f});
    LoadedTokenizer t;
    Status s = LoadFrom(w, &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("tokenizer.ggml.scores"), std::string::npos) << s.message();
  }
  {
    SpmVocab v;
    gguf::Writer w = v.Writer();
    w.SetU32("tokenizer.ggml.bos_token_id", 99999);
    LoadedTokenizer t;
    Status s = LoadFrom(w, &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("bos_token_id"), std::string::npos) << s.message();
  }
  {
    BpeVocab v;
    LoadedTokenizer t;
    Status s = LoadFrom(v.Writer("no-such-pre"), &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no-such-pre"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.SetString("tokenizer.ggml.model", "bert");
    w.SetStringArray("tokenizer.ggml.tokens", {"a"});
    LoadedTokenizer t;
    Status s = LoadFrom(w, &t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("bert"), std::string::npos) << s.message();
  }
}

// --- real vocabularies: decode(encode(x)) == x over the parity corpus ---

std::string RepoPath(const std::string& rel) { return std::string(PIPIT_SOURCE_DIR) + "/" + rel; }

std::vector<std::string> CorpusTexts() {
  std::ifstream in(RepoPath("tests/parity/tokenizer_corpus.txt"));
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        const char c = line[++i];
        if (c == 'n') { text += '\n'; continue; }
        if (c == 't') { text += '\t'; continue; }
        if (c == 'r') { text += '\r'; continue; }
        if (c == '\\') { text += '\\'; continue; }
        if (c == 'u' && i + 1 < line.size() && line[i + 1] == '{') {
          const size_t close = line.find('}', i);
          tokenizer::AppendUtf8(std::stoul(line.substr(i + 2, close - i - 2), nullptr, 16), &text);
          i = close;
          continue;
        }
        text += '\\';
        text += c;
        continue;
      }
      text += line[i];
    }
    texts.push_back(text);
  }
  return texts;
}

class RealVocab : public ::testing::TestWithParam<const char*> {};

TEST_P(RealVocab, RoundTripsTheCorpus) {
  const std::string path = RepoPath(std::string(".cache/vocab/") + GetParam() + ".json");
  test::FixtureVocab fv;
  if (!test::LoadFixtureVocab(path, &fv).ok()) GTEST_SKIP() << "no " << path;
  gguf::Writer w;
  w.SetString("tokenizer.ggml.model", fv.model);
  w.SetString("tokenizer.ggml.pre", fv.pre);
  w.SetStringArray("tokenizer.ggml.tokens", fv.tokens);
  if (fv.model == "llama") w.SetF32Array("tokenizer.ggml.scores", fv.scores);
  w.SetI32Array("tokenizer.ggml.token_type", fv.token_type);
  if (!fv.merges.empty()) w.SetStringArray("tokenizer.ggml.merges", fv.merges);
  w.SetU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(fv.bos_token_id));
  w.SetU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(fv.eos_token_id));
  LoadedTokenizer t;
  Status s = LoadFrom(w, &t);
  ASSERT_TRUE(s.ok()) << s.message();

  const std::vector<std::string> texts = CorpusTexts();
  ASSERT_GT(texts.size(), 50u);
  const bool spm = t.tok.model() == Tokenizer::Model::kSpm;
  for (const std::string& text : texts) {
    const Tokens tokens = t.tok.Encode(text, false, false);
    TokenDecoder dec(t.tok, /*strip_leading_space=*/spm);
    std::string back;
    for (Token id : tokens) back += dec.Push(id);
    back += dec.Flush();
    EXPECT_EQ(back, text) << GetParam();
    if (!text.empty()) {
      const Tokens with_bos = t.tok.Encode(text, true, false);
      ASSERT_EQ(with_bos.size(), tokens.size() + 1);
      EXPECT_EQ(with_bos[0], t.tok.bos());
    }
  }
  // Chat-template control tokens are single tokens only with parse_special.
  const std::string eot = spm ? "</s>" : "<|eot_id|>";
  EXPECT_EQ(t.tok.Encode(eot, false, true).size(), 1u);
  EXPECT_GT(t.tok.Encode(eot, false, false).size(), 1u);
  EXPECT_TRUE(t.tok.IsEndOfGeneration(t.tok.Encode(eot, false, true)[0]));
}

INSTANTIATE_TEST_SUITE_P(Vocabs, RealVocab, ::testing::Values("tinyllama", "mistral", "llama3"));

}  // namespace
}  // namespace pipit
