// Cortex-M33 startup shared by every board: the vector table, the reset
// handler (FPU on, .data copied from flash, .bss zeroed, stack limit set,
// static constructors, main) and a fault handler that says what happened on
// the UART instead of hanging silently.
#include <cstdint>
#include <cstring>

#include "boards/board.h"
#include "boards/common/pl011.h"

extern "C" {

// From the board's linker script.
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __stack_limit[];

int main();
void __libc_init_array();
void SysTick_Handler();

[[noreturn]] void Reset_Handler();
[[noreturn]] void Fault_Handler();
void Default_Handler();

}  // extern "C"

namespace {

// System control registers (ARMv8-M).
volatile uint32_t& Scb(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }
constexpr uintptr_t kCpacr = 0xE000ED88;  // coprocessor access (FPU = CP10/CP11)
constexpr uintptr_t kAircr = 0xE000ED0C;  // application interrupt and reset control
constexpr uintptr_t kCfsr = 0xE000ED28;   // configurable fault status
constexpr uintptr_t kHfsr = 0xE000ED2C;   // hard fault status

void PutString(const char* s) { pipit_board_console_write(s, std::strlen(s)); }

void PutHex(uint32_t v) {
  char buf[11] = "0x00000000";
  for (int i = 0; i < 8; ++i) buf[9 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
  PutString(buf);
}

}  // namespace

extern "C" [[noreturn]] void Reset_Handler() {
  // The stack limit first: an overflow then faults (UsageFault STKOF)
  // instead of silently running into the heap arena.
  asm volatile("msr msplim, %0" : : "r"(__stack_limit));
  Scb(kCpacr) |= 0xFu << 20;  // CP10 + CP11 full access: the FPU
  asm volatile("dsb\n isb" ::: "memory");
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  __libc_init_array();
  main();
  for (;;) {
  }
}

// Any fault: report it on the console (polled UART, so it works with
// interrupts disabled), then reset the core.
extern "C" [[noreturn]] void Fault_Handler() {
  uint32_t ipsr;
  asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  PutString("\n#error fatal: exception ");
  PutHex(ipsr & 0x1ff);
  PutString(" cfsr ");
  PutHex(Scb(kCfsr));
  PutString(" hfsr ");
  PutHex(Scb(kHfsr));
  PutString("; resetting\n");
  for (int i = 0; i < 1000000; ++i) asm volatile("nop");  // let the UART drain
  Scb(kAircr) = (0x05FAu << 16) | (1u << 2);  // VECTKEY | SYSRESETREQ
  for (;;) {
  }
}

extern "C" void Default_Handler() { Fault_Handler(); }

// What crt0/crti/crtbegin would provide; the firmware links -nostartfiles
// (Reset_Handler is the entry point). Static destructors never run.
extern "C" {
void* __dso_handle = nullptr;
void _init(void) {}
void _fini(void) {}
}

// The vector table: initial stack pointer, then the 15 system exceptions.
// No device interrupt is used (the UART is drained from SysTick), so the
// table stops there; an unexpected interrupt would fault visibly.
using Handler = void (*)();
extern "C" __attribute__((section(".vectors"), used)) const Handler pipit_vector_table[16] = {
    reinterpret_cast<Handler>(__stack_top),
    Reset_Handler,
    Default_Handler,  // NMI
    Fault_Handler,    // HardFault
    Fault_Handler,    // MemManage
    Fault_Handler,    // BusFault
    Fault_Handler,    // UsageFault
    Fault_Handler,    // SecureFault
    nullptr, nullptr, nullptr,
    Default_Handler,  // SVCall
    Default_Handler,  // DebugMonitor
    nullptr,
    Default_Handler,  // PendSV
    SysTick_Handler,
};
