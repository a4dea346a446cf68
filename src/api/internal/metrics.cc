#include "api/internal/metrics.h"

#include <algorithm>
#include <charconv>

namespace atelier::api {
namespace {

const std::vector<double> kRequestBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10};
const std::vector<double> kRenderBuckets = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                            1,    2.5,   5,    10,  20,   30};

std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

std::string prometheus_escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);  // le: value <= bound.
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  sum_ += value;
  ++count_;
}

void Histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
  std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += name;
    out += "_bucket{" + prefix + "le=\"" + (i < bounds_.size() ? number(bounds_[i]) : "+Inf") +
           "\"} " + std::to_string(cumulative) + "\n";
  }
  std::string braces = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  out += std::string(name) + "_sum" + braces + " " + number(sum_) + "\n";
  out += std::string(name) + "_count" + braces + " " + std::to_string(count_) + "\n";
}

Metrics::Metrics() : render_seconds_(kRenderBuckets) {}

void Metrics::observe_request(std::string_view route, std::string_view method, int status,
                              double seconds) {
  MutexLock lock(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  auto it = request_seconds_.find(std::string(route));
  if (it == request_seconds_.end()) {
    it = request_seconds_.emplace(std::string(route), Histogram(kRequestBuckets)).first;
  }
  it->second.observe(seconds);
}

void Metrics::observe_render(bool cached, double seconds) {
  MutexLock lock(mu_);
  ++renders_[cached ? 1 : 0];
  if (!cached) render_seconds_.observe(seconds);
}

std::string Metrics::prometheus_text() const {
  std::string out;
  MutexLock lock(mu_);
  family(out, "atelier_http_requests_total", "counter",
         "HTTP requests by route template, method and status.");
  for (const auto& [k, n] : requests_) {
    const auto& [route, method, status] = k;
    out += "atelier_http_requests_total{route=\"" + prometheus_escape(route) + "\",method=\"" +
           prometheus_escape(method) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  family(out, "atelier_http_request_duration_seconds", "histogram",
         "Time from a complete request to its response being ready, by route template.");
  for (const auto& [route, h] : request_seconds_) {
    h.write(out, "atelier_http_request_duration_seconds",
            "route=\"" + prometheus_escape(route) + "\"");
  }
  family(out, "atelier_http_requests_in_flight", "gauge", "Requests being handled now.");
  out += "atelier_http_requests_in_flight " + std::to_string(in_flight_.load()) + "\n";
  family(out, "atelier_http_connections_open", "gauge", "Open client connections.");
  out += "atelier_http_connections_open " + std::to_string(connections_.load()) + "\n";
  family(out, "atelier_http_connections_shed_total", "counter",
         "Connections waiting for a request that were closed to admit a new one.");
  out += "atelier_http_connections_shed_total " + std::to_string(connections_shed_.load()) + "\n";
  family(out, "atelier_renders_total", "counter",
         "Renders requested through the API, by whether the recipe was cached.");
  out += "atelier_renders_total{cached=\"false\"} " + std::to_string(renders_[0]) + "\n";
  out += "atelier_renders_total{cached=\"true\"} " + std::to_string(renders_[1]) + "\n";
  family(out, "atelier_render_duration_seconds", "histogram",
         "Wall time of renders that were not cached (script, raster, encode, store).");
  render_seconds_.write(out, "atelier_render_duration_seconds", "");
  return out;
}

}  // namespace atelier::api
