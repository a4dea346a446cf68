#include "api/internal/router.h"

#include <gtest/gtest.h>

namespace atelier::api {
namespace {

Route route(std::string method, std::string path, std::vector<ParamDoc> params = {}) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.operation_id = r.method + r.path;
  r.summary = "s";
  r.scope = r.mutating() ? "render" : "";
  r.params = std::move(params);
  r.responses = {{200, "ok"}};
  r.handler = [](RequestContext&) -> Result<HttpResponse> { return HttpResponse{}; };
  return r;
}

ParamDoc path_param(std::string name) { return {.name = std::move(name), .in = ParamIn::kPath}; }

RouteTable table() {
  RouteTable t;
  t.add(route("GET", "/v1/assets/{sha256}", {path_param("sha256")}));
  t.add(route("GET", "/v1/assets/{sha256}/variants", {path_param("sha256")}));
  t.add(route("GET", "/v1/renders/{id}", {path_param("id")}));
  t.add(route("GET", "/v1/renders/latest"));
  t.add(route("POST", "/v1/renders"));
  t.add(route("GET", "/"));
  return t;
}

TEST(Router, MatchesTemplatesAndExtractsDecodedParams) {
  auto t = table();
  auto m = t.match("GET", "/v1/assets/ab%63d");
  ASSERT_EQ(m.kind, RouteTable::MatchKind::kFound);
  EXPECT_EQ(m.route->path, "/v1/assets/{sha256}");
  ASSERT_EQ(m.path_params.size(), 1u);
  EXPECT_EQ(m.path_params[0].first, "sha256");
  EXPECT_EQ(m.path_params[0].second, "abcd");
  EXPECT_EQ(t.match("GET", "/v1/assets/x/variants").route->path, "/v1/assets/{sha256}/variants");
  EXPECT_EQ(t.match("GET", "/").kind, RouteTable::MatchKind::kFound);
}

TEST(Router, LiteralSegmentBeatsParameter) {
  auto t = table();
  EXPECT_EQ(t.match("GET", "/v1/renders/latest").route->path, "/v1/renders/latest");
  EXPECT_EQ(t.match("GET", "/v1/renders/abc").route->path, "/v1/renders/{id}");
}

TEST(Router, UnknownPathIsNotFound) {
  auto t = table();
  EXPECT_EQ(t.match("GET", "/v1/nope").kind, RouteTable::MatchKind::kNotFound);
  EXPECT_EQ(t.match("GET", "/v1/assets/").kind, RouteTable::MatchKind::kNotFound);  // Empty param.
  EXPECT_EQ(t.match("GET", "/v1/assets/a/b/c").kind, RouteTable::MatchKind::kNotFound);
  EXPECT_EQ(t.match("GET", "v1/assets/a").kind, RouteTable::MatchKind::kNotFound);
}

TEST(Router, WrongMethodIsMethodNotAllowedWithAllow) {
  auto t = table();
  auto m = t.match("DELETE", "/v1/renders");
  EXPECT_EQ(m.kind, RouteTable::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
  auto g = t.match("PUT", "/v1/assets/abc");
  EXPECT_EQ(g.allow, "GET, HEAD");
}

TEST(Router, HeadUsesTheGetRoute) {
  auto t = table();
  auto m = t.match("HEAD", "/v1/assets/abc");
  ASSERT_EQ(m.kind, RouteTable::MatchKind::kFound);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(Router, BadEscapeIsReported) {
  auto t = table();
  EXPECT_TRUE(t.match("GET", "/v1/assets/%zz").bad_escape);
  EXPECT_TRUE(t.match("GET", "/v1/assets/%00").bad_escape);
}

TEST(Router, TemplateParams) {
  EXPECT_EQ(template_params("/v1/a/{x}/b/{y}"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(template_params("/v1/health").empty());
}

TEST(RouterDeathTest, TableBugsAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        RouteTable t;
        auto r = route("POST", "/v1/x");
        r.scope = "";
        t.add(r);
      },
      "without a scope");
  EXPECT_DEATH(
      {
        RouteTable t;
        t.add(route("GET", "/v1/x/{id}"));
      },
      "without ParamDoc");
  EXPECT_DEATH(
      {
        RouteTable t;
        t.add(route("GET", "/v1/x"));
        t.add(route("GET", "/v1/x"));
      },
      "duplicate");
  EXPECT_DEATH(
      {
        RouteTable t;
        auto r = route("GET", "/v1/x");
        r.scope = "god";
        t.add(r);
      },
      "unknown scope");
}

TEST(Router, AGreedyLastParameterTakesTheRestOfThePath) {
  RouteTable t;
  t.add(route("GET", "/tile/{tile+}", {path_param("tile")}));
  t.add(route("GET", "/tile/fixed"));
  auto m = t.match("GET", "/tile/1/x001/x234/067.p/8");
  ASSERT_EQ(m.kind, RouteTable::MatchKind::kFound);
  ASSERT_EQ(m.path_params.size(), 1u);
  EXPECT_EQ(m.path_params[0].first, "tile");
  EXPECT_EQ(m.path_params[0].second, "1/x001/x234/067.p/8");
  EXPECT_EQ(t.match("GET", "/tile/entries/000").path_params[0].second, "entries/000");
  EXPECT_EQ(t.match("GET", "/tile/fixed").route->path, "/tile/fixed");  // Literal still wins.
  EXPECT_EQ(t.match("GET", "/tile").kind, RouteTable::MatchKind::kNotFound);   // Needs one segment.
  EXPECT_EQ(t.match("GET", "/tile/0//000").kind,
            RouteTable::MatchKind::kNotFound);  // No empty ones.
  EXPECT_EQ(template_params("/tile/{tile+}"), std::vector<std::string>{"tile"});
  EXPECT_EQ(openapi_path("/tile/{tile+}"), "/tile/{tile}");
}

}  // namespace
}  // namespace atelier::api
