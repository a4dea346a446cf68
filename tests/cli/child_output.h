// What the CLI tests need to run `atelier` as a child process the way scripts do: its exit
// code and both output streams, and shell quoting for the command line.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace atelier::testing {

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `s` as one single-quoted shell word.
inline std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace atelier::testing
