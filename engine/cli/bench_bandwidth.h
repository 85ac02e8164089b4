// The memory read bandwidth this machine gives `n_threads` threads: the
// ceiling for decode, which reads every weight once per token.
#pragma once

#include <cstddef>

namespace pipit::cli {

// Streams through a buffer of `bytes` (make it much larger than the caches)
// with n_threads threads summing 64-bit words, `passes` times after one
// untimed pass; returns the best pass in GB/s (1e9 bytes per second), or 0
// when the buffer can't be allocated.
double MeasureReadBandwidth(size_t bytes, int n_threads, int passes);

}  // namespace pipit::cli
