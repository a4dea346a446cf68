// ledger.h — collections and tokens with ERC-721 / ERC-1155 semantics, accounts and their
// money in a double-entry ledger (issue 4 §1). Every call is one LedgerChange applied by the
// store with its log entry in the same transaction (store/ledger_store.h).
//
//   Ledger ledger(store, ledger_store, clock);
//   auto artist = ledger.create_account({.kind = "creator", .name = "Vera"});
//   auto c = ledger.create_collection({.id = "flows", .standard = "erc721", …});
//   auto t = ledger.mint({.collection = "flows", .asset_sha256 = sha, .to = artist->id});
//   ledger.transfer({.caller = artist->id, .collection = "flows", .token_id = t->token_id,
//                    .from = artist->id, .to = collector});
//
// Accounts stand where Ethereum has addresses; "" is the zero address. A call that the
// OpenZeppelin ERC-721 / ERC-1155 contracts (v4.9) would revert is refused with their revert
// string as the message and a stable code ("erc721_incorrect_owner", …), checked in the same
// order the contracts check. The store's invariants (no balance below zero, ERC-721 units ≤ 1)
// make a decision taken on a stale read fail instead of double-spending.
//
// Currencies: ETH (wei, 18 decimals) and USD (cents, 2). Amounts are U256 minor units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/strong_id.h"
#include "core/u256.h"
#include "store/ledger_store.h"
#include "store/store.h"

namespace atelier::ledger {

struct Currency {
  std::string_view code;
  int decimals;
};
// nullptr for a currency atelier does not know.
const Currency* find_currency(std::string_view code);
inline constexpr std::string_view kExternalAccount =
    "external";  // The world outside: may go negative.
inline constexpr std::string_view kPlatformAccount = "platform";
// Holds what auctions hold in trust: standing bids, tokens under auction, payments of a
// clearing-price Dutch auction until it settles. Never negative.
inline constexpr std::string_view kEscrowAccount = "escrow";

struct NewAccount {
  std::string id = {};    // Empty: "acct_" + random hex.
  std::string kind = {};  // creator | collector | platform
  std::string name = {};
};

struct NewCollection {
  std::string id = {};
  std::string standard = {};  // erc721 | erc1155
  std::string name = {};
  std::string description = {};
  std::string image = {};
  std::string external_url = {};
  std::string creator = {};           // Account.
  std::string generator = {};         // Generator name whose renders it mints (may be empty: any).
  U256 max_supply = {};               // 0: uncapped.
  std::int64_t royalty_bps = 0;  // EIP-2981, 0..10000.
  std::string royalty_receiver = {};  // Default: the creator.
  std::vector<store::Split> primary_splits = {};  // Sum 10000 bps; empty: all to the seller.
  std::vector<store::Split> royalty_splits = {};  // Sum 10000 bps; empty: all to royalty_receiver.
};

struct MintRequest {
  std::string caller = {};            // Must be the collection's creator.
  std::string collection = {};
  std::string asset_sha256 = {};      // A stored render's asset: the token is that render.
  std::string to = {};
  std::optional<U256> token_id = {};  // Default: the next id (count of tokens so far).
  U256 amount = U256(1);         // ERC-1155 editions; ERC-721: exactly 1.
  U256 max_supply = {};               // ERC-1155 per-id cap (0: none).
};

struct TransferRequest {
  std::string caller = {};
  std::string collection = {};
  U256 token_id = {};
  std::string from = {};
  std::string to = {};
  U256 amount = U256(1);
};

// One payment out of a sale.
struct Payout {
  std::string account;
  U256 amount;
  std::string role;  // "platform_fee", "royalty", "primary_split", "seller"
};

// How a sale of `price` by `seller` is paid out, exact to the minor unit:
//   platform fee   floor(price × fee_bps / 10,000) to the platform account;
//   primary sale   (the seller is the collection's creator) the rest is split by
//                  primary_splits, each floor(rest × bps / 10,000);
//   secondary sale the royalty floor(price × royalty_bps / 10,000) (EIP-2981 royaltyInfo),
//                  split by royalty_splits, each floor(royalty × bps / 10,000), or all to the
//                  royalty receiver; the seller gets the rest.
// Remainder rule: every unit rounding leaves goes to the seller, so the payouts always sum to
// the price exactly. Zero payouts are left out. A payee may appear more than once.
// "fees_exceed_price" when a secondary sale's fee and royalty bps sum over 10,000.
Result<std::vector<Payout>> sale_payouts(const store::CollectionRecord& collection,
                                         std::string_view seller, const U256& price,
                                         std::int64_t fee_bps);

struct RoyaltyInfo {
  std::string receiver;
  U256 amount;
};

struct AccountView {
  store::AccountRecord account;
  std::vector<store::Balance> balances;
  std::vector<store::TokenHolding> tokens;
};

class Ledger {
 public:
  Ledger(store::Store& store, store::LedgerStore& ledger,
         const Clock& clock = SystemClock::instance());

  // Creates the "external", "platform" and "escrow" accounts if missing (idempotent).
  Result<void> ensure_system_accounts();

  Result<store::AccountRecord> create_account(const NewAccount& request);
  Result<AccountView> account(std::string_view id);
  // Money in from outside (external → account) and out again. Codes: "unknown_currency",
  // "invalid_amount" (zero), "insufficient_funds".
  Result<store::LedgerReceipt> deposit(const AccountId& account, std::string_view currency,
                                       const U256& amount);
  Result<store::LedgerReceipt> withdraw(const AccountId& account, std::string_view currency,
                                        const U256& amount);

  Result<store::CollectionRecord> create_collection(const NewCollection& request);
  Result<store::TokenRecord> mint(const MintRequest& request);
  Result<store::LedgerReceipt> transfer(const TransferRequest& request);
  // ERC-721 approve(to, tokenId); an empty `approved` clears.
  Result<store::LedgerReceipt> approve(const AccountId& caller, const CollectionId& collection,
                                       const U256& token_id, const AccountId& approved);
  // setApprovalForAll. `caller` and `operator_account` are both accounts: the names at the
  // call site are all that keeps them apart (the store's is_operator takes them in the same
  // order: owner, operator).
  Result<store::LedgerReceipt> set_approval_for_all(const AccountId& caller,
                                                    const CollectionId& collection,
                                                    const AccountId& operator_account,
                                                    bool approved);
  Result<store::LedgerReceipt> burn(const AccountId& caller, const CollectionId& collection,
                                    const U256& token_id, const AccountId& from,
                                    const U256& amount);

  // ownerOf (ERC-721; "erc721_invalid_token_id"), balanceOf (both standards).
  Result<std::string> owner_of(const CollectionId& collection, const U256& token_id);
  Result<U256> balance_of(const CollectionId& collection, const AccountId& account,
                          const std::optional<U256>& token_id);
  // EIP-2981 royaltyInfo: salePrice × bps / 10,000, rounded down; "amount_overflow" where
  // salePrice × bps exceeds 2^256 − 1 (OpenZeppelin's ERC2981 reverts there).
  Result<RoyaltyInfo> royalty_info(const CollectionId& collection, const U256& sale_price);

  // Token metadata JSON (name, description, image, external_url, attributes from the render's
  // traits) and contract-level metadata (name, description, image, external_link,
  // seller_fee_basis_points, fee_recipient). `base_url` makes image URLs absolute.
  Result<std::string> token_metadata(const CollectionId& collection, const U256& token_id,
                                     std::string_view base_url);
  Result<std::string> contract_metadata(const CollectionId& collection, std::string_view base_url);

  store::LedgerStore& store() { return ledger_; }

 private:
  Result<store::CollectionRecord> require_collection(std::string_view id);
  Result<store::LedgerReceipt> apply(store::LedgerChange change);

  store::Store& store_;
  store::LedgerStore& ledger_;
  const Clock& clock_;
};

// {"id","kind","name","balances":[{"currency","amount","negative"}],"tokens":[{"collection",
// "token_id","amount"}]}: the body of GET /v1/accounts/{id} and `atelier ledger account show
// --json`.
std::string account_json(const AccountView& view);

// The log subject of a token ("token:<collection>/<decimal id>"): its events in every story.
std::string token_subject(std::string_view collection, const U256& id);

// 64 lowercase hex digits, zero-padded, no "0x": how ERC-1155 substitutes {id} in a URI.
std::string erc1155_id_hex(const U256& id);
// A token id in a JSON body or on the command line: canonical decimal only. (64 decimal digits
// are also 64 hex digits, so no other spelling can be told apart from it.)
std::optional<U256> parse_token_id(std::string_view text);
// A token id in a token URL path (/v1/collections/{id}/tokens/{token_id}/…) of a collection of
// `standard` ("erc721" or "erc1155"). ERC-1155 wallets fill {id} in the collection's metadata
// URI with 64 lowercase hex digits (erc1155_id_hex), so in an ERC-1155 collection a token_id
// of exactly 64 characters is read that way; every other token_id, and every token_id of
// another standard, is canonical decimal. (An ERC-1155 id of 64 decimal digits, 10^63 and up,
// is therefore written in its hex form in such a URL, as its metadata URI gives it.)
std::optional<U256> parse_token_id_in_url(std::string_view text, std::string_view standard);
// A money amount in minor units, canonical decimal; "invalid_amount" naming `field`.
Result<U256> parse_amount(std::string_view text, std::string_view field);

}  // namespace atelier::ledger
