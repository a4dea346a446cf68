// atelier — the command-line door: argument parsing and output only, no business rules.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "c2pa/credentials.h"
#include "c2pa/issuer.h"
#include "c2pa/time_stamp.h"
#include "cli/cli.h"
#include "core/version.h"

namespace atelier::cli {

Context::Context() = default;
Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;
Context::~Context() = default;

namespace {

// The operator's chain and key when given, else keys/ (a local CA made on first start).
Result<std::shared_ptr<const c2pa::Signer>> load_c2pa_signer(const Globals& g,
                                                             const store::DataDir& dir) {
  if (g.c2pa_cert.empty() != g.c2pa_key.empty()) {
    return fail(Error::invalid("c2pa_key_missing", "--c2pa-cert and --c2pa-key go together",
                               g.c2pa_cert.empty() ? "c2pa_cert" : "c2pa_key"));
  }
  std::filesystem::path cert = g.c2pa_cert, key = g.c2pa_key;
  if (cert.empty()) {
    ATELIER_TRY(c2pa::create_local_ca(dir.keys_path(), {}));
    cert = dir.keys_path() / c2pa::kSignerCertFile;
    key = dir.keys_path() / c2pa::kSignerKeyFile;
  }
  ATELIER_TRY_ASSIGN(c2pa::Signer signer,
                     c2pa::Signer::load(cert, key, std::chrono::system_clock::now()));
  return std::make_shared<const c2pa::Signer>(std::move(signer));
}

}  // namespace

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
  ctx.market = std::make_unique<market::Market>(*ctx.db, *ctx.db, *ctx.ledger,
                                                SystemClock::instance(), ctx.feeds.get());
  ATELIER_TRY_ASSIGN(ctx.c2pa_signer, load_c2pa_signer(globals, ctx.dir));
  std::shared_ptr<const c2pa::TimeStamper> time_stamper;
  if (!globals.c2pa_tsa.empty()) {
    ATELIER_TRY_ASSIGN(time_stamper, c2pa::make_http_time_stamper({.url = globals.c2pa_tsa}));
  }
  ctx.issuer = std::make_unique<c2pa::Issuer>(*ctx.db, *ctx.blobs, *ctx.log, ctx.c2pa_signer,
                                              std::move(time_stamper));
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
      "Exit codes: 0 ok, 1 verification failed, 2 bad input, 3 not found, 4 limit or script "
      "error,\n"
      "5 internal error, 6 sent to review (`check`: neither allowed nor blocked).",
      "atelier"};
  app.set_version_flag("--version", std::string(atelier::kVersion));
  Globals globals;
  if (const char* env = std::getenv("ATELIER_DATA"); env && *env) globals.data_dir = env;
  app.add_option("--data", globals.data_dir, "data directory (env ATELIER_DATA)")
      ->capture_default_str();
  app.add_option(
      "--c2pa-cert", globals.c2pa_cert,
      "Content Credentials signing chain (PEM, leaf first); default keys/c2pa-signer.pem");
  app.add_option("--c2pa-key", globals.c2pa_key,
                 "its private key (PEM); default keys/c2pa-signer.key");
  if (const char* env = std::getenv("ATELIER_C2PA_TSA"); env && *env) globals.c2pa_tsa = env;
  app.add_option("--c2pa-tsa", globals.c2pa_tsa,
                 "RFC 3161 time-stamp authority (http://…) for every C2PA signature; signing "
                 "fails when it fails (env ATELIER_C2PA_TSA; default none: no time-stamps)");
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
  add_c2pa_commands(app, globals);
  add_compliance_commands(app, globals);
  add_check_commands(app, globals);
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
