// json_log.h — structured log lines: one JSON object per line, written whole.
//
//   {"ts":"2025-01-02T03:04:05.678Z","level":"info","msg":"request","request_id":"…",
//    "method":"GET","route":"/v1/assets/{sha256}","status":200,"duration_ms":1.25,"key_id":"atk_…"}
//
// Thread-safety: safe from many threads; each line is emitted with one call to the sink (or
// one fwrite to stderr under a lock), so lines never interleave.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"

namespace atelier::api {

class JsonLog {
 public:
  using Sink = std::function<void(std::string_view line)>;
  using Value = std::variant<std::string, std::int64_t, double, bool>;
  using Fields = std::vector<std::pair<std::string, Value>>;

  JsonLog(const Clock& clock, Sink sink);  // Empty sink: stderr.
  void write(std::string_view level, std::string_view msg, const Fields& fields) const;

 private:
  const Clock& clock_;
  Sink sink_;
};

// "2025-01-02T03:04:05.678Z" for milliseconds since the epoch.
std::string iso8601_ms(std::int64_t ms);

}  // namespace atelier::api
