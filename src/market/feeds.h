// feeds.h — price feeds kept in the ledger store (issue 4, "Oracles"): registered with their
// update policy, reported to by their sources, read as one price, and used to price a
// listing in another currency. The arithmetic is oracle.h's; this adds persistence, the
// clock, and the transparency log.
//
//   Feeds feeds(ledger_store, clock);
//   feeds.register_feed("ETH-USD", {{"max_age_ms", "60000"}, {"max_deviation_bps", "200"},
//                                   {"min_sources", "2"}, {"sources", "chainlink,pyth"}});
//   feeds.report({.feed_id = "ETH-USD", .source = "chainlink", .price = "3012.45",
//                 .observed_ms = observed_ms});
//   Result<Due> due = feeds.due(U256(123456), "USD", "ETH");   // $1234.56 in wei, rounded up
//   if (!due) return fail(due.error());   // "oracle_circuit_open": no sale rather than a guess
//
// Every registration, policy change and report is one LedgerChange committed with its log
// entry ("oracle.feed", "oracle.report"; subject "feed:<id>"). The store keeps each source's
// latest report; earlier ones are in the log. Prices are read at the clock's now, so a feed
// whose reporters fall silent trips by itself (stale reports) and recovers when they resume.
//
// Thread-safety: as the store's; a Feeds holds no state of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/u256.h"
#include "market/oracle.h"
#include "store/ledger_store.h"

namespace atelier::market {

struct FeedRegistration {
  FeedPolicy policy;
  bool created = false;  // The id was new.
  bool changed = false;  // False: the feed already had this policy; nothing was written.
  std::uint64_t log_index = 0;  // Of the "oracle.feed" entry, when changed.
  std::int64_t created_ms = 0;  // The feed's, as registered.
  std::int64_t updated_ms = 0;
};

// A feed as GET /v1/oracles/feeds/{id} and `atelier oracle show` present it.
struct FeedView {
  FeedPolicy policy;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::vector<store::FeedReportRecord> reports;  // Each source's latest, by source.
  std::int64_t now_ms = 0;                       // When `price` was aggregated.
  std::optional<FeedPrice> price;                // Set when the feed is trusted now,
  std::optional<Error> tripped;                  // else why not ("oracle_circuit_open").
};

// What a buyer owes for a listing priced in another currency.
struct Due {
  U256 amount;       // Minor units of the pay currency, rounded up (amount_due).
  std::string feed;  // The feed that priced it; empty when both currencies are the same.
  FeedPrice price;   // Its price then; empty (price_wad 0) when the currencies are the same.
};

// One source's observation of a feed's price, as its reporter sends it. A struct rather than
// four arguments: three of them are strings that would swap unnoticed.
struct SourceReport {
  std::string feed_id;
  std::string source;
  std::string price;  // Decimal text of quote per base unit ("3012.45").
  std::int64_t observed_ms = 0;  // When the reporter saw the price (Unix ms).
};

class Feeds {
 public:
  // Both must outlive the Feeds.
  explicit Feeds(store::LedgerStore& store, const Clock& clock = SystemClock::instance());

  // Registers feed `id` ("ETH-USD") with the policy in `params` (parse_feed_policy: max_age_ms,
  // max_deviation_bps, min_sources, optional sources), or replaces the policy of a feed that
  // exists. Logged "oracle.feed" unless the policy is unchanged. Codes: parse_feed_policy's.
  // `respond`: an idempotent request's response, stored in the registration's transaction
  // (ledger_store.h "Respond"; nothing is stored when nothing changed).
  Result<FeedRegistration> register_feed(std::string_view id, const PriceParams& params,
                                         const store::Respond<FeedRegistration>* respond = nullptr);

  // Records a source's observation of the feed's price (SourceReport). Logged "oracle.report".
  // Codes:
  // "unknown_feed" (404, field "feed"), "invalid_source" and "source_not_allowed" (field
  // "source"), parse_price_wad's (field "price"), "value_out_of_range" (observed_ms < 0) and
  // "report_from_future" (observed_ms beyond now + kReportClockSkewMs; field "observed_ms"),
  // "report_out_of_order" (409: the source already reported a later observation),
  // "too_many_sources" (422). `respond`: an idempotent request's response, stored in the
  // report's transaction (ledger_store.h "Respond").
  Result<store::FeedReportRecord> report(
      const SourceReport& report, const store::Respond<store::FeedReportRecord>* respond = nullptr);

  // The feed's price now: aggregate() over each source's latest report. Codes: "unknown_feed",
  // "oracle_circuit_open" (409, aggregate's: too few fresh, agreeing sources).
  Result<FeedPrice> price(std::string_view feed_id);

  // The feed, its reports, and its price or why it has none now. Codes: "unknown_feed".
  Result<FeedView> show(std::string_view feed_id);
  // The same for a feed with `policy` and those times (a registration not committed yet),
  // over the stored reports.
  Result<FeedView> view(const FeedPolicy& policy, std::int64_t created_ms, std::int64_t updated_ms);

  // The feed that prices one currency in the other, in either orientation ("ETH-USD" serves
  // both ETH→USD and USD→ETH; BASE-QUOTE is preferred when both exist). Codes: "no_feed"
  // (field "currency").
  Result<FeedPolicy> find_pair(std::string_view base, std::string_view quote);

  // listed_amount (minor units of listed_currency) in minor units of pay_currency at the
  // price of the pair's feed now, rounded up (amount_due: the seller never gets less than
  // the listed worth). The same currency on both sides needs no feed: the amount as it is.
  // Codes: "unknown_currency", "no_feed", "unknown_feed", "oracle_circuit_open",
  // amount_due's.
  Result<Due> due(const U256& listed_amount, std::string_view listed_currency,
                  std::string_view pay_currency);

 private:
  struct Loaded {
    FeedPolicy policy;
    store::FeedRecord record;
  };
  Result<Loaded> load(std::string_view feed_id);
  Result<FeedPrice> price_of(const FeedPolicy& policy, std::int64_t now_ms);

  store::LedgerStore& store_;
  const Clock& clock_;
};

// A price wad as exact decimal text, without trailing zeros: 3012450000000000000000 is
// "3012.45", 10^18 is "1".
std::string wad_text(const U256& wad);

// Canonical JSON of a policy as stored and logged: {"max_age_ms","max_deviation_bps",
// "min_sources","sources":[…]} (the id is the feed's key, base and quote follow from it).
std::string feed_policy_json(const FeedPolicy& policy);

// {"id","base","quote","policy":{…},"created_ms","updated_ms","reports":[{"source","price",
//  "price_wad","observed_ms","received_ms","log_index"}],"now_ms","status":"ok"|"tripped",
//  ok: "price","price_wad","as_of_ms","used","stale","outliers","rejected";
//  tripped: "code","reason"}.
std::string feed_json(const FeedView& view);
// {"feed","source","price","price_wad","observed_ms","received_ms","log_index"}.
std::string feed_report_json(const store::FeedReportRecord& report);

}  // namespace atelier::market
