// worker_pool.h — a fixed set of threads for renders, with a bounded queue.
//
// Why not asio::thread_pool: we need a queue bound (a flood of render requests must get
// 503s, not unbounded memory) and a way to cancel jobs that never ran at shutdown, so that
// their idempotency claims are released. Both are a few lines here.
//
// Thread-safety: every member is safe from many threads; shutdown() once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

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
  bool try_submit(Job job);
  // Stops taking jobs. `run_queued`: run what is queued (graceful); otherwise cancel it.
  // Jobs already running always finish. Joins the threads.
  void shutdown(bool run_queued);

  std::size_t queued() const;

 private:
  void loop();

  const std::size_t queue_max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;   // Guarded by mu_.
  bool stopping_ = false;   // Guarded by mu_.
  bool run_queued_ = true;  // Guarded by mu_.
  std::vector<std::thread> threads_;
};

}  // namespace atelier::api
