// Issue 14: every market and oracle operation that answers an idempotent request stores the
// response in the operation's own transaction (ledger_store.h "Respond"), under the claim's
// fencing token. Checked per operation: the claim is completed by the time the operation
// returns (no separate completion needed: a crash right after still replays it), and an
// operation holding a fence that was taken over commits nothing.
#include <gtest/gtest.h>

#include "market/feeds.h"
#include "tests/ledger/ledger_fixture.h"

namespace atelier::ledger {
namespace {

using market::NewListing;
using State = store::IdempotencyClaim::State;

class IdempotentMarketTest : public MarketTest {
 protected:
  int keys = 0;
  // A claim on a new key, held under its fence.
  store::IdempotencyFence claim() {
    const std::string key = "k" + std::to_string(++keys);
    auto c = db->claim_idempotency("api-key", key, "hash", clock.now_ms());
    EXPECT_TRUE(c && c->state == State::kNew);
    return {"api-key", key, c ? c->token : ""};
  }
  // What a retry of `fence`'s key gets: the stored body, or "(in flight)".
  std::string retry(const store::IdempotencyFence& fence) {
    auto c = db->claim_idempotency(fence.key_id, fence.idem_key, "hash", clock.now_ms());
    if (!c) return c.error().code;
    return c->state == State::kReplay ? std::to_string(c->status) + " " + c->body : "(in flight)";
  }
  template <typename T>
  store::Respond<T> respond(const store::IdempotencyFence& fence,
                            std::function<std::string(const T&)> body) {
    return {fence, [body](const T& r) -> Result<store::IdempotentResponse> {
              return store::IdempotentResponse{201, body(r)};
            }};
  }
  // A fence whose claim a retry has taken over: the stale worker's.
  store::IdempotencyFence stale() {
    store::IdempotencyFence f = claim();
    f.token = "taken-over";
    return f;
  }
  std::uint64_t log_size() { return db->log_size().value(); }
  std::string code(const auto& r) { return r ? "ok" : r.error().code; }
  void fund(const std::string& account, std::uint64_t amount) {
    ASSERT_TRUE(ledger->deposit(AccountId(account), "ETH", U256(amount)));
  }
  std::string fixed(U256 id, std::uint64_t price) {
    auto l = market->create_listing(
        {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(price)});
    EXPECT_TRUE(l) << l.error().to_string();
    return l ? l->id : "";
  }
  std::string english(U256 id) {
    NewListing l{.kind = "english",
                 .seller = "artist",
                 .collection = "flows",
                 .token_id = id,
                 .ends_ms = clock.now_ms() + 3'600'000};
    l.reserve_price = U256(1'000);
    auto r = market->create_listing(l);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r->id : "";
  }
};

TEST_F(IdempotentMarketTest, APurchaseStoresItsAnswerWithTheSale) {
  U256 id = mint("flows", 1, "artist");
  std::string l = fixed(id, 1'000);
  fund("alice", 5'000);
  const auto before = log_size();
  auto lost = respond<market::Sale>(stale(), [](const market::Sale&) { return "stale"; });
  EXPECT_EQ(code(market->purchase(ListingId(l), AccountId("alice"), U256(1),
                                  market::PurchaseOptions{}, &lost)),
            "idempotency_claim_lost");
  EXPECT_EQ(log_size(), before);
  EXPECT_EQ(balance("alice"), U256(5'000));

  auto fence = claim();
  auto answer =
      respond<market::Sale>(fence, [](const market::Sale& s) { return market::sale_json(s); });
  auto sale = market->purchase(ListingId(l), AccountId("alice"), U256(1), market::PurchaseOptions{},
                               &answer);
  ASSERT_TRUE(sale) << sale.error().to_string();
  EXPECT_EQ(retry(fence), "201 " + market::sale_json(*sale));
  EXPECT_EQ(balance("alice"), U256(4'000));
}

TEST_F(IdempotentMarketTest, CreatingAndCancellingAListingStoreTheirAnswers) {
  U256 id = mint("flows", 2, "artist");
  const auto before = log_size();
  auto lost =
      respond<store::ListingRecord>(stale(), [](const store::ListingRecord&) { return "stale"; });
  EXPECT_EQ(
      code(market->create_listing(
          {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(5)}, &lost)),
      "idempotency_claim_lost");
  EXPECT_EQ(log_size(), before);

  auto fence = claim();
  auto answer = respond<store::ListingRecord>(fence, [](const store::ListingRecord& r) {
    return r.id + " " + std::string(store::listing_status_name(r.status));
  });
  auto l = market->create_listing(
      {.seller = "artist", .collection = "flows", .token_id = id, .price = U256(5)}, &answer);
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(retry(fence), "201 " + l->id + " active");

  EXPECT_EQ(code(market->cancel(ListingId(l->id), AccountId("artist"), false, &lost)),
            "idempotency_claim_lost");
  EXPECT_EQ(market->listing(l->id)->listing.status, store::ListingStatus::kActive);
  auto cancel_fence = claim();
  auto cancel_answer =
      respond<store::ListingRecord>(cancel_fence, [](const store::ListingRecord& r) {
        return r.id + " " + std::string(store::listing_status_name(r.status));
      });
  ASSERT_TRUE(market->cancel(ListingId(l->id), AccountId("artist"), false, &cancel_answer));
  EXPECT_EQ(retry(cancel_fence), "201 " + l->id + " cancelled");
}

TEST_F(IdempotentMarketTest, BidsAndSettlingStoreTheirAnswers) {
  U256 id = mint("flows", 3, "artist");
  std::string a = english(id);
  fund("alice", 5'000);
  const auto before = log_size();
  auto lost = respond<market::Bid>(stale(), [](const market::Bid&) { return "stale"; });
  EXPECT_EQ(code(market->bid(ListingId(a), AccountId("alice"), U256(1'000), {}, &lost)),
            "idempotency_claim_lost");
  EXPECT_EQ(log_size(), before);
  EXPECT_EQ(balance("alice"), U256(5'000));

  auto fence = claim();
  auto answer =
      respond<market::Bid>(fence, [](const market::Bid& b) { return market::bid_json(b); });
  auto bid = market->bid(ListingId(a), AccountId("alice"), U256(1'000), {}, &answer);
  ASSERT_TRUE(bid) << bid.error().to_string();
  EXPECT_EQ(retry(fence), "201 " + market::bid_json(*bid));

  clock.advance_ms(3'600'000);
  auto lost_settle =
      respond<market::Settlement>(stale(), [](const market::Settlement&) { return "stale"; });
  EXPECT_EQ(code(market->settle(a, &lost_settle)), "idempotency_claim_lost");
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "escrow");
  auto settle_fence = claim();
  auto settle_answer = respond<market::Settlement>(
      settle_fence, [](const market::Settlement& s) { return market::settlement_json(s); });
  auto s = market->settle(a, &settle_answer);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(retry(settle_fence), "201 " + market::settlement_json(*s));
  EXPECT_EQ(*ledger->owner_of(CollectionId("flows"), id), "alice");
  expect_ledger_ok();
}

TEST_F(IdempotentMarketTest, FeedRegistrationsAndReportsStoreTheirAnswers) {
  market::Feeds feeds(*db, clock);
  const market::PriceParams policy = {
      {"max_age_ms", "60000"}, {"max_deviation_bps", "500"}, {"min_sources", "1"}};
  auto lost = respond<market::FeedRegistration>(
      stale(), [](const market::FeedRegistration&) { return "stale"; });
  EXPECT_EQ(code(feeds.register_feed("ETH-USD", policy, &lost)), "idempotency_claim_lost");
  EXPECT_FALSE(db->feed("ETH-USD").value());

  auto fence = claim();
  auto answer = respond<market::FeedRegistration>(fence, [](const market::FeedRegistration& r) {
    return r.policy.id + " " + std::to_string(r.log_index);
  });
  auto reg = feeds.register_feed("ETH-USD", policy, &answer);
  ASSERT_TRUE(reg) << reg.error().to_string();
  EXPECT_EQ(retry(fence), "201 ETH-USD " + std::to_string(reg->log_index));

  auto lost_report = respond<store::FeedReportRecord>(
      stale(), [](const store::FeedReportRecord&) { return "stale"; });
  EXPECT_EQ(
      code(feeds.report(
          {.feed_id = "ETH-USD", .source = "a", .price = "3000", .observed_ms = clock.now_ms()},
          &lost_report)),
      "idempotency_claim_lost");
  EXPECT_TRUE(db->feed_reports("ETH-USD").value().empty());
  auto report_fence = claim();
  auto report_answer = respond<store::FeedReportRecord>(
      report_fence, [](const store::FeedReportRecord& r) { return market::feed_report_json(r); });
  auto report = feeds.report(
      {.feed_id = "ETH-USD", .source = "a", .price = "3000", .observed_ms = clock.now_ms()},
      &report_answer);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_EQ(retry(report_fence), "201 " + market::feed_report_json(*report));
}

}  // namespace
}  // namespace atelier::ledger
