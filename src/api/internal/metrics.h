// metrics.h — counters and histograms exposed at GET /metrics in the Prometheus text
// exposition format 0.0.4 (# HELP / # TYPE, cumulative _bucket{le} with +Inf, _sum, _count).
//
// Families:
//   atelier_http_requests_total{route,method,status}      counter
//   atelier_http_request_duration_seconds{route}          histogram
//   atelier_http_requests_in_flight                       gauge
//   atelier_http_connections_open                         gauge
//   atelier_http_connections_shed_total                   counter (closed to admit another)
//   atelier_renders_total{cached}                         counter
//   atelier_render_duration_seconds                       histogram (renders not from cache)
//   atelier_log_entries, atelier_log_checkpoint_size      gauges (routes_system.cc, from the store)
// `route` is the route template ("/v1/assets/{sha256}"), or "unmatched" for unknown paths,
// so label cardinality is bounded by the route table.
//
// Thread-safety: every member is safe from many threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/mutex.h"

namespace atelier::api {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Appends "<name>_bucket{<labels>,le=…} n" lines, _sum and _count. `labels` is either empty
  // or `key="value",…` without braces.
  void write(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // Per bucket, not cumulative; last is +Inf.
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void observe_request(std::string_view route, std::string_view method, int status, double seconds)
      ATELIER_EXCLUDES(mu_);
  void observe_render(bool cached, double seconds) ATELIER_EXCLUDES(mu_);
  void add_in_flight(int delta) { in_flight_ += delta; }
  void add_connections(int delta) { connections_ += delta; }
  void add_connections_shed(int n) { connections_shed_ += n; }

  std::string prometheus_text() const ATELIER_EXCLUDES(mu_);

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  mutable Mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_
      ATELIER_GUARDED_BY(mu_);
  std::map<std::string, Histogram> request_seconds_ ATELIER_GUARDED_BY(mu_);
  std::array<std::uint64_t, 2> renders_ ATELIER_GUARDED_BY(mu_){};  // [cached]
  Histogram render_seconds_ ATELIER_GUARDED_BY(mu_);
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::int64_t> connections_shed_{0};
};

// Escapes a label value (backslash, double quote, newline).
std::string prometheus_escape(std::string_view value);

}  // namespace atelier::api
