// `atelier check` and `atelier compliance terms …` as a child process with a temporary --data
// directory: the decision and its exit code (0 allow, 1 block, 6 review), the evidence in
// --json, the registry (exact PDQ and a rotated registration), term lists, near-duplicates of a
// collection's earlier tokens, and bad input that changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_support.h"
#include "tests/store/test_dir.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;
using testing::Output;
using testing::quoted;

constexpr const char* kHashA = "0x8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52";
constexpr const char* kHashB = "0x11223344556677889900aabbccddeeff00112233445566778899aabbccddeeff";

std::string describe(const Output& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout: " + o.out + "\nstderr: " + o.err;
}

class CheckCli : public ::testing::Test {
 protected:
  Output run(const std::vector<std::string>& args) {
    return testing::run_shell(quoted(ATELIER_BIN) + " --data " + quoted((tmp_ / "data").string()),
                              args, tmp_.path());
  }
  std::string ok(const std::vector<std::string>& args) {
    Output o = run(args);
    EXPECT_EQ(o.exit_code, 0) << describe(o);
    return o.out;
  }
  // A check's JSON, with the exit code it must have.
  json check(const std::vector<std::string>& args, int exit_code) {
    std::vector<std::string> full{"check"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back("--json");
    Output o = run(full);
    EXPECT_EQ(o.exit_code, exit_code) << describe(o);
    auto j = json::parse(o.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << describe(o);
    return j;
  }
  std::string render(const char* hash, const std::string& size, const std::string& name,
                     const std::string& format = "png") {
    auto r = json::parse(ok({"render", "circle-packing", "--hash", hash, "--size", size, "--format",
                             format, "-o", (tmp_ / name).string(), "--json"}));
    return r["sha256"];
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(tmp_ / name, std::ios::binary) << text;
    return (tmp_ / name).string();
  }
  // The file's PDQ hash, and with `variant`, that dihedral variant's.
  std::string pdq(const std::string& file, const std::string& variant = "") {
    auto j = json::parse(ok({"compliance", "hash", file, "--json", "--dihedral"}));
    if (variant.empty()) return j["pdq"];
    return j["dihedral"][variant];
  }

  void SetUp() override {
    fs::path generator =
        fs::path(ATELIER_SOURCE_DIR_DEFAULT) / "examples" / "generators" / "circle-packing";
    ok({"generator", "add", generator.string()});
    asset_a_ = render(kHashA, "256x256", "a.png");
    ok({"ledger", "account", "create", "--kind", "creator", "--id", "vera"});
    ok({"ledger", "collection", "create", "--id", "flows", "--name", "Flows", "--creator", "vera"});
  }

  testing::TempDir tmp_;
  std::string asset_a_;
};

TEST_F(CheckCli, AnImageNothingMatchesIsAllowedAndTheDecisionIsLogged) {
  json j = check({(tmp_ / "a.png").string()}, 0);
  EXPECT_EQ(j["decision"], "allow") << j.dump();
  EXPECT_TRUE(j["matches"].empty()) << j.dump();
  EXPECT_EQ(j["asset"], asset_a_) << "the signed file names its asset";
  EXPECT_EQ(j["registry"]["entries"], 0);
  EXPECT_EQ(j["registry"]["root"].get<std::string>().size(), 64u);
  EXPECT_GE(j["quality"].get<int>(), 50);
  EXPECT_EQ(j["policy"]["version"], 0);
  // The same asset by its SHA-256, and a text-free plain report.
  Output plain = run({"check", asset_a_});
  EXPECT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_THAT(plain.out, HasSubstr("allow\n"));
  EXPECT_THAT(plain.out, HasSubstr("registry "));
  EXPECT_THAT(ok({"log", "show", std::to_string(j["log_index"].get<std::uint64_t>())}),
              HasSubstr("compliance.decision"));
}

TEST_F(CheckCli, ARegisteredWorkBlocksItsCopyAndItsRotation) {
  const std::string a = (tmp_ / "a.png").string();
  // Register the work as it is: the copy is blocked at distance 0.
  ok({"compliance", "registry", "import",
      write("reg.csv", "hash,label,source,severity\n" + pdq(a) + ",Work A,City Museum,high\n"),
      "--bank", "museum"});
  json j = check({a}, 1);
  EXPECT_EQ(j["decision"], "block") << j.dump();
  ASSERT_FALSE(j["matches"].empty()) << j.dump();
  EXPECT_EQ(j["matches"][0]["signal"], "pdq");
  EXPECT_EQ(j["matches"][0]["distance"], 0);
  EXPECT_EQ(j["matches"][0]["action"], "block");
  EXPECT_EQ(j["registry"]["entries"], 1);

  // Registered as its 90° rotation, in another bank, with the first entry removed: the
  // candidate's rotated form finds it.
  ok({"compliance", "registry", "remove", "1"});
  ok({"compliance", "registry", "import",
      write("rot.csv",
            "hash,label,source,severity\n" + pdq(a, "rotate90") + ",Work A turned,Archive,high\n"),
      "--bank", "archive"});
  j = check({a}, 1);
  ASSERT_FALSE(j["matches"].empty()) << j.dump();
  EXPECT_EQ(j["matches"][0]["distance"], 0) << j.dump();
  EXPECT_NE(j["matches"][0]["query_variant"], "original") << j.dump();
  EXPECT_EQ(j["matches"][0]["bank"], "archive") << j.dump();

  // An unrelated render passes.
  render(kHashB, "256x256", "b.png");
  j = check({(tmp_ / "b.png").string()}, 0);
  EXPECT_EQ(j["decision"], "allow") << j.dump();
}

TEST_F(CheckCli, TextsAreScreenedAgainstImportedTermListsThroughEvasions) {
  Output none = run({"check", "--text", "p4yp4l gift card"});
  EXPECT_EQ(none.exit_code, 0) << describe(none) << " (no lists yet)";

  EXPECT_THAT(
      ok({"compliance", "terms", "import", write("brands.txt", "# brands\nPayPal\nNike\n"),
          "--list", "brands", "--severity", "review", "--source", "test", "--licence", "CC0-1.0"}),
      HasSubstr("brands: 2 terms (text, sha256 "));
  auto lists = json::parse(ok({"compliance", "terms", "list", "--json"}));
  EXPECT_EQ(lists["list"], "brands");
  EXPECT_EQ(lists["terms"], 2);

  json j = check({"--text", "a p4yp4l gift card"}, 6);
  EXPECT_EQ(j["decision"], "review") << j.dump();
  ASSERT_EQ(j["matches"].size(), 1u) << j.dump();
  EXPECT_EQ(j["matches"][0]["signal"], "text");
  EXPECT_EQ(j["matches"][0]["term"], "PayPal");
  EXPECT_EQ(j["review"], "pending");
  EXPECT_EQ(j["term_lists"][0]["name"], "brands");
  EXPECT_THAT(ok({"compliance", "review", "list"}), HasSubstr(j["id"].get<std::string>()));

  // A CSV list whose terms name their severity blocks.
  ok({"compliance", "terms", "import", write("banned.csv", "term,severity\nDisney,block\n"),
      "--list", "banned"});
  j = check({"--text", "ĐISNEY princess", "--text", "plain words"}, 1);
  EXPECT_EQ(j["decision"], "block") << j.dump();
  EXPECT_EQ(j["texts"].size(), 2u);
  // A text before the image: each --text takes one value, the file stays the subject.
  j = check({"--text", "plain words", (tmp_ / "a.png").string()}, 0);
  int given = 0;
  for (const auto& t : j["texts"]) given += t["field"].get<std::string>().starts_with("text[");
  EXPECT_EQ(given, 1) << j.dump();
  EXPECT_EQ(j["texts"][0]["field"], "text[0]") << j.dump();
  EXPECT_EQ(j["asset"], asset_a_) << j.dump();

  // A rendered asset brings its generator's name and its traits: a term naming the palette
  // of render A (traits.Palette) is found without any --text.
  const auto shown = json::parse(ok({"render", "circle-packing", "--hash", kHashA, "--size",
                                     "256x256", "-o", (tmp_ / "again.png").string(), "--json"}));
  const std::string palette = shown["traits"]["Palette"];
  ok({"compliance", "terms", "import", write("palettes.txt", palette + "\n"), "--list",
      "palettes"});
  j = check({asset_a_}, 1);
  bool found = false;
  for (const auto& m : j["matches"]) found |= m.value("field", "") == "traits.Palette";
  EXPECT_TRUE(found) << j.dump();
  ok({"compliance", "terms", "remove", "palettes"});

  EXPECT_THAT(ok({"compliance", "terms", "remove", "banned"}), HasSubstr("banned: removed"));
  check({"--text", "ĐISNEY princess"}, 0);
}

TEST_F(CheckCli, ANearDuplicateOfAnEarlierTokenGoesToReview) {
  ok({"ledger", "mint", "flows", asset_a_, "--to", "vera"});
  // The same work as a JPEG looks the same (its PDQ hash is within the default's 10 bits).
  render(kHashA, "256x256", "a.jpg", "jpeg");
  json j = check({(tmp_ / "a.jpg").string(), "--collection", "flows"}, 6);
  EXPECT_EQ(j["decision"], "review") << j.dump();
  ASSERT_FALSE(j["matches"].empty()) << j.dump();
  EXPECT_EQ(j["matches"][0]["signal"], "near_duplicate") << j.dump();
  EXPECT_EQ(j["matches"][0]["asset"], asset_a_) << j.dump();
  // Another work does not; nor does the token's own asset count against itself.
  render(kHashB, "256x256", "b.png");
  check({(tmp_ / "b.png").string(), "--collection", "flows"}, 0);
  check({asset_a_, "--collection", "flows"}, 0);
}

TEST_F(CheckCli, BadInputIsRefusedAndRecordsNothing) {
  const std::string before = ok({"log", "checkpoint"});
  Output o = run({"check"});
  EXPECT_EQ(o.exit_code, 2) << describe(o);
  EXPECT_THAT(o.err, HasSubstr("check_empty"));
  o = run({"check", (tmp_ / "missing.png").string()});
  EXPECT_EQ(o.exit_code, 3) << describe(o);
  o = run({"check", write("not.png", "not an image")});
  EXPECT_EQ(o.exit_code, 2) << describe(o);
  EXPECT_THAT(o.err, HasSubstr("unsupported_image"));
  o = run({"check", "--collection", "nope", "--text", "hello"});
  EXPECT_EQ(o.exit_code, 3) << describe(o);
  EXPECT_THAT(o.err, HasSubstr("unknown_collection"));
  o = run({"compliance", "terms", "import", write("bad.csv", "term,severity\nAcme,maybe\n"),
           "--list", "x"});
  EXPECT_EQ(o.exit_code, 2) << describe(o);
  EXPECT_THAT(o.err, HasSubstr("line"));
  o = run({"compliance", "terms", "remove", "nope"});
  EXPECT_EQ(o.exit_code, 3) << describe(o);
  EXPECT_EQ(ok({"log", "checkpoint"}), before);
  EXPECT_EQ(ok({"compliance", "terms", "list"}), "");
}

}  // namespace
}  // namespace atelier
