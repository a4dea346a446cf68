// `atelier market quote`: the pricing calculator over src/market/pricing.h. Pure: no data
// directory, no side effects; the same input always prints the same price.
//
//   atelier market quote vrgda-linear --param target_price=69420000000000000000
//       --param decay=0.31 --param per_time_unit=2 --elapsed-s 86400 --sold 3 [--json]
//
// The `market` subcommand is shared: files that add more of it (listings, bids, …) get it with
// market_command(app) (cli.h), which creates it on first use, so calls can come in any order.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "market/pricing.h"

namespace atelier::cli {

namespace {

struct QuoteArgs {
  std::string kind;
  std::vector<std::string> params;  // NAME=VALUE
  std::string elapsed_s = "0";      // Text, so that "-5" gets our error rather than CLI11's.
  std::string sold = "0";
  std::string quantity = "1";
  bool json = false;
};

// "elapsed_s" -> "--elapsed-s".
std::string flag_of(std::string field) {
  for (char& c : field) c = c == '_' ? '-' : c;
  return "--" + field;
}

// A non-negative decimal integer that fits 64 bits, or an input error naming `field`.
std::uint64_t count_or_exit(const std::string& text, const std::string& field) {
  auto n = U256::from_decimal(text);
  if (n && n->to_u64()) return *n->to_u64();
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!text.empty() && text[0] == '-') {
    exit_with(Error::invalid("negative_value", flag_of(field) + " must not be negative", field));
  }
  if (digits && text[0] != '0') {
    exit_with(Error::invalid("value_out_of_range", flag_of(field) + " is too large", field));
  }
  exit_with(Error::invalid(
      "invalid_number",
      flag_of(field) + " must be a decimal integer (got \"" + text.substr(0, 100) + "\")", field));
}

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

void run_quote(const QuoteArgs& a) {
  auto model = market::parse_price_model(a.kind, split_params(a.params));
  if (!model) exit_with(model.error());
  market::QuoteQuery query;
  query.elapsed_s = count_or_exit(a.elapsed_s, "elapsed_s");
  query.sold = count_or_exit(a.sold, "sold");
  query.quantity = count_or_exit(a.quantity, "quantity");
  auto price = market::quote_price(*model, query);
  if (!price) exit_with(price.error());
  if (a.json) {
    std::printf("%s\n", nlohmann::json{{"price_wei", price->to_decimal()}}.dump().c_str());
  } else {
    std::printf("%s\n", price->to_decimal().c_str());
  }
}

std::string kinds_help() {
  std::string help =
      "Price of a sale now, in wei (formulas and rounding: docs/market.md). Prices are wei "
      "integers; rates exact decimals (at most 18 places). Kinds and their params:";
  for (std::string_view kind : market::price_kind_names()) {
    help += "\n  " + std::string(kind) + ":";
    for (std::string_view name : market::price_param_names(kind)) help += " " + std::string(name);
  }
  return help;
}

}  // namespace

CLI::App& market_command(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "market"; })) {
    return *sub;
  }
  CLI::App* market =
      app.add_subcommand("market", "pricing and sales: `atelier market quote` prices a sale");
  market->require_subcommand(1);
  return *market;
}

void add_market_commands(CLI::App& app, Globals& /*globals: quote needs no data directory*/) {
  auto a = std::make_shared<QuoteArgs>();
  auto* quote = market_command(app).add_subcommand("quote", kinds_help());
  quote->add_option("KIND", a->kind, "pricing kind, e.g. vrgda-linear")->required();
  quote->add_option("--param", a->params, "NAME=VALUE (repeatable), the kind's params")
      ->allow_extra_args(false);
  quote->add_option("--elapsed-s", a->elapsed_s, "seconds since the auction started")
      ->capture_default_str();
  quote->add_option("--sold", a->sold, "tokens sold so far")->capture_default_str();
  quote->add_option("--quantity", a->quantity, "tokens bought together (GDA kinds)")
      ->capture_default_str();
  quote->add_flag("--json", a->json, "print {\"price_wei\":\"<integer>\"}");
  quote->callback([a]() { run_quote(*a); });
}

}  // namespace atelier::cli
