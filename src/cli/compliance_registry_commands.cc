// `atelier compliance registry …`: the registry of protected works from the command line
// (compliance/registry/registry.h; issue 16 §2).
//
//   atelier compliance registry import FILE [--bank NAME] [--bank-source S] [--format F]
//   atelier compliance registry add-image FILE --label L [--bank NAME] [--source S]
//                                         [--severity S] [--uri U]
//   atelier compliance registry list [--bank NAME] [--status S] [--limit N] [--cursor C]
//   atelier compliance registry remove ID… [--reason R]      (also disable, enable)
//   atelier compliance registry bank NAME [--source S] [--disable | --enable]
//   atelier compliance registry banks | snapshot | verify
//   atelier compliance registry search HASH… [--radius R]
//
// Every change is one transparency-log entry recording the registry's snapshot; a change
// that changes nothing (a re-import, removing a removed entry's siblings twice) logs nothing.
// --json prints the views of compliance/registry/views.h, one object per line. add-image hashes
// the file with the PDQ hasher (registry/image_signals.h): the hash, the seven dihedral
// variants and the crops; an image of quality below 50 is refused.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <optional>

#include "cli/cli.h"
#include "compliance/registry/image_signals.h"
#include "compliance/registry/registry.h"
#include "compliance/registry/views.h"
#include "core/hash.h"
#include "core/limits.h"

namespace atelier::cli {

namespace {

using compliance::Registry;

std::string snapshot_text(const store::RegistrySnapshot& s) {
  return "snapshot " + to_hex(s.root) + " of " + std::to_string(s.count) + " entries (seq " +
         std::to_string(s.seq) + ")";
}

void print_json(const nlohmann::json& j) { print(j.dump() + "\n"); }

void print_import(const compliance::ImportResult& r, bool json) {
  if (json) return print_json(compliance::import_view(r));
  std::string out = r.bank + ": " + std::to_string(r.added.size()) + " added";
  if (!r.added.empty()) {
    out += " (ids " + std::to_string(r.added.front()) + "-" + std::to_string(r.added.back()) + ")";
  }
  out += ", " + std::to_string(r.duplicates) + " already there";
  out += r.logged ? "; " + snapshot_text(r.snapshot) + ", log entry " +
                        std::to_string(r.snapshot.log_index)
                  : "; nothing changed";
  print(out + "\n");
}

std::vector<std::int64_t> ids_or_exit(const std::vector<std::string>& texts) {
  std::vector<std::int64_t> ids;
  for (const std::string& t : texts) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < 1) {
      exit_with(Error::invalid(
          "invalid_id", "an entry id is a positive integer (got \"" + t.substr(0, 64) + "\")",
          "id"));
    }
    ids.push_back(v);
  }
  return ids;
}

void add_import(CLI::App& registry, Globals& globals) {
  struct Args {
    std::string file, bank = "default", bank_source, format = "auto";
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = registry.add_subcommand(
      "import",
      "Import entries from a CSV or TSV file with the header hash,label,source,severity[,uri] "
      "(hash: the 256-bit PDQ code in hex). The whole file is refused on its first bad line. "
      "Logged as compliance.registry.import");
  cmd->add_option("FILE", a->file, "the CSV/TSV file")->required();
  cmd->add_option("--bank", a->bank, "the bank to add to, created if missing (default: default)");
  cmd->add_option("--bank-source", a->bank_source, "the source of a bank this import creates");
  cmd->add_option("--format", a->format, "csv, tsv or auto (a tab in the header: TSV)")
      ->check(CLI::IsMember({"csv", "tsv", "auto"}));
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->callback([&globals, a] {
    auto bytes = or_exit(store::read_file(a->file, limits::kRegistryImportBytesMax));
    Context ctx = open_or_exit(globals);
    Registry registry(*ctx.db);
    const compliance::TableFormat format = a->format == "csv"   ? compliance::TableFormat::kCsv
                                           : a->format == "tsv" ? compliance::TableFormat::kTsv
                                                                : compliance::TableFormat::kAuto;
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto r = or_exit(registry.import_table(
        text, format,
        {.bank = a->bank, .bank_source = a->bank_source, .source = {"", sha256_hex(text)}}));
    print_import(r, a->json);
  });
}

void add_image(CLI::App& registry, Globals& globals) {
  struct Args {
    std::string file, bank = "default", bank_source, label, source, severity = "high", uri;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = registry.add_subcommand(
      "add-image",
      "Register an image: hashed with PDQ on import (its hash, the seven rotations and flips, "
      "and the centre crops and quadrants of quality 50 or more), with the SHA-256 of the file "
      "and of its pixels. An image of PDQ quality below 50 is refused (too flat to identify). "
      "Logged as compliance.registry.import");
  cmd->add_option("FILE", a->file, "the image (PNG, JPEG, WebP, AVIF)")->required();
  cmd->add_option("--label", a->label, "what the work is called")->required();
  cmd->add_option("--bank", a->bank, "the bank to add to, created if missing (default: default)");
  cmd->add_option("--bank-source", a->bank_source, "the source of a bank this creates");
  cmd->add_option("--source", a->source, "the owner or source of the work");
  cmd->add_option("--severity", a->severity, "low, medium, high (default) or critical")
      ->check(CLI::IsMember({"low", "medium", "high", "critical"}));
  cmd->add_option("--uri", a->uri, "where the original is");
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->callback([&globals, a] {
    const auto bytes = store::read_file(a->file, limits::kComplianceImageBytesMax);
    if (!bytes) {
      Error e = bytes.error();
      if (e.code == "file_too_large") e.message += " (compliance_image_bytes_max)";
      exit_with(e);
    }
    const auto signals = compliance::image_signals(*bytes);
    if (!signals) {
      Error e = signals.error();
      e.message = a->file + ": " + e.message;
      exit_with(e);
    }
    Context ctx = open_or_exit(globals);
    Registry registry(*ctx.db);
    compliance::ImportRow fields;
    fields.label = a->label;
    fields.source = a->source;
    fields.severity = a->severity;
    fields.uri = a->uri;
    auto r = or_exit(
        registry.add_image(*signals, fields, {.bank = a->bank, .bank_source = a->bank_source}));
    print_import(r, a->json);
  });
}

void add_list(CLI::App& registry, Globals& globals) {
  struct Args {
    std::string bank, status, cursor;
    std::int64_t limit = limits::kPageSizeMax;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = registry.add_subcommand("list", "List entries by id (one page; --cursor for more)");
  cmd->add_option("--bank", a->bank, "only this bank's entries");
  cmd->add_option("--status", a->status, "only active, disabled or removed entries")
      ->check(CLI::IsMember({"active", "disabled", "removed"}));
  cmd->add_option("--limit", a->limit, "entries per page (1-100)")->check(CLI::Range(1, 100));
  cmd->add_option("--cursor", a->cursor, "where the previous page ended");
  cmd->add_flag("--json", a->json, "one JSON object per entry, then {\"next_cursor\"}");
  cmd->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    auto page = or_exit(ctx.db->list_registry_entries({a->bank, a->status}, {a->limit, a->cursor}));
    for (const auto& e : page.items) {
      if (a->json) {
        print_json(compliance::entry_view(e));
        continue;
      }
      print(std::to_string(e.id) + "  " + e.bank + "  " + e.status + "  " + e.severity + "  " +
            to_hex(e.codes.front().code) + "  " + e.label +
            (e.codes.size() > 1 ? "  (+" + std::to_string(e.codes.size() - 1) + " variants)" : "") +
            "\n");
    }
    if (a->json) return print_json({{"next_cursor", page.next_cursor}});
    if (!page.next_cursor.empty()) print("next: --cursor " + page.next_cursor + "\n");
  });
}

void add_status(CLI::App& registry, Globals& globals, const std::string& name,
                const std::string& status, const std::string& help) {
  struct Args {
    std::vector<std::string> ids;
    std::string reason;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = registry.add_subcommand(name, help);
  cmd->add_option("ID", a->ids, "entry ids")->required();
  cmd->add_option("--reason", a->reason, "why, for the log");
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->callback([&globals, a, status] {
    const std::vector<std::int64_t> ids = ids_or_exit(a->ids);
    Context ctx = open_or_exit(globals);
    Registry registry(*ctx.db);
    auto r = or_exit(registry.set_status(ids, status, a->reason));
    if (a->json) return print_json(compliance::status_view(r));
    for (const auto& c : r.changed) {
      print(std::to_string(c.id) + ": " + c.from + " -> " + c.to + "\n");
    }
    if (r.unchanged > 0) print(std::to_string(r.unchanged) + " already " + status + "\n");
    if (r.logged) {
      print(snapshot_text(r.snapshot) + ", log entry " + std::to_string(r.snapshot.log_index) +
            "\n");
    }
  });
}

void add_banks(CLI::App& registry, Globals& globals) {
  struct Args {
    std::string name, source;
    bool disable = false, enable = false, json = false;
  };
  auto a = std::make_shared<Args>();
  auto* bank = registry.add_subcommand(
      "bank",
      "Create a bank or set its source and whether it is screened (logged as "
      "compliance.registry.bank)");
  bank->add_option("NAME", a->name, "bank name: A-Z a-z 0-9 . _ -")->required();
  auto* source = bank->add_option("--source", a->source, "who supplies the bank (unset: kept)");
  auto* off = bank->add_flag("--disable", a->disable, "stop screening against it");
  bank->add_flag("--enable", a->enable, "screen against it (a new bank is)")->excludes(off);
  bank->add_flag("--json", a->json, "print the bank as JSON");
  bank->callback([&globals, a, source] {
    Context ctx = open_or_exit(globals);
    Registry registry(*ctx.db);
    std::optional<bool> enabled;
    if (a->disable || a->enable) enabled = a->enable;
    std::optional<std::string_view> source_set;
    if (source->count() > 0) source_set = a->source;
    auto r = or_exit(registry.put_bank(a->name, source_set, enabled));
    if (a->json) return print_json(compliance::bank_view(r.bank));
    print(r.bank.name + ": " +
          (r.created   ? "created"
           : r.changed ? "updated"
                       : "unchanged") +
          ", " + (r.bank.enabled ? "enabled" : "disabled") +
          (r.changed ? "; " + snapshot_text(r.snapshot) : "") + "\n");
  });
  auto json = std::make_shared<bool>(false);
  auto* banks = registry.add_subcommand("banks", "List the banks");
  banks->add_flag("--json", *json, "one JSON object per bank");
  banks->callback([&globals, json] {
    Context ctx = open_or_exit(globals);
    for (const auto& b : or_exit(ctx.db->registry_banks())) {
      if (*json) {
        print_json(compliance::bank_view(b));
      } else {
        print(b.name + "  " + (b.enabled ? "enabled" : "disabled") + "  " + b.source + "\n");
      }
    }
  });
}

void add_search(CLI::App& registry, Globals& globals) {
  struct Args {
    std::vector<std::string> hashes;
    int radius = 31;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = registry.add_subcommand(
      "search", "Every screened entry with a code within RADIUS bits of HASH (exact)");
  cmd->add_option("HASH", a->hashes, "256-bit PDQ codes, 64 hex digits")->required();
  cmd->add_option("--radius", a->radius, "bits, 0-64 (default 31, PDQ's match threshold)");
  cmd->add_flag("--json", a->json, "one JSON object per HASH");
  cmd->callback([&globals, a] {
    std::vector<compliance::PdqHash> codes;
    for (const auto& h : a->hashes) codes.push_back(or_exit(compliance::parse_pdq_hex(h)));
    Context ctx = open_or_exit(globals);
    Registry registry(*ctx.db);
    auto found = or_exit(registry.search_many(codes, a->radius));
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (a->json) {
        nlohmann::json j = compliance::search_view(found[i]);
        j["hash"] = compliance::to_hex(codes[i]);
        print_json(j);
        continue;
      }
      print(compliance::to_hex(codes[i]) + ": " + std::to_string(found[i].matches.size()) +
            " within " + std::to_string(a->radius) + " bits; " + snapshot_text(found[i].snapshot) +
            "\n");
      for (const auto& m : found[i].matches) {
        print("  " + std::to_string(m.entry_id) + "  " + m.bank + "  distance " +
              std::to_string(m.distance) + " (" + m.kind + ")\n");
      }
    }
  });
}

void add_snapshot(CLI::App& registry, Globals& globals) {
  auto* snapshot = registry.add_subcommand("snapshot", "The registry's current snapshot");
  snapshot->callback([&globals] {
    Context ctx = open_or_exit(globals);
    print_json(compliance::snapshot_view(or_exit(ctx.db->registry_snapshot())));
  });
  auto* verify = registry.add_subcommand(
      "verify",
      "Recompute every entry's leaf and the snapshot from the entries, and compare with the "
      "store's (exit 1 when they differ)");
  verify->callback([&globals] {
    Context ctx = open_or_exit(globals);
    auto check = or_exit(compliance::check_registry_snapshot(*ctx.db));
    if (!check.ok) {
      std::fprintf(stderr, "registry verify: FAILED: %s\n", check.message.c_str());
      exit_with(kExitFailed);
    }
    print("ok: " + std::to_string(check.entries) + " entries, " + snapshot_text(check.recomputed) +
          "\n");
  });
}

}  // namespace

void add_compliance_registry_commands(CLI::App& compliance, Globals& globals) {
  auto* registry = compliance.add_subcommand(
      "registry", "The registry of protected works: banks, entries, exact search");
  registry->require_subcommand(1);
  add_import(*registry, globals);
  add_image(*registry, globals);
  add_list(*registry, globals);
  add_status(*registry, globals, "remove", "removed",
             "Remove entries for good (logged as compliance.registry.status)");
  add_status(*registry, globals, "disable", "disabled",
             "Stop screening against entries, until enabled again");
  add_status(*registry, globals, "enable", "active", "Screen against disabled entries again");
  add_banks(*registry, globals);
  add_search(*registry, globals);
  add_snapshot(*registry, globals);
}

}  // namespace atelier::cli
