// `atelier market quote`, run as a child process as scripts run it: the printed price, the
// exact --json object, and exit code 2 with "error: <code>: <message> (field: <name>)" on bad
// input. The command needs no data directory; the tests run it from an empty one to check it
// creates nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/cli_support.h"
#include "tests/store/test_dir.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::Output;
using testing::quoted;

class MarketQuote : public ::testing::Test {
 protected:
  // Runs `atelier market quote ARGS…` inside the scratch directory.
  Output quote(const std::vector<std::string>& args) {
    return testing::run_shell(
        "cd " + quoted(work_.string()) + " && " + quoted(ATELIER_BIN) + " market quote", args,
        scratch_);
  }

  void SetUp() override { fs::create_directories(work_); }

  testing::TempDir tmp_;
  fs::path scratch_ = tmp_.path();
  fs::path work_ = tmp_ / "work";
};

const std::vector<std::string> kVrgda = {
    "vrgda-linear", "--param",        "target_price=69420000000000000000", "--param", "decay=0.31",
    "--param",      "per_time_unit=2"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

TEST_F(MarketQuote, PrintsThePriceInWei) {
  auto o = quote(with(kVrgda, {"--elapsed-s", "10368000", "--sold", "239"}));  // On schedule.
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "69420000000000000000\n");
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(fs::is_empty(work_)) << "quote must not create a data directory";
}

TEST_F(MarketQuote, JsonIsExactlyThePriceObject) {
  auto o = quote(with(kVrgda, {"--elapsed-s", "10368000", "--sold", "239", "--json"}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "{\"price_wei\":\"69420000000000000000\"}\n");
  o = quote({"dutch-linear", "--param", "start_price=1000000000000000007", "--param",
             "end_price=123456789012345678", "--param", "duration_s=25200", "--elapsed-s", "1",
             "--json"});
  EXPECT_EQ(o.out, "{\"price_wei\":\"999965216539246529\"}\n");
}

TEST_F(MarketQuote, BatchKindsTakeAQuantityAndDefaultsAreZeroAndOne) {
  std::vector<std::string> gda = {"gda-discrete",
                                  "--param",
                                  "initial_price=1000000000000000000",
                                  "--param",
                                  "scale_factor=1.1",
                                  "--param",
                                  "decay_constant=0.0001"};
  auto first = quote(gda);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(quote(with(gda, {"--elapsed-s", "0", "--sold", "0", "--quantity", "1"})).out,
            first.out);
  auto three = quote(with(gda, {"--quantity", "3"}));
  EXPECT_EQ(three.exit_code, 0) << three.err;
  EXPECT_GT(three.out.size(), 0u);
  EXPECT_NE(three.out, first.out);
}

struct BadInput {
  std::vector<std::string> args;
  std::string code;
  std::string field;
};

TEST_F(MarketQuote, BadInputExitsTwoNamingCodeAndField) {
  const std::vector<BadInput> cases = {
      {{"dutch-quadratic"}, "unknown_kind", "kind"},
      {with(kVrgda, {"--param", "speed=2"}), "unknown_param", "params.speed"},
      {{"vrgda-linear", "--param", "target_price=1", "--param", "decay=0.31"},
       "missing_param",
       "params.per_time_unit"},
      {{"vrgda-linear", "--param", "target_price=1", "--param", "decay=abc", "--param",
        "per_time_unit=2"},
       "invalid_number",
       "params.decay"},
      {{"vrgda-linear", "--param", "target_price=1", "--param", "decay=1.5", "--param",
        "per_time_unit=2"},
       "value_out_of_range",
       "params.decay"},
      {with(kVrgda, {"--elapsed-s=-5"}), "negative_value", "elapsed_s"},
      {with(kVrgda, {"--elapsed-s", "ten"}), "invalid_number", "elapsed_s"},
      {with(kVrgda, {"--sold", "1.5"}), "invalid_number", "sold"},
      {with(kVrgda, {"--quantity", "2"}), "invalid_quantity", "quantity"},
      {with(kVrgda, {"--sold", "100000"}), "price_overflow", "sold"},
      {{"vrgda-linear", "--param", "target_price"}, "invalid_param", "params"},
  };
  for (const auto& c : cases) {
    auto o = quote(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.code << ": " << o.err;
    EXPECT_THAT(o.err, StartsWith("error: " + c.code + ": ")) << o.err;
    EXPECT_THAT(o.err, HasSubstr("(field: " + c.field + ")\n")) << o.err;
    EXPECT_EQ(o.out, "") << c.code;
  }
}

TEST_F(MarketQuote, UsageErrorsExitTwo) {
  EXPECT_EQ(quote({}).exit_code, 2);                                   // No KIND.
  EXPECT_EQ(quote(with(kVrgda, {"--elapsed-s", "-5"})).exit_code, 2);  // CLI11 or ours: still 2.
  EXPECT_EQ(quote(with(kVrgda, {"--bogus"})).exit_code, 2);
}

}  // namespace
}  // namespace atelier
