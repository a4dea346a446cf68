// Idempotency claims that outlive their process (issue 14): owners, leases, takeover and
// fencing (store.h "Idempotency"). Two SqliteStores on one file play two processes; the
// second is told whether the first is alive, as /proc would tell it.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "core/limits.h"
#include "store/internal/process_identity.h"
#include "store/sqlite_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

using atelier::testing::TempDir;
using State = IdempotencyClaim::State;

constexpr std::int64_t kLeaseMs = limits::kIdempotencyLeaseMs;

// A change whose effect can be counted: it opens account `id` and logs it.
LedgerChange open_account(const std::string& id) {
  LedgerChange c;
  c.time_ms = 1;
  c.ledger.new_accounts.push_back({id, "collector", id, false, 1});
  c.event = {R"({"type":"account","id":")" + id + R"("})", {"account:" + id}};
  return c;
}

// The same change answering an idempotent request under `fence` with `body`.
LedgerChange open_account_answering(const std::string& id, const IdempotencyFence& fence,
                                    const std::string& body) {
  LedgerChange c = open_account(id);
  c.completion = IdempotentCompletion{
      fence, [body](const LedgerReceipt& r) -> Result<IdempotentResponse> {
        return IdempotentResponse{201, body + "@" + std::to_string(r.log_index)};
      }};
  return c;
}

class IdempotencyStore : public ::testing::Test {
 protected:
  TempDir dir;
  std::unique_ptr<SqliteStore> a;  // Process "A", the first to claim.
  std::unique_ptr<SqliteStore> b;  // Process "B", retrying; sees A as a_alive says.
  bool a_alive = true;

  void SetUp() override {
    a = open("A");
    b = open("B");
  }
  std::unique_ptr<SqliteStore> open(const std::string& owner) {
    auto opened = SqliteStore::open(dir / "atelier.db");
    EXPECT_TRUE(opened) << opened.error().to_string();
    (*opened)->set_idempotency_owner(owner,
                                     [this](std::string_view o) { return o != "A" || a_alive; });
    return std::move(*opened);
  }
  IdempotencyClaim claim(SqliteStore& s, std::int64_t now_ms, const std::string& hash = "h") {
    auto c = s.claim_idempotency("key", "idem", hash, now_ms);
    EXPECT_TRUE(c) << c.error().to_string();
    return c.value_or(IdempotencyClaim{});
  }
  bool has_account(const std::string& id) { return b->account(id).value().has_value(); }
};

TEST_F(IdempotencyStore, ALiveOwnersClaimIsInFlightUntilItsLeaseRunsOut) {
  auto first = claim(*a, 1000);
  ASSERT_EQ(first.state, State::kNew);
  EXPECT_FALSE(first.token.empty());
  EXPECT_EQ(claim(*b, 1000 + kLeaseMs - 1).state, State::kInFlight);
  EXPECT_EQ(claim(*a, 1000 + kLeaseMs - 1).state, State::kInFlight);  // Its own owner too.
  auto late = claim(*b, 1000 + kLeaseMs);
  EXPECT_EQ(late.state, State::kNew);
  EXPECT_TRUE(late.taken_over);
  EXPECT_NE(late.token, first.token);
}

// The bug: A claimed, was killed before its work committed, and the key answered "in flight"
// forever. Now the retry takes the claim over at once and the work runs, once.
TEST_F(IdempotencyStore, ADeadOwnersUncompletedClaimIsTakenOverAndTheWorkRunsOnce) {
  auto first = claim(*a, 1000);
  ASSERT_EQ(first.state, State::kNew);
  a_alive = false;               // kill -9 before A's change committed.
  auto retry = claim(*b, 1001);  // Well inside A's lease.
  ASSERT_EQ(retry.state, State::kNew);
  EXPECT_TRUE(retry.taken_over);
  IdempotencyFence fence{"key", "idem", retry.token};
  auto applied = b->apply_ledger_change(open_account_answering("ann", fence, "sale"));
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(has_account("ann"));
  // Completed with the work: later retries replay it and run nothing.
  EXPECT_FALSE(b->complete_idempotency(fence, 500, "other").value());
  auto replay = claim(*b, 1002);
  EXPECT_EQ(replay.state, State::kReplay);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, "sale@" + std::to_string(applied->log_index));
  EXPECT_EQ(b->log_size().value(), applied->log_index + 1);  // One entry: the work ran once.
}

// A was killed after its change (and, in the same transaction, its response) committed but
// before it could answer: the retry gets that response, not a second run.
TEST_F(IdempotencyStore, ADeadOwnersCommittedWorkIsReplayedNotRunAgain) {
  auto first = claim(*a, 1000);
  IdempotencyFence fence{"key", "idem", first.token};
  auto applied = a->apply_ledger_change(open_account_answering("ann", fence, "sale"));
  ASSERT_TRUE(applied) << applied.error().to_string();
  a_alive = false;  // Killed before pipeline's finish().
  auto retry = claim(*b, 1001);
  EXPECT_EQ(retry.state, State::kReplay);
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, "sale@" + std::to_string(applied->log_index));
}

// A was only slow (or partitioned from its lease): B took the claim over and ran the work.
// A's late commit is fenced out whole: no second account, no second log entry.
TEST_F(IdempotencyStore, AStaleWorkerWhoseClaimWasTakenOverCannotCommit) {
  auto first = claim(*a, 1000);
  auto second = claim(*b, 1000 + kLeaseMs);  // A's lease ran out.
  ASSERT_EQ(second.state, State::kNew);
  IdempotencyFence stale{"key", "idem", first.token};
  IdempotencyFence current{"key", "idem", second.token};

  const auto log_before = a->log_size().value();
  auto late = a->apply_ledger_change(open_account_answering("ann", stale, "stale"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "idempotency_claim_lost");
  EXPECT_FALSE(has_account("ann"));
  EXPECT_EQ(a->log_size().value(), log_before);
  // Nor can the stale worker complete or release the claim it lost.
  EXPECT_FALSE(a->complete_idempotency(stale, 201, "stale").value());
  ASSERT_TRUE(a->release_idempotency(stale));
  EXPECT_EQ(claim(*b, 1001 + kLeaseMs).state, State::kInFlight);  // Still B's.

  auto applied = b->apply_ledger_change(open_account_answering("bob", current, "fresh"));
  ASSERT_TRUE(applied) << applied.error().to_string();
  auto replay = claim(*a, 1002 + kLeaseMs);
  EXPECT_EQ(replay.state, State::kReplay);
  EXPECT_EQ(replay.body, "fresh@" + std::to_string(applied->log_index));
}

TEST_F(IdempotencyStore, AFailedChangeLeavesTheClaimUncompletedForARetry) {
  auto first = claim(*a, 1000);
  IdempotencyFence fence{"key", "idem", first.token};
  ASSERT_TRUE(a->apply_ledger_change(open_account("ann")));
  auto refused = a->apply_ledger_change(open_account_answering("ann", fence, "dup"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "account_exists");
  // The completion rolled back with the change: the claim is still A's to complete.
  EXPECT_EQ(claim(*b, 1001).state, State::kInFlight);
  EXPECT_TRUE(a->complete_idempotency(fence, 409, "conflict").value());
  EXPECT_EQ(claim(*b, 1002).state, State::kReplay);
}

TEST_F(IdempotencyStore, ACompletedClaimIsReplayedWhateverItsOwner) {
  auto first = claim(*a, 1000);
  ASSERT_TRUE(a->complete_idempotency({"key", "idem", first.token}, 409, "sold_out").value());
  a_alive = false;
  auto r = claim(*b, 1000 + 10 * kLeaseMs);
  EXPECT_EQ(r.state, State::kReplay);
  EXPECT_EQ(r.body, "sold_out");
  EXPECT_EQ(claim(*b, 1000, "other").state, State::kMismatch);
}

// Claims made before migration v6 have no owner. Their work may or may not have committed
// (completion was a separate transaction then), so they are never taken over.
TEST_F(IdempotencyStore, AClaimFromBeforeOwnersIsNeverTakenOver) {
  ASSERT_EQ(claim(*a, 1000).state, State::kNew);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(
          raw, "UPDATE idempotency_keys SET owner = NULL, token = NULL, lease_expires_ms = NULL",
          nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  a_alive = false;
  EXPECT_EQ(claim(*b, 1000 + 10 * kLeaseMs).state, State::kInFlight);
}

TEST(ProcessIdentity, ThisProcessIsAliveAnExitedOneIsNot) {
  const std::string me = internal::this_process_owner();
  EXPECT_TRUE(internal::owner_may_be_alive(me));
  const auto slash = me.find('/');
  ASSERT_NE(slash, std::string::npos);
  // The same pid and start in another boot: that process is gone.
  EXPECT_FALSE(internal::owner_may_be_alive("another-boot" + me.substr(slash)));
  // Our pid with another start time: a process that had our pid before us.
  EXPECT_FALSE(internal::owner_may_be_alive(me.substr(0, me.rfind('/')) + "/1"));
  // The same boot, another pid namespace (a container): its pids cannot be looked up here.
  // (A pid that no process of ours has: dead here, but not necessarily there.)
  const std::string our_ns = me.substr(slash + 1, me.find('/', slash + 1) - slash - 1);
  EXPECT_FALSE(internal::owner_may_be_alive(me.substr(0, slash) + "/" + our_ns + "/999999999/1"));
  EXPECT_TRUE(internal::owner_may_be_alive(me.substr(0, slash) + "/1" + our_ns + "/999999999/1"));
  // Names of another form cannot be judged: the lease decides.
  EXPECT_TRUE(internal::owner_may_be_alive("A"));
  EXPECT_TRUE(internal::owner_may_be_alive(""));

  // A child that exited: dead as a zombie, and once reaped.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string owner = internal::this_process_owner();
    (void)!::write(pipe_fds[1], owner.data(), owner.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  char buf[256];
  std::string child_owner;
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) child_owner.append(buf, n);
  ::close(pipe_fds[0]);
  ASSERT_NE(child_owner, me);
  // The child has exited once the pipe closed; wait until it is a zombie.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(internal::owner_may_be_alive(child_owner));
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(internal::owner_may_be_alive(child_owner));
}

}  // namespace
}  // namespace atelier::store
