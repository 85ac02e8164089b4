// 64-bit atomics for a single-core Cortex-M33. ARMv8-M Mainline has no
// LDREXD/STREXD, so GCC calls __atomic_*_8 library functions (libatomic,
// which arm-none-eabi does not ship). With one core, an operation is atomic
// if no interrupt runs in the middle: mask interrupts around it.
//
// The engine's thread pool takes its single-thread path on bare metal, so
// these run rarely; they exist so the shared code links unchanged. The
// asm labels give them the library names without redeclaring GCC builtins.
#include <cstdint>

namespace {

inline uint32_t MaskInterrupts() {
  uint32_t primask;
  asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask) : : "memory");
  return primask;
}

inline void RestoreInterrupts(uint32_t primask) { asm volatile("msr primask, %0" : : "r"(primask) : "memory"); }

}  // namespace

extern "C" {

uint64_t PipitAtomicLoad8(const volatile void* p, int) asm("__atomic_load_8");
void PipitAtomicStore8(volatile void* p, uint64_t v, int) asm("__atomic_store_8");
uint64_t PipitAtomicExchange8(volatile void* p, uint64_t v, int) asm("__atomic_exchange_8");
bool PipitAtomicCompareExchange8(volatile void* p, void* expected, uint64_t desired, bool, int, int) asm(
    "__atomic_compare_exchange_8");
uint64_t PipitAtomicFetchAdd8(volatile void* p, uint64_t v, int) asm("__atomic_fetch_add_8");
uint64_t PipitAtomicFetchSub8(volatile void* p, uint64_t v, int) asm("__atomic_fetch_sub_8");

uint64_t PipitAtomicLoad8(const volatile void* p, int) {
  const uint32_t s = MaskInterrupts();
  const uint64_t v = *static_cast<const volatile uint64_t*>(p);
  RestoreInterrupts(s);
  return v;
}

void PipitAtomicStore8(volatile void* p, uint64_t v, int) {
  const uint32_t s = MaskInterrupts();
  *static_cast<volatile uint64_t*>(p) = v;
  RestoreInterrupts(s);
}

uint64_t PipitAtomicExchange8(volatile void* p, uint64_t v, int) {
  const uint32_t s = MaskInterrupts();
  auto* q = static_cast<volatile uint64_t*>(p);
  const uint64_t old = *q;
  *q = v;
  RestoreInterrupts(s);
  return old;
}

bool PipitAtomicCompareExchange8(volatile void* p, void* expected, uint64_t desired, bool, int, int) {
  const uint32_t s = MaskInterrupts();
  auto* q = static_cast<volatile uint64_t*>(p);
  auto* e = static_cast<uint64_t*>(expected);
  const bool equal = *q == *e;
  if (equal) {
    *q = desired;
  } else {
    *e = *q;
  }
  RestoreInterrupts(s);
  return equal;
}

uint64_t PipitAtomicFetchAdd8(volatile void* p, uint64_t v, int) {
  const uint32_t s = MaskInterrupts();
  auto* q = static_cast<volatile uint64_t*>(p);
  const uint64_t old = *q;
  *q = old + v;
  RestoreInterrupts(s);
  return old;
}

uint64_t PipitAtomicFetchSub8(volatile void* p, uint64_t v, int) {
  const uint32_t s = MaskInterrupts();
  auto* q = static_cast<volatile uint64_t*>(p);
  const uint64_t old = *q;
  *q = old - v;
  RestoreInterrupts(s);
  return old;
}

}  // extern "C"
