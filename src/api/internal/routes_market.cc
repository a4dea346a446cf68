// Listings, purchases and auctions over HTTP (issue 4 §4): POST /v1/listings (scope trade),
// GET /v1/listings/{id} (public: the current price and when it next changes), POST
// /v1/listings/{id}/purchases, POST /v1/listings/{id}/bids, POST /v1/auctions/{id}/settle,
// POST /v1/listings/{id}/cancel (scope trade), GET /v1/listings/{id}/bids and GET
// /v1/collections/{id}/rarity (public). The key's ledger account is the seller, buyer or
// bidder (`atelier apikey create --account`); an admin key may name them. Every POST takes an
// Idempotency-Key (the pipeline replays the first result); each stores its response in the
// transaction of its change (idempotent.h), so a retry after a crash replays a change that
// committed and runs one that did not. Amounts are decimal strings of minor units.
#include <algorithm>
#include <span>

#include "api/internal/handler_util.h"
#include "api/internal/idempotent.h"
#include "api/internal/routes.h"
#include "core/canonical_json.h"
#include "ledger/ledger.h"
#include "market/listings.h"

namespace atelier::api {
namespace {

// Fields every listing has; each kind's own are market::listing_kind_fields.
constexpr std::string_view kListingFields[] = {
    "kind",     "seller",           "collection", "token_id", "currency",
    "quantity", "platform_fee_bps", "starts_ms",  "ends_ms"};

bool has(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A new listing's body may hold the common fields and its kind's own: another kind's field
// ("field_not_for_kind") or one no kind has ("unknown_field") is refused, naming it, rather
// than ignored. With an unknown kind only unknown fields are refused here (create_listing
// then names the kind).
Result<void> check_listing_fields(const nlohmann::json& j, const std::string& kind) {
  const std::optional<store::ListingKind> parsed = store::parse_listing_kind(kind);
  const auto own = parsed ? std::optional(market::listing_kind_fields(*parsed)) : std::nullopt;
  for (const auto& [name, value] : j.items()) {
    if (has(kListingFields, name) || (own && has(*own, name))) continue;
    const std::string shown = name.substr(0, 64);
    if (!has(market::listing_term_fields(), name)) {
      return fail(Error::invalid("unknown_field", "unknown field \"" + shown + "\"", shown));
    }
    if (own) {
      return fail(Error::invalid("field_not_for_kind",
                                 shown + " does not apply to a " + kind + " listing", shown));
    }
  }
  return {};
}

// A decimal string of minor units under `field` (required unless `fallback` is given).
Result<U256> amount_field(const nlohmann::json& j, const char* field,
                          std::optional<U256> fallback = std::nullopt) {
  if (!j.contains(field)) {
    if (fallback) return *fallback;
    return fail(Error::invalid("missing_field", std::string(field) + " is required", field));
  }
  if (!j[field].is_string()) {
    return fail(Error::invalid(
        "invalid_amount", std::string(field) + " must be a decimal string of minor units", field));
  }
  return ledger::parse_amount(j[field].get<std::string>(), field);
}

// A string field that may be absent (empty then).
Result<std::string> optional_string(const nlohmann::json& j, const char* field) {
  if (!j.contains(field)) return std::string();
  if (!j[field].is_string())
    return fail(Error::invalid("invalid_field", std::string(field) + " must be a string", field));
  return j[field].get<std::string>();
}

// The account the request acts for: the key's, or (admin keys only) the body's `field`.
Result<std::string> acting_account(const RequestContext& ctx, const nlohmann::json& j,
                                   const char* field) {
  // Present means named: a number, null or "" is a mistake, not "the key's own account".
  if (j.contains(field) &&
      (!j[field].is_string() || j[field].get_ref<const std::string&>().empty())) {
    return fail(Error::invalid("invalid_field",
                               std::string(field) + " must be a non-empty account id", field));
  }
  std::string named = j.contains(field) ? j[field].get<std::string>() : "";
  const std::string own = ctx.principal ? ctx.principal->account : "";
  if (!named.empty() && named != own) {
    if (ctx.principal && ctx.principal->allows("admin")) return named;
    return fail(Error{ErrorKind::kForbidden, "account_not_yours",
                      "this API key acts for \"" + own + "\", not \"" + named + "\"", field});
  }
  if (own.empty() && named.empty()) {
    return fail(Error::invalid(
        "missing_account",
        "this API key acts for no account; create one with `atelier apikey create --account`",
        field));
  }
  return named.empty() ? own : named;
}

Result<HttpResponse> create_listing(market::Market& market, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  market::NewListing l;
  if (j->contains("kind") && !(*j)["kind"].is_string()) {
    return fail(Error::invalid("invalid_field", "kind must be a string", "kind"));
  }
  ATELIER_TRY(check_listing_fields(*j, j->value("kind", l.kind)));
  auto seller = acting_account(ctx, *j, "seller");
  if (!seller) return fail(seller.error());
  l.seller = *seller;
  if (!j->contains("collection") || !(*j)["collection"].is_string()) {
    return fail(Error::invalid("missing_field", "collection is required", "collection"));
  }
  l.collection = (*j)["collection"];
  if (!j->contains("token_id") || !(*j)["token_id"].is_string() ||
      !ledger::parse_token_id((*j)["token_id"].get<std::string>())) {
    return fail(Error::invalid("invalid_token_id",
                               "token_id must be a decimal integer below 2^256, as a string",
                               "token_id"));
  }
  l.token_id = *ledger::parse_token_id((*j)["token_id"].get<std::string>());
  auto text = [&](const char* field, std::string& target) -> Result<void> {
    if (!j->contains(field)) return {};
    if (!(*j)[field].is_string())
      return fail(Error::invalid("invalid_field", std::string(field) + " must be a string", field));
    target = (*j)[field].get<std::string>();
    return {};
  };
  ATELIER_TRY(text("kind", l.kind));
  ATELIER_TRY(text("currency", l.currency));
  ATELIER_TRY(text("settlement", l.settlement));
  if (j->contains("params")) {
    const auto& params = (*j)["params"];
    if (!params.is_object())
      return fail(
          Error::invalid("invalid_field", "params must be an object of decimal strings", "params"));
    for (const auto& [name, value] : params.items()) {
      if (!value.is_string() && !value.is_number_integer()) {
        return fail(Error::invalid("invalid_field", "params." + name + " must be a decimal string",
                                   "params." + name));
      }
      l.params.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  if (j->contains("rules")) {
    if (!(*j)["rules"].is_object())
      return fail(Error::invalid("invalid_field", "rules must be an object", "rules"));
    l.rules = (*j)["rules"].dump();
  }
  if (j->contains("accepts")) {
    const auto& accepts = (*j)["accepts"];
    if (!accepts.is_array())
      return fail(
          Error::invalid("invalid_field", "accepts must be an array of currencies", "accepts"));
    for (const auto& c : accepts) {
      if (!c.is_string())
        return fail(
            Error::invalid("invalid_field", "accepts must be an array of currencies", "accepts"));
      l.accepts.push_back(c.get<std::string>());
    }
  }
  if (store::parse_listing_kind(l.kind) == store::ListingKind::kFixed) {
    auto price = amount_field(*j, "price");
    if (!price) return fail(price.error());
    l.price = *price;
  }
  auto reserve = amount_field(*j, "reserve_price", U256(0));
  if (!reserve) return fail(reserve.error());
  l.reserve_price = *reserve;
  auto quantity = amount_field(*j, "quantity", U256(1));
  if (!quantity) return fail(quantity.error());
  l.quantity = *quantity;
  for (auto [field, target] :
       {std::pair{"platform_fee_bps", &l.platform_fee_bps}, std::pair{"starts_ms", &l.starts_ms},
        std::pair{"ends_ms", &l.ends_ms}, std::pair{"min_increment_bps", &l.min_increment_bps},
        std::pair{"time_buffer_s", &l.time_buffer_s}}) {
    if (!j->contains(field)) continue;
    if (!(*j)[field].is_number_integer())
      return fail(
          Error::invalid("invalid_field", std::string(field) + " must be an integer", field));
    *target = (*j)[field].get<std::int64_t>();
  }
  InCommit<store::ListingRecord> answer(
      ctx, [&market](const store::ListingRecord& r) -> Result<HttpResponse> {
        auto view = market.view(r);
        if (!view) return fail(view.error());
        return json_text_response(market::listing_json(*view), 201);
      });
  auto created = market.create_listing(l, answer.respond());
  if (!created) return fail(created.error());
  return answer.response(*created);
}

Result<HttpResponse> purchase(market::Market& market, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  ATELIER_TRY(refuse_unknown_fields(
      *j, {"buyer", "quantity", "max_total", "currency", "quoted_total", "max_slippage_bps"}));
  auto buyer = acting_account(ctx, *j, "buyer");
  if (!buyer) return fail(buyer.error());
  auto quantity = amount_field(*j, "quantity", U256(1));
  if (!quantity) return fail(quantity.error());
  std::optional<U256> max_total;
  if (j->contains("max_total")) {
    auto m = amount_field(*j, "max_total");
    if (!m) return fail(m.error());
    max_total = *m;
  }
  auto currency = optional_string(*j, "currency");
  if (!currency) return fail(currency.error());
  market::PurchaseOptions options{.max_total = max_total, .currency = *currency};
  if (j->contains("quoted_total")) {
    auto q = amount_field(*j, "quoted_total");
    if (!q) return fail(q.error());
    options.quoted_total = *q;
  }
  if (j->contains("max_slippage_bps")) {
    const auto& bps = (*j)["max_slippage_bps"];
    if (!bps.is_number_integer() || bps.get<std::int64_t>() < 0 ||
        bps.get<std::int64_t>() > limits::kSlippageBpsMax) {
      return fail(Error::invalid("invalid_field",
                                 "max_slippage_bps must be an integer from 0 to " +
                                     std::to_string(limits::kSlippageBpsMax),
                                 "max_slippage_bps"));
    }
    // It bounds the price above quoted_total; alone it would bound nothing.
    if (!options.quoted_total) {
      return fail(Error::invalid("invalid_field", "max_slippage_bps needs quoted_total",
                                 "max_slippage_bps"));
    }
    options.max_slippage_bps = bps.get<std::int64_t>();
  }
  InCommit<market::Sale> answer(ctx, [](const market::Sale& s) -> Result<HttpResponse> {
    return json_text_response(market::sale_json(s), 201);
  });
  auto sale = market.purchase(ListingId(ctx.path_param("id")), AccountId(*buyer), *quantity,
                              options, answer.respond());
  if (!sale) return fail(sale.error());
  return answer.response(*sale);
}

Result<HttpResponse> place_bid(market::Market& market, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  ATELIER_TRY(refuse_unknown_fields(*j, {"bidder", "amount", "currency"}));
  auto bidder = acting_account(ctx, *j, "bidder");
  if (!bidder) return fail(bidder.error());
  auto amount = amount_field(*j, "amount");
  if (!amount) return fail(amount.error());
  auto currency = optional_string(*j, "currency");
  if (!currency) return fail(currency.error());
  InCommit<market::Bid> answer(ctx, [](const market::Bid& b) -> Result<HttpResponse> {
    return json_text_response(market::bid_json(b), 201);
  });
  auto bid = market.bid(ListingId(ctx.path_param("id")), AccountId(*bidder), *amount, *currency,
                        answer.respond());
  if (!bid) return fail(bid.error());
  return answer.response(*bid);
}

Result<HttpResponse> cancel_listing(market::Market& market, RequestContext& ctx) {
  auto j = ctx.request.body.empty() ? Result<nlohmann::json>(nlohmann::json::object())
                                    : body_object(ctx);
  if (!j) return fail(j.error());
  ATELIER_TRY(refuse_unknown_fields(*j, {}));  // The caller's key says who cancels.
  const bool admin = ctx.principal && ctx.principal->allows("admin");
  std::string caller = ctx.principal ? ctx.principal->account : "";
  if (caller.empty() && !admin) {
    return fail(Error::invalid(
        "missing_account",
        "this API key acts for no account; create one with `atelier apikey create --account`",
        "seller"));
  }
  InCommit<store::ListingRecord> answer(
      ctx, [&market](const store::ListingRecord& r) -> Result<HttpResponse> {
        auto view = market.view(r);
        if (!view) return fail(view.error());
        return json_text_response(market::listing_json(*view));
      });
  auto l =
      market.cancel(ListingId(ctx.path_param("id")), AccountId(caller), admin, answer.respond());
  if (!l) return fail(l.error());
  return answer.response(*l);
}

constexpr const char* kListingSchema = R"({
  "type": "object",
  "required": ["id", "kind", "collection", "token_id", "seller", "currency", "quantity", "sold",
    "status", "price"],
  "properties": {
    "id": {"type": "string"}, "kind": {"type": "string"}, "collection": {"type": "string"},
    "token_id": {"type": "string"}, "seller": {"type": "string"}, "currency": {"type": "string"},
    "quantity": {"type": "string"}, "sold": {"type": "string"},
    "status": {"type": "string", "enum": ["active", "sold_out", "cancelled", "ended", "settled"]},
    "price": {"type": "string",
      "description": "Per unit, minor units, now; English auctions: the lowest acceptable bid."},
    "next_change_ms": {"type": ["integer", "null"],
      "description": "When the price next changes by the clock."},
    "open": {"type": "boolean", "description": "Buyable (or biddable) now."},
    "platform_fee_bps": {"type": "integer"}, "starts_ms": {"type": "integer"},
      "ends_ms": {"type": "integer"},
    "terms": {"type": "object", "description": "The kind's parameters, as listed."},
    "auction": {"type": "object", "properties": {"high_bid": {"type": "string"},
      "high_bidder": {"type": ["string", "null"]},
      "bid_count": {"type": "integer"}, "min_next_bid": {"type": "string"}}},
    "outcome": {"type": "object", "description": "How it closed: settled, ended or cancelled."}
  }
})";

constexpr const char* kNewListingSchema = R"({
  "type": "object",
  "required": ["collection", "token_id"],
  "additionalProperties": false,
  "description": ")"
    "Besides the fields every listing has, a kind takes its own: fixed price, rules, accepts; "
    "english reserve_price, min_increment_bps, time_buffer_s; Dutch kinds params, settlement, "
    "rules, accepts; GDA and VRGDA kinds params, settlement, accepts. Another kind's field is "
    "refused (400 field_not_for_kind), any other field too (400 unknown_field)."
    R"(",
  "properties": {
    "collection": {"type": "string"}, "token_id": {"type": "string"},
    "kind": {"type": "string", "enum": ["fixed", "english", "dutch-linear", "dutch-exponential",
      "gda-discrete", "gda-continuous", "vrgda-linear", "vrgda-logistic"]},
    "currency": {"type": "string", "enum": ["ETH", "USD"]},
    "price": {"type": "string", "pattern": "^[0-9]+$",
      "description": "fixed: per unit, minor units."},
    "params": {"type": "object", "additionalProperties": {"type": "string"},
      "description": ")"
      "Pricing kinds: the model's parameters (see `atelier market quote`), prices in minor units."
      R"("},
    "settlement": {"type": "string", "enum": ["immediate", "clearing"]},
    "reserve_price": {"type": "string", "pattern": "^[0-9]+$"},
    "min_increment_bps": {"type": "integer", "minimum": 0, "maximum": 10000},
    "time_buffer_s": {"type": "integer", "minimum": 0, "maximum": 86400},
    "rules": {"type": "object",
      "description": "Pricing rules: rarity_tiers, demand, floor, ceiling."},
    "accepts": {"type": "array", "items": {"type": "string", "enum": ["ETH", "USD"]},
      "description":
        "Other currencies buyers may pay in, converted through the pair's oracle feed."},
    "quantity": {"type": "string", "pattern": "^[0-9]+$"}, "platform_fee_bps": {"type": "integer",
      "minimum": 0, "maximum": 10000},
    "starts_ms": {"type": "integer"}, "ends_ms": {"type": "integer"}, "seller": {"type": "string",
      "minLength": 1}
  }
})";

constexpr const char* kPurchaseSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "quantity": {"type": "string", "pattern": "^[0-9]+$"}, "max_total": {"type": "string",
      "pattern": "^[0-9]+$"},
    "buyer": {"type": "string", "minLength": 1}, "currency": {"type": "string",
      "description": "Pay currency: the listing's or one it accepts."},
    "quoted_total": {"type": "string", "pattern": "^[0-9]+$"},
    "max_slippage_bps": {"type": "integer", "minimum": 0, "maximum": 10000,
      "description": "Only with quoted_total."}
  }
})";

constexpr const char* kSaleSchema = R"({
  "type": "object",
  "required": ["listing", "buyer", "quantity", "total", "payouts", "log_index"],
  "properties": {
    "listing": {"type": "string"}, "buyer": {"type": "string"}, "quantity": {"type": "string"},
    "total": {"type": "string"}, "log_index": {"type": "integer"},
    "payouts": {"type": "array", "items": {"type": "object", "required": ["account", "amount",
      "role"],
      "properties": {"account": {"type": "string"}, "amount": {"type": "string"},
        "role": {"type": "string"}}}}
  }
})";

constexpr const char* kNewBidSchema = R"({
  "type": "object",
  "required": ["amount"],
  "additionalProperties": false,
  "properties": {"amount": {"type": "string", "pattern": "^[0-9]+$"}, "bidder": {"type": "string",
    "minLength": 1},
    "currency": {"type": "string"}}
})";

constexpr const char* kBidSchema = R"({
  "type": "object",
  "required": ["listing", "bidder", "amount", "ends_ms", "log_index"],
  "properties": {"listing": {"type": "string"}, "bidder": {"type": "string"},
    "amount": {"type": "string"},
    "ends_ms": {"type": "integer"}, "refunded": {"type": "string"}, "refund": {"type": "string"},
    "log_index": {"type": "integer"}}
})";

constexpr const char* kBidEntrySchema = R"({
  "type": "object",
  "required": ["seq", "bidder", "amount", "time_ms", "log_index"],
  "properties": {"seq": {"type": "integer",
    "description": "0 for the first bid on the listing, then 1, …"},
    "bidder": {"type": "string"}, "amount": {"type": "string"}, "time_ms": {"type": "integer"},
    "log_index": {"type": "integer"}}
})";

constexpr const char* kSettlementSchema = R"({
  "type": "object",
  "required": ["listing", "status", "price", "payouts", "rebates", "log_index"],
  "properties": {"listing": {"type": "string"}, "status": {"type": "string", "enum": ["settled",
    "ended"]},
    "winner": {"type": "string"}, "price": {"type": "string"}, "log_index": {"type": "integer"},
    "payouts": {"type": "array", "items": {"type": "object"}},
    "rebates": {"type": "array", "items": {"type": "object",
      "properties": {"account": {"type": "string"},
      "amount": {"type": "string"}}}}}
})";

constexpr const char* kListingQuoteSchema = R"({
  "type": "object",
  "required": ["listing", "currency", "quantity", "total"],
  "properties": {"listing": {"type": "string"}, "currency": {"type": "string"},
    "quantity": {"type": "string"},
    "total": {"type": "string"}, "feed": {"type": "string"}, "price_wad": {"type": "string"},
    "as_of_ms": {"type": "integer"}}
})";

constexpr const char* kRaritySchema = R"({
  "type": "object",
  "required": ["collection", "method", "tokens"],
  "properties": {"collection": {"type": "string"}, "method": {"type": "string"},
    "tokens": {"type": "array", "items": {"type": "object", "required": ["token_id", "rank",
      "score"],
      "properties": {"token_id": {"type": "string"}, "rank": {"type": "integer"},
        "score": {"type": "number"},
        "unique_traits": {"type": "integer"}}}}}
})";

}  // namespace

void add_market_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.market == nullptr) return;
  market::Market& market = *deps.market;
  table.add_schema("Listing", kListingSchema);
  table.add_schema("NewListing", kNewListingSchema);
  table.add_schema("Purchase", kPurchaseSchema);
  table.add_schema("Sale", kSaleSchema);
  table.add_schema("NewBid", kNewBidSchema);
  table.add_schema("Bid", kBidSchema);
  table.add_schema("BidEntry", kBidEntrySchema);
  table.add_schema("Settlement", kSettlementSchema);
  table.add_schema("Rarity", kRaritySchema);
  table.add_schema("ListingQuote", kListingQuoteSchema);
  table.add({.method = "POST",
             .path = "/v1/listings",
             .operation_id = "createListing",
             .summary = "List a token: fixed price, English auction, Dutch, GDA or VRGDA",
             .tag = "market",
             .scope = "trade",
             .request_schema = R"({"$ref": "#/components/schemas/NewListing"})",
             .responses = {{201, "The listing.", "application/json",
                            R"({"$ref": "#/components/schemas/Listing"})"}},
             .handler = [&market](RequestContext& c) { return create_listing(market, c); }});
  table.add({.method = "GET",
             .path = "/v1/listings/{id}",
             .operation_id = "getListing",
             .summary = "A listing with its current price and when it next changes",
             .tag = "market",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Listing id."}},
             .responses = {{200, "The listing.", "application/json",
                            R"({"$ref": "#/components/schemas/Listing"})"}},
             .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
               auto v = market.listing(c.path_param("id"));
               if (!v) return fail(v.error());
               return json_text_response(market::listing_json(*v));
             }});
  table.add(
      {.method = "POST",
       .path = "/v1/listings/{id}/purchases",
       .operation_id = "purchaseListing",
       .summary =
           "Buy from a listing: payment, royalties, fee, proceeds and the token settle atomically",
       .description =
           "409 sold_out when nothing is left (racing buyers: exactly one wins the last unit), "
           "409 insufficient_funds, 409 price_above_limit when the total exceeds max_total.",
       .tag = "market",
       .scope = "trade",
       .params = {{.name = "id", .in = ParamIn::kPath, .description = "Listing id."}},
       .request_schema = R"({"$ref": "#/components/schemas/Purchase"})",
       .responses = {{201, "The sale.", "application/json",
                      R"({"$ref": "#/components/schemas/Sale"})"}},
       .handler = [&market](RequestContext& c) { return purchase(market, c); }});
  const std::vector<ParamDoc> listing_id = {
      {.name = "id", .in = ParamIn::kPath, .description = "Listing id."}};
  table.add(
      {.method = "POST",
       .path = "/v1/listings/{id}/bids",
       .operation_id = "placeBid",
       .summary = "Bid on an English auction: the bid is escrowed, the bid it beats refunded",
       .description =
           "400 bid_below_reserve, 409 bid_too_low (outbid; the message names the minimum), 409 "
           "listing_ended, "
           "409 insufficient_funds. A bid within the time buffer of the end extends the auction.",
       .tag = "market",
       .scope = "trade",
       .params = listing_id,
       .request_schema = R"({"$ref": "#/components/schemas/NewBid"})",
       .responses = {{201, "The bid.", "application/json",
                      R"({"$ref": "#/components/schemas/Bid"})"}},
       .handler = [&market](RequestContext& c) { return place_bid(market, c); }});
  table.add({.method = "GET",
             .path = "/v1/listings/{id}/bids",
             .operation_id = "listBids",
             .summary = "An auction's bids, oldest first",
             .tag = "market",
             .paginated = true,
             .params = listing_id,
             .responses = {{200, "The bids.", "application/json",
                            R"({"$ref": "#/components/schemas/BidEntry"})"}},
             .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
               auto page = page_request(c);
               if (!page) return fail(page.error());
               auto bids = market.bids(c.path_param("id"), *page);
               if (!bids) return fail(bids.error());
               nlohmann::json data = nlohmann::json::array();
               for (const auto& b : bids->items) {
                 data.push_back({{"seq", b.seq},
                                 {"bidder", b.bidder},
                                 {"amount", b.amount.to_decimal()},
                                 {"time_ms", b.time_ms},
                                 {"log_index", b.log_index}});
               }
               return page_response(std::move(data), bids->next_cursor);
             }});
  table.add(
      {.method = "POST",
       .path = "/v1/auctions/{id}/settle",
       .operation_id = "settleAuction",
       .summary = "Close an auction whose time is up: pay the winner's bid out and hand over the "
                  "token, or "
                  "rebate a clearing-price Dutch auction's buyers",
       .description =
           "Anyone with scope trade may settle. 409 auction_not_ended, 409 already_settled.",
       .tag = "market",
       .scope = "trade",
       .params = {{.name = "id", .in = ParamIn::kPath, .description = "The auction's listing id."}},
       .responses = {{200, "What settling did.", "application/json",
                      R"({"$ref": "#/components/schemas/Settlement"})"}},
       .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
         InCommit<market::Settlement> answer(
             c, [](const market::Settlement& s) -> Result<HttpResponse> {
               return json_text_response(market::settlement_json(s));
             });
         auto s = market.settle(c.path_param("id"), answer.respond());
         if (!s) return fail(s.error());
         return answer.response(*s);
       }});
  table.add({.method = "POST",
             .path = "/v1/listings/{id}/cancel",
             .operation_id = "cancelListing",
             .summary = "Withdraw a listing (its seller, or an admin key); an auction only before "
                        "its first bid or sale",
             .tag = "market",
             .scope = "trade",
             .params = listing_id,
             .responses = {{200, "The cancelled listing.", "application/json",
                            R"({"$ref": "#/components/schemas/Listing"})"}},
             .handler = [&market](RequestContext& c) { return cancel_listing(market, c); }});
  table.add(
      {.method = "GET",
       .path = "/v1/listings/{id}/quote",
       .operation_id = "quoteListing",
       .summary = "What a purchase would cost now, in the listing's currency or one it accepts "
                  "(via its feed)",
       .description = "409 oracle_circuit_open when the feed is not trusted now. Pass the total as "
                      "quoted_total "
                      "with max_slippage_bps to bound a converted purchase.",
       .tag = "market",
       .params = {{.name = "id", .in = ParamIn::kPath, .description = "Listing id."},
                  {.name = "currency",
                   .in = ParamIn::kQuery,
                   .description = "Pay currency (default: the listing's)."},
                  {.name = "quantity", .in = ParamIn::kQuery, .description = "Units (default 1)."}},
       .responses = {{200, "The quote.", "application/json",
                      R"({"$ref": "#/components/schemas/ListingQuote"})"}},
       .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
         const std::string quantity_text(c.query_param("quantity").value_or("1"));
         auto quantity = ledger::parse_amount(quantity_text, "quantity");
         if (!quantity) return fail(quantity.error());
         const std::string currency(c.query_param("currency").value_or(""));
         auto due = market.quote(ListingId(c.path_param("id")), *quantity, currency);
         if (!due) return fail(due.error());
         auto listing = market.listing(c.path_param("id"));
         if (!listing) return fail(listing.error());
         nlohmann::json j = {{"listing", c.path_param("id")},
                             {"currency", currency.empty() ? listing->listing.currency : currency},
                             {"quantity", quantity->to_decimal()},
                             {"total", due->amount.to_decimal()}};
         if (!due->feed.empty()) {
           j["feed"] = due->feed;
           j["price_wad"] = due->price.price_wad.to_decimal();
           j["as_of_ms"] = due->price.as_of_ms;
         }
         return json_text_response(j.dump());
       }});
  table.add(
      {.method = "GET",
       .path = "/v1/collections/{id}/rarity",
       .operation_id = "getCollectionRarity",
       .summary =
           "The collection's OpenRarity ranking (information content over its tokens' traits)",
       .tag = "market",
       .params = {{.name = "id", .in = ParamIn::kPath, .description = "Collection id."}},
       .responses = {{200, "Tokens in rank order (1 = rarest).", "application/json",
                      R"({"$ref": "#/components/schemas/Rarity"})"}},
       .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
         auto r = market.rarity(c.path_param("id"));
         if (!r) return fail(r.error());
         nlohmann::json tokens = nlohmann::json::array();
         for (const auto& t : (*r)->ranked) {
           tokens.push_back({{"token_id", t.token_id.to_decimal()},
                             {"rank", t.rank},
                             {"score", t.score},
                             {"unique_traits", t.unique_traits}});
         }
         return json_text_response(nlohmann::json{
             {"collection", (*r)->collection},
             {"method", "openrarity-ic"},
             {"tokens", tokens}}.dump());
       }});
}

}  // namespace atelier::api
