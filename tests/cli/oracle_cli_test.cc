// `atelier oracle …`, run as a child process as scripts run it, on a fresh data directory:
// registering a feed, reporting, showing the price (text and the exact JSON of GET
// /v1/oracles/feeds/{id}), the tripped breaker, and exit codes 2/3 with "error: <code>: …
// (field: <name>)" on bad input, which changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_support.h"
#include "tests/store/test_dir.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::Output;
using testing::quoted;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OracleCli : public ::testing::Test {
 protected:
  // Runs `atelier --data <tmp>/data oracle ARGS…`.
  Output oracle(const std::vector<std::string>& args) {
    return testing::run_shell(
        quoted(ATELIER_BIN) + " --data " + quoted((tmp_ / "data").string()) + " oracle", args,
        tmp_.path());
  }
  Output add_eth_usd(const std::string& min_sources = "2") {
    return oracle({"feed", "add", "ETH-USD", "--param", "max_age_ms=600000", "--param",
                   "max_deviation_bps=200", "--param", "min_sources=" + min_sources, "--param",
                   "sources=a,b,c"});
  }

  testing::TempDir tmp_;
};

TEST_F(OracleCli, RegisterReportAndShow) {
  auto added = add_eth_usd();
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.out, "ETH-USD: registered (log entry 0)\n");
  EXPECT_EQ(add_eth_usd().out, "ETH-USD: unchanged\n");

  auto r = oracle({"report", "ETH-USD", "a", "3012.45"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: log entry 1\n");
  const std::int64_t observed = now_ms() - 1000;
  r = oracle({"report", "ETH-USD", "b", "3012.47", "--observed-ms", std::to_string(observed)});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  auto shown = oracle({"show", "ETH-USD"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, StartsWith("ETH-USD  ok  3012.46 USD per ETH  (as of " +
                                    std::to_string(observed) + " ms; used a,b)\n"));
  EXPECT_THAT(
      shown.out,
      HasSubstr("  policy: max_age_ms=600000 max_deviation_bps=200 min_sources=2 sources=a,b,c\n"));
  EXPECT_THAT(shown.out, HasSubstr("  b  3012.47  observed " + std::to_string(observed) + " ms"));

  auto j = oracle({"show", "ETH-USD", "--json"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  json doc = json::parse(j.out);
  EXPECT_EQ(doc["status"], "ok");
  EXPECT_EQ(doc["price"], "3012.46");
  EXPECT_EQ(doc["price_wad"], "3012460000000000000000");
  EXPECT_EQ(doc["reports"].size(), 2u);

  // A policy change is logged too.
  auto changed = add_eth_usd("1");
  EXPECT_EQ(changed.out, "ETH-USD: policy replaced (log entry 3)\n");
}

TEST_F(OracleCli, ATrippedFeedSaysWhyAndStillExitsZero) {
  ASSERT_EQ(add_eth_usd().exit_code, 0);
  ASSERT_EQ(oracle({"report", "ETH-USD", "a", "3000"}).exit_code, 0);
  auto shown = oracle({"show", "ETH-USD"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(
      shown.out,
      StartsWith("ETH-USD  tripped  feed ETH-USD is not trusted now: 1 usable reports, 2 needed"));
  json doc = json::parse(oracle({"show", "ETH-USD", "--json"}).out);
  EXPECT_EQ(doc["status"], "tripped");
  EXPECT_EQ(doc["code"], "oracle_circuit_open");
}

TEST_F(OracleCli, BadInputExitsNamingCodeAndFieldAndChangesNothing) {
  ASSERT_EQ(add_eth_usd().exit_code, 0);
  ASSERT_EQ(oracle({"report", "ETH-USD", "a", "3000"}).exit_code, 0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string code, field;
  };
  const std::vector<Case> cases = {
      {{"feed", "add", "ETH-USD", "--param", "max_age_ms=1"},
       2,
       "missing_param",
       "params.max_deviation_bps"},
      {{"feed", "add", "ETH-USD", "--param", "max_age"}, 2, "invalid_param", "params"},
      {{"feed", "add", "eth-usd", "--param", "max_age_ms=1", "--param", "max_deviation_bps=1",
        "--param", "min_sources=1"},
       2,
       "invalid_feed_id",
       "id"},
      {{"report", "BTC-USD", "a", "1"}, 3, "unknown_feed", "feed"},
      {{"report", "ETH-USD", "mallory", "1"}, 2, "source_not_allowed", "source"},
      {{"report", "ETH-USD", "b", "3.000.1"}, 2, "invalid_number", "price"},
      {{"report", "ETH-USD", "b", "1", "--observed-ms", "soon"},
       2,
       "invalid_number",
       "observed_ms"},
      {{"report", "ETH-USD", "b", "1", "--observed-ms=-5"}, 2, "value_out_of_range", "observed_ms"},
      {{"report", "ETH-USD", "b", "1", "--observed-ms", std::to_string(now_ms() + 3'600'000)},
       2,
       "report_from_future",
       "observed_ms"},
      {{"report", "ETH-USD", "a", "1", "--observed-ms", "1"},
       2,
       "report_out_of_order",
       "observed_ms"},
      {{"show", "BTC-USD"}, 3, "unknown_feed", "feed"},
  };
  for (const auto& c : cases) {
    auto o = oracle(c.args);
    EXPECT_EQ(o.exit_code, c.exit_code) << c.code << ": " << o.err;
    EXPECT_THAT(o.err, StartsWith("error: " + c.code + ": ")) << o.err;
    EXPECT_THAT(o.err, HasSubstr("(field: " + c.field + ")\n")) << o.err;
    EXPECT_EQ(o.out, "") << c.code;
  }
  json doc = json::parse(oracle({"show", "ETH-USD", "--json"}).out);
  EXPECT_EQ(doc["reports"].size(), 1u);
  EXPECT_EQ(doc["policy"]["max_age_ms"], 600000);
}

TEST_F(OracleCli, HelpNamesTheCommandsAndParams) {
  auto help = oracle({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word : {"feed", "report", "show"}) EXPECT_THAT(help.out, HasSubstr(word));
  auto add = oracle({"feed", "add", "--help"});
  EXPECT_EQ(add.exit_code, 0);
  for (const char* word : {"max_age_ms", "max_deviation_bps", "min_sources", "sources"}) {
    EXPECT_THAT(add.out, HasSubstr(word));
  }
  EXPECT_EQ(oracle({}).exit_code, 2);  // A subcommand is required.
}

}  // namespace
}  // namespace atelier
