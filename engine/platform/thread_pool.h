// A persistent pool of worker threads (none are created per operation).
// Run() hands the same job to every thread, the caller included, and returns
// when all are done; jobs split their work by thread index. On bare metal the
// pool has one thread: the caller.
#pragma once

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
  void Run(JobFn fn, void* ctx);

  // Calls body(begin, end) on contiguous, nearly equal chunks of [0, n), one
  // chunk per thread.
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
  struct State;
  int n_threads_;
  State* state_;
};

}  // namespace pipit::platform
