#include "api/internal/worker_pool.h"

#include <algorithm>

namespace atelier::api {

WorkerPool::WorkerPool(int threads, std::size_t queue_max) : queue_max_(queue_max) {
  threads = std::clamp(threads, 1, 256);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

WorkerPool::~WorkerPool() { shutdown(true); }

bool WorkerPool::try_submit(Job job) {
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= queue_max_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

std::size_t WorkerPool::queued() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void WorkerPool::loop() {
  while (true) {
    Job job;
    bool run = true;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) cv_.wait(mu_);
      if (queue_.empty()) return;  // Stopping and drained.
      job = std::move(queue_.front());
      queue_.pop_front();
      run = !stopping_ || run_queued_;
    }
    if (run) {
      job.run();
    } else if (job.cancel) {
      job.cancel();
    }
  }
}

void WorkerPool::shutdown(bool run_queued) {
  {
    MutexLock lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    run_queued_ = run_queued;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  MutexLock lock(mu_);
  threads_.clear();
}

}  // namespace atelier::api
