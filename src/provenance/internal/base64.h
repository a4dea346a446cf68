// base64.h — standard base64 (RFC 4648 §4, with padding), as C2SP signed notes and
// checkpoints use it. Decoding is strict: one canonical spelling per byte string, so a
// tampered signature or root can never decode to the same bytes as the original.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::provenance::internal {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// nullopt unless `text` is canonical padded base64: length a multiple of 4, only the RFC 4648
// alphabet, at most two '=' and only at the end, and zero unused bits in the last symbol.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace atelier::provenance::internal
