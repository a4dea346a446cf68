#include "core/u256.h"

#include <boost/multiprecision/cpp_int.hpp>

namespace atelier {

namespace {

namespace mp = boost::multiprecision;
using Wide = mp::uint512_t;  // Room for any product of two U256.

Wide wide(const U256& u) {
  Wide w = 0;
  for (int i = 3; i >= 0; --i) {
    w <<= 64;
    w |= u.limbs()[i];
  }
  return w;
}

const Wide& limit() {
  static const Wide max = (Wide(1) << 256) - 1;
  return max;
}

std::optional<U256> narrow(const Wide& w) {
  if (w > limit()) return std::nullopt;
  std::array<std::uint64_t, 4> limbs{};
  Wide rest = w;
  for (auto& limb : limbs) {
    limb = static_cast<std::uint64_t>(rest & Wide(UINT64_MAX));
    rest >>= 64;
  }
  return U256::from_limbs(limbs);
}

}  // namespace

U256 U256::max() { return from_limbs({UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}); }

std::optional<U256> U256::from_decimal(std::string_view text) {
  if (text.empty() || text.size() > 78 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  Wide w = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    w = w * 10 + static_cast<unsigned>(c - '0');
  }
  return narrow(w);
}

std::string U256::to_decimal() const { return wide(*this).str(); }

std::array<std::uint8_t, 32> U256::to_be_bytes() const {
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 4; ++i) {
    for (int b = 0; b < 8; ++b)
      out[31 - (i * 8 + b)] = static_cast<std::uint8_t>(limbs_[i] >> (8 * b));
  }
  return out;
}

U256 U256::from_be_bytes(const std::array<std::uint8_t, 32>& bytes) {
  std::array<std::uint64_t, 4> limbs{};
  for (int i = 0; i < 4; ++i) {
    for (int b = 0; b < 8; ++b)
      limbs[i] |= static_cast<std::uint64_t>(bytes[31 - (i * 8 + b)]) << (8 * b);
  }
  return from_limbs(limbs);
}

std::optional<std::uint64_t> U256::to_u64() const {
  if (limbs_[1] | limbs_[2] | limbs_[3]) return std::nullopt;
  return limbs_[0];
}

std::optional<U256> checked_add(const U256& a, const U256& b) { return narrow(wide(a) + wide(b)); }

std::optional<U256> checked_sub(const U256& a, const U256& b) {
  if (b > a) return std::nullopt;
  return narrow(wide(a) - wide(b));
}

std::optional<U256> checked_mul(const U256& a, const U256& b) { return narrow(wide(a) * wide(b)); }

std::optional<U256> checked_div(const U256& a, const U256& b) {
  if (b.is_zero()) return std::nullopt;
  return narrow(wide(a) / wide(b));
}

std::optional<U256> checked_mod(const U256& a, const U256& b) {
  if (b.is_zero()) return std::nullopt;
  return narrow(wide(a) % wide(b));
}

std::optional<U256> mul_div(const U256& a, const U256& b, const U256& d) {
  if (d.is_zero()) return std::nullopt;
  return narrow(wide(a) * wide(b) / wide(d));
}

}  // namespace atelier
