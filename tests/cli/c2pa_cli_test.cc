// Content Credentials from the command line (issue 15): `render` writes a signed file that
// atelier and the C2PA reference reader (c2pa-rs) both find Trusted with `c2pa root` as the
// anchor; without the manifest it is the unsigned render byte for byte; `verify` re-renders
// the stripped bytes and checks the manifest apart; the manifest carries the render's log
// entry with a proof that `atelier log verify-proof`-style checking accepts offline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/merkle.h"
#include "tests/cli/cli_support.h"
#include "tests/render/test_util.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using atelier::testing::example_dir;
using atelier::testing::kTokenA;
using atelier::testing::Output;
using atelier::testing::quoted;
using atelier::testing::read_text;
using atelier::testing::source_dir;
using atelier::testing::TempDir;
using nlohmann::json;
using ::testing::HasSubstr;

struct C2paCli : ::testing::Test {
  TempDir tmp;
  fs::path data = tmp / "data";
  // A shell line, outputs captured.
  Output sh(const std::string& line) { return testing::run_shell(line, {}, tmp.path()); }
  Output atelier(const std::vector<std::string>& args) {
    return testing::run_shell(quoted(ATELIER_BIN) + " --data " + quoted(data.string()), args,
                              tmp.path());
  }
  void SetUp() override {
    ASSERT_EQ(atelier({"generator", "add", example_dir("circle-packing").string()}).exit_code, 0);
  }
  // A reader's verdict (tests/js/<script> FILE ARGS…), or null when its npm package is not
  // installed.
  json read_with(const std::string& script, const std::string& package,
                 const std::vector<std::string>& args) {
    if (!fs::exists(source_dir() / "tests/js/node_modules" / package)) return nullptr;
    auto o = testing::run_shell("node " + quoted((source_dir() / "tests/js" / script).string()),
                                args, tmp.path());
    return json::parse(o.out, nullptr, false);
  }
  // The reference reader (c2pa-rs) with `anchors` as its trust list.
  json judge(const fs::path& file, const std::string& mime, const fs::path& anchors) {
    return read_with("c2pa-read.mjs", "@contentauth/c2pa-wasm",
                     {file.string(), mime, anchors.string()});
  }
  // The second reader (c2pa-ts; it has no trust list).
  json second_judge(const fs::path& file, const std::string& mime) {
    return read_with("c2pa-ts-read.mjs", "@trustnxt/c2pa-ts", {file.string(), mime});
  }
};

TEST_F(C2paCli, RenderWritesASignedFileBothReadersTrust) {
  const auto root = tmp / "root.pem";
  auto r = atelier({"c2pa", "root"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_THAT(r.out, HasSubstr("BEGIN CERTIFICATE"));
  std::ofstream(root) << r.out;
  for (const auto& [format, mime] :
       std::vector<std::pair<std::string, std::string>>{{"png", "image/png"},
                                                        {"jpeg", "image/jpeg"},
                                                        {"webp", "image/webp"},
                                                        {"avif", "image/avif"}}) {
    const auto file = tmp / ("signed." + format);
    auto o = atelier({"render", "circle-packing", "--hash", kTokenA, "--size", "200x150",
                      "--format", format, "--json", "-o", file.string()});
    ASSERT_EQ(o.exit_code, 0) << o.out;
    json j = json::parse(o.out);
    const std::string bytes = read_text(file);
    ASSERT_FALSE(j["c2pa"].is_null()) << o.out;
    EXPECT_EQ(j["c2pa"]["signed_sha256"], sha256_hex(bytes));
    EXPECT_NE(j["sha256"], sha256_hex(bytes)) << "the asset hash is of the unsigned bytes";

    auto v = atelier({"c2pa", "verify", file.string(), "--json"});
    EXPECT_EQ(v.exit_code, 0) << v.out;
    json vj = json::parse(v.out);
    EXPECT_EQ(vj["validation_state"], "Trusted") << v.out;
    EXPECT_EQ(vj["digital_source_type"],
              "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia");
    EXPECT_EQ(vj["atelier"]["recipe_id"], j["recipe_id"]);

    json ref = judge(file, mime, root);
    if (!ref.is_null()) {
      EXPECT_EQ(ref["state"], "Trusted") << ref.dump();
      EXPECT_TRUE(ref["failures"].empty()) << ref.dump();
    }
    json second = second_judge(file, mime);
    if (!second.is_null()) {
      EXPECT_EQ(second["valid"], true) << second.dump();
      EXPECT_TRUE(second["failures"].empty()) << second.dump();
    }

    // Without the manifest: exactly the unsigned render (its sha256 is the asset's).
    const auto stripped = tmp / ("stripped." + format);
    ASSERT_EQ(atelier({"c2pa", "strip", file.string(), "-o", stripped.string()}).exit_code, 0);
    EXPECT_EQ(sha256_hex(read_text(stripped)), j["sha256"]);
    const auto plain = tmp / ("plain." + format);
    auto p = atelier({"render", "circle-packing", "--hash", kTokenA, "--size", "200x150",
                      "--format", format, "--no-c2pa", "-o", plain.string()});
    ASSERT_EQ(p.exit_code, 0) << p.out;
    EXPECT_EQ(read_text(plain), read_text(stripped));
    auto none = atelier({"c2pa", "verify", plain.string()});
    EXPECT_EQ(none.exit_code, 2) << none.out;

    // Rendering again gives the same signed file (signed once, then recorded).
    const auto again = tmp / ("again." + format);
    ASSERT_EQ(atelier({"render", "circle-packing", "--hash", kTokenA, "--size", "200x150",
                       "--format", format, "-o", again.string()})
                  .exit_code,
              0);
    EXPECT_EQ(read_text(again), bytes);

    // `verify` re-renders the stripped bytes and checks the manifest.
    auto ver = atelier({"verify", file.string(), "--json"});
    EXPECT_EQ(ver.exit_code, 0) << ver.out;
    json verj = json::parse(ver.out);
    EXPECT_TRUE(verj["identical"].get<bool>());
    EXPECT_EQ(verj["c2pa"]["validation_state"], "Trusted");
    EXPECT_TRUE(verj["c2pa"]["recipe_matches"].get<bool>());

    // `provenance FILE` finds the asset from the signed file and reports the credentials.
    auto prov = atelier({"provenance", file.string(), "--json"});
    EXPECT_EQ(prov.exit_code, 0) << prov.out;
    json pj = json::parse(prov.out, nullptr, false);
    ASSERT_FALSE(pj.is_discarded()) << prov.out;
    EXPECT_EQ(pj["asset"]["sha256"], j["sha256"]);
    EXPECT_EQ(pj["c2pa"]["validation_state"], "Trusted");
  }
}

TEST_F(C2paCli, TheManifestCarriesTheLogEntryWithAProofThatChecksOffline) {
  const auto file = tmp / "r.png";
  auto o = atelier(
      {"render", "circle-packing", "--hash", kTokenA, "--size", "96x96", "-o", file.string()});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  auto v = atelier({"c2pa", "show", file.string(), "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out;
  json j = json::parse(v.out);
  const json& log = j["atelier"]["log"];
  ASSERT_TRUE(log.is_object()) << v.out;
  const std::string entry = log["entry"];
  const std::uint64_t index = log["index"], size = log["tree_size"];
  EXPECT_LT(index, size);
  EXPECT_THAT(entry, HasSubstr(j["atelier"]["recipe_id"].get<std::string>()));
  EXPECT_THAT(log["checkpoint"].get<std::string>(), HasSubstr(log["origin"].get<std::string>()));
  // The proof file `atelier log verify-proof` reads, made from the manifest alone.
  json proof = {{"index", index},          {"entry", entry},
                {"tree_size", size},       {"inclusion_proof", log["inclusion_proof"]},
                {"checkpoint", log["checkpoint"]}};
  const auto proof_file = tmp / "proof.json";
  std::ofstream(proof_file) << proof.dump();
  auto key = atelier({"log", "key"});
  ASSERT_EQ(key.exit_code, 0) << key.out;
  std::string key_text = key.out.substr(0, key.out.find('\n'));
  auto check = testing::run_shell(quoted(ATELIER_BIN) + " log verify-proof",
                                  {proof_file.string(), "--key", key_text}, tmp.path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(C2paCli, ATamperedSignedFileFailsVerify) {
  const auto file = tmp / "r.png";
  ASSERT_EQ(atelier({"render", "circle-packing", "--hash", kTokenA, "--size", "96x96", "-o",
                     file.string()})
                .exit_code,
            0);
  std::string bytes = read_text(file);
  bytes[bytes.size() - 30] ^= 1;  // image data, outside the manifest
  const auto bad = tmp / "bad.png";
  std::ofstream(bad, std::ios::binary) << bytes;
  auto v = atelier({"c2pa", "verify", bad.string(), "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("assertion.dataHash.mismatch"));
  EXPECT_EQ(atelier({"verify", bad.string()}).exit_code, 1);
}

TEST_F(C2paCli, AnOperatorCertificateThatBreaksTheProfileIsRefused) {
  const auto dir = tmp.path().string();
  ASSERT_EQ(sh("cd " + quoted(dir) +
               " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
               "-keyout ca.key -out ca.pem -days 30 -subj '/CN=ca/O=x' "
               "-addext basicConstraints=critical,CA:TRUE")
                .exit_code,
            0);
  auto o = atelier({"--c2pa-cert", dir + "/ca.pem", "--c2pa-key", dir + "/ca.key", "render",
                    "circle-packing", "--hash", kTokenA, "--size", "64x64", "-o", dir + "/x.png"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("c2pa_cert_profile"));
  EXPECT_FALSE(fs::exists(tmp / "x.png"));
}

// GET /v1/assets/{sha256} serves a render's asset signed (by the asset's hash and by the
// signed file's own), and /c2pa is its manifest, Trusted against the server's root.
TEST_F(C2paCli, TheServerServesSignedAssetsAndTheirManifest) {
  if (std::system("curl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  const auto file = tmp / "r.png";
  auto o = atelier({"render", "circle-packing", "--hash", kTokenA, "--size", "80x80", "--no-c2pa",
                    "--json", "-o", file.string()});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const std::string asset = json::parse(o.out)["sha256"];
  testing::ServeProcess server;
  ASSERT_NO_FATAL_FAILURE(server.start(ATELIER_BIN, data, tmp / "serve.log"));
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/assets/";
  const auto got = tmp / "got.png";
  auto get = sh("curl -fsS -D " + quoted((tmp / "h.txt").string()) + " -o " + quoted(got.string()) +
                " " + base + asset);
  EXPECT_EQ(get.exit_code, 0) << get.err;
  const std::string signed_bytes = read_text(got);
  const std::string signed_sha = sha256_hex(signed_bytes);
  EXPECT_NE(signed_sha, asset) << "the asset is served with its manifest";
  EXPECT_THAT(read_text(tmp / "h.txt"),
              HasSubstr("\"" + signed_sha + "\""));  // the ETag: the bytes sent
  auto by_signed =
      sh("curl -fsS -o " + quoted((tmp / "again.png").string()) + " " + base + signed_sha);
  EXPECT_EQ(by_signed.exit_code, 0) << by_signed.err;
  EXPECT_EQ(read_text(tmp / "again.png"), signed_bytes);
  auto manifest = sh("curl -fsS " + base + asset + "/c2pa");
  EXPECT_EQ(manifest.exit_code, 0) << manifest.err;
  json m = json::parse(manifest.out, nullptr, false);
  ASSERT_FALSE(m.is_discarded()) << manifest.out;
  EXPECT_EQ(m["validation_state"], "Trusted") << manifest.out;
  EXPECT_EQ(m["atelier"]["recipe_id"], json::parse(o.out)["recipe_id"]);
  // The CLI and the server agree: the stored signed file is the one served.
  auto verify = atelier({"c2pa", "verify", got.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;

  // A variant is signed as one, naming the file just served as its parent; the CLI (with
  // this data directory's root) and the reference reader find it Trusted.
  const auto variant = tmp / "variant.webp";
  auto v = sh("curl -fsS -o " + quoted(variant.string()) + " '" + base + asset +
              "/variants?width=40&format=webp'");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  auto vv = atelier({"c2pa", "verify", variant.string(), "--json"});
  EXPECT_EQ(vv.exit_code, 0) << vv.out << vv.err;
  json vj = json::parse(vv.out, nullptr, false);
  ASSERT_FALSE(vj.is_discarded()) << vv.out;
  EXPECT_EQ(vj["validation_state"], "Trusted") << vv.out;
  EXPECT_EQ(vj["actions"], json::array({"c2pa.opened", "c2pa.resized", "c2pa.converted"}));
  ASSERT_EQ(vj["ingredients"].size(), 1u) << vv.out;
  EXPECT_EQ(vj["ingredients"][0]["relationship"], "parentOf");
  EXPECT_EQ(vj["ingredients"][0]["sha256"], signed_sha);
  EXPECT_EQ(vj["atelier"]["variant_of"]["asset_sha256"], asset);
  // `verify` re-renders the variant from the recipe its manifest carries: the same bytes.
  auto again = atelier({"verify", variant.string(), "--json"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  json aj = json::parse(again.out, nullptr, false);
  ASSERT_FALSE(aj.is_discarded()) << again.out;
  EXPECT_EQ(aj["identical"], true) << again.out;
  EXPECT_EQ(aj["c2pa"]["validation_state"], "Trusted") << again.out;
  const auto root = tmp / "root.pem";
  std::ofstream(root) << atelier({"c2pa", "root"}).out;
  json ref = judge(variant, "image/webp", root);
  if (!ref.is_null()) {
    EXPECT_EQ(ref["state"], "Trusted") << ref.dump();
    EXPECT_TRUE(ref["failures"].empty()) << ref.dump();
  }
  server.stop();
}

}  // namespace
}  // namespace atelier
