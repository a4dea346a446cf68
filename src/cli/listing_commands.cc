// `atelier market list|listing|buy`: fixed-price listings and purchases from the command line
// (the same engine as POST /v1/listings and /v1/listings/{id}/purchases).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/cli.h"

namespace atelier::cli {

void add_listing_commands(CLI::App& app, Globals& globals) {
  CLI::App& market = market_command(app);

  struct ListArgs {
    std::string seller, collection, token_id, currency = "ETH", price, quantity = "1", id;
    std::int64_t fee_bps = 0, starts_ms = 0, ends_ms = 0;
  };
  auto l = std::make_shared<ListArgs>();
  auto* list = market.add_subcommand("list", "List a token for sale at a fixed price (prints the listing JSON)");
  list->add_option("COLLECTION", l->collection, "collection id")->required();
  list->add_option("TOKEN_ID", l->token_id, "token id")->required();
  list->add_option("--seller", l->seller, "selling account (must hold the token)")->required();
  list->add_option("--price", l->price, "price per unit in minor units (wei, cents)")->required();
  list->add_option("--currency", l->currency, "ETH or USD")->capture_default_str();
  list->add_option("--quantity", l->quantity, "units for sale (ERC-1155 editions)")->capture_default_str();
  list->add_option("--platform-fee-bps", l->fee_bps, "platform fee, 0..10000")->capture_default_str();
  list->add_option("--starts-ms", l->starts_ms, "opening time, ms since the epoch (0: now)");
  list->add_option("--ends-ms", l->ends_ms, "closing time, ms since the epoch (0: open-ended)");
  list->add_option("--id", l->id, "listing id (default: generated)");
  list->callback([&globals, l] {
    Context ctx = open_or_exit(globals);
    auto id = ledger::parse_token_id(l->token_id);
    if (!id) exit_with(Error::invalid("invalid_token_id", "TOKEN_ID must be decimal or 64 lowercase hex digits", "token_id"));
    market::NewListing n{.id = l->id,
                         .seller = l->seller,
                         .collection = l->collection,
                         .token_id = *id,
                         .currency = l->currency,
                         .price = or_exit(ledger::parse_amount(l->price, "price")),
                         .quantity = or_exit(ledger::parse_amount(l->quantity, "quantity")),
                         .platform_fee_bps = l->fee_bps,
                         .starts_ms = l->starts_ms,
                         .ends_ms = l->ends_ms};
    auto created = or_exit(ctx.market->create_listing(n));
    print(market::listing_json(or_exit(ctx.market->listing(created.id))) + "\n");
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = market.add_subcommand("listing", "A listing with its current price (JSON)");
  show->add_option("ID", *show_id, "listing id")->required();
  show->callback([&globals, show_id] {
    Context ctx = open_or_exit(globals);
    print(market::listing_json(or_exit(ctx.market->listing(*show_id))) + "\n");
  });

  struct BuyArgs {
    std::string listing, buyer, quantity = "1", max_total;
  };
  auto b = std::make_shared<BuyArgs>();
  auto* buy = market.add_subcommand("buy", "Buy from a listing; settles atomically (prints the sale JSON)");
  buy->add_option("LISTING", b->listing, "listing id")->required();
  buy->add_option("--buyer", b->buyer, "paying account")->required();
  buy->add_option("--quantity", b->quantity, "units")->capture_default_str();
  buy->add_option("--max-total", b->max_total, "refuse if the total exceeds this (minor units)");
  buy->callback([&globals, b] {
    Context ctx = open_or_exit(globals);
    std::optional<U256> max_total;
    if (!b->max_total.empty()) max_total = or_exit(ledger::parse_amount(b->max_total, "max_total"));
    auto sale = or_exit(ctx.market->purchase(b->listing, b->buyer, or_exit(ledger::parse_amount(b->quantity, "quantity")),
                                             max_total));
    print(market::sale_json(sale) + "\n");
  });
}

}  // namespace atelier::cli
