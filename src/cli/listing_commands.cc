// `atelier market list|listing|buy|bid|bids|settle|cancel|rarity`: listings, purchases and
// auctions from the command line (the same engine as POST /v1/listings, /purchases, /bids,
// /v1/auctions/{id}/settle, /cancel and GET /v1/collections/{id}/rarity).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"

namespace atelier::cli {

void add_listing_commands(CLI::App& app, Globals& globals) {
  CLI::App& market = market_command(app);

  struct ListArgs {
    std::string seller, collection, token_id, currency = "ETH", price, quantity = "1", id,
                                              kind = "fixed";
    std::string settlement = "immediate", reserve_price = "0", rules;
    std::vector<std::string> params, accepts;
    std::int64_t fee_bps = 0, starts_ms = 0, ends_ms = 0, min_increment_bps = 500,
                 time_buffer_s = 300;
  };
  auto l = std::make_shared<ListArgs>();
  auto* list =
      market.add_subcommand("list",
                            "List a token: fixed price, English auction, Dutch, GDA or VRGDA "
                            "(prints the listing JSON)");
  list->add_option("COLLECTION", l->collection, "collection id")->required();
  list->add_option("TOKEN_ID", l->token_id, "token id")->required();
  list->add_option("--seller", l->seller, "selling account (must hold the token)")->required();
  list->add_option("--kind", l->kind,
                   "fixed, english, dutch-linear, dutch-exponential, gda-discrete, gda-continuous, "
                   "vrgda-linear "
                   "or vrgda-logistic")
      ->capture_default_str();
  list->add_option("--price", l->price, "fixed: price per unit in minor units (wei, cents)");
  list->add_option("--param", l->params,
                   "pricing kinds: name=value (the parameters of `market quote`), repeatable");
  list->add_option("--settlement", l->settlement,
                   "Dutch kinds: immediate, or clearing (all pay the last price)")
      ->capture_default_str();
  list->add_option("--reserve-price", l->reserve_price,
                   "english: the lowest first bid (minor units)")
      ->capture_default_str();
  list->add_option("--min-increment-bps", l->min_increment_bps,
                   "english: each bid beats the last by this much")
      ->capture_default_str();
  list->add_option("--time-buffer-s", l->time_buffer_s,
                   "english: a bid this close to the end extends it to this")
      ->capture_default_str();
  list->add_option(
      "--accept", l->accepts,
      "other currencies buyers may pay in, through the pair's oracle feed (repeatable)");
  list->add_option(
      "--rules", l->rules,
      "fixed and Dutch: pricing rules JSON, or @FILE (rarity_tiers, demand, floor, ceiling)");
  list->add_option("--currency", l->currency, "ETH or USD")->capture_default_str();
  list->add_option("--quantity", l->quantity, "units for sale (ERC-1155 editions)")
      ->capture_default_str();
  list->add_option("--platform-fee-bps", l->fee_bps, "platform fee, 0..10000")
      ->capture_default_str();
  list->add_option("--starts-ms", l->starts_ms, "opening time, ms since the epoch (0: now)");
  list->add_option("--ends-ms", l->ends_ms, "closing time, ms since the epoch (0: open-ended)");
  list->add_option("--id", l->id, "listing id (default: generated)");
  list->callback([&globals, l] {
    Context ctx = open_or_exit(globals);
    auto id = ledger::parse_token_id(l->token_id);
    if (!id)
      exit_with(Error::invalid("invalid_token_id", "TOKEN_ID must be a decimal integer below 2^256",
                               "token_id"));
    if (store::parse_listing_kind(l->kind) == store::ListingKind::kFixed && l->price.empty())
      exit_with(Error::invalid("missing_field", "--price is required", "price"));
    market::NewListing n{
        .id = l->id,
        .kind = l->kind,
        .seller = l->seller,
        .collection = l->collection,
        .token_id = *id,
        .currency = l->currency,
        .price = l->price.empty() ? U256() : or_exit(ledger::parse_amount(l->price, "price")),
        .quantity = or_exit(ledger::parse_amount(l->quantity, "quantity")),
        .platform_fee_bps = l->fee_bps,
        .starts_ms = l->starts_ms,
        .ends_ms = l->ends_ms};
    for (const auto& p : l->params) {
      auto eq = p.find('=');
      if (eq == std::string::npos)
        exit_with(Error::invalid("invalid_param", "--param takes name=value, not \"" + p + "\"",
                                 "param"));
      n.params.emplace_back(p.substr(0, eq), p.substr(eq + 1));
    }
    n.settlement = l->settlement;
    n.reserve_price = or_exit(ledger::parse_amount(l->reserve_price, "reserve_price"));
    n.min_increment_bps = l->min_increment_bps;
    n.time_buffer_s = l->time_buffer_s;
    n.rules = l->rules;
    n.accepts = l->accepts;
    if (n.rules.starts_with("@")) {
      std::ifstream in(n.rules.substr(1), std::ios::binary);
      if (!in)
        exit_with(Error::invalid("unreadable_file", "cannot read " + n.rules.substr(1), "rules"));
      std::ostringstream text;
      text << in.rdbuf();
      n.rules = text.str();
    }
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
    std::string listing, buyer, quantity = "1", max_total, currency, quoted_total;
    std::int64_t max_slippage_bps = 0;
  };
  auto b = std::make_shared<BuyArgs>();
  auto* buy =
      market.add_subcommand("buy", "Buy from a listing; settles atomically (prints the sale JSON)");
  buy->add_option("LISTING", b->listing, "listing id")->required();
  buy->add_option("--buyer", b->buyer, "paying account")->required();
  buy->add_option("--quantity", b->quantity, "units")->capture_default_str();
  buy->add_option("--max-total", b->max_total,
                  "refuse if the total exceeds this (minor units of the pay currency)");
  buy->add_option("--currency", b->currency,
                  "pay in this currency (the listing's, or one it accepts)");
  buy->add_option("--quoted-total", b->quoted_total,
                  "the total you were quoted (`market price`), for --max-slippage-bps");
  buy->add_option("--max-slippage-bps", b->max_slippage_bps,
                  "refuse if the total exceeds the quote by more than this")
      ->capture_default_str();
  buy->callback([&globals, b] {
    Context ctx = open_or_exit(globals);
    market::PurchaseOptions options{.currency = b->currency,
                                    .max_slippage_bps = b->max_slippage_bps};
    if (!b->max_total.empty())
      options.max_total = or_exit(ledger::parse_amount(b->max_total, "max_total"));
    if (!b->quoted_total.empty())
      options.quoted_total = or_exit(ledger::parse_amount(b->quoted_total, "quoted_total"));
    auto sale = or_exit(ctx.market->purchase(ListingId(b->listing), AccountId(b->buyer),
                                             or_exit(ledger::parse_amount(b->quantity, "quantity")),
                                             options));
    print(market::sale_json(sale) + "\n");
  });

  struct PriceArgs {
    std::string listing, quantity = "1", currency;
  };
  auto pr = std::make_shared<PriceArgs>();
  auto* price = market.add_subcommand(
      "price", "What buying from a listing costs now (in an accepted currency too)");
  price->add_option("LISTING", pr->listing, "listing id")->required();
  price->add_option("--quantity", pr->quantity, "units")->capture_default_str();
  price->add_option("--currency", pr->currency, "pay currency (default: the listing's)");
  price->callback([&globals, pr] {
    Context ctx = open_or_exit(globals);
    auto due = or_exit(ctx.market->quote(ListingId(pr->listing),
                                         or_exit(ledger::parse_amount(pr->quantity, "quantity")),
                                         pr->currency));
    nlohmann::json j = {{"total", due.amount.to_decimal()}};
    if (!due.feed.empty()) {
      j["feed"] = due.feed;
      j["price_wad"] = due.price.price_wad.to_decimal();
    }
    print(j.dump() + "\n");
  });

  struct BidArgs {
    std::string listing, bidder, amount;
  };
  auto bd = std::make_shared<BidArgs>();
  auto* bid = market.add_subcommand(
      "bid", "Bid on an English auction; escrows the bid, refunds the one it beats");
  bid->add_option("LISTING", bd->listing, "listing id")->required();
  bid->add_option("AMOUNT", bd->amount, "the bid, minor units")->required();
  bid->add_option("--bidder", bd->bidder, "bidding account")->required();
  bid->callback([&globals, bd] {
    Context ctx = open_or_exit(globals);
    auto placed = or_exit(ctx.market->bid(ListingId(bd->listing), AccountId(bd->bidder),
                                          or_exit(ledger::parse_amount(bd->amount, "amount"))));
    print(market::bid_json(placed) + "\n");
  });

  auto bids_id = std::make_shared<std::string>();
  auto* bids = market.add_subcommand("bids", "An auction's bids, oldest first (JSON lines)");
  bids->add_option("LISTING", *bids_id, "listing id")->required();
  bids->callback([&globals, bids_id] {
    Context ctx = open_or_exit(globals);
    std::string out;
    for (const auto& b : or_exit(ctx.market->bids(*bids_id))) {
      out += nlohmann::json{{"seq", b.seq}, {"bidder", b.bidder}, {"amount", b.amount.to_decimal()},
                            {"time_ms", b.time_ms}, {"log_index", b.log_index}}
                 .dump() +
             "\n";
    }
    print(out);
  });

  auto settle_id = std::make_shared<std::string>();
  auto* settle = market.add_subcommand(
      "settle", "Close an auction whose time is up (prints what settling did)");
  settle->add_option("LISTING", *settle_id, "listing id")->required();
  settle->callback([&globals, settle_id] {
    Context ctx = open_or_exit(globals);
    print(market::settlement_json(or_exit(ctx.market->settle(*settle_id))) + "\n");
  });

  struct CancelArgs {
    std::string listing, caller;
  };
  auto cn = std::make_shared<CancelArgs>();
  auto* cancel = market.add_subcommand(
      "cancel", "Withdraw a listing (an auction only before its first bid or sale)");
  cancel->add_option("LISTING", cn->listing, "listing id")->required();
  cancel->add_option("--as", cn->caller, "the seller's account")->required();
  cancel->callback([&globals, cn] {
    Context ctx = open_or_exit(globals);
    auto l = or_exit(ctx.market->cancel(ListingId(cn->listing), AccountId(cn->caller)));
    print(market::listing_json(or_exit(ctx.market->listing(l.id))) + "\n");
  });

  struct RarityArgs {
    std::string collection;
    bool json = false;
  };
  auto ra = std::make_shared<RarityArgs>();
  auto* rarity = market.add_subcommand("rarity", "A collection's OpenRarity ranking (1 = rarest)");
  rarity->add_option("COLLECTION", ra->collection, "collection id")->required();
  rarity->add_flag("--json", ra->json, "print JSON");
  rarity->callback([&globals, ra] {
    Context ctx = open_or_exit(globals);
    auto r = or_exit(ctx.market->rarity(ra->collection));
    nlohmann::json tokens = nlohmann::json::array();
    std::string out;
    for (const auto& t : r->ranked) {
      tokens.push_back({{"token_id", t.token_id.to_decimal()}, {"rank", t.rank}, {"score", t.score},
                        {"unique_traits", t.unique_traits}});
      char line[160];
      std::snprintf(line, sizeof line, "%6llu  #%s  %.6f\n",
                    static_cast<unsigned long long>(t.rank), t.token_id.to_decimal().c_str(),
                    t.score);
      out += line;
    }
    if (ra->json)
      out =
          nlohmann::json{
              {"collection", r->collection}, {"method", "openrarity-ic"}, {"tokens", tokens}}
              .dump() +
          "\n";
    print(out);
  });
}

}  // namespace atelier::cli
