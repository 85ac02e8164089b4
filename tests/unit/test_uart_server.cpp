// The UART protocol server driven through a fake UART: banner and prompt,
// answers equal to an independent greedy loop over the engine, every
// command, every "#error" case, and that it keeps serving afterwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "model/context.h"
#include "model/model.h"
#include "platform/platform.h"
#include "support/fixture_model.h"
#include "support/tiny_model.h"
#include "uart_server.h"

namespace pipit::uart {
namespace {

// A Q4_0 model (the firmware's type) over the synthetic vocabulary.
const std::string& ModelPath() {
  static const std::string path = [] {
    test::FixtureModelOptions o;
    o.vocab_path = test::TinyVocabPath();
    o.n_embd = 64;
    o.n_layers = 2;
    o.n_head = 4;
    o.n_head_kv = 1;
    o.n_ff = 128;
    o.n_ctx = 256;
    o.preset = "Q4_0";
    o.pure = true;
    o.tied = true;
    o.seed = 11;
    o.threads = 1;
    const std::string p = test::TempPath("uart-Q4_0.gguf");
    EXPECT_TRUE(test::WriteFixtureModel(o, p).ok());
    return p;
  }();
  return path;
}

struct FakeUart {
  std::string output;
  static void Write(void* user, const char* data, size_t size) {
    static_cast<FakeUart*>(user)->output.append(data, size);
  }
};

class UartServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(file_.Open(ModelPath()).ok());
    server_ = std::make_unique<UartServer>(options_);
    ASSERT_TRUE(server_->Start(file_.bytes(), FakeUart::Write, &uart_).ok());
    banner_ = Take();
  }

  // Everything the server wrote since the last Take().
  std::string Take() {
    std::string out;
    out.swap(uart_.output);
    return out;
  }

  // Sends bytes, returns what the server answered to them.
  std::string Send(const std::string& bytes) {
    for (char c : bytes) server_->OnByte(static_cast<uint8_t>(c));
    return Take();
  }

  UartServerOptions options_;
  platform::MappedFile file_;
  FakeUart uart_;
  std::unique_ptr<UartServer> server_;
  std::string banner_;
};

// Greedy generation written independently of the server: argmax (lowest id
// on ties) over the logits, text as the concatenated token pieces.
struct Reference {
  std::string text;
  int n_tokens = 0;
  int n_prompt = 0;
};

Reference GreedyReference(const std::string& prompt_text, int n_predict, int n_ctx) {
  std::unique_ptr<Model> model;
  EXPECT_TRUE(Model::Open(ModelPath(), &model).ok());
  const Tokenizer& tok = model->tokenizer();
  const std::vector<Token> prompt = tok.Encode(prompt_text, tok.add_bos(), false);
  ContextParams params;
  params.n_ctx = n_ctx;
  params.n_threads = 1;
  std::unique_ptr<Context> ctx;
  EXPECT_TRUE(Context::Create(*model, params, &ctx).ok());
  Reference ref;
  ref.n_prompt = static_cast<int>(prompt.size());
  Batch batch;
  for (size_t i = 0; i < prompt.size(); ++i) batch.Add(prompt[i], static_cast<int>(i), 0, i + 1 == prompt.size());
  EXPECT_TRUE(ctx->Decode(batch).ok());
  int pos = static_cast<int>(prompt.size());
  for (int i = 0; i < n_predict; ++i) {
    const float* logits = ctx->Logits(0);
    Token best = 0;
    for (Token t = 1; t < model->config().n_vocab; ++t) {
      if (logits[t] > logits[best]) best = t;
    }
    if (tok.IsEndOfGeneration(best)) break;
    ref.text += tok.Piece(best);
    ++ref.n_tokens;
    batch.Clear();
    batch.Add(best, pos++, 0, true);
    EXPECT_TRUE(ctx->Decode(batch).ok());
  }
  return ref;
}

// Splits an answer "TEXT\n#end ...\n> " into its text and #end line.
void SplitAnswer(const std::string& answer, std::string* text, std::string* end_line) {
  const size_t end = answer.rfind("\n#end ");
  ASSERT_NE(end, std::string::npos) << answer;
  *text = answer.substr(0, end);
  const size_t eol = answer.find('\n', end + 1);
  ASSERT_NE(eol, std::string::npos);
  *end_line = answer.substr(end + 1, eol - end - 1);
  EXPECT_EQ(answer.substr(eol + 1), "> ");
}

int Field(const std::string& line, const std::string& name) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(line, m, std::regex(" " + name + "=(-?[0-9]+)"))) << line;
  return m.empty() ? -1 : std::stoi(m[1]);
}

TEST_F(UartServerTest, BannerDescribesTheModelThenPrompts) {
  std::unique_ptr<Model> model;
  ASSERT_TRUE(Model::Open(ModelPath(), &model).ok());
  const ModelConfig& c = model->config();
  ASSERT_TRUE(banner_.starts_with("#pipit model=")) << banner_;
  ASSERT_TRUE(banner_.ends_with("\n> ")) << banner_;
  EXPECT_EQ(std::count(banner_.begin(), banner_.end(), '\n'), 1) << banner_;
  EXPECT_NE(banner_.find(" arch=llama "), std::string::npos);
  EXPECT_EQ(Field(banner_, "layers"), c.n_layer);
  EXPECT_EQ(Field(banner_, "embd"), c.n_embd);
  EXPECT_EQ(Field(banner_, "vocab"), c.n_vocab);
  EXPECT_EQ(Field(banner_, "ctx"), 256);
  EXPECT_NE(banner_.find(" type=Q4_0 "), std::string::npos) << banner_;
}

TEST_F(UartServerTest, GreedyAnswerEqualsTheEnginesOwnGeneration) {
  EXPECT_TRUE(Send("/temp 0\n").starts_with("#ok temp=0.000 "));
  for (const std::string prompt : {"hello there", "the cat", "abc"}) {
    std::string text, end;
    SplitAnswer(Send(prompt + "\n"), &text, &end);
    const Reference ref = GreedyReference(prompt, options_.n_predict, 256);
    EXPECT_EQ(text, ref.text) << prompt;
    EXPECT_EQ(Field(end, "tokens"), ref.n_tokens);
    EXPECT_EQ(Field(end, "prompt"), ref.n_prompt);
    EXPECT_TRUE(std::regex_search(end, std::regex(" ms_per_token=[0-9]+\\.[0-9][0-9] tok_s=[0-9]+\\.[0-9] "))) << end;
    EXPECT_TRUE(end.ends_with(ref.n_tokens == options_.n_predict ? " stop=length" : " stop=eos")) << end;
  }
}

TEST_F(UartServerTest, EachPromptStartsFreshAndTheSeedMatters) {
  const std::string a = Send("hello\n");
  const std::string b = Send("hello\n");
  std::string text_a, text_b, end;
  SplitAnswer(a, &text_a, &end);
  SplitAnswer(b, &text_b, &end);
  EXPECT_EQ(text_a, text_b);  // same seed, same fresh context: same answer
  EXPECT_TRUE(Send("/seed 12345\n").starts_with("#ok "));
  std::string text_c;
  SplitAnswer(Send("hello\n"), &text_c, &end);
  EXPECT_NE(text_a, text_c);
  EXPECT_TRUE(Send("/seed 42\n").starts_with("#ok "));
  SplitAnswer(Send("hello\n"), &text_c, &end);
  EXPECT_EQ(text_a, text_c);
}

TEST_F(UartServerTest, SettingsCommandsAnswerOkAndTakeEffect) {
  EXPECT_EQ(Send("/temp 0.5\n"), "#ok temp=0.500 topp=0.900 topk=40 seed=42 n=32\n> ");
  EXPECT_EQ(Send("/topp 0.25\n"), "#ok temp=0.500 topp=0.250 topk=40 seed=42 n=32\n> ");
  EXPECT_EQ(Send("/topk 5\n"), "#ok temp=0.500 topp=0.250 topk=5 seed=42 n=32\n> ");
  EXPECT_EQ(Send("/seed 18446744073709551615\n"),
            "#ok temp=0.500 topp=0.250 topk=5 seed=18446744073709551615 n=32\n> ");
  EXPECT_EQ(Send("/n 3\n"), "#ok temp=0.500 topp=0.250 topk=5 seed=18446744073709551615 n=3\n> ");
  std::string text, end;
  SplitAnswer(Send("hello\n"), &text, &end);
  EXPECT_LE(Field(end, "tokens"), 3);
  EXPECT_TRUE(end.ends_with(" stop=length") || end.ends_with(" stop=eos")) << end;
  const std::string reset = Send("/reset\n");
  EXPECT_TRUE(reset.starts_with("#ok reset")) << reset;
  EXPECT_TRUE(reset.ends_with("\n> "));
}

TEST_F(UartServerTest, InfoHelpAndSelfTest) {
  const std::string info = Send("/info\n");
  EXPECT_EQ(std::count(info.begin(), info.end(), '\n'), 3) << info;
  EXPECT_TRUE(info.starts_with("#info model=")) << info;
  EXPECT_NE(info.find("#info temp=0.800 topp=0.900 topk=40 seed=42 n=32\n"), std::string::npos) << info;
  // kv: 2 (K and V) * 2 layers * 256 positions * 16 (one kv head) * 2 bytes
  EXPECT_EQ(Field(info, "kv_bytes"), 2 * 2 * 256 * 16 * 2) << info;
  EXPECT_EQ(Field(info, "max_line"), 256);
  const std::string help = Send("/help\n");
  for (const char* cmd : {"/temp", "/topp", "/topk", "/seed", "/n ", "/reset", "/info", "/selftest"}) {
    EXPECT_NE(help.find(cmd), std::string::npos) << cmd;
  }
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line != "> ") EXPECT_TRUE(line.starts_with("#help ")) << line;
  }
  const std::string selftest = Send("/selftest\n");
  EXPECT_TRUE(std::regex_match(selftest, std::regex("#selftest (ok|failed) kernels=\\w+ q4_0=(exact|differs) "
                                                    "q8_0=(exact|differs) rows=12\n> ")))
      << selftest;
}

// Every bad input gets exactly one "#error" line and a new prompt.
void ExpectError(const std::string& answer, const std::string& contains) {
  EXPECT_TRUE(answer.starts_with("#error ")) << answer;
  EXPECT_NE(answer.find(contains), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\n> ")) << answer;
  EXPECT_EQ(std::count(answer.begin(), answer.end(), '\n'), 1) << answer;
}

TEST_F(UartServerTest, BadCommandsAndArgumentsAreErrors) {
  ExpectError(Send("/foo\n"), "unknown command /foo");
  ExpectError(Send("/temp\n"), "/temp needs a value");
  ExpectError(Send("/temp abc\n"), "/temp wants");
  ExpectError(Send("/temp -1\n"), "/temp wants");
  ExpectError(Send("/temp nan\n"), "/temp wants");
  ExpectError(Send("/temp 0.5 1\n"), "/temp wants");
  ExpectError(Send("/topp 0\n"), "/topp wants");
  ExpectError(Send("/topp 1.5\n"), "/topp wants");
  ExpectError(Send("/topk -1\n"), "/topk wants");
  ExpectError(Send("/topk 99999\n"), "/topk wants");
  ExpectError(Send("/topk 2.5\n"), "/topk wants");
  ExpectError(Send("/seed -3\n"), "/seed wants");
  ExpectError(Send("/seed 18446744073709551616\n"), "/seed wants");
  ExpectError(Send("/n 0\n"), "/n wants");
  ExpectError(Send("/n 257\n"), "/n wants");
  ExpectError(Send("/reset now\n"), "/reset takes no value");
  ExpectError(Send("/info x\n"), "takes no value");
  // Nothing changed.
  EXPECT_EQ(Send("/n 32\n"), "#ok temp=0.800 topp=0.900 topk=40 seed=42 n=32\n> ");
}

TEST_F(UartServerTest, OverLongLinesAreDroppedUpToTheirNewline) {
  ExpectError(Send(std::string(257, 'b') + "\n"), "line too long (max 256 bytes)");
  ExpectError(Send(std::string(5000, 'x') + "\n"), "line too long (max 256 bytes)");
  // Exactly the limit is a line: here a prompt of 257 tokens (BOS + one per
  // 'a'), more than the context holds.
  ExpectError(Send(std::string(256, 'a') + "\n"), "prompt has 257 tokens; the context holds 256");
  std::string text, end;
  SplitAnswer(Send("hello\n"), &text, &end);  // still serving
}

TEST_F(UartServerTest, GarbageBytesAreErrorsAndServingGoesOn) {
  ExpectError(Send("\x1b[A\n"), "control byte 0x1b at column 1");
  ExpectError(Send(std::string("ab\0c\n", 5)), "control byte 0x00 at column 3");
  ExpectError(Send("\xff\xfe\n"), "not valid UTF-8 (byte 0xff at column 1)");
  ExpectError(Send("h\xc3\n"), "not valid UTF-8");          // truncated sequence
  ExpectError(Send("\xc0\xaf\n"), "not valid UTF-8");        // overlong '/'
  ExpectError(Send("\xed\xa0\x80\n"), "not valid UTF-8");    // surrogate
  ExpectError(Send("/temp \x01\n"), "control byte 0x01");
  std::string random;
  uint32_t x = 12345;
  for (int i = 0; i < 4000; ++i) {
    x = x * 1103515245u + 12345u;
    random.push_back(static_cast<char>(x >> 24));
  }
  const std::string answer = Send(random + "\n");
  EXPECT_TRUE(answer.ends_with("> ")) << answer;
  EXPECT_NE(answer.find("#error "), std::string::npos);
  std::string text, end;
  SplitAnswer(Send("hello\n"), &text, &end);
  EXPECT_GT(Field(end, "prompt"), 1);
}

TEST_F(UartServerTest, LineEditingAndLineEndings) {
  // The answer text without the #end line (whose timings vary).
  auto text_of = [this](const std::string& bytes) {
    std::string text, end;
    SplitAnswer(Send(bytes), &text, &end);
    return text;
  };
  const std::string plain = text_of("hello\n");
  EXPECT_NE(plain, text_of("hellx\n"));
  EXPECT_EQ(text_of("hellx\x7fo\n"), plain);                  // DEL erases a byte
  EXPECT_EQ(text_of("hel\x08\x08\x08hello\x08o\r\n"), plain);  // so does BS
  EXPECT_EQ(text_of("he\xc3\xa9\x08llo\n"), plain);            // a whole UTF-8 character
  EXPECT_EQ(text_of("\x7f\x7fhello\r\n"), plain);              // nothing to erase; CR ignored
  EXPECT_EQ(Send("\n"), "> ");                                 // an empty line just prompts again
  EXPECT_EQ(Send("\r\n"), "> ");
}

TEST(UartServerStart, BadModelBytesAnswerErrorsForever) {
  FakeUart uart;
  UartServer server;
  const std::vector<uint8_t> junk = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1, 2, 3};
  EXPECT_FALSE(server.Start({junk.data(), junk.size()}, FakeUart::Write, &uart).ok());
  EXPECT_TRUE(uart.output.starts_with("#error ")) << uart.output;
  EXPECT_TRUE(uart.output.ends_with("\n")) << uart.output;
  uart.output.clear();
  for (char c : std::string("hello\n/help\n")) server.OnByte(static_cast<uint8_t>(c));
  EXPECT_EQ(uart.output, "#error no model loaded\n> #error no model loaded\n> ");
}

TEST(UartServerStart, SmallerContextOption) {
  platform::MappedFile file;
  ASSERT_TRUE(file.Open(ModelPath()).ok());
  FakeUart uart;
  UartServerOptions options;
  options.n_ctx = 16;
  options.n_predict = 64;  // clamped to the context
  UartServer server(options);
  ASSERT_TRUE(server.Start(file.bytes(), FakeUart::Write, &uart).ok());
  EXPECT_NE(uart.output.find(" ctx=16 "), std::string::npos) << uart.output;
  uart.output.clear();
  for (char c : std::string("/temp 0\nhello\n")) server.OnByte(static_cast<uint8_t>(c));
  const size_t end = uart.output.find("#end ");
  ASSERT_NE(end, std::string::npos) << uart.output;
  const std::string end_line = uart.output.substr(end, uart.output.find('\n', end) - end);
  // The context fills up: prompt + generated tokens stop at 16 positions
  // (the last sampled token needs no position), unless EOS came first.
  if (!end_line.ends_with(" stop=eos")) {
    EXPECT_TRUE(end_line.ends_with(" stop=ctx")) << end_line;
    EXPECT_EQ(Field(end_line, "prompt") + Field(end_line, "tokens"), 17) << end_line;
  }
}

}  // namespace
}  // namespace pipit::uart
