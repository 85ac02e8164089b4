// The board-independent half of the console and clock: a 1 kHz SysTick that
// keeps a 64-bit millisecond count and drains the PL011's RX FIFO into a ring
// buffer. The protocol server runs a whole prompt synchronously; at 115200
// baud the 32-byte RX FIFO fills in under 3 ms, so without this drain, bytes
// typed during generation would be lost.
#include <cstdint>

#include "boards/board.h"
#include "boards/common/pl011.h"

namespace {

constexpr uint32_t kBaud = 115200;

volatile uint32_t& Reg(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }
constexpr uintptr_t kSysTickCtrl = 0xE000E010;  // ENABLE bit 0, TICKINT bit 1, CLKSOURCE bit 2
constexpr uintptr_t kSysTickLoad = 0xE000E014;
constexpr uintptr_t kSysTickVal = 0xE000E018;

// Single producer (SysTick, or the main loop with interrupts off), single
// consumer (the main loop).
constexpr uint32_t kRingSize = 4096;  // power of two
uint8_t g_ring[kRingSize];
volatile uint32_t g_head = 0;  // written by the producer
volatile uint32_t g_tail = 0;  // written by the consumer
volatile uint32_t g_overflows = 0;
volatile uint64_t g_millis = 0;
uint32_t g_ticks_per_ms = 0;
uintptr_t g_uart = 0;

void DrainRx() {
  uint8_t byte;
  while (pipit::board::pl011::GetByte(g_uart, &byte)) {
    const uint32_t head = g_head;
    if (head - g_tail >= kRingSize) {
      g_overflows = g_overflows + 1;
      continue;
    }
    g_ring[head % kRingSize] = byte;
    g_head = head + 1;
  }
}

}  // namespace

extern "C" void SysTick_Handler() {
  g_millis = g_millis + 1;
  DrainRx();
}

extern "C" void pipit_board_start(void) {
  const PipitBoardInfo* info = pipit_board_info();
  g_uart = info->uart_base;
  pipit::board::pl011::Init(g_uart, info->uart_clock_hz, kBaud);
  g_ticks_per_ms = info->cpu_hz / 1000;
  Reg(kSysTickLoad) = g_ticks_per_ms - 1;
  Reg(kSysTickVal) = 0;
  Reg(kSysTickCtrl) = 0x7;  // processor clock, interrupt, enable
}

extern "C" bool pipit_board_read_byte(uint8_t* byte) {
  if (g_head == g_tail) {
    // Nothing buffered: drain the FIFO now rather than wait for the next
    // tick (with interrupts off so the SysTick drain cannot interleave).
    asm volatile("cpsid i" ::: "memory");
    DrainRx();
    asm volatile("cpsie i" ::: "memory");
    if (g_head == g_tail) return false;
  }
  const uint32_t tail = g_tail;
  *byte = g_ring[tail % kRingSize];
  g_tail = tail + 1;
  return true;
}

extern "C" uint32_t pipit_board_rx_overflows(void) { return g_overflows; }

extern "C" void pipit_board_console_write(const char* data, size_t size) {
  if (g_uart == 0) return;  // before pipit_board_start (e.g. an early fault)
  // Bytes go out exactly as written (no LF -> CR LF translation: a terminal
  // does that, e.g. picocom --imap lfcrlf).
  for (size_t i = 0; i < size; ++i) pipit::board::pl011::PutByte(g_uart, static_cast<uint8_t>(data[i]));
}

// Milliseconds from the tick count plus the part of the current millisecond
// that SysTick has counted down. Re-read if a tick landed in between.
extern "C" uint64_t pipit_board_micros(void) {
  if (g_ticks_per_ms == 0) return 0;
  for (;;) {
    const uint64_t ms = g_millis;
    const uint32_t val = Reg(kSysTickVal);
    if (ms != g_millis) continue;
    const uint32_t elapsed = g_ticks_per_ms - 1 - val;
    return ms * 1000 + static_cast<uint64_t>(elapsed) * 1000 / g_ticks_per_ms;
  }
}
