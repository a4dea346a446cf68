#include "api/internal/rate_limiter.h"

#include <algorithm>
#include <vector>

namespace atelier::api {
namespace {
constexpr std::int64_t kUnitsPerToken = 60'000;  // ms per minute.
}

RateLimiter::RateLimiter(const Clock& clock, std::size_t buckets_max)
    : clock_(clock), buckets_max_(std::max<std::size_t>(buckets_max, 2)) {}

std::size_t RateLimiter::bucket_count() const {
  MutexLock lock(mu_);
  return buckets_.size();
}

void RateLimiter::evict_locked(std::int64_t now_ms, std::int64_t per_minute) {
  const std::int64_t capacity = per_minute * kUnitsPerToken;
  std::erase_if(buckets_, [&](const auto& kv) {
    return kv.second.units + (now_ms - kv.second.last_ms) * per_minute >= capacity;
  });
  if (buckets_.size() < buckets_max_) return;
  std::vector<std::int64_t> touched;
  touched.reserve(buckets_.size());
  for (const auto& kv : buckets_) touched.push_back(kv.second.last_ms);
  auto mid = touched.begin() + static_cast<std::ptrdiff_t>(touched.size() / 2);
  std::nth_element(touched.begin(), mid, touched.end());
  const std::int64_t cutoff = *mid;
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.last_ms <= cutoff; });
}

RateLimiter::Decision RateLimiter::take(std::string_view key, std::int64_t per_minute) {
  if (per_minute <= 0) return {};
  const std::int64_t now = clock_.now_ms();
  const std::int64_t capacity = per_minute * kUnitsPerToken;
  MutexLock lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= buckets_max_) evict_locked(now, per_minute);
    it = buckets_.emplace(std::string(key), Bucket{capacity, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.last_ms) {
    // Cap the elapsed time so the multiplication cannot overflow after a long pause.
    std::int64_t elapsed = std::min<std::int64_t>(now - b.last_ms, kUnitsPerToken);
    b.units = std::min(capacity, b.units + elapsed * per_minute);
    b.last_ms = now;
  }
  Decision d;
  if (b.units >= kUnitsPerToken) {
    b.units -= kUnitsPerToken;
    d.allowed = true;
    d.remaining = b.units / kUnitsPerToken;
    return d;
  }
  d.allowed = false;
  const std::int64_t missing_ms = (kUnitsPerToken - b.units + per_minute - 1) / per_minute;
  d.retry_after_s = std::max<std::int64_t>(1, (missing_ms + 999) / 1000);
  return d;
}

}  // namespace atelier::api
