// What the CLI tests need to run `atelier` as a child process the way scripts do: its exit
// code and both output streams, and shell quoting for the command line.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

// Runs the shell line `command` followed by `args` (each quoted), stdin empty, stdout and
// stderr captured through files in `scratch`; a signal shows as exit code 128 + its number.
inline Output run_shell(std::string command, const std::vector<std::string>& args,
                        const std::filesystem::path& scratch) {
  const std::filesystem::path out = scratch / "stdout", err = scratch / "stderr";
  for (const auto& a : args) command += " " + quoted(a);
  command += " >" + quoted(out.string()) + " 2>" + quoted(err.string()) + " </dev/null";
  const int status = std::system(command.c_str());
  Output o{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out),
           slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return o;
}

}  // namespace atelier::testing
