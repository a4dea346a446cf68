#include "api/internal/json_log.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/mutex.h"

namespace atelier::api {

std::string iso8601_ms(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

JsonLog::JsonLog(const Clock& clock, Sink sink) : clock_(clock), sink_(std::move(sink)) {}

void JsonLog::write(std::string_view level, std::string_view msg, const Fields& fields) const {
  nlohmann::ordered_json j;
  j["ts"] = iso8601_ms(clock_.now_ms());
  j["level"] = level;
  j["msg"] = msg;
  for (const auto& [k, v] : fields) {
    std::visit([&](const auto& x) { j[k] = x; }, v);
  }
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (sink_) {
    sink_(line);
    return;
  }
  line.push_back('\n');
  static Mutex mu;  // Whole lines on stderr, never interleaved.
  MutexLock lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace atelier::api
