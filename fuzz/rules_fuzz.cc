// libFuzzer target: the parsers of what a studio or an oracle sends the market — pricing rules
// (rules.h JSON), feed policies and reported prices (oracle.h). Build with `make fuzz`; saved
// inputs in fuzz/corpus/rules are replayed by tests/fuzz on every test run.
//
// Input: the whole text is tried as pricing rules; when they parse, their canonical JSON must
// parse back to the same canonical JSON, and applying them to a price from the input must not
// crash. The first line is also tried as a feed price ("3012.45") and the lines after it as
// feed policy parameters ("name=value").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "market/oracle.h"
#include "market/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = atelier::market::parse_pricing_rules(text);
  if (rules) {
    const std::string canonical = atelier::market::pricing_rules_json(*rules);
    auto again = atelier::market::parse_pricing_rules(canonical);
    if (!again || atelier::market::pricing_rules_json(*again) != canonical) std::abort();
    std::uint64_t seed = 0;
    std::memcpy(&seed, data, std::min<std::size_t>(size, sizeof seed));
    (void)atelier::market::apply_pricing_rules(*rules, atelier::U256(seed),
                                               {.rarity_rank = seed % 100 + 1,
                                                .elapsed_s = seed % 10'000'000,
                                                .sold = seed % 1'000,
                                                .collection_size = 100});
  }
  std::string_view first = text.substr(0, text.find('\n'));
  auto price = atelier::market::parse_price_wad(first, "price");
  if (price && price->is_zero()) std::abort();  // Zero prices are refused.
  atelier::market::PriceParams params;
  for (std::size_t at = text.find('\n'); at != std::string_view::npos;) {
    std::string_view line = text.substr(at + 1);
    at = text.find('\n', at + 1);
    line = line.substr(0, line.find('\n'));
    if (auto eq = line.find('='); eq != std::string_view::npos) {
      params.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
  }
  (void)atelier::market::parse_feed_policy("ETH-USD", params);
  return 0;
}
