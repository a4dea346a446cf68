// log_bench — the transparency log: sustained durable appends/s (group commit), inclusion and
// consistency proofs at 1M and 10M entries, and whole-log verification throughput.
//
//   make bench-log      (or: build/bench/log_bench --benchmark_filter=Proof)
//
// Appends are durable: SQLite WAL with synchronous=FULL, the same settings atelier runs with,
// and each commit also writes the tree's subtree hashes. Proof benchmarks need logs of 1M and
// 10M entries; they are built once (minutes for 10M) under $ATELIER_BENCH_DATA (default
// build/bench-data) and reused by later runs.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "provenance/log.h"
#include "store/sqlite_store.h"

namespace {

using namespace atelier;

// A render event is about this size (recipe, output, traits): appends move realistic bytes.
std::string event_text(std::uint64_t i) {
  std::string e =
      R"({"atelier_version":"0.1.0","output":{"height":1024,"mime_type":"image/png","sha256":")" +
      sha256_hex(std::to_string(i)) +
      R"(","size":1234567,"width":1024},"recipe":{"format":"png","generator":{"hash":")" +
      sha256_hex("g") +
      R"(","name":"flow-field"},"height":1024,"inputs":{},"params":{"lines":4000},)" +
      R"("quality":90,"token_hash":"0x)" + sha256_hex(std::to_string(i + 1)) +
      R"(","version":1,"width":1024},"recipe_id":")" + sha256_hex(std::to_string(i + 2)) +
      R"(","time_ms":1764028800000,"traits":{"Palette":"Dusk"},"type":"render","v":1})";
  return e;
}

// The big logs hold shorter entries (about 100 bytes) to keep 10M entries near 2 GB on disk;
// proof cost does not depend on entry size.
std::string small_event_text(std::uint64_t i) {
  return R"({"i":)" + std::to_string(i) + R"(,"sha256":")" + sha256_hex(std::to_string(i)) +
         R"(","type":"bench"})";
}

std::filesystem::path bench_data() {
  const char* env = std::getenv("ATELIER_BENCH_DATA");
  return env && *env ? std::filesystem::path(env)
                     : std::filesystem::path(ATELIER_BUILD_DIR) / "bench-data";
}

struct LogFixture {
  std::filesystem::path dir;
  std::shared_ptr<const provenance::NoteSigner> signer;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<provenance::Log> log;

  LogFixture(std::filesystem::path d, std::int64_t checkpoint_interval_ms) : dir(std::move(d)) {
    std::filesystem::create_directories(dir / "keys");
    signer = provenance::load_or_create_log_signer(dir / "keys").value();
    db = store::SqliteStore::open(dir / "atelier.db").value();
    provenance::attach_checkpoint_signer(*db, signer, checkpoint_interval_ms);
    log = std::make_unique<provenance::Log>(*db, signer->verifier());
  }
};

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("atelier-log-bench-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

// Appends from one producer that never waits for a single write: the committer groups
// whatever queued during the previous commit (a busy server's shape).
void BM_DurableAppendsPipelined(benchmark::State& state) {
  auto dir = fresh_dir("pipelined");
  LogFixture f(dir, 1000);
  const std::int64_t batch = state.range(0);
  std::uint64_t i = 0;
  for (auto _ : state) {
    std::vector<std::future<Result<std::uint64_t>>> futures;
    futures.reserve(static_cast<std::size_t>(batch));
    for (std::int64_t k = 0; k < batch; ++k)
      futures.push_back(f.db->append_event_async({event_text(i++), {}}));
    for (auto& fu : futures) {
      if (!fu.get()) state.SkipWithError("append failed");
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  auto stats = f.db->commit_stats();
  state.counters["writes_per_commit"] =
      static_cast<double>(stats.writes) / static_cast<double>(stats.commits);
  f = LogFixture(dir, 1000);  // Reopen: nothing lost.
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DurableAppendsPipelined)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Many request threads, each waiting for its own append to be durable before the next.
void BM_DurableAppendsWaiting(benchmark::State& state) {
  auto dir = fresh_dir("threads");
  LogFixture f(dir, 1000);
  const int threads = static_cast<int>(state.range(0));
  constexpr int kPerThread = 200;
  std::atomic<std::uint64_t> next{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (int k = 0; k < kPerThread; ++k) {
          store::LogEvent e{event_text(next++), {}};
          (void)f.db->append_events(std::span(&e, 1));
        }
      });
    }
    for (auto& t : pool) t.join();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(next.load()));
  auto stats = f.db->commit_stats();
  state.counters["writes_per_commit"] =
      static_cast<double>(stats.writes) / static_cast<double>(stats.commits);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DurableAppendsWaiting)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A log of `size` entries, built once and kept under bench_data().
LogFixture& big_log(std::uint64_t size) {
  static std::map<std::uint64_t, std::unique_ptr<LogFixture>> logs;
  auto& slot = logs[size];
  if (slot) return *slot;
  auto dir = bench_data() / ("log-" + std::to_string(size));
  slot = std::make_unique<LogFixture>(dir, 1'000'000'000);
  std::uint64_t have = slot->db->log_size().value();
  if (have < size) std::fprintf(stderr, "building a log of %llu entries in %s …\n",
                                static_cast<unsigned long long>(size), dir.c_str());
  constexpr std::uint64_t kBatch = 20'000;
  while (have < size) {
    std::vector<store::LogEvent> events;
    for (std::uint64_t k = 0; k < kBatch && have + k < size; ++k)
      events.push_back({small_event_text(have + k), {}});
    have += events.size();
    if (!slot->db->append_events(events)) std::abort();
  }
  if (!slot->db->checkpoint_now()) std::abort();
  return *slot;
}

void BM_InclusionProof(benchmark::State& state) {
  auto& f = big_log(static_cast<std::uint64_t>(state.range(0)));
  const std::uint64_t size = f.db->log_size().value();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto p = f.log->prove(rng() % size, size);  // Entry, checkpoint lookup and proof.
    if (!p) state.SkipWithError(p.error().to_string().c_str());
    benchmark::DoNotOptimize(p);
  }
  state.counters["proof_hashes"] = static_cast<double>(f.log->prove(size / 3, size)->proof.size());
}
BENCHMARK(BM_InclusionProof)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof(benchmark::State& state) {
  auto& f = big_log(static_cast<std::uint64_t>(state.range(0)));
  const std::uint64_t size = f.db->log_size().value();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto p = f.log->consistency(1 + rng() % (size - 1), size);
    if (!p) state.SkipWithError(p.error().to_string().c_str());
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ConsistencyProof)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

// `atelier log verify`: rehash every entry, compare every stored subtree hash and checkpoint.
void BM_VerifyWholeLog(benchmark::State& state) {
  auto& f = big_log(static_cast<std::uint64_t>(state.range(0)));
  std::uint64_t entries = 0;
  for (auto _ : state) {
    auto r = f.log->audit();
    if (!r || !r->ok) state.SkipWithError("audit failed");
    entries += r->entries;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(entries));
}
BENCHMARK(BM_VerifyWholeLog)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
