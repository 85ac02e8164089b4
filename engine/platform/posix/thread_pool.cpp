#include "platform/thread_pool.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pipit::platform {

// Workers sleep on a condition variable between jobs; a job is published by
// bumping `generation`, and the caller waits until every worker reports done.
struct ThreadPool::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  uint64_t generation = 0;
  int pending = 0;
  bool stopping = false;
  JobFn fn = nullptr;
  void* ctx = nullptr;
  std::vector<std::thread> workers;
};

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads), state_(new State) {
  for (int i = 1; i < n_threads_; ++i) {
    state_->workers.emplace_back([this, i] {
      State& s = *state_;
      uint64_t seen = 0;
      for (;;) {
        JobFn fn;
        void* ctx;
        {
          std::unique_lock<std::mutex> lock(s.mutex);
          s.wake.wait(lock, [&] { return s.stopping || s.generation != seen; });
          if (s.stopping) return;
          seen = s.generation;
          fn = s.fn;
          ctx = s.ctx;
        }
        fn(ctx, i, n_threads_);
        std::lock_guard<std::mutex> lock(s.mutex);
        if (--s.pending == 0) s.done.notify_one();
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
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
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.fn = fn;
    s.ctx = ctx;
    s.pending = n_threads_ - 1;
    ++s.generation;
  }
  s.wake.notify_all();
  fn(ctx, 0, n_threads_);
  std::unique_lock<std::mutex> lock(s.mutex);
  s.done.wait(lock, [&] { return s.pending == 0; });
}

}  // namespace pipit::platform
