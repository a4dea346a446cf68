// Where tokens are created and move: a LedgerChange's collections, mints, transfers and burns
// (with the holdings and supply they change), approvals and operators (ledger_apply.h).
#include "core/assert.h"
#include "store/internal/ledger_apply.h"
#include "store/internal/ledger_rows.h"

namespace atelier::store::internal {

namespace {

// A token's holders are summed after each move only while they are few: the check is a
// guard against a wrong delta here, and must not make an edition of thousands O(holders) a
// sale. `atelier ledger check` sums every token.
constexpr std::int64_t kHoldersSummedMax = 64;

// The mint gate (compliance_store.h): in a collection with a compliance policy, the latest
// decision on the asset under the current policy version must be "allow", or "review"
// approved. Read under the write lock, so a policy replaced meanwhile is the one that counts.
Result<void> require_compliance(StmtCache& stmts, const TokenRecord& t) {
  Stmt& v = stmts.get(
      "SELECT COALESCE(MAX(version), 0) FROM compliance_policies WHERE collection_id = ?1");
  ScopedReset v_done(v);
  v.bind(1, t.collection_id);
  ATELIER_TRY(v.one("reading policy version"));
  const std::int64_t version = v.int64(0);
  if (version == 0) return {};
  Stmt& d = stmts.get(
      "SELECT outcome, review FROM compliance_decisions WHERE asset_sha256 = ?1 AND "
      "collection_id = ?2 AND policy_version = ?3 ORDER BY seq DESC LIMIT 1");
  ScopedReset d_done(d);
  d.bind(1, t.asset_sha256).bind(2, t.collection_id).bind(3, version);
  ATELIER_TRY_ASSIGN(const bool decided, d.next("reading decision"));
  const std::string where = "asset " + t.asset_sha256 + " under policy version " +
                            std::to_string(version) + " of collection " + t.collection_id;
  if (!decided) {
    return fail(conflict("compliance_required",
                         "no compliance decision on " + where + " (run `atelier check`)",
                         "asset_sha256"));
  }
  const std::string outcome = d.text(0);
  const std::string review = d.text(1);
  if (outcome == "allow" || review == "approved") return {};
  return fail(conflict("compliance_required",
                       "the latest compliance decision on " + where + " is " + outcome +
                           (review.empty() ? "" : " (review " + review + ")"),
                       "asset_sha256"));
}

}  // namespace

Result<void> LedgerEntriesApply::collections_and_mints() {
  for (const auto& c : entries_.new_collections) {
    ATELIER_TRY(require_account(stmts_, c.creator_account, "creator"));
    if (!c.royalty_receiver.empty())
      ATELIER_TRY(require_account(stmts_, c.royalty_receiver, "royalty_receiver"));
    Stmt& ins = stmts_.get("INSERT INTO collections (" + std::string(kCollectionColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                           "ON CONFLICT (id) DO NOTHING");
    ins.bind(1, c.id).bind(2, c.standard).bind(3, c.name).bind(4, c.description).bind(5, c.image);
    ins.bind(6, c.external_url).bind(7, c.creator_account).bind(8, c.generator_name);
    ins.bind_blob(9, be(c.max_supply)).bind(10, c.royalty_bps).bind(11, c.royalty_receiver);
    ins.bind(12, c.created_ms).bind(13, splits_json(c.primary_splits));
    ins.bind(14, splits_json(c.royalty_splits));
    ATELIER_TRY(ins.run("inserting collection"));
    if (sqlite3_changes(db_) == 0) {
      return fail(conflict("collection_exists", "collection " + c.id + " already exists", "id"));
    }
  }
  for (const auto& t : entries_.new_tokens) {
    Stmt& col = stmts_.get("SELECT max_supply FROM collections WHERE id = ?1");
    col.bind(1, t.collection_id);
    auto found = col.next("reading collection");
    Row row(col, "collections", t.collection_id);
    const U256 cap = found && *found ? row.u256(0, "max_supply") : U256();
    col.reset();
    if (!found) return fail(found.error());
    ATELIER_TRY(row.status());
    if (!*found) {
      return fail(
          Error::not_found("unknown_collection", "no collection " + t.collection_id, "collection"));
    }
    ATELIER_TRY(require_compliance(stmts_, t));
    Stmt& ins = stmts_.get("INSERT INTO tokens (" + std::string(kTokenColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                           "ON CONFLICT (collection_id, token_id) DO NOTHING");
    ins.bind(1, t.collection_id).bind_blob(2, be(t.token_id)).bind(3, t.recipe_id);
    ins.bind(4, t.asset_sha256).bind(5, t.token_hash).bind_blob(6, be(U256(0)));
    ins.bind_blob(7, be(t.max_supply)).bind(8, t.created_ms);
    ATELIER_TRY(ins.run("inserting token"));
    if (sqlite3_changes(db_) == 0) {
      return fail(conflict("token_exists",
                           "token " + token_name(t.collection_id, t.token_id) + " already exists",
                           "token_id"));
    }
    if (!cap.is_zero()) {
      Stmt& n = stmts_.get("SELECT COUNT(*) FROM tokens WHERE collection_id = ?1");
      ScopedReset n_done(n);
      n.bind(1, t.collection_id);
      ATELIER_TRY(n.one("counting tokens"));
      if (U256(static_cast<std::uint64_t>(n.int64(0))) > cap) {
        return fail(conflict(
            "supply_exceeded",
            "collection " + t.collection_id + " is capped at " + cap.to_decimal() + " tokens",
            "collection"));
      }
    }
  }
  return {};
}

Result<U256> LedgerEntriesApply::holding(const std::string& collection, const U256& token_id,
                                         const std::string& account) {
  Stmt& h = stmts_.get(
      "SELECT amount FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2 AND account = "
      "?3");
  ScopedReset h_done(h);
  h.bind(1, collection).bind_blob(2, be(token_id)).bind(3, account);
  // A failed read is an error, never "holds nothing": the write below would overwrite it.
  ATELIER_TRY_ASSIGN(const bool found, h.next("reading holding"));
  if (!found) return U256();
  Row row(h, "token_holdings", token_name(collection, token_id) + "/" + account);
  const U256 held = row.u256(0, "amount");
  ATELIER_TRY(row.status());
  if (held.is_zero()) row.bad("amount", "a holding of zero is stored as no row");
  ATELIER_TRY(row.status());
  return held;
}

Result<void> LedgerEntriesApply::move_one(const TokenMove& m) {
  const std::string name = token_name(m.collection_id, m.token_id);
  Stmt& tq = stmts_.get(
      "SELECT supply, max_supply FROM tokens WHERE collection_id = ?1 AND token_id = ?2");
  tq.bind(1, m.collection_id).bind_blob(2, be(m.token_id));
  auto found = tq.next("reading token");
  Row token(tq, "tokens", name);
  U256 supply, cap;
  if (found && *found) supply = token.u256(0, "supply"), cap = token.u256(1, "max_supply");
  tq.reset();
  if (!found) return fail(found.error());
  ATELIER_TRY(token.status());
  if (!*found) return fail(Error::not_found("unknown_token", "no token " + name, "token_id"));
  const U256 supply_before = supply;

  if (!m.from.empty()) {
    ATELIER_TRY_ASSIGN(const U256 held, holding(m.collection_id, m.token_id, m.from));
    auto left = checked_sub(held, m.amount);
    if (!left) {
      return fail(conflict("ledger_conflict",
                           m.from + " holds " + held.to_decimal() + " of " + name + ", not " +
                               m.amount.to_decimal() + " (it moved first)",
                           "token_id"));
    }
    if (held.is_zero()) {
      // A zero-unit move from an account that holds none: there is no row to change.
    } else {
      Stmt& w = left->is_zero() ? stmts_.get(
                                      "DELETE FROM token_holdings WHERE collection_id = ?1 AND "
                                      "token_id = ?2 AND account = ?3")
                                : stmts_.get(
                                      "UPDATE token_holdings SET amount = ?4 WHERE collection_id = "
                                      "?1 AND token_id = ?2 AND account = ?3");
      w.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, m.from);
      if (!left->is_zero()) w.bind_blob(4, be(*left));
      ATELIER_TRY(w.run("writing holding"));
      ATELIER_ASSERT(sqlite3_changes(db_) == 1,
                     "the holding of " + m.from + " in " + name + " was read but not written");
    }
  } else {
    auto more = checked_add(supply, m.amount);
    if (!more || (!cap.is_zero() && *more > cap)) {
      return fail(conflict("supply_exceeded",
                           "token " + name + " is capped at " + cap.to_decimal() + " units",
                           "amount"));
    }
    supply = *more;
  }
  if (!m.to.empty()) ATELIER_TRY(require_account(stmts_, m.to, "to"));
  // A zero-unit ERC-1155 transfer (which OpenZeppelin allows) changes no holding: writing one
  // would leave a zero row, which check_ledger() reports.
  if (!m.to.empty() && !m.amount.is_zero()) {
    ATELIER_TRY_ASSIGN(const U256 held, holding(m.collection_id, m.token_id, m.to));
    auto sum = checked_add(held, m.amount);
    if (!sum) return fail(Error::invalid("amount_overflow", "token balance overflow", "amount"));
    Stmt& add = stmts_.get(
        "INSERT INTO token_holdings (collection_id, token_id, account, amount) VALUES (?1, ?2, ?3, "
        "?4) "
        "ON CONFLICT (collection_id, token_id, account) DO UPDATE SET amount = ?5");
    add.bind(1, m.collection_id)
        .bind_blob(2, be(m.token_id))
        .bind(3, m.to)
        .bind_blob(4, be(m.amount));
    add.bind_blob(5, be(*sum));
    ATELIER_TRY(add.run("writing holding"));
  } else if (m.to.empty()) {
    // Burned: the holding check above bounds it by what `from` held, which supply includes.
    supply = ATELIER_VALUE(checked_sub(supply, m.amount),
                           "a burn of more than the supply passed the holding check");
  }
  if (supply != supply_before) {
    Stmt& su =
        stmts_.get("UPDATE tokens SET supply = ?3 WHERE collection_id = ?1 AND token_id = ?2");
    su.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind_blob(3, be(supply));
    ATELIER_TRY(su.run("writing supply"));
  }

  // Read back: the token's holders sum to its supply (while they are few; see above).
  Stmt& all = stmts_.get(
      "SELECT amount FROM token_holdings WHERE collection_id = ?1 AND token_id = ?2 LIMIT ?3");
  ScopedReset all_done(all);
  all.bind(1, m.collection_id).bind_blob(2, be(m.token_id)).bind(3, kHoldersSummedMax + 1);
  U256 held_total;
  std::int64_t holders = 0;
  Row row(all, "token_holdings", name);
  ATELIER_TRY(each_row(all, "reading holdings", [&]() -> Result<void> {
    ++holders;
    held_total = ATELIER_VALUE(checked_add(held_total, row.u256(0, "amount")),
                               "holdings overflow a U256 supply");
    return row.status();
  }));
  if (holders <= kHoldersSummedMax) {
    ATELIER_ASSERT(held_total == supply, "token " + name + " has supply " + supply.to_decimal() +
                                             " but its holders hold " + held_total.to_decimal());
  }
  return {};
}

Result<void> LedgerEntriesApply::token_moves() {
  for (const auto& m : entries_.moves) ATELIER_TRY(move_one(m));
  return {};
}

Result<void> LedgerEntriesApply::approvals_and_operators() {
  for (const auto& a : entries_.approvals) {
    Stmt& w =
        a.approved.empty()
            ? stmts_.get("DELETE FROM token_approvals WHERE collection_id = ?1 AND token_id = ?2")
            : stmts_.get(
                  "INSERT INTO token_approvals (collection_id, token_id, approved) VALUES (?1, ?2, "
                  "?3) "
                  "ON CONFLICT (collection_id, token_id) DO UPDATE SET approved = "
                  "excluded.approved");
    w.bind(1, a.collection_id).bind_blob(2, be(a.token_id));
    if (!a.approved.empty()) w.bind(3, a.approved);
    ATELIER_TRY(w.run("writing approval"));
  }
  for (const auto& o : entries_.operators) {
    Stmt& w = o.approved ? stmts_.get(
                               "INSERT OR IGNORE INTO token_operators (collection_id, owner, "
                               "operator) VALUES (?1, ?2, ?3)")
                         : stmts_.get(
                               "DELETE FROM token_operators WHERE collection_id = ?1 AND owner = "
                               "?2 AND operator = ?3");
    w.bind(1, o.collection_id).bind(2, o.owner).bind(3, o.operator_account);
    ATELIER_TRY(w.run("writing operator"));
  }
  return {};
}

}  // namespace atelier::store::internal
