#include "ledger/ledger.h"

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/canonical_json.h"
#include "core/event.h"
#include "core/hash.h"
#include "core/random_id.h"

namespace atelier::ledger {

namespace {

constexpr Currency kCurrencies[] = {{"ETH", 18}, {"USD", 2}};

// OpenZeppelin v4.9 revert strings, with a stable code each.
Error revert(std::string code, std::string reason, std::string field = {}) {
  return Error::invalid(std::move(code), std::move(reason), std::move(field));
}

// A log entry: the common envelope plus `fields`.
store::LogEvent event(std::string_view type, std::int64_t time_ms, nlohmann::json fields,
                      std::vector<std::string> subjects) {
  return {event_entry(type, time_ms, std::move(fields)), std::move(subjects)};
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> check_splits(const std::vector<store::Split>& splits, const char* field) {
  if (splits.empty()) return {};
  if (splits.size() > 32)
    return fail(
        Error::invalid("invalid_splits", std::string(field) + " has more than 32 payees", field));
  std::int64_t total = 0;
  for (const auto& s : splits) {
    if (s.bps <= 0 || s.bps > 10'000 || s.account.empty()) {
      return fail(Error::invalid(
          "invalid_splits", std::string(field) + ": each payee needs an account and 1..10000 bps",
          field));
    }
    total += s.bps;
  }
  if (total != 10'000) {
    return fail(Error::invalid(
        "invalid_splits",
        std::string(field) + " must sum to 10000 bps, not " + std::to_string(total), field));
  }
  return {};
}

}  // namespace

const Currency* find_currency(std::string_view code) {
  for (const auto& c : kCurrencies) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

std::string account_json(const AccountView& v) {
  nlohmann::json balances = nlohmann::json::array();
  for (const auto& b : v.balances) {
    balances.push_back(
        {{"currency", b.currency}, {"amount", (b.negative ? "-" : "") + b.amount.to_decimal()}});
  }
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& t : v.tokens) {
    tokens.push_back({{"collection", t.collection_id},
                      {"token_id", t.token_id.to_decimal()},
                      {"amount", t.amount.to_decimal()}});
  }
  return nlohmann::json{{"id", v.account.id},
                        {"kind", v.account.kind},
                        {"name", v.account.name},
                        {"balances", balances},
                        {"tokens", tokens}}
      .dump();
}

std::string token_subject(std::string_view collection, const U256& id) {
  return "token:" + std::string(collection) + "/" + id.to_decimal();
}

std::string erc1155_id_hex(const U256& id) { return to_hex(id.to_be_bytes()); }

std::optional<U256> parse_token_id(std::string_view text) { return U256::from_decimal(text); }

std::optional<U256> parse_token_id_in_url(std::string_view text, std::string_view standard) {
  if (standard != "erc1155" || text.size() != 64) return U256::from_decimal(text);
  auto bytes = from_hex(text, 32);
  if (!bytes || text != to_hex(*bytes)) return std::nullopt;  // Lowercase only.
  std::array<std::uint8_t, 32> b{};
  std::copy(bytes->begin(), bytes->end(), b.begin());
  return U256::from_be_bytes(b);
}

Result<U256> parse_amount(std::string_view text, std::string_view field) {
  auto v = U256::from_decimal(text);
  if (!v) {
    return fail(Error::invalid("invalid_amount",
                               std::string(field) +
                                   " must be a non-negative integer in minor units (wei, cents) "
                                   "below 2^256, written in decimal",
                               std::string(field)));
  }
  return *v;
}

Ledger::Ledger(store::Store& store, store::LedgerStore& ledger, const Clock& clock)
    : store_(store), ledger_(ledger), clock_(clock) {}

Result<store::LedgerReceipt> Ledger::apply(store::LedgerChange change) {
  return ledger_.apply_ledger_change(change);
}

Result<void> Ledger::ensure_system_accounts() {
  for (auto [id, kind, negative] : {std::tuple{kExternalAccount, "external", true},
                                    std::tuple{kPlatformAccount, "platform", false},
                                    std::tuple{kEscrowAccount, "platform", false}}) {
    auto existing = ledger_.account(id);
    if (!existing) return fail(existing.error());
    if (*existing) continue;
    store::LedgerChange c;
    c.ledger.new_accounts.push_back(
        {std::string(id), kind, std::string(id), negative, clock_.now_ms()});
    c.event = event("account.created", clock_.now_ms(), {{"account", {{"id", id}, {"kind", kind}}}},
                    {"account:" + std::string(id)});
    auto r = apply(std::move(c));
    if (!r && r.error().code != "account_exists")
      return fail(r.error());  // A racing process made it.
  }
  return {};
}

Result<store::AccountRecord> Ledger::create_account(const NewAccount& request) {
  std::string id = request.id.empty() ? "acct_" + random_hex(8) : request.id;
  if (!valid_id(id)) {
    return fail(
        Error::invalid("invalid_account_id", "an account id is 1..64 of [a-z0-9._-]", "id"));
  }
  if (request.kind != "creator" && request.kind != "collector" && request.kind != "platform") {
    return fail(Error::invalid("invalid_account_kind",
                               "kind must be creator, collector or platform", "kind"));
  }
  if (request.name.size() > 128)
    return fail(Error::invalid("invalid_name", "name is at most 128 bytes", "name"));
  ATELIER_TRY(ensure_system_accounts());
  store::AccountRecord a{id, request.kind, request.name, false, clock_.now_ms()};
  store::LedgerChange c;
  c.ledger.new_accounts.push_back(a);
  c.event =
      event("account.created", a.created_ms,
            {{"account", {{"id", id}, {"kind", a.kind}, {"name", a.name}}}}, {"account:" + id});
  ATELIER_TRY(apply(std::move(c)));
  return a;
}

Result<AccountView> Ledger::account(std::string_view id) {
  auto a = ledger_.account(id);
  if (!a) return fail(a.error());
  if (!*a) return fail(Error::not_found("unknown_account", "no account " + std::string(id), "id"));
  auto b = ledger_.balances(id);
  if (!b) return fail(b.error());
  auto t = ledger_.holdings(id);
  if (!t) return fail(t.error());
  return AccountView{std::move(**a), std::move(*b), std::move(*t)};
}

namespace {

Result<const Currency*> currency_of(std::string_view code) {
  const Currency* c = find_currency(code);
  if (!c) {
    return fail(Error::invalid(
        "unknown_currency",
        "currency must be ETH (wei) or USD (cents), not \"" + std::string(code) + "\"",
        "currency"));
  }
  return c;
}

}  // namespace

Result<store::LedgerReceipt> Ledger::deposit(const AccountId& account, std::string_view currency,
                                             const U256& amount) {
  ATELIER_TRY(currency_of(currency));
  if (amount.is_zero())
    return fail(Error::invalid("invalid_amount", "a deposit must be positive", "amount"));
  ATELIER_TRY(ensure_system_accounts());
  store::LedgerChange c;
  c.ledger.postings = {{std::string(kExternalAccount), std::string(currency), amount, false},
                       {account.str(), std::string(currency), amount, true}};
  c.event =
      event("deposit", clock_.now_ms(),
            {{"account", account.view()}, {"currency", currency}, {"amount", amount.to_decimal()}},
            {"account:" + account.str()});
  return apply(std::move(c));
}

Result<store::LedgerReceipt> Ledger::withdraw(const AccountId& account, std::string_view currency,
                                              const U256& amount) {
  ATELIER_TRY(currency_of(currency));
  if (amount.is_zero())
    return fail(Error::invalid("invalid_amount", "a withdrawal must be positive", "amount"));
  ATELIER_TRY(ensure_system_accounts());
  store::LedgerChange c;
  c.ledger.postings = {{account.str(), std::string(currency), amount, false},
                       {std::string(kExternalAccount), std::string(currency), amount, true}};
  c.event =
      event("withdrawal", clock_.now_ms(),
            {{"account", account.view()}, {"currency", currency}, {"amount", amount.to_decimal()}},
            {"account:" + account.str()});
  return apply(std::move(c));
}

Result<store::CollectionRecord> Ledger::require_collection(std::string_view id) {
  auto c = ledger_.collection(id);
  if (!c) return fail(c.error());
  if (!*c)
    return fail(
        Error::not_found("unknown_collection", "no collection " + std::string(id), "collection"));
  return std::move(**c);
}

Result<store::CollectionRecord> Ledger::create_collection(const NewCollection& r) {
  if (!valid_id(r.id))
    return fail(
        Error::invalid("invalid_collection_id", "a collection id is 1..64 of [a-z0-9._-]", "id"));
  if (r.standard != "erc721" && r.standard != "erc1155") {
    return fail(
        Error::invalid("invalid_standard", "standard must be erc721 or erc1155", "standard"));
  }
  if (r.royalty_bps < 0 || r.royalty_bps > 10'000) {
    return fail(Error::invalid("invalid_royalty_bps", "royalty_bps must be 0..10000 basis points",
                               "royalty_bps"));
  }
  if (r.name.empty() || r.name.size() > 128)
    return fail(Error::invalid("invalid_name", "name is 1..128 bytes", "name"));
  for (const auto* text : {&r.description, &r.image, &r.external_url}) {
    if (text->size() > 4096)
      return fail(Error::invalid("invalid_field", "texts are at most 4096 bytes", "description"));
  }
  ATELIER_TRY(check_splits(r.primary_splits, "primary_splits"));
  ATELIER_TRY(check_splits(r.royalty_splits, "royalty_splits"));
  store::CollectionRecord c{r.id,
                            r.standard,
                            r.name,
                            r.description,
                            r.image,
                            r.external_url,
                            r.creator,
                            r.generator,
                            r.max_supply,
                            r.royalty_bps,
                            r.royalty_receiver.empty() ? r.creator : r.royalty_receiver,
                            clock_.now_ms(),
                            r.primary_splits,
                            r.royalty_splits};
  store::LedgerChange change;
  change.ledger.new_collections.push_back(c);
  change.event = event("collection.created", c.created_ms,
                       {{"collection",
                         {{"id", c.id},
                          {"standard", c.standard},
                          {"name", c.name},
                          {"creator", c.creator_account},
                          {"generator", c.generator_name},
                          {"max_supply", c.max_supply.to_decimal()},
                          {"royalty_bps", c.royalty_bps},
                          {"royalty_receiver", c.royalty_receiver}}}},
                       {"collection:" + c.id});
  ATELIER_TRY(apply(std::move(change)));
  return c;
}

Result<store::TokenRecord> Ledger::mint(const MintRequest& r) {
  auto c = require_collection(r.collection);
  if (!c) return fail(c.error());
  const bool erc721 = c->standard == "erc721";
  const std::string prefix = erc721 ? "ERC721: " : "ERC1155: ";
  if (r.caller != c->creator_account) {
    return fail(Error{ErrorKind::kForbidden, "not_collection_creator",
                      "only the collection's creator (" + c->creator_account + ") mints",
                      "caller"});
  }
  if (r.to.empty())
    return fail(revert(erc721 ? "erc721_mint_to_zero" : "erc1155_mint_to_zero",
                       prefix + "mint to the zero address", "to"));
  if (erc721 && r.amount != U256(1))
    return fail(Error::invalid("invalid_amount", "an ERC-721 mint is exactly 1", "amount"));
  if (r.amount.is_zero())
    return fail(Error::invalid("invalid_amount", "amount must be positive", "amount"));
  auto render = store_.render_by_asset(r.asset_sha256);
  if (!render) return fail(render.error());
  if (!*render)
    return fail(
        Error::not_found("unknown_asset", "no render produced asset " + r.asset_sha256, "asset"));
  if (!c->generator_name.empty() && (*render)->generator_name != c->generator_name) {
    return fail(Error::invalid("wrong_generator",
                               "collection " + c->id + " mints renders of " + c->generator_name +
                                   ", not " + (*render)->generator_name,
                               "asset"));
  }
  U256 id;
  if (r.token_id) {
    id = *r.token_id;
  } else {
    auto n = ledger_.token_count(c->id);
    if (!n) return fail(n.error());
    id = U256(*n);
  }
  if (auto existing = ledger_.token(c->id, id); !existing) {
    return fail(existing.error());
  } else if (*existing) {
    return fail(revert(
        erc721 ? "erc721_token_already_minted" : "token_exists",
        erc721 ? "ERC721: token already minted" : "token " + id.to_decimal() + " already exists",
        "token_id"));
  }
  store::TokenRecord t{c->id,
                       id,
                       (*render)->recipe_id,
                       r.asset_sha256,
                       (*render)->token_hash,
                       U256(0),
                       erc721 ? U256(1) : r.max_supply,
                       clock_.now_ms()};
  store::LedgerChange change;
  change.ledger.new_tokens.push_back(t);
  change.ledger.moves.push_back({c->id, id, "", r.to, r.amount});
  change.event = event("mint", t.created_ms,
                       {{"collection", c->id},
                        {"standard", c->standard},
                        {"token_id", id.to_decimal()},
                        {"to", r.to},
                        {"amount", r.amount.to_decimal()},
                        {"recipe_id", t.recipe_id},
                        {"asset_sha256", t.asset_sha256},
                        {"token_hash", t.token_hash}},
                       {token_subject(c->id, id), "asset:" + t.asset_sha256, "account:" + r.to});
  ATELIER_TRY(apply(std::move(change)));
  t.supply = r.amount;
  return t;
}

Result<std::string> Ledger::owner_of(const CollectionId& collection, const U256& token_id) {
  auto holders = ledger_.holders(collection.view(), token_id);
  if (!holders) return fail(holders.error());
  if (holders->empty())
    return fail(revert("erc721_invalid_token_id", "ERC721: invalid token ID", "token_id"));
  return holders->front().account;
}

Result<U256> Ledger::balance_of(const CollectionId& collection, const AccountId& account,
                                const std::optional<U256>& token_id) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  if (account.empty()) {
    return fail(
        c->standard == "erc721"
            ? revert("erc721_zero_address", "ERC721: address zero is not a valid owner", "account")
            : revert("erc1155_zero_address", "ERC1155: address zero is not a valid owner",
                     "account"));
  }
  auto held = ledger_.holdings(account.view());
  if (!held) return fail(held.error());
  U256 total;
  for (const auto& h : *held) {
    if (h.collection_id != collection.view() || (token_id && h.token_id != *token_id)) continue;
    total = checked_add(total, h.amount).value_or(U256::max());
  }
  return total;
}

Result<store::LedgerReceipt> Ledger::transfer(const TransferRequest& r) {
  auto c = require_collection(r.collection);
  if (!c) return fail(c.error());
  store::LedgerChange change;
  if (c->standard == "erc721") {
    // transferFrom: _isApprovedOrOwner (ownerOf first), then _transfer's owner and zero checks.
    auto owner = owner_of(CollectionId(r.collection), r.token_id);
    if (!owner) return fail(owner.error());
    auto approved = ledger_.approved(r.collection, r.token_id);
    if (!approved) return fail(approved.error());
    auto op = ledger_.is_operator(r.collection, *owner, r.caller);
    if (!op) return fail(op.error());
    if (r.caller != *owner && *approved != r.caller && !*op) {
      return fail(revert("erc721_not_owner_or_approved",
                         "ERC721: caller is not token owner or approved", "caller"));
    }
    if (*owner != r.from)
      return fail(
          revert("erc721_incorrect_owner", "ERC721: transfer from incorrect owner", "from"));
    if (r.to.empty())
      return fail(revert("erc721_transfer_to_zero", "ERC721: transfer to the zero address", "to"));
    if (r.amount != U256(1))
      return fail(
          Error::invalid("invalid_amount", "an ERC-721 transfer moves exactly 1", "amount"));
    change.ledger.approvals.push_back(
        {r.collection, r.token_id, ""});  // Cleared on transfer, as _transfer does.
  } else {
    auto op = ledger_.is_operator(r.collection, r.from, r.caller);
    if (!op) return fail(op.error());
    if (r.from != r.caller && !*op) {
      return fail(revert("erc1155_not_owner_or_approved",
                         "ERC1155: caller is not token owner or approved", "caller"));
    }
    if (r.to.empty())
      return fail(
          revert("erc1155_transfer_to_zero", "ERC1155: transfer to the zero address", "to"));
    auto bal = balance_of(CollectionId(r.collection), AccountId(r.from), r.token_id);
    if (!bal) return fail(bal.error());
    if (*bal < r.amount) {
      return fail(revert("erc1155_insufficient_balance",
                         "ERC1155: insufficient balance for transfer", "amount"));
    }
  }
  change.ledger.moves.push_back({r.collection, r.token_id, r.from, r.to, r.amount});
  change.event =
      event("transfer", clock_.now_ms(),
            {{"collection", r.collection},
             {"token_id", r.token_id.to_decimal()},
             {"from", r.from},
             {"to", r.to},
             {"amount", r.amount.to_decimal()},
             {"operator", r.caller}},
            {token_subject(r.collection, r.token_id), "account:" + r.from, "account:" + r.to});
  // A failed read is the transfer's error: swallowed, the entry would lose its asset subject
  // for good (found by the fault loop, tests/ledger/fault_loop_test.cc).
  auto t = ledger_.token(r.collection, r.token_id);
  if (!t) return fail(t.error());
  if (*t) change.event.subjects.push_back("asset:" + (*t)->asset_sha256);
  return apply(std::move(change));
}

Result<store::LedgerReceipt> Ledger::approve(const AccountId& caller,
                                             const CollectionId& collection, const U256& token_id,
                                             const AccountId& approved) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  if (c->standard != "erc721") {
    return fail(Error::invalid("not_erc721",
                               "ERC-1155 has no per-token approval; use set_approval_for_all",
                               "collection"));
  }
  auto owner = owner_of(collection, token_id);
  if (!owner) return fail(owner.error());
  if (approved.view() == *owner)
    return fail(
        revert("erc721_approval_to_owner", "ERC721: approval to current owner", "approved"));
  auto op = ledger_.is_operator(collection.view(), *owner, caller.view());
  if (!op) return fail(op.error());
  if (caller.view() != *owner && !*op) {
    return fail(revert("erc721_approve_not_owner",
                       "ERC721: approve caller is not token owner or approved for all", "caller"));
  }
  store::LedgerChange change;
  change.ledger.approvals.push_back({collection.str(), token_id, approved.str()});
  change.event = event("approval", clock_.now_ms(),
                       {{"collection", collection.view()},
                        {"token_id", token_id.to_decimal()},
                        {"owner", *owner},
                        {"approved", approved.view()}},
                       {token_subject(collection.view(), token_id)});
  return apply(std::move(change));
}

Result<store::LedgerReceipt> Ledger::set_approval_for_all(const AccountId& caller,
                                                          const CollectionId& collection,
                                                          const AccountId& operator_account,
                                                          bool approved) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  if (caller == operator_account) {
    return fail(c->standard == "erc721"
                    ? revert("erc721_approve_to_caller", "ERC721: approve to caller", "operator")
                    : revert("erc1155_approval_for_self",
                             "ERC1155: setting approval status for self", "operator"));
  }
  store::LedgerChange change;
  change.ledger.operators.push_back(
      {collection.str(), caller.str(), operator_account.str(), approved});
  change.event = event("approval_for_all", clock_.now_ms(),
                       {{"collection", collection.view()},
                        {"owner", caller.view()},
                        {"operator", operator_account.view()},
                        {"approved", approved}},
                       {"account:" + caller.str()});
  return apply(std::move(change));
}

Result<store::LedgerReceipt> Ledger::burn(const AccountId& caller, const CollectionId& collection,
                                          const U256& token_id, const AccountId& from,
                                          const U256& amount) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  store::LedgerChange change;
  if (c->standard == "erc721") {
    auto owner = owner_of(collection, token_id);
    if (!owner) return fail(owner.error());
    auto approved = ledger_.approved(collection.view(), token_id);
    if (!approved) return fail(approved.error());
    auto op = ledger_.is_operator(collection.view(), *owner, caller.view());
    if (!op) return fail(op.error());
    if (caller.view() != *owner && *approved != caller.view() && !*op) {
      return fail(revert("erc721_not_owner_or_approved",
                         "ERC721: caller is not token owner or approved", "caller"));
    }
    change.ledger.approvals.push_back({collection.str(), token_id, ""});
    change.ledger.moves.push_back({collection.str(), token_id, *owner, "", U256(1)});
  } else {
    auto op = ledger_.is_operator(collection.view(), from.view(), caller.view());
    if (!op) return fail(op.error());
    if (from != caller && !*op) {
      return fail(revert("erc1155_not_owner_or_approved",
                         "ERC1155: caller is not token owner or approved", "caller"));
    }
    if (from.empty())
      return fail(revert("erc1155_burn_from_zero", "ERC1155: burn from the zero address", "from"));
    auto bal = balance_of(collection, from, token_id);
    if (!bal) return fail(bal.error());
    if (*bal < amount)
      return fail(
          revert("erc1155_burn_exceeds_balance", "ERC1155: burn amount exceeds balance", "amount"));
    change.ledger.moves.push_back({collection.str(), token_id, from.str(), "", amount});
  }
  const std::string holder = change.ledger.moves.front().from;
  change.event = event("burn", clock_.now_ms(),
                       {{"collection", collection.view()},
                        {"token_id", token_id.to_decimal()},
                        {"from", holder},
                        {"amount", change.ledger.moves.front().amount.to_decimal()},
                        {"operator", caller.view()}},
                       {token_subject(collection.view(), token_id), "account:" + holder});
  return apply(std::move(change));
}

Result<RoyaltyInfo> Ledger::royalty_info(const CollectionId& collection, const U256& sale_price) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  // OpenZeppelin's ERC2981 computes salePrice * royaltyFraction with checked arithmetic and
  // reverts (Panic 0x11) when it exceeds 2^256 - 1: refuse the same prices.
  auto product = checked_mul(sale_price, U256(static_cast<std::uint64_t>(c->royalty_bps)));
  if (!product) {
    return fail(Error::invalid("amount_overflow", "sale_price x royalty_bps exceeds 2^256 - 1",
                               "sale_price"));
  }
  return RoyaltyInfo{c->royalty_receiver,
                     ATELIER_VALUE(checked_div(*product, U256(10'000)), "a nonzero divisor")};
}

Result<std::string> Ledger::token_metadata(const CollectionId& collection, const U256& token_id,
                                           std::string_view base_url) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  auto t = ledger_.token(collection.view(), token_id);
  if (!t) return fail(t.error());
  if (!*t)
    return fail(Error::not_found("unknown_token",
                                 "no token " + token_id.to_decimal() + " in " + c->id, "token_id"));
  auto render = store_.render_by_recipe((*t)->recipe_id);
  if (!render) return fail(render.error());
  nlohmann::json attributes = nlohmann::json::array();
  if (*render) {
    auto traits = nlohmann::json::parse((*render)->traits_json, nullptr, false);
    if (traits.is_object()) {
      for (auto it = traits.begin(); it != traits.end(); ++it) {
        attributes.push_back({{"trait_type", it.key()}, {"value", it.value()}});
      }
    }
  }
  nlohmann::json j = {{"name", c->name + " #" + token_id.to_decimal()},
                      {"description", c->description},
                      {"image", std::string(base_url) + "/v1/assets/" + (*t)->asset_sha256},
                      {"attributes", attributes},
                      {"token_hash", (*t)->token_hash},
                      {"recipe_id", (*t)->recipe_id}};
  if (!c->external_url.empty()) j["external_url"] = c->external_url + "/" + token_id.to_decimal();
  return j.dump();
}

Result<std::string> Ledger::contract_metadata(const CollectionId& collection,
                                              std::string_view base_url) {
  auto c = require_collection(collection.view());
  if (!c) return fail(c.error());
  nlohmann::json j = {{"name", c->name},
                      {"description", c->description},
                      {"image", c->image},
                      {"external_link", c->external_url},
                      {"seller_fee_basis_points", c->royalty_bps},
                      {"fee_recipient", c->royalty_receiver},
                      {"standard", c->standard},
                      {"max_supply", c->max_supply.to_decimal()}};
  if (c->standard == "erc1155") {
    j["uri"] = std::string(base_url) + "/v1/collections/" + c->id + "/tokens/{id}/metadata.json";
  }
  return j.dump();
}

}  // namespace atelier::ledger
