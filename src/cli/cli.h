// cli.h — shared plumbing of the `atelier` subcommands: the data directory, opening the
// store and engine, and mapping errors to exit codes and messages.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ledger/ledger.h"
#include "market/feeds.h"
#include "market/listings.h"
#include "provenance/log.h"
#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"

namespace CLI {
class App;
}
namespace atelier::c2pa {
class Signer;
class Issuer;
}  // namespace atelier::c2pa

namespace atelier::cli {

// Exit codes: documented in `atelier --help`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;     // The command ran and the answer is "no" (verify).
inline constexpr int kExitInput = 2;      // Bad input or usage.
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitLimit = 4;      // A limit or the script failed.
inline constexpr int kExitInternal = 5;
inline constexpr int kExitReview = 6;  // `check`: the decision is "review" (not allow, not block).

struct Globals {
  std::string data_dir = "atelier-data";
  // Content Credentials signing chain and key (PEM); empty: keys/ (made on first start).
  std::string c2pa_cert;
  std::string c2pa_key;
  // A time-stamp authority (RFC 3161, http://…) for every signature; empty: none.
  std::string c2pa_tsa;
};

// An opened data directory with its store, engine and transparency log. Commits sign a
// checkpoint whenever they append (`checkpoint_interval_ms` 0); `serve` batches signatures.
struct Context {
  store::DataDir dir;
  std::unique_ptr<store::SqliteStore> db;
  std::unique_ptr<store::BlobStore> blobs;
  std::unique_ptr<render::Engine> engine;
  std::shared_ptr<const provenance::NoteSigner> log_signer;
  std::unique_ptr<provenance::Log> log;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<market::Feeds> feeds;
  std::unique_ptr<market::Market> market;  // Uses `feeds`.
  std::shared_ptr<const c2pa::Signer> c2pa_signer;
  std::unique_ptr<c2pa::Issuer> issuer;  // Signs renders' assets (Content Credentials).
  Context();
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;
  ~Context();
};

Result<Context> open_context(const Globals& globals, std::int64_t checkpoint_interval_ms = 0);

// Prints "error: <code>: <message> (field: …)" to stderr; returns the exit code for it.
int report(const Error& error);

// For command callbacks: report `error` and leave with its exit code (throws CLI11's
// RuntimeError, which main() turns into the process exit status).
[[noreturn]] void exit_with(const Error& error);
[[noreturn]] void exit_with(int code);
// The value of `r`, or exit_with its error.
template <typename T>
T or_exit(Result<T> r) {
  if (!r) exit_with(r.error());
  return std::move(*r);
}
// Writes `text` to stdout as it is.
void print(std::string_view text);

// open_context, or exit_with its error.
Context open_or_exit(const Globals& globals, std::int64_t checkpoint_interval_ms = 0);

void add_generator_commands(CLI::App& app, Globals& globals);
void add_render_commands(CLI::App& app, Globals& globals);
void add_server_commands(CLI::App& app, Globals& globals);
void add_log_commands(CLI::App& app, Globals& globals);
void add_ledger_commands(CLI::App& app, Globals& globals);
// `atelier market …`: market_command(app) is the shared `market` subcommand, created on first
// use; add further market subcommands to it, in any order (market_commands.cc).
CLI::App& market_command(CLI::App& app);
void add_market_commands(CLI::App& app, Globals& globals);
void add_listing_commands(CLI::App& app, Globals& globals);
void add_oracle_commands(CLI::App& app, Globals& globals);
void add_c2pa_commands(CLI::App& app, Globals& globals);
void add_compliance_commands(CLI::App& app, Globals& globals);
// `compliance policy …` and `compliance review …` (compliance_review_commands.cc).
void add_compliance_review_commands(CLI::App& compliance, Globals& globals);
// `compliance registry …`, the registry of protected works (compliance_registry_commands.cc).
void add_compliance_registry_commands(CLI::App& compliance, Globals& globals);
// `atelier check` and `compliance terms …` (compliance_check_commands.cc).
void add_check_commands(CLI::App& app, Globals& globals);
void add_compliance_terms_commands(CLI::App& compliance, Globals& globals);
// Ordinary words for the text screener's run-together rules: $ATELIER_LEXICON, else Debian's
// wamerican-huge list (installed by scripts/setup; missing: those rules are off).
std::string compliance_lexicon_path();

}  // namespace atelier::cli
