// What the firmware main (server/uart/firmware_main.cpp) needs from a board.
// Each board folder (rp2350/, qemu/) implements the hardware part; common/
// has the Cortex-M33 core part (startup, SysTick clock, PL011 UART, RX ring).
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform/baremetal/board_hooks.h"  // micros, console write, heap arena

extern "C" {

// Board description: name for the banner, core clock.
struct PipitBoardInfo {
  const char* name;
  uint32_t cpu_hz;          // clk_sys: SysTick counts these
  uintptr_t uart_base;      // PL011
  uint32_t uart_clock_hz;   // clock feeding the PL011 (clk_peri)
  const uint8_t* model_region;  // where the model image may start (flash)
  size_t model_region_size;     // bytes up to the end of flash
};
const PipitBoardInfo* pipit_board_info(void);

// Board-specific bring-up: clocks, resets, pins. Runs before the UART and
// SysTick are started by the common code.
void pipit_board_init_hardware(void);

// Common code (boards/common/): starts the UART and the 1 kHz SysTick, which
// also drains the UART's RX FIFO into a ring buffer so input is never lost
// while a prompt is generating.
void pipit_board_start(void);

// Next received byte, if any (non-blocking).
bool pipit_board_read_byte(uint8_t* byte);

// Bytes dropped because the RX ring buffer was full (host sent too much while
// the device was busy).
uint32_t pipit_board_rx_overflows(void);

}  // extern "C"
