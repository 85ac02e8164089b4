// The thread pool on a single core: every job runs inline on the caller as
// thread 0 of 1. No threads, no atomics beyond what the header's templates
// declare (they take the single-thread path).
#include "platform/thread_pool.h"

namespace pipit::platform {

struct ThreadPool::State {};

ThreadPool::ThreadPool(int) : n_threads_(1), state_(nullptr) {}

ThreadPool::~ThreadPool() = default;

void ThreadPool::Publish(JobFn, void*) {}

void ThreadPool::Run(JobFn fn, void* ctx) { fn(ctx, 0, 1); }

void ThreadPool::RunDynamic(JobFn fn, void* ctx) { fn(ctx, 0, 1); }

}  // namespace pipit::platform
