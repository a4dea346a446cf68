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

constexpr std::array<std::pair<ListingKind, std::string_view>, 8> kKindNames = {{
    {ListingKind::kFixed, "fixed"},
    {ListingKind::kEnglish, "english"},
    {ListingKind::kDutchLinear, "dutch-linear"},
    {ListingKind::kDutchExponential, "dutch-exponential"},
    {ListingKind::kGdaDiscrete, "gda-discrete"},
    {ListingKind::kGdaContinuous, "gda-continuous"},
    {ListingKind::kVrgdaLinear, "vrgda-linear"},
    {ListingKind::kVrgdaLogistic, "vrgda-logistic"},
}};

}  // namespace

std::string_view listing_kind_name(ListingKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";  // Unreachable: every enumerator is in the table.
}

std::optional<ListingKind> parse_listing_kind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

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
