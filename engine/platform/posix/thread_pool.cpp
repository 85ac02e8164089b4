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
constexpr int kSpinRounds = 64;      // rounds of kPausesPerRound pauses: ~50-100 us in all
constexpr int kPausesPerRound = 32;  // ~1 us per round
constexpr int kYieldEvery = 4;       // rounds between sched_yield calls

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

// A job is published by writing fn/ctx/open_generation and then bumping
// `generation` (release); a worker that sees a new generation enters the job
// (in_job), runs it if the job is still open, and leaves. A static job (Run)
// stays open until every worker has run it (`pending`); a dynamic job
// (RunDynamic: work handed out by an atomic counter, any thread may do any
// part) closes as soon as the caller has drained it, so the caller never
// waits for a worker the OS has not scheduled yet: that worker finds the job
// closed and skips it. Sleepers register under the mutex before they check
// their condition, and wakers notify under the mutex when anyone is
// registered: with sequentially consistent counters no wake-up is lost.
struct ThreadPool::State {
  std::atomic<uint64_t> generation{0};
  std::atomic<uint64_t> open_generation{0};  // the job workers may still enter (0: none)
  std::atomic<int> pending{0};               // static job: workers yet to run it
  std::atomic<int> in_job{0};                // workers inside a job
  std::atomic<bool> stopping{false};
  std::atomic<int> sleeping_workers{0};
  std::atomic<bool> caller_sleeping{false};
  JobFn fn = nullptr;
  void* ctx = nullptr;
  std::mutex mutex;
  std::condition_variable wake;  // workers: a new generation (or stop)
  std::condition_variable done;  // caller: its wait condition may hold
  std::vector<std::thread> workers;
};

namespace {

// Spins, then sleeps on s.done until pred() holds.
template <typename State, typename Pred>
void CallerWait(State& s, Pred pred) {
  if (SpinUntil(pred)) return;
  std::unique_lock<std::mutex> lock(s.mutex);
  s.caller_sleeping.store(true);
  s.done.wait(lock, pred);
  s.caller_sleeping.store(false);
}

}  // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(n_threads < 1 ? 1 : n_threads), state_(new State), shares_(new Share[n_threads_]) {
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
        s.in_job.fetch_add(1);
        if (s.open_generation.load() == seen) {
          s.fn(s.ctx, i, n_threads_);
          s.pending.fetch_sub(1);
        }
        s.in_job.fetch_sub(1);
        if (s.caller_sleeping.load()) {
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
  delete[] shares_;
}

void ThreadPool::Publish(JobFn fn, void* ctx) {
  State& s = *state_;
  s.fn = fn;
  s.ctx = ctx;
  s.pending.store(n_threads_ - 1);
  s.open_generation.store(s.generation.load() + 1);
  s.generation.fetch_add(1);  // publishes fn, ctx and the open job
  if (s.sleeping_workers.load() > 0) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.wake.notify_all();
  }
}

void ThreadPool::Run(JobFn fn, void* ctx) {
  if (n_threads_ == 1) {
    fn(ctx, 0, 1);
    return;
  }
  State& s = *state_;
  Publish(fn, ctx);
  fn(ctx, 0, n_threads_);
  CallerWait(s, [&] { return s.pending.load() == 0; });
  s.open_generation.store(0);
}

void ThreadPool::RunDynamic(JobFn fn, void* ctx) {
  if (n_threads_ == 1) {
    fn(ctx, 0, 1);
    return;
  }
  State& s = *state_;
  Publish(fn, ctx);
  fn(ctx, 0, n_threads_);  // returns when no work is left to hand out
  s.open_generation.store(0);
  CallerWait(s, [&] { return s.in_job.load() == 0; });
}

}  // namespace pipit::platform
