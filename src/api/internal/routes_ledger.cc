// Collections, tokens and accounts over HTTP (issue 4): token metadata JSON for wallets and
// marketplaces (public), contract-level metadata (public), and an account's balances and
// tokens (scope "read", and only for the key bound to that account or an admin key: balances
// are private). Who holds a token stays public, as ownerOf is on a chain: GET
// /v1/collections/{id}/tokens/{token_id}/owners.
#include "api/internal/handler_util.h"
#include "api/internal/routes.h"
#include "ledger/ledger.h"

namespace atelier::api {
namespace {

// How a token URL's {token_id} is read (ledger::parse_token_id_in_url), for the route texts.
// How a token URL's {token_id} is read (ledger::parse_token_id_in_url), for the route texts.
constexpr const char* kTokenIdRule =
    "token_id is canonical decimal, except in an ERC-1155 collection, where exactly 64 characters "
    "are read "
    "as 64 lowercase hex digits: the form ERC-1155 wallets substitute for {id} in the collection's "
    "metadata "
    "URI (so an ERC-1155 id of 64 decimal digits, 10^63 and up, is written in hex there). 404 "
    "unknown_collection when the collection does not exist.";

// Metadata is read by wallets and marketplaces that cache aggressively; a token's metadata
// can change (a burn, a reveal), so it is cached for minutes, not forever.
constexpr const char* kMetadataCaching = "public, max-age=300";

// Whether the caller may see account `id`: its own key (`apikey create --account`) or an admin
// key. Anyone else is told what they would be told about an account that does not exist
// (404 unknown_account), not 403: a 403 would confirm that the account exists, and account
// ids are often people's names.
Result<void> may_read_account(const RequestContext& ctx, std::string_view id) {
  const auto& who = ctx.principal;
  if (who && (who->allows("admin") || (!who->account.empty() && who->account == id))) return {};
  return fail(Error::not_found("unknown_account", "no account " + std::string(id), "id"));
}

// The {token_id} of a token URL, read by the rule of ledger::parse_token_id_in_url: in an
// ERC-1155 collection 64 characters are the hex {id} of its metadata URI, otherwise decimal.
// So the collection is looked up first (404 unknown_collection when there is none).
Result<U256> token_id_param(ledger::Ledger& ledger, const RequestContext& ctx) {
  const auto collection_id = ctx.path_param("id");
  auto collection = ledger.store().collection(collection_id);
  if (!collection) return fail(collection.error());
  if (!*collection) {
    return fail(Error::not_found("unknown_collection",
                                 "no collection " + std::string(collection_id), "collection"));
  }
  const std::string& standard = (*collection)->standard;
  auto id = ledger::parse_token_id_in_url(ctx.path_param("token_id"), standard);
  if (!id) {
    return fail(Error::invalid(
        "invalid_token_id",
        standard == "erc1155"
            ? "token_id must be decimal, or 64 lowercase hex digits (the ERC-1155 {id} form)"
            : "token_id must be a decimal integer below 2^256",
        "token_id"));
  }
  return *id;
}

constexpr const char* kMetadataSchema = R"({
  "type": "object",
  "required": ["name", "description", "image", "attributes"],
  "properties": {
    "name": {"type": "string"}, "description": {"type": "string"}, "image": {"type": "string"},
    "external_url": {"type": "string"},
    "attributes": {"type": "array", "items": {"type": "object", "required": ["trait_type", "value"],
      "properties": {"trait_type": {"type": "string"}, "value": {}}}},
    "token_hash": {"type": "string"}, "recipe_id": {"type": "string"}
  }
})";

// One page of a token's holders, by account id (the cursor is the last account returned).
// Holders are read whole: an ERC-721 token has one, an ERC-1155 token as many as it has
// owners, which the store lists in account order.
Result<HttpResponse> token_owners(ledger::Ledger& ledger, RequestContext& ctx) {
  auto page = page_request(ctx);
  if (!page) return fail(page.error());
  auto id = token_id_param(ledger, ctx);
  if (!id) return fail(id.error());
  auto holders = ledger.store().holders(ctx.path_param("id"), *id);
  if (!holders) return fail(holders.error());
  if (holders->empty()) {
    return fail(Error::not_found(
        "unknown_token",
        "no token " + id->to_decimal() + " in collection " + std::string(ctx.path_param("id")),
        "token_id"));
  }
  nlohmann::json data = nlohmann::json::array();
  std::string next;
  for (const auto& h : *holders) {
    if (!page->cursor.empty() && h.account <= page->cursor) continue;
    if (static_cast<std::int64_t>(data.size()) == page->limit) {
      next = data.back()["account"];
      break;
    }
    data.push_back({{"account", h.account}, {"amount", h.amount.to_decimal()}});
  }
  return page_response(std::move(data), next);
}

constexpr const char* kTokenOwnerSchema = R"({
  "type": "object",
  "required": ["account", "amount"],
  "properties": {"account": {"type": "string"}, "amount": {"type": "string",
    "description": "Units held (1 for ERC-721)."}}
})";

constexpr const char* kAccountSchema = R"({
  "type": "object",
  "required": ["id", "kind", "name", "balances", "tokens"],
  "properties": {
    "id": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"},
    "balances": {"type": "array", "items": {"type": "object", "required": ["currency", "amount"],
      "properties": {"currency": {"type": "string"}, "amount": {"type": "string",
        "description": "Minor units (wei, cents), decimal; '-' only for the external account."}}}},
    "tokens": {"type": "array", "items": {"type": "object", "required": ["collection", "token_id",
      "amount"],
      "properties": {"collection": {"type": "string"}, "token_id": {"type": "string"},
        "amount": {"type": "string"}}}}
  }
})";

}  // namespace

void add_ledger_routes(RouteTable& table, RouteDeps& deps) {
  if (deps.ledger == nullptr) return;
  ledger::Ledger& ledger = *deps.ledger;
  const std::string& base = deps.public_url;
  table.add_schema("TokenMetadata", kMetadataSchema);
  table.add_schema("Account", kAccountSchema);
  table.add_schema("TokenOwner", kTokenOwnerSchema);
  table.add({.method = "GET",
             .path = "/v1/collections/{id}/tokens/{token_id}/metadata.json",
             .operation_id = "getTokenMetadata",
             .summary = "Token metadata (ERC-721 tokenURI / ERC-1155 uri)",
             .description =
                 "name, description, image, external_url and attributes (trait_type/value from the "
                 "render's traits). " +
                 std::string(kTokenIdRule),
             .tag = "collections",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Collection id."},
                        {.name = "token_id", .in = ParamIn::kPath, .description = "Token id."}},
             .responses = {{200, "The metadata.", "application/json",
                            R"({"$ref": "#/components/schemas/TokenMetadata"})"}},
             .handler = [&ledger, &base](RequestContext& c) -> Result<HttpResponse> {
               auto id = token_id_param(ledger, c);
               if (!id) return fail(id.error());
               auto body = ledger.token_metadata(CollectionId(c.path_param("id")), *id, base);
               if (!body) return fail(body.error());
               return json_text_response(std::move(*body), 200, kMetadataCaching);
             }});
  table.add(
      {.method = "GET",
       .path = "/v1/collections/{id}/tokens/{token_id}/owners",
       .operation_id = "listTokenOwners",
       .summary = "Who holds a token (ERC-721 ownerOf; ERC-1155 every holder), by account id",
       .description =
           "Public, as token ownership is on a chain; balances are not (GET /v1/accounts/{id}). "
           "404 unknown_token when nobody holds it. " + std::string(kTokenIdRule),
       .tag = "collections",
       .paginated = true,
       .params = {{.name = "id", .in = ParamIn::kPath, .description = "Collection id."},
                  {.name = "token_id", .in = ParamIn::kPath, .description = "Token id."}},
       .responses = {{200, "The holders.", "application/json",
                      R"({"$ref": "#/components/schemas/TokenOwner"})"}},
       .handler = [&ledger](RequestContext& c) { return token_owners(ledger, c); }});
  table.add({.method = "GET",
             .path = "/v1/collections/{id}",
             .operation_id = "getCollection",
             .summary = "Contract-level metadata of a collection",
             .description =
                 "name, description, image, external_link, seller_fee_basis_points, fee_recipient; "
                 "for ERC-1155 the token URI template with {id}.",
             .tag = "collections",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Collection id."}},
             .responses = {{200, "The collection.", "application/json", R"({"type": "object"})"}},
             .handler = [&ledger, &base](RequestContext& c) -> Result<HttpResponse> {
               auto body = ledger.contract_metadata(CollectionId(c.path_param("id")), base);
               if (!body) return fail(body.error());
               return json_text_response(std::move(*body), 200, kMetadataCaching);
             }});
  table.add({.method = "GET",
             .path = "/v1/accounts/{id}",
             .operation_id = "getAccount",
             .summary = "An account's balances (minor units) and tokens",
             .description =
                 "Private: only the API key bound to the account (`apikey create --account`) or an "
                 "admin key may read it. Any other key gets 404 unknown_account, as for an account "
                 "that does not exist, so that the answer does not disclose which accounts exist.",
             .tag = "accounts",
             .scope = "read",
             .params = {{.name = "id", .in = ParamIn::kPath, .description = "Account id."}},
             .responses = {{200, "The account.", "application/json",
                            R"({"$ref": "#/components/schemas/Account"})"}},
             .handler = [&ledger](RequestContext& c) -> Result<HttpResponse> {
               ATELIER_TRY(may_read_account(c, c.path_param("id")));
               auto v = ledger.account(c.path_param("id"));
               if (!v) return fail(v.error());
               return json_text_response(ledger::account_json(*v));
             }});
}

}  // namespace atelier::api
