#include "api/internal/http_framing.h"

#include <string>
#include <utility>

namespace atelier::api {

namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

FramingError bad(std::string message, std::string field) {
  return FramingError{400, Error::invalid("bad_framing", std::move(message), std::move(field))};
}

}  // namespace

bool has_obs_fold(std::string_view head) {
  for (auto at = head.find("\r\n"); at != std::string_view::npos && at + 2 < head.size();
       at = head.find("\r\n", at + 2)) {
    if (head[at + 2] == ' ' || head[at + 2] == '\t') return true;
  }
  return false;
}

std::optional<FramingError> raw_head_error(std::string_view buffered) {
  const auto end = buffered.find("\r\n\r\n");
  if (end == std::string_view::npos || !has_obs_fold(buffered.substr(0, end + 2))) {
    return std::nullopt;
  }
  return bad("obsolete line folding (a header line starting with a space or tab) is not accepted",
             "headers");
}

std::optional<FramingError> framing_error(const FramingFields& fields) {
  std::size_t lengths = fields.content_lengths.size();
  for (auto v : fields.content_lengths) {
    if (v.find(',') != std::string_view::npos) lengths = 2;
  }
  if (lengths > 1) return bad("Content-Length must be given once", "Content-Length");

  std::vector<std::string_view> codings;
  for (auto list : fields.transfer_encodings) {
    while (!list.empty()) {
      auto comma = list.find(',');
      auto item = trim_ows(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (!item.empty()) codings.push_back(item);
    }
    if (codings.empty()) return bad("Transfer-Encoding is empty", "Transfer-Encoding");
  }
  if (codings.empty()) return std::nullopt;
  if (lengths > 0) {
    return bad("Transfer-Encoding and Content-Length must not both be given", "Transfer-Encoding");
  }
  if (fields.version < 11) {
    return bad("Transfer-Encoding is not allowed in an HTTP/1.0 request", "Transfer-Encoding");
  }
  std::size_t chunked = 0;
  for (auto c : codings) chunked += iequals(c, "chunked") ? 1 : 0;
  if (!iequals(codings.back(), "chunked") || chunked != 1) {
    return bad("Transfer-Encoding must end in chunked and name it once", "Transfer-Encoding");
  }
  if (codings.size() > 1) {
    return FramingError{
        501, Error{ErrorKind::kInvalidInput, "transfer_coding_not_implemented",
                   "only the chunked transfer coding is implemented", "Transfer-Encoding"}};
  }
  return std::nullopt;
}

std::optional<FramingError> trailer_error(std::size_t header_fields, std::size_t message_fields) {
  if (message_fields == header_fields) return std::nullopt;
  return bad("trailer fields after a chunked body are not accepted", "trailer");
}

}  // namespace atelier::api
