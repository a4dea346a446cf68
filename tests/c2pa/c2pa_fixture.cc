#include "c2pa_fixture.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "render/codec.h"

namespace atelier::c2pa::testing {

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("ATELIER_SOURCE_DIR"); env && *env) return env;
  return ATELIER_SOURCE_DIR_DEFAULT;
}

Bytes make_image(const std::string& format, int width, int height) {
  render::Image image;
  image.width = width;
  image.height = height;
  image.rgba.resize(static_cast<std::size_t>(width) * height * 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      auto* p = &image.rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      p[0] = static_cast<std::uint8_t>(x * 255 / std::max(1, width - 1));
      p[1] = static_cast<std::uint8_t>(y * 255 / std::max(1, height - 1));
      p[2] = static_cast<std::uint8_t>((x ^ y) & 0xff);
      p[3] = 255;
    }
  }
  render::EncodeOptions options;
  options.format = *render::parse_image_format(format);
  auto bytes = render::encode_image(image, options, R"({"test":"c2pa"})");
  EXPECT_TRUE(bytes) << bytes.error().to_string();
  return bytes ? *bytes : Bytes{};
}

void C2paTest::SetUp() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("atelier-c2pa-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  ASSERT_TRUE(create_local_ca(dir_ / "keys", {}));
  auto root = read_root_pem(dir_ / "keys");
  ASSERT_TRUE(root);
  auto ders = certificates_from_pem(*root);
  ASSERT_TRUE(ders);
  anchors_ = *ders;
  auto s = Signer::load(dir_ / "keys" / kSignerCertFile, dir_ / "keys" / kSignerKeyFile, now_);
  ASSERT_TRUE(s) << s.error().to_string();
  signer_.emplace(std::move(*s));
}

void C2paTest::TearDown() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

namespace {

// Runs `node tests/js/<script> FILE ARGS…` on `bytes` and parses its JSON; `skip` says why not
// when node or `package` is missing.
nlohmann::json judge(const std::string& script, const std::string& package, const Bytes& bytes,
                     const std::vector<std::string>& args, std::string* skip) {
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    *skip = "node is not installed (run scripts/setup)";
    return nullptr;
  }
  if (!std::filesystem::exists(source_dir() / "tests/js/node_modules" / package)) {
    *skip = "tests/js/node_modules lacks " + package + " (run scripts/setup)";
    return nullptr;
  }
  std::random_device rd;
  const auto file = std::filesystem::temp_directory_path() / ("c2pa-judge-" + std::to_string(rd()));
  write_file(file, bytes);
  std::string cmd =
      "node '" + (source_dir() / "tests/js" / script).string() + "' '" + file.string() + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    pclose(p);
  }
  std::filesystem::remove(file);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded()) return {{"error", out}};
  return j;
}

}  // namespace

nlohmann::json reference_read(const Bytes& bytes, const std::string& mime,
                              const std::filesystem::path& trust_pem, std::string* skip) {
  std::vector<std::string> args{mime};
  if (!trust_pem.empty()) args.push_back(trust_pem.string());
  return judge("c2pa-read.mjs", "@contentauth/c2pa-wasm", bytes, args, skip);
}

nlohmann::json second_read(const Bytes& bytes, const std::string& mime, std::string* skip) {
  return judge("c2pa-ts-read.mjs", "@trustnxt/c2pa-ts", bytes, {mime}, skip);
}

}  // namespace atelier::c2pa::testing
