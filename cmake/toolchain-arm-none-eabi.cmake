# Bare-metal Cortex-M33 (RP2350, QEMU's musca-b1) with Debian's
# gcc-arm-none-eabi + libnewlib-arm-none-eabi + libstdc++-arm-none-eabi-newlib.
# Selected by the firmware-* presets; the top-level CMakeLists then builds only
# the engine (platform/baremetal) and the UART firmware.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m33)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy for the target")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size for the target")
# try_compile cannot link a bare-metal executable without a linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Single-precision FPU (FPv5-SP-D16) with the hard-float ABI; no exceptions or
# RTTI anywhere (the engine never uses them), no thread-safe static guards
# (one core, one thread). Sections per function/object so --gc-sections can
# drop what the firmware never calls.
# -D__int64_t_defined: Debian's arm-none-eabi GCC ships its freestanding
# <stdint.h>, which never includes newlib's, so newlib's <inttypes.h> thinks
# there is no 64-bit type and leaves out PRId64 and friends. int64_t is
# long long here, which is what those macros assume.
set(PIPIT_M33_FLAGS "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16 -ffunction-sections -fdata-sections -D__int64_t_defined=1")
set(CMAKE_C_FLAGS_INIT "${PIPIT_M33_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${PIPIT_M33_FLAGS} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${PIPIT_M33_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections -specs=nosys.specs")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
