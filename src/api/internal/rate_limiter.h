// rate_limiter.h — token buckets keyed by API key id or client IP, driven by the injected
// Clock (so tests move time by hand).
//
// A bucket holds up to one minute's allowance (`per_minute` requests) and refills
// continuously at per_minute/60 s. Arithmetic is exact: a token is 60'000 units and a bucket
// gains `per_minute` units per millisecond, so no floating point drifts.
// At most `buckets_max` buckets are tracked; when full, buckets that have refilled completely
// (indistinguishable from new ones) are dropped, and if none has, the oldest-touched half is.
//
// Thread-safety: take() is safe from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/mutex.h"

namespace atelier::api {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock, std::size_t buckets_max = 100'000);

  struct Decision {
    bool allowed = true;
    std::int64_t retry_after_s = 0;  // When refused: whole seconds until one token is back (≥ 1).
    std::int64_t remaining = 0;      // Whole requests left in the bucket after this one.
  };
  // Takes one token from the bucket `key` with the given rate; per_minute ≤ 0 always allows.
  Decision take(std::string_view key, std::int64_t per_minute) ATELIER_EXCLUDES(mu_);

  std::size_t bucket_count() const ATELIER_EXCLUDES(mu_);

 private:
  struct Bucket {
    std::int64_t units = 0;  // 60'000 per token.
    std::int64_t last_ms = 0;
  };
  void evict_locked(std::int64_t now_ms, std::int64_t per_minute) ATELIER_REQUIRES(mu_);

  const Clock& clock_;
  std::size_t buckets_max_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ ATELIER_GUARDED_BY(mu_);
};

}  // namespace atelier::api
