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
#include <type_traits>

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

  // Calls body(begin, end) on chunks [k * chunk, min(n, (k + 1) * chunk)).
  // Each thread starts on its own contiguous share of the chunks and walks
  // it front to back, so each streams through one region of memory, which
  // the hardware prefetchers follow (threads taking turns on chunks from one
  // shared counter made decode 2.4x slower). A thread done with its share
  // helps with the others', taking their next chunks, so on a busy machine a
  // preempted thread holds up at most the chunk it is on. Which thread runs
  // a chunk varies; what a chunk computes must not depend on it. A body
  // that takes a third argument gets the running thread's index (0 ..
  // size() - 1), e.g. to pick its own scratch buffer.
  template <typename Body>
  void ParallelForChunks(int64_t n, int64_t chunk, Body&& body) {
    const int64_t n_chunks = (n + chunk - 1) / chunk;
    if (n_threads_ == 1 || n_chunks <= 1) {
      for (int64_t begin = 0; begin < n; begin += chunk) {
        CallChunk(body, begin, begin + chunk < n ? begin + chunk : n, 0);
      }
      return;
    }
    for (int i = 0; i < n_threads_; ++i) {
      shares_[i].next.store(n_chunks * i / n_threads_, std::memory_order_relaxed);
      shares_[i].end = n_chunks * (i + 1) / n_threads_;
    }
    struct Job {
      int64_t n, chunk;
      Share* shares;
      Body* body;
    } job{n, chunk, shares_, &body};
    RunDynamic(
        [](void* ctx, int index, int count) {
          auto* j = static_cast<Job*>(ctx);
          for (int k = 0; k < count; ++k) {  // own share first, then the others'
            Share& share = j->shares[(index + k) % count];
            for (;;) {
              const int64_t c = share.next.fetch_add(1, std::memory_order_relaxed);
              if (c >= share.end) break;
              const int64_t begin = c * j->chunk;
              CallChunk(*j->body, begin, begin + j->chunk < j->n ? begin + j->chunk : j->n, index);
            }
          }
        },
        &job);
  }

  // Calls body(begin, end) on contiguous, nearly equal parts of [0, n), one
  // part per thread.
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
  template <typename Body>
  static void CallChunk(Body& body, int64_t begin, int64_t end, int thread_index) {
    if constexpr (std::is_invocable_v<Body&, int64_t, int64_t, int>) {
      body(begin, end, thread_index);
    } else {
      body(begin, end);
    }
  }

  // One thread's share of a ParallelForChunks job: chunks [next, end). Each
  // on its own cache line, so threads on their own shares never contend.
  struct alignas(64) Share {
    std::atomic<int64_t> next{0};
    int64_t end = 0;
  };

  void Publish(JobFn fn, void* ctx);
  struct State;
  int n_threads_;
  State* state_;
  Share* shares_ = nullptr;  // n_threads_ of them (none on bare metal)
};

}  // namespace pipit::platform
