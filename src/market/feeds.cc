#include "market/feeds.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "core/event.h"
#include "core/limits.h"
#include "ledger/ledger.h"

namespace atelier::market {

namespace {

using nlohmann::json;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

// The reporter names oracle.h allows: 1..kOracleSourceBytesMax of [A-Za-z0-9._:-].
bool is_source_name(std::string_view s) {
  if (s.empty() || static_cast<std::int64_t>(s.size()) > limits::kOracleSourceBytesMax)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

store::LogEvent feed_event(std::string_view type, std::int64_t time_ms, json fields,
                           std::string_view feed_id) {
  return {event_entry(type, time_ms, std::move(fields)), {"feed:" + std::string(feed_id)}};
}

json policy_object(const FeedPolicy& p) {
  return {{"max_age_ms", p.max_age_ms},
          {"max_deviation_bps", p.max_deviation_bps},
          {"min_sources", p.min_sources},
          {"sources", p.sources}};
}

// A stored policy back to a FeedPolicy, through the same checks as a new one. A row that
// fails them was not written by this code: an internal error, not the caller's.
Result<FeedPolicy> stored_policy(const store::FeedRecord& record) {
  auto j = json::parse(record.policy, nullptr, false);
  PriceParams params;
  if (j.is_object()) {
    for (const char* name : {"max_age_ms", "max_deviation_bps", "min_sources"}) {
      if (j.contains(name) && j[name].is_number_integer())
        params.emplace_back(name, std::to_string(j[name].get<std::int64_t>()));
    }
    if (j.contains("sources") && j["sources"].is_array() && !j["sources"].empty()) {
      std::string joined;
      for (const auto& s : j["sources"]) {
        joined +=
            (joined.empty() ? "" : ",") + (s.is_string() ? s.get<std::string>() : std::string("?"));
      }
      params.emplace_back("sources", joined);
    }
  }
  auto policy = parse_feed_policy(record.id, params);
  if (!policy) {
    return fail(
        Error::internal("corrupt_feed", "the stored policy of feed " + record.id +
                                            " does not parse: " + policy.error().to_string()));
  }
  return policy;
}

json report_object(const store::FeedReportRecord& r) {
  return {{"source", r.source},
          {"price", wad_text(r.price_wad)},
          {"price_wad", r.price_wad.to_decimal()},
          {"observed_ms", r.observed_ms},
          {"received_ms", r.received_ms},
          {"log_index", r.log_index}};
}

}  // namespace

std::string wad_text(const U256& wad) {
  std::string digits = wad.to_decimal();
  if (digits.size() < 19) digits.insert(0, 19 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - 18);
  std::string fraction = digits.substr(digits.size() - 18);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

std::string feed_policy_json(const FeedPolicy& policy) {
  auto text = canonical_json(policy_object(policy));
  assert(text);  // Integers and strings only: always representable.
  return text ? *text : std::string("{}");
}

Feeds::Feeds(store::LedgerStore& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<Feeds::Loaded> Feeds::load(std::string_view feed_id) {
  auto record = store_.feed(feed_id);
  if (!record) return fail(record.error());
  if (!*record)
    return fail(Error::not_found("unknown_feed", "no price feed " + in_quotes(feed_id), "feed"));
  auto policy = stored_policy(**record);
  if (!policy) return fail(policy.error());
  return Loaded{std::move(*policy), std::move(**record)};
}

Result<FeedRegistration> Feeds::register_feed(std::string_view id, const PriceParams& params,
                                              const store::Respond<FeedRegistration>* respond) {
  auto policy = parse_feed_policy(id, params);
  if (!policy) return fail(policy.error());
  const std::string text = feed_policy_json(*policy);
  auto existing = store_.feed(id);
  if (!existing) return fail(existing.error());
  const std::int64_t now = clock_.now_ms();
  FeedRegistration out{*policy, !existing->has_value(), true, 0, now, now};
  if (*existing) out.created_ms = (*existing)->created_ms;
  if (*existing && (*existing)->policy == text) {
    out.changed = false;  // Registering the same policy again is a no-op, not a log entry.
    out.updated_ms = (*existing)->updated_ms;
    return out;
  }
  store::LedgerChange change;
  change.time_ms = now;
  change.oracle.feeds.push_back({policy->id, text, now, now});
  change.event = feed_event(
      "oracle.feed", now,
      {{"feed", policy->id}, {"policy", policy_object(*policy)}, {"created", out.created}},
      policy->id);
  auto registered_at = [&out](const store::LedgerReceipt& receipt) {
    FeedRegistration r = out;
    r.log_index = receipt.log_index;
    return r;
  };
  change.completion = store::complete_with(respond, registered_at);
  auto receipt = store_.apply_ledger_change(change);
  if (!receipt) return fail(receipt.error());
  return registered_at(*receipt);
}

Result<store::FeedReportRecord> Feeds::report(
    const SourceReport& report, const store::Respond<store::FeedReportRecord>* respond) {
  const std::string_view feed_id = report.feed_id;
  const std::string_view source = report.source;
  const std::string_view price_text = report.price;
  const std::int64_t observed_ms = report.observed_ms;
  auto feed = load(feed_id);
  if (!feed) return fail(feed.error());
  const FeedPolicy& policy = feed->policy;
  if (!is_source_name(source)) {
    return fail(Error::invalid("invalid_source",
                               "a source name is 1 to " +
                                   std::to_string(limits::kOracleSourceBytesMax) +
                                   " of A-Z a-z 0-9 . _ : -, not " + in_quotes(source),
                               "source"));
  }
  if (!policy.sources.empty() &&
      std::find(policy.sources.begin(), policy.sources.end(), source) == policy.sources.end()) {
    return fail(Error::invalid("source_not_allowed",
                               in_quotes(source) + " is not a source of feed " + policy.id,
                               "source"));
  }
  auto price = parse_price_wad(price_text, "price");
  if (!price) return fail(price.error());
  const std::int64_t now = clock_.now_ms();
  if (observed_ms < 0) {
    return fail(
        Error::invalid("value_out_of_range", "observed_ms must not be negative", "observed_ms"));
  }
  // observed_ms ≥ 0: subtracting the skew cannot overflow where adding it to now could.
  if (observed_ms - kReportClockSkewMs > now) {
    return fail(Error::invalid("report_from_future",
                               "observed_ms " + std::to_string(observed_ms) + " is more than " +
                                   std::to_string(kReportClockSkewMs) + " ms after now (" +
                                   std::to_string(now) + ")",
                               "observed_ms"));
  }
  store::FeedReportRecord record{policy.id, std::string(source), *price, observed_ms, now, 0};
  store::LedgerChange change;
  change.time_ms = now;
  change.oracle.reports.push_back(record);
  change.event = feed_event("oracle.report", now,
                            {{"feed", policy.id},
                             {"source", record.source},
                             {"price", wad_text(*price)},
                             {"price_wad", price->to_decimal()},
                             {"observed_ms", observed_ms}},
                            policy.id);
  auto recorded_at = [&record](const store::LedgerReceipt& receipt) {
    store::FeedReportRecord r = record;
    r.log_index = receipt.log_index;
    return r;
  };
  change.completion = store::complete_with(respond, recorded_at);
  auto receipt = store_.apply_ledger_change(change);
  if (!receipt) return fail(receipt.error());
  return recorded_at(*receipt);
}

Result<FeedPrice> Feeds::price_of(const FeedPolicy& policy, std::int64_t now_ms) {
  auto stored = store_.feed_reports(policy.id);
  if (!stored) return fail(stored.error());
  std::vector<OracleReport> reports;
  reports.reserve(stored->size());
  for (const auto& r : *stored) reports.push_back({r.source, r.price_wad, r.observed_ms});
  return aggregate(policy, reports, now_ms);
}

Result<FeedPrice> Feeds::price(std::string_view feed_id) {
  auto feed = load(feed_id);
  if (!feed) return fail(feed.error());
  return price_of(feed->policy, clock_.now_ms());
}

Result<FeedView> Feeds::show(std::string_view feed_id) {
  auto feed = load(feed_id);
  if (!feed) return fail(feed.error());
  return view(feed->policy, feed->record.created_ms, feed->record.updated_ms);
}

Result<FeedView> Feeds::view(const FeedPolicy& policy, std::int64_t created_ms,
                             std::int64_t updated_ms) {
  FeedView out{policy, created_ms, updated_ms, {}, clock_.now_ms(), {}, {}};
  auto reports = store_.feed_reports(policy.id);
  if (!reports) return fail(reports.error());
  out.reports = std::move(*reports);
  auto price = price_of(out.policy, out.now_ms);
  if (price) {
    out.price = std::move(*price);
  } else if (price.error().kind == ErrorKind::kConflict) {
    out.tripped = price.error();  // The feed's state, not a failure to read it.
  } else {
    return fail(price.error());
  }
  return out;
}

Result<FeedPolicy> Feeds::find_pair(std::string_view base, std::string_view quote) {
  for (auto [b, q] : {std::pair{base, quote}, std::pair{quote, base}}) {
    const std::string id = std::string(b) + "-" + std::string(q);
    auto record = store_.feed(id);
    if (!record) return fail(record.error());
    if (*record) return stored_policy(**record);
  }
  return fail(Error::invalid(
      "no_feed",
      "no price feed converts " + in_quotes(base) + " and " + in_quotes(quote) + " (register " +
          std::string(base.substr(0, 10)) + "-" + std::string(quote.substr(0, 10)) + ")",
      "currency"));
}

Result<Due> Feeds::due(const U256& listed_amount, std::string_view listed_currency,
                       std::string_view pay_currency) {
  for (std::string_view code : {listed_currency, pay_currency}) {
    if (!ledger::find_currency(code)) {
      return fail(Error::invalid(
          "unknown_currency", "currency must be ETH (wei) or USD (cents), not " + in_quotes(code),
          "currency"));
    }
  }
  if (listed_currency == pay_currency) return Due{listed_amount, {}, {}};
  auto policy = find_pair(listed_currency, pay_currency);
  if (!policy) return fail(policy.error());
  auto price = price_of(*policy, clock_.now_ms());
  if (!price) return fail(price.error());
  auto amount = amount_due(*policy, price->price_wad,
                           {.listed_minor = listed_amount,
                            .listed_currency = std::string(listed_currency),
                            .pay_currency = std::string(pay_currency)});
  if (!amount) return fail(amount.error());
  return Due{*amount, policy->id, std::move(*price)};
}

std::string feed_json(const FeedView& view) {
  const FeedPolicy& p = view.policy;
  json reports = json::array();
  for (const auto& r : view.reports) reports.push_back(report_object(r));
  json j = {{"id", p.id},
            {"base", p.base},
            {"quote", p.quote},
            {"policy", policy_object(p)},
            {"created_ms", view.created_ms},
            {"updated_ms", view.updated_ms},
            {"reports", std::move(reports)},
            {"now_ms", view.now_ms}};
  if (view.price) {
    const FeedPrice& f = *view.price;
    j["status"] = "ok";
    j["price"] = wad_text(f.price_wad);
    j["price_wad"] = f.price_wad.to_decimal();
    j["as_of_ms"] = f.as_of_ms;
    j["used"] = f.used;
    j["stale"] = f.stale;
    j["outliers"] = f.outliers;
    j["rejected"] = f.rejected;
  } else {
    j["status"] = "tripped";
    j["code"] = view.tripped ? view.tripped->code : "oracle_circuit_open";
    j["reason"] = view.tripped ? view.tripped->message : "";
  }
  return j.dump();
}

std::string feed_report_json(const store::FeedReportRecord& report) {
  json j = report_object(report);
  j["feed"] = report.feed_id;
  return j.dump();
}

}  // namespace atelier::market
