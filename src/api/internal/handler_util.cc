#include "api/internal/handler_util.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "core/canonical_json.h"
#include "core/limits.h"

namespace atelier::api {

HttpResponse json_text_response(std::string body, int status, const char* cache_control) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  if (cache_control) r.set_header("Cache-Control", cache_control);
  r.body = std::move(body);
  return r;
}

HttpResponse json_response(const nlohmann::json& body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Result<std::optional<std::int64_t>> int_query(const RequestContext& ctx, std::string_view name,
                                              std::int64_t min, std::int64_t max) {
  auto text = ctx.query_param(name);
  if (!text) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || r.ec != std::errc() || r.ptr != text->data() + text->size() || v < min ||
      v > max) {
    return fail(Error::invalid("invalid_parameter",
                               std::string(name) + " must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max),
                               std::string(name)));
  }
  return std::optional<std::int64_t>(v);
}

Result<store::PageRequest> page_request(const RequestContext& ctx) {
  store::PageRequest page;
  page.limit = limits::kPageSizeDefault;
  auto limit = int_query(ctx, "limit", 1, limits::kPageSizeMax);
  if (!limit) {
    return fail(Error::invalid(
        "invalid_limit",
        "limit must be an integer from 1 to " + std::to_string(limits::kPageSizeMax), "limit"));
  }
  if (*limit) page.limit = **limit;
  if (auto cursor = ctx.query_param("cursor")) {
    if (cursor->empty() || cursor->size() > kCursorBytesMax) {
      return fail(
          Error::invalid("invalid_cursor", "cursor is not one this server issued", "cursor"));
    }
    page.cursor = std::string(*cursor);
  }
  return page;
}

HttpResponse page_response(nlohmann::json items, const std::string& next_cursor) {
  nlohmann::json body = {{"data", std::move(items)}, {"next_cursor", nullptr}};
  if (!next_cursor.empty()) body["next_cursor"] = next_cursor;
  return json_response(body);
}

Result<nlohmann::json> body_object(const RequestContext& ctx) {
  auto j =
      parse_json(ctx.request.body, static_cast<std::size_t>(limits::kRequestBodyBytesMax), "body");
  if (!j) return fail(j.error());
  if (!j->is_object()) {
    return fail(Error::invalid("invalid_body", "the body must be a JSON object", "body"));
  }
  return std::move(*j);
}

Result<void> refuse_unknown_fields(const nlohmann::json& j,
                                   std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    const std::string shown = name.substr(0, 64);  // The error echoes it; keep that short.
    return fail(Error::invalid("unknown_field", "unknown field \"" + shown + "\"", shown));
  }
  return {};
}

nlohmann::json stored_json(const std::string& text, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? fallback : j;
}

bool if_none_match_matches(std::string_view header_value, std::string_view tag) {
  while (!header_value.empty()) {
    auto comma = header_value.find(',');
    std::string_view item = header_value.substr(0, comma);
    header_value =
        comma == std::string_view::npos ? std::string_view() : header_value.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item.size() == tag.size() + 2 && item.front() == '"' && item.back() == '"' &&
        item.substr(1, tag.size()) == tag) {
      return true;
    }
  }
  return false;
}

std::optional<std::vector<std::uint8_t>> strict_base64(std::string_view text,
                                                       std::size_t bytes_max) {
  if (text.empty() || text.size() % 4 != 0 || text.size() / 4 * 3 > bytes_max + 2) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  const std::size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - pad);
  std::string again(text.size() + 1, '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(again.data()), out.data(),
                  static_cast<int>(out.size()));
  again.resize(text.size());
  if (again != text || out.size() > bytes_max) return std::nullopt;
  return out;
}

}  // namespace atelier::api
