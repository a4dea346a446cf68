// http_framing.h — the request-smuggling defence (RFC 9112 §5.2, §6) as pure functions: raw
// head bytes or the parsed framing fields in, a refusal or nothing out. http_server.cc applies
// them to every request; tests/api/http_framing_test.cc and fuzz/http_fuzz.cc call them
// without a socket. Free of Beast, like http_types.h (framing_fields takes any field list).
//
// A request whose body length two HTTP parsers could read differently is refused (and the
// server closes the connection after the answer, so that no byte of it is ever read as a
// request of its own). Beast (1.74) treats `Transfer-Encoding: chunked, identity` (or
// `identity`, `gzip`) as "no body" and would run the body as the next request, accepts
// Content-Length after a non-chunked Transfer-Encoding, and unfolds obs-fold silently. So:
//   - obs-fold (a header line starting with SP or HTAB) in the raw head: 400;
//   - Transfer-Encoding (all its fields as one list) must end in `chunked`, name it once, and
//     come without Content-Length and not in HTTP/1.0 (400); codings before `chunked` are not
//     implemented here (501, §6.1);
//   - Content-Length must be given once, as one number (400): repeated or listed values are
//     refused even when equal, rather than guessing which one a proxy used;
//   - a chunked body must end without trailer fields (400; trailer_error below).
// An accepted request therefore has exactly one framing: one Content-Length, a lone
// `chunked`, or neither (no body).
//
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "api/internal/http_types.h"
#include "core/error.h"

namespace atelier::api {

struct FramingError {
  int status;  // 400, or 501 for a transfer coding other than chunked.
  Error error;
};

// The fields that decide a request's framing, as the header parser saw them. The views point
// into the parsed header and live as long as it does.
struct FramingFields {
  unsigned version = 11;                             // 10 for HTTP/1.0, 11 for HTTP/1.1.
  std::vector<std::string_view> content_lengths;     // Every Content-Length value, in order.
  std::vector<std::string_view> transfer_encodings;  // Every Transfer-Encoding value, in order.
};

// Whether `head` (the request line and fields, up to and including the CRLF before the empty
// line) holds obsolete line folding: a line after the first that starts with SP or HTAB.
bool has_obs_fold(std::string_view head);

// The check on raw bytes, before the header parser (which unfolds obs-fold) sees them.
// `buffered` is what has arrived of the request so far; nothing is refused until its head's
// end (the first CRLF CRLF) is in.
std::optional<FramingError> raw_head_error(std::string_view buffered);

// The check on the parsed fields (the rules above).
std::optional<FramingError> framing_error(const FramingFields& fields);

// The check once a body is in: `header_fields` is how many fields the header had and
// `message_fields` how many the parsed message has after the body. Beast adds a chunked body's
// trailer fields to the request's header fields (running its Content-Length, Transfer-Encoding
// and Connection logic on them, and unfolding obs-fold there), which RFC 9110 §6.5.1 forbids:
// a field that a proxy in front never saw in the header would reach the handlers. So a request
// with trailer fields is refused (400), like the other ambiguous messages.
std::optional<FramingError> trailer_error(std::size_t header_fields, std::size_t message_fields);

// Collects the framing fields from a parsed header: `header` iterates fields with
// name_string() and value() (Beast's request header), `version` is 10 or 11.
template <class Fields>
FramingFields framing_fields(const Fields& header, unsigned version) {
  FramingFields out;
  out.version = version;
  for (const auto& f : header) {
    std::string_view name(f.name_string().data(), f.name_string().size());
    std::string_view value(f.value().data(), f.value().size());
    if (iequals(name, "Content-Length")) out.content_lengths.push_back(value);
    if (iequals(name, "Transfer-Encoding")) out.transfer_encodings.push_back(value);
  }
  return out;
}

}  // namespace atelier::api
