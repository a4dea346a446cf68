// loopback_tsa.h — a real RFC 3161 time-stamp authority on 127.0.0.1 for tests: OpenSSL's
// `openssl ts -reply` behind a small HTTP/1.1 responder thread, one request at a time.
//
// start() makes, with the openssl CLI, a P-256 TSA root and a TSA certificate under it
// (ExtendedKeyUsage timeStamping, critical; KeyUsage digitalSignature; SKI/AKI), and listens on
// a free port. Each POSTed query is written to a file and answered with what
// `openssl ts -reply -queryfile … -signer … -inkey … -config …` writes. Modes inject faults.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace atelier::c2pa::testing {

class LoopbackTsa {
 public:
  enum class Mode {
    kGrant,       // openssl ts -reply
    kHttpError,   // HTTP 500
    kSilent,      // reads the request and never answers (until stopped)
    kWrongReply,  // a granted reply to another query (other nonce and imprint)
    kGarbage,     // 200, application/timestamp-reply, bytes that are not DER
  };

  // Null (with `error` set) when the openssl CLI is missing or a step fails.
  static std::unique_ptr<LoopbackTsa> start(const std::filesystem::path& dir, std::string* error);
  ~LoopbackTsa();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/tsr"; }
  std::filesystem::path root_pem() const { return dir_ / "tsa-root.pem"; }
  void set_mode(Mode mode) { mode_ = mode; }
  int requests() const { return requests_; }

 private:
  LoopbackTsa() = default;
  void serve();
  void answer(int fd);

  std::filesystem::path dir_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::kGrant};
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace atelier::c2pa::testing
