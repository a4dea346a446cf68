// `atelier serve`, `atelier apikey create|list|revoke`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "api/api_keys.h"
#include "api/server.h"
#include "c2pa/credentials.h"
#include "c2pa/issuer.h"
#include "cli/cli.h"
#include "compliance/check.h"
#include "compliance/registry/registry.h"

namespace atelier::cli {

namespace {

void add_apikey_commands(CLI::App& app, Globals& globals) {
  auto* key = app.add_subcommand("apikey", "Create, list and revoke API keys");
  key->require_subcommand(1);

  auto scopes = std::make_shared<std::vector<std::string>>();
  auto label = std::make_shared<std::string>();
  auto account = std::make_shared<std::string>();
  auto* create =
      key->add_subcommand("create",
                          "Create an API key with scopes (read, render, mint, trade, oracle, "
                          "compliance, admin; admin implies all).\n"
                          "The secret is printed once and stored only as a salted hash.");
  create->add_option("--scope", *scopes, "scope (repeatable, or comma-separated)")
      ->required()
      ->delimiter(',');
  create->add_option("--label", *label, "a note to recognise the key by");
  create->add_option("--account", *account,
                     "the ledger account the key acts for (its purchases and bids)");
  create->callback([&globals, scopes, label, account]() {
    Context ctx = open_or_exit(globals);
    if (!account->empty()) {
      auto a = ctx.ledger->account(*account);
      if (!a) exit_with(a.error());
    }
    auto created = api::create_api_key(*ctx.db, *scopes, *label, SystemClock::instance(), *account);
    if (!created) exit_with(created.error());
    std::string joined;
    for (const auto& s : created->record.scopes) joined += (joined.empty() ? "" : ",") + s;
    std::printf("key id  %s\nscopes  %s\n", created->record.id.c_str(), joined.c_str());
    if (!account->empty()) std::printf("account %s\n", account->c_str());
    std::printf("secret  %s\n", created->secret.c_str());
    std::fprintf(stderr, "Store the secret now: it cannot be shown again. Send it as "
                         "'Authorization: Bearer <secret>'.\n");
  });

  auto* list = key->add_subcommand("list", "List API keys (ids, scopes, labels; never secrets)");
  list->callback([&globals]() {
    Context ctx = open_or_exit(globals);
    auto keys = ctx.db->list_api_keys();
    if (!keys) exit_with(keys.error());
    for (const auto& k : *keys) {
      std::string joined;
      for (const auto& s : k.scopes) joined += (joined.empty() ? "" : ",") + s;
      std::printf("%-24s %-28s %-8s %s\n", k.id.c_str(), joined.c_str(),
                  k.revoked ? "revoked" : "active", k.label.c_str());
    }
  });

  auto id = std::make_shared<std::string>();
  auto* revoke = key->add_subcommand("revoke", "Revoke an API key by id");
  revoke->add_option("ID", *id, "key id")->required();
  revoke->callback([&globals, id]() {
    Context ctx = open_or_exit(globals);
    auto r = ctx.db->revoke_api_key(*id);
    if (!r) exit_with(r.error());
    if (!*r) exit_with(Error::not_found("unknown_api_key", "no active key " + *id, "ID"));
    std::printf("revoked %s\n", id->c_str());
  });
}

}  // namespace

void add_server_commands(CLI::App& app, Globals& globals) {
  add_apikey_commands(app, globals);

  auto opts = std::make_shared<api::ServerOptions>();
  auto* serve = app.add_subcommand(
      "serve", "Serve the HTTP API (/v1, /openapi.json, /metrics) and the gallery index page.\n"
               "Stops gracefully on SIGINT/SIGTERM.");
  serve->add_option("--listen", opts->listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--io-threads", opts->io_threads, "network threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve->add_option("--workers", opts->worker_threads, "render threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--rate-limit", opts->rate_limit_per_minute,
                   "requests per minute per API key (0: off)")
      ->capture_default_str();
  serve->add_option("--public-url", opts->public_url,
                    "public base URL for links in token metadata (default: http://LISTEN)");
  serve->add_option("--checkpoint-interval-ms", opts->checkpoint_interval_ms,
                    "sign a log checkpoint at most this often while the log grows")
      ->capture_default_str()
      ->check(CLI::Range(10, 3'600'000));
  serve->callback([&globals, opts]() {
    // Commits sign at most one checkpoint a second; the server's checkpointer signs the rest.
    Context ctx = open_or_exit(globals, opts->checkpoint_interval_ms);
    opts->transparency_log = ctx.log.get();
    opts->ledger = ctx.ledger.get();
    opts->market = ctx.market.get();
    opts->feeds = ctx.feeds.get();
    opts->issuer = ctx.issuer.get();
    opts->c2pa_anchors = c2pa::local_trust_anchors(ctx.dir.keys_path());
    compliance::Registry registry(*ctx.db);
    opts->registry = &registry;
    compliance::TermScreens terms(*ctx.db, compliance_lexicon_path());
    compliance::Screening screening({.assets = *ctx.db,
                                     .store = *ctx.db,
                                     .ledger = *ctx.db,
                                     .blobs = *ctx.blobs,
                                     .registry = registry,
                                     .terms = terms,
                                     .clock = SystemClock::instance()});
    opts->screening = &screening;
    auto r = api::serve_until_signal(*opts, *ctx.engine, [](std::uint16_t port) {
      std::fprintf(stderr, "atelier: listening on port %u\n", port);
    });
    if (!r) exit_with(r.error());
  });
}

}  // namespace atelier::cli
