// Who is paid what when a token sells (ledger.h sale_payouts): the platform fee, then on a
// primary sale the creator's primary splits, on a resale the EIP-2981 royalty (or its splits),
// and the seller the rest. Each share is a floor of basis points; the remainder goes to the
// seller, so the payouts always sum to the price exactly (asserted).
#include "core/assert.h"
#include "ledger/ledger.h"

namespace atelier::ledger {

namespace {

// floor(amount × bps / 10,000).
U256 bps_of(const U256& amount, std::int64_t bps) {
  return ATELIER_VALUE(mul_div(amount, U256(static_cast<std::uint64_t>(bps)), U256(10'000)),
                       "bps ≤ 10,000: the share fits");
}

}  // namespace

Result<std::vector<Payout>> sale_payouts(const store::CollectionRecord& c, std::string_view seller,
                                         const U256& price, std::int64_t fee_bps) {
  if (fee_bps < 0 || fee_bps > 10'000) {
    return fail(
        Error::invalid("invalid_fee_bps", "platform_fee_bps must be 0..10000", "platform_fee_bps"));
  }
  const bool primary = seller == c.creator_account;
  if (!primary && fee_bps + c.royalty_bps > 10'000) {
    return fail(Error::invalid("fees_exceed_price",
                               "the platform fee (" + std::to_string(fee_bps) +
                                   " bps) and the royalty (" + std::to_string(c.royalty_bps) +
                                   " bps) exceed the price",
                               "platform_fee_bps"));
  }
  std::vector<Payout> out;
  U256 rest = price;
  auto pay = [&](const std::string& account, const U256& amount, const char* role) {
    if (amount.is_zero()) return;
    out.push_back({account, amount, role});
    rest = ATELIER_VALUE(checked_sub(rest, amount), "each share is a floor of a part of the rest");
  };
  pay(std::string(kPlatformAccount), bps_of(price, fee_bps), "platform_fee");
  if (primary) {
    const U256 proceeds = rest;
    if (!c.primary_splits.empty()) {
      for (const auto& s : c.primary_splits)
        pay(s.account, bps_of(proceeds, s.bps), "primary_split");
    }
  } else {
    const U256 royalty = bps_of(price, c.royalty_bps);
    if (!c.royalty_splits.empty()) {
      for (const auto& s : c.royalty_splits) pay(s.account, bps_of(royalty, s.bps), "royalty");
    } else {
      pay(c.royalty_receiver, royalty, "royalty");
    }
  }
  pay(std::string(seller), rest, "seller");
  // Every unit of the price is paid out once: the shares and the seller's rest sum to it.
  U256 paid;
  for (const auto& p : out)
    paid = ATELIER_VALUE(checked_add(paid, p.amount), "shares of a U256 price fit");
  ATELIER_ASSERT(paid == price,
                 "payouts sum to " + paid.to_decimal() + ", the price is " + price.to_decimal());
  return out;
}

}  // namespace atelier::ledger
