// `atelier check` and `atelier compliance terms …`: screening an image and/or texts before
// minting (compliance/check.h), and the term lists texts are screened against.
//
//   atelier check FILE|ASSET_SHA256 [--collection ID] [--text "…"]… [--json]
//   atelier compliance terms import FILE --list NAME [--severity block|review]
//                                         [--source S] [--licence L]
//   atelier compliance terms list [--json]
//   atelier compliance terms remove NAME
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "compliance/check.h"
#include "core/hash.h"
#include "core/limits.h"
#include "store/blob_store.h"

namespace atelier::cli {

namespace {

using nlohmann::json;

struct CheckArgs {
  std::string subject, collection;
  std::vector<std::string> texts;
  bool as_json = false;
};

// The image to screen: an asset's SHA-256 (read from the blob store) or a file (check.h finds
// the asset a file is, if it is one).
void load_subject(Context& ctx, const std::string& subject, compliance::CheckRequest& req) {
  if (is_sha256_hex(subject) && !std::filesystem::exists(subject)) {
    req.image = or_exit(ctx.blobs->get(subject));
    req.asset_sha256 = subject;
    return;
  }
  req.image = or_exit(store::read_file(subject, limits::kComplianceImageBytesMax));
}

std::string text_report(const store::ComplianceDecisionRecord& d) {
  const json record = json::parse(d.record);
  std::string out = d.outcome;
  if (d.review == store::ReviewState::kPending) out += " (pending review: " + d.id + ")";
  out += "\n";
  for (const auto& f : record.value("findings", json::array())) {
    out += "  " + f.value("action", std::string()) + "  " + f.value("signal", std::string());
    for (const auto& [k, v] : f.items()) {
      if (k == "action" || k == "signal") continue;
      out += "  " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    out += "\n";
  }
  const auto& reg = record["registry"];
  out += "decision " + d.id + "  policy v" + std::to_string(d.policy_version) + "  registry " +
         reg.value("root", std::string()) + " (" +
         std::to_string(reg.value("entries", std::uint64_t{0})) + " entries)  log entry " +
         std::to_string(d.log_index) + "\n";
  return out;
}

void add_check(CLI::App& app, Globals& globals) {
  auto a = std::make_shared<CheckArgs>();
  auto* check = app.add_subcommand(
      "check",
      "Screen an image (a file or an asset's SHA-256) and/or texts before minting: the "
      "registry of protected works (exact copies; PDQ with rotations, flips and crops), the "
      "collection's earlier tokens (near-duplicates), the term lists; the policy in force "
      "decides and the decision is logged (compliance.decision).\n"
      "Exit status: 0 allow, 1 block, 6 review (pending in `compliance review list`), 2 bad "
      "input, 3 not found, 4 over a limit, 5 internal.");
  check->add_option("subject", a->subject, "image file or asset SHA-256");
  check->add_option("--collection", a->collection, "the collection the work is for");
  // One text per --text, so that `--text "a" FILE` leaves FILE as the subject.
  check->add_option("--text", a->texts, "a text to screen (title, prompt, trait…); repeatable")
      ->allow_extra_args(false);
  check->add_flag("--json", a->as_json,
                  "one JSON object: {decision, id, matches: [{signal, …}], registry, …}");
  check->callback([&globals, a] {
    compliance::CheckRequest req;
    req.collection = a->collection;
    req.actor = "cli";
    for (std::size_t i = 0; i < a->texts.size(); ++i) {
      req.texts.push_back({"text[" + std::to_string(i) + "]", a->texts[i]});
    }
    Context ctx = open_or_exit(globals);
    if (!a->subject.empty()) load_subject(ctx, a->subject, req);
    compliance::Registry registry(*ctx.db);
    compliance::TermScreens terms(*ctx.db, compliance_lexicon_path());
    compliance::Screening screening({.assets = *ctx.db,
                                     .store = *ctx.db,
                                     .ledger = *ctx.db,
                                     .blobs = *ctx.blobs,
                                     .registry = registry,
                                     .terms = terms,
                                     .clock = SystemClock::instance()});
    const auto out = or_exit(screening.check(req));
    const auto& d = out.decision;
    if (a->as_json) {
      print(compliance::check_json(d) + "\n");
    } else {
      print(text_report(d));
    }
    if (d.outcome == "block") exit_with(kExitFailed);
    if (d.outcome == "review") exit_with(kExitReview);
  });
}

void add_terms(CLI::App& compliance, Globals& globals) {
  auto* terms = compliance.add_subcommand("terms", "Term lists texts are screened against");
  terms->require_subcommand(1);
  struct Args {
    std::string file, list, severity = "block", source, licence, name;
    bool as_json = false;
  };
  auto a = std::make_shared<Args>();
  auto* import = terms->add_subcommand(
      "import",
      "Import (or replace) a term list: UTF-8 text, one term per line, # starts a comment; or "
      "CSV with a header term,severity. Logged as compliance.terms.import");
  import->add_option("FILE", a->file, "the list file")->required();
  import->add_option("--list", a->list, "the list's name (a-z 0-9 . _ -)")->required();
  import->add_option("--severity", a->severity,
                     "block (default) or review, for terms that do not name their own");
  import->add_option("--source", a->source, "where the terms come from");
  import->add_option("--licence", a->licence, "the list's licence (SPDX id)");
  import->callback([&globals, a] {
    const auto bytes = or_exit(store::read_file(a->file, limits::kTermListBytesMax));
  Context ctx = open_or_exit(globals);
  const std::string_view body(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const auto r = or_exit(compliance::import_term_list(*ctx.db, SystemClock::instance(), body,
                                                      {.name = a->list,
                                                       .severity = a->severity,
                                                       .source = a->source,
                                                       .licence = a->licence,
                                                       .actor = "cli"}));
  print(r.name + ": " + std::to_string(r.terms) + " terms (" + r.format + ", sha256 " + r.sha256 +
        ", log entry " + std::to_string(r.log_index) + ")\n");
});
auto* list = terms->add_subcommand("list", "The term lists, by name");
list->add_flag("--json", a->as_json, "one JSON object per line");
list->callback([&globals, a] {
  Context ctx = open_or_exit(globals);
  for (const auto& r : or_exit(ctx.db->term_lists(false))) {
    if (a->as_json) {
      print(json{{"list", r.name},
                 {"terms", r.terms},
                 {"severity", r.severity},
                 {"format", r.format},
                 {"sha256", r.sha256},
                 {"source", r.source},
                 {"licence", r.licence},
                 {"created_by", r.created_by},
                 {"created_ms", r.created_ms},
                 {"log_index", r.log_index}}
                .dump() +
            "\n");
    } else {
      print(r.name + "  " + std::to_string(r.terms) + " terms  " + r.severity + "  " + r.sha256 +
            (r.source.empty() ? "" : "  " + r.source) + "\n");
    }
  }
});
auto* remove = terms->add_subcommand("remove", "Remove a term list (logged)");
remove->add_option("NAME", a->name, "the list")->required();
remove->callback([&globals, a] {
  Context ctx = open_or_exit(globals);
  const auto index =
      or_exit(compliance::remove_term_list(*ctx.db, SystemClock::instance(), a->name, "cli"));
  print(a->name + ": removed (log entry " + std::to_string(index) + ")\n");
});
}  // namespace

}  // namespace atelier::cli

std::string compliance_lexicon_path() {
  if (const char* env = std::getenv("ATELIER_LEXICON"); env != nullptr) return env;
  return "/usr/share/dict/american-english-huge";
}

void add_check_commands(CLI::App& app, Globals& globals) { add_check(app, globals); }

void add_compliance_terms_commands(CLI::App& compliance, Globals& globals) {
  add_terms(compliance, globals);
}

}  // namespace atelier::cli
