// QEMU's musca-b1 machine (Arm SSE-200, Cortex-M33 booting Secure), used to
// test the same firmware without hardware. Memory map as QEMU 7.2 models it
// (read with `info mtree`): QSPI flash 32 MB at 0x00000000, Secure alias
// 0x10000000 (the boot vector table is read there); SSE-200 SRAM 4 x 128 KB at
// 0x20000000, Secure alias 0x30000000; UART0 (PL011) at 0x40105000, Secure
// alias 0x50105000. The firmware runs Secure, so it uses the Secure aliases.
// QEMU needs no clock setup: its PL011 ignores the baud divisors.
#include <cstdint>

#include "boards/board.h"

extern "C" {
extern const uint8_t __pipit_model_start[];
extern const uint8_t __pipit_flash_end[];
}

namespace {

// The SSE-200's main clock in QEMU's musca model drives SysTick's processor
// clock: 40 MHz (measured against -icount, see tests/firmware/).
constexpr uint32_t kCpuHz = 40000000;
constexpr uintptr_t kUart0 = 0x50105000;

const PipitBoardInfo kInfo = {
    "qemu-musca-b1",
    kCpuHz,
    kUart0,
    kCpuHz,
    __pipit_model_start,
    static_cast<size_t>(__pipit_flash_end - __pipit_model_start),
};

}  // namespace

extern "C" const PipitBoardInfo* pipit_board_info(void) { return &kInfo; }

extern "C" void pipit_board_init_hardware(void) {}
