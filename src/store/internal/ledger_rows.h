// ledger_rows.h — how the ledger's records are laid out in SQLite and read back, shared by
// the appliers (ledger_apply.h), the reads and the whole-ledger check. Private to src/store.
//
// Amounts are 32-byte big-endian BLOBs; a row that holds anything else is reported as
// corruption naming its table, row and column (sqlite_stmt.h Row), never read as zero.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "store/internal/sqlite_stmt.h"
#include "store/ledger_store.h"

namespace atelier::store::internal {

inline std::array<std::uint8_t, 32> be(const U256& v) { return v.to_be_bytes(); }

inline std::string token_name(std::string_view collection, const U256& id) {
  return std::string(collection) + "#" + id.to_decimal();
}

inline Error conflict(std::string code, std::string message, std::string field = {}) {
  return Error::conflict(std::move(code), std::move(message), std::move(field));
}

// A signed amount for balance arithmetic: magnitude and sign.
struct Signed {
  U256 amount;
  bool negative = false;
};

// a + (credit ? +x : -x); nullopt on 256-bit overflow.
std::optional<Signed> apply(const Signed& a, const U256& x, bool credit);

// A listing's status column (the schema CHECKs the names); an unknown one is corruption.
inline ListingStatus listing_status_at(Row& row, int col) {
  const std::string name = row.text(col);
  if (auto status = parse_listing_status(name)) return *status;
  row.bad("status", "unexpected value \"" + name + "\"");
  return ListingStatus::kActive;
}

// A listing's kind column; an unknown one is corruption.
inline ListingKind listing_kind_at(Row& row, int col) {
  const std::string name = row.text(col);
  if (auto kind = parse_listing_kind(name)) return *kind;
  row.bad("kind", "unexpected value \"" + name + "\"");
  return ListingKind::kFixed;
}

inline constexpr std::string_view kCollectionColumns =
    "id, standard, name, description, image, external_url, creator_account, generator_name, "
    "max_supply, royalty_bps, royalty_receiver, created_ms, primary_splits, royalty_splits";
inline constexpr std::string_view kTokenColumns =
    "collection_id, token_id, recipe_id, asset_sha256, token_hash, supply, max_supply, created_ms";
// The columns a new listing is inserted with; a read adds the auction state after them.
inline constexpr std::string_view kListingColumns =
    "id, kind, collection_id, token_id, seller, currency, quantity, sold, status, terms, "
    "platform_fee_bps, starts_ms, ends_ms, created_ms";
inline constexpr std::string_view kListingReadColumns =
    "id, kind, collection_id, token_id, seller, currency, quantity, sold, status, terms, "
    "platform_fee_bps, starts_ms, ends_ms, created_ms, high_bidder, high_bid, bid_count, outcome";

std::string splits_json(const std::vector<Split>& splits);

// "collection#id" of a row's collection and token id columns, for naming it in errors.
std::string token_key(const Stmt& s, int collection_col, int id_col);

// Rows selected with the column lists above.
Result<CollectionRecord> read_collection(const Stmt& s);
Result<TokenRecord> read_token(const Stmt& s);
Result<ListingRecord> read_listing(const Stmt& s);

}  // namespace atelier::store::internal
