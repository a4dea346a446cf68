// OpenRarity information-content scores and ranks (method in rarity.h). Written here rather
// than taken from a library: the reference implementation is Python and no C++ port exists
// in Debian.
#include "market/rarity.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "core/det_math.h"
#include "core/limits.h"

namespace atelier::market {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// OpenRarity's normalize_attribute_string: lower-case, strip (ASCII here; see rarity.h).
std::string normalise(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string trait_field(std::size_t token, std::size_t trait, std::string_view part) {
  return "tokens[" + std::to_string(token) + "].traits[" + std::to_string(trait) + "]." +
         std::string(part);
}

// Python's math.isclose(a, b) with its defaults (rel_tol 1e-9, abs_tol 0).
bool is_close(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= kRarityTieRelativeTolerance * std::max(std::fabs(a), std::fabs(b));
}

// One token's scored traits after normalisation: (trait type, value) as strings.
struct Normalised {
  std::vector<std::pair<std::string, std::string>> scored;
};

Result<Normalised> normalise_token(const RarityToken& token, std::size_t index,
                                   const std::set<std::string, std::less<>>& unscored) {
  if (token.traits.size() > static_cast<std::size_t>(limits::kTraitsMax)) {
    return fail(Error::invalid("too_many_traits",
                               "a token has " + std::to_string(token.traits.size()) +
                                   " traits; the limit is " + std::to_string(limits::kTraitsMax),
                               "tokens[" + std::to_string(index) + "].traits"));
  }
  Normalised out;
  std::set<std::string, std::less<>> types;
  std::uint64_t trait_count = 0;
  for (std::size_t j = 0; j < token.traits.size(); ++j) {
    const auto& [raw_type, raw_value] = token.traits[j];
    const auto limit = static_cast<std::size_t>(limits::kTraitValueBytesMax);
    if (raw_type.size() > limit || raw_value.size() > limit) {
      bool type_long = raw_type.size() > limit;
      return fail(Error::invalid("trait_too_long",
                                 std::string(type_long ? "trait_type" : "value") +
                                     " is longer than trait_value_bytes_max (" +
                                     std::to_string(limit) + " bytes)",
                                 trait_field(index, j, type_long ? "trait_type" : "value")));
    }
    std::string type = normalise(raw_type);
    if (type.empty()) {
      return fail(Error::invalid("empty_trait_type", "a trait_type is empty",
                                 trait_field(index, j, "trait_type")));
    }
    if (!types.insert(type).second) {
      return fail(Error::invalid("duplicate_trait",
                                 "the token names trait_type \"" + type + "\" twice",
                                 trait_field(index, j, "trait_type")));
    }
    std::string value = normalise(raw_value);
    if (type == kTraitCountTraitType || value.empty() || value == "none") continue;
    ++trait_count;
    if (!unscored.contains(type)) out.scored.emplace_back(std::move(type), std::move(value));
  }
  out.scored.emplace_back(std::string(kTraitCountTraitType), std::to_string(trait_count));
  return out;
}

}  // namespace

Result<std::vector<TokenRarity>> rank_rarity(std::span<const RarityToken> tokens,
                                             const RarityOptions& options) {
  if (tokens.size() > limits::kRarityTokensMax) {
    return fail(Error::invalid("too_many_tokens",
                               std::to_string(tokens.size()) + " tokens; the limit is " +
                                   std::to_string(limits::kRarityTokensMax),
                               "tokens"));
  }
  std::vector<TokenRarity> out;
  if (tokens.empty()) return out;

  std::set<std::string, std::less<>> unscored;
  for (const auto& type : options.unscored_trait_types) unscored.insert(normalise(type));

  // Trait types get indices in sorted order, values indices per type; counts[type][value].
  std::map<std::string, std::map<std::string, std::uint64_t>, std::less<>> frequencies;
  std::vector<Normalised> normalised;
  normalised.reserve(tokens.size());
  {
    std::set<U256> ids;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (!ids.insert(tokens[i].token_id).second) {
        return fail(Error::invalid("duplicate_token_id",
                                   "token id " + tokens[i].token_id.to_decimal() + " appears twice",
                                   "tokens[" + std::to_string(i) + "].token_id"));
      }
      auto n = normalise_token(tokens[i], i, unscored);
      if (!n) return fail(n.error());
      for (const auto& [type, value] : n->scored) ++frequencies[type][value];
      normalised.push_back(std::move(*n));
    }
  }

  const auto supply = static_cast<std::uint64_t>(tokens.size());
  const auto n_double = static_cast<double>(supply);
  auto minus_log2_p = [&](std::uint64_t count) {
    return -det_log2(static_cast<double>(count) / n_double);
  };

  // Index the types; the null count of each; the collection entropy.
  std::unordered_map<std::string_view, std::size_t> type_index;
  std::vector<std::uint64_t> null_count;
  double entropy = 0;
  for (const auto& [type, values] : frequencies) {
    type_index.emplace(type, null_count.size());
    std::uint64_t with = 0;
    for (const auto& [value, count] : values) {
      with += count;
      double p = static_cast<double>(count) / n_double;
      entropy += p * minus_log2_p(count);
    }
    null_count.push_back(supply - with);
    if (supply > with) {
      double p = static_cast<double>(supply - with) / n_double;
      entropy += p * minus_log2_p(supply - with);
    }
  }
  const double normaliser = entropy != 0 ? entropy : 1;

  out.reserve(tokens.size());
  std::vector<std::uint64_t> counts;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    counts = null_count;  // A type the token lacks: its null count.
    std::uint64_t unique = 0;
    for (const auto& [type, value] : normalised[i].scored) {
      std::uint64_t c = frequencies.find(type)->second.find(value)->second;
      counts[type_index.find(type)->second] = c;
      if (c == 1) ++unique;
    }
    // Every count is now at least 1: a null count the token still sees is one it contributes
    // to. Summed in ascending order, the canonical order of rarity.h.
    std::sort(counts.begin(), counts.end());
    double ic = 0;
    for (std::uint64_t c : counts) ic += minus_log2_p(c);
    out.push_back({tokens[i].token_id, ic / normaliser, unique, 0});
  }

  assign_rarity_ranks(out);
  return out;
}

void assign_rarity_ranks(std::vector<TokenRarity>& tokens) {
  std::sort(tokens.begin(), tokens.end(), [](const TokenRarity& a, const TokenRarity& b) {
    if (a.unique_traits != b.unique_traits) return a.unique_traits > b.unique_traits;
    if (a.score != b.score) return a.score > b.score;
    return a.token_id < b.token_id;
  });
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    bool tied = i > 0 && is_close(tokens[i].score, tokens[i - 1].score);
    tokens[i].rank = tied ? tokens[i - 1].rank : i + 1;
  }
}

}  // namespace atelier::market
