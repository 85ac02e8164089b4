// ARM PrimeCell UART (PL011): the UART of both the RP2350 (UART0 at
// 0x40070000) and QEMU's musca-b1 (UART0 at 0x50105000, secure alias).
// Register offsets and bits from the PL011 TRM.
#pragma once

#include <cstdint>

namespace pipit::board::pl011 {

constexpr uintptr_t kDr = 0x000;     // data register
constexpr uintptr_t kFr = 0x018;     // flag register
constexpr uintptr_t kIbrd = 0x024;   // integer baud divisor
constexpr uintptr_t kFbrd = 0x028;   // fractional baud divisor (6 bits)
constexpr uintptr_t kLcrH = 0x02c;   // line control
constexpr uintptr_t kCr = 0x030;     // control
constexpr uintptr_t kImsc = 0x038;   // interrupt mask
constexpr uintptr_t kIcr = 0x044;    // interrupt clear

constexpr uint32_t kFrRxEmpty = 1u << 4;
constexpr uint32_t kFrTxFull = 1u << 5;
constexpr uint32_t kFrBusy = 1u << 3;
constexpr uint32_t kLcrHWordLength8 = 3u << 5;
constexpr uint32_t kLcrHFifoEnable = 1u << 4;
constexpr uint32_t kCrEnable = 1u << 0;
constexpr uint32_t kCrTxEnable = 1u << 8;
constexpr uint32_t kCrRxEnable = 1u << 9;

inline volatile uint32_t& Reg(uintptr_t base, uintptr_t offset) {
  return *reinterpret_cast<volatile uint32_t*>(base + offset);
}

// 8N1 with FIFOs at `baud`. The divisor is clock / (16 * baud) in 16.6 fixed
// point, rounded: e.g. 150 MHz / (16 * 115200) = 81.380 -> IBRD 81, FBRD 24.
inline void Init(uintptr_t base, uint32_t clock_hz, uint32_t baud) {
  Reg(base, kCr) = 0;  // disable while configuring
  const uint32_t div64 = static_cast<uint32_t>((static_cast<uint64_t>(clock_hz) * 4 + baud / 2) / baud);
  Reg(base, kIbrd) = div64 >> 6;
  Reg(base, kFbrd) = div64 & 63;
  Reg(base, kLcrH) = kLcrHWordLength8 | kLcrHFifoEnable;  // LCR_H write latches the divisors
  Reg(base, kImsc) = 0;       // polled (from SysTick), no UART interrupts
  Reg(base, kIcr) = 0x7ff;
  Reg(base, kCr) = kCrEnable | kCrTxEnable | kCrRxEnable;
}

inline void PutByte(uintptr_t base, uint8_t byte) {
  while (Reg(base, kFr) & kFrTxFull) {
  }
  Reg(base, kDr) = byte;
}

inline bool GetByte(uintptr_t base, uint8_t* byte) {
  if (Reg(base, kFr) & kFrRxEmpty) return false;
  *byte = static_cast<uint8_t>(Reg(base, kDr) & 0xff);  // bits 8-11 are error flags
  return true;
}

}  // namespace pipit::board::pl011
