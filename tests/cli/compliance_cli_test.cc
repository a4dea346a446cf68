// `atelier compliance hash` as a child process (issue 16 §1): the reference's hashes in text
// and JSON, the dihedral variants and crops, and errors that name the file with their exit
// status, the other files still hashed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/hash.h"
#include "tests/compliance/reference_data.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::pdq_data_dir;
using testing::read_reference;

struct Output {
  int exit_code = -1;
  std::string out;  // stdout only
  std::string err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Output atelier(const std::vector<std::string>& args) {
  const fs::path err_file =
      fs::temp_directory_path() / ("compliance-cli-" + std::to_string(::getpid()) + ".err");
  std::string cmd = quote(ATELIER_BIN) + " compliance hash";
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>" + quote(err_file.string());
  Output o;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) o.out.append(buf.data(), n);
  const int status = pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  o.err.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(err_file);
  return o;
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

std::string data(const std::string& file) { return (pdq_data_dir() / file).string(); }

TEST(ComplianceCli, TextGivesTheReferenceHashes) {
  const auto reference = read_reference("reference-pdq.txt");
  std::vector<std::string> files;
  for (const auto& line : reference) files.push_back(data(line.file));
  const Output o = atelier(files);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::istringstream in(o.out);
  for (const auto& line : reference) {
    std::string got;
    std::getline(in, got);
    EXPECT_EQ(got, line.hex + " " + std::to_string(line.quality) + " " + data(line.file));
  }
}

TEST(ComplianceCli, JsonOneObjectPerFile) {
  const Output o = atelier({data("art-512.png"), data("flat-96.png"), "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = json_lines(o.out);
  ASSERT_EQ(lines.size(), 2u);
  const auto reference = read_reference("reference-pdq.txt");
  for (const json& j : lines) {
    const std::string file = fs::path(j.at("file").get<std::string>()).filename();
    for (const auto& line : reference) {
      if (line.file != file) continue;
      EXPECT_EQ(j.at("pdq"), line.hex);
      EXPECT_EQ(j.at("quality"), line.quality);
      EXPECT_EQ(j.at("trusted"), line.quality >= 50);
    }
    EXPECT_EQ(j.at("sha256"), sha256_hex(testing::read_bytes(j.at("file").get<std::string>())));
    EXPECT_EQ(j.at("pixels_sha256").get<std::string>().size(), 64u);
    EXPECT_FALSE(j.contains("dihedral"));
  }
  EXPECT_EQ(o.out.substr(0, 9), "{\"file\":\"");
}

TEST(ComplianceCli, DihedralAndCrops) {
  const Output o = atelier({data("art-300x200.png"), "--json", "--dihedral", "--crops"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = json_lines(o.out);
  ASSERT_EQ(lines.size(), 1u);
  const json& dihedral = lines[0].at("dihedral");
  const char* names[] = {"original", "rotate90", "rotate180",  "rotate270",
                         "flip_x",   "flip_y",   "flip_plus1", "flip_minus1"};
  std::vector<testing::ReferenceLine> expected;
  for (const auto& line : read_reference("reference-pdqdih.txt")) {
    if (line.file == "art-300x200.png") expected.push_back(line);
  }
  ASSERT_EQ(expected.size(), 8u);
  for (int d = 0; d < 8; ++d) EXPECT_EQ(dihedral.at(names[d]), expected[d].hex) << names[d];
  const json& crops = lines[0].at("crops");
  ASSERT_EQ(crops.size(), 6u);
  for (const auto& line : read_reference("reference-crops.txt")) {
    if (line.file.rfind("art-300x200.png.", 0) != 0) continue;
    bool found = false;
    for (const json& c : crops) {
      if (line.file == "art-300x200.png." + c.at("region").get<std::string>() + ".png") {
        EXPECT_EQ(c.at("pdq"), line.hex);
        found = true;
      }
    }
    EXPECT_TRUE(found) << line.file;
  }
  // Text: the hash line, seven variants, six crops.
  const Output text = atelier({data("art-300x200.png"), "--dihedral", "--crops"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 1 + 7 + 6);
  EXPECT_NE(text.out.find("  rotate90 " + expected[1].hex + "\n"), std::string::npos) << text.out;
}

TEST(ComplianceCli, ErrorsNameTheFileAndTheOthersAreHashed) {
  const fs::path dir = fs::temp_directory_path() / ("compliance-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path empty = dir / "empty.png", text = dir / "notes.txt", missing = dir / "gone.png";
  std::ofstream(empty).flush();
  std::ofstream(text) << "not an image";
  const Output o = atelier({empty.string(), data("art-64.png"), text.string(), "--json"});
  EXPECT_EQ(o.exit_code, 2);
  const auto lines = json_lines(o.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("error").at("code"), "empty_image");
  EXPECT_EQ(lines[1].at("pdq").get<std::string>().size(), 64u);
  EXPECT_EQ(lines[2].at("error").at("code"), "unsupported_image");
  EXPECT_NE(o.err.find("empty_image: " + empty.string()), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(text.string()), std::string::npos) << o.err;

  const Output gone = atelier({missing.string()});
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_NE(gone.err.find(missing.string()), std::string::npos) << gone.err;
  EXPECT_TRUE(gone.out.empty());
  fs::remove_all(dir);
}

TEST(ComplianceCli, NoFilesIsAUsageError) {
  const Output o = atelier({});
  EXPECT_EQ(o.exit_code, 2);
}

}  // namespace
}  // namespace atelier
