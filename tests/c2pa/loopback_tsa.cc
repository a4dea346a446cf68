#include "loopback_tsa.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace atelier::c2pa::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestReadTimeout = std::chrono::seconds(5);
constexpr auto kSilentHoldMax = std::chrono::seconds(10);

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The certificates' extensions and the TSA's settings (`openssl ts -reply` reads [tsa]).
std::string config(const fs::path& dir) {
  return R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = atelier test TSA root
O = atelier tests
[root_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[tsa_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = )" +
         (dir / "tsaserial").string() +
         R"(
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
)";
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// One request's body (the headers up to the blank line, then Content-Length bytes).
bool read_request(int fd, std::string* body) {
  std::string in;
  const auto deadline = Clock::now() + kRequestReadTimeout;
  std::size_t header_end = std::string::npos, length = 0;
  while (Clock::now() < deadline) {
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = in.substr(0, header_end);
        std::transform(head.begin(), head.end(), head.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto at = head.find("content-length:");
        if (at == std::string::npos) return false;
        length = std::strtoul(head.c_str() + at + 15, nullptr, 10);
      }
    }
    if (header_end != std::string::npos && in.size() >= header_end + 4 + length) {
      *body = in.substr(header_end + 4, length);
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return false;
}

std::string http_response(const std::string& status, const std::string& type,
                          const std::string& body) {
  std::string r = "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\nConnection: close\r\n";
  if (!type.empty()) r += "Content-Type: " + type + "\r\n";
  return r + "\r\n" + body;
}

}  // namespace

std::unique_ptr<LoopbackTsa> LoopbackTsa::start(const fs::path& dir, std::string* error) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) {
    *error = "the openssl command is not installed";
    return nullptr;
  }
  std::unique_ptr<LoopbackTsa> tsa(new LoopbackTsa);
  tsa->dir_ = dir;
  fs::create_directories(dir);
  write_all(dir / "tsa.cnf", config(dir));
  write_all(dir / "tsaserial", "01\n");
  write_all(dir / "other.txt", "some other bytes");
  const std::string cd = "cd " + quoted(dir) + " && ";
  const std::string quiet = " >/dev/null 2>&1";
  for (const char* step : {
           "openssl req -x509 -config tsa.cnf -extensions root_ext -newkey ec -pkeyopt "
           "ec_paramgen_curve:P-256 -nodes -keyout tsa-root.key -out tsa-root.pem -days 3650",
           "openssl req -new -config tsa.cnf -subj '/CN=atelier test TSA/O=atelier tests' "
           "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr",
           "openssl x509 -req -in tsa.csr -CA tsa-root.pem -CAkey tsa-root.key -set_serial 2 "
           "-days 365 -extfile tsa.cnf -extensions tsa_ext -out tsa.pem",
           "openssl ts -query -data other.txt -sha256 -cert -out other.tsq",
       }) {
    if (std::system((cd + step + quiet).c_str()) != 0) {
      *error = std::string("failed: ") + step;
      return nullptr;
    }
  }
  tsa->listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (tsa->listen_fd_ < 0 ||
      ::bind(tsa->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(tsa->listen_fd_, 8) != 0 ||
      ::getsockname(tsa->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    *error = "cannot listen on 127.0.0.1";
    return nullptr;
  }
  tsa->port_ = ntohs(addr.sin_port);
  tsa->thread_ = std::thread([t = tsa.get()] { t->serve(); });
  return tsa;
}

LoopbackTsa::~LoopbackTsa() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void LoopbackTsa::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    answer(fd);
    ::close(fd);
  }
}

void LoopbackTsa::answer(int fd) {
  std::string query;
  if (!read_request(fd, &query)) return;
  ++requests_;
  const Mode mode = mode_;
  switch (mode) {
    case Mode::kHttpError:
      send_all(fd, http_response("500 Internal Server Error", "text/plain", "no"));
      return;
    case Mode::kSilent: {  // until the client gives up (closes), or a bound
      const auto until = Clock::now() + kSilentHoldMax;
      while (!stop_ && Clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        char byte;
        if (::poll(&p, 1, 20) > 0 && ::recv(fd, &byte, 1, 0) <= 0) break;
      }
      return;
    }
    case Mode::kGarbage:
      send_all(fd, http_response("200 OK", "application/timestamp-reply", "not a DER reply"));
      return;
    case Mode::kGrant:
    case Mode::kWrongReply:
      break;
  }
  write_all(dir_ / "query.tsq", query);
  const std::string queryfile = mode == Mode::kWrongReply ? "other.tsq" : "query.tsq";
  std::filesystem::remove(dir_ / "reply.tsr");
  const std::string cmd = "cd " + quoted(dir_) +
                          " && openssl ts -reply -config tsa.cnf -queryfile " + queryfile +
                          " -signer tsa.pem -inkey tsa.key -out reply.tsr >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    send_all(fd, http_response("500 Internal Server Error", "text/plain", "openssl failed"));
    return;
  }
  send_all(fd,
           http_response("200 OK", "application/timestamp-reply", read_all(dir_ / "reply.tsr")));
}

}  // namespace atelier::c2pa::testing
