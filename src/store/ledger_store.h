// ledger_store.h — storage for the transaction layer (issue 4): accounts, double-entry
// postings and balances, collections, tokens and who holds them.
//
// Writes are declarative: the ledger engine (src/ledger) reads, decides, and hands the store
// one LedgerChange; the store applies it in one group-committed transaction with its log
// entry, after checking the invariants no stale decision may break:
//   - every currency's postings balance to zero (credits == debits);
//   - no balance goes negative unless its account allows it (external accounts);
//   - no token balance goes negative; an ERC-721 token has at most one unit, held by one owner;
//   - a minted token did not exist; every account and collection named exists.
// So two buyers racing for the last token cannot both win: the second change would take the
// seller's balance of that token below zero and is refused as a whole ("ledger_conflict").
//
// Amounts are U256 (DESIGN.md "Money"); SQLite keeps them as 32-byte big-endian BLOBs (which
// also sort numerically). Token amounts are U256 too (ERC-1155 balances are uint256).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/u256.h"
#include "store/store.h"

namespace atelier::store {

struct AccountRecord {
  std::string id;
  std::string kind;  // "creator", "collector", "platform", "external".
  std::string name;
  bool allow_negative = false;  // Only "external" (the world outside: deposits, withdrawals).
  std::int64_t created_ms = 0;
};

// A balance that may be negative (external accounts): sign and magnitude.
struct Balance {
  std::string currency;
  U256 amount;
  bool negative = false;
};

struct Posting {
  std::string account;
  std::string currency;
  U256 amount;
  bool credit = true;  // Credit raises the account's balance, debit lowers it.
};

// A share of a payment, in basis points of it.
struct Split {
  std::string account;
  std::int64_t bps = 0;
  bool operator==(const Split&) const = default;
};

struct CollectionRecord {
  std::string id;
  std::string standard;  // "erc721" or "erc1155".
  std::string name;
  std::string description;
  std::string image;
  std::string external_url;
  std::string creator_account;
  std::string generator_name;
  U256 max_supply;               // Tokens (ERC-721) or token ids (ERC-1155); 0: no cap.
  std::int64_t royalty_bps = 0;  // EIP-2981, 0..10000.
  std::string royalty_receiver;  // Account.
  std::int64_t created_ms = 0;
  std::vector<Split> primary_splits = {};  // First sales' proceeds (sum 10000); empty: the seller.
  std::vector<Split> royalty_splits = {};  // The royalty (sum 10000); empty: royalty_receiver.
};

struct TokenRecord {
  std::string collection_id;
  U256 token_id;
  std::string recipe_id;
  std::string asset_sha256;
  std::string token_hash;
  U256 supply;      // Units in existence (ERC-721: 1, or 0 once burned).
  U256 max_supply;  // ERC-1155 edition cap per id (0: no cap); ERC-721: 1.
  std::int64_t created_ms = 0;
};

struct TokenHolding {
  std::string collection_id;
  U256 token_id;
  std::string account;
  U256 amount;
};

// A change of one token's units: mint (to set, from empty), transfer (from and to), burn.
struct TokenMove {
  std::string collection_id;
  U256 token_id;
  std::string from;  // Empty: minted.
  std::string to;    // Empty: burned.
  U256 amount;
};

// A listing's state. Stored as its name (listings.status, CHECKed by the schema); read back
// through parse_listing_status, so an unknown name is corruption, never a default.
enum class ListingStatus {
  kActive,     // Open for purchases or bids (within its window).
  kSoldOut,    // Every unit sold (a clearing-price auction still settles after).
  kCancelled,  // Withdrawn by the seller or an admin.
  kEnded,      // Closed without a sale (an auction nobody bid on or bought from).
  kSettled,    // An auction paid out.
};
std::string_view listing_status_name(ListingStatus status);
std::optional<ListingStatus> parse_listing_status(std::string_view name);
// Cancelled, ended or settled: nothing more happens to it.
bool is_closed(ListingStatus status);

// How a listing sells: at a fixed price, by English auction (bids), or at a price that a
// pricing model (market/pricing.h, the same names) sets by the clock and the units sold.
// Stored as its name (listings.kind); read back through parse_listing_kind, so an unknown name
// is corruption, never a default. Doors parse a client's name with parse_listing_kind too.
enum class ListingKind {
  kFixed,             // "fixed"
  kEnglish,           // "english"
  kDutchLinear,       // "dutch-linear"
  kDutchExponential,  // "dutch-exponential"
  kGdaDiscrete,       // "gda-discrete"
  kGdaContinuous,     // "gda-continuous"
  kVrgdaLinear,       // "vrgda-linear"
  kVrgdaLogistic,     // "vrgda-logistic"
};
std::string_view listing_kind_name(ListingKind kind);
std::optional<ListingKind> parse_listing_kind(std::string_view name);

struct ListingRecord {
  std::string id;
  ListingKind kind = ListingKind::kFixed;
  std::string collection_id;
  U256 token_id;
  std::string seller;
  std::string currency;
  U256 quantity;
  U256 sold;
  ListingStatus status = ListingStatus::kActive;
  std::string terms;  // Canonical JSON of the kind's price parameters, e.g. {"price":"100"}.
  std::int64_t platform_fee_bps = 0;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;  // 0: open-ended. A bid near the end of an English auction extends it.
  std::int64_t created_ms = 0;
  // English auctions: the standing bid (escrowed) and how many bids came before.
  std::string high_bidder = {};
  U256 high_bid = {};
  std::uint64_t bid_count = 0;
  std::string outcome = {};  // Canonical JSON, set when settled, ended or cancelled.
};

struct BidRecord {
  std::string listing_id;
  std::uint64_t seq = 0;
  std::string bidder;
  U256 amount;
  std::int64_t time_ms = 0;
  std::uint64_t log_index = 0;
};

// One purchase from a listing (seq assigned by the store, in commit order).
struct SaleRecord {
  std::string listing_id;
  std::uint64_t seq = 0;
  std::string buyer;
  U256 quantity;
  U256 unit_price;
  U256 total;
  std::int64_t time_ms = 0;
  std::uint64_t log_index = 0;
};

// A registered price feed (market/oracle.h "Oracles"). The store keeps its update policy as
// opaque canonical JSON: the market layer writes and parses it.
struct FeedRecord {
  std::string id;               // "ETH-USD"
  std::string policy;           // Canonical JSON of the policy.
  std::int64_t created_ms = 0;  // Kept when the policy is replaced.
  std::int64_t updated_ms = 0;
};

// The latest report of one source for one feed. Earlier reports live in the transparency log
// only (each was logged when it arrived).
struct FeedReportRecord {
  std::string feed_id;
  std::string source;
  U256 price_wad;                // 18-decimal fixed point, quote per base.
  std::int64_t observed_ms = 0;  // When the reporter saw the price.
  std::int64_t received_ms = 0;  // When atelier recorded it.
  std::uint64_t log_index = 0;   // The entry that recorded it; set by the store.
};

struct LedgerReceipt {
  std::uint64_t log_index = 0;
};

// An idempotent request answered in the transaction of the change it makes (store.h
// "Idempotency"): after the change applied, `respond` turns its receipt into the response, which
// is stored for the claim held under `fence` — or, when that claim was completed or taken over
// meanwhile, the whole change is refused ("idempotency_claim_lost") and nothing is written.
struct IdempotentCompletion {
  IdempotencyFence fence;
  std::function<Result<IdempotentResponse>(const LedgerReceipt&)> respond;
};

// What a change does to balances and tokens (ledger/ledger.h builds it).
struct LedgerEntries {
  std::vector<AccountRecord> new_accounts;
  std::vector<CollectionRecord> new_collections;
  std::vector<TokenRecord> new_tokens;  // Mints; the units arrive through `moves`.
  std::vector<Posting> postings;
  std::vector<TokenMove> moves;
  // ERC-721 single-token approvals to set ("" clears); cleared on transfer by the engine.
  struct Approval {
    std::string collection_id;
    U256 token_id;
    std::string approved;
  };
  std::vector<Approval> approvals;
  struct Operator {
    std::string collection_id;
    std::string owner;
    std::string operator_account;
    bool approved = false;
  };
  std::vector<Operator> operators;
};

// What a change does to listings: new ones, units sold, auction transitions, sales rows
// (market/listings.h, bids.cc, purchase.cc, settlement.cc build it).
struct ListingChanges {
  std::vector<ListingRecord> new_listings;
  // Units sold from a listing, applied under the write lock: refused whole with "sold_out"
  // when fewer than `add_sold` are left, "listing_not_active" unless it is active. With
  // `expected_sold` (prices that depend on how many sold: GDA, VRGDA) it applies only if the
  // listing still shows that count, else "listing_changed" (re-read and retry).
  struct Update {
    std::string id;
    U256 add_sold;
    std::optional<U256> expected_sold = std::nullopt;
  };
  std::vector<Update> updates;
  // A listing's state change, applied under the write lock only if the listing still has
  // `from_status` and (when given) `expected_bid_count`, else "listing_changed" (re-read and
  // decide again); "listing_not_active" when it was cancelled meanwhile. `expected_sold`
  // likewise guards decisions taken on the sales so far (settling, cancelling). A bid becomes the
  // standing bid (bid_count + 1, a bids row); `ends_ms` extends an auction; `to_status`,
  // `sold` and `outcome` record closing, settling or cancelling.
  struct Transition {
    std::string id;
    ListingStatus from_status = ListingStatus::kActive;
    std::optional<std::uint64_t> expected_bid_count = std::nullopt;
    std::optional<U256> expected_sold = std::nullopt;
    struct Bid {
      std::string bidder;
      U256 amount;
    };
    std::optional<Bid> bid = std::nullopt;
    std::optional<std::int64_t> ends_ms = std::nullopt;
    std::optional<ListingStatus> to_status = std::nullopt;  // Unset: unchanged.
    std::optional<U256> sold = std::nullopt;
    std::string outcome = {};
  };
  std::vector<Transition> transitions;
  // Purchases to record in `sales` (seq and log_index filled in by the store).
  std::vector<SaleRecord> sales;
};

// What a change does to price feeds (market/feeds.h builds it).
struct OracleChanges {
  // Price feeds to register, or (an id that exists) whose policy to replace: created_ms is
  // then kept and updated_ms written.
  std::vector<FeedRecord> feeds;
  // Each replaces its source's stored report for the feed (applied after `feeds`, so a feed
  // registered in the same change may be reported to). Refused whole with "unknown_feed"
  // (field "feed"), "report_out_of_order" (field "observed_ms": older than the stored report
  // of that source; an equal observed_ms replaces it, as aggregate() lets the later arrival
  // win), or "too_many_sources" (the feed already holds limits::kOracleReportsMax sources'
  // reports, all that one aggregation may read).
  std::vector<FeedReportRecord> reports;
};

// One atomic change: its ledger, listing and oracle parts, applied together with their log
// entry (store/internal/ledger_apply.h gives the order and the file of each part's applier).
struct LedgerChange {
  LedgerEntries ledger;
  ListingChanges listings;
  OracleChanges oracle;
  std::int64_t time_ms = 0;  // When the change was decided (bids and sales rows).
  LogEvent event;            // Required: every change is logged in the same transaction.
  std::optional<IdempotentCompletion> completion = std::nullopt;  // See IdempotentCompletion.
};

// What a caller hands an engine operation whose result is a T to answer its idempotent
// request inside the operation's transaction: the claim's fence, and the response to a result.
template <typename T>
struct Respond {
  IdempotencyFence fence;
  std::function<Result<IdempotentResponse>(const T&)> answer;
};

// The completion of a change whose result the engine makes from its receipt with `make`;
// none without `respond` (no Idempotency-Key). `respond` must outlive the change.
template <typename T, typename Make>
std::optional<IdempotentCompletion> complete_with(const Respond<T>* respond, Make make) {
  if (respond == nullptr) return std::nullopt;
  return IdempotentCompletion{respond->fence,
                              [respond, make = std::move(make)](const LedgerReceipt& r) {
                                return respond->answer(make(r));
                              }};
}

// What `atelier ledger check` found.
struct LedgerCheck {
  bool ok = true;
  std::uint64_t postings = 0;
  std::uint64_t accounts = 0;
  std::uint64_t tokens = 0;
  std::vector<std::string> problems;  // Empty when ok.
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;
  // Applies `change` atomically with its log entry, or refuses it whole. Codes:
  // "ledger_unbalanced" (postings), "insufficient_funds" (field "amount"),
  // "ledger_conflict" (a token balance would go below zero: someone moved it first),
  // "token_exists", "unknown_account", "unknown_collection", "unknown_token",
  // "account_exists", "collection_exists", "supply_exceeded", and the feeds' codes above.
  virtual Result<LedgerReceipt> apply_ledger_change(const LedgerChange& change) = 0;

  virtual Result<std::optional<AccountRecord>> account(std::string_view id) = 0;
  virtual Result<std::vector<Balance>> balances(std::string_view account) = 0;
  virtual Result<std::optional<CollectionRecord>> collection(std::string_view id) = 0;
  virtual Result<std::optional<TokenRecord>> token(std::string_view collection,
                                                   const U256& token_id) = 0;
  // Tokens of a collection, by id, and how many exist.
  virtual Result<std::vector<TokenRecord>> tokens(std::string_view collection, std::int64_t limit,
                                                  const std::optional<U256>& after) = 0;
  virtual Result<std::uint64_t> token_count(std::string_view collection) = 0;
  // Holdings of one token (ERC-721: at most one) or of one account.
  virtual Result<std::vector<TokenHolding>> holders(std::string_view collection,
                                                    const U256& token_id) = 0;
  virtual Result<std::vector<TokenHolding>> holdings(std::string_view account) = 0;
  virtual Result<std::string> approved(std::string_view collection, const U256& token_id) = 0;
  virtual Result<bool> is_operator(std::string_view collection, std::string_view owner,
                                   std::string_view operator_account) = 0;
  virtual Result<std::optional<ListingRecord>> listing(std::string_view id) = 0;
  // A listing's bids and sales, oldest first.
  virtual Result<std::vector<BidRecord>> bids(std::string_view listing_id) = 0;
  // One page of a listing's bids, oldest first; the cursor is the last bid's seq.
  // "invalid_cursor" for one this store did not issue.
  virtual Result<Page<BidRecord>> bids(std::string_view listing_id, const PageRequest& page) = 0;
  virtual Result<std::vector<SaleRecord>> sales(std::string_view listing_id) = 0;
  // Price feeds: one by id, all by id, and a feed's latest report per source, by source.
  virtual Result<std::optional<FeedRecord>> feed(std::string_view id) = 0;
  virtual Result<std::vector<FeedRecord>> feeds() = 0;
  virtual Result<std::vector<FeedReportRecord>> feed_reports(std::string_view feed_id) = 0;
  // Recomputes every invariant from the postings and holdings (see LedgerCheck).
  virtual Result<LedgerCheck> check_ledger() = 0;
};

}  // namespace atelier::store
