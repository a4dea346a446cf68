// Issue 14: `atelier serve` killed (SIGKILL) while buyers send purchases with Idempotency-Keys,
// restarted on the same data directory, and every key retried. Before the fix, keys whose
// request was cut between its claim and its completion answered 409 idempotency_key_in_flight
// forever — some of them for sales that had committed and charged the buyer. Now every retry
// gets a final answer at once (the dead process's claims are taken over), each sale happened
// exactly once, and the ledger checks out.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "test_client.h"
#include "tests/cli/cli_support.h"
#include "tests/render/test_util.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using api::testing::Client;
using api::testing::Reply;
using atelier::testing::Output;
using atelier::testing::TempDir;
using nlohmann::json;

// Under a loaded machine (ctest -j2 beside other servers) a kill often lands between a sale and
// its answer instead: each round uses ~12 keys, so keys and rounds leave room for ~30 tries.
constexpr int kKeys = 384;              // Purchases, one Idempotency-Key each.
constexpr int kBuyers = 8;              // Concurrent connections.
constexpr int kAnsweredBeforeKill = 2;  // Per round, before the kill may come.
constexpr int kKillRoundsMax = 30;
constexpr int kPriceWei = 1000;
constexpr std::int64_t kDepositWei = 1'000'000'000;
// No rate limit (the buyers are one client), threads for every buyer.
const std::vector<std::string> kServeFlags = {"--rate-limit", "0", "--io-threads", "8"};

// A data directory with a listing of kKeys + 10 editions at kPriceWei, a funded buyer "ann"
// and a trade key acting for her.
struct Shop {
  TempDir tmp;
  fs::path data = tmp / "data";
  std::string listing;
  std::string secret;

  Output cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data.string()});
    return atelier::testing::run_shell(atelier::testing::quoted(ATELIER_BIN), args, tmp.path());
  }
  void must(std::vector<std::string> args, Output* out = nullptr) {
    Output o = cli(args);
    ASSERT_EQ(o.exit_code, 0) << args[0] << " " << args[1] << ": " << o.out << o.err;
    if (out) *out = o;
  }
  void open() {
    Output r;
    ASSERT_NO_FATAL_FAILURE(
        must({"generator", "add", atelier::testing::example_dir("circle-packing").string()}));
    ASSERT_NO_FATAL_FAILURE(must({"render", "circle-packing", "--hash", atelier::testing::kTokenA,
                                  "--size", "16x16", "-o", (tmp / "a.png").string(), "--json"},
                                 &r));
    const std::string sha = json::parse(r.out)["sha256"];
    ASSERT_NO_FATAL_FAILURE(
        must({"ledger", "account", "create", "--kind", "creator", "--id", "vera"}));
    ASSERT_NO_FATAL_FAILURE(must({"ledger", "account", "create", "--id", "ann"}));
    ASSERT_NO_FATAL_FAILURE(must({"ledger", "deposit", "ann", std::to_string(kDepositWei)}));
    ASSERT_NO_FATAL_FAILURE(must({"ledger", "collection", "create", "--id", "ed", "--standard",
                                  "erc1155", "--name", "Editions", "--creator", "vera"}));
    ASSERT_NO_FATAL_FAILURE(must(
        {"ledger", "mint", "ed", sha, "--to", "vera", "--amount", std::to_string(kKeys + 10)}));
    ASSERT_NO_FATAL_FAILURE(
        must({"market", "list", "ed", "0", "--seller", "vera", "--price", std::to_string(kPriceWei),
              "--quantity", std::to_string(kKeys + 10)},
             &r));
    listing = json::parse(r.out)["id"];
    ASSERT_NO_FATAL_FAILURE(must({"apikey", "create", "--scope", "trade", "--account", "ann"}, &r));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("secret +(\\S+)"))) << r.out;
    secret = m[1];
  }
};

std::string key_name(int i) { return "buy-" + std::to_string(i); }

// The first value `sql` reads. Read-write, so that the WAL index is rebuilt from the WAL after
// a kill: a commit whose frames were written but whose index update was cut is a commit.
std::int64_t count(const fs::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        raw, sql.c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::int64_t*>(out) = values[0] ? std::atoll(values[0]) : 0;
          return 0;
        },
        &n, nullptr);
  }
  sqlite3_close(raw);
  return n;
}

TEST(ServeCrash, EveryIdempotentPurchaseCutByKillNineGetsOneFinalAnswer) {
  Shop shop;
  ASSERT_NO_FATAL_FAILURE(shop.open());
  const std::string target = "/v1/listings/" + shop.listing + "/purchases";
  const std::string body = R"({"quantity":"1"})";
  auto headers = [&](int i) {
    return std::vector<std::pair<std::string, std::string>>{
        {"Authorization", "Bearer " + shop.secret},
        {"Idempotency-Key", key_name(i)},
        {"Content-Type", "application/json"}};
  };

  // 1. Buyers on kBuyers connections; SIGKILL at a random moment once a few were answered.
  // The kill lands inside a request (the server is never idle under this load): between its
  // claim and its sale (the case of the bug: the claim is left in flight), or between its sale
  // and its answer (a sale the client never heard of). Should no claim be cut, the next round
  // restarts the server and kills it again, with the next keys.
  const fs::path db = shop.data / "atelier.db";
  const std::string cut_sql = "SELECT COUNT(*) FROM idempotency_keys WHERE status IS NULL";
  std::mt19937 rng(std::random_device{}());
  atelier::testing::ServeProcess server;
  std::mutex mu;
  std::map<int, Reply> before;  // Answers received before a kill.
  std::atomic<int> next{0};
  std::int64_t cut = 0;
  for (int round = 0; round < kKillRoundsMax && cut == 0 && next.load() < kKeys - kBuyers;
       ++round) {
    ASSERT_NO_FATAL_FAILURE(server.start(ATELIER_BIN, shop.data,
                                         shop.tmp / ("serve-" + std::to_string(round) + ".log"),
                                         kServeFlags));
    std::atomic<int> answered{0};
    std::vector<std::thread> buyers;
    for (int t = 0; t < kBuyers; ++t) {
      buyers.emplace_back([&, port = server.port()] {
        try {
          Client client(port, 5'000);
          for (int i; (i = next.fetch_add(1)) < kKeys;) {
            Reply r = client.request("POST", target, body, headers(i));
            std::lock_guard lock(mu);
            before[i] = r;
            ++answered;
          }
        } catch (const std::exception&) {
          // The server died under this request: its key is retried below.
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered.load() < kAnsweredBeforeKill && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 10'000)(rng)));
    ASSERT_NO_FATAL_FAILURE(server.kill_now());
    for (auto& t : buyers) t.join();
    cut = count(db, cut_sql);
    const std::int64_t unheard =
        count(db, "SELECT COUNT(*) FROM idempotency_keys WHERE status IS NOT NULL") -
        static_cast<std::int64_t>(before.size());
    std::printf("round %d: %d answered; the kill cut %lld claims and %lld answers\n", round,
                answered.load(), static_cast<long long>(cut), static_cast<long long>(unheard));
  }
  for (const auto& [i, r] : before) ASSERT_EQ(r.status, 201) << key_name(i) << ": " << r.body;
  ASSERT_GT(cut, 0) << "no kill landed between a claim and its sale";

  // 2. Restart and retry every key: a final answer for each at once, never "in flight".
  ASSERT_NO_FATAL_FAILURE(
      server.start(ATELIER_BIN, shop.data, shop.tmp / "serve-retry.log", kServeFlags));
  std::map<int, Reply> after;
  next = 0;
  std::vector<std::thread> buyers;
  for (int t = 0; t < kBuyers; ++t) {
    buyers.emplace_back([&, port = server.port()] {
      Client client(port, 10'000);
      for (int i; (i = next.fetch_add(1)) < kKeys;) {
        Reply r = client.request("POST", target, body, headers(i));
        std::lock_guard lock(mu);
        after[i] = r;
      }
    });
  }
  for (auto& t : buyers) t.join();
  ASSERT_EQ(after.size(), static_cast<std::size_t>(kKeys));
  std::set<std::uint64_t> log_indexes;
  for (const auto& [i, r] : after) {
    ASSERT_EQ(r.status, 201) << key_name(i) << ": " << r.body;
    auto sale = json::parse(r.body);
    EXPECT_EQ(sale["buyer"], "ann");
    EXPECT_EQ(sale["total"], std::to_string(kPriceWei));
    EXPECT_TRUE(log_indexes.insert(sale["log_index"].get<std::uint64_t>()).second)
        << key_name(i) << " answered with another key's sale";
    if (auto it = before.find(i); it != before.end()) {
      EXPECT_EQ(r.header("idempotent-replayed"), "true") << key_name(i);
      EXPECT_EQ(r.body, it->second.body) << key_name(i) << " replayed another answer";
    }
  }
  // Once more: every key replays what it answered.
  {
    Client client(server.port(), 10'000);
    for (int i = 0; i < kKeys; ++i) {
      Reply r = client.request("POST", target, body, headers(i));
      EXPECT_EQ(r.status, 201);
      EXPECT_EQ(r.header("idempotent-replayed"), "true") << key_name(i);
      EXPECT_EQ(r.body, after[i].body) << key_name(i);
    }
  }
  server.stop();

  // 3. Each key bought exactly one edition, paid once: kKeys sales, no more.
  auto opened = store::SqliteStore::open(db);
  ASSERT_TRUE(opened) << opened.error().to_string();
  auto& store = **opened;
  auto sales = store.sales(shop.listing).value();
  EXPECT_EQ(sales.size(), static_cast<std::size_t>(kKeys));
  std::set<std::uint64_t> sold_at;
  for (const auto& s : sales) sold_at.insert(s.log_index);
  EXPECT_EQ(sold_at, log_indexes) << "the answers and the recorded sales differ";
  EXPECT_EQ(store.listing(shop.listing).value()->sold, U256(kKeys));
  const auto balances = store.balances("ann").value();
  ASSERT_EQ(balances.size(), 1u);
  EXPECT_EQ(balances[0].currency, "ETH");
  EXPECT_EQ(balances[0].amount, U256(kDepositWei - std::int64_t{kKeys} * kPriceWei));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM idempotency_keys WHERE status IS NULL"), 0);
  opened->reset();
  Output check = shop.cli({"ledger", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace atelier
