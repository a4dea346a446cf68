// http_types.h — the request and response the API layer works with, free of Beast so that
// handlers, the router and their tests compile without it. http_server.cc converts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::api {

struct Header {
  std::string name;
  std::string value;
};

// ASCII case-insensitive equality (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // As sent, e.g. "GET".
  std::string target;  // As sent: path and query, e.g. "/v1/generators?limit=5".
  std::vector<Header> headers;
  std::string body;
  std::string remote_ip;  // The peer address, without port.

  // The first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view path() const;   // target before '?', not decoded.
  std::string_view query() const;  // target after '?', not decoded; empty when none.
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // Empty for a response without a body (204, 304).
  std::vector<Header> headers;
  std::string body;
  // When set, the body is streamed from this file and `body` is ignored (large assets).
  std::filesystem::path body_file;
  bool close = false;  // Close the connection after this response.

  // Replaces any header of that name.
  void set_header(std::string_view name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-decodes `s` ('+' is a space when `plus_is_space`). nullopt on a bad escape or a
// decoded NUL.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// Parses "a=1&b=2" (decoded). nullopt on a bad escape.
std::optional<QueryParams> parse_query(std::string_view query);
// Escapes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

// The reason phrase of a status code ("Not Found").
std::string_view status_reason(int status);

}  // namespace atelier::api
