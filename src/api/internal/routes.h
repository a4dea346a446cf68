// routes.h — the atelier endpoints, each group in its own file, all added to one RouteTable.
//
//   routes_system.cc      GET /, /v1/health, /openapi.json, /metrics
//   routes_generators.cc  GET /v1/generators, /v1/generators/{name}
//   routes_renders.cc     POST /v1/renders, GET /v1/renders/{recipe_id}
//   routes_assets.cc      GET /v1/assets/{sha256}, /v1/assets/{sha256}/variants
//   routes_log.cc         GET /checkpoint, /tile/…, /v1/log/entries/{index}, /v1/log/proof/…
//   routes_ledger.cc      GET /v1/collections/{id}[/tokens/{token_id}/metadata.json|owners],
//                         /v1/accounts/{id} (the account's own key or admin only)
//   routes_market.cc      POST /v1/listings, GET /v1/listings/{id}, POST
//   /v1/listings/{id}/purchases routes_oracle.cc      POST /v1/oracles/feeds, GET
//   /v1/oracles/feeds/{id}, POST …/{id}/reports
//   routes_screening.cc   /v1/compliance/check, decisions, reviews, policies, terms;
//                         GET /v1/assets/{sha256}/compliance
//   routes_compliance.cc  /v1/compliance/banks, /v1/compliance/registry/… (scope compliance)
//
// Handlers are thin (DESIGN.md "doors"): parse and check input, call the engine or store,
// format JSON. Business rules live in the engine.
#pragma once

#include <string>

#include "api/internal/metrics.h"
#include "api/internal/router.h"

namespace atelier::c2pa {
class Issuer;
}  // namespace atelier::c2pa
namespace atelier::render {
class Engine;
}
namespace atelier::provenance {
class Log;
}
namespace atelier::ledger {
class Ledger;
}
namespace atelier::market {
class Market;
class Feeds;
}
namespace atelier::compliance {
class Registry;
class Screening;
}

namespace atelier::api {

struct RouteDeps {
  render::Engine& engine;
  Metrics& metrics;
  const std::string& openapi_json;  // Filled in after the table is built (it documents itself).
  provenance::Log* log = nullptr;   // The transparency log routes exist only when set.
  ledger::Ledger* ledger = nullptr; // Collections, tokens and accounts, only when set.
  market::Market* market = nullptr; // Listings and purchases, only when set.
  std::string public_url = {};      // Absolute base of links in metadata ("https://host").
  market::Feeds* feeds = nullptr;   // Price-feed oracles, only when set.
  c2pa::Issuer* issuer = nullptr;   // Signs renders' assets when set (Content Credentials).
  const std::vector<std::vector<std::uint8_t>>* c2pa_anchors = nullptr;
  compliance::Registry* registry = nullptr;  // The registry of protected works, when set.
  compliance::Screening* screening = nullptr;  // Checks, decisions, reviews, terms, when set.
};

void add_system_routes(RouteTable& table, RouteDeps& deps);
void add_generator_routes(RouteTable& table, RouteDeps& deps);
void add_render_routes(RouteTable& table, RouteDeps& deps);
void add_asset_routes(RouteTable& table, RouteDeps& deps);
void add_log_routes(RouteTable& table, RouteDeps& deps);
void add_ledger_routes(RouteTable& table, RouteDeps& deps);
void add_market_routes(RouteTable& table, RouteDeps& deps);
void add_oracle_routes(RouteTable& table, RouteDeps& deps);
void add_compliance_routes(RouteTable& table, RouteDeps& deps);
void add_screening_routes(RouteTable& table, RouteDeps& deps);

// Every route above. `deps` must outlive the table.
RouteTable build_routes(RouteDeps& deps);

}  // namespace atelier::api
