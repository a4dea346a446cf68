// kill -9 in the middle of appends: every append the writer was told is durable survives, no
// partial entry or tree is left, the audit passes, and appending continues where it stopped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <random>
#include <sstream>

#include "provenance/log.h"
#include "store/sqlite_store.h"
#include "tests/provenance/test_support.h"

namespace atelier::provenance {
namespace {

using atelier::testing::TempDir;

// The child: appends bursts of events and reports each durable one ("index entry\n") on `fd`.
[[noreturn]] void append_forever(const std::filesystem::path& data, int fd, int round) {
  auto signer = load_or_create_log_signer(data / "keys");
  auto db = store::SqliteStore::open(data / "atelier.db");
  if (!signer || !db) _exit(2);
  attach_checkpoint_signer(**db, *signer, 0);
  for (int burst = 0;; ++burst) {
    std::vector<std::pair<std::string, std::future<Result<std::uint64_t>>>> pending;
    for (int i = 0; i < 40; ++i) {
      std::string entry = R"({"round":)" + std::to_string(round) + R"(,"burst":)" +
                          std::to_string(burst) + R"(,"i":)" + std::to_string(i) + "}";
      pending.emplace_back(entry,
                           (*db)->append_event_async({entry, {"round:" + std::to_string(round)}}));
    }
    for (auto& [entry, f] : pending) {
      auto r = f.get();
      if (!r) _exit(3);
      std::string line = std::to_string(*r) + " " + entry + "\n";
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
    }
  }
}

TEST(LogCrash, KillNineMidAppendLosesNoAcknowledgedEntryAndLeavesNoPartialOne) {
  TempDir dir;
  std::filesystem::create_directories(dir / "keys");
  std::mt19937 rng(20261124);
  std::map<std::uint64_t, std::string> acknowledged;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      append_forever(dir.path(), fds[1], round);
    }
    ::close(fds[1]);
    // Wait for the writer's first durable append (a loaded machine may take a while to start
    // it), then kill it at a random point of what follows.
    std::string reported;
    char buf[4096];
    while (reported.find('\n') == std::string::npos) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      reported.append(buf, static_cast<std::size_t>(n));
    }
    ::usleep(std::uniform_int_distribution<useconds_t>(5'000, 120'000)(rng));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
      reported.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    std::istringstream lines(reported);
    std::size_t this_round = 0;
    for (std::string line; std::getline(lines, line);) {
      auto space = line.find(' ');
      acknowledged[std::stoull(line.substr(0, space))] = line.substr(space + 1);
      ++this_round;
    }
    EXPECT_GT(this_round, 0u) << "round " << round << " acknowledged nothing before the kill";

    auto signer = load_or_create_log_signer(dir / "keys");
    ASSERT_TRUE(signer);
    auto db = store::SqliteStore::open(dir / "atelier.db");
    ASSERT_TRUE(db);
    auto size = (*db)->log_size();
    ASSERT_TRUE(size);
    ASSERT_FALSE(acknowledged.empty());
    EXPECT_GE(*size, acknowledged.rbegin()->first + 1);
    for (const auto& [index, entry] : acknowledged) {
      auto rows = (*db)->log_entries(index, index + 1);
      ASSERT_TRUE(rows && rows->size() == 1) << "acknowledged entry " << index << " is lost";
      EXPECT_EQ(rows->front().entry, entry);
    }
    Log log(**db, (*signer)->verifier());
    auto audit = log.audit();
    ASSERT_TRUE(audit);
    EXPECT_TRUE(audit->ok) << "round " << round << ": " << audit->code << ": " << audit->message;
    EXPECT_EQ(audit->entries, *size);
  }
}

}  // namespace
}  // namespace atelier::provenance
