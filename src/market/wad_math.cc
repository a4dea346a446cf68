#include "market/wad_math.h"

#include "market/internal/wide.h"

namespace atelier::market {

namespace {

using internal::Int;

Result<I256> narrow(const Result<Int>& r) {
  if (!r) return fail(r.error());
  if (!internal::fits_int256(*r)) {
    return fail(Error::invalid("wad_overflow", "result does not fit an int256"));
  }
  return internal::to_i256(*r);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// The value of a string of decimal digits. Not Boost's string constructor: it would read a
// leading 0 as octal.
Int digits_value(std::string_view digits) {
  Int w = 0;
  for (char ch : digits) w = w * 10 + (ch - '0');
  return w;
}

}  // namespace

I256 I256::min() { return from_limbs({0, 0, 0, 1ULL << 63}); }
I256 I256::max() { return from_limbs({~0ULL, ~0ULL, ~0ULL, ~0ULL >> 1}); }

std::optional<I256> I256::from_decimal(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  if (!all_digits(digits) || digits.size() > 78) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  if (negative && digits == "0") return std::nullopt;
  Int w = digits_value(digits);
  if (negative) w = -w;
  if (!internal::fits_int256(w)) return std::nullopt;
  return internal::to_i256(w);
}

std::string I256::to_decimal() const { return internal::from_i256(*this).str(); }

Result<I256> wad_mul(const I256& x, const I256& y) {
  return narrow(internal::mul_wad(internal::from_i256(x), internal::from_i256(y)));
}

Result<I256> wad_div(const I256& x, const I256& y) {
  return narrow(internal::div_wad(internal::from_i256(x), internal::from_i256(y)));
}

Result<I256> wad_exp(const I256& x) { return narrow(internal::exp_wad(internal::from_i256(x))); }

Result<I256> wad_ln(const I256& x) { return narrow(internal::ln_wad(internal::from_i256(x))); }

Result<I256> wad_pow(const I256& x, const I256& y) {
  auto ln = internal::ln_wad(internal::from_i256(x));
  if (!ln) return fail(ln.error());
  Int product = *ln * internal::from_i256(y);  // Checked in Solidity: reverts on overflow.
  if (!internal::fits_int256(product)) {
    return fail(Error::invalid("wad_overflow", "ln(x) * y does not fit an int256"));
  }
  return narrow(internal::exp_wad(internal::sdiv(product, internal::wad())));
}

Result<I256> wad_from_decimal(std::string_view text, std::string_view field) {
  const std::string f(field);
  auto bad = [&] {
    return fail(Error::invalid(
        "invalid_number",
        "expected a decimal number such as 0.31 (got \"" + std::string(text.substr(0, 100)) + "\")",
        f));
  };
  bool negative = !text.empty() && text[0] == '-';
  std::string_view body = negative ? text.substr(1) : text;
  auto dot = body.find('.');
  std::string_view whole = body.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : body.substr(dot + 1);
  if (!all_digits(whole) || (whole.size() > 1 && whole[0] == '0')) return bad();
  if (dot != std::string_view::npos && !all_digits(frac)) return bad();
  if (frac.size() > 18) {
    return fail(Error::invalid("too_many_decimals", "at most 18 decimals (a wad's precision)", f));
  }
  if (whole.size() > 78) {
    return fail(Error::invalid("value_out_of_range", "does not fit an int256 wad", f));
  }
  std::string scaled = std::string(whole) + std::string(frac) + std::string(18 - frac.size(), '0');
  Int w = digits_value(scaled);
  if (negative) w = -w;
  if (!internal::fits_int256(w)) {
    return fail(Error::invalid("value_out_of_range", "does not fit an int256 wad", f));
  }
  return internal::to_i256(w);
}

}  // namespace atelier::market
