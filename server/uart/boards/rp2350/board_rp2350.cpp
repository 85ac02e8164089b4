// Raspberry Pi Pico 2 (RP2350, Cortex-M33 in Secure mode), no Pico SDK.
// Register addresses and fields from the RP2350 datasheet (checked against
// the SDK's generated register headers):
//   XOSC 0x40048000, CLOCKS 0x40010000, RESETS 0x40020000, PLL_SYS 0x40050000,
//   IO_BANK0 0x40028000, PADS_BANK0 0x40038000, UART0 (PL011) 0x40070000.
// Every RP2350 peripheral has atomic aliases: +0x2000 sets bits, +0x3000
// clears bits.
#include <cstdint>

#include "boards/board.h"

extern "C" {
extern const uint8_t __pipit_model_start[];
extern const uint8_t __pipit_flash_end[];
}

namespace {

constexpr uint32_t kXoscHz = 12000000;
constexpr uint32_t kSysHz = 150000000;  // 12 MHz / REFDIV 1 * FBDIV 125 = 1500 MHz VCO / 5 / 2

constexpr uintptr_t kXosc = 0x40048000;
constexpr uintptr_t kClocks = 0x40010000;
constexpr uintptr_t kResets = 0x40020000;
constexpr uintptr_t kPllSys = 0x40050000;
constexpr uintptr_t kIoBank0 = 0x40028000;
constexpr uintptr_t kPadsBank0 = 0x40038000;
constexpr uintptr_t kUart0 = 0x40070000;
constexpr uintptr_t kSetAlias = 0x2000;
constexpr uintptr_t kClearAlias = 0x3000;

volatile uint32_t& Reg(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }

// RESETS: RESET (0x0) holds blocks in reset, RESET_DONE (0x8) reports
// released ones. Bit numbers of the blocks we use:
constexpr uint32_t kResetIoBank0 = 1u << 6;
constexpr uint32_t kResetPadsBank0 = 1u << 9;
constexpr uint32_t kResetPllSys = 1u << 14;
constexpr uint32_t kResetUart0 = 1u << 26;

void ResetBlocks(uint32_t mask) { Reg(kResets + kSetAlias + 0x0) = mask; }

void UnresetBlocks(uint32_t mask) {
  Reg(kResets + kClearAlias + 0x0) = mask;
  while ((Reg(kResets + 0x8) & mask) != mask) {
  }
}

// XOSC: CTRL (0x00) FREQ_RANGE [11:0] = 0xaa0 (1-15 MHz), ENABLE [23:12] =
// 0xfab; STARTUP (0x0c) DELAY in units of 256 crystal cycles; STATUS (0x04)
// STABLE bit 31.
void StartCrystal() {
  Reg(kXosc + 0x0c) = (kXoscHz / 1000 + 128) / 256 * 4;  // ~4 ms
  Reg(kXosc + 0x00) = 0xaa0u | (0xfabu << 12);
  while ((Reg(kXosc + 0x04) & (1u << 31)) == 0) {
  }
}

// CLOCKS: CLK_REF_CTRL 0x30 (SRC [1:0]: 2 = xosc), CLK_REF_SELECTED 0x38
// (one-hot), CLK_SYS_CTRL 0x3c (SRC bit 0: 0 = clk_ref, 1 = aux; AUXSRC
// [7:5]: 0 = pll_sys), CLK_SYS_DIV 0x40 (INT [31:16]), CLK_SYS_SELECTED 0x44,
// CLK_PERI_CTRL 0x48 (ENABLE bit 11, AUXSRC [7:5]: 0 = clk_sys).
void ClockSysFromRef() {
  Reg(kClocks + kClearAlias + 0x3c) = 1u;  // clk_sys glitchless mux -> clk_ref
  while ((Reg(kClocks + 0x44) & 1u) == 0) {
  }
}

void ClockRefFromCrystal() {
  Reg(kClocks + 0x30) = 2u;
  while ((Reg(kClocks + 0x38) & (1u << 2)) == 0) {
  }
}

// PLL_SYS: CS 0x0 (REFDIV [5:0], LOCK bit 31), PWR 0x4 (PD bit 0, POSTDIVPD
// bit 3, VCOPD bit 5), FBDIV_INT 0x8, PRIM 0xc (POSTDIV1 [18:16], POSTDIV2
// [14:12]).
void StartPllSys() {
  ResetBlocks(kResetPllSys);
  UnresetBlocks(kResetPllSys);
  Reg(kPllSys + 0x0) = 1;    // REFDIV 1: 12 MHz reference
  Reg(kPllSys + 0x8) = 125;  // VCO 1500 MHz
  Reg(kPllSys + kClearAlias + 0x4) = (1u << 0) | (1u << 5);  // power up PLL + VCO
  while ((Reg(kPllSys + 0x0) & (1u << 31)) == 0) {
  }
  Reg(kPllSys + 0xc) = (5u << 16) | (2u << 12);  // 1500 / 5 / 2 = 150 MHz
  Reg(kPllSys + kClearAlias + 0x4) = 1u << 3;    // power up the post dividers
}

void ClockSysFromPll() {
  Reg(kClocks + 0x40) = 1u << 16;  // divide by 1
  Reg(kClocks + 0x3c) = 0u << 5;   // AUXSRC pll_sys (SRC still clk_ref)
  Reg(kClocks + kSetAlias + 0x3c) = 1u;  // SRC -> aux
  while ((Reg(kClocks + 0x44) & (1u << 1)) == 0) {
  }
}

void ClockPeriFromSys() {
  Reg(kClocks + 0x48) = 0;  // stop before changing AUXSRC
  for (int i = 0; i < 100; ++i) asm volatile("nop");
  Reg(kClocks + 0x48) = (1u << 11) | (0u << 5);
}

// GPIO0 = UART0 TX, GPIO1 = UART0 RX. IO_BANK0 GPIOn_CTRL at 8n + 4, FUNCSEL
// [4:0] = 2 (UART). PADS_BANK0 GPIOn at 4 + 4n: IE bit 6, OD bit 7, ISO bit
// 8 (pads come up isolated and must be released after configuration).
void RouteUartPins() {
  for (int pin = 0; pin < 2; ++pin) {
    const uintptr_t pad = kPadsBank0 + 4 + 4 * pin;
    Reg(pad) = (Reg(pad) & ~(1u << 7)) | (1u << 6);  // output allowed, input enabled
    Reg(kIoBank0 + 8 * pin + 4) = 2;
    Reg(pad + kClearAlias) = 1u << 8;  // remove isolation
  }
}

const PipitBoardInfo kInfo = {
    "rp2350",
    kSysHz,
    kUart0,
    kSysHz,  // clk_peri = clk_sys
    __pipit_model_start,
    static_cast<size_t>(__pipit_flash_end - __pipit_model_start),
};

}  // namespace

extern "C" const PipitBoardInfo* pipit_board_info(void) { return &kInfo; }

extern "C" void pipit_board_init_hardware(void) {
  StartCrystal();
  ClockSysFromRef();
  ClockRefFromCrystal();
  StartPllSys();
  ClockSysFromPll();
  ClockPeriFromSys();
  UnresetBlocks(kResetIoBank0 | kResetPadsBank0 | kResetUart0);
  RouteUartPins();
}

// The IMAGE_DEF block the RP2350 bootrom looks for in the first 4 KB of
// flash: an Arm, Secure, RP2350 executable (picobin block, datasheet 5.9):
// start marker, IMAGE_TYPE item, last-item marker, link to itself, end marker.
// Without a VECTOR_TABLE item the bootrom uses the table at the flash start.
extern "C" __attribute__((section(".picobin_block"), used)) const uint32_t pipit_picobin_block[5] = {
    0xffffded3u, 0x10210142u, 0x000001ffu, 0x00000000u, 0xab123579u,
};
