// Ledger: accounts and double-entry money, ERC-721 and ERC-1155 semantics with OpenZeppelin's
// revert reasons, the store's invariants under racing writers, metadata JSON, and the check.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "render/engine.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"
#include "tests/ledger/ledger_fixture.h"

namespace atelier::ledger {
namespace {

using nlohmann::json;

TEST_F(LedgerTest, DepositsAndWithdrawalsAreBalancedPostings) {
  ASSERT_TRUE(
      ledger->deposit(AccountId("alice"), "ETH", *U256::from_decimal("2000000000000000000")));
  ASSERT_TRUE(
      ledger->withdraw(AccountId("alice"), "ETH", *U256::from_decimal("500000000000000000")));
  auto a = ledger->account("alice");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->balances.size(), 1u);
  EXPECT_EQ(a->balances[0].amount.to_decimal(), "1500000000000000000");
  auto ext = ledger->account("external");
  EXPECT_TRUE(ext->balances[0].negative);  // The world outside owes what came in.
  // Over-withdrawing changes nothing.
  auto over =
      ledger->withdraw(AccountId("alice"), "ETH", *U256::from_decimal("1500000000000000001"));
  EXPECT_EQ(code_of(over), "insufficient_funds");
  EXPECT_EQ(over.error().field, "amount");
  EXPECT_EQ(ledger->account("alice")->balances[0].amount.to_decimal(), "1500000000000000000");
  EXPECT_EQ(code_of(ledger->deposit(AccountId("alice"), "DOGE", U256(1))), "unknown_currency");
  EXPECT_EQ(code_of(ledger->deposit(AccountId("alice"), "USD", U256(0))), "invalid_amount");
  EXPECT_EQ(code_of(ledger->deposit(AccountId("nobody"), "USD", U256(5))), "unknown_account");
  expect_ledger_ok();
}

TEST_F(LedgerTest, Erc721TransfersFollowOpenZeppelinsRules) {
  collection("flows", "erc721");
  U256 id = mint("flows", 1, "alice");
  EXPECT_EQ(id, U256(0));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "alice");
  EXPECT_EQ(*ledger->balance_of(CollectionId("flows"), AccountId("alice"), std::nullopt), U256(1));

  TransferRequest t{"bob", "flows", id, "alice", "bob"};
  EXPECT_EQ(reason_of(ledger->transfer(t)), "ERC721: caller is not token owner or approved");
  t.caller = "alice";
  t.from = "bob";
  EXPECT_EQ(reason_of(ledger->transfer(t)), "ERC721: transfer from incorrect owner");
  t.from = "alice";
  t.to = "";
  EXPECT_EQ(reason_of(ledger->transfer(t)), "ERC721: transfer to the zero address");
  t.token_id = U256(99);
  t.to = "bob";
  EXPECT_EQ(reason_of(ledger->transfer(t)), "ERC721: invalid token ID");

  // Approval lets bob move it once; the transfer clears the approval.
  EXPECT_EQ(
      reason_of(ledger->approve(AccountId("alice"), CollectionId("flows"), id, AccountId("alice"))),
      "ERC721: approval to current owner");
  EXPECT_EQ(
      reason_of(ledger->approve(AccountId("bob"), CollectionId("flows"), id, AccountId("bob"))),
      "ERC721: approve caller is not token owner or approved for all");
  ASSERT_TRUE(ledger->approve(AccountId("alice"), CollectionId("flows"), id, AccountId("bob")));
  ASSERT_TRUE(ledger->transfer({"bob", "flows", id, "alice", "carol"}));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "carol");
  EXPECT_EQ(*db->approved("flows", id), "");
  EXPECT_EQ(reason_of(ledger->transfer({"bob", "flows", id, "carol", "bob"})),
            "ERC721: caller is not token owner or approved");
  // An operator may move any of the owner's tokens.
  EXPECT_EQ(reason_of(ledger->set_approval_for_all(AccountId("carol"), CollectionId("flows"),
                                                   AccountId("carol"), true)),
            "ERC721: approve to caller");
  ASSERT_TRUE(ledger->set_approval_for_all(AccountId("carol"), CollectionId("flows"),
                                           AccountId("bob"), true));
  ASSERT_TRUE(ledger->transfer({"bob", "flows", id, "carol", "alice"}));
  ASSERT_TRUE(ledger->set_approval_for_all(AccountId("carol"), CollectionId("flows"),
                                           AccountId("bob"), false));

  // Minting the same id again, minting to nobody, and burning.
  MintRequest again{.caller = "artist",
                    .collection = "flows",
                    .asset_sha256 = asset(2),
                    .to = "alice",
                    .token_id = id};
  EXPECT_EQ(ledger->mint(again).error().message, "ERC721: token already minted");
  MintRequest nobody{.caller = "artist", .collection = "flows", .asset_sha256 = asset(2), .to = ""};
  EXPECT_EQ(ledger->mint(nobody).error().message, "ERC721: mint to the zero address");
  MintRequest stranger{
      .caller = "alice", .collection = "flows", .asset_sha256 = asset(2), .to = "alice"};
  EXPECT_EQ(ledger->mint(stranger).error().code, "not_collection_creator");
  EXPECT_EQ(reason_of(ledger->burn(AccountId("bob"), CollectionId("flows"), id, AccountId("alice"),
                                   U256(1))),
            "ERC721: caller is not token owner or approved");
  ASSERT_TRUE(
      ledger->burn(AccountId("alice"), CollectionId("flows"), id, AccountId("alice"), U256(1)));
  EXPECT_EQ(ledger->owner_of(CollectionId("flows"), id).error().message,
            "ERC721: invalid token ID");
  EXPECT_EQ(ledger->balance_of(CollectionId("flows"), AccountId(""), std::nullopt).error().message,
            "ERC721: address zero is not a valid owner");
  expect_ledger_ok();
}

TEST_F(LedgerTest, Erc1155EditionsMoveByAmount) {
  collection("editions", "erc1155");
  U256 id = mint("editions", 1, "alice", U256(10));
  EXPECT_EQ(*ledger->balance_of(CollectionId("editions"), AccountId("alice"), id), U256(10));
  ASSERT_TRUE(ledger->transfer({"alice", "editions", id, "alice", "bob", U256(3)}));
  EXPECT_EQ(*ledger->balance_of(CollectionId("editions"), AccountId("alice"), id), U256(7));
  EXPECT_EQ(*ledger->balance_of(CollectionId("editions"), AccountId("bob"), id), U256(3));
  EXPECT_EQ(reason_of(ledger->transfer({"alice", "editions", id, "alice", "bob", U256(8)})),
            "ERC1155: insufficient balance for transfer");
  EXPECT_EQ(reason_of(ledger->transfer({"carol", "editions", id, "alice", "carol", U256(1)})),
            "ERC1155: caller is not token owner or approved");
  EXPECT_EQ(reason_of(ledger->transfer({"alice", "editions", id, "alice", "", U256(1)})),
            "ERC1155: transfer to the zero address");
  EXPECT_EQ(reason_of(ledger->set_approval_for_all(AccountId("alice"), CollectionId("editions"),
                                                   AccountId("alice"), true)),
            "ERC1155: setting approval status for self");
  ASSERT_TRUE(ledger->set_approval_for_all(AccountId("alice"), CollectionId("editions"),
                                           AccountId("carol"), true));
  ASSERT_TRUE(ledger->transfer({"carol", "editions", id, "alice", "carol", U256(2)}));
  EXPECT_EQ(reason_of(ledger->burn(AccountId("bob"), CollectionId("editions"), id, AccountId("bob"),
                                   U256(4))),
            "ERC1155: burn amount exceeds balance");
  ASSERT_TRUE(
      ledger->burn(AccountId("bob"), CollectionId("editions"), id, AccountId("bob"), U256(3)));
  EXPECT_EQ(db->token("editions", id)->value().supply, U256(7));
  EXPECT_EQ(erc1155_id_hex(U256(10)), std::string(63, '0') + "a");
  EXPECT_EQ(parse_token_id_in_url(std::string(63, '0') + "a", "erc1155"), U256(10));
  EXPECT_FALSE(parse_token_id_in_url(std::string(63, '0') + "A", "erc1155"));
  EXPECT_FALSE(parse_token_id(std::string(63, '0') + "a"));  // Bodies and flags: decimal only.
  expect_ledger_ok();
}

// Found by tests/evm/differential.mjs: OpenZeppelin accepts a zero-unit ERC-1155 transfer; it
// must not leave an empty holding behind (the check reports those).
TEST_F(LedgerTest, ZeroUnitErc1155TransfersChangeNoHolding) {
  collection("zero", "erc1155");
  U256 id = mint("zero", 1, "alice", U256(5));
  ASSERT_TRUE(ledger->transfer({"alice", "zero", id, "alice", "bob", U256(0)}));
  ASSERT_TRUE(ledger->transfer({"bob", "zero", id, "bob", "carol", U256(0)}));  // bob holds none.
  ASSERT_TRUE(
      ledger->burn(AccountId("alice"), CollectionId("zero"), id, AccountId("alice"), U256(0)));
  EXPECT_EQ(*ledger->balance_of(CollectionId("zero"), AccountId("alice"), id), U256(5));
  EXPECT_EQ(*ledger->balance_of(CollectionId("zero"), AccountId("bob"), id), U256(0));
  EXPECT_TRUE(ledger->account("bob")->tokens.empty());
  EXPECT_EQ(code_of(ledger->transfer({"alice", "zero", id, "alice", "nobody", U256(0)})),
            "unknown_account");
  expect_ledger_ok();
}

// Found by tests/evm/differential.mjs: OpenZeppelin's ERC2981 reverts where salePrice × bps
// exceeds 2^256 − 1.
TEST_F(LedgerTest, RoyaltyInfoRefusesWhereErc2981Overflows) {
  collection("roy", "erc721");  // 750 bps.
  const U256 edge = *checked_div(U256::max(), U256(750));
  auto at_edge = ledger->royalty_info(CollectionId("roy"), edge);
  ASSERT_TRUE(at_edge) << at_edge.error().to_string();
  EXPECT_EQ(at_edge->amount, *checked_div(*checked_mul(edge, U256(750)), U256(10'000)));
  auto over = ledger->royalty_info(CollectionId("roy"), *checked_add(edge, U256(1)));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "amount_overflow");
}

TEST_F(LedgerTest, SupplyCapsHold) {
  collection("capped", "erc721", U256(2));
  mint("capped", 1, "alice");
  mint("capped", 2, "alice");
  MintRequest third{
      .caller = "artist", .collection = "capped", .asset_sha256 = asset(3), .to = "alice"};
  EXPECT_EQ(ledger->mint(third).error().code, "supply_exceeded");
  EXPECT_EQ(*db->token_count("capped"), 2u);
  collection("ed", "erc1155");
  MintRequest edition{.caller = "artist",
                      .collection = "ed",
                      .asset_sha256 = asset(4),
                      .to = "alice",
                      .amount = U256(5),
                      .max_supply = U256(5)};
  ASSERT_TRUE(ledger->mint(edition));
  expect_ledger_ok();
}

TEST_F(LedgerTest, RacingTransfersOfOneTokenLetExactlyOneWin) {
  collection("race", "erc721");
  for (int round = 0; round < 5; ++round) {
    U256 id = mint("race", 10 + round, "alice");
    ASSERT_TRUE(ledger->set_approval_for_all(AccountId("alice"), CollectionId("race"),
                                             AccountId("bob"), true));
    ASSERT_TRUE(ledger->set_approval_for_all(AccountId("alice"), CollectionId("race"),
                                             AccountId("carol"), true));
    std::atomic<int> wins{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        std::string to = t % 2 ? "bob" : "carol";
        auto r = ledger->transfer({to, "race", id, "alice", to});
        if (r) {
          ++wins;
        } else {
          ++conflicts;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(conflicts.load(), 7);
    auto holders = db->holders("race", id);
    ASSERT_EQ(holders->size(), 1u);
    EXPECT_NE(holders->front().account, "alice");
  }
  expect_ledger_ok();
}

TEST_F(LedgerTest, MetadataIsWhatWalletsRead) {
  collection("meta", "erc721");
  U256 id = mint("meta", 1, "alice");
  auto text = ledger->token_metadata(CollectionId("meta"), id, "https://gallery.example");
  ASSERT_TRUE(text) << text.error().to_string();
  auto j = json::parse(*text);
  EXPECT_EQ(j["name"], "Flows #0");
  EXPECT_EQ(j["description"], "Flow fields");
  EXPECT_TRUE(j["image"].get<std::string>().starts_with("https://gallery.example/v1/assets/"));
  ASSERT_TRUE(j["attributes"].is_array());
  for (const auto& a : j["attributes"]) {
    EXPECT_TRUE(a.contains("trait_type"));
    EXPECT_TRUE(a.contains("value"));
  }
  auto contract =
      json::parse(*ledger->contract_metadata(CollectionId("meta"), "https://gallery.example"));
  EXPECT_EQ(contract["seller_fee_basis_points"], 750);
  EXPECT_EQ(contract["fee_recipient"], "artist");
  auto royalty =
      ledger->royalty_info(CollectionId("meta"), *U256::from_decimal("1000000000000000001"));
  EXPECT_EQ(royalty->amount.to_decimal(), "75000000000000000");  // 7.5 %, rounded down.
  EXPECT_EQ(ledger->token_metadata(CollectionId("meta"), U256(5), "").error().code,
            "unknown_token");
}

TEST_F(LedgerTest, EveryChangeIsLoggedWithItsSubjects) {
  collection("logged", "erc721");
  std::string sha = asset(7);
  auto t = ledger->mint(
      {.caller = "artist", .collection = "logged", .asset_sha256 = sha, .to = "alice"});
  ASSERT_TRUE(t);
  ASSERT_TRUE(ledger->transfer({"alice", "logged", t->token_id, "alice", "bob"}));
  auto about_asset = db->log_indexes("asset:" + sha);
  ASSERT_EQ(about_asset->size(), 3u);  // render, mint, transfer
  std::vector<std::string> types;
  for (auto i : *about_asset)
    types.push_back(json::parse(db->log_entries(i, i + 1)->front().entry)["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"render", "mint", "transfer"}));
}

TEST_F(LedgerTest, TheCheckFindsATamperedBalanceOrHolding) {
  collection("c", "erc721");
  mint("c", 1, "alice");
  ASSERT_TRUE(ledger->deposit(AccountId("alice"), "USD", U256(500)));
  expect_ledger_ok();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "atelier.db").c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h,
                         ("UPDATE balances SET amount = x'" + std::string(62, '0') +
                          "ff' WHERE account = 'alice';"
                          "INSERT INTO token_holdings SELECT collection_id, token_id, 'bob', "
                          "amount FROM token_holdings;")
                             .c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  auto check = db->check_ledger();
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  ASSERT_GE(check->problems.size(), 2u);
}

}  // namespace
// amount_fuzz finding 1: a token id of exactly 64 decimal digits (10^63 .. 10^64 - 1) was
// read as 64 hex digits, naming another token. Bodies and the command line read decimal only;
// a token URL reads 64 characters as hex only in an ERC-1155 collection ({id} substitution).
TEST(TokenIdParsing, SixtyFourDecimalDigitsAreDecimal) {
  const std::string big = "1" + std::string(62, '0') + "7";  // 10^63 + 7.
  ASSERT_EQ(big.size(), 64u);
  const U256 id = *U256::from_decimal(big);
  EXPECT_EQ(parse_token_id(big), id);
  EXPECT_EQ(parse_token_id_in_url(big, "erc721"), id);
  EXPECT_EQ(parse_token_id(std::string(64, '9')), U256::from_decimal(std::string(64, '9')));
  // In an ERC-1155 URL, 64 characters are the hex {id}: the same digits name 0x1000…0007.
  EXPECT_EQ(parse_token_id_in_url(erc1155_id_hex(id), "erc1155"), id);
  EXPECT_NE(parse_token_id_in_url(big, "erc1155"), id);
  EXPECT_EQ(erc1155_id_hex(*parse_token_id_in_url(big, "erc1155")), big);
  // Other lengths are decimal in every standard; hex is never read outside an ERC-1155 URL.
  EXPECT_EQ(parse_token_id_in_url("26", "erc1155"), U256(26));
  EXPECT_FALSE(parse_token_id_in_url("1a", "erc1155"));
  EXPECT_FALSE(parse_token_id_in_url(erc1155_id_hex(U256(26)), "erc721"));
  EXPECT_FALSE(parse_token_id(erc1155_id_hex(U256(26))));
  // Canonical decimal only: no sign, no leading zero, nothing from 2^256 on.
  EXPECT_FALSE(parse_token_id("+1"));
  EXPECT_FALSE(parse_token_id("01"));
  EXPECT_FALSE(parse_token_id(""));
  EXPECT_EQ(parse_token_id(U256::max().to_decimal()), U256::max());
  EXPECT_FALSE(parse_token_id(
      "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  EXPECT_FALSE(parse_token_id_in_url(std::string(63, '0') + "g", "erc1155"));
}

}  // namespace atelier::ledger
