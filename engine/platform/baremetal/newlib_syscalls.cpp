// The few system calls newlib needs on bare metal. malloc grows inside the
// board's fixed heap arena (never into the stack); stdout/stderr go to the
// board console; there is no file system and no process to exit to.
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "platform/baremetal/board_hooks.h"

extern "C" {

// newlib's malloc calls this to grow the heap; returns (void*)-1 when the
// arena is full, so malloc returns null (and the engine reports an error).
void* _sbrk(ptrdiff_t increment) {
  static char* brk = __pipit_heap_start;
  if (increment < 0 || increment > __pipit_heap_end - brk) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  char* previous = brk;
  brk += increment;
  return previous;
}

int _write(int fd, const char* data, int size) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  pipit_board_console_write(data, static_cast<size_t>(size));
  return size;
}

int _read(int, char*, int) {
  errno = EBADF;
  return -1;
}

int _close(int) { return -1; }
int _lseek(int, int, int) { return -1; }
int _isatty(int fd) { return fd <= 2 ? 1 : 0; }

int _fstat(int, struct stat* st) {
  st->st_mode = S_IFCHR;
  return 0;
}

int _open(const char*, int, ...) {
  errno = ENOENT;
  return -1;
}

int _getpid(void) { return 1; }

int _kill(int, int) {
  errno = EINVAL;
  return -1;
}

// abort() and exit() end here: spin (a board watchdog, if any, resets).
[[noreturn]] void _exit(int) {
  for (;;) {
  }
}

}  // extern "C"
