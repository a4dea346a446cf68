#include "api/internal/metrics.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace atelier::api {
namespace {

TEST(Metrics, CountersAndHistogramsInTextFormat) {
  Metrics m;
  m.observe_request("/v1/assets/{sha256}", "GET", 200, 0.003);
  m.observe_request("/v1/assets/{sha256}", "GET", 200, 0.2);
  m.observe_request("/v1/assets/{sha256}", "GET", 404, 0.001);
  m.observe_render(false, 0.07);
  m.observe_render(true, 0.001);
  auto text = m.prometheus_text();
  EXPECT_NE(text.find("# HELP atelier_http_requests_total "), std::string::npos);
  EXPECT_NE(text.find("# TYPE atelier_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("atelier_http_requests_total{route=\"/v1/assets/"
                      "{sha256}\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE atelier_http_request_duration_seconds histogram\n"),
            std::string::npos);
  // Cumulative buckets: 0.003 falls in le=0.005, 0.2 in le=0.25; 0.001 in le=0.001.
  EXPECT_NE(text.find("atelier_http_request_duration_seconds_bucket{route=\"/v1/assets/"
                      "{sha256}\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("atelier_http_request_duration_seconds_bucket{route=\"/v1/assets/"
                      "{sha256}\",le=\"0.005\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("atelier_http_request_duration_seconds_bucket{route=\"/v1/assets/"
                      "{sha256}\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("atelier_http_request_duration_seconds_count{route=\"/v1/assets/{sha256}\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("atelier_renders_total{cached=\"false\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("atelier_renders_total{cached=\"true\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("atelier_render_duration_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("atelier_render_duration_seconds_count 1\n"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, ParsesWithAThirdPartyParser) {
  if (auto why = testing::node_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  Metrics m;
  m.observe_request("/v1/x/{id}", "GET", 200, 0.01);
  m.observe_request("unmatched", "GET", 404, 0.0001);
  m.observe_render(false, 1.5);
  testing::TempDir dir;
  auto file = dir.path() / "metrics.txt";
  testing::write_text(file, m.prometheus_text());
  std::string out;
  EXPECT_EQ(testing::run_node_tool("validate-prometheus.mjs", file, out), 0) << out;
  EXPECT_NE(out.find("atelier_http_request_duration_seconds HISTOGRAM"), std::string::npos) << out;
}

}  // namespace
}  // namespace atelier::api
