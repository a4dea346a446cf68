// `atelier ledger approve|operator|burn|owner-of|balance-of|royalty`, run as a child process
// with a temporary --data directory: the printed answers, OpenZeppelin 4.9's revert strings as
// "error: <code>: <message> (field: <name>)" with exit code 2, and `ledger check` staying clean.
// tests/evm/differential.mjs drives the same commands against a real EVM.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_support.h"
#include "tests/store/test_dir.h"

namespace atelier {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using testing::Output;
using testing::quoted;

std::string describe(const Output& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout: " + o.out + "\nstderr: " + o.err;
}

// A data directory with accounts vera (creator), ann, bob and carl, a rendered asset, and
// collections "flows" (ERC-721, 7.5 % royalty to bob) and "prints" (ERC-1155).
class LedgerCli : public ::testing::Test {
 protected:
  Output run(const std::vector<std::string>& args) {
    return testing::run_shell(quoted(ATELIER_BIN) + " --data " + quoted((tmp_ / "data").string()),
                              args, tmp_.path());
  }
  // Runs a command that must succeed; its stdout.
  std::string ok(const std::vector<std::string>& args) {
    Output o = run(args);
    EXPECT_EQ(o.exit_code, 0) << describe(o);
    return o.out;
  }
  // Runs a command that must fail with `exit_code` and "error: <code>: <reason>".
  void refused(const std::vector<std::string>& args, int exit_code, const std::string& code,
               const std::string& reason = "") {
    Output o = run(args);
    EXPECT_EQ(o.exit_code, exit_code) << describe(o);
    EXPECT_THAT(o.err, HasSubstr("error: " + code + ": " + reason)) << describe(o);
    EXPECT_EQ(o.out, "");
  }

  void SetUp() override {
    fs::path generator =
        fs::path(ATELIER_SOURCE_DIR_DEFAULT) / "examples" / "generators" / "circle-packing";
    ok({"generator", "add", generator.string()});
    auto render = nlohmann::json::parse(
        ok({"render", "circle-packing", "--hash",
            "0x8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52", "--size", "16x16",
            "-o", (tmp_ / "a.png").string(), "--json"}));
    asset_ = render["sha256"];
    ok({"ledger", "account", "create", "--kind", "creator", "--id", "vera"});
    for (const char* id : {"ann", "bob", "carl"}) ok({"ledger", "account", "create", "--id", id});
    ok({"ledger", "collection", "create", "--id", "flows", "--name", "Flows", "--creator", "vera",
        "--royalty-bps", "750", "--royalty-receiver", "bob"});
    ok({"ledger", "collection", "create", "--id", "prints", "--standard", "erc1155", "--name",
        "Prints", "--creator", "vera"});
  }
  void TearDown() override {
    Output check = run({"ledger", "check"});
    EXPECT_EQ(check.exit_code, 0) << describe(check);
  }

  testing::TempDir tmp_;
  std::string asset_;
};

TEST_F(LedgerCli, HelpListsTheTokenCalls) {
  Output help = run({"ledger", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  for (const char* sub : {"approve", "operator", "burn", "owner-of", "balance-of", "royalty"}) {
    EXPECT_THAT(help.out, HasSubstr(sub));
    EXPECT_EQ(run({"ledger", sub, "--help"}).exit_code, 0) << sub;
  }
  EXPECT_THAT(ok({"ledger", "royalty", "--help"}), HasSubstr("EIP-2981"));
}

// amount_fuzz finding 1: a TOKEN_ID of exactly 64 decimal digits (10^63 and up) was read as
// 64 hex digits. On the command line a token id is canonical decimal only.
TEST_F(LedgerCli, TokenIdOf64DecimalDigitsRoundTrips) {
  const std::string big = "1" + std::string(62, '0') + "7";  // 10^63 + 7: 64 digits.
  ASSERT_EQ(big.size(), 64u);
  EXPECT_EQ(ok({"ledger", "mint", "flows", asset_, "--to", "ann", "--token-id", big}),
            "flows #" + big + "\n");
  EXPECT_EQ(ok({"ledger", "owner-of", "flows", big}), "ann\n");
  ok({"ledger", "transfer", "flows", big, "--from", "ann", "--to", "bob"});
  EXPECT_EQ(ok({"ledger", "owner-of", "flows", big}), "bob\n");
  EXPECT_EQ(
      ok({"ledger", "mint", "prints", asset_, "--to", "ann", "--token-id", big, "--amount", "3"}),
      "prints #" + big + "\n");
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "ann", big}), "3\n");
  // Its 64-hex spelling is not a command-line token id (only an ERC-1155 URL's {id} is hex).
  const std::string hex =
      "00000000000000000000000000000000000000000000000000000000000000"
      "1a";
  Output o = run({"ledger", "owner-of", "flows", hex});
  EXPECT_NE(o.exit_code, 0) << describe(o);
  EXPECT_THAT(o.err, HasSubstr("error: invalid_token_id")) << describe(o);
}

TEST_F(LedgerCli, Erc721ApproveOperatorBurnAndQueries) {
  EXPECT_EQ(ok({"ledger", "mint", "flows", asset_, "--to", "ann"}), "flows #0\n");
  EXPECT_EQ(ok({"ledger", "mint", "flows", asset_, "--to", "ann"}), "flows #1\n");
  EXPECT_EQ(ok({"ledger", "owner-of", "flows", "0"}), "ann\n");
  EXPECT_EQ(ok({"ledger", "balance-of", "flows", "ann"}), "2\n");
  EXPECT_EQ(ok({"ledger", "balance-of", "flows", "bob"}), "0\n");

  // approve: the owner only, never to the owner; the approved may transfer once.
  refused({"ledger", "approve", "flows", "0", "--to", "ann", "--as", "ann"}, 2,
          "erc721_approval_to_owner", "ERC721: approval to current owner");
  refused({"ledger", "approve", "flows", "0", "--to", "bob", "--as", "bob"}, 2,
          "erc721_approve_not_owner",
          "ERC721: approve caller is not token owner or approved for all");
  refused({"ledger", "approve", "flows", "9", "--to", "bob", "--as", "ann"}, 2,
          "erc721_invalid_token_id", "ERC721: invalid token ID");
  EXPECT_THAT(ok({"ledger", "approve", "flows", "0", "--to", "bob", "--as", "ann"}),
              HasSubstr("ok: log entry"));
  ok({"ledger", "transfer", "flows", "0", "--from", "ann", "--to", "carl", "--as", "bob"});
  EXPECT_EQ(ok({"ledger", "owner-of", "flows", "0"}), "carl\n");
  refused({"ledger", "transfer", "flows", "0", "--from", "carl", "--to", "bob", "--as", "bob"}, 2,
          "erc721_not_owner_or_approved", "ERC721: caller is not token owner or approved");
  // --to "" clears an approval.
  ok({"ledger", "approve", "flows", "1", "--to", "bob", "--as", "ann"});
  ok({"ledger", "approve", "flows", "1", "--to", "", "--as", "ann"});
  refused({"ledger", "transfer", "flows", "1", "--from", "ann", "--to", "bob", "--as", "bob"}, 2,
          "erc721_not_owner_or_approved");

  // operator: approved for all of the owner's tokens, until revoked.
  refused(
      {"ledger", "operator", "flows", "--owner", "ann", "--operator", "ann", "--approved", "true"},
      2, "erc721_approve_to_caller", "ERC721: approve to caller");
  refused(
      {"ledger", "operator", "flows", "--owner", "ann", "--operator", "bob", "--approved", "yes"},
      2, "invalid_flag");
  ok({"ledger", "operator", "flows", "--owner", "ann", "--operator", "bob", "--approved", "true"});
  ok({"ledger", "approve", "flows", "1", "--to", "carl", "--as",
      "bob"});  // An operator may approve.
  ok({"ledger", "operator", "flows", "--owner", "ann", "--operator", "bob", "--approved", "false"});
  refused({"ledger", "burn", "flows", "1", "--as", "bob"}, 2, "erc721_not_owner_or_approved");

  // burn: by the approved; afterwards ownerOf reverts and balances drop.
  EXPECT_THAT(ok({"ledger", "burn", "flows", "1", "--as", "carl"}), HasSubstr("ok: log entry"));
  refused({"ledger", "owner-of", "flows", "1"}, 2, "erc721_invalid_token_id",
          "ERC721: invalid token ID");
  refused({"ledger", "burn", "flows", "1", "--as", "ann"}, 2, "erc721_invalid_token_id");
  EXPECT_EQ(ok({"ledger", "balance-of", "flows", "ann"}), "0\n");
  EXPECT_EQ(ok({"ledger", "balance-of", "flows", "carl"}), "1\n");

  // Queries that have no answer.
  refused({"ledger", "balance-of", "flows", ""}, 2, "erc721_zero_address",
          "ERC721: address zero is not a valid owner");
  refused({"ledger", "balance-of", "flows", "carl", "0"}, 2, "unexpected_token_id");
  refused({"ledger", "owner-of", "prints", "0"}, 2, "not_erc721");
  refused({"ledger", "owner-of", "nope", "0"}, 3, "unknown_collection");
  refused({"ledger", "owner-of", "flows", "0x1"}, 2, "invalid_token_id");
}

TEST_F(LedgerCli, Erc1155BurnAndBalances) {
  ok({"ledger", "mint", "prints", asset_, "--to", "ann", "--token-id", "7", "--amount", "10"});
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "ann", "7"}), "10\n");
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "ann"}), "10\n");  // All ids.
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "bob", "7"}), "0\n");
  refused({"ledger", "balance-of", "prints", "", "7"}, 2, "erc1155_zero_address",
          "ERC1155: address zero is not a valid owner");

  // A zero-unit transfer succeeds, as in OpenZeppelin, and leaves no empty holding behind
  // (TearDown runs `ledger check`).
  ok({"ledger", "transfer", "prints", "7", "--from", "ann", "--to", "bob", "--amount", "0"});
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "bob", "7"}), "0\n");

  refused({"ledger", "burn", "prints", "7", "--from", "ann", "--as", "bob", "--amount", "1"}, 2,
          "erc1155_not_owner_or_approved", "ERC1155: caller is not token owner or approved");
  refused({"ledger", "burn", "prints", "7", "--from", "", "--as", "ann", "--amount", "1"},
          2,  // The zero address.
          "erc1155_not_owner_or_approved");
  refused({"ledger", "burn", "prints", "7", "--as", "ann", "--amount", "11"}, 2,
          "erc1155_burn_exceeds_balance", "ERC1155: burn amount exceeds balance");
  refused(
      {"ledger", "operator", "prints", "--owner", "ann", "--operator", "ann", "--approved", "true"},
      2, "erc1155_approval_for_self", "ERC1155: setting approval status for self");
  refused({"ledger", "approve", "prints", "7", "--to", "bob", "--as", "ann"}, 2, "not_erc721");
  ok({"ledger", "operator", "prints", "--owner", "ann", "--operator", "bob", "--approved", "true"});
  ok({"ledger", "burn", "prints", "7", "--from", "ann", "--as", "bob", "--amount", "4"});
  ok({"ledger", "burn", "prints", "7", "--as", "ann", "--amount", "0"});
  EXPECT_EQ(ok({"ledger", "balance-of", "prints", "ann", "7"}), "6\n");
  refused({"ledger", "burn", "prints", "7", "--as", "ann", "--amount", "-1"}, 2, "invalid_amount");
}

TEST_F(LedgerCli, RoyaltyIsEip2981RoyaltyInfo) {
  EXPECT_EQ(ok({"ledger", "royalty", "flows", "0", "1000000000000000001"}),
            "bob 75000000000000000\n");
  auto j = nlohmann::json::parse(
      ok({"ledger", "royalty", "flows", "0", "1000000000000000001", "--json"}));
  EXPECT_EQ(j, (nlohmann::json{{"receiver", "bob"}, {"royalty_amount", "75000000000000000"}}));
  EXPECT_EQ(ok({"ledger", "royalty", "flows", "42", "13"}),
            "bob 0\n");  // Rounded down; any token id.
  // salePrice × 750 overflows 256 bits where OpenZeppelin's ERC2981 reverts (Panic 0x11).
  const std::string max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  refused({"ledger", "royalty", "flows", "0", max}, 2, "amount_overflow");
  // The largest price that does not: floor((2^256 − 1) / 750).
  const std::string edge =
      "154389452316421593898094646678250543804359979554187418719276778677217506186";
  EXPECT_EQ(ok({"ledger", "royalty", "flows", "0", edge}),
            "bob 11579208923731619542357098500868790785326998466564056403945758400791312963\n");
  EXPECT_EQ(ok({"ledger", "royalty", "prints", "0", max}), "vera 0\n");  // 0 bps: no overflow.
  refused({"ledger", "royalty", "flows", "0", "1.5"}, 2, "invalid_amount");
  refused({"ledger", "royalty", "flows", "x", "1"}, 2, "invalid_token_id");
  refused({"ledger", "royalty", "nope", "0", "1"}, 3, "unknown_collection");
}

// A collection with a compliance policy (issue 16 §4) mints nothing without a decision; the
// policy is versioned and shown, and the review queue answers with clear errors.
TEST_F(LedgerCli, ACompliancePolicyGatesTheMint) {
  EXPECT_THAT(ok({"compliance", "policy", "show", "flows"}),
              HasSubstr("flows: policy version 0 (default)"));
  refused({"compliance", "policy", "set", "flows",
           R"({"pdq": [{"max_distance": 300, "action": "block"}]})"},
          2, "value_out_of_range");
  refused({"compliance", "policy", "set", "nope", "{}"}, 3, "unknown_collection");
  EXPECT_THAT(ok({"compliance", "policy", "set", "flows", R"({"exact_copy": "review"})"}),
              HasSubstr("flows: policy version 1 (sha256 "));
  const auto shown = nlohmann::json::parse(ok({"compliance", "policy", "show", "flows", "--json"}));
  EXPECT_EQ(shown["version"], 1);
  EXPECT_EQ(shown["policy"]["exact_copy"], "review");
  EXPECT_EQ(shown["policy"]["pdq"][0]["max_distance"], 31);  // The default's, filled in.

  refused({"ledger", "mint", "flows", asset_, "--to", "ann"}, 2, "compliance_required");
  EXPECT_EQ(ok({"ledger", "mint", "prints", asset_, "--to", "ann"}), "prints #0\n");  // No policy.
  EXPECT_EQ(ok({"compliance", "review", "list"}), "");
  const auto page = nlohmann::json::parse(ok({"compliance", "review", "list", "--json"}));
  EXPECT_TRUE(page["items"].empty());
  refused({"compliance", "review", "list", "--status", "maybe"}, 2, "invalid_status");
  refused({"compliance", "review", "approve", "dec_nope", "--reason", "ok"}, 3, "unknown_decision");
  refused({"compliance", "review", "show", "dec_nope"}, 3, "unknown_decision");
}

}  // namespace
}  // namespace atelier
