// What the bare-metal platform needs from the board (server/uart/boards/*):
// a clock, a console for newlib's stdout/stderr, and the heap arena that the
// board's linker script reserves. Plain C symbols so startup code in any
// language can provide them.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

// Microseconds since boot, monotonic (the board extends its hardware counter
// to 64 bits).
uint64_t pipit_board_micros(void);

// Writes bytes to the board's console (the UART). Blocks until queued.
void pipit_board_console_write(const char* data, size_t size);

// The heap arena [__pipit_heap_start, __pipit_heap_end), placed by the
// board's linker script; malloc (newlib's _sbrk) grows inside it only.
extern char __pipit_heap_start[];
extern char __pipit_heap_end[];

}  // extern "C"
