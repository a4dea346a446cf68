// core/strong_id.h: ids of different kinds do not mix, and none is made from a string by
// accident — what lets Market::purchase(listing, buyer, …) refuse swapped arguments.
#include "core/strong_id.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace atelier {
namespace {

static_assert(!std::is_convertible_v<AccountId, ListingId>);
static_assert(!std::is_convertible_v<ListingId, AccountId>);
static_assert(!std::is_convertible_v<CollectionId, AccountId>);
static_assert(!std::is_convertible_v<std::string, AccountId>);
static_assert(!std::is_convertible_v<std::string_view, ListingId>);
static_assert(!std::is_convertible_v<const char*, CollectionId>);
static_assert(std::is_constructible_v<AccountId, std::string>);
static_assert(std::is_constructible_v<AccountId, std::string_view>);
static_assert(std::is_constructible_v<AccountId, const char*>);

TEST(StrongIdTest, HoldsItsTextAndComparesWithItsOwnKind) {
  const AccountId ann("ann");
  EXPECT_EQ(ann.str(), "ann");
  EXPECT_EQ(ann.view(), "ann");
  EXPECT_FALSE(ann.empty());
  EXPECT_TRUE(AccountId().empty());
  EXPECT_EQ(ann, AccountId(std::string("ann")));
  EXPECT_NE(ann, AccountId("bob"));
  EXPECT_LT(ann, AccountId("bob"));
}

}  // namespace
}  // namespace atelier
