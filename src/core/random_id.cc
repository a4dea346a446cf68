#include "core/random_id.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "core/hash.h"

namespace atelier {

static std::vector<std::uint8_t> random_bytes(std::size_t n) {
  std::vector<std::uint8_t> buf(n);
  if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1)
    std::abort();  // No entropy: cannot go on safely.
  return buf;
}

std::string random_hex(std::size_t bytes) { return to_hex(random_bytes(bytes)); }

std::string random_base64url(std::size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto buf = random_bytes(bytes);
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (auto b : buf) {
    acc = acc << 8 | b;
    bits += 8;
    while (bits >= 6) {
      out.push_back(kAlphabet[(acc >> (bits - 6)) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
  return out;
}

}  // namespace atelier
