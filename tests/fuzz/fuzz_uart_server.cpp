// Fuzzes the UART protocol server: arbitrary bytes (lines, commands,
// garbage, over-long lines) into a server running a tiny Q4_0 model. The
// server must never crash, and every byte sequence ending in '\n' must end
// with the prompt "> " (it always answers and keeps serving).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "platform/platform.h"
#include "support/fixture_model.h"
#include "support/tiny_model.h"
#include "uart_server.h"

namespace {

std::string g_output;

void Collect(void*, const char* data, size_t size) {
  if (g_output.size() < (1u << 20)) g_output.append(data, size);
}

pipit::uart::UartServer* Server() {
  static pipit::platform::MappedFile file;
  static pipit::uart::UartServer* server = [] {
    pipit::test::FixtureModelOptions o;
    o.vocab_path = pipit::test::TinyVocabPath();
    o.n_embd = 32, o.n_layers = 1, o.n_head = 2, o.n_head_kv = 1, o.n_ff = 64, o.n_ctx = 64;
    o.preset = "Q4_0", o.pure = true, o.tied = true, o.threads = 1;
    const std::string path = pipit::test::TempPath("fuzz-uart.gguf");
    if (!pipit::test::WriteFixtureModel(o, path).ok() || !file.Open(path).ok()) std::abort();
    pipit::uart::UartServerOptions options;
    options.n_predict = 4;  // short answers keep the fuzzer fast
    options.max_line = 64;
    auto* s = new pipit::uart::UartServer(options);
    if (!s->Start(file.bytes(), Collect, nullptr).ok()) std::abort();
    return s;
  }();
  return server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipit::uart::UartServer* server = Server();
  g_output.clear();
  for (size_t i = 0; i < size; ++i) server->OnByte(data[i]);
  server->OnByte('\n');  // finish whatever line is open
  // "/n N" may raise the answer length; put it back so inputs stay cheap.
  for (char c : std::string("/n 4\n")) server->OnByte(static_cast<uint8_t>(c));
  if (g_output.size() < 2 || g_output.compare(g_output.size() - 2, 2, "> ") != 0) std::abort();
  return 0;
}
