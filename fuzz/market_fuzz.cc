// libFuzzer target: the pricing engine's parsers and arithmetic on outside input — kinds,
// name=value params, query numbers and raw int256 values for the wad functions. Build with
// `make fuzz`; saved inputs in fuzz/corpus/market are replayed by tests/fuzz on every test run.
//
// Input: text lines. The first is the kind, "NAME=VALUE" lines are params, a line
// "@S N Q" is the query (elapsed_s, sold, quantity). Whatever the text, the first 32 bytes are
// also read as an int256 and pushed through wad_exp, wad_ln, wad_mul and wad_div.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "market/pricing.h"
#include "market/wad_math.h"

namespace {

using atelier::market::I256;

void fuzz_wad(const std::uint8_t* data, std::size_t size) {
  if (size < 32) return;
  std::array<std::uint64_t, 4> limbs{};
  std::memcpy(limbs.data(), data, 32);
  I256 x = I256::from_limbs(limbs);
  if (I256::from_decimal(x.to_decimal()) != x) std::abort();  // Decimal round trip.
  (void)atelier::market::wad_exp(x);
  auto ln = atelier::market::wad_ln(x);
  if (ln && x <= I256(0)) std::abort();
  (void)atelier::market::wad_mul(x, x);
  (void)atelier::market::wad_div(I256(atelier::market::kWad), x);
  (void)atelier::market::wad_pow(x, I256(atelier::market::kWad / 2));
}

std::uint64_t number(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
  rest.remove_prefix(static_cast<std::size_t>(ptr - rest.data()));
  return ec == std::errc() ? n : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_wad(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view kind = text.substr(0, text.find('\n'));
  atelier::market::PriceParams params;
  atelier::market::QuoteQuery query;
  for (std::size_t at = text.find('\n'); at != std::string_view::npos;) {
    std::string_view line = text.substr(at + 1);
    at = text.find('\n', at + 1);
    line = line.substr(0, line.find('\n'));
    if (!line.empty() && line.front() == '@') {
      line.remove_prefix(1);
      query = {number(line), number(line), number(line)};
    } else if (auto eq = line.find('='); eq != std::string_view::npos) {
      params.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
  }
  auto model = atelier::market::parse_price_model(kind, params);
  if (!model) return 0;
  auto price = atelier::market::quote_price(*model, query);
  if (price && std::holds_alternative<atelier::market::DutchLinear>(*model) &&
      *price > std::get<atelier::market::DutchLinear>(*model).start_price_wei) {
    std::abort();  // A Dutch auction never asks more than its start price.
  }
  return 0;
}
