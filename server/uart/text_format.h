// Number formatting for the protocol's '#' lines without printf: newlib-nano
// (the firmware's C library) prints neither floats nor 64-bit integers
// unless extra support is linked in, so the server never relies on them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipit::uart {

void AppendInt(std::string* out, int64_t value);
void AppendUint(std::string* out, uint64_t value);
// Fixed point with `decimals` digits after the point, rounded half away
// from zero ("48.1"); "nan" / "inf" for non-finite values.
void AppendFixed(std::string* out, double value, int decimals);
// "0x1b"
void AppendHexByte(std::string* out, uint8_t byte);

// Strict parsers for command arguments: the whole text must be the number.
bool ParseUint64(std::string_view text, uint64_t* out);      // decimal digits only
bool ParseInt(std::string_view text, int64_t lo, int64_t hi, int* out);
bool ParseFloat(std::string_view text, float* out);          // finite decimal, e.g. "0.7", "1e-2"

}  // namespace pipit::uart
