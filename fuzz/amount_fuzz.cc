// libFuzzer target: the parsers of money amounts and token ids — U256::from_decimal (what
// ledger::parse_amount, the API's JSON amounts and the CLI's flags use), ledger::parse_token_id
// (JSON bodies and the command line: decimal only), ledger::parse_token_id_in_url (token URLs:
// decimal, or 64 lowercase hex digits in an ERC-1155 collection) and the market's signed WAD
// decimals. Build with `make fuzz`; saved inputs in fuzz/corpus/amount are replayed by
// tests/fuzz.
//
// Properties: nothing crashes; an accepted decimal is canonical, so it prints back to the same
// text; every value round-trips through its decimal, its 32 big-endian bytes and its ERC-1155
// hex id; a token id in a body or on the command line is exactly a decimal, and in a URL it is
// a decimal except for 64 characters in an ERC-1155 collection, where it is the hex id; 2^256 - 1
// is accepted and one more is not; checked arithmetic agrees with itself.
//
// Finding 1 (found by this target; fixed): a token id written in decimal with exactly 64 digits
// (ids 10^63 .. 10^64 - 1) was taken as 64 hex digits by parse_token_id everywhere, so
// "/tokens/<its decimal>/…" and a listing's "token_id" named another token. Hex is now read
// only in an ERC-1155 token URL (ledger.h). Saved input:
// fuzz/corpus/amount/finding-token-id-64-decimal-digits.txt.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/u256.h"
#include "ledger/ledger.h"
#include "market/wad_math.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_round_trips(const atelier::U256& v) {
  check(atelier::U256::from_decimal(v.to_decimal()) == v);
  check(atelier::U256::from_be_bytes(v.to_be_bytes()) == v);
  const std::string hex = atelier::ledger::erc1155_id_hex(v);
  const std::string decimal = v.to_decimal();
  check(hex.size() == 64 && atelier::ledger::parse_token_id_in_url(hex, "erc1155") == v);
  check(atelier::ledger::parse_token_id(decimal) == v);  // Finding 1: also at 64 digits.
  check(atelier::ledger::parse_token_id_in_url(decimal, "erc721") == v);
  if (decimal.size() != 64) check(atelier::ledger::parse_token_id_in_url(decimal, "erc1155") == v);
}

void check_arithmetic(const atelier::U256& a, const atelier::U256& b) {
  auto sum = atelier::checked_add(a, b);
  if (sum)
    check(atelier::checked_sub(*sum, b) == a);
  else
    check(a > *atelier::checked_sub(atelier::U256::max(), b));  // Only when it would wrap.
  auto product = atelier::checked_mul(a, b);
  if (product && !b.is_zero()) check(atelier::checked_div(*product, b) == a);
  auto quotient = atelier::checked_div(a, b);
  check(quotient.has_value() == !b.is_zero());
  if (quotient) {
    auto rest = atelier::checked_mod(a, b);
    check(rest && *rest < b);
    // a = q·b + r, and mul_div(q, b, 1) is q·b without overflow.
    check(atelier::checked_add(*atelier::mul_div(*quotient, b, atelier::U256(1)), *rest) == a);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view first = text.substr(0, text.find('\n'));
  std::string_view second;
  if (first.size() < text.size()) second = text.substr(first.size() + 1);

  auto v = atelier::U256::from_decimal(first);
  if (v) {
    check(v->to_decimal() == first);  // Only canonical text is accepted.
    check_round_trips(*v);
  }
  auto amount = atelier::ledger::parse_amount(first, "amount");
  check(amount.has_value() == v.has_value());
  check(atelier::ledger::parse_token_id(first) == v);  // Bodies and flags: decimal only.
  check(atelier::ledger::parse_token_id_in_url(first, "erc721") == v);
  auto id = atelier::ledger::parse_token_id_in_url(first, "erc1155");
  if (id) {
    check_round_trips(*id);
    check(first.size() == 64 ? atelier::ledger::erc1155_id_hex(*id) == first : id == v);
  } else {
    check(first.size() == 64 || !v);
  }
  auto wad = atelier::market::I256::from_decimal(first);
  if (wad) check(atelier::market::I256::from_decimal(wad->to_decimal()) == wad);
  (void)atelier::market::wad_from_decimal(first, "amount");

  // A second line: a second operand for the checked arithmetic.
  auto w = atelier::U256::from_decimal(second);
  if (v && w) check_arithmetic(*v, *w);

  // The bounds, whatever the input.
  static const std::string max_text = atelier::U256::max().to_decimal();
  check(max_text ==
        "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  check(atelier::U256::from_decimal(max_text) == atelier::U256::max());
  check(!atelier::U256::from_decimal(
      "115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  return 0;
}
