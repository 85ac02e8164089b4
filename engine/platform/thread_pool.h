// A persistent pool of worker threads (none are created per operation).
// Run() hands the same job to every thread, the caller included, and returns
// when all are done; jobs split their work by thread index. On bare metal the
// pool has one thread: the caller.
//
// Handing over a job is cheap when ops come back to back (a forward pass runs
// hundreds of them): workers spin on a generation counter for a short while
// after each job before they sleep on a condition variable, and the spinning
// yields the CPU, so more threads than cores costs little.
#pragma once

#include <atomic>
#include <cstdint>

namespace pipit::platform {

class ThreadPool {
 public:
  // A job: fn(ctx, thread_index, n_threads).
  using JobFn = void (*)(void* ctx, int thread_index, int n_threads);

  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  // Every thread index runs fn exactly once.
  void Run(JobFn fn, void* ctx);
  // For jobs that share out their work dynamically (any thread may do any
  // part, and fn returns when nothing is left): the caller runs fn and then
  // waits only for workers already inside it; a worker that arrives later
  // skips it. fn must not rely on every index running.
  void RunDynamic(JobFn fn, void* ctx);

  // Calls body(begin, end) on contiguous, nearly equal chunks of [0, n), one
  // chunk per thread.
  // Calls body(begin, end) on chunks [k * chunk, min(n, (k + 1) * chunk)),
  // handed to whichever thread is free next: balanced on a busy machine
  // (a preempted thread holds up at most one chunk). Which thread runs a
  // chunk varies; what a chunk computes must not depend on it.
  template <typename Body>
  void ParallelForChunks(int64_t n, int64_t chunk, Body&& body) {
    const int64_t n_chunks = (n + chunk - 1) / chunk;
    if (n_threads_ == 1 || n_chunks <= 1) {
      for (int64_t begin = 0; begin < n; begin += chunk) body(begin, begin + chunk < n ? begin + chunk : n);
      return;
    }
    struct Job {
      int64_t n, chunk, n_chunks;
      std::atomic<int64_t> next{0};
      Body* body;
    } job{n, chunk, n_chunks, {}, &body};
    job.next.store(0, std::memory_order_relaxed);
    RunDynamic(
        [](void* ctx, int, int) {
          auto* j = static_cast<Job*>(ctx);
          for (;;) {
            const int64_t k = j->next.fetch_add(1, std::memory_order_relaxed);
            if (k >= j->n_chunks) return;
            const int64_t begin = k * j->chunk;
            const int64_t end = begin + j->chunk < j->n ? begin + j->chunk : j->n;
            (*j->body)(begin, end);
          }
        },
        &job);
  }

  template <typename Body>
  void ParallelFor(int64_t n, Body&& body) {
    struct Job {
      int64_t n;
      Body* body;
    } job{n, &body};
    Run(
        [](void* ctx, int index, int count) {
          auto* j = static_cast<Job*>(ctx);
          int64_t begin = j->n * index / count;
          int64_t end = j->n * (index + 1) / count;
          if (begin < end) (*j->body)(begin, end);
        },
        &job);
  }

 private:
  void Publish(JobFn fn, void* ctx);
  struct State;
  int n_threads_;
  State* state_;
};

}  // namespace pipit::platform
