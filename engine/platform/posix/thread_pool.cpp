#include "platform/thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pipit::platform {
namespace {

// How long a waiting thread spins before it sleeps. A forward pass hands out
// a job every few tens of microseconds, so a worker that spins a little after
// each job usually catches the next one without a futex round trip; beyond
// that it sleeps, so an idle pool costs nothing. Spinning yields the CPU
// every few rounds, so threads that outnumber the cores let the busy ones run.
constexpr int kSpinRounds = 256;      // rounds of kPausesPerRound pauses
constexpr int kPausesPerRound = 32;   // ~1-2 us per round
constexpr int kYieldEvery = 8;        // rounds between sched_yield calls

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until pred() holds or the budget runs out; returns pred().
template <typename Pred>
bool SpinUntil(Pred pred) {
  for (int round = 0; round < kSpinRounds; ++round) {
    for (int i = 0; i < kPausesPerRound; ++i) {
      if (pred()) return true;
      CpuRelax();
    }
    if (round % kYieldEvery == kYieldEvery - 1) std::this_thread::yield();
  }
  return pred();
}

}  // namespace

// A job is published by writing fn/ctx and then bumping `generation`
// (release); workers that see the new generation (acquire) run it and count
// `pending` down. Sleepers register under the mutex before they check the
// condition, and wakers notify under the mutex when anyone is registered:
// with sequentially consistent counters no wake-up is lost.
struct ThreadPool::State {
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> sleeping_workers{0};
  std::atomic<bool> caller_sleeping{false};
  JobFn fn = nullptr;
  void* ctx = nullptr;
  std::mutex mutex;
  std::condition_variable wake;  // workers: a new generation (or stop)
  std::condition_variable done;  // caller: pending reached 0
  std::vector<std::thread> workers;
};

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads), state_(new State) {
  for (int i = 1; i < n_threads_; ++i) {
    state_->workers.emplace_back([this, i] {
      State& s = *state_;
      uint64_t seen = 0;
      for (;;) {
        auto has_work = [&] {
          return s.generation.load(std::memory_order_acquire) != seen || s.stopping.load(std::memory_order_acquire);
        };
        if (!SpinUntil(has_work)) {
          std::unique_lock<std::mutex> lock(s.mutex);
          s.sleeping_workers.fetch_add(1);
          s.wake.wait(lock, has_work);
          s.sleeping_workers.fetch_sub(1);
        }
        if (s.stopping.load(std::memory_order_acquire)) return;
        seen = s.generation.load(std::memory_order_acquire);
        s.fn(s.ctx, i, n_threads_);
        if (s.pending.fetch_sub(1) == 1 && s.caller_sleeping.load()) {
          std::lock_guard<std::mutex> lock(s.mutex);
          s.done.notify_one();
        }
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping.store(true);
  }
  state_->wake.notify_all();
  for (std::thread& t : state_->workers) t.join();
  delete state_;
}

void ThreadPool::Run(JobFn fn, void* ctx) {
  if (n_threads_ == 1) {
    fn(ctx, 0, 1);
    return;
  }
  State& s = *state_;
  s.fn = fn;
  s.ctx = ctx;
  s.pending.store(n_threads_ - 1);
  s.generation.fetch_add(1);  // publishes fn and ctx
  if (s.sleeping_workers.load() > 0) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.wake.notify_all();
  }
  fn(ctx, 0, n_threads_);
  auto all_done = [&] { return s.pending.load(std::memory_order_acquire) == 0; };
  if (!SpinUntil(all_done)) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.caller_sleeping.store(true);
    s.done.wait(lock, all_done);
    s.caller_sleeping.store(false);
  }
}

}  // namespace pipit::platform
