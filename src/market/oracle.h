// oracle.h — price feeds (issue 4, "Oracles"): a feed such as ETH-USD is registered with its
// update policy; aggregate() takes the median of the fresh reports of its sources, drops stale
// ones and outliers, and refuses ("oracle_circuit_open") when too few sources remain, so that
// a sale priced through a broken feed is refused instead of guessed. A listing priced in one
// currency can then be paid in another (amount_due), with the buyer's slippage bound checked.
//
//   auto feed = parse_feed_policy("ETH-USD", {{"max_age_ms", "60000"},
//                                             {"max_deviation_bps", "200"},
//                                             {"min_sources", "2"}});
//   Result<FeedPrice> p = aggregate(*feed, reports, clock.now_ms());
//   if (!p) return fail(p.error());                  // stale, split or silent feed: no sale
//   auto due = amount_due(*feed, p->price_wad, {.listed_minor = U256(123456),   // $1234.56
//                                               .listed_currency = "USD", .pay_currency = "ETH"});
//   ATELIER_TRY(check_slippage(*due, buyer_quote_wei, 50));   // buyer accepts 0.5 % more
//
// Pure functions: no clock (the caller passes now_ms), no I/O, no floating point. Prices are
// wads: U256 fixed point with 18 decimals, quote major units per one base major unit
// (ETH-USD 3012.45 is 3012450000000000000000). Amounts are U256 minor units.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "market/pricing.h"  // PriceParams

namespace atelier::market {

// Reports may be dated up to this far after now_ms (clocks of reporters and of this host drift
// apart); later ones cannot have been observed yet and are rejected.
inline constexpr std::int64_t kReportClockSkewMs = 5'000;

// A registered feed. Fields left at their zero defaults are refused by validate_feed_policy:
// an update policy is always chosen, never assumed.
struct FeedPolicy {
  std::string id = {};     // BASE-QUOTE, each [A-Z0-9]{2,10}, different: "ETH-USD".
  std::string base = {};   // "ETH": what one unit of is priced. parse_feed_policy derives both.
  std::string quote = {};  // "USD": what the price is counted in.
  // A report whose age now_ms − observed_ms exceeds this is stale (exactly max_age_ms is
  // fresh). 1 .. limits::kOracleMaxAgeMsMax.
  std::int64_t max_age_ms = 0;
  // A fresh report farther than this from the median of the fresh reports, relative to that
  // median, is an outlier: |p − m| · 10000 > m · max_deviation_bps. 1 .. 10000.
  std::int64_t max_deviation_bps = 0;
  // Fewer accepted reports (distinct sources) than this trips the breaker. 1 .. kOracleSourcesMax,
  // and at most sources.size() when sources is not empty.
  std::int64_t min_sources = 0;
  // The reporters whose reports count; empty: any. Names: 1..kOracleSourceBytesMax of
  // [A-Za-z0-9._:-], no duplicates, at most kOracleSourcesMax.
  std::vector<std::string> sources = {};
};

// One observation by one reporter.
struct OracleReport {
  std::string source = {};
  U256 price_wad = {};           // Quote per base, 18 decimals; 0 is refused (never a price).
  std::int64_t observed_ms = 0;  // Unix epoch ms when the reporter observed the price.
};

// The outcome of a successful aggregation. Each list names sources, sorted, each once.
struct FeedPrice {
  U256 price_wad = {};                     // Median of the accepted reports.
  std::int64_t as_of_ms = 0;               // The oldest accepted report's observed_ms.
  std::vector<std::string> used = {};      // Accepted.
  std::vector<std::string> stale = {};     // Latest report older than max_age_ms.
  std::vector<std::string> outliers = {};  // Fresh, but beyond max_deviation_bps of the median.
  // Sent a report refused at step 1 of aggregate() (not an allowed source, price 0,
  // observed_ms < 0, dated in the future); another report of the same source may still count.
  std::vector<std::string> rejected = {};
};

// Builds and validates a policy from name=value pairs: "max_age_ms", "max_deviation_bps",
// "min_sources" (required, decimal integers) and "sources" (optional, comma-separated names).
// Codes, each naming the field ("id", "params.<name>"): "invalid_feed_id", "unknown_param",
// "duplicate_param", "missing_param", "invalid_number", "value_out_of_range",
// "invalid_source", "duplicate_source".
Result<FeedPolicy> parse_feed_policy(std::string_view id, const PriceParams& params);
// The same checks on a policy built in code (fields named without "params."); base and quote
// must match the id.
Result<void> validate_feed_policy(const FeedPolicy& policy);

// Exact decimal text ("3012.45", at most 18 decimals) to a price wad. Codes naming `field`:
// "invalid_number", "too_many_decimals", "negative_value", "value_out_of_range" (zero, or
// beyond 256 bits).
Result<U256> parse_price_wad(std::string_view text, std::string_view field);

// The feed's price at now_ms (≥ 0) from `reports` (any order, at most kOracleReportsMax):
//  1. Reports from sources outside policy.sources, priced 0, with observed_ms < 0 or
//     observed_ms > now_ms + kReportClockSkewMs are rejected.
//  2. Of the rest, only each source's latest report counts (a tie in observed_ms: the one
//     later in `reports`, i.e. arrival order).
//  3. Stale: now_ms − observed_ms > max_age_ms.
//  4. m = median of the fresh prices (even count: floor of the mean of the two middle ones);
//     outliers: |p − m| · 10000 > m · max_deviation_bps.
//  5. Fewer than min_sources left: Error::conflict("oracle_circuit_open", message with the
//     counts, field "feed") — a 409: the feed's current state refuses the sale, and asking
//     again once reporters recover succeeds. Otherwise the price is the median of those left.
// Other codes: "value_out_of_range" (field "now_ms" or "reports"), and validate_feed_policy's.
Result<FeedPrice> aggregate(const FeedPolicy& policy, std::span<const OracleReport> reports,
                            std::int64_t now_ms);

enum class Rounding { kDown, kUp };
enum class Direction {
  kBaseToQuote,  // An amount of the feed's base, in its quote: multiplies by the price.
  kQuoteToBase,  // An amount of the feed's quote, in its base: divides by the price.
};

struct Conversion {
  int from_decimals = 0;  // Minor units per major of the amount's currency: 10^from_decimals.
  int to_decimals = 0;    // Of the result's currency. Both 0 .. kCurrencyDecimalsMax.
  Direction direction = Direction::kBaseToQuote;
  Rounding rounding = Rounding::kUp;
};

// amount_minor at price_wad, exactly, then rounded once as asked:
//   kBaseToQuote: amount · price_wad · 10^to / (10^18 · 10^from)
//   kQuoteToBase: amount · 10^18 · 10^to / (price_wad · 10^from)
// Codes: "value_out_of_range" (field "price_wad" when 0, "decimals"), "amount_overflow"
// (field "amount": the result does not fit 256 bits).
Result<U256> convert(const U256& amount_minor, const U256& price_wad, const Conversion& c);

// A listing priced in one currency and paid in another.
struct CrossCurrency {
  U256 listed_minor = {};            // The listing's price, in minor units of listed_currency.
  std::string listed_currency = {};  // "USD"
  std::string pay_currency = {};     // "ETH"
};

// What the buyer owes, in minor units of pay_currency, at the feed price: convert() in the
// direction the feed's base and quote give, rounded up, so the seller never receives less than
// the listed price's worth at that price (at most one minor unit more). Codes:
// "unknown_currency" (field "currency": not an atelier currency, ledger::find_currency),
// "currency_mismatch" (field "currency": the two are not the feed's base and quote), and
// convert()'s.
Result<U256> amount_due(const FeedPolicy& feed, const U256& price_wad, const CrossCurrency& c);

// The buyer saw `quoted` and accepts paying up to max_slippage_bps (0 .. 10000) more. Refuses
// with Error::conflict("slippage_exceeded", field "max_slippage_bps": the price moved, asking
// again with a new quote may succeed) when due · 10000 > quoted · (10000 + bps), compared
// exactly; paying less than quoted is always accepted. "value_out_of_range" for a bps outside
// 0 .. 10000.
Result<void> check_slippage(const U256& due, const U256& quoted, std::int64_t max_slippage_bps);

}  // namespace atelier::market
