// libFuzzer target: the HTTP API's request handling — every mutating route's JSON body through
// the real route table (routes.h) and the request pipeline (pipeline.h: request id, routing,
// bearer-token auth, query and JSON parsing, idempotency, the handler), plus raw request heads
// (method, target, any headers) and bearer tokens alone. Build with `make fuzz`; saved inputs in
// fuzz/corpus/api are replayed by tests/fuzz on every test run.
//
// The pipeline's store is tests/api/fake_store.h (API keys, idempotency claims) and the render
// engine runs on it too (no generators: a render request stops after its checks). Ledger,
// market and feeds need a LedgerStore, which the fake does not offer: they run on a SqliteStore
// in a scratch directory, set up once with accounts, two collections, a fixed-price listing,
// an English auction and a price feed. Their state carries from input to input.
//
// Input: byte 0 picks the route (kRoutes; the last is a raw request), byte 1 the caller's key
// (none, seller, buyer, admin, oracle, render, read, or the first line of the rest as the bearer
// token), byte 2 flags (1: an Idempotency-Key header from byte 3, 2: Content-Type JSON, 4: the
// auction for {id} instead of the fixed listing, 8: the first line of the rest is {id}); the
// rest is the body. A raw request is "METHOD target\n" then "Name: value" lines, a blank
// line and the body.
//
// Properties: nothing crashes; the pipeline answers exactly once, with a status in 200..599;
// a JSON answer is JSON, and an error is {"error":{"code":…}}; no input is a 500 unless it
// carried an Idempotency-Key (those are claimed in the fake store, which the SQLite-backed
// market cannot complete a claim in: such purchases answer 409 idempotency_claim_lost).
// ATELIER_API_FUZZ_VERBOSE=1 prints each answer's status and body (to check what seeds reach).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_keys.h"
#include "api/internal/json_log.h"
#include "api/internal/metrics.h"
#include "api/internal/pipeline.h"
#include "api/internal/routes.h"
#include "api/internal/worker_pool.h"
#include "core/clock.h"
#include "ledger/ledger.h"
#include "market/feeds.h"
#include "market/listings.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "tests/api/fake_store.h"

namespace {

namespace api = atelier::api;
using atelier::AccountId;
using atelier::U256;

void check(bool ok) {
  if (!ok) std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "api_fuzz setup failed: %s\n", what);
    std::abort();
  }
}

struct RouteChoice {
  const char* method;
  const char* path;  // "{id}" is replaced.
};
constexpr RouteChoice kRoutes[] = {
    {"POST", "/v1/renders"},
    {"POST", "/v1/listings"},
    {"POST", "/v1/listings/{id}/purchases"},
    {"POST", "/v1/listings/{id}/bids"},
    {"POST", "/v1/auctions/{id}/settle"},
    {"POST", "/v1/listings/{id}/cancel"},
    {"GET", "/v1/listings/{id}/quote"},  // Its query string is parsed (quantity, currency).
    {"POST", "/v1/oracles/feeds"},
    {"POST", "/v1/oracles/feeds/{id}/reports"},
    {nullptr, nullptr},  // A raw request.
};
constexpr std::size_t kRouteCount = sizeof kRoutes / sizeof kRoutes[0];

std::filesystem::path scratch_dir() {
  const std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  return base / ("atelier_api_fuzz." + std::to_string(::getpid()));
}

class World {
 public:
  World() {
    dir_ = scratch_dir();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "blobs");
    auto opened = atelier::store::SqliteStore::open(dir_ / "ledger.db", &clock_);
    require(opened.has_value(), "open the ledger database");
    db_ = std::move(*opened);
    blobs_ = std::make_unique<atelier::store::BlobStore>(dir_ / "blobs");
    engine_ = std::make_unique<atelier::render::Engine>(fake_, *blobs_);
    ledger_ = std::make_unique<atelier::ledger::Ledger>(*db_, *db_, clock_);
    feeds_ = std::make_unique<atelier::market::Feeds>(*db_, clock_);
    market_ = std::make_unique<atelier::market::Market>(*db_, *db_, *ledger_, clock_, feeds_.get());
    deps_ = std::make_unique<api::RouteDeps>(api::RouteDeps{.engine = *engine_,
                                                            .metrics = metrics_,
                                                            .openapi_json = openapi_,
                                                            .ledger = ledger_.get(),
                                                            .market = market_.get(),
                                                            .public_url = "https://fuzz.example",
                                                            .feeds = feeds_.get()});
    routes_ = api::build_routes(*deps_);
    log_ = std::make_unique<api::JsonLog>(clock_, [](std::string_view) {});
    workers_ = std::make_unique<api::WorkerPool>(1, 4);
    pipeline_ = std::make_unique<api::Pipeline>(
        routes_, fake_, metrics_, *workers_, *log_,
        api::PipelineOptions{.rate_limit_per_minute = 0, .clock = &clock_});
    populate();
  }

  ~World() {
    pipeline_.reset();
    workers_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  api::HttpResponse send(api::HttpRequest request) {
    std::promise<api::HttpResponse> answer;
    auto future = answer.get_future();
    int calls = 0;
    pipeline_->handle(std::move(request), [&](api::HttpResponse r) {
      ++calls;
      answer.set_value(std::move(r));
    });
    api::HttpResponse r = future.get();
    check(calls == 1);
    return r;
  }

  const std::string& key(std::size_t i) const { return keys_[i % keys_.size()]; }
  std::size_t key_count() const { return keys_.size(); }
  const std::string& fixed_listing() const { return fixed_listing_; }
  const std::string& auction() const { return auction_; }
  atelier::store::Store& pipeline_store() { return fake_; }

 private:
  // Accounts vera (creator) and ann (collector, with money), their keys, two collections and
  // their tokens, then a fixed-price listing, an English auction and a feed made through the
  // API itself.
  void populate() {
    require(ledger_->ensure_system_accounts().has_value(), "system accounts");
    require(ledger_->create_account({"vera", "creator", "Vera"}).has_value(), "account vera");
    require(ledger_->create_account({"ann", "collector", "Ann"}).has_value(), "account ann");
    require(ledger_->deposit(AccountId("ann"), "ETH", U256(1'000'000'000)).has_value(),
            "deposit ETH");
    require(ledger_->deposit(AccountId("ann"), "USD", U256(1'000'000)).has_value(), "deposit USD");
    const std::string sha(64, 'a');
    atelier::store::RenderRecord render{.recipe_id = std::string(64, 'b'),
                                        .recipe_json = "{}",
                                        .generator_name = "fuzzgen",
                                        .generator_hash = std::string(64, 'c'),
                                        .token_hash = std::string(64, 'd'),
                                        .width = 1,
                                        .height = 1,
                                        .format = "png",
                                        .asset_sha256 = sha,
                                        .traits_json = "{}",
                                        .atelier_version = "fuzz"};
    atelier::store::AssetRecord asset{
        .sha256 = sha, .mime_type = "image/png", .size_bytes = 1, .width = 1, .height = 1};
    require(db_->put_render(render, asset, {R"({"type":"render"})", {"asset:" + sha}}).has_value(),
            "render");
    for (auto [id, standard] : {std::pair{"eds", "erc1155"}, std::pair{"auc", "erc721"}}) {
      atelier::ledger::NewCollection c;
      c.id = id;
      c.standard = standard;
      c.name = id;
      c.creator = "vera";
      c.royalty_bps = 500;
      require(ledger_->create_collection(c).has_value(), "collection");
    }
    require(ledger_
                ->mint({.caller = "vera",
                        .collection = "eds",
                        .asset_sha256 = sha,
                        .to = "vera",
                        .token_id = U256(1),
                        .amount = U256(1'000'000)})
                .has_value(),
            "mint eds");
    require(
        ledger_->mint({.caller = "vera", .collection = "auc", .asset_sha256 = sha, .to = "vera"})
            .has_value(),
        "mint auc");
    for (auto [scopes, account] :
         std::initializer_list<std::pair<std::vector<std::string>, const char*>>{
             {{"trade"}, "vera"},
             {{"trade"}, "ann"},
             {{"admin"}, ""},
             {{"oracle"}, "a"},
             {{"render"}, ""},
             {{"read"}, ""}}) {
      auto k = api::create_api_key(fake_, scopes, "fuzz", clock_, account);
      require(k.has_value(), "api key");
      keys_.push_back(k->secret);
    }
    fixed_listing_ =
        create(R"({"collection":"eds","token_id":"1","price":"1000","quantity":"1000000"})");
    auction_ =
        create(R"({"collection":"auc","token_id":"0","kind":"english","reserve_price":"100",)"
               R"("min_increment_bps":1000,"time_buffer_s":60,"ends_ms":)" +
               std::to_string(clock_.now_ms() + 3'600'000) + "}");
    api::HttpRequest feed{.method = "POST",
                          .target = "/v1/oracles/feeds",
                          .headers = {{"Authorization", "Bearer " + keys_[2]}},
                          .body = R"({"id":"ETH-USD","max_age_ms":60000,"max_deviation_bps":200,)"
                                  R"("min_sources":2,"sources":["a","b","c"]})",
                          .remote_ip = "127.0.0.1"};
    require(send(feed).status == 201, "feed");
  }

  std::string create(const std::string& body) {
    api::HttpRequest r{
        .method = "POST",
        .target = "/v1/listings",
        .headers = {{"Authorization", "Bearer " + keys_[0]}, {"Content-Type", "application/json"}},
        .body = body,
        .remote_ip = "127.0.0.1"};
    auto answer = send(r);
    if (answer.status != 201) std::fprintf(stderr, "api_fuzz setup: %s\n", answer.body.c_str());
    require(answer.status == 201, "listing");
    return nlohmann::json::parse(answer.body)["id"].get<std::string>();
  }

  std::filesystem::path dir_;
  atelier::ManualClock clock_;
  api::testing::FakeStore fake_;
  std::unique_ptr<atelier::store::SqliteStore> db_;
  std::unique_ptr<atelier::store::BlobStore> blobs_;
  std::unique_ptr<atelier::render::Engine> engine_;
  std::unique_ptr<atelier::ledger::Ledger> ledger_;
  std::unique_ptr<atelier::market::Feeds> feeds_;
  std::unique_ptr<atelier::market::Market> market_;
  api::Metrics metrics_;
  std::string openapi_ = "{}";
  std::unique_ptr<api::RouteDeps> deps_;
  api::RouteTable routes_;
  std::unique_ptr<api::JsonLog> log_;
  std::unique_ptr<api::WorkerPool> workers_;
  std::unique_ptr<api::Pipeline> pipeline_;
  std::vector<std::string> keys_;
  std::string fixed_listing_, auction_;
};

World& world() {
  // Never destroyed (the worker thread may outlive main's statics); its scratch directory is
  // removed at exit.
  static World* w = [] {
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return new World();
  }();
  return *w;
}

std::string_view take_line(std::string_view& rest) {
  std::size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// "METHOD target\nName: value\n…\n\nbody".
api::HttpRequest raw_request(std::string_view rest) {
  api::HttpRequest r;
  std::string_view start = take_line(rest);
  std::size_t space = start.find(' ');
  r.method = std::string(start.substr(0, space));
  if (space != std::string_view::npos) r.target = std::string(start.substr(space + 1));
  while (!rest.empty()) {
    std::string_view line = take_line(rest);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  r.body = std::string(rest);
  return r;
}

void check_response(const api::HttpResponse& r, bool idempotent) {
  check(r.status >= 200 && r.status <= 599);
  check(idempotent || r.status != 500);
  if (r.content_type.starts_with("application/json")) {
    auto j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    check(!j.is_discarded());
    if (r.status >= 400) check(j.contains("error") && j["error"].contains("code"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  if (size < 3) return 0;
  const RouteChoice route = kRoutes[data[0] % kRouteCount];
  const std::size_t key_choice = data[1] % (w.key_count() + 2);
  const std::uint8_t flags = data[2];
  std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::string_view token;
  if (key_choice == w.key_count()) {
    token = take_line(rest);
    (void)api::authenticate(w.pipeline_store(), token);
  }

  api::HttpRequest request;
  if (route.method == nullptr) {
    request = raw_request(rest);
  } else {
    request.method = route.method;
    std::string id = (flags & 4) ? w.auction() : w.fixed_listing();
    if (std::string_view(route.path).starts_with("/v1/oracles")) id = "ETH-USD";
    if (flags & 8) id = std::string(take_line(rest));
    request.target = route.path;
    if (auto at = request.target.find("{id}"); at != std::string::npos)
      request.target.replace(at, 4, id);
    if (request.method == "GET") {
      request.target += "?" + std::string(take_line(rest));
    }
    if (flags & 2) request.headers.push_back({"Content-Type", "application/json"});
    request.body = std::string(rest);
  }
  if (key_choice < w.key_count()) {
    request.headers.push_back({"Authorization", "Bearer " + w.key(key_choice)});
  } else if (key_choice == w.key_count()) {
    request.headers.push_back({"Authorization", "Bearer " + std::string(token)});
  }
  if (flags & 1) {
    request.headers.push_back(
        {"Idempotency-Key", "fuzz-" + std::to_string(size > 3 ? data[3] : 0)});
  }
  request.remote_ip = "127.0.0.1";
  const bool idempotent = request.header("Idempotency-Key").has_value();
  const api::HttpResponse response = w.send(std::move(request));
  static const bool verbose = std::getenv("ATELIER_API_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "%d %s\n", response.status, response.body.substr(0, 300).c_str());
  check_response(response, idempotent);
  return 0;
}
