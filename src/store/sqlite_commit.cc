// SqliteStore's write path: the group-commit queue and the transparency log inside it.
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

#include "core/assert.h"
#include "core/limits.h"
#include "store/internal/sqlite_txn.h"

namespace atelier::store {

using internal::exec;
using internal::Stmt;

namespace {

// The largest group one COMMIT takes; the rest waits for the next (bounds a transaction's
// memory and the time a reader waits on the connection).
constexpr std::size_t kGroupWritesMax = 4096;

Error log_corrupt(const std::string& what) {
  return Error::internal("log_corrupt", "the transparency log tables are inconsistent: " + what);
}

Digest to_digest(std::span<const std::uint8_t> bytes) {
  Digest d{};
  if (bytes.size() == d.size()) std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}

std::int64_t as_int64(std::uint64_t v) {
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(v, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

std::future<Result<std::uint64_t>> SqliteStore::submit(WriteOp op) {
  auto pending = std::make_unique<Pending>();
  pending->op = std::move(op);
  auto future = pending->done.get_future();
  {
    MutexLock lock(queue_mu_);
    ATELIER_ASSERT(!stopping_, "a write was submitted after the store began to close");
    queue_.push_back(std::move(pending));
    if (!committer_.joinable()) committer_ = std::thread([this] { commit_loop(); });
  }
  queue_cv_.notify_one();
  return future;
}

void SqliteStore::commit_loop() {
  // Signals are for the threads the program chose (serve's sigwait): this worker takes none.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    std::deque<std::unique_ptr<Pending>> group;
    {
      MutexLock lock(queue_mu_);
      while (!stopping_ && queue_.empty()) queue_cv_.wait(queue_mu_);
      if (queue_.empty()) return;  // Stopping, and everything queued is done.
      while (!queue_.empty() && group.size() < kGroupWritesMax) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_group(group);
  }
}

void SqliteStore::commit_group(std::deque<std::unique_ptr<Pending>>& group) {
  std::vector<Result<std::uint64_t>> results;
  results.reserve(group.size());
  auto finish = [&](const Result<void>& commit) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (i < results.size() && !results[i]) {
        group[i]->done.set_value(std::move(results[i]));
      } else if (!commit) {
        group[i]->done.set_value(fail(commit.error()));
      } else {
        group[i]->done.set_value(std::move(results[i]));
      }
    }
  };

  MutexLock lock(mu_);
  if (auto begin = exec(db_, "BEGIN IMMEDIATE"); !begin) return finish(begin);
  if (auto loaded = load_log_state(); !loaded) {
    (void)exec(db_, "ROLLBACK");
    edge_valid_ = false;
    return finish(loaded);
  }
  Txn txn(*this);
  const std::uint64_t size_before = edge_.size();
  // An error once the group cannot commit: SQLite rolled the transaction back under us (I/O
  // error, disk full), or a savepoint could not be opened, rolled back or released — then a
  // refused write's changes might be committed with the rest, so nothing of the group is.
  Result<void> alive;
  for (auto& pending : group) {
    MerkleEdge saved = edge_;
    if (auto opened = stmts_->get("SAVEPOINT write").run("opening a write's savepoint"); !opened) {
      alive = fail(opened.error());
      break;
    }
    Result<std::uint64_t> r = pending->op(txn);
    if (!r) {
      if (sqlite3_get_autocommit(db_)) {
        alive = fail(r.error());
        results.push_back(std::move(r));
        break;
      }
      if (auto undone = stmts_->get("ROLLBACK TO write").run("rolling back a refused write");
          !undone) {
        alive = fail(undone.error());
        results.push_back(std::move(r));
        break;
      }
      edge_ = saved;
    }
    if (auto released = stmts_->get("RELEASE write").run("releasing a write's savepoint");
        !released) {
      alive = fail(released.error());
      results.push_back(std::move(r));
      break;
    }
    results.push_back(std::move(r));
  }
  if (alive) {
    ATELIER_ASSERT(edge_.size() >= size_before, "the log shrank inside a group: " +
                                                    std::to_string(size_before) + " → " +
                                                    std::to_string(edge_.size()));
    bool grew = edge_.size() > checkpoint_size_;
    if (signer_ && grew && clock_->now_ms() - checkpoint_ms_ >= checkpoint_interval_ms_) {
      // A failed signature leaves the group's writes intact; checkpoint_now() reports it.
      if (exec(db_, "SAVEPOINT checkpoint")) {
        const std::uint64_t checkpoint_before = checkpoint_size_;
        const std::int64_t checkpoint_ms_before = checkpoint_ms_;
        if (auto signed_ok = sign_checkpoint_locked(); !signed_ok) {
          checkpoint_size_ = checkpoint_before;
          checkpoint_ms_ = checkpoint_ms_before;
          if (auto undone = exec(db_, "ROLLBACK TO checkpoint"); !undone) alive = undone;
        }
        if (auto released = exec(db_, "RELEASE checkpoint"); alive && !released) alive = released;
      }
    }
  }
  Result<void> commit = alive;
  if (commit) commit = exec(db_, "COMMIT");
  if (!commit) {
    if (!sqlite3_get_autocommit(db_)) (void)exec(db_, "ROLLBACK");
    edge_valid_ = false;  // Reread at the next group.
  }
  ++stats_.commits;
  stats_.writes += group.size();
  stats_.largest_group = std::max<std::uint64_t>(stats_.largest_group, group.size());
  finish(commit);
}

Result<void> SqliteStore::load_log_state() {
  Stmt& size_q = stmts_->get("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries");
  ATELIER_TRY(size_q.one("reading the log size"));
  const auto size = static_cast<std::uint64_t>(size_q.int64(0));
  size_q.reset();
  if (edge_valid_ && size < edge_.size()) {
    // Committed entries are never deleted: a shorter log was changed outside atelier.
    return fail(log_corrupt("the log holds " + std::to_string(size) + " entries, fewer than the " +
                            std::to_string(edge_.size()) + " it held"));
  }
  if (!edge_valid_ || edge_.size() != size) {
    std::vector<Digest> hashes;
    for (const NodeId& node : edge_nodes(size)) {
      auto h = log_hashes_on(*stmts_, node.level, node.index, node.index + 1);
      if (!h) return fail(h.error());
      if (h->size() != 1) {
        return fail(log_corrupt("subtree (" + std::to_string(node.level) + ", " +
                                std::to_string(node.index) + ") of a tree of " +
                                std::to_string(size) + " entries is missing"));
      }
      hashes.push_back(h->front());
    }
    if (!MerkleEdge::restore(size, std::move(hashes), edge_)) return fail(log_corrupt("edge"));
    edge_valid_ = true;
  }
  Stmt& cp = stmts_->get("SELECT size, created_ms FROM log_checkpoints ORDER BY size DESC LIMIT 1");
  internal::ScopedReset cp_done(cp);
  ATELIER_TRY_ASSIGN(const bool any, cp.next("reading the latest checkpoint"));
  if (any) {
    checkpoint_size_ = static_cast<std::uint64_t>(cp.int64(0));
    checkpoint_ms_ = cp.int64(1);
    if (checkpoint_size_ > size) {
      return fail(log_corrupt("a checkpoint of " + std::to_string(checkpoint_size_) +
                              " entries is beyond the log's " + std::to_string(size)));
    }
  } else {
    checkpoint_size_ = 0;
    checkpoint_ms_ = std::numeric_limits<std::int64_t>::min() / 2;
  }
  return {};
}

Result<std::uint64_t> SqliteStore::Txn::append(const LogEvent& event) {
  SqliteStore& s = store_;
  s.mu_.assert_held();  // Appends run inside commit_group (sqlite_txn.h).
  ATELIER_ASSERT(s.edge_valid_, "a log append outside a loaded group");
  if (event.entry.size() > static_cast<std::size_t>(limits::kLogEntryBytesMax)) {
    return fail(Error{ErrorKind::kTooLarge, "log_entry_too_large",
                      "a log entry of " + std::to_string(event.entry.size()) +
                          " bytes exceeds log_entry_bytes_max (" +
                          std::to_string(limits::kLogEntryBytesMax) + ")",
                      "entry"});
  }
  const std::uint64_t index = s.edge_.size();
  const Digest leaf = leaf_hash(event.entry);
  Stmt& ins = s.stmts_->get("INSERT INTO log_entries (idx, entry, leaf_hash) VALUES (?1, ?2, ?3)");
  ins.bind(1, as_int64(index)).bind(2, event.entry).bind_blob(3, leaf);
  ATELIER_TRY(ins.run("appending a log entry"));
  Result<void> nodes;
  s.edge_.append(leaf, [&](std::uint32_t level, std::uint64_t node_index, const Digest& h) {
    if (!nodes) return;
    s.mu_.assert_held();  // Called back by edge_.append, inside this append.
    Stmt& n = s.stmts_->get("INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)");
    n.bind(1, static_cast<std::int64_t>(level)).bind(2, as_int64(node_index)).bind_blob(3, h);
    nodes = n.run("storing a log tree node");
  });
  if (!nodes) return fail(nodes.error());
  ATELIER_ASSERT(s.edge_.size() == index + 1, "a log append grew the tree from " +
                                                  std::to_string(index) + " to " +
                                                  std::to_string(s.edge_.size()));
  for (const std::string& subject : event.subjects) {
    Stmt& sub = s.stmts_->get("INSERT OR IGNORE INTO log_subjects (subject, idx) VALUES (?1, ?2)");
    sub.bind(1, subject).bind(2, as_int64(index));
    ATELIER_TRY(sub.run("indexing a log entry"));
  }
  return index;
}

Result<void> SqliteStore::sign_checkpoint_locked() {
  if (!signer_) {
    return fail(Error::internal("log_signer_missing", "no checkpoint signer is configured"));
  }
  if (edge_.size() <= checkpoint_size_) return {};
  Result<std::string> note = signer_(edge_.size(), edge_.root());
  if (!note) return fail(note.error());
  const std::int64_t now = clock_->now_ms();
  Stmt& ins =
      stmts_->get("INSERT INTO log_checkpoints (size, note, created_ms) VALUES (?1, ?2, ?3)");
  ins.bind(1, as_int64(edge_.size())).bind(2, *note).bind(3, now);
  ATELIER_TRY(ins.run("storing a checkpoint"));
  ATELIER_ASSERT(edge_.size() > checkpoint_size_, "checkpoints only grow");
  checkpoint_size_ = edge_.size();
  checkpoint_ms_ = now;
  return {};
}

Result<std::uint64_t> SqliteStore::append_events(std::span<const LogEvent> events) {
  if (events.empty()) {
    return fail(Error::invalid("log_events_empty", "no events to append", "events"));
  }
  return submit([events](Txn& txn) -> Result<std::uint64_t> {
           std::uint64_t first = 0;
           for (std::size_t i = 0; i < events.size(); ++i) {
             auto index = txn.append(events[i]);
             if (!index) return fail(index.error());
             if (i == 0) first = *index;
           }
           return first;
         })
      .get();
}

std::future<Result<std::uint64_t>> SqliteStore::append_event_async(LogEvent event) {
  return submit([event = std::move(event)](Txn& txn) { return txn.append(event); });
}

void SqliteStore::set_checkpoint_signer(CheckpointSigner signer, std::int64_t interval_ms) {
  MutexLock lock(mu_);
  signer_ = std::move(signer);
  checkpoint_interval_ms_ = std::max<std::int64_t>(0, interval_ms);
}

Result<std::optional<CheckpointRecord>> SqliteStore::checkpoint_now() {
  auto signed_ok = submit([](Txn& txn) -> Result<std::uint64_t> {
                     ATELIER_TRY(txn.sign_checkpoint());
                     return 0;
                   }).get();
  if (!signed_ok) return fail(signed_ok.error());
  return latest_checkpoint();
}

SqliteStore::CommitStats SqliteStore::commit_stats() const {
  MutexLock lock(mu_);
  return stats_;
}

// Reads ------------------------------------------------------------------------------------

Result<std::vector<Digest>> SqliteStore::log_hashes_on(internal::StmtCache& stmts,
                                                       std::uint32_t level, std::uint64_t begin,
                                                       std::uint64_t end) {
  std::vector<Digest> out;
  if (begin >= end) return out;
  Stmt& q =
      level == 0
          ? stmts.get("SELECT leaf_hash FROM log_entries WHERE idx >= ?2 AND idx < ?3 ORDER BY idx")
          : stmts.get(
                "SELECT hash FROM log_nodes WHERE level = ?1 AND idx >= ?2 AND idx < ?3 "
                "ORDER BY idx");
  if (level != 0) q.bind(1, static_cast<std::int64_t>(level));
  q.bind(2, as_int64(begin)).bind(3, as_int64(end));
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading log hashes", [&]() -> Result<void> {
    auto b = q.blob(0);
    if (b.size() != 32) {
      return fail(
          log_corrupt("a stored hash at level " + std::to_string(level) + " is not 32 bytes"));
    }
    out.push_back(to_digest(b));
    return {};
  }));
  return out;
}

Result<std::vector<Digest>> SqliteStore::log_hashes(std::uint32_t level, std::uint64_t begin,
                                                    std::uint64_t end) {
  MutexLock lock(read_mu_);
  return log_hashes_on(*rstmts_, level, begin, end);
}

Result<std::uint64_t> SqliteStore::log_size() {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries");
  internal::ScopedReset q_done(q);
  ATELIER_TRY(q.one("reading the log size"));
  return static_cast<std::uint64_t>(q.int64(0));
}

Result<std::vector<LogEntryRecord>> SqliteStore::log_entries(std::uint64_t begin,
                                                             std::uint64_t end) {
  MutexLock lock(read_mu_);
  std::vector<LogEntryRecord> out;
  if (begin >= end) return out;
  Stmt& q = rstmts_->get(
      "SELECT idx, entry, leaf_hash FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx");
  q.bind(1, as_int64(begin)).bind(2, as_int64(end));
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading log entries", [&]() -> Result<void> {
    const auto index = static_cast<std::uint64_t>(q.int64(0));
    if (q.blob(2).size() != 32) {
      return fail(
          log_corrupt("the leaf hash of entry " + std::to_string(index) + " is not 32 bytes"));
    }
    out.push_back({index, q.text(1), to_digest(q.blob(2))});
    return {};
  }));
  return out;
}

Result<std::vector<std::uint64_t>> SqliteStore::log_indexes(std::string_view subject) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get("SELECT idx FROM log_subjects WHERE subject = ?1 ORDER BY idx");
  q.bind(1, subject);
  std::vector<std::uint64_t> out;
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading log subjects", [&]() -> Result<void> {
    out.push_back(static_cast<std::uint64_t>(q.int64(0)));
    return {};
  }));
  return out;
}

Result<std::vector<CheckpointRecord>> SqliteStore::checkpoints(std::uint64_t after_size,
                                                               std::int64_t limit) {
  MutexLock lock(read_mu_);
  Stmt& q = rstmts_->get(
      "SELECT size, note, created_ms FROM log_checkpoints WHERE size > ?1 ORDER BY size LIMIT ?2");
  q.bind(1, as_int64(after_size)).bind(2, limit);
  std::vector<CheckpointRecord> out;
  internal::ScopedReset q_done(q);
  ATELIER_TRY(internal::each_row(q, "reading checkpoints", [&]() -> Result<void> {
    out.push_back({static_cast<std::uint64_t>(q.int64(0)), q.text(1), q.int64(2)});
    return {};
  }));
  return out;
}

Result<std::optional<CheckpointRecord>> SqliteStore::latest_checkpoint() {
  MutexLock lock(read_mu_);
  Stmt& q =
      rstmts_->get("SELECT size, note, created_ms FROM log_checkpoints ORDER BY size DESC LIMIT 1");
  internal::ScopedReset q_done(q);
  ATELIER_TRY_ASSIGN(const bool any, q.next("reading the latest checkpoint"));
  std::optional<CheckpointRecord> out;
  if (any) out = CheckpointRecord{static_cast<std::uint64_t>(q.int64(0)), q.text(1), q.int64(2)};
  return out;
}

}  // namespace atelier::store
