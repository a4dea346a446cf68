// Listings and purchases over HTTP (issue 4 §4): POST /v1/listings (scope trade), GET
// /v1/listings/{id} (public: the current price and when it next changes), POST
// /v1/listings/{id}/purchases (scope trade). The key's ledger account is the seller or buyer
// (`atelier apikey create --account`); an admin key may name them. Every POST takes an
// Idempotency-Key (the pipeline replays the first result). Amounts are decimal strings of
// minor units.
#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "core/canonical_json.h"
#include "ledger/ledger.h"
#include "market/listings.h"

namespace atelier::api {
namespace {

Result<nlohmann::json> body_object(const RequestContext& ctx) {
  auto j = parse_json(ctx.request.body, static_cast<std::size_t>(limits::kRequestBodyBytesMax), "body");
  if (!j) return fail(j.error());
  if (!j->is_object()) return fail(Error::invalid("invalid_body", "the body must be a JSON object", "body"));
  return std::move(*j);
}

// A decimal string of minor units under `field` (required unless `fallback` is given).
Result<U256> amount_field(const nlohmann::json& j, const char* field, std::optional<U256> fallback = std::nullopt) {
  if (!j.contains(field)) {
    if (fallback) return *fallback;
    return fail(Error::invalid("missing_field", std::string(field) + " is required", field));
  }
  if (!j[field].is_string()) {
    return fail(Error::invalid("invalid_amount", std::string(field) + " must be a decimal string of minor units", field));
  }
  return ledger::parse_amount(j[field].get<std::string>(), field);
}

// The account the request acts for: the key's, or (admin keys only) the body's `field`.
Result<std::string> acting_account(const RequestContext& ctx, const nlohmann::json& j, const char* field) {
  std::string named = j.contains(field) && j[field].is_string() ? j[field].get<std::string>() : "";
  const std::string own = ctx.principal ? ctx.principal->account : "";
  if (!named.empty() && named != own) {
    if (ctx.principal && ctx.principal->allows("admin")) return named;
    return fail(Error{ErrorKind::kForbidden, "account_not_yours",
                      "this API key acts for \"" + own + "\", not \"" + named + "\"", field});
  }
  if (own.empty() && named.empty()) {
    return fail(Error::invalid("missing_account",
                               "this API key acts for no account; create one with `atelier apikey create --account`",
                               field));
  }
  return named.empty() ? own : named;
}

Result<HttpResponse> create_listing(market::Market& market, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
  market::NewListing l;
  auto seller = acting_account(ctx, *j, "seller");
  if (!seller) return fail(seller.error());
  l.seller = *seller;
  if (!j->contains("collection") || !(*j)["collection"].is_string()) {
    return fail(Error::invalid("missing_field", "collection is required", "collection"));
  }
  l.collection = (*j)["collection"];
  if (!j->contains("token_id") || !(*j)["token_id"].is_string() || !ledger::parse_token_id((*j)["token_id"].get<std::string>())) {
    return fail(Error::invalid("invalid_token_id", "token_id must be a decimal string", "token_id"));
  }
  l.token_id = *ledger::parse_token_id((*j)["token_id"].get<std::string>());
  if (j->contains("kind") && (*j)["kind"] != "fixed") {
    return fail(Error::invalid("unsupported_kind", "kind must be \"fixed\" (auctions are not served yet)", "kind"));
  }
  if (j->contains("currency")) {
    if (!(*j)["currency"].is_string()) return fail(Error::invalid("unknown_currency", "currency must be ETH or USD", "currency"));
    l.currency = (*j)["currency"];
  }
  auto price = amount_field(*j, "price");
  if (!price) return fail(price.error());
  l.price = *price;
  auto quantity = amount_field(*j, "quantity", U256(1));
  if (!quantity) return fail(quantity.error());
  l.quantity = *quantity;
  for (auto [field, target] : {std::pair{"platform_fee_bps", &l.platform_fee_bps}, std::pair{"starts_ms", &l.starts_ms},
                               std::pair{"ends_ms", &l.ends_ms}}) {
    if (!j->contains(field)) continue;
    if (!(*j)[field].is_number_integer()) return fail(Error::invalid("invalid_field", std::string(field) + " must be an integer", field));
    *target = (*j)[field].get<std::int64_t>();
  }
  auto created = market.create_listing(l);
  if (!created) return fail(created.error());
  auto view = market.listing(created->id);
  if (!view) return fail(view.error());
  return json_text_response(market::listing_json(*view), 201);
}

Result<HttpResponse> purchase(market::Market& market, RequestContext& ctx) {
  auto j = body_object(ctx);
  if (!j) return fail(j.error());
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
  auto sale = market.purchase(ctx.path_param("id"), *buyer, *quantity, max_total);
  if (!sale) return fail(sale.error());
  return json_text_response(market::sale_json(*sale), 201);
}

constexpr const char* kListingSchema = R"({
  "type": "object",
  "required": ["id", "kind", "collection", "token_id", "seller", "currency", "quantity", "sold", "status", "price"],
  "properties": {
    "id": {"type": "string"}, "kind": {"type": "string"}, "collection": {"type": "string"},
    "token_id": {"type": "string"}, "seller": {"type": "string"}, "currency": {"type": "string"},
    "quantity": {"type": "string"}, "sold": {"type": "string"}, "status": {"type": "string"},
    "price": {"type": "string", "description": "Per unit, minor units, now."},
    "next_change_ms": {"type": ["integer", "null"]}, "platform_fee_bps": {"type": "integer"},
    "starts_ms": {"type": "integer"}, "ends_ms": {"type": "integer"}
  }
})";

constexpr const char* kNewListingSchema = R"({
  "type": "object",
  "required": ["collection", "token_id", "price"],
  "properties": {
    "collection": {"type": "string"}, "token_id": {"type": "string"}, "kind": {"type": "string", "enum": ["fixed"]},
    "currency": {"type": "string", "enum": ["ETH", "USD"]}, "price": {"type": "string", "pattern": "^[0-9]+$"},
    "quantity": {"type": "string", "pattern": "^[0-9]+$"}, "platform_fee_bps": {"type": "integer", "minimum": 0, "maximum": 10000},
    "starts_ms": {"type": "integer"}, "ends_ms": {"type": "integer"}, "seller": {"type": "string"}
  }
})";

constexpr const char* kPurchaseSchema = R"({
  "type": "object",
  "properties": {
    "quantity": {"type": "string", "pattern": "^[0-9]+$"}, "max_total": {"type": "string", "pattern": "^[0-9]+$"},
    "buyer": {"type": "string"}
  }
})";

constexpr const char* kSaleSchema = R"({
  "type": "object",
  "required": ["listing", "buyer", "quantity", "total", "payouts", "log_index"],
  "properties": {
    "listing": {"type": "string"}, "buyer": {"type": "string"}, "quantity": {"type": "string"},
    "total": {"type": "string"}, "log_index": {"type": "integer"},
    "payouts": {"type": "array", "items": {"type": "object", "required": ["account", "amount", "role"],
      "properties": {"account": {"type": "string"}, "amount": {"type": "string"}, "role": {"type": "string"}}}}
  }
})";

}  // namespace

void add_market_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.market == nullptr) return;
  market::Market& market = *deps.market;
  table.add_schema("Listing", kListingSchema);
  table.add_schema("NewListing", kNewListingSchema);
  table.add_schema("Purchase", kPurchaseSchema);
  table.add_schema("Sale", kSaleSchema);
  table.add({.method = "POST",
             .path = "/v1/listings",
             .operation_id = "createListing",
             .summary = "List a token for sale at a fixed price",
             .tag = "market",
             .scope = "trade",
             .request_schema = R"({"$ref": "#/components/schemas/NewListing"})",
             .responses = {{201, "The listing.", "application/json", R"({"$ref": "#/components/schemas/Listing"})"}},
             .handler = [&market](RequestContext& c) { return create_listing(market, c); }});
  table.add({.method = "GET",
             .path = "/v1/listings/{id}",
             .operation_id = "getListing",
             .summary = "A listing with its current price and when it next changes",
             .tag = "market",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Listing id."}},
             .responses = {{200, "The listing.", "application/json", R"({"$ref": "#/components/schemas/Listing"})"}},
             .handler = [&market](RequestContext& c) -> Result<HttpResponse> {
               auto v = market.listing(c.path_param("id"));
               if (!v) return fail(v.error());
               return json_text_response(market::listing_json(*v));
             }});
  table.add({.method = "POST",
             .path = "/v1/listings/{id}/purchases",
             .operation_id = "purchaseListing",
             .summary = "Buy from a listing: payment, royalties, fee, proceeds and the token settle atomically",
             .description = "409 sold_out when nothing is left (racing buyers: exactly one wins the last unit), "
                            "409 insufficient_funds, 409 price_above_limit when the total exceeds max_total.",
             .tag = "market",
             .scope = "trade",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Listing id."}},
             .request_schema = R"({"$ref": "#/components/schemas/Purchase"})",
             .responses = {{201, "The sale.", "application/json", R"({"$ref": "#/components/schemas/Sale"})"}},
             .handler = [&market](RequestContext& c) { return purchase(market, c); }});
}

}  // namespace atelier::api
