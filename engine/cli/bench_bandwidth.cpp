#include "cli/bench_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <new>
#include <memory>
#include <thread>
#include <vector>

#include "platform/platform.h"

namespace pipit::cli {
namespace {

// Sums words [begin, end) with four independent accumulators, so the loop
// is bound by loads rather than by one chain of additions.
uint64_t SumWords(const uint64_t* words, size_t begin, size_t end) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = begin;
  for (; i + 4 <= end; i += 4) {
    s0 += words[i];
    s1 += words[i + 1];
    s2 += words[i + 2];
    s3 += words[i + 3];
  }
  for (; i < end; ++i) s0 += words[i];
  return s0 + s1 + s2 + s3;
}

// One pass over all words split across n_threads threads; returns seconds.
double TimedPass(const uint64_t* words, size_t n_words, int n_threads, uint64_t* sink) {
  std::vector<uint64_t> sums(static_cast<size_t>(n_threads), 0);
  std::vector<std::thread> threads;
  // Threads start before the clock so their creation isn't timed; they
  // wait for the go flag.
  std::atomic<bool> go{false};
  threads.reserve(static_cast<size_t>(n_threads));
  for (int t = 0; t < n_threads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const size_t begin = n_words * static_cast<size_t>(t) / static_cast<size_t>(n_threads);
      const size_t end = n_words * static_cast<size_t>(t + 1) / static_cast<size_t>(n_threads);
      sums[static_cast<size_t>(t)] = SumWords(words, begin, end);
    });
  }
  const double t0 = platform::NowSeconds();
  go.store(true, std::memory_order_release);
  for (std::thread& th : threads) th.join();
  const double seconds = platform::NowSeconds() - t0;
  for (uint64_t s : sums) *sink += s;
  return seconds;
}

}  // namespace

double MeasureReadBandwidth(size_t bytes, int n_threads, int passes) {
  const size_t n_words = bytes / sizeof(uint64_t);
  if (n_words == 0 || n_threads < 1) return 0.0;
  std::unique_ptr<uint64_t[]> words(new (std::nothrow) uint64_t[n_words]);
  if (!words) return 0.0;
  // Nonzero contents, so every page is really backed by memory (reading a
  // never-written page would only touch the shared zero page).
  for (size_t i = 0; i < n_words; ++i) words[i] = i;

  uint64_t sink = 0;
  TimedPass(words.get(), n_words, n_threads, &sink);  // warm-up
  double best = 0.0;
  for (int p = 0; p < passes; ++p) {
    const double seconds = TimedPass(words.get(), n_words, n_threads, &sink);
    if (seconds > 0) best = std::max(best, static_cast<double>(n_words * sizeof(uint64_t)) / seconds / 1e9);
  }
  // Keep the sums observable so the reads can't be optimized away.
  if (sink == 42) std::fputc('\0', stderr);
  return best;
}

}  // namespace pipit::cli
