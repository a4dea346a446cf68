// Small pieces of the conventions: error bodies, query parsing, ETag matching, listen
// addresses, request ids.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/internal/api_error.h"
#include "api/internal/handler_util.h"
#include "api/internal/http_server.h"
#include "api/internal/http_types.h"
#include "api/internal/pipeline.h"

namespace atelier::api {
namespace {

TEST(ApiError, StatusAndTypeForEveryKind) {
  struct Case {
    ErrorKind kind;
    int status;
    const char* type;
  };
  for (auto c : {Case{ErrorKind::kInvalidInput, 400, "invalid_request_error"},
                 Case{ErrorKind::kUnauthorized, 401, "authentication_error"},
                 Case{ErrorKind::kForbidden, 403, "permission_error"},
                 Case{ErrorKind::kNotFound, 404, "not_found_error"},
                 Case{ErrorKind::kConflict, 409, "conflict_error"},
                 Case{ErrorKind::kTooLarge, 413, "invalid_request_error"},
                 Case{ErrorKind::kLimitExceeded, 422, "invalid_request_error"},
                 Case{ErrorKind::kRateLimited, 429, "rate_limit_error"},
                 Case{ErrorKind::kInternal, 500, "api_error"}}) {
    auto r = error_response(Error{c.kind, "some_code", "msg", "field.x"});
    EXPECT_EQ(r.status, c.status);
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["error"]["type"], c.type) << c.status;
    EXPECT_EQ(j["error"]["code"], "some_code");
    EXPECT_EQ(j["error"]["message"], "msg");
    EXPECT_EQ(j["error"]["param"], "field.x");
    EXPECT_EQ(r.content_type, "application/json");
  }
}

TEST(ApiError, ParamIsNullWithoutField) {
  auto j = nlohmann::json::parse(error_response(Error::not_found("x", "y")).body);
  EXPECT_TRUE(j["error"]["param"].is_null());
  EXPECT_EQ(j["error"].size(), 4u);
  EXPECT_EQ(j.size(), 1u);
}

TEST(ApiError, ExplicitStatusOverridesKind) {
  auto r = error_response(Error::invalid("idempotency_key_reused", "m"), 422);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["type"], "invalid_request_error");
  EXPECT_EQ(error_type(503), "api_error");
}

TEST(HttpTypes, QueryParsingDecodes) {
  auto q = parse_query("a=1&b=x%20y&c=p+q&&d&e=");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 5u);
  EXPECT_EQ((*q)[1].second, "x y");
  EXPECT_EQ((*q)[2].second, "p q");
  EXPECT_EQ((*q)[3].first, "d");
  EXPECT_EQ((*q)[3].second, "");
  EXPECT_FALSE(parse_query("a=%G1"));
  EXPECT_FALSE(parse_query("a=%4"));
  EXPECT_FALSE(parse_query("a=%"));
}

TEST(HttpTypes, PercentRoundTrip) {
  std::string s = "a b/c?d=é";
  EXPECT_EQ(percent_decode(percent_encode(s), false), s);
  EXPECT_EQ(percent_encode("A-z_.~"), "A-z_.~");
}

TEST(HttpTypes, HeadersAreCaseInsensitive) {
  HttpRequest r;
  r.headers = {{"Content-Type", "x"}};
  EXPECT_EQ(r.header("content-type"), "x");
  EXPECT_FALSE(r.header("accept"));
  r.target = "/a/b?x=1";
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1");
  HttpResponse res;
  res.set_header("ETag", "1");
  res.set_header("etag", "2");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.header("ETAG"), "2");
}

TEST(HandlerUtil, IfNoneMatch) {
  const std::string tag(64, 'a');
  EXPECT_TRUE(if_none_match_matches("\"" + tag + "\"", tag));
  EXPECT_TRUE(if_none_match_matches("W/\"" + tag + "\"", tag));
  EXPECT_TRUE(if_none_match_matches("\"x\", \"" + tag + "\"", tag));
  EXPECT_TRUE(if_none_match_matches("*", tag));
  EXPECT_FALSE(if_none_match_matches(tag, tag));  // Unquoted is not an entity tag.
  EXPECT_FALSE(if_none_match_matches("\"x\"", tag));
  EXPECT_FALSE(if_none_match_matches("", tag));
}

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_listen_address("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_TRUE(parse_listen_address("localhost:65535"));
  for (const char* bad :
       {"", "8080", ":8080", "host:", "host:65536", "host:-1", "::1:80", "[::1]80", "h:8x"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
}

TEST(RequestId, AcceptsSafeIdsAndReplacesOthers) {
  EXPECT_EQ(request_id_for(std::string_view("abc-123_X.y:z")), "abc-123_X.y:z");
  EXPECT_TRUE(request_id_for(std::nullopt).starts_with("req_"));
  EXPECT_TRUE(request_id_for(std::string_view("has space")).starts_with("req_"));
  EXPECT_TRUE(request_id_for(std::string_view(std::string(65, 'a'))).starts_with("req_"));
  EXPECT_EQ(request_id_for(std::string_view(std::string(64, 'a'))), std::string(64, 'a'));
  EXPECT_NE(request_id_for(std::nullopt), request_id_for(std::nullopt));
}

}  // namespace
}  // namespace atelier::api
