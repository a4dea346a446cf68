// Fault loops, SQLite-style (issue 14 §3): for every operation that changes state, for N = 1,
// 2, … until the operation completes without reaching step N, the N-th read, write, sync,
// lock, truncate, open, file-size query, delete or access check of the database
// (tests/store/fault_vfs.h) fails, or every call from the N-th on (a dead disk), or the N-th
// blob-store call (tests/store/fault_env.h), or the machine loses power at the N-th database
// sync or at the N-th blob-store call (unsynced database writes, blob bytes and directory
// entries dropped; N past the last step: power lost after the operation returned). After each:
//   - the operation took full effect or none: the database, dumped table by table, equals
//     either the state before or the state a fault-free run leaves;
//   - a caller told "ok" finds the effect, a crash notwithstanding;
//   - the same store instance still works: a log append after the fault lands exactly where a
//     fault-free store would put it (a stale Merkle edge or a stuck transaction shows here);
//   - check_ledger() (`atelier ledger check`) and Log::audit() (`atelier log verify`) pass;
//   - a failed render leaves no temp file, every stored render's blob is on disk, and every
//     file under a blob's name hashes to that name (nothing half-written is visible);
//   - an idempotency key is unclaimed, or claimed and completed with its answer; a retry in the
//     same process never finds it "in flight" after the error returned.
// Every iteration starts from a copy of one data directory built once.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "core/hash.h"
#include "ledger/ledger.h"
#include "market/feeds.h"
#include "market/listings.h"
#include "provenance/log.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "tests/store/fault_env.h"
#include "tests/store/fault_vfs.h"
#include "tests/store/test_dir.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using testing::FaultEnv;
using testing::FaultKind;
using testing::FaultVfs;
using testing::TempDir;

// No operation here needs more I/O calls of one kind than this; reaching it is a runaway loop.
constexpr std::int64_t kStepsMax = 3000;
constexpr std::int64_t kSetupMs = 1'700'000'000'000;
constexpr std::int64_t kOperationMs = kSetupMs + 600'000;  // eng-settle has ended, eng-bid not.
constexpr std::int64_t kNoCheckpointMs = 24 * 3'600'000;   // An interval no test reaches.

FaultVfs& vfs() {
  static FaultVfs v("atelier-fault");
  return v;
}

std::string token_hash(int i) {
  std::string hex = std::to_string(i);
  return "0x" + std::string(64 - hex.size(), '0') + hex;
}

render::RenderRequest tiny(int i) {
  render::RenderRequest r;
  r.generator = "tiny";
  r.token_hash = token_hash(i);
  r.width = 16;
  r.height = 16;
  return r;
}

// Each World is a process of its own for idempotency claims: a closed World is a dead one.
std::string next_owner() {
  static std::atomic<int> worlds{0};
  return "world-" + std::to_string(++worlds);
}

// A data directory and everything an operation runs on, opened over the fault VFS and env.
struct World {
  fs::path root;
  ManualClock clock{kOperationMs};
  FaultEnv env;
  std::shared_ptr<const provenance::NoteSigner> signer;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<market::Feeds> feeds;
  std::unique_ptr<market::Market> market;
  std::string owner = next_owner();
  std::function<void()> arm;  // For operations that inject the fault themselves.

  Result<void> open(const fs::path& dir, std::int64_t checkpoint_interval_ms) {
    root = dir;
    ATELIER_TRY_ASSIGN(signer, provenance::load_or_create_log_signer(root / "keys"));
    ATELIER_TRY_ASSIGN(
        db, store::SqliteStore::open(root / "atelier.db", &clock, {.vfs = vfs().name()}));
    provenance::attach_checkpoint_signer(*db, signer, checkpoint_interval_ms);
    db->set_idempotency_owner(owner, [me = owner](std::string_view o) { return o == me; });
    env.set_on_crash([] { vfs().crash(); });  // One machine: the database loses power too.
    blobs = std::make_unique<store::BlobStore>(root / "blobs", &env);
    render::EngineOptions options;
    options.clock = &clock;
    engine = std::make_unique<render::Engine>(*db, *blobs, options);
    ledger = std::make_unique<ledger::Ledger>(*db, *db, clock);
    feeds = std::make_unique<market::Feeds>(*db, clock);
    market = std::make_unique<market::Market>(*db, *db, *ledger, clock, feeds.get());
    return {};
  }
  void close() {
    market.reset();
    feeds.reset();
    ledger.reset();
    engine.reset();
    blobs.reset();
    db.reset();
  }
  ~World() { close(); }
};

// Every table, every row (sorted), every column but render timings (they are wall time).
std::string snapshot(const fs::path& db_path) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &h, SQLITE_OPEN_READONLY, vfs().name().c_str()) !=
      SQLITE_OK) {
    sqlite3_close(h);
    return "cannot open";
  }
  std::vector<std::string> tables;
  std::string out;
  auto each = [&](const std::string& sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      out += "cannot prepare " + sql;
      return;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    if (rc != SQLITE_DONE) out += "cannot read " + sql + ": " + sqlite3_errmsg(h);
    sqlite3_finalize(s);
  };
  each("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", [&](sqlite3_stmt* s) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  });
  for (const auto& t : tables) {
    std::vector<std::string> rows;
    each("SELECT * FROM \"" + t + "\"", [&](sqlite3_stmt* s) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        std::string name = sqlite3_column_name(s, c);
        if (t == "renders" && name.ends_with("_us")) continue;
        // Who held a claim, and its random fencing token: they differ from run to run.
        if (t == "idempotency_keys" && (name == "owner" || name == "token")) continue;
        row += name + "=";
        if (sqlite3_column_type(s, c) == SQLITE_BLOB) {
          auto* b = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, c));
          row += "x" + to_hex(std::span(b, static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
        } else if (sqlite3_column_type(s, c) != SQLITE_NULL) {
          row += reinterpret_cast<const char*>(sqlite3_column_text(s, c));
        }
        row += "|";
      }
      rows.push_back(std::move(row));
    });
    std::sort(rows.begin(), rows.end());
    out += "## " + t + "\n";
    for (const auto& r : rows) out += r + "\n";
  }
  sqlite3_close(h);
  return out;
}

// The lines one dump has and the other lacks, for a failure message.
std::string difference(const std::string& got, const std::string& want) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
      out.push_back(text.substr(at, nl - at));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto g = lines(got);
  auto w = lines(want);
  std::vector<std::string> extra, missing;
  std::set_difference(g.begin(), g.end(), w.begin(), w.end(), std::back_inserter(extra));
  std::set_difference(w.begin(), w.end(), g.begin(), g.end(), std::back_inserter(missing));
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(extra.size(), 8); ++i)
    out += "\n  + " + extra[i];
  for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 8); ++i)
    out += "\n  - " + missing[i];
  return out;
}

struct Operation {
  std::string name;
  std::int64_t checkpoint_interval_ms = 0;  // 0: every commit signs a checkpoint.
  std::function<Result<void>(World&)> run;
  // Calls w.arm() itself, where the fault is to be counted from (else: before run).
  bool arms_itself = false;
  // Checks on the same World once the fault is gone (not after a crash); `where` names the run.
  std::function<void(World&, bool ok, const std::string& where)> after = nullptr;
};

template <typename T>
Result<void> done(const Result<T>& r) {
  if (!r) return fail(r.error());
  return {};
}

store::LogEvent note(const std::string& what) {
  return {R"({"type":"test.note","v":1,"what":")" + what + R"("})", {"note:" + what}};
}

store::ApiKeyRecord api_key(const std::string& id) {
  return {.id = id,
          .salt_hex = std::string(32, 'a'),
          .hash_hex = std::string(64, 'b'),
          .scopes = {"market:write"},
          .label = id,
          .created_ms = kSetupMs};
}

// The idempotency claim the "idempotency claim and completion" operation makes, as the API
// pipeline makes it (src/api/internal/pipeline.cc): claim, then the work with its answer stored
// in the work's own commit (src/api/internal/idempotent.h), then complete the claim (a 2xx or
// 4xx answer) or release it (5xx: no effect, a retry runs again).
constexpr std::string_view kIdemScope = "key-fault";
constexpr std::string_view kIdemKey = "idem-fault";
constexpr std::string_view kIdemRequest = "request-hash";

Result<void> purchase_idempotently(World& w) {
  auto claim = w.db->claim_idempotency(kIdemScope, kIdemKey, kIdemRequest, w.clock.now_ms());
  if (!claim) return fail(claim.error());
  if (claim->state != store::IdempotencyClaim::State::kNew) {
    return fail(Error::internal("unexpected_claim", "a fresh key was not claimed as new"));
  }
  const store::IdempotencyFence fence{std::string(kIdemScope), std::string(kIdemKey), claim->token};
  store::Respond<market::Sale> answer{
      fence, [](const market::Sale& sale) -> Result<store::IdempotentResponse> {
        return store::IdempotentResponse{201,
                                         R"({"quantity":")" + sale.quantity.to_decimal() + R"("})"};
      }};
  auto sale = w.market->purchase(ListingId("fixed-1"), AccountId("bob"), U256(1),
                                 market::PurchaseOptions{}, &answer);
  if (!sale) {
    (void)w.db->release_idempotency(fence);  // As the pipeline does on a 5xx; may fail too.
    return fail(sale.error());
  }
  (void)w.db->complete_idempotency(fence, 201, "{}");  // Stored already: this changes nothing.
  return {};
}

// After the fault, a retry of the same request by the same (live) process: it replays the
// stored answer, or claims the key anew — never "in flight" once the first attempt returned.
void retry_finds_no_live_claim(store::SqliteStore& db, std::int64_t now_ms, bool ok,
                               const std::string& where) {
  auto again = db.claim_idempotency(kIdemScope, kIdemKey, kIdemRequest, now_ms);
  ASSERT_TRUE(again) << where << ": the retry's claim: " << again.error().to_string();
  using State = store::IdempotencyClaim::State;
  EXPECT_NE(again->state, State::kInFlight)
      << where << ": the key is still claimed by a process whose request has returned";
  if (ok) {
    EXPECT_EQ(again->state, State::kReplay) << where << ": a completed request reruns";
  }
  if (again->state == State::kReplay) {
    EXPECT_EQ(again->status, 201) << where;
  }
  if (again->state == State::kNew) {  // Undo the retry's claim: the state is compared next.
    auto released =
        db.release_idempotency({std::string(kIdemScope), std::string(kIdemKey), again->token});
    EXPECT_TRUE(released) << where;
  }
}

// Three log appends that the committer takes as one group (sqlite_commit.cc): a purchase whose
// in-commit answer blocks holds the committer while they queue, then is refused, so that the
// next group is exactly those three. The fault is armed once they are queued. They commit
// together or not at all: each caller gets the group's outcome.
Result<void> group_commit(World& w) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  store::Respond<market::Sale> gate{
      {"gate", "gate", "gate"},
      [&entered, released](const market::Sale&) -> Result<store::IdempotentResponse> {
        entered.set_value();
        released.wait();
        return fail(Error::internal("gate_closed", "the gate write is refused by design"));
      }};
  Result<market::Sale> gate_result = fail(Error::internal("gate_not_run", "not run"));
  std::thread gate_writer([&] {
    gate_result = w.market->purchase(ListingId("fixed-1"), AccountId("bob"), U256(1),
                                     market::PurchaseOptions{}, &gate);
  });
  entered.get_future().wait();
  std::vector<std::future<Result<std::uint64_t>>> group;
  for (int i = 0; i < 3; ++i)
    group.push_back(w.db->append_event_async(note("group" + std::to_string(i))));
  w.arm();
  release.set_value();
  gate_writer.join();
  if (gate_result || gate_result.error().code != "gate_closed") {
    return fail(Error::internal("gate_broken", "the gate purchase was not refused as planned"));
  }
  std::vector<Result<std::uint64_t>> results;
  for (auto& f : group) results.push_back(f.get());
  const bool all_ok =
      std::all_of(results.begin(), results.end(), [](const auto& r) { return bool(r); });
  const bool all_failed =
      std::none_of(results.begin(), results.end(), [](const auto& r) { return bool(r); });
  if (!all_ok && !all_failed) {
    return fail(Error::internal("group_split", "some writes of one group committed, some did not"));
  }
  if (all_failed) return fail(results.front().error());
  if (w.db->commit_stats().largest_group < 3) {
    return fail(Error::internal("group_not_formed", "the three appends were not one group"));
  }
  return {};
}

// The asset of a render made at setup and never minted.
std::string& unminted_asset() {
  static std::string sha;
  return sha;
}

std::vector<Operation> operations() {
  return {
      {"mint", 0,
       [](World& w) {
         return done(w.ledger->mint({.caller = "artist",
                                     .collection = "flows",
                                     .asset_sha256 = unminted_asset(),
                                     .to = "alice"}));
       }},
      {"transfer", 0,
       [](World& w) {
         return done(w.ledger->transfer({.caller = "alice",
                                         .collection = "flows",
                                         .token_id = U256(0),
                                         .from = "alice",
                                         .to = "bob"}));
       }},
      {"create listing", 0,
       [](World& w) {
         market::NewListing e{.id = "eng-new",
                              .kind = "english",
                              .seller = "artist",
                              .collection = "flows",
                              .token_id = U256(4),
                              .ends_ms = kOperationMs + 3'600'000};
         e.reserve_price = U256(1'000);
         return done(w.market->create_listing(e));
       }},
      {"purchase fixed", 0,
       [](World& w) {
         return done(w.market->purchase(ListingId("fixed-1"), AccountId("bob"), U256(1)));
       }},
      {"purchase dutch", 0,
       [](World& w) {
         return done(w.market->purchase(ListingId("dutch-1"), AccountId("bob"), U256(1)));
       }},
      {"purchase gda", 0,
       [](World& w) {
         return done(w.market->purchase(ListingId("gda-1"), AccountId("bob"), U256(1)));
       }},
      {"purchase vrgda", 0,
       [](World& w) {
         return done(w.market->purchase(ListingId("vrgda-1"), AccountId("bob"), U256(1)));
       }},
      {"bid with refund", 0,
       [](World& w) {
         return done(w.market->bid(ListingId("eng-bid"), AccountId("bob"), U256(1'100)));
       }},
      {"auction settle", 0, [](World& w) { return done(w.market->settle("eng-settle")); }},
      {"oracle report", 0,
       [](World& w) {
         return done(w.feeds->report({.feed_id = "ETH-USD",
                                      .source = "c",
                                      .price = "3005",
                                      .observed_ms = w.clock.now_ms()}));
       }},
      {"render and store", 0, [](World& w) { return done(w.engine->render(tiny(77))); }},
      {"log append", 0,
       [](World& w) {
         auto e = note("append");
         return done(w.db->append_events(std::span(&e, 1)));
       }},
      {"checkpoint signing", kNoCheckpointMs,
       [](World& w) { return done(w.db->checkpoint_now()); }},
      {"listing cancel", 0,
       [](World& w) {
         return done(w.market->cancel(ListingId("fixed-eds"), AccountId("artist")));
       }},
      {"deposit", 0,
       [](World& w) { return done(w.ledger->deposit(AccountId("carol"), "ETH", U256(500))); }},
      {"withdraw", 0,
       [](World& w) { return done(w.ledger->withdraw(AccountId("alice"), "ETH", U256(500))); }},
      {"account registration", 0,
       [](World& w) {
         return done(w.ledger->create_account({"dave", "collector", "Dave"}));
       }},
      {"collection registration", 0,
       [](World& w) {
         return done(w.ledger->create_collection(
             {.id = "waves", .standard = "erc721", .name = "Waves", .creator = "artist"}));
       }},
      {"generator registration", 0,
       [](World& w) { return done(w.engine->add_generator(ATELIER_TRAITS_GENERATOR)); }},
      {"oracle feed registration", 0,
       [](World& w) {
         return done(w.feeds->register_feed(
             "BTC-USD",
             {{"max_age_ms", "600000"}, {"max_deviation_bps", "500"}, {"min_sources", "2"}}));
       }},
      {"api key create", 0, [](World& w) { return w.db->put_api_key(api_key("k-new")); }},
      {"api key revoke", 0,
       [](World& w) -> Result<void> {
         ATELIER_TRY_ASSIGN(bool revoked, w.db->revoke_api_key("k-setup"));
         if (!revoked) return fail(Error::internal("not_revoked", "k-setup was not revoked"));
         return {};
       }},
      {"idempotency claim and completion", kNoCheckpointMs, purchase_idempotently, false,
       [](World& w, bool ok, const std::string& where) {
         retry_finds_no_live_claim(*w.db, w.clock.now_ms(), ok, where);
       }},
      // No checkpoints: the gate's group would sign the pending one, and a fault there would
      // show as a missing checkpoint rather than in the group under test.
      {"group commit", kNoCheckpointMs, group_commit, /*arms_itself=*/true},
  };
}

// The data directory every iteration copies: accounts, collections, tokens, listings with
// bids, a feed, renders; the log's latest entry not yet covered by a checkpoint.
Result<void> build_template(const fs::path& root) {
  World w;
  w.clock.set_ms(kSetupMs);
  fs::create_directories(root / "keys");
  ATELIER_TRY(w.open(root, 0));
  ATELIER_TRY(w.engine->add_generator(ATELIER_TINY_GENERATOR));
  for (auto [id, kind] : {std::pair{"artist", "creator"},
                          {"studio", "creator"},
                          {"alice", "collector"},
                          {"bob", "collector"},
                          {"carol", "collector"}}) {
    ATELIER_TRY(w.ledger->create_account({id, kind, id}));
  }
  ATELIER_TRY(w.ledger->deposit(AccountId("alice"), "ETH", U256(1'000'000'000)));
  ATELIER_TRY(w.ledger->deposit(AccountId("bob"), "ETH", U256(1'000'000'000)));
  ledger::NewCollection c{
      .id = "flows", .standard = "erc721", .name = "Flows", .creator = "artist"};
  c.royalty_bps = 500;
  c.primary_splits = {{"artist", 8000}, {"studio", 2000}};
  ATELIER_TRY(w.ledger->create_collection(c));
  c.id = "eds";
  c.standard = "erc1155";
  ATELIER_TRY(w.ledger->create_collection(c));
  std::vector<std::string> assets;
  for (int i = 0; i <= 6; ++i) {
    ATELIER_TRY_ASSIGN(auto out, w.engine->render(tiny(i)));
    assets.push_back(out.record.asset_sha256);
  }
  unminted_asset() = assets[6];
  auto mint = [&](const std::string& coll, int asset, const std::string& to, U256 amount) {
    return w.ledger->mint({.caller = "artist",
                           .collection = coll,
                           .asset_sha256 = assets[asset],
                           .to = to,
                           .amount = amount});
  };
  ATELIER_TRY(mint("flows", 0, "alice", U256(1)));   // flows #0: transferred.
  ATELIER_TRY(mint("flows", 1, "artist", U256(1)));  // #1: fixed price.
  ATELIER_TRY(mint("flows", 2, "artist", U256(1)));  // #2: English, bid on.
  ATELIER_TRY(mint("flows", 3, "artist", U256(1)));  // #3: English, ended.
  ATELIER_TRY(mint("eds", 4, "artist", U256(100)));
  ATELIER_TRY(mint("flows", 5, "artist", U256(1)));  // #4: listed by the operation, approved
  ATELIER_TRY(
      w.ledger->approve(AccountId("artist"), CollectionId("flows"), U256(4),
                        AccountId("carol")));  // (escrow clears it).  // eds #0: Dutch, GDA, VRGDA.
  ATELIER_TRY(w.market->create_listing({.id = "fixed-1",
                                        .seller = "artist",
                                        .collection = "flows",
                                        .token_id = U256(1),
                                        .price = U256(1'000)}));
  market::NewListing e{.id = "eng-bid",
                       .kind = "english",
                       .seller = "artist",
                       .collection = "flows",
                       .token_id = U256(2),
                       .ends_ms = kSetupMs + 36'000'000};
  e.reserve_price = U256(1'000);
  e.min_increment_bps = 1'000;
  ATELIER_TRY(w.market->create_listing(e));
  e.id = "eng-settle";
  e.token_id = U256(3);
  e.ends_ms = kSetupMs + 60'000;
  ATELIER_TRY(w.market->create_listing(e));
  ATELIER_TRY(w.market->bid(ListingId("eng-bid"), AccountId("alice"), U256(1'000)));
  ATELIER_TRY(w.market->bid(ListingId("eng-settle"), AccountId("alice"), U256(1'000)));
  market::NewListing d{.id = "dutch-1",
                       .kind = "dutch-linear",
                       .seller = "artist",
                       .collection = "eds",
                       .token_id = U256(0),
                       .quantity = U256(10)};
  d.params = {{"start_price", "10000"}, {"end_price", "1000"}, {"duration_s", "900"}};
  ATELIER_TRY(w.market->create_listing(d));
  d.id = "gda-1";
  d.kind = "gda-discrete";
  d.params = {{"initial_price", "1000000"}, {"scale_factor", "1.1"}, {"decay_constant", "0.001"}};
  ATELIER_TRY(w.market->create_listing(d));
  d.id = "vrgda-1";
  d.kind = "vrgda-linear";
  d.params = {{"target_price", "1000000"}, {"decay", "0.31"}, {"per_time_unit", "2"}};
  ATELIER_TRY(w.market->create_listing(d));
  ATELIER_TRY(w.market->create_listing({.id = "fixed-eds",  // Cancelled by the operation.
                                        .seller = "artist",
                                        .collection = "eds",
                                        .token_id = U256(0),
                                        .price = U256(300),
                                        .quantity = U256(5)}));
  ATELIER_TRY(w.db->put_api_key(api_key("k-setup")));
  ATELIER_TRY(w.feeds->register_feed(
      "ETH-USD", {{"max_age_ms", "600000"}, {"max_deviation_bps", "500"}, {"min_sources", "2"}}));
  ATELIER_TRY(w.feeds->report(
      {.feed_id = "ETH-USD", .source = "a", .price = "3000", .observed_ms = kSetupMs}));
  ATELIER_TRY(w.feeds->report(
      {.feed_id = "ETH-USD", .source = "b", .price = "3010", .observed_ms = kSetupMs}));
  // The last entry without a checkpoint, so that checkpoint_now() has something to sign.
  provenance::attach_checkpoint_signer(*w.db, w.signer, kNoCheckpointMs);
  auto e2 = note("setup");
  ATELIER_TRY(w.db->append_events(std::span(&e2, 1)));
  w.close();
  return {};
}

// Where the runs' data directories go: a tmpfs when there is one. The fault VFS and env decide
// what survives a crash, so the real fsyncs only cost time (most of it, on a disk).
fs::path scratch() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

// What one run of an operation reported and left.
struct Outcome {
  bool ok = false;
  bool fired = false;  // The armed fault was reached.
  std::string error;
  std::string code;  // The error's code.
  std::string state;
};

class FaultLoop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    template_dir_ = new TempDir(scratch());
    auto built = build_template(template_dir_->path() / "data");
    ASSERT_TRUE(built) << built.error().to_string();
  }
  static void TearDownTestSuite() {
    delete template_dir_;
    template_dir_ = nullptr;
  }

  fs::path fresh_copy(const std::string& name) {
    fs::path dir = work_.path() / name;
    fs::remove_all(dir);
    fs::copy(template_dir_->path() / "data", dir, fs::copy_options::recursive);
    return dir;
  }

  // Reopens `dir` without faults and checks what `atelier ledger check` and `atelier log
  // verify` check; then the state, dumped.
  std::string check_and_dump(const fs::path& dir, const std::string& where) {
    {
      ManualClock clock(kOperationMs);
      auto db = store::SqliteStore::open(dir / "atelier.db", &clock, {.vfs = vfs().name()});
      EXPECT_TRUE(db) << where << ": reopen: " << db.error().to_string();
      if (!db) return "unopenable";
      auto check = (*db)->check_ledger();
      EXPECT_TRUE(check && check->ok) << where << ": ledger check: "
                                      << (!check                    ? check.error().to_string()
                                          : check->problems.empty() ? ""
                                                                    : check->problems.front());
      auto signer = provenance::load_or_create_log_signer(dir / "keys");
      EXPECT_TRUE(signer);
      if (signer) {
        provenance::Log log(**db, (*signer)->verifier());
        auto audit = log.audit();
        EXPECT_TRUE(audit && audit->ok)
            << where << ": log verify: "
            << (audit ? audit->code + " " + audit->message : audit.error().to_string());
      }
      check_blobs(**db, dir, where);
      // A claim left by a World that is gone (crashed) is taken over, never "in flight".
      (*db)->set_idempotency_owner("checker", [](std::string_view o) { return o == "checker"; });
      retry_finds_no_live_claim(**db, kOperationMs, false, where + " (after reopening)");
    }
    return snapshot(dir / "atelier.db");
  }

  // No temp file survives a failed write, and every render's asset is on disk, whole.
  void check_blobs(store::SqliteStore& db, const fs::path& dir, const std::string& where) {
    for (const auto& entry : fs::recursive_directory_iterator(dir / "blobs")) {
      const std::string name = entry.path().filename().string();
      EXPECT_EQ(name.find(".tmp-"), std::string::npos)
          << where << ": a temp file is left: " << entry.path();
      if (!entry.is_regular_file() || name.find(".tmp-") != std::string::npos) continue;
      auto bytes = store::read_file(entry.path(), std::int64_t{1} << 30);
      EXPECT_TRUE(bytes && sha256_hex(*bytes) == name)
          << where << ": a half-written blob is visible under its name: " << entry.path();
    }
    store::BlobStore blobs(dir / "blobs");
    auto renders = db.list_renders({.limit = 100, .cursor = {}});
    ASSERT_TRUE(renders);
    for (const auto& r : renders->items) {
      auto bytes = blobs.get(r.asset_sha256);
      EXPECT_TRUE(bytes && sha256_hex(*bytes) == r.asset_sha256)
          << where << ": render " << r.recipe_id << " has no whole blob";
    }
  }

  // One run of `op` on a fresh copy. `arm` injects the fault after the store is open; `probe`
  // appends one entry through the same store afterwards.
  Outcome run(const Operation& op, const std::string& name, const std::function<void(World&)>& arm,
              bool probe, bool crash) {
    fs::path dir = fresh_copy("run");
    Outcome out;
    {
      World w;
      auto opened = w.open(dir, op.checkpoint_interval_ms);
      EXPECT_TRUE(opened) << opened.error().to_string();
      if (!opened) return out;
      vfs().reset_counts();
      w.arm = [&] { arm(w); };
      if (!op.arms_itself) arm(w);
      auto r = op.run(w);
      out.ok = bool(r);
      out.fired = vfs().fired() || w.env.fired();
      if (!r) {
        out.error = r.error().code + ": " + r.error().message;
        out.code = r.error().code;
      }
      vfs().disarm();
      w.env.disarm();
      if (crash) {  // Power lost (if not at the fault, after the operation returned).
        if (!vfs().crashed()) vfs().crash();
        if (!w.env.crashed()) w.env.crash();
      }
      if (op.after && !vfs().crashed()) op.after(w, out.ok, name);
      if (probe && !vfs().crashed()) {
        auto e = note("probe");
        auto p = w.db->append_events(std::span(&e, 1));
        EXPECT_TRUE(p) << name
                       << ": the store does not work after the fault: " << p.error().to_string();
      }
      w.close();
    }
    vfs().recover();
    out.state = check_and_dump(dir, name);
    vfs().crash();  // Forget held writes of closed files in this directory…
    vfs().recover();
    fs::remove_all(dir);
    return out;
  }

  static TempDir* template_dir_;
  TempDir work_{scratch()};
};

TempDir* FaultLoop::template_dir_ = nullptr;

// Injection points per fault kind, and how many runs ended in an error.
struct Tally {
  std::vector<std::pair<std::string, std::int64_t>> steps;
  std::int64_t errors = 0;
  std::set<std::string> codes;  // The error codes callers saw.
};

struct Loop {
  std::string label;
  std::function<void(World&, std::int64_t)> arm;
  bool crash = false;  // Power loss: at the fault, or after the operation returns.
};

std::vector<Loop> loops() {
  std::vector<Loop> out;
  for (FaultKind kind : {FaultKind::kRead, FaultKind::kWrite, FaultKind::kSync, FaultKind::kLock,
                         FaultKind::kTruncate, FaultKind::kOpen, FaultKind::kFileSize,
                         FaultKind::kDelete, FaultKind::kAccess}) {
    out.push_back({testing::fault_kind_name(kind),
                   [kind](World&, std::int64_t n) { vfs().fail_at(kind, n); }});
  }
  // A disk that dies: from the n-th call of any kind on, every call fails.
  out.push_back({"dead", [](World&, std::int64_t n) {
                   vfs().fail_at(FaultKind::kAny, n, /*persistent=*/true);
                 }});
  out.push_back({"blob", [](World& w, std::int64_t n) { w.env.fail_at(FaultEnv::kAny, n); }});
  // The disk changes only when a file is synced (the VFS holds writes until then), so a crash
  // at each sync reaches every state a power loss can leave.
  out.push_back(
      {"crash", [](World&, std::int64_t n) { vfs().crash_at(FaultKind::kSync, n); }, true});
  // Power lost at the n-th blob-store call: unsynced blob bytes and directory entries go too.
  out.push_back(
      {"blob crash", [](World& w, std::int64_t n) { w.env.crash_at(FaultEnv::kAny, n); }, true});
  return out;
}

// One test per operation, so that CTest can run them side by side.
class FaultLoopOf : public FaultLoop, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(FaultLoopOf, TakesFullEffectOrNoneUnderIoFaultsAndCrashes) {
  const auto started = std::chrono::steady_clock::now();
  const Operation op = operations()[GetParam()];
  const Operation nothing{"nothing", op.checkpoint_interval_ms,
                          [](World&) { return Result<void>{}; }};
  auto no_fault = [](World&) {};
  const std::string before = run(nothing, "before", no_fault, false, false).state;
  const std::string before_probe = run(nothing, "before-probe", no_fault, true, false).state;
  const Outcome after = run(op, "after", no_fault, false, false);
  ASSERT_TRUE(after.ok) << op.name << " fails without faults: " << after.error;
  ASSERT_NE(after.state, before) << op.name << " changed nothing";
  const Outcome after_probe = run(op, "after-probe", no_fault, true, false);
  ASSERT_TRUE(after_probe.ok);
  ASSERT_NE(after_probe.state, before_probe);
  Tally tally;
  std::int64_t total = 0;
  for (const Loop& loop : loops()) {
    std::int64_t n = 1;
    for (; n <= kStepsMax; ++n) {
      const std::string name = op.name + " / " + loop.label + " #" + std::to_string(n);
      const bool probe = !loop.crash;
      Outcome o = run(
          op, name, [&](World& w) { loop.arm(w, n); }, probe, loop.crash);
      ++total;
      if (!o.ok) {
        ++tally.errors;
        tally.codes.insert(o.code);
      }
      const bool none = o.state == (probe ? before_probe : before);
      const bool full = o.state == (probe ? after_probe.state : after.state);
      EXPECT_TRUE(none || full) << name << ": the state is neither before nor after the operation ("
                                << (o.ok ? "ok" : o.error) << "); against after:"
                                << difference(o.state, probe ? after_probe.state : after.state)
                                << "\nagainst before:"
                                << difference(o.state, probe ? before_probe : before);
      EXPECT_TRUE(!o.ok || full) << name << ": told ok, but the effect is lost";
      // A clear error: the I/O failure itself, never a business refusal it was mistaken for.
      EXPECT_TRUE(o.ok || o.code == "database_error" || o.code == "io_error")
          << name << ": " << o.error;
      if (HasFailure()) return;
      if (!o.fired) break;  // The operation completed before reaching step n.
    }
    ASSERT_LE(n, kStepsMax) << op.name << " / " << loop.label << " never completed";
    tally.steps.emplace_back(loop.label, n - 1);
  }
  std::string report = op.name + ": injection points";
  for (const auto& [label, steps] : tally.steps)
    report += " " + label + " " + std::to_string(steps);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report += "; error codes";
  for (const auto& code : tally.codes) report += " " + code;
  std::cout << "fault loop: " << report << "; " << total << " runs (" << tally.errors
            << " errors) in " << seconds << " s\n";
  RecordProperty("runs", static_cast<int>(total));
}

INSTANTIATE_TEST_SUITE_P(Operations, FaultLoopOf,
                         ::testing::Range<std::size_t>(0, operations().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           std::string name = operations()[info.param].name;
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace atelier
