// worker_pool.h — a fixed set of threads for renders, with a bounded queue.
//
// Why not asio::thread_pool: we need a queue bound (a flood of render requests must get
// 503s, not unbounded memory) and a way to cancel jobs that never ran at shutdown, so that
// their idempotency claims are released. Both are a few lines here.
//
// Thread-safety: every member is safe from many threads; shutdown() once (the destructor's
// second call does nothing). The queue and the stop flags are guarded by mu_ (checked by
// clang's -Wthread-safety, core/mutex.h).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace atelier::api {

class WorkerPool {
 public:
  struct Job {
    std::function<void()> run;
    std::function<void()> cancel;  // Called instead of run when dropped at shutdown.
  };

  WorkerPool(int threads, std::size_t queue_max);
  ~WorkerPool();  // shutdown(true).

  // Queues a job; false when the queue is full or the pool is shutting down (the job is not
  // taken, nothing is called).
  bool try_submit(Job job) ATELIER_EXCLUDES(mu_);
  // Stops taking jobs. `run_queued`: run what is queued (graceful); otherwise cancel it.
  // Jobs already running always finish. Joins the threads.
  void shutdown(bool run_queued) ATELIER_EXCLUDES(mu_);

  std::size_t queued() const ATELIER_EXCLUDES(mu_);

 private:
  void loop() ATELIER_EXCLUDES(mu_);

  const std::size_t queue_max_;
  mutable Mutex mu_;
  CondVar cv_;  // A job queued, or stopping.
  std::deque<Job> queue_ ATELIER_GUARDED_BY(mu_);
  bool stopping_ ATELIER_GUARDED_BY(mu_) = false;
  bool run_queued_ ATELIER_GUARDED_BY(mu_) = true;
  // Filled by the constructor, joined and cleared by shutdown(): not guarded, because joining
  // must happen without mu_ (the workers take it) and callers never race shutdown().
  std::vector<std::thread> threads_;
};

}  // namespace atelier::api
