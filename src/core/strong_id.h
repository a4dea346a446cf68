// strong_id.h — ids the compiler tells apart (STYLE.md 5: an AccountId is not a ListingId).
//
//   Result<Sale> purchase(const ListingId& listing_id, const AccountId& buyer, …);
//   market.purchase(ListingId(l.id), AccountId("ann"), U256(1));   // compiles
//   market.purchase(AccountId("ann"), ListingId(l.id), U256(1));   // does not
//
// A StrongId<Tag> holds an id's text and nothing else: made from a string only explicitly,
// read back with str() / view(), compared only with the same kind of id. It checks nothing
// about the text: what a valid id is stays the business of the engine that owns it. Records
// read from the store keep plain strings; engine functions taking two or more ids take these,
// so an argument order mistake is a compile error rather than a wrong account charged.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <utility>

namespace atelier {

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string id) : id_(std::move(id)) {}
  explicit StrongId(std::string_view id) : id_(id) {}
  explicit StrongId(const char* id) : id_(id) {}

  const std::string& str() const { return id_; }
  std::string_view view() const { return id_; }
  bool empty() const { return id_.empty(); }

  friend bool operator==(const StrongId&, const StrongId&) = default;
  friend std::strong_ordering operator<=>(const StrongId&, const StrongId&) = default;

 private:
  std::string id_;
};

// A ledger account ("artist", "acct_…", "platform"): who pays, sells, bids, holds or approves.
using AccountId = StrongId<struct AccountIdTag>;
// A collection of tokens ("flows").
using CollectionId = StrongId<struct CollectionIdTag>;
// A listing ("lst_…").
using ListingId = StrongId<struct ListingIdTag>;

}  // namespace atelier
