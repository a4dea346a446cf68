// test_support.h — helpers shared by the API tests: temp dirs, and running the npm judges in
// tests/js (skipped with a clear message when `npm ci` has not been run there).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace atelier::api::testing {

// The repository root (ATELIER_SOURCE_DIR from CTest, else the compile-time default).
std::filesystem::path source_dir();

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Empty when `node` and tests/js/node_modules are available; else why not.
std::string node_tools_missing();

// Runs `node tests/js/<script> <file>`; returns the exit status, output in `output`.
int run_node_tool(const std::string& script, const std::filesystem::path& file,
                  std::string& output);
// The same with any arguments (each passed as one word).
int run_node_tool(const std::string& script, const std::vector<std::string>& args,
                  std::string& output);

// Writes `text` to `path`.
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace atelier::api::testing
