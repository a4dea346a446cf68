// hash.h — SHA-256 (OpenSSL) and lowercase hex, the identity of every content-addressed
// thing in atelier (assets, bundles, recipes).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::span<const std::uint8_t> data);
Digest sha256(std::string_view data);
std::string sha256_hex(std::span<const std::uint8_t> data);
std::string sha256_hex(std::string_view data);

// Incremental SHA-256 for streams and multi-part inputs. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);
  Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay out of this header.
};

std::string to_hex(std::span<const std::uint8_t> bytes);
// Parses exactly `bytes_expected` bytes of hex (either case); nullopt on anything else.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex, std::size_t bytes_expected);
// True for 64 lowercase hex characters (a sha256 in its canonical spelling).
bool is_sha256_hex(std::string_view s);

}  // namespace atelier
