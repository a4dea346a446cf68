// Market::rarity: a collection's OpenRarity ranking over its tokens' render traits, cached per
// token count.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "market/listings.h"

namespace atelier::market {

namespace {

constexpr std::int64_t kTokenPage = 1'000;

// A trait value as OpenRarity compares it: strings as they are, booleans as words; numbers are
// counted but not scored (OpenRarity's numeric traits).
std::optional<std::string> trait_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return std::nullopt;  // Objects, arrays, null: not traits.
}

}  // namespace

Result<std::shared_ptr<const CollectionRarity>> Market::rarity(std::string_view collection) {
  auto c = ledger_store_.collection(collection);
  if (!c) return fail(c.error());
  if (!*c)
    return fail(Error::not_found("unknown_collection", "no collection " + std::string(collection),
                                 "collection"));
  auto count = ledger_store_.token_count(collection);
  if (!count) return fail(count.error());
  {
    std::lock_guard lock(rarity_mu_);
    auto it = rarity_cache_.find(collection);
    if (it != rarity_cache_.end() && it->second->token_count == *count) return it->second;
  }
  std::vector<RarityToken> tokens;
  std::vector<std::string> numeric;
  std::optional<U256> after;
  for (;;) {
    auto page = ledger_store_.tokens(collection, kTokenPage, after);
    if (!page) return fail(page.error());
    for (const auto& t : *page) {
      RarityToken rt{t.token_id, {}};
      auto render = store_.render_by_recipe(t.recipe_id);
      if (!render) return fail(render.error());
      if (*render) {
        auto traits = nlohmann::json::parse((*render)->traits_json, nullptr, false);
        if (traits.is_object()) {
          for (auto it = traits.begin(); it != traits.end(); ++it) {
            auto text = trait_text(it.value());
            if (!text) continue;
            if (it.value().is_number()) numeric.push_back(it.key());
            rt.traits.emplace_back(it.key(), *text);
          }
        }
      }
      tokens.push_back(std::move(rt));
    }
    if (page->size() < static_cast<std::size_t>(kTokenPage)) break;
    after = page->back().token_id;
  }
  std::sort(numeric.begin(), numeric.end());
  numeric.erase(std::unique(numeric.begin(), numeric.end()), numeric.end());
  auto ranked = rank_rarity(tokens, {.unscored_trait_types = numeric});
  if (!ranked) return fail(ranked.error());
  auto out = std::make_shared<CollectionRarity>();
  out->collection = std::string(collection);
  out->token_count = *count;
  out->ranked = std::move(*ranked);
  for (std::size_t i = 0; i < out->ranked.size(); ++i)
    out->by_token.emplace(out->ranked[i].token_id, i);
  std::lock_guard lock(rarity_mu_);
  rarity_cache_[std::string(collection)] = out;
  return std::shared_ptr<const CollectionRarity>(out);
}

Result<RarityPosition> Market::rarity_position(const store::ListingRecord& l, bool has_tiers) {
  if (!has_tiers) return RarityPosition{};
  auto r = rarity(l.collection_id);
  if (!r) return fail(r.error());
  RarityPosition p{std::nullopt, (*r)->ranked.size()};
  if (auto it = (*r)->by_token.find(l.token_id); it != (*r)->by_token.end())
    p.rank = (*r)->ranked[it->second].rank;
  return p;
}

}  // namespace atelier::market
