// `atelier c2pa init|root|show|verify|strip` — Content Credentials (issue 15 §5).
//
// verify exits 0 when the manifest is valid (trusted or not), 1 when it is invalid, 2 when the
// file has none. Trust anchors: --trust PEM, else this data directory's root.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "c2pa/container.h"
#include "c2pa/credentials.h"
#include "c2pa/manifest.h"
#include "cli/cli.h"
#include "core/limits.h"

namespace atelier::cli {
namespace {

std::filesystem::path keys_dir(const Globals& g) {
  return std::filesystem::path(g.data_dir) / "keys";
}

std::vector<std::uint8_t> read_asset(const std::string& file) {
  auto bytes = store::read_file(file, limits::kAssetFileBytesMax);
  if (!bytes) exit_with(bytes.error());
  return std::move(*bytes);
}

std::string mime_of(const std::vector<std::uint8_t>& bytes, const std::string& file) {
  const auto mime = c2pa::sniff_mime(bytes);
  if (mime.empty()) {
    exit_with(Error::invalid("c2pa_format_unsupported",
                             file + " is not a PNG, JPEG, WebP or AVIF file", "file"));
  }
  return std::string(mime);
}

// Trust anchors: the PEM file given, else this data directory's root (none if it has none).
std::vector<c2pa::Bytes> anchors(const Globals& g, const std::string& trust) {
  if (!trust.empty()) {
    auto pem = store::read_file(trust, 1 << 20);
    if (!pem) exit_with(pem.error());
    auto certs = c2pa::certificates_from_pem(std::string(pem->begin(), pem->end()));
    if (!certs) exit_with(certs.error());
    return *certs;
  }
  return c2pa::local_trust_anchors(keys_dir(g));
}

c2pa::Validation validate(const Globals& g, const std::string& file, const std::string& trust) {
  const auto bytes = read_asset(file);
  auto v = c2pa::validate_asset(bytes, mime_of(bytes, file), anchors(g, trust),
                                std::chrono::system_clock::now());
  if (!v) exit_with(v.error());
  return std::move(*v);
}

void print_summary(const c2pa::Validation& v) {
  std::printf("manifest   %s\n", v.label.c_str());
  std::printf("state      %s\n", v.state.c_str());
  std::printf("generator  %s\n", v.claim_generator.c_str());
  if (!v.title.empty()) std::printf("title      %s\n", v.title.c_str());
  for (const auto& a : v.actions) std::printf("action     %s\n", a.c_str());
  std::printf("source     %s\n", v.digital_source_type.c_str());
  if (v.signer) {
    std::printf("signer     %s (until %s)\n", v.signer->subject.c_str(),
                v.signer->not_after.c_str());
    std::printf("issuer     %s\n", v.signer->issuer.c_str());
  }
  if (!v.time_stamp) {
    std::printf("time-stamp none\n");
  } else {
    const auto& t = *v.time_stamp;
    std::printf("time-stamp %s by %s (%s)\n", t.time.c_str(), t.tsa.c_str(),
                t.trusted     ? "trusted: the signer is judged at this time"
                : t.validated ? "validated, not trusted: the signer is judged now"
                              : "not valid: the signer is judged now");
  }
  for (const auto& in : v.ingredients) {
    std::printf("ingredient %s %s %s sha256:%s\n", in.relationship.c_str(), in.title.c_str(),
                in.format.c_str(), to_hex(in.sha256).c_str());
  }
  if (v.atelier) {
    if (const auto* id = v.atelier->find("recipe_id"); id && id->is_text()) {
      std::printf("recipe_id  %s\n", id->text().c_str());
    }
    if (const auto* log = v.atelier->find("log"); log && log->is_map()) {
      const auto* origin = log->find("origin");
      const auto* index = log->find("index");
      if (origin && index && origin->is_text() && index->is_unsigned()) {
        std::printf("log entry  %s #%llu\n", origin->text().c_str(),
                    static_cast<unsigned long long>(index->number()));
      }
    }
  }
  for (const auto& e : v.explanations) std::printf("failure    %s\n", e.c_str());
  for (const auto& e : v.informational_explanations) std::printf("note       %s\n", e.c_str());
}

}  // namespace

void add_c2pa_commands(CLI::App& app, Globals& globals) {
  auto* c2pa = app.add_subcommand(
      "c2pa", "Content Credentials: the signing CA, and reading, checking and removing manifests");
  c2pa->require_subcommand(1);

  auto org = std::make_shared<std::string>("atelier");
  auto* init = c2pa->add_subcommand(
      "init", "Create the local root CA and claim-signing certificate in keys/ (if absent)");
  init->add_option("--organization", *org, "Organization (O) in the certificates' subjects")
      ->capture_default_str();
  init->callback([&globals, org] {
    c2pa::LocalCaOptions options;
    options.organization = *org;
    if (auto r = c2pa::create_local_ca(keys_dir(globals), options); !r) exit_with(r.error());
    std::printf("root    %s\nsigner  %s\n", (keys_dir(globals) / c2pa::kRootCertFile).c_str(),
                (keys_dir(globals) / c2pa::kSignerCertFile).c_str());
  });

  c2pa->add_subcommand("root", "Print the root certificate (PEM): the trust anchor a verifier adds")
      ->callback([&globals] {
        if (auto r = c2pa::create_local_ca(keys_dir(globals), {}); !r) exit_with(r.error());
        auto pem = c2pa::read_root_pem(keys_dir(globals));
        if (!pem) exit_with(pem.error());
        print(*pem);
      });

  struct ReadArgs {
    std::string file;
    std::string trust;
    bool json = false;
  };
  auto show_args = std::make_shared<ReadArgs>();
  auto* show = c2pa->add_subcommand(
      "show",
      "Show the manifest in FILE: generator, actions, source type, signer, time-stamp, atelier "
      "assertion");
  show->add_option("FILE", show_args->file, "a PNG or JPEG")->required();
  show->add_option("--trust", show_args->trust,
                   "trust anchors (PEM: the signer's root, a time-stamp authority's root); "
                   "default: this data directory's root");
  show->add_flag("--json", show_args->json, "print JSON");
  show->callback([&globals, show_args] {
    const auto v = validate(globals, show_args->file, show_args->trust);
    if (!v.manifest_present) {
      std::fprintf(stderr, "%s has no C2PA manifest\n", show_args->file.c_str());
      exit_with(kExitInput);
    }
    if (show_args->json) {
      std::printf("%s\n", c2pa::validation_json(v).c_str());
    } else {
      print_summary(v);
    }
  });

  auto verify_args = std::make_shared<ReadArgs>();
  auto* verify = c2pa->add_subcommand("verify",
                                      "Validate FILE's manifest (binding, signature, chain): exit "
                                      "0 valid, 1 invalid, 2 no manifest");
  verify->add_option("FILE", verify_args->file, "a PNG or JPEG")->required();
  verify->add_option("--trust", verify_args->trust,
                     "trust anchors (PEM: the signer's root, a time-stamp authority's root); "
                     "default: this data directory's root");
  verify->add_flag("--json", verify_args->json, "print JSON");
  verify->callback([&globals, verify_args] {
    const auto v = validate(globals, verify_args->file, verify_args->trust);
    if (verify_args->json) {
      std::printf("%s\n", c2pa::validation_json(v).c_str());
    } else if (!v.manifest_present) {
      std::printf("no manifest: %s has no Content Credentials\n", verify_args->file.c_str());
    } else {
      std::printf("%s: %s\n", v.state.c_str(), verify_args->file.c_str());
      for (const auto& e : v.explanations) std::printf("  %s\n", e.c_str());
      for (const auto& e : v.informational_explanations) std::printf("  (note) %s\n", e.c_str());
    }
    if (!v.manifest_present) exit_with(kExitInput);
    if (v.state == "Invalid") exit_with(kExitFailed);
  });

  auto strip_in = std::make_shared<std::string>();
  auto strip_out = std::make_shared<std::string>();
  auto* strip = c2pa->add_subcommand(
      "strip", "Write FILE without its manifest (the bytes the recipe renders)");
  strip->add_option("FILE", *strip_in, "a PNG or JPEG")->required();
  strip->add_option("-o,--output", *strip_out, "where to write")->required();
  strip->callback([strip_in, strip_out] {
    const auto bytes = read_asset(*strip_in);
    auto stripped = c2pa::strip_manifest(mime_of(bytes, *strip_in), bytes);
    if (!stripped) exit_with(stripped.error());
    if (auto w = store::write_file_atomic(*strip_out, *stripped); !w) exit_with(w.error());
  });
}

}  // namespace atelier::cli
