// `atelier ledger …`: accounts, money, collections and tokens from the command line.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli.h"

namespace atelier::cli {

namespace {

U256 amount_or_exit(const std::string& text, std::string_view field) {
  return or_exit(ledger::parse_amount(text, field));
}

U256 token_id_or_exit(const std::string& text) {
  auto id = ledger::parse_token_id(text);
  if (!id)
    exit_with(Error::invalid("invalid_token_id", "TOKEN_ID must be a decimal integer below 2^256",
                             "token_id"));
  return *id;
}

void add_accounts(CLI::App& ledger, Globals& globals) {
  auto* account = ledger.add_subcommand("account", "Accounts (creators, collectors, the platform)");
  account->require_subcommand(1);

  auto create = std::make_shared<ledger::NewAccount>();
  create->kind = "collector";
  auto* c = account->add_subcommand("create", "Create an account");
  c->add_option("--kind", create->kind, "creator, collector or platform")->capture_default_str();
  c->add_option("--name", create->name, "display name");
  c->add_option("--id", create->id, "account id, [a-z0-9._-]{1,64} (default: generated)");
  c->callback([&globals, create] {
    Context ctx = open_or_exit(globals);
    auto a = or_exit(ctx.ledger->create_account(*create));
    print(a.id + "\n");
  });

  auto show_id = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* s = account->add_subcommand("show", "Balances and tokens of an account");
  s->add_option("ID", *show_id, "account id")->required();
  s->add_flag("--json", *show_json, "print JSON");
  s->callback([&globals, show_id, show_json] {
    Context ctx = open_or_exit(globals);
    auto v = or_exit(ctx.ledger->account(*show_id));
    if (*show_json) return print(ledger::account_json(v) + "\n");
    std::string out = v.account.id + " (" + v.account.kind +
                      (v.account.name.empty() ? "" : ", " + v.account.name) + ")\n";
    for (const auto& b : v.balances) {
      out += "  " + b.currency + " " + (b.negative ? "-" : "") + b.amount.to_decimal() + "\n";
    }
    for (const auto& t : v.tokens) {
      out += "  " + t.collection_id + " #" + t.token_id.to_decimal() + " x" +
             t.amount.to_decimal() + "\n";
    }
    print(out);
  });
}

void add_money(CLI::App& ledger, Globals& globals) {
  for (bool in : {true, false}) {
    struct Args {
      std::string account, amount, currency = "ETH";
    };
    auto a = std::make_shared<Args>();
    auto* cmd =
        ledger.add_subcommand(in ? "deposit" : "withdraw",
                              in ? "Money in from outside: AMOUNT in minor units (wei, cents)"
                                 : "Money out to outside: AMOUNT in minor units (wei, cents)");
    cmd->add_option("ACCOUNT", a->account, "account id")->required();
    cmd->add_option("AMOUNT", a->amount, "minor units, decimal")->required();
    cmd->add_option("--currency", a->currency, "ETH (wei) or USD (cents)")->capture_default_str();
    cmd->callback([&globals, a, in] {
      Context ctx = open_or_exit(globals);
      U256 amount = amount_or_exit(a->amount, "amount");
      auto r = or_exit(in ? ctx.ledger->deposit(AccountId(a->account), a->currency, amount)
                          : ctx.ledger->withdraw(AccountId(a->account), a->currency, amount));
      print("ok: log entry " + std::to_string(r.log_index) + "\n");
    });
  }
  auto json = std::make_shared<bool>(false);
  auto* check = ledger.add_subcommand(
      "check",
      "Verify every ledger invariant: postings sum to zero per currency, balances equal "
      "their postings, no negative balance where not allowed, token supply equals "
      "holdings, one owner per ERC-721 token; exit 1 naming each problem");
  check->add_flag("--json", *json, "print JSON");
  check->callback([&globals, json] {
    Context ctx = open_or_exit(globals);
    auto r = or_exit(ctx.db->check_ledger());
    if (*json) {
      print(nlohmann::json{{"ok", r.ok},
                           {"postings", r.postings},
                           {"accounts", r.accounts},
                           {"tokens", r.tokens},
                           {"problems", r.problems}}
                .dump() +
            "\n");
    } else if (r.ok) {
      print("ok: " + std::to_string(r.postings) + " postings, " + std::to_string(r.accounts) +
            " accounts, " + std::to_string(r.tokens) + " tokens consistent\n");
    } else {
      for (const auto& p : r.problems) std::fprintf(stderr, "FAILED: %s\n", p.c_str());
    }
    if (!r.ok) exit_with(kExitFailed);
  });
}

// The collection `id`, or exit with "unknown_collection".
store::CollectionRecord collection_or_exit(Context& ctx, const std::string& id) {
  auto c = or_exit(ctx.db->collection(id));
  if (!c) exit_with(Error::not_found("unknown_collection", "no collection " + id, "collection"));
  return std::move(*c);
}

void add_tokens(CLI::App& ledger, Globals& globals) {
  auto coll = std::make_shared<ledger::NewCollection>();
  auto max_supply = std::make_shared<std::string>("0");
  coll->standard = "erc721";
  auto* collection = ledger.add_subcommand("collection", "Collections");
  collection->require_subcommand(1);
  auto* cc =
      collection->add_subcommand("create", "Create a collection (ERC-721 or ERC-1155 semantics)");
  cc->add_option("--id", coll->id, "collection id, [a-z0-9._-]{1,64}")->required();
  cc->add_option("--standard", coll->standard, "erc721 or erc1155")->capture_default_str();
  cc->add_option("--name", coll->name, "name")->required();
  cc->add_option("--description", coll->description, "description");
  cc->add_option("--image", coll->image, "collection image URL");
  cc->add_option("--external-url", coll->external_url, "the collection's web page");
  cc->add_option("--creator", coll->creator, "creator account")->required();
  cc->add_option("--generator", coll->generator, "mint only renders of this generator");
  cc->add_option("--max-supply", *max_supply, "token cap (0: none)")->capture_default_str();
  cc->add_option("--royalty-bps", coll->royalty_bps, "EIP-2981 royalty, 0..10000 basis points")
      ->capture_default_str();
  cc->add_option("--royalty-receiver", coll->royalty_receiver, "account (default: the creator)");
  cc->callback([&globals, coll, max_supply] {
    Context ctx = open_or_exit(globals);
    coll->max_supply = amount_or_exit(*max_supply, "max_supply");
    auto c = or_exit(ctx.ledger->create_collection(*coll));
    print(c.id + "\n");
  });

  struct MintArgs {
    std::string collection, asset, to, caller, token_id, amount = "1", max_supply = "0";
  };
  auto m = std::make_shared<MintArgs>();
  auto* mint = ledger.add_subcommand("mint", "Mint a token from a render's asset");
  mint->add_option("COLLECTION", m->collection, "collection id")->required();
  mint->add_option("ASSET", m->asset, "sha256 of a rendered asset")->required();
  mint->add_option("--to", m->to, "receiving account")->required();
  mint->add_option("--as", m->caller, "calling account (default: the collection's creator)");
  mint->add_option("--token-id", m->token_id, "token id (default: the next)");
  mint->add_option("--amount", m->amount, "editions (ERC-1155)")->capture_default_str();
  mint->add_option("--max-supply", m->max_supply, "per-id edition cap (ERC-1155; 0: none)")
      ->capture_default_str();
  mint->callback([&globals, m] {
    Context ctx = open_or_exit(globals);
    ledger::MintRequest r;
    r.collection = m->collection;
    r.asset_sha256 = m->asset;
    r.to = m->to;
    r.amount = amount_or_exit(m->amount, "amount");
    r.max_supply = amount_or_exit(m->max_supply, "max_supply");
    if (!m->token_id.empty()) r.token_id = token_id_or_exit(m->token_id);
    r.caller = m->caller;
    if (r.caller.empty()) {
      auto c = or_exit(ctx.db->collection(m->collection));
      if (!c)
        exit_with(
            Error::not_found("unknown_collection", "no collection " + m->collection, "collection"));
      r.caller = c->creator_account;
    }
    auto t = or_exit(ctx.ledger->mint(r));
    print(t.collection_id + " #" + t.token_id.to_decimal() + "\n");
  });

  struct MoveArgs {
    std::string collection, token_id, from, to, caller, amount = "1";
  };
  auto t = std::make_shared<MoveArgs>();
  auto* transfer = ledger.add_subcommand(
      "transfer", "Transfer a token (ERC-721 transferFrom / ERC-1155 safeTransferFrom)");
  transfer->add_option("COLLECTION", t->collection, "collection id")->required();
  transfer->add_option("TOKEN_ID", t->token_id, "token id")->required();
  transfer->add_option("--from", t->from, "current holder")->required();
  transfer->add_option("--to", t->to, "receiving account")->required();
  transfer->add_option("--as", t->caller, "calling account (default: --from)");
  transfer->add_option("--amount", t->amount, "units (ERC-1155)")->capture_default_str();
  transfer->callback([&globals, t] {
    Context ctx = open_or_exit(globals);
    ledger::TransferRequest r{t->caller.empty() ? t->from : t->caller,
                              t->collection,
                              token_id_or_exit(t->token_id),
                              t->from,
                              t->to,
                              amount_or_exit(t->amount, "amount")};
    auto receipt = or_exit(ctx.ledger->transfer(r));
    print("ok: log entry " + std::to_string(receipt.log_index) + "\n");
  });

  struct MetaArgs {
    std::string collection, token_id, base_url = "http://127.0.0.1:8080";
  };
  auto md = std::make_shared<MetaArgs>();
  auto* meta = ledger.add_subcommand("metadata",
                                     "Token metadata JSON (or the collection's, without TOKEN_ID)");
  meta->add_option("COLLECTION", md->collection, "collection id")->required();
  meta->add_option("TOKEN_ID", md->token_id, "token id");
  meta->add_option("--base-url", md->base_url, "public URL of the server, for absolute image links")
      ->capture_default_str();
  meta->callback([&globals, md] {
    Context ctx = open_or_exit(globals);
    std::string body =
        md->token_id.empty()
            ? or_exit(ctx.ledger->contract_metadata(CollectionId(md->collection), md->base_url))
            : or_exit(ctx.ledger->token_metadata(CollectionId(md->collection),
                                                 token_id_or_exit(md->token_id), md->base_url));
    print(body + "\n");
  });
}

// The ERC-721 / ERC-1155 calls besides mint and transfer: approve, setApprovalForAll, burn,
// ownerOf, balanceOf and EIP-2981 royaltyInfo. Refusals print the OpenZeppelin 4.9 revert
// string as the message ("error: erc721_approval_to_owner: ERC721: approval to current owner
// (field: approved)"), exit 2 (3 for an unknown collection). An empty account ("") is the zero
// address, as in the library.
void add_token_calls(CLI::App& ledger, Globals& globals) {
  struct ApproveArgs {
    std::string collection, token_id, to, caller;
  };
  auto ap = std::make_shared<ApproveArgs>();
  auto* approve = ledger.add_subcommand("approve",
                                        "ERC-721 approve(to, tokenId): let --to transfer TOKEN_ID "
                                        "once; --to \"\" clears the approval");
  approve->add_option("COLLECTION", ap->collection, "collection id (ERC-721)")->required();
  approve->add_option("TOKEN_ID", ap->token_id, "token id")->required();
  approve->add_option("--to", ap->to, "approved account (\"\": none)")->required();
  approve->add_option("--as", ap->caller, "calling account: the owner or one of its operators")
      ->required();
  approve->callback([&globals, ap] {
    Context ctx = open_or_exit(globals);
    auto r = or_exit(ctx.ledger->approve(AccountId(ap->caller), CollectionId(ap->collection),
                                         token_id_or_exit(ap->token_id), AccountId(ap->to)));
    print("ok: log entry " + std::to_string(r.log_index) + "\n");
  });

  struct OperatorArgs {
    std::string collection, owner, op, approved;
  };
  auto oa = std::make_shared<OperatorArgs>();
  auto* op = ledger.add_subcommand("operator",
                                   "setApprovalForAll(operator, approved): let --operator move all "
                                   "of --owner's tokens in COLLECTION");
  op->add_option("COLLECTION", oa->collection, "collection id")->required();
  op->add_option("--owner", oa->owner, "the calling account, whose tokens the operator may move")
      ->required();
  op->add_option("--operator", oa->op, "the operator account")->required();
  op->add_option("--approved", oa->approved, "true to approve, false to revoke")->required();
  op->callback([&globals, oa] {
    if (oa->approved != "true" && oa->approved != "false") {
      exit_with(Error::invalid("invalid_flag", "--approved must be true or false", "approved"));
    }
    Context ctx = open_or_exit(globals);
    auto r =
        or_exit(ctx.ledger->set_approval_for_all(AccountId(oa->owner), CollectionId(oa->collection),
                                                 AccountId(oa->op), oa->approved == "true"));
    print("ok: log entry " + std::to_string(r.log_index) + "\n");
  });

  struct BurnArgs {
    std::string collection, token_id, from, caller, amount = "1";
  };
  auto b = std::make_shared<BurnArgs>();
  auto* burn = ledger.add_subcommand(
      "burn",
      "Burn a token (ERC721Burnable.burn(tokenId) / ERC1155Burnable.burn(from, id, amount))");
  burn->add_option("COLLECTION", b->collection, "collection id")->required();
  burn->add_option("TOKEN_ID", b->token_id, "token id")->required();
  auto* burn_from = burn->add_option(
      "--from", b->from,
      "holder whose units burn (ERC-1155; default: --as). ERC-721 burns the token from its owner");
  burn->add_option("--as", b->caller,
                   "calling account: the holder, an operator (or, ERC-721, the approved)")
      ->required();
  burn->add_option("--amount", b->amount, "units (ERC-1155)")->capture_default_str();
  burn->callback([&globals, b, burn_from] {
    Context ctx = open_or_exit(globals);
    const std::string& from =
        burn_from->count() > 0 ? b->from : b->caller;  // --from "": the zero address.
    auto r = or_exit(ctx.ledger->burn(AccountId(b->caller), CollectionId(b->collection),
                                      token_id_or_exit(b->token_id), AccountId(from),
                                      amount_or_exit(b->amount, "amount")));
    print("ok: log entry " + std::to_string(r.log_index) + "\n");
  });

  struct OwnerArgs {
    std::string collection, token_id;
  };
  auto ow = std::make_shared<OwnerArgs>();
  auto* owner =
      ledger.add_subcommand("owner-of", "ERC-721 ownerOf(tokenId): print the owning account");
  owner->add_option("COLLECTION", ow->collection, "collection id (ERC-721)")->required();
  owner->add_option("TOKEN_ID", ow->token_id, "token id")->required();
  owner->callback([&globals, ow] {
    Context ctx = open_or_exit(globals);
    if (collection_or_exit(ctx, ow->collection).standard != "erc721") {
      exit_with(
          Error::invalid("not_erc721", "ERC-1155 has no ownerOf; use balance-of", "collection"));
    }
    print(or_exit(
              ctx.ledger->owner_of(CollectionId(ow->collection), token_id_or_exit(ow->token_id))) +
          "\n");
  });

  struct BalanceArgs {
    std::string collection, account, token_id;
  };
  auto ba = std::make_shared<BalanceArgs>();
  auto* balance = ledger.add_subcommand(
      "balance-of",
      "balanceOf: ERC-721 balanceOf(owner), tokens held; ERC-1155 balanceOf(account, id), units of "
      "TOKEN_ID (without it: units of all ids)");
  balance->add_option("COLLECTION", ba->collection, "collection id")->required();
  balance
      ->add_option("ACCOUNT", ba->account,
                   "account (\"\" is the zero address, which has no balance)")
      ->required();
  balance->add_option("TOKEN_ID", ba->token_id, "token id (ERC-1155)");
  balance->callback([&globals, ba] {
    Context ctx = open_or_exit(globals);
    std::optional<U256> id;
    if (!ba->token_id.empty()) {
      if (collection_or_exit(ctx, ba->collection).standard == "erc721") {
        exit_with(Error::invalid("unexpected_token_id",
                                 "ERC-721 balanceOf counts all tokens; give no TOKEN_ID",
                                 "token_id"));
      }
      id = token_id_or_exit(ba->token_id);
    }
    print(or_exit(ctx.ledger->balance_of(CollectionId(ba->collection), AccountId(ba->account), id))
              .to_decimal() +
          "\n");
  });

  struct RoyaltyArgs {
    std::string collection, token_id, sale_price;
    bool json = false;
  };
  auto ro = std::make_shared<RoyaltyArgs>();
  auto* royalty = ledger.add_subcommand(
      "royalty",
      "EIP-2981 royaltyInfo(tokenId, salePrice): the receiver and floor(salePrice x royalty_bps / "
      "10000). "
      "The royalty is the collection's: TOKEN_ID need not exist (as in OpenZeppelin's ERC2981). "
      "Refused (amount_overflow) where salePrice x royalty_bps exceeds 2^256 - 1, where ERC2981 "
      "reverts");
  royalty->add_option("COLLECTION", ro->collection, "collection id")->required();
  royalty->add_option("TOKEN_ID", ro->token_id, "token id")->required();
  royalty
      ->add_option("SALE_PRICE", ro->sale_price, "sale price in minor units (wei, cents), decimal")
      ->required();
  royalty->add_flag("--json", ro->json,
                    "print {\"receiver\":\"<account>\",\"royalty_amount\":\"<integer>\"}");
  royalty->callback([&globals, ro] {
    token_id_or_exit(ro->token_id);
    U256 price = amount_or_exit(ro->sale_price, "sale_price");
    Context ctx = open_or_exit(globals);
    auto info = or_exit(ctx.ledger->royalty_info(CollectionId(ro->collection), price));
    if (ro->json) {
      return print(
          nlohmann::json{{"receiver", info.receiver}, {"royalty_amount", info.amount.to_decimal()}}
              .dump() +
          "\n");
    }
    print(info.receiver + " " + info.amount.to_decimal() + "\n");
  });
}

}  // namespace

void add_ledger_commands(CLI::App& app, Globals& globals) {
  auto* ledger = app.add_subcommand(
      "ledger", "Accounts, money (double-entry, minor units), collections and tokens");
  ledger->require_subcommand(1);
  add_accounts(*ledger, globals);
  add_money(*ledger, globals);
  add_tokens(*ledger, globals);
  add_token_calls(*ledger, globals);
}

}  // namespace atelier::cli
