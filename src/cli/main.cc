// atelier — the command-line door: argument parsing and output only, no business rules.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/cli.h"
#include "core/version.h"

namespace atelier::cli {

Result<Context> open_context(const Globals& globals, std::int64_t checkpoint_interval_ms) {
  auto dir = store::open_data_dir(globals.data_dir);
  if (!dir) return fail(dir.error());
  Context ctx;
  ctx.dir = *dir;
  auto db = store::SqliteStore::open(dir->db_path());
  if (!db) return fail(db.error());
  ctx.db = std::move(*db);
  ctx.blobs = std::make_unique<store::BlobStore>(dir->blobs_path());
  ctx.blobs->remove_stale_temp_files();  // Left by killed writers; an hour old at least.
  ctx.engine = std::make_unique<render::Engine>(*ctx.db, *ctx.blobs);
  auto signer = provenance::load_or_create_log_signer(dir->keys_path());  // First start: a new key.
  if (!signer) return fail(signer.error());
  ctx.log_signer = *signer;
  provenance::attach_checkpoint_signer(*ctx.db, ctx.log_signer, checkpoint_interval_ms);
  ctx.log = std::make_unique<provenance::Log>(*ctx.db, ctx.log_signer->verifier());
  ctx.ledger = std::make_unique<ledger::Ledger>(*ctx.db, *ctx.db);
  ctx.feeds = std::make_unique<market::Feeds>(*ctx.db);
  ctx.market = std::make_unique<market::Market>(*ctx.db, *ctx.db, *ctx.ledger, SystemClock::instance(), ctx.feeds.get());
  return ctx;
}

int report(const Error& error) {
  std::fprintf(stderr, "error: %s\n", error.to_string().c_str());
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kTooLarge:
    case ErrorKind::kConflict:
    case ErrorKind::kUnauthorized:
    case ErrorKind::kForbidden:
    case ErrorKind::kRateLimited: return kExitInput;
    case ErrorKind::kNotFound: return kExitNotFound;
    case ErrorKind::kLimitExceeded: return kExitLimit;
    case ErrorKind::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

void exit_with(int code) { throw CLI::RuntimeError(code); }
void print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }
void exit_with(const Error& error) { exit_with(report(error)); }

Context open_or_exit(const Globals& globals, std::int64_t checkpoint_interval_ms) {
  auto ctx = open_context(globals, checkpoint_interval_ms);
  if (!ctx) exit_with(ctx.error());
  return std::move(*ctx);
}

}  // namespace atelier::cli

int main(int argc, char** argv) {
  using namespace atelier::cli;
  CLI::App app{
      "atelier — deterministic generative art, from recipe to sale.\n\n"
      "Everything lives in one data directory (--data, $ATELIER_DATA, default ./atelier-data):\n"
      "atelier.db (SQLite), blobs/ (content-addressed files), keys/.\n\n"
      "Exit codes: 0 ok, 1 verification failed, 2 bad input, 3 not found, 4 limit or script error,\n"
      "5 internal error.",
      "atelier"};
  app.set_version_flag("--version", std::string(atelier::kVersion));
  Globals globals;
  if (const char* env = std::getenv("ATELIER_DATA"); env && *env) globals.data_dir = env;
  app.add_option("--data", globals.data_dir, "data directory (env ATELIER_DATA)")->capture_default_str();
  app.require_subcommand(1);
  app.fallthrough();
  add_generator_commands(app, globals);
  add_render_commands(app, globals);
  add_server_commands(app, globals);
  add_log_commands(app, globals);
  add_ledger_commands(app, globals);
  add_market_commands(app, globals);
  add_listing_commands(app, globals);
  add_oracle_commands(app, globals);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {  // Thrown by command callbacks with their exit code.
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitInput;
  }
  return 0;
}
