#include "test_support.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

namespace atelier::api::testing {

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("ATELIER_SOURCE_DIR"); env && *env) return env;
  return ATELIER_SOURCE_DIR_DEFAULT;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("atelier-api-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string node_tools_missing() {
  if (std::system("node --version > /dev/null 2>&1") != 0)
    return "node is not installed (run scripts/setup)";
  if (!std::filesystem::exists(source_dir() / "tests/js/node_modules")) {
    return "tests/js/node_modules is missing (run scripts/setup, which runs npm ci there)";
  }
  return {};
}

int run_node_tool(const std::string& script, const std::filesystem::path& file,
                  std::string& output) {
  return run_node_tool(script, std::vector<std::string>{file.string()}, output);
}

int run_node_tool(const std::string& script, const std::vector<std::string>& args,
                  std::string& output) {
  // Single-quoted words: the paths and media types the tests pass hold no quote.
  std::string cmd = "node '" + (source_dir() / "tests/js" / script).string() + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  output.clear();
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) output.append(buf.data(), n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace atelier::api::testing
