// The UART line protocol, independent of any board: bytes in, bytes out.
// The firmware's main loop feeds every received byte to OnByte(); the server
// writes through the WriteFn it was given. Host tests drive it the same way.
//
// CONTRACT between the board code (firmware main) and the protocol code; the
// protocol helper fills in the implementation in uart_server.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/status.h"
#include "platform/platform.h"

namespace pipit::uart {

// Where the server's output goes (the UART driver, or a test buffer).
using WriteFn = void (*)(void* user, const char* data, size_t size);

// Limits and the defaults of the settings commands. The sampling defaults
// are pipit's (engine/cli/options.h), so a device answer is reproduced on a
// host by `pipit MODEL -p PROMPT -n 32 -c 256` with the same settings (see
// server/uart/README.md).
struct UartServerOptions {
  int n_ctx = 0;            // positions; 0: the model's training context, at most 256
  int n_batch = 4;          // prompt tokens per forward pass (scratch RAM grows with it)
  size_t max_line = 256;    // bytes per input line, '\n' excluded
  int n_predict = 32;       // /n: tokens per answer
  float temperature = 0.8f; // /temp: 0 = greedy
  float top_p = 0.9f;       // /topp
  int top_k = 40;           // /topk: 0 = off
  uint64_t seed = 42;       // /seed
};

class UartServer {
 public:
  UartServer();
  explicit UartServer(const UartServerOptions& options);
  ~UartServer();

  // Loads the model from `model_bytes` (GGUF parsed in place: flash on the
  // device, a file mapping on the host), then writes the banner line and the
  // prompt "> ". On error writes a "#error ..." line and returns the status.
  Status Start(platform::ByteSpan model_bytes, WriteFn write, void* user);

  // Feeds one received byte. A complete line (ended by '\n'; '\r' ignored)
  // runs synchronously: a prompt streams generated text then "#end ...", a
  // "/command" answers, and the server writes the next "> ".
  void OnByte(uint8_t byte);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pipit::uart
