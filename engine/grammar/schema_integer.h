// Integer intervals as GBNF: a grammar that accepts exactly the canonical
// decimal spellings (no leading zeros, no "-0", no exponent) of the integers
// in [min, max]. Either bound may be open. Used for JSON Schema
// minimum/maximum/exclusiveMinimum/exclusiveMaximum on "integer".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace pipit::grammar {

// Bounds beyond +-kMaxIntegerBound are refused (they are past the exact range
// of doubles, and the JSON validators compare doubles).
inline constexpr int64_t kMaxIntegerBound = 9007199254740992;  // 2^53
// Without an upper (lower) bound, magnitudes get at most this many digits, so
// every accepted number is a finite double.
inline constexpr int kOpenIntegerMaxDigits = 18;

// Sets *expr to a GBNF expression (no rule references) for the interval.
Status IntegerRangeGbnf(std::optional<int64_t> min, std::optional<int64_t> max, std::string* expr);

}  // namespace pipit::grammar
