// `atelier log …` and `atelier provenance`: the transparency log from the command line.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "c2pa/container.h"
#include "c2pa/credentials.h"
#include "c2pa/issuer.h"
#include "c2pa/manifest.h"
#include "cli/cli.h"
#include "core/hash.h"
#include "core/limits.h"
#include "render/codec.h"
#include "render/events.h"
#include "store/blob_store.h"

namespace atelier::cli {

namespace {

// Indexes and sizes: CLI11 would read "-1" as 2^64 - 1 for an unsigned option.
const CLI::Range kIndexRange(std::uint64_t{0}, limits::kTreeSizeMax - 1, "INDEX");

std::string base64_of(const Digest& d) { return provenance::hash_base64(d); }

// A verifier key given as its text ("name+hash+base64") or as a file holding it.
provenance::NoteVerifier verifier_from(const std::string& key) {
  std::string text = key;
  std::error_code ec;
  if (key.find('+') == std::string::npos || std::filesystem::is_regular_file(key, ec)) {
    auto bytes = store::read_file(key, 4096);
    if (!bytes) exit_with(bytes.error());
    text.assign(bytes->begin(), bytes->end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  auto v = provenance::NoteVerifier::parse(text);
  if (!v) exit_with(v.error());
  return std::move(*v);
}

std::string iso_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Parsed entry JSON (entries are canonical JSON written by atelier; anything else is shown raw).
nlohmann::json entry_json(const std::string& entry) {
  auto j = nlohmann::json::parse(entry, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(entry) : j;
}

void add_key(CLI::App& log, Globals& globals) {
  auto* cmd = log.add_subcommand(
      "key", "Print the log's public key as a signed-note verifier key (name+hash+base64)");
  cmd->callback([&globals] {
    Context ctx = open_or_exit(globals);
    print(ctx.log_signer->verifier().text() + "\n");
  });
}

void add_checkpoint(CLI::App& log, Globals& globals) {
  auto* cmd = log.add_subcommand(
      "checkpoint",
      "Print the latest signed checkpoint (C2SP tlog-checkpoint), signing a new one "
      "first if the log has grown");
  cmd->callback([&globals] {
    Context ctx = open_or_exit(globals);
    auto cp = ctx.db->checkpoint_now();
    if (!cp) exit_with(cp.error());
    auto latest = ctx.log->latest_checkpoint();
    if (!latest) exit_with(latest.error());
    print(latest->note);
  });
}

void add_show(CLI::App& log, Globals& globals) {
  auto index = std::make_shared<std::uint64_t>(0);
  auto* cmd = log.add_subcommand("show", "Print one log entry (its canonical JSON)");
  cmd->add_option("INDEX", *index, "entry index, from 0")->required()->check(kIndexRange);
  cmd->callback([&globals, index] {
    Context ctx = open_or_exit(globals);
    auto e = ctx.log->entry(*index);
    if (!e) exit_with(e.error());
    print(e->entry + "\n");
  });
}

void add_prove(CLI::App& log, Globals& globals) {
  struct Args {
    std::uint64_t index = 0;
    std::uint64_t size = 0;
    std::string output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = log.add_subcommand(
      "prove",
      "Print an entry with its inclusion proof and the signed checkpoint it is proved "
      "against (JSON; check it offline with `log verify-proof`)");
  cmd->add_option("INDEX", a->index, "entry index, from 0")->required()->check(kIndexRange);
  cmd->add_option("--size", a->size, "tree size to prove against (default: the latest checkpoint)")
      ->check(kIndexRange);
  cmd->add_option("-o,--output", a->output, "write the proof file here instead of stdout");
  cmd->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    if (a->size == 0) {
      auto cp = ctx.db->checkpoint_now();  // Cover every entry so far.
      if (!cp) exit_with(cp.error());
    }
    auto p = ctx.log->prove(a->index, a->size == 0 ? std::nullopt : std::optional(a->size));
    if (!p) exit_with(p.error());
    std::string json = provenance::entry_proof_json(*p);
    if (a->output.empty()) return print(json);
    auto w = store::write_file_atomic(
        a->output, std::span(reinterpret_cast<const std::uint8_t*>(json.data()), json.size()));
    if (!w) exit_with(w.error());
  });
}

void add_verify(CLI::App& log, Globals& globals) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = log.add_subcommand(
      "verify",
      "Recompute the whole tree from the entries and check it against every stored "
      "subtree hash and signed checkpoint, then every render and generator record "
      "against its entry; exit 1 naming the first bad index");
  cmd->add_flag("--json", *json, "print the report as JSON");
  cmd->callback([&globals, json] {
    Context ctx = open_or_exit(globals);
    auto r = ctx.log->audit();
    if (!r) exit_with(r.error());
    // The tree is sound; now the rows the log records must still say what their entries say.
    if (r->ok) {
      auto records = render::check_records_against_log(*ctx.db);
      if (!records) exit_with(records.error());
      if (!records->ok) {
        r->ok = false;
        r->code = records->code;
        r->message = records->message;
        r->first_bad_index = records->log_index;
      }
    }
    if (*json) {
      nlohmann::json j = {{"ok", r->ok}, {"entries", r->entries}, {"checkpoints", r->checkpoints}};
      if (!r->ok) {
        j["code"] = r->code;
        j["message"] = r->message;
        j["first_bad_index"] =
            r->first_bad_index ? nlohmann::json(*r->first_bad_index) : nlohmann::json(nullptr);
      }
      print(j.dump() + "\n");
    } else if (r->ok) {
      print("ok: " + std::to_string(r->entries) + " entries rehashed, " +
            std::to_string(r->checkpoints) + " signed checkpoints match (" + ctx.log->origin() +
            ")\n");
    } else {
      std::string where =
          r->first_bad_index ? " at index " + std::to_string(*r->first_bad_index) : "";
      std::fprintf(stderr, "FAILED%s: %s: %s\n", where.c_str(), r->code.c_str(),
                   r->message.c_str());
    }
    if (!r->ok) exit_with(kExitFailed);
  });
}

void add_verify_proof(CLI::App& log) {
  struct Args {
    std::string file;
    std::string key;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = log.add_subcommand(
      "verify-proof",
      "Check a proof file from `log prove` offline: the checkpoint's signature by KEY, "
      "and the entry's inclusion in that tree. Needs no data directory");
  cmd->add_option("FILE", a->file, "proof file (- for stdin)")->required();
  cmd->add_option("--key", a->key,
                  "the log's verifier key (name+hash+base64), or a file holding it")
      ->required();
  cmd->callback([a] {
    auto verifier = verifier_from(a->key);
    std::string text;
    if (a->file == "-") {
      char buf[65536];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) {
        text.append(buf, n);
        if (text.size() > static_cast<std::size_t>(limits::kProofFileBytesMax)) break;
      }
    } else {
      auto bytes = store::read_file(a->file, limits::kProofFileBytesMax);
      if (!bytes) exit_with(bytes.error());
      text.assign(bytes->begin(), bytes->end());
    }
    auto proof = provenance::parse_entry_proof_json(text);
    if (!proof) exit_with(proof.error());
    auto cp = provenance::verify_entry_proof(*proof, verifier);
    if (!cp) {
      std::fprintf(stderr, "FAILED: %s\n", cp.error().to_string().c_str());
      exit_with(kExitFailed);
    }
    print("ok: entry " + std::to_string(proof->index) + " is in " + cp->origin + " at tree size " +
          std::to_string(cp->size) + ", signed by " + verifier.text() + "\n");
  });
}

// A file that is not a stored asset but carries the recipe of one: a changed copy. Names the
// asset it claims to be and the first byte where it differs, and exits 1.
void explain_unknown_file(Context& ctx, const std::string& path,
                          const std::vector<std::uint8_t>& file) {
  auto text = render::extract_recipe(file);
  if (!text) return;
  auto original = ctx.db->render_by_recipe(sha256_hex(*text));
  if (!original || !*original) return;
  const std::string& sha = (*original)->asset_sha256;
  auto stored = ctx.blobs->get(sha);
  if (!stored) return;
  std::size_t at = 0;
  while (at < file.size() && at < stored->size() && file[at] == (*stored)[at]) ++at;
  std::fprintf(stderr,
               "FAILED: asset_modified: %s carries the recipe of asset %s (recipe %s) but is not "
               "that asset: "
               "it differs from byte %zu on (%zu bytes, the asset has %zu)\n",
               path.c_str(), sha.c_str(), (*original)->recipe_id.c_str(), at, file.size(),
               stored->size());
  exit_with(kExitFailed);
}

// `atelier provenance ASSET|FILE`.
void add_provenance(CLI::App& app, Globals& globals) {
  struct Args {
    std::string target;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "provenance",
      "The story of an asset: its recipe, its log entries (render, and later mint and "
      "sales), each with its inclusion proof verified against the latest signed checkpoint");
  cmd->add_option("ASSET", a->target, "asset sha256, or an image file")->required();
  cmd->add_flag("--json", a->json, "print JSON for machines");
  cmd->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    std::string sha = a->target;
    std::vector<std::uint8_t> file;
    if (!is_sha256_hex(sha)) {
      auto bytes = store::read_file(a->target, limits::kAssetFileBytesMax);
      if (!bytes) exit_with(bytes.error());
      file = std::move(*bytes);
      sha = sha256_hex(file);
      // A signed file (Content Credentials) names its asset: the bytes without the manifest.
      auto credential = ctx.db->asset_credential_by_signed(sha);
      if (!credential) exit_with(credential.error());
      if (*credential) sha = (*credential)->asset_sha256;
    }
    auto render = ctx.db->render_by_asset(sha);
    if (!render) exit_with(render.error());
    auto asset = ctx.db->asset(sha);
    if (!asset) exit_with(asset.error());
    if (!*render || !*asset) {
      if (!file.empty()) explain_unknown_file(ctx, a->target, file);
      exit_with(
          Error::not_found("unknown_asset", "no asset " + sha + " was rendered here", "asset"));
    }
    // The stored bytes must still be the asset the log names.
    if (auto stored = ctx.blobs->get(sha); !stored || sha256_hex(*stored) != sha) {
      std::fprintf(stderr, "FAILED: stored_asset_modified: the stored bytes of asset %s %s\n",
                   sha.c_str(), stored ? "no longer hash to its name" : "cannot be read");
      exit_with(kExitFailed);
    }
    auto cp = ctx.db->checkpoint_now();  // Cover the newest entries too.
    if (!cp) exit_with(cp.error());
    // How it was made (the generator's registration), then what happened to it.
    auto story = ctx.log->story("generator:" + (*render)->generator_hash);
    if (!story) exit_with(story.error());
    auto about_asset = ctx.log->story("asset:" + sha);
    if (!about_asset) exit_with(about_asset.error());
    story->insert(story->end(), std::make_move_iterator(about_asset->begin()),
                  std::make_move_iterator(about_asset->end()));
    auto latest = ctx.log->latest_checkpoint();
    if (!latest) exit_with(latest.error());

    bool all_ok = !story->empty();
    nlohmann::json events = nlohmann::json::array();
    for (const auto& p : *story) {
      auto ok = provenance::verify_entry_proof(p, ctx.log->verifier());
      all_ok = all_ok && ok.has_value();
      nlohmann::json proof = nlohmann::json::array();
      for (const auto& h : p.proof) proof.push_back(base64_of(h));
      nlohmann::json e = entry_json(p.entry);
      events.push_back(
          {{"index", p.index},
           {"type", e.is_object() ? e.value("type", "") : ""},
           {"entry", e},
           {"tree_size", p.tree_size},
           {"inclusion_proof", proof},
           {"verified", ok.has_value()},
           {"problem", ok ? nlohmann::json(nullptr) : nlohmann::json(ok.error().to_string())}});
    }
    const auto& r = **render;
    const auto& as = **asset;
    nlohmann::json recipe = entry_json(r.recipe_json);
    // Content Credentials: of the file given, else of the asset's signed file.
    nlohmann::json credentials = nullptr;
    if (file.empty()) {
      if (auto issued = ctx.issuer->find(sha); issued && *issued)
        file = std::move((*issued)->bytes);
    }
    if (const auto mime = c2pa::sniff_mime(file); !file.empty() && c2pa::embeddable(mime)) {
      auto v = c2pa::validate_asset(file, mime, c2pa::local_trust_anchors(ctx.dir.keys_path()),
                                    std::chrono::system_clock::now());
      if (v && v->manifest_present) {
        credentials = {{"validation_state", v->state},
                       {"failures", v->failures},
                       {"manifest", v->label},
                       {"claim_generator", v->claim_generator},
                       {"digital_source_type", v->digital_source_type},
                       {"signer", v->signer ? v->signer->subject : ""}};
        if (v->state == "Invalid") all_ok = false;
      }
    }
    if (a->json) {
      nlohmann::json j = {{"asset",
                           {{"sha256", as.sha256},
                            {"mime_type", as.mime_type},
                            {"size", as.size_bytes},
                            {"width", as.width},
                            {"height", as.height}}},
                          {"recipe_id", r.recipe_id},
                          {"recipe", recipe},
                          {"events", events},
                          {"checkpoint",
                           {{"origin", latest->checkpoint.origin},
                            {"tree_size", latest->checkpoint.size},
                            {"root", base64_of(latest->checkpoint.root)},
                            {"note", latest->note}}},
                          {"log_key", ctx.log->verifier().text()},
                          {"c2pa", credentials},
                          {"verified", all_ok}};
      print(j.dump(2) + "\n");
    } else {
      std::string out;
      out += "asset      " + as.sha256 + "  " + as.mime_type + " " + std::to_string(as.width) +
             "x" + std::to_string(as.height) + ", " + std::to_string(as.size_bytes) + " bytes\n";
      out += "recipe     " + r.recipe_id + "\n           " + r.recipe_json + "\n";
      out += "generator  " + r.generator_name + "@" + r.generator_hash + "\n";
      out += "events\n";
      for (const auto& e : events) {
        const auto& entry = e["entry"];
        std::int64_t t = entry.is_object() ? entry.value("time_ms", std::int64_t{0}) : 0;
        out += "  #" + std::to_string(e["index"].get<std::uint64_t>()) + "  " +
               e["type"].get<std::string>() + "  " + iso_time(t) + "  ";
        out += e["verified"].get<bool>()
                   ? "included in the tree of " +
                         std::to_string(e["tree_size"].get<std::uint64_t>()) +
                         " entries (proof of " + std::to_string(e["inclusion_proof"].size()) +
                         " hashes): verified\n"
                   : "NOT VERIFIED: " + e["problem"].get<std::string>() + "\n";
      }
      out += "checkpoint " + latest->checkpoint.origin + " size " +
             std::to_string(latest->checkpoint.size) + " root " +
             base64_of(latest->checkpoint.root) + "\n";
      out += "           signed by " + ctx.log->verifier().text() + ": verified\n";
      if (credentials.is_null()) {
        out += "c2pa       none\n";
      } else {
        out += "c2pa       " + credentials["validation_state"].get<std::string>() + "  " +
               credentials["manifest"].get<std::string>() + "\n           signed by " +
               credentials["signer"].get<std::string>() + "\n";
        for (const auto& f : credentials["failures"])
          out += "           failure " + f.get<std::string>() + "\n";
      }
      print(out);
    }
    if (!all_ok) exit_with(kExitFailed);
  });
}

}  // namespace

void add_log_commands(CLI::App& app, Globals& globals) {
  auto* log =
      app.add_subcommand("log", "The transparency log: key, checkpoints, entries, proofs, audit");
  log->require_subcommand(1);
  add_key(*log, globals);
  add_checkpoint(*log, globals);
  add_show(*log, globals);
  add_prove(*log, globals);
  add_verify(*log, globals);
  add_verify_proof(*log);
  add_provenance(app, globals);
}

}  // namespace atelier::cli
