// `atelier compliance registry …` as a child process on a fresh data directory: import a CSV,
// list, search (exact at the radius), remove, disable a bank, verify the snapshot; a bad file
// is exit code 2 naming its line and field, and changes nothing. add-image hashes an image
// with its variants and crops, and refuses a flat one.
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

using nlohmann::json;
using ::testing::HasSubstr;
using testing::Output;
using testing::quoted;

const std::string kA = "f0f0f0f0f0f0f0f0a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c";
const std::string kB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// kA with its first `digits` hex digits flipped between f and 0: 4 bits each.
std::string near_a(int digits) {
  std::string s = kA;
  for (int i = 0; i < digits; ++i) s[i] = s[i] == 'f' ? '0' : 'f';
  return s;
}

class ComplianceRegistryCli : public ::testing::Test {
 protected:
  Output registry(const std::vector<std::string>& args) {
    return testing::run_shell(quoted(ATELIER_BIN) + " --data " + quoted((tmp_ / "data").string()) +
                                  " compliance registry",
                              args, tmp_.path());
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = tmp_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  testing::TempDir tmp_;
};

TEST_F(ComplianceRegistryCli, ImportListSearchRemoveVerify) {
  const std::string file =
      write("works.csv", "hash,label,source,severity,uri\n" + kA +
                             ",Sunflowers,museum,high,https://example.com/s.png\n" + kB +
                             ",\"Irises, blue\",museum,low,\n");
  auto r = registry({"import", file, "--bank", "museum", "--bank-source", "City Museum"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("museum: 2 added (ids 1-2), 0 already there; snapshot "));
  r = registry({"import", file, "--bank", "museum", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["duplicates"], 2);
  EXPECT_EQ(json::parse(r.out)["logged"], false);

  r = registry({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1  museum  active  high  " + kA + "  Sunflowers\n"));
  EXPECT_THAT(r.out, HasSubstr("2  museum  active  low  " + kB + "  Irises, blue\n"));

  // kA with 7 hex digits changed is 28 bits away (f <-> 0 flips 4 bits); 8 digits is 32.
  r = registry({"search", near_a(7), near_a(8), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> lines;
  for (std::size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(json::parse(r.out.substr(at, nl - at)));
  }
  ASSERT_EQ(lines.size(), 2u);
  ASSERT_EQ(lines[0]["matches"].size(), 1u);
  EXPECT_EQ(lines[0]["matches"][0]["distance"], 28);
  EXPECT_TRUE(lines[1]["matches"].empty());
  EXPECT_EQ(lines[0]["snapshot"]["count"], 2);
  r = registry({"search", near_a(8), "--radius", "32"});
  EXPECT_THAT(r.out, HasSubstr("  1  museum  distance 32 (pdq)\n"));

  r = registry({"remove", "1", "--reason", "licensed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1: active -> removed\n"));
  r = registry({"search", kA});
  EXPECT_THAT(r.out, HasSubstr(": 0 within 31 bits; snapshot "));
  EXPECT_THAT(r.out, HasSubstr(" of 1 entries"));
  r = registry({"enable", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("registry_entry_removed"));
  r = registry({"remove", "7"});
  EXPECT_EQ(r.exit_code, 3);

  r = registry({"bank", "museum", "--disable"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("museum: updated, disabled; snapshot "));
  r = registry({"snapshot"});
  EXPECT_EQ(json::parse(r.out)["count"], 0);
  r = registry({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: 2 entries, snapshot "));
  r = registry({"banks"});
  EXPECT_EQ(r.out, "museum  disabled  City Museum\n");
}

TEST_F(ComplianceRegistryCli, ABadFileIsRefusedWholeNamingItsLine) {
  const std::string file = write("bad.tsv", "hash\tlabel\tsource\tseverity\n" + kA +
                                                "\tok\tme\thigh\n" + kB + "\tbad\tme\tsevere\n");
  auto r = registry({"import", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("line 3, field \"severity\""));
  EXPECT_THAT(r.err, HasSubstr("(field: line[3].severity)"));
  r = registry({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  r = registry({"search", "xyz"});
  EXPECT_EQ(r.exit_code, 2);
  r = registry({"search", kA, "--radius", "65"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("invalid_radius"));
  r = registry({"import", (tmp_ / "missing.csv").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(ComplianceRegistryCli, AddImageHashesItWithItsVariantsAndRefusesAFlatOne) {
  const auto data = testing::source_dir() / "tests/compliance/data";
  auto hashed = testing::run_shell(quoted(ATELIER_BIN) + " compliance hash --json",
                                   {(data / "art-512.png").string()}, tmp_.path());
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  const std::string pdq = json::parse(hashed.out)["pdq"];

  auto r = registry({"add-image", (data / "art-512.png").string(), "--label", "Art 512",
                     "--bank", "studio", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["added"], 1);
  r = registry({"list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json entry = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(entry["pdq"], pdq);
  EXPECT_EQ(entry["bank"], "studio");
  EXPECT_EQ(entry["severity"], "high");
  for (const char* kind : {"rotate90", "rotate180", "rotate270", "flip_x", "flip_y",
                           "flip_plus1", "flip_minus1"}) {
    EXPECT_TRUE(entry["variants"].contains(kind)) << kind;
  }
  EXPECT_GT(entry["variants"].size(), 7u);  // and crops
  EXPECT_EQ(entry["sha256_file"].get<std::string>().size(), 64u);
  r = registry({"search", pdq, "--radius", "0"});
  EXPECT_THAT(r.out, HasSubstr("  1  studio  distance 0 (pdq)\n"));
  r = registry({"search", entry["variants"]["rotate90"].get<std::string>(), "--radius", "0"});
  EXPECT_THAT(r.out, HasSubstr("  1  studio  distance 0 (rotate90)\n"));

  r = registry({"add-image", (data / "flat-96.png").string(), "--label", "Flat"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("low_quality_image"));
  EXPECT_THAT(r.err, HasSubstr("below 50"));
  r = registry({"add-image", write("not.png", "hello"), "--label", "Not"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unsupported_image"));
  r = registry({"add-image", (data / "art-64.png").string()});  // --label is required
  EXPECT_EQ(r.exit_code, 2);
  r = registry({"list"});
  EXPECT_EQ(r.out.find("Flat"), std::string::npos);
}

}  // namespace
}  // namespace atelier
