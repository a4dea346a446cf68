// `atelier compliance hash FILE…` — perceptual (PDQ) and exact (SHA-256) fingerprints of images
// (issue 16 §1). Needs no data directory.
//
// Text: one line per file, "<pdq hex> <quality> <file>", then with --dihedral one indented
// line per variant ("  rotate90 <hex>") and with --crops one per region ("  centre_50 <hex>
// <quality>"). --json: one object per line, {"file", "pdq", "quality", "trusted", "sha256",
// "pixels_sha256"}, plus "dihedral" (variant name to hex) and "crops" (region, x, y, width,
// height, pdq, quality) when asked for. A file that fails gives {"file", "error": {"code",
// "message"}} there and "error: …" on stderr; the other files are still hashed.
//
// Exit status: 0 when every file was hashed; otherwise that of the first failure: 2 bad input
// (empty, not an image, corrupt, over a limit, animated), 3 no such file, 5 internal.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "compliance/fingerprint.h"
#include "core/hash.h"
#include "core/limits.h"
#include "store/blob_store.h"

namespace atelier::cli {
namespace {

using compliance::Dihedral;
using compliance::Fingerprint;

struct HashArgs {
  std::vector<std::string> files;
  bool json = false;
  bool dihedral = false;
  bool crops = false;
};

// The file's fingerprint; errors name the file.
Result<Fingerprint> fingerprint_file(const std::string& file, const HashArgs& args) {
  auto bytes = store::read_file(file, limits::kComplianceImageBytesMax);
  if (!bytes) {
    Error e = bytes.error();
    if (e.code == "file_too_large") e.message += " (compliance_image_bytes_max)";
    return fail(e);
  }
  auto f = compliance::fingerprint_image(*bytes, {.dihedral = args.dihedral, .crops = args.crops});
  if (!f) {
    Error e = f.error();
    e.message = file + ": " + e.message;
    return fail(e);
  }
  return f;
}

std::string text_of(const std::string& file, const Fingerprint& f) {
  std::string out =
      compliance::to_hex(f.pdq.hash) + " " + std::to_string(f.pdq.quality) + " " + file + "\n";
  if (f.dihedral) {
    for (int d = 1; d < compliance::kDihedralCount; ++d) {
      out += std::string("  ") + compliance::dihedral_name(static_cast<Dihedral>(d)) + " " +
             compliance::to_hex(f.dihedral->hashes[d]) + "\n";
    }
  }
  for (const compliance::RegionHash& r : f.regions) {
    out += std::string("  ") + compliance::region_name(r.region) + " " +
           compliance::to_hex(r.pdq.hash) + " " + std::to_string(r.pdq.quality) + "\n";
  }
  return out;
}

nlohmann::ordered_json json_of(const std::string& file, const Fingerprint& f) {
  nlohmann::ordered_json j;
  j["file"] = file;
  j["pdq"] = compliance::to_hex(f.pdq.hash);
  j["quality"] = f.pdq.quality;
  j["trusted"] = f.trusted();
  j["sha256"] = to_hex(f.file_sha256);
  j["pixels_sha256"] = to_hex(f.pixels_sha256);
  if (f.dihedral) {
    nlohmann::ordered_json variants = nlohmann::ordered_json::object();
    for (int d = 0; d < compliance::kDihedralCount; ++d) {
      variants[compliance::dihedral_name(static_cast<Dihedral>(d))] =
          compliance::to_hex(f.dihedral->hashes[d]);
    }
    j["dihedral"] = variants;
  }
  if (!f.regions.empty()) {
    nlohmann::ordered_json crops = nlohmann::ordered_json::array();
    for (const compliance::RegionHash& r : f.regions) {
      crops.push_back({{"region", compliance::region_name(r.region)},
                       {"x", r.rect.x},
                       {"y", r.rect.y},
                       {"width", r.rect.width},
                       {"height", r.rect.height},
                       {"pdq", compliance::to_hex(r.pdq.hash)},
                       {"quality", r.pdq.quality}});
    }
    j["crops"] = crops;
  }
  return j;
}

void run_hash(const HashArgs& args) {
  int status = kExitOk;
  for (const std::string& file : args.files) {
    Result<Fingerprint> f = fingerprint_file(file, args);
    if (!f) {
      const int code = report(f.error());
      if (status == kExitOk) status = code;
      if (args.json) {
        nlohmann::ordered_json j;
        j["file"] = file;
        j["error"] = {{"code", f.error().code}, {"message", f.error().message}};
        print(j.dump() + "\n");
      }
      std::fflush(stdout);
      continue;
    }
    print(args.json ? json_of(file, *f).dump() + "\n" : text_of(file, *f));
    std::fflush(stdout);
  }
  if (status != kExitOk) exit_with(status);
}

}  // namespace

void add_compliance_commands(CLI::App& app, Globals& globals) {
  auto* compliance = app.add_subcommand("compliance", "Compliance checks before minting");
  compliance->require_subcommand(1);
  auto args = std::make_shared<HashArgs>();
  auto* hash = compliance->add_subcommand(
      "hash",
      "PDQ perceptual hash (64 hex digits, Meta's reference word order) and quality (0-100; "
      "below 50 not trusted) of each image, with SHA-256 of the file and of its decoded "
      "pixels in --json. PNG, JPEG, WebP, AVIF; still images only.\n"
      "Exit status: 0 all hashed, else the first failure's: 2 bad input (empty, not an "
      "image, corrupt, over a limit, animated), 3 no such file, 5 internal.");
  hash->add_option("files", args->files, "image files")->required();
  hash->add_flag("--json", args->json, "one JSON object per line");
  hash->add_flag("--dihedral", args->dihedral,
                 "add the eight dihedral variants (rotations and flips)");
  hash->add_flag("--crops", args->crops, "add the centre crops and the four quadrants");
  hash->callback([args] { run_hash(*args); });
  add_compliance_review_commands(*compliance, globals);
  add_compliance_registry_commands(*compliance, globals);
  add_compliance_terms_commands(*compliance, globals);
}

}  // namespace atelier::cli
