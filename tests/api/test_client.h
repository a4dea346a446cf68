// test_client.h — a tiny blocking HTTP/1.1 client for the API tests (Boost.Beast), with a
// receive timeout so that a broken server fails a test instead of hanging it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier::api::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string body;
  bool keep_alive = true;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Client {
 public:
  explicit Client(std::uint16_t port, int timeout_ms = 10'000);
  ~Client();

  // One request on the kept-alive connection. Throws std::runtime_error on a network error.
  Reply request(const std::string& method, const std::string& target, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});
  Reply get(const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("GET", target, {}, headers);
  }

  // Writes raw bytes (a hand-made request, maybe incomplete).
  void send_raw(const std::string& bytes);
  // Reads one response (after send_raw).
  Reply read_reply(bool head = false);
  // True when the server closed the connection (EOF/reset) within `timeout_ms`.
  bool wait_closed(int timeout_ms);
  // Everything the server still sends (bytes already buffered included) until it closes the
  // connection; nullopt when it is still open after `timeout_ms`.
  std::optional<std::string> read_until_closed(int timeout_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace atelier::api::testing
