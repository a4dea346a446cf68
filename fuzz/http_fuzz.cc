// libFuzzer target: HTTP/1.1 request framing — raw bytes from a connection through the parsing
// the server does (http_server.cc): the raw head check (obs-fold), Beast's request parser with
// the server's limits, the framing check of http_framing.h, then the body; requests pipelined
// on the connection are read one after another until the input ends, a request is refused, or
// one does not keep the connection alive. Build with `make fuzz`; saved inputs in
// fuzz/corpus/http are replayed by tests/fuzz on every test run.
//
// Properties: nothing crashes. A refusal is 400, 413, 431 or 501; trailer fields are refused. An
// accepted request has exactly one framing: one Content-Length that parses as one number, or
// Transfer-Encoding that is a lone `chunked` (HTTP/1.1), or neither and no body; Beast frames it
// the same way. And a second, strict reading of the same bytes agrees with Beast's (a proxy in
// front reads them with another parser, and where two readings differ a request can be smuggled):
// the head is lines ending in CRLF with no bare CR or LF and no folded line, its Content-Length and
// Transfer-Encoding fields are the ones Beast saw, and a chunked body decodes (RFC 9112 §7.1)
// to the same bytes and ends where Beast's ends. ATELIER_HTTP_FUZZ_VERBOSE=1 prints each
// request's verdict (to check what seeds reach).
//
// Finding 1 (fixed): Beast adds a chunked body's trailer fields to the request's fields, so a
// trailer (here one folded with obs-fold, which Beast also unfolds there) reached the handlers
// as a header no proxy saw; now refused (http_framing.h trailer_error). Saved inputs:
// fuzz/corpus/http/finding-trailer-*.txt.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/internal/http_framing.h"
#include "core/limits.h"

namespace {

namespace api = atelier::api;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kRequestsMax = 16;  // Pipelined requests read from one input.
constexpr std::size_t kHeaderBytesMax = atelier::limits::kRequestHeaderBytesMax;
constexpr std::uint64_t kBodyBytesMax = atelier::limits::kRequestBodyBytesMax;

void check(bool ok) {
  if (!ok) std::abort();
}

void say(const char* verdict, std::string_view detail = {}) {
  static const bool verbose = std::getenv("ATELIER_HTTP_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "%s %.*s\n", verdict, static_cast<int>(detail.size()), detail.data());
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t field_count(const http::request_header<>& h) {
  return static_cast<std::size_t>(std::distance(h.begin(), h.end()));
}

// Every CR is followed by LF and every LF follows a CR.
bool crlf_only(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  }
  return true;
}

// The strict reading of an accepted head (request line and fields, ending in CRLF CRLF): the
// values of its Content-Length and Transfer-Encoding fields, in order.
struct StrictHead {
  std::vector<std::string_view> content_lengths;
  std::vector<std::string_view> transfer_encodings;
};

StrictHead read_head_strictly(std::string_view head) {
  check(head.size() >= 4 && head.substr(head.size() - 4) == "\r\n\r\n");
  check(crlf_only(head));
  StrictHead out;
  head.remove_suffix(2);
  bool start_line = true;
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    check(eol != std::string_view::npos);
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (start_line) {
      if (line.empty()) continue;  // Empty lines before the request line (RFC 9112 §2.2).
      start_line = false;
      continue;
    }
    check(!line.empty() && line[0] != ' ' && line[0] != '\t');  // No obs-fold.
    const auto colon = line.find(':');
    check(colon != std::string_view::npos && colon > 0);
    const std::string_view name = line.substr(0, colon);
    for (char c : name) check(c > ' ' && c < 127);  // A token: no space before the colon.
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (api::iequals(name, "Content-Length")) out.content_lengths.push_back(value);
    if (api::iequals(name, "Transfer-Encoding")) out.transfer_encodings.push_back(value);
  }
  check(!start_line);
  return out;
}

// A strict chunked decoder (RFC 9112 §7.1): the body and the bytes it took, or nothing where
// `in` is not a complete, valid chunked body.
struct Decoded {
  std::string body;
  std::size_t used = 0;
};

std::optional<Decoded> decode_chunked_strictly(std::string_view in) {
  Decoded out;
  std::size_t at = 0;
  for (;;) {
    // chunk-size [ chunk-ext ] CRLF
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (; at < in.size(); ++at, ++digits) {
      const char c = in[at];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) break;
      if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) return std::nullopt;
      size = size * 16 + static_cast<std::uint64_t>(d);
    }
    if (digits == 0) return std::nullopt;
    const auto eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) return std::nullopt;
    const std::string_view ext = in.substr(at, eol - at);
    if (!ext.empty() && (trim_ows(ext).empty() || trim_ows(ext).front() != ';'))
      return std::nullopt;
    for (char c : ext) {
      if ((static_cast<unsigned char>(c) < ' ' && c != '\t') || c == 127) return std::nullopt;
    }
    at = eol + 2;
    if (size == 0) break;
    if (in.size() - at < size || in.size() - at - size < 2) return std::nullopt;
    out.body.append(in.substr(at, size));
    at += size;
    if (in.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
  }
  // trailer-section CRLF: field lines, then an empty line.
  for (;;) {
    const auto eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) return std::nullopt;
    const std::string_view line = in.substr(at, eol - at);
    at = eol + 2;
    if (line.empty()) break;
    if (!crlf_only(line) || line[0] == ' ' || line[0] == '\t') return std::nullopt;
    if (line.find(':') == std::string_view::npos) return std::nullopt;
  }
  out.used = at;
  return out;
}

// One request from the front of `in`, as Session::read_header, on_header and read_body do it.
// Returns the bytes it took when it was accepted and the connection stays open for the next.
std::optional<std::size_t> read_one(std::string_view in) {
  if (auto bad = api::raw_head_error(in)) {
    check(bad->status == 400 && bad->error.code == "bad_framing");
    say("refused 400 (raw head)", bad->error.message);
    return std::nullopt;
  }
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kHeaderBytesMax));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code ec;
  const std::size_t head_bytes = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
  if (ec) {  // need_more: the server waits; else 431 or 400.
    say(ec == http::error::need_more ? "incomplete head" : "refused (parser)", ec.message());
    return std::nullopt;
  }
  check(parser.is_header_done() && head_bytes <= kHeaderBytesMax);

  const auto& head = parser.get();
  const auto fields = api::framing_fields(head, head.version());
  if (auto bad = api::framing_error(fields)) {
    check(bad->status == 400 || bad->status == 501);
    say(bad->status == 400 ? "refused 400" : "refused 501", bad->error.message);
    return std::nullopt;
  }

  const std::size_t fields_in_header = field_count(head);

  // Accepted: exactly one framing, and the one Beast will read the body by.
  const StrictHead strict = read_head_strictly(in.substr(0, head_bytes));
  check(strict.content_lengths == fields.content_lengths);
  check(strict.transfer_encodings.size() == fields.transfer_encodings.size());
  check(fields.content_lengths.empty() || fields.transfer_encodings.empty());
  std::optional<std::uint64_t> length;
  if (!fields.content_lengths.empty()) {
    check(fields.content_lengths.size() == 1 && !parser.chunked());
    std::uint64_t v = 0;
    const std::string_view text = fields.content_lengths[0];
    check(!text.empty());
    for (char c : text) {
      check(c >= '0' && c <= '9' && v <= (std::numeric_limits<std::uint64_t>::max() - 9) / 10);
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    check(parser.content_length() == v);
    length = v;
  } else if (!fields.transfer_encodings.empty()) {
    check(parser.chunked() && !parser.content_length() && head.version() == 11);
  } else {
    check(!parser.chunked() && !parser.content_length() && parser.is_done());
  }
  if (length && *length > kBodyBytesMax) {
    say("refused 413");
    return std::nullopt;
  }

  // The body, as http::async_read reads it.
  parser.body_limit(kBodyBytesMax);
  parser.eager(true);
  std::size_t at = head_bytes;
  for (std::size_t step = 0; !parser.is_done(); ++step) {
    check(step <= in.size());
    // Beast takes a partial chunk without asking for more: at the end of the input the body is
    // incomplete (the server reads on, or times out).
    if (at == in.size()) {
      say("incomplete body");
      return std::nullopt;
    }
    const std::size_t used = parser.put(boost::asio::buffer(in.data() + at, in.size() - at), ec);
    at += used;
    if (ec == http::error::need_more && used > 0) continue;
    if (ec) {  // Incomplete (the server waits), 413 or 400.
      say(ec == http::error::need_more ? "incomplete body" : "refused (body)", ec.message());
      return std::nullopt;
    }
  }
  if (auto bad = api::trailer_error(fields_in_header, field_count(parser.get()))) {
    check(bad->status == 400 && parser.chunked());
    say("refused 400 (trailer)");
    return std::nullopt;
  }
  const std::string_view body = in.substr(head_bytes, at - head_bytes);
  if (length) {
    check(body.size() == *length && parser.get().body() == body);
  } else if (parser.chunked()) {
    auto decoded = decode_chunked_strictly(in.substr(head_bytes));
    check(decoded.has_value());
    check(decoded->used == body.size() && decoded->body == parser.get().body());
  } else {
    check(body.empty());
  }
  say(parser.chunked() ? "accepted chunked"
      : length         ? "accepted length"
                       : "accepted no body",
      std::string_view(head.target().data(), head.target().size()));
  if (!parser.keep_alive()) return std::nullopt;
  return at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (std::size_t n = 0; n < kRequestsMax && !in.empty(); ++n) {
    auto used = read_one(in);
    if (!used) break;
    check(*used > 0 && *used <= in.size());
    in.remove_prefix(*used);
  }
  return 0;
}
