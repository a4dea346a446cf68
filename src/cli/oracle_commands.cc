// `atelier oracle …`: price feeds from the command line (market/feeds.h).
//
//   atelier oracle feed add ETH-USD --param max_age_ms=60000 --param max_deviation_bps=200
//       --param min_sources=2 --param sources=chainlink,pyth
//   atelier oracle report ETH-USD chainlink 3012.45 [--observed-ms MS]
//   atelier oracle show ETH-USD [--json]
#include <CLI/CLI.hpp>
#include <charconv>

#include "cli/cli.h"

namespace atelier::cli {

namespace {

market::PriceParams split_params(const std::vector<std::string>& params) {
  market::PriceParams out;
  for (const auto& p : params) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      exit_with(Error::invalid("invalid_param",
                               "--param must be NAME=VALUE (got \"" + p.substr(0, 100) + "\")",
                               "params"));
    }
    out.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  return out;
}

// --observed-ms as text, so that "-5" or "soon" get our error rather than CLI11's.
std::int64_t millis_or_exit(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    exit_with(Error::invalid(
        "invalid_number",
        "--observed-ms must be Unix epoch milliseconds (got \"" + text.substr(0, 100) + "\")",
        "observed_ms"));
  }
  return v;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::string show_text(const market::FeedView& v) {
  const market::FeedPolicy& p = v.policy;
  std::string out = p.id;
  if (v.price) {
    out += "  ok  " + market::wad_text(v.price->price_wad) + " " + p.quote + " per " + p.base +
           "  (as of " + std::to_string(v.price->as_of_ms) + " ms; used " + joined(v.price->used);
    if (!v.price->stale.empty()) out += "; stale " + joined(v.price->stale);
    if (!v.price->outliers.empty()) out += "; outliers " + joined(v.price->outliers);
    if (!v.price->rejected.empty()) out += "; rejected " + joined(v.price->rejected);
    out += ")\n";
  } else {
    out += "  tripped  " + (v.tripped ? v.tripped->message : std::string()) + "\n";
  }
  out += "  policy: max_age_ms=" + std::to_string(p.max_age_ms) + " max_deviation_bps=" +
         std::to_string(p.max_deviation_bps) + " min_sources=" + std::to_string(p.min_sources) +
         " sources=" + (p.sources.empty() ? "(any)" : joined(p.sources)) + "\n";
  for (const auto& r : v.reports) {
    out += "  " + r.source + "  " + market::wad_text(r.price_wad) + "  observed " +
           std::to_string(r.observed_ms) + " ms, " + std::to_string(v.now_ms - r.observed_ms) +
           " ms ago  (log entry " + std::to_string(r.log_index) + ")\n";
  }
  return out;
}

void add_feed(CLI::App& oracle, Globals& globals) {
  auto* feed = oracle.add_subcommand("feed", "Price feeds and their update policies");
  feed->require_subcommand(1);
  struct Args {
    std::string id;
    std::vector<std::string> params;
  };
  auto a = std::make_shared<Args>();
  auto* add =
      feed->add_subcommand("add",
                           "Register a feed, or replace the policy of one (logged as oracle.feed). "
                           "Params: max_age_ms (a report "
                           "older than this is stale, 1..86400000), max_deviation_bps (a report "
                           "farther than this from the median "
                           "is an outlier, 1..10000), min_sources (fewer usable reports trip the "
                           "circuit breaker), sources "
                           "(optional: the reporters that count, comma-separated; default any)");
  add->add_option("ID", a->id, "feed id, BASE-QUOTE, e.g. ETH-USD")->required();
  add->add_option("--param", a->params, "NAME=VALUE (repeatable)")->allow_extra_args(false);
  add->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    auto r = or_exit(ctx.feeds->register_feed(a->id, split_params(a->params)));
    if (!r.changed) return print(r.policy.id + ": unchanged\n");
    print(r.policy.id + ": " + (r.created ? "registered" : "policy replaced") + " (log entry " +
          std::to_string(r.log_index) + ")\n");
  });
}

void add_report(CLI::App& oracle, Globals& globals) {
  struct Args {
    std::string feed, source, price, observed_ms;
  };
  auto a = std::make_shared<Args>();
  auto* report = oracle.add_subcommand("report",
                                       "Record SOURCE's observation of FEED's price (logged as "
                                       "oracle.report); replaces its previous one");
  report->add_option("FEED", a->feed, "feed id, e.g. ETH-USD")->required();
  report->add_option("SOURCE", a->source, "the reporter's name")->required();
  report->add_option("PRICE", a->price, "quote units per base unit, exact decimal, e.g. 3012.45")
      ->required();
  report->add_option("--observed-ms", a->observed_ms,
                     "when the price was observed, Unix epoch ms (default: now)");
  report->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    std::int64_t observed =
        a->observed_ms.empty() ? SystemClock::instance().now_ms() : millis_or_exit(a->observed_ms);
    auto r = or_exit(ctx.feeds->report(
        {.feed_id = a->feed, .source = a->source, .price = a->price, .observed_ms = observed}));
    print("ok: log entry " + std::to_string(r.log_index) + "\n");
  });
}

void add_show(CLI::App& oracle, Globals& globals) {
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* show = oracle.add_subcommand("show",
                                     "A feed's price now (the median of fresh, agreeing reports) "
                                     "or why the circuit breaker is open, "
                                     "its policy and each source's latest report");
  show->add_option("FEED", *id, "feed id, e.g. ETH-USD")->required();
  show->add_flag("--json", *json, "print the JSON of GET /v1/oracles/feeds/{id}");
  show->callback([&globals, id, json] {
    Context ctx = open_or_exit(globals);
    auto v = or_exit(ctx.feeds->show(*id));
    print(*json ? market::feed_json(v) + "\n" : show_text(v));
  });
}

}  // namespace

void add_oracle_commands(CLI::App& app, Globals& globals) {
  auto* oracle = app.add_subcommand(
      "oracle",
      "price feeds: register them, report prices, read the aggregated price (docs/oracles.md)");
  oracle->require_subcommand(1);
  add_feed(*oracle, globals);
  add_report(*oracle, globals);
  add_show(*oracle, globals);
}

}  // namespace atelier::cli
