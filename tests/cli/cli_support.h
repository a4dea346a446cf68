// cli_support.h — what the CLI tests share to run `atelier` as a child process the way
// scripts do: its exit code and both output streams, shell quoting for the command line, the
// repository root, and `atelier serve` on an ephemeral port.
//
//   Output o = run_shell(quoted(ATELIER_BIN) + " --data " + quoted(dir), {"render", …}, tmp);
//   ServeProcess server;
//   server.start(ATELIER_BIN, data, tmp / "serve.log");   // server.port()
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace atelier::testing {

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `s` as one single-quoted shell word.
std::string quoted(const std::string& s);

// The whole file (empty when it cannot be read).
std::string slurp(const std::filesystem::path& p);

// Runs the shell line `command` followed by `args` (each quoted), stdin empty, stdout and
// stderr captured through files in `scratch`; a signal shows as exit code 128 + its number.
Output run_shell(std::string command, const std::vector<std::string>& args,
                 const std::filesystem::path& scratch);

// The repository root (ATELIER_SOURCE_DIR from CTest, else the compile-time default).
std::filesystem::path source_dir();

// `atelier serve` as a child process listening on an ephemeral port of 127.0.0.1, its stderr
// (where it logs its port) in a file. Killed and reaped on destruction if still running.
class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess();

  // Starts `binary --data DATA serve --listen 127.0.0.1:0 EXTRA…` and waits (20 s at most)
  // for its port; a gtest failure says why when it exits or does not listen.
  void start(const std::string& binary, const std::filesystem::path& data,
             const std::filesystem::path& log, const std::vector<std::string>& extra = {});
  std::uint16_t port() const { return port_; }
  // SIGKILL, as a crash; expects the process to die of it.
  void kill_now();
  // SIGTERM, then waits for it; nothing when not running.
  void stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace atelier::testing
