// mutex.h — a mutex whose locking the compiler checks (LevelDB's port::Mutex and Abseil's
// annotations, the same idea).
//
//   Mutex mu_;
//   int hits_ ATELIER_GUARDED_BY(mu_) = 0;
//   void hit() { MutexLock lock(mu_); ++hits_; }
//   void flush() ATELIER_REQUIRES(mu_);   // callers must hold mu_
//
// Under clang with -Wthread-safety (`make tidy` turns it on) touching a guarded member
// without its mutex, or calling a REQUIRES function unlocked, is a warning; under GCC the
// annotations expand to nothing. std::mutex carries no annotations, hence this wrapper.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define ATELIER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ATELIER_THREAD_ANNOTATION(x)
#endif

#define ATELIER_CAPABILITY(x) ATELIER_THREAD_ANNOTATION(capability(x))
#define ATELIER_SCOPED_CAPABILITY ATELIER_THREAD_ANNOTATION(scoped_lockable)
#define ATELIER_GUARDED_BY(x) ATELIER_THREAD_ANNOTATION(guarded_by(x))
#define ATELIER_PT_GUARDED_BY(x) ATELIER_THREAD_ANNOTATION(pt_guarded_by(x))
#define ATELIER_REQUIRES(...) ATELIER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ATELIER_ACQUIRE(...) ATELIER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ATELIER_RELEASE(...) ATELIER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ATELIER_EXCLUDES(...) ATELIER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ATELIER_ASSERT_HELD(x) ATELIER_THREAD_ANNOTATION(assert_capability(x))
#define ATELIER_NO_THREAD_SAFETY_ANALYSIS ATELIER_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace atelier {

class ATELIER_CAPABILITY("mutex") Mutex {
 public:
  void lock() ATELIER_ACQUIRE() { mu_.lock(); }
  void unlock() ATELIER_RELEASE() { mu_.unlock(); }
  // Tells the analysis that the caller holds this mutex where it cannot see the lock taken
  // (a callback run by the code that took it). Checks nothing at run time.
  void assert_held() const ATELIER_ASSERT_HELD(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

class ATELIER_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ATELIER_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() ATELIER_RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable over Mutex: wait() releases it while blocked and holds it again on
// return, so callers loop on their condition with the mutex held.
class CondVar {
 public:
  void wait(Mutex& mu) ATELIER_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // Still held: the caller's scope unlocks it.
  }
  // The same, giving up at `deadline`: false when it passed (a timeout), true when woken
  // (perhaps spuriously). Callers loop on their condition until it holds or this is false.
  bool wait_until(Mutex& mu, std::chrono::steady_clock::time_point deadline) ATELIER_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();  // Still held: the caller's scope unlocks it.
    return woken;
  }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace atelier
