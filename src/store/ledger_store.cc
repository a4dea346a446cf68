#include "store/ledger_store.h"

#include <array>
#include <utility>

namespace atelier::store {

namespace {

constexpr std::array<std::pair<ListingStatus, std::string_view>, 5> kStatusNames = {{
    {ListingStatus::kActive, "active"},
    {ListingStatus::kSoldOut, "sold_out"},
    {ListingStatus::kCancelled, "cancelled"},
    {ListingStatus::kEnded, "ended"},
    {ListingStatus::kSettled, "settled"},
}};

}  // namespace

std::string_view listing_status_name(ListingStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "unknown";  // Unreachable: every enumerator is in the table.
}

std::optional<ListingStatus> parse_listing_status(std::string_view name) {
  for (const auto& [s, n] : kStatusNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool is_closed(ListingStatus status) {
  return status == ListingStatus::kCancelled || status == ListingStatus::kEnded ||
         status == ListingStatus::kSettled;
}

}  // namespace atelier::store
