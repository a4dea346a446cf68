// migrations.h — the numbered schema migrations, applied in order at open.
#pragma once

#include <span>
#include <string_view>

namespace atelier::store::internal {

// migrations()[i] brings the schema from version i to i + 1. Never edit a shipped one:
// append a new migration instead.
std::span<const std::string_view> migrations();

}  // namespace atelier::store::internal
