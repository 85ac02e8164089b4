// The firmware's main loop, the same on every board: bring up the board,
// find the model image in flash, start the protocol server on it and feed it
// every received byte. Without a usable model the device still answers:
// every line gets a "#error" reply (it never hangs or resets).
#include <cstdio>
#include <cstring>
#include <new>

#include "boards/board.h"
#include "model_image.h"
#include "uart_server.h"

namespace {

void ConsoleWrite(void*, const char* data, size_t size) { pipit_board_console_write(data, size); }

void Print(const char* s) { pipit_board_console_write(s, std::strlen(s)); }

// No model: say why once, then answer each line with the same reason.
[[noreturn]] void ServeWithoutModel(const pipit::Status& why, bool already_reported) {
  if (!already_reported) {
    Print("#error ");
    Print(why.message().c_str());
    Print("\n");
  }
  Print("> ");
  for (;;) {
    uint8_t byte;
    if (!pipit_board_read_byte(&byte)) continue;
    if (byte != '\n') continue;
    Print("#error no model loaded: ");
    Print(why.message().c_str());
    Print("\n> ");
  }
}

}  // namespace

int main() {
  pipit_board_init_hardware();
  pipit_board_start();
  const PipitBoardInfo* board = pipit_board_info();

  pipit::platform::ByteSpan gguf;
  pipit::Status found = pipit::uart::FindModelInImage(board->model_region, board->model_region_size, &gguf);
  if (!found.ok()) ServeWithoutModel(found, false);

  // Lives for the whole run; allocated so its state sits in the heap arena.
  auto* server = new (std::nothrow) pipit::uart::UartServer();
  if (server == nullptr) ServeWithoutModel(pipit::Status::Error("out of memory starting the server"), false);
  pipit::Status started = server->Start(gguf, ConsoleWrite, nullptr);
  if (!started.ok()) ServeWithoutModel(started, true);  // Start already wrote its #error line

  for (;;) {
    uint8_t byte;
    if (pipit_board_read_byte(&byte)) server->OnByte(byte);
  }
}
