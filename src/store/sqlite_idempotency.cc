// SqliteStore's idempotency claims (store.h "Idempotency", issue 14).
//
// Why an owner, a lease and a fencing token. Claim, work and completion used to be three
// transactions and nothing recovered a claim whose process was killed between them: its key
// answered "in flight" forever, although the work might have committed. Now:
//   - a claim names its owner process (internal/process_identity.h) and a lease; a retry takes
//     it over when the owner is dead (read from /proc: no wait after kill -9) or the lease ran
//     out (a live process that lost track of it);
//   - a takeover issues a new token, and completing, releasing, and the work's own completion
//     (write_completion) all match the token, so a worker whose claim was taken over can change
//     nothing: its whole transaction is refused;
//   - work that must not run twice stores its response in its own transaction, so a claim that
//     is not completed is one whose work did not commit, and running it again is safe.
// A claim whose release failed (the disk failed the request, then the release too) is
// remembered in memory as abandoned: its request has returned, so a retry in this process takes
// it over at once instead of answering "in flight" until the lease runs out (found by the
// idempotency fault loop). Another process sees a live owner and waits for the lease.
// The lease is not renewed: a request that outlives it (longer than any should) may run a
// second time beside the first, and fencing then lets exactly one of them commit.
#include "store/internal/sqlite_idempotency.h"

#include <sqlite3.h>

#include <exception>

#include "core/limits.h"
#include "core/random_id.h"
#include "store/internal/process_identity.h"
#include "core/assert.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

using internal::Stmt;

namespace {

// Fencing tokens: 128 random bits, so that no two claims of a key ever share one.
constexpr std::size_t kTokenBytes = 16;

// Abandoned claims remembered at once; past it, a retry waits for the lease as before.
constexpr std::size_t kAbandonedClaimsMax = 4096;

constexpr std::string_view kCompleteSql =
    "UPDATE idempotency_keys SET status = ?4, body = ?5, lease_expires_ms = NULL "
    "WHERE key_id = ?1 AND idem_key = ?2 AND token = ?3 AND status IS NULL";

}  // namespace

void SqliteStore::set_idempotency_owner(std::string owner,
                                        std::function<bool(std::string_view)> owner_alive) {
  MutexLock lock(mu_);
  idem_owner_ = std::move(owner);
  idem_owner_alive_ = std::move(owner_alive);
}

Result<IdempotencyClaim> SqliteStore::claim_idempotency(std::string_view key_id,
                                                        std::string_view idem_key,
                                                        std::string_view request_hash,
                                                        std::int64_t now_ms) {
  return write<IdempotencyClaim>([&](Txn&) -> Result<IdempotencyClaim> {
    const std::string me = idem_owner_.empty() ? internal::this_process_owner() : idem_owner_;
    auto alive = [&](const std::string& owner) {
      if (owner == me) return true;
      return idem_owner_alive_ ? idem_owner_alive_(owner) : internal::owner_may_be_alive(owner);
    };
    IdempotencyClaim c;
    c.token = random_hex(kTokenBytes);
    const std::int64_t lease_expires_ms = now_ms + limits::kIdempotencyLeaseMs;

    Stmt q(
        db_,
        "SELECT request_hash, status, body, owner, lease_expires_ms, token FROM idempotency_keys "
        "WHERE key_id = ?1 AND idem_key = ?2");
    q.bind(1, key_id).bind(2, idem_key);
    ATELIER_TRY_ASSIGN(const bool found, q.next("reading idempotency key"));
    if (!found) {
      Stmt ins(db_,
               "INSERT INTO idempotency_keys (key_id, idem_key, request_hash, created_ms, owner, "
               "token, lease_expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      ins.bind(1, key_id).bind(2, idem_key).bind(3, request_hash).bind(4, now_ms);
      ins.bind(5, me).bind(6, c.token).bind(7, lease_expires_ms);
      ATELIER_TRY(ins.run("claiming idempotency key"));
      return c;
    }
    if (q.text(0) != request_hash) {
      c.state = IdempotencyClaim::State::kMismatch;
      c.token.clear();
      return c;
    }
    if (!q.is_null(1)) {
      c.state = IdempotencyClaim::State::kReplay;
      c.status = static_cast<int>(q.int64(1));
      c.body = q.text(2);
      c.token.clear();
      return c;
    }
    // A claim from before migration v6 has no owner: whether its work committed cannot be told
    // (completion was a separate transaction then), so it is never taken over.
    const bool legacy = q.is_null(3);
    const std::string old_token = legacy ? std::string() : q.text(5);
    const bool abandoned = !legacy && abandoned_claims_.contains(old_token);
    const bool held = legacy || (!abandoned && alive(q.text(3)) && now_ms < q.int64(4));
    if (held) {
      c.state = IdempotencyClaim::State::kInFlight;
      c.token.clear();
      return c;
    }
    Stmt take(db_,
              "UPDATE idempotency_keys SET owner = ?3, token = ?4, lease_expires_ms = ?5 "
              "WHERE key_id = ?1 AND idem_key = ?2 AND status IS NULL");
    take.bind(1, key_id).bind(2, idem_key).bind(3, me).bind(4, c.token).bind(5, lease_expires_ms);
    ATELIER_TRY(take.run("taking over idempotency key"));
    ATELIER_ASSERT(sqlite3_changes(db_) == 1,
                   "an uncompleted claim read in this write was not taken over");
    c.taken_over = true;
    if (abandoned) abandoned_claims_.erase(old_token);
    return c;
  });
}

Result<bool> SqliteStore::complete_idempotency(const IdempotencyFence& fence, int status,
                                               std::string_view body) {
  return write<bool>([&](Txn&) -> Result<bool> {
    Stmt s(db_, kCompleteSql);
    s.bind(1, fence.key_id)
        .bind(2, fence.idem_key)
        .bind(3, fence.token)
        .bind(4, status)
        .bind(5, body);
    ATELIER_TRY(s.run("completing idempotency key"));
    return sqlite3_changes(db_) > 0;
  });
}

Result<void> SqliteStore::release_idempotency(const IdempotencyFence& fence) {
  Result<void> released = write<void>([&](Txn&) -> Result<void> {
    Stmt s(db_,
           "DELETE FROM idempotency_keys WHERE key_id = ?1 AND idem_key = ?2 AND token = ?3 AND "
           "status IS NULL");
    s.bind(1, fence.key_id).bind(2, fence.idem_key).bind(3, fence.token);
    ATELIER_TRY(s.run("releasing idempotency key"));
    return {};
  });
  if (!released) {
    MutexLock lock(mu_);
    if (abandoned_claims_.size() < kAbandonedClaimsMax) abandoned_claims_.insert(fence.token);
  }
  return released;
}

namespace internal {

Result<void> write_completion(sqlite3* db, StmtCache& stmts, const IdempotentCompletion& completion,
                              const LedgerReceipt& receipt) {
  // The caller's code, run on the committer thread: an exception must not escape into it.
  Result<IdempotentResponse> response =
      fail(Error::internal("idempotent_response_failed", "no response"));
  try {
    response = completion.respond(receipt);
  } catch (const std::exception& e) {
    response = fail(Error::internal("idempotent_response_failed", e.what()));
  }
  if (!response) return fail(response.error());
  const IdempotencyFence& fence = completion.fence;
  Stmt& s = stmts.get(kCompleteSql);
  s.bind(1, fence.key_id).bind(2, fence.idem_key).bind(3, fence.token);
  s.bind(4, response->status).bind(5, response->body);
  ATELIER_TRY(s.run("completing idempotency key"));
  if (sqlite3_changes(db) == 0) {
    return fail(Error::conflict("idempotency_claim_lost",
                                "this request's Idempotency-Key claim was taken over by a retry; "
                                "nothing was changed",
                                "Idempotency-Key"));
  }
  return {};
}

}  // namespace internal
}  // namespace atelier::store
