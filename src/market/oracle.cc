// Price feeds: policy validation, aggregation (median, staleness, outliers, circuit breaker),
// currency conversion through a feed price and the slippage check. Formulas in oracle.h.
//
// Every product here is computed exactly in 1024-bit integers (Boost.Multiprecision, checked:
// an overflow would throw, and cannot happen for the bounded inputs, see Wide below) and
// divided once at the end, so each result is rounded exactly once, in the documented direction.
#include "core/assert.h"
#include "market/oracle.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <cassert>
#include <map>

#include "core/limits.h"
#include "ledger/ledger.h"

namespace atelier::market {

namespace {

namespace mp = boost::multiprecision;

// Wide enough for the largest product formed below: amount (2^256) · price (2^256) ·
// 10^(18 + kCurrencyDecimalsMax) (< 2^180) < 2^692.
using Wide = mp::number<mp::cpp_int_backend<1024, 1024, mp::unsigned_magnitude, mp::checked, void>>;

Wide wide(const U256& x) {
  Wide w = 0;
  for (int i = 3; i >= 0; --i) w = (w << 64) | Wide(x.limbs()[i]);
  return w;
}

std::optional<U256> narrow(const Wide& x) {
  if (mp::msb(x | 1) >= 256) return std::nullopt;
  Wide rest = x;
  std::array<std::uint64_t, 4> limbs{};
  for (auto& limb : limbs) {
    limb = static_cast<std::uint64_t>(rest & Wide(UINT64_MAX));
    rest >>= 64;
  }
  return U256::from_limbs(limbs);
}

Wide pow10(int n) { return mp::pow(Wide(10), static_cast<unsigned>(n)); }

bool is_code_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_currency_code(std::string_view s) {
  return s.size() >= 2 && s.size() <= 10 && std::all_of(s.begin(), s.end(), is_code_char);
}

bool is_source_name(std::string_view s) {
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  };
  return !s.empty() && static_cast<std::int64_t>(s.size()) <= limits::kOracleSourceBytesMax &&
         std::all_of(s.begin(), s.end(), ok);
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

// "BASE-QUOTE" split in two, or invalid_feed_id.
Result<std::pair<std::string, std::string>> split_feed_id(std::string_view id) {
  auto dash = id.find('-');
  if (dash != std::string_view::npos) {
    std::string_view base = id.substr(0, dash), quote = id.substr(dash + 1);
    if (is_currency_code(base) && is_currency_code(quote) && base != quote) {
      return std::pair{std::string(base), std::string(quote)};
    }
  }
  return fail(Error::invalid("invalid_feed_id",
                             "a feed id is BASE-QUOTE, two different codes of 2 to 10 of A-Z 0-9 "
                             "(e.g. ETH-USD), not " +
                                 in_quotes(id),
                             "id"));
}

Error out_of_range(std::string what, std::string field) {
  return Error::invalid("value_out_of_range", std::move(what), std::move(field));
}

// Checks on the policy's numbers and sources; `prefix` is "" or "params.".
Result<void> validate_fields(const FeedPolicy& p, const std::string& prefix) {
  if (p.max_age_ms < 1 || p.max_age_ms > limits::kOracleMaxAgeMsMax) {
    return fail(
        out_of_range("max_age_ms must be 1 .. " + std::to_string(limits::kOracleMaxAgeMsMax),
                     prefix + "max_age_ms"));
  }
  if (p.max_deviation_bps < 1 || p.max_deviation_bps > 10'000) {
    return fail(out_of_range("max_deviation_bps must be 1 .. 10000", prefix + "max_deviation_bps"));
  }
  if (static_cast<std::int64_t>(p.sources.size()) > limits::kOracleSourcesMax) {
    return fail(out_of_range("at most " + std::to_string(limits::kOracleSourcesMax) + " sources",
                             prefix + "sources"));
  }
  std::int64_t sources_max =
      p.sources.empty() ? limits::kOracleSourcesMax : static_cast<std::int64_t>(p.sources.size());
  if (p.min_sources < 1 || p.min_sources > sources_max) {
    return fail(out_of_range("min_sources must be 1 .. " + std::to_string(sources_max) +
                                 " (the number of allowed sources, at most kOracleSourcesMax)",
                             prefix + "min_sources"));
  }
  for (std::size_t i = 0; i < p.sources.size(); ++i) {
    if (!is_source_name(p.sources[i])) {
      return fail(Error::invalid("invalid_source",
                                 "a source name is 1 to " +
                                     std::to_string(limits::kOracleSourceBytesMax) +
                                     " of A-Z a-z 0-9 . _ : -, not " + in_quotes(p.sources[i]),
                                 prefix + "sources"));
    }
    if (std::find(p.sources.begin(), p.sources.begin() + i, p.sources[i]) !=
        p.sources.begin() + i) {
      return fail(Error::invalid("duplicate_source", in_quotes(p.sources[i]) + " is listed twice",
                                 prefix + "sources"));
    }
  }
  return {};
}

// A decimal integer param within [1, max].
Result<std::int64_t> small_integer(const std::string& text, const std::string& field,
                                   std::int64_t max) {
  auto n = U256::from_decimal(text);
  if (!n) {
    return fail(Error::invalid("invalid_number",
                               "expected a decimal integer (got " + in_quotes(text) + ")", field));
  }
  auto v = n->to_u64();
  if (!v || *v < 1 || *v > static_cast<std::uint64_t>(max)) {
    return fail(out_of_range("must be 1 .. " + std::to_string(max), field));
  }
  return static_cast<std::int64_t>(*v);
}

std::vector<std::string> split_sources(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

Result<void> validate_feed_policy(const FeedPolicy& policy) {
  auto parts = split_feed_id(policy.id);
  if (!parts) return fail(parts.error());
  if (policy.base != parts->first || policy.quote != parts->second) {
    return fail(Error::invalid(
        "invalid_feed_id",
        "base and quote must be the two halves of the id " + in_quotes(policy.id), "id"));
  }
  return validate_fields(policy, "");
}

Result<FeedPolicy> parse_feed_policy(std::string_view id, const PriceParams& params) {
  auto parts = split_feed_id(id);
  if (!parts) return fail(parts.error());
  FeedPolicy p{.id = std::string(id), .base = parts->first, .quote = parts->second};
  // The longest value: every allowed source named, comma-separated.
  constexpr std::int64_t kValueBytesMax =
      limits::kOracleSourcesMax * (limits::kOracleSourceBytesMax + 1);
  std::map<std::string, std::string, std::less<>> values;
  for (const auto& [name, value] : params) {
    std::string field = "params." + name.substr(0, 64);
    if (name != "max_age_ms" && name != "max_deviation_bps" && name != "min_sources" &&
        name != "sources") {
      return fail(Error::invalid("unknown_param", "a feed has no param " + in_quotes(name), field));
    }
    if (static_cast<std::int64_t>(value.size()) > kValueBytesMax) {
      return fail(out_of_range("value text too long", field));
    }
    if (!values.emplace(name, value).second) {
      return fail(Error::invalid("duplicate_param", "param given twice", field));
    }
  }
  for (std::string_view name : {"max_age_ms", "max_deviation_bps", "min_sources"}) {
    if (!values.contains(name)) {
      return fail(Error::invalid("missing_param", "a feed needs param " + std::string(name),
                                 "params." + std::string(name)));
    }
  }
  auto age = small_integer(values["max_age_ms"], "params.max_age_ms", limits::kOracleMaxAgeMsMax);
  if (!age) return fail(age.error());
  auto dev = small_integer(values["max_deviation_bps"], "params.max_deviation_bps", 10'000);
  if (!dev) return fail(dev.error());
  auto min = small_integer(values["min_sources"], "params.min_sources", limits::kOracleSourcesMax);
  if (!min) return fail(min.error());
  p.max_age_ms = *age;
  p.max_deviation_bps = *dev;
  p.min_sources = *min;
  if (auto it = values.find("sources"); it != values.end()) p.sources = split_sources(it->second);
  ATELIER_TRY(validate_fields(p, "params."));
  return p;
}

Result<U256> parse_price_wad(std::string_view text, std::string_view field) {
  auto wad = wad_from_decimal(text, field);
  if (!wad) return fail(wad.error());
  if (wad->is_negative()) {
    return fail(
        Error::invalid("negative_value", "a price must not be negative", std::string(field)));
  }
  if (wad->is_zero()) {
    return fail(out_of_range("a price must be greater than 0", std::string(field)));
  }
  return U256::from_limbs(wad->limbs());  // Non-negative: the same bits.
}

namespace {

// floor of the median of sorted, non-empty prices.
U256 median(const std::vector<U256>& sorted) {
  assert(!sorted.empty() && std::is_sorted(sorted.begin(), sorted.end()));
  std::size_t n = sorted.size();
  if (n % 2 == 1) return sorted[n / 2];
  const U256& lo = sorted[n / 2 - 1];
  const U256& hi = sorted[n / 2];
  // lo + floor((hi − lo) / 2) = floor((lo + hi) / 2), without the sum's overflow.
  const U256 spread = ATELIER_VALUE(checked_sub(hi, lo), "sorted: lo ≤ hi");
  const U256 half = ATELIER_VALUE(checked_div(spread, U256(2)), "a nonzero divisor");
  return ATELIER_VALUE(checked_add(lo, half), "lo + (hi − lo) / 2 ≤ hi");
}

std::vector<U256> sorted_prices(const std::vector<const OracleReport*>& reports) {
  std::vector<U256> prices;
  for (const auto* r : reports) prices.push_back(r->price_wad);
  std::sort(prices.begin(), prices.end());
  return prices;
}

bool allowed(const FeedPolicy& policy, const std::string& source) {
  if (!is_source_name(source)) return false;
  return policy.sources.empty() ||
         std::find(policy.sources.begin(), policy.sources.end(), source) != policy.sources.end();
}

// Steps 1 and 2 of aggregate(): the latest acceptable report of each source, by source name.
std::map<std::string, const OracleReport*> latest_reports(const FeedPolicy& policy,
                                                          std::span<const OracleReport> reports,
                                                          std::int64_t now_ms,
                                                          std::vector<std::string>& rejected) {
  std::map<std::string, const OracleReport*> latest;
  for (const auto& r : reports) {
    // observed_ms ≥ 0, so observed_ms − skew cannot overflow where now_ms + skew could.
    bool acceptable = allowed(policy, r.source) && !r.price_wad.is_zero() && r.observed_ms >= 0 &&
                      r.observed_ms - kReportClockSkewMs <= now_ms;
    if (!acceptable) {
      rejected.push_back(r.source.substr(0, limits::kOracleSourceBytesMax));
      continue;
    }
    auto [it, inserted] = latest.emplace(r.source, &r);
    if (!inserted && r.observed_ms >= it->second->observed_ms) it->second = &r;
  }
  std::sort(rejected.begin(), rejected.end());
  rejected.erase(std::unique(rejected.begin(), rejected.end()), rejected.end());
  return latest;
}

}  // namespace

Result<FeedPrice> aggregate(const FeedPolicy& policy, std::span<const OracleReport> reports,
                            std::int64_t now_ms) {
  ATELIER_TRY(validate_feed_policy(policy));
  if (now_ms < 0) return fail(out_of_range("now_ms must not be negative", "now_ms"));
  if (static_cast<std::int64_t>(reports.size()) > limits::kOracleReportsMax) {
    return fail(out_of_range("at most " + std::to_string(limits::kOracleReportsMax) + " reports",
                             "reports"));
  }
  FeedPrice out;
  std::vector<const OracleReport*> fresh;
  for (const auto& [source, r] : latest_reports(policy, reports, now_ms, out.rejected)) {
    // Both are in [0, now_ms + skew]: the difference cannot overflow.
    if (now_ms - r->observed_ms > policy.max_age_ms) {
      out.stale.push_back(source);
    } else {
      fresh.push_back(r);
    }
  }
  std::vector<const OracleReport*> accepted;
  if (!fresh.empty()) {
    Wide m = wide(median(sorted_prices(fresh)));
    for (const auto* r : fresh) {
      Wide p = wide(r->price_wad);
      Wide distance = p > m ? p - m : m - p;
      if (distance * 10'000 > m * policy.max_deviation_bps) {
        out.outliers.push_back(r->source);
      } else {
        accepted.push_back(r);
      }
    }
  }
  if (static_cast<std::int64_t>(accepted.size()) < policy.min_sources) {
    return fail(Error::conflict(
        "oracle_circuit_open",
        "feed " + policy.id + " is not trusted now: " + std::to_string(accepted.size()) +
            " usable reports, " + std::to_string(policy.min_sources) + " needed (" +
            std::to_string(fresh.size()) + " fresh, " + std::to_string(out.stale.size()) +
            " stale, " + std::to_string(out.outliers.size()) + " outliers, " +
            std::to_string(out.rejected.size()) + " rejected sources)",
        "feed"));
  }
  out.price_wad = median(sorted_prices(accepted));
  out.as_of_ms = accepted.front()->observed_ms;
  for (const auto* r : accepted) {
    out.used.push_back(r->source);  // Sorted: fresh follows the map's order.
    out.as_of_ms = std::min(out.as_of_ms, r->observed_ms);
  }
  std::sort(out.outliers.begin(), out.outliers.end());
  return out;
}

Result<U256> convert(const U256& amount_minor, const U256& price_wad, const Conversion& c) {
  if (price_wad.is_zero()) return fail(out_of_range("a price must be greater than 0", "price_wad"));
  for (int d : {c.from_decimals, c.to_decimals}) {
    if (d < 0 || d > limits::kCurrencyDecimalsMax) {
      return fail(out_of_range(
          "decimals must be 0 .. " + std::to_string(limits::kCurrencyDecimalsMax), "decimals"));
    }
  }
  const Wide wad = pow10(18);
  Wide num, den;
  if (c.direction == Direction::kBaseToQuote) {
    num = wide(amount_minor) * wide(price_wad) * pow10(c.to_decimals);
    den = wad * pow10(c.from_decimals);
  } else {
    num = wide(amount_minor) * wad * pow10(c.to_decimals);
    den = wide(price_wad) * pow10(c.from_decimals);
  }
  Wide q = num / den;
  if (c.rounding == Rounding::kUp && q * den != num) q += 1;
  auto out = narrow(q);
  if (!out) {
    return fail(
        Error::invalid("amount_overflow", "the converted amount does not fit 256 bits", "amount"));
  }
  return *out;
}

Result<U256> amount_due(const FeedPolicy& feed, const U256& price_wad, const CrossCurrency& c) {
  const ledger::Currency* listed = ledger::find_currency(c.listed_currency);
  const ledger::Currency* pay = ledger::find_currency(c.pay_currency);
  for (const std::string* code : {&c.listed_currency, &c.pay_currency}) {
    if (!ledger::find_currency(*code)) {
      return fail(Error::invalid(
          "unknown_currency", "currency must be ETH (wei) or USD (cents), not " + in_quotes(*code),
          "currency"));
    }
  }
  Direction direction;
  if (c.listed_currency == feed.base && c.pay_currency == feed.quote) {
    direction = Direction::kBaseToQuote;
  } else if (c.listed_currency == feed.quote && c.pay_currency == feed.base) {
    direction = Direction::kQuoteToBase;
  } else {
    return fail(Error::invalid(
        "currency_mismatch",
        "feed " + feed.id + " cannot convert " + c.listed_currency + " to " + c.pay_currency,
        "currency"));
  }
  return convert(c.listed_minor, price_wad,
                 {.from_decimals = listed->decimals,
                  .to_decimals = pay->decimals,
                  .direction = direction,
                  .rounding = Rounding::kUp});
}

Result<void> check_slippage(const U256& due, const U256& quoted, std::int64_t max_slippage_bps) {
  if (max_slippage_bps < 0 || max_slippage_bps > limits::kSlippageBpsMax) {
    return fail(out_of_range("max_slippage_bps must be 0 .. 10000", "max_slippage_bps"));
  }
  if (wide(due) * 10'000 > wide(quoted) * (10'000 + max_slippage_bps)) {
    return fail(Error::conflict("slippage_exceeded",
                                "the price moved: " + due.to_decimal() + " due, more than " +
                                    quoted.to_decimal() + " quoted plus " +
                                    std::to_string(max_slippage_bps) + " bps",
                                "max_slippage_bps"));
  }
  return {};
}

}  // namespace atelier::market
