#include "api/api_keys.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/hash.h"
#include "core/random_id.h"

namespace atelier::api {
namespace {

constexpr std::string_view kPrefix = "atk_";
constexpr std::size_t kIdHexChars = 16;         // 64-bit public id.
constexpr std::size_t kSecretRandomBytes = 32;  // 256-bit secret -> 43 base64url chars.
constexpr std::size_t kSaltBytes = 16;

Error unauthorized(std::string code, std::string message) {
  return {ErrorKind::kUnauthorized, std::move(code), std::move(message), {}};
}

std::string salted_hash_hex(std::string_view salt_hex, std::string_view secret) {
  Sha256 h;
  auto salt = from_hex(salt_hex, salt_hex.size() / 2);
  if (salt) h.update(std::span<const std::uint8_t>(*salt));
  h.update(secret);
  return to_hex(h.finish());
}

bool is_base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool is_scope(std::string_view scope) {
  return std::find(kScopes.begin(), kScopes.end(), scope) != kScopes.end();
}

bool Principal::allows(std::string_view scope) const {
  for (const auto& s : scopes) {
    if (s == scope || s == "admin") return true;
  }
  return false;
}

Result<CreatedApiKey> create_api_key(store::Store& store, std::vector<std::string> scopes,
                                     std::string label, const Clock& clock, std::string account) {
  if (scopes.empty()) {
    return fail(Error::invalid("invalid_scope",
                               "an API key needs at least one scope (read, render, "
                               "mint, trade, oracle, compliance, admin)",
                               "scopes"));
  }
  for (const auto& s : scopes) {
    if (!is_scope(s)) {
      return fail(Error::invalid(
          "invalid_scope",
          "unknown scope \"" + s +
              "\"; expected read, render, mint, trade, oracle, compliance or admin",
          "scopes"));
    }
  }
  if (label.size() > kApiKeyLabelBytesMax) {
    return fail(Error::invalid("invalid_label",
                               "label exceeds " + std::to_string(kApiKeyLabelBytesMax) + " bytes",
                               "label"));
  }
  if (std::any_of(label.begin(), label.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail(Error::invalid("invalid_label", "label contains control characters", "label"));
  }

  CreatedApiKey out;
  out.record.id = std::string(kPrefix) + random_hex(kIdHexChars / 2);
  out.secret = out.record.id + "." + random_base64url(kSecretRandomBytes);
  out.record.salt_hex = random_hex(kSaltBytes);
  out.record.hash_hex = salted_hash_hex(out.record.salt_hex, out.secret);
  for (auto s : kScopes) {
    if (std::find(scopes.begin(), scopes.end(), s) != scopes.end())
      out.record.scopes.emplace_back(s);
  }
  out.record.label = std::move(label);
  out.record.account = std::move(account);
  out.record.created_ms = clock.now_ms();
  ATELIER_TRY(store.put_api_key(out.record));
  return out;
}

Result<Principal> authenticate(store::Store& store, std::string_view bearer) {
  const auto invalid = [] {
    return fail(unauthorized("invalid_api_key", "the API key is not valid"));
  };
  if (bearer.size() > kApiKeySecretBytesMax || !bearer.starts_with(kPrefix)) return invalid();
  auto dot = bearer.find('.');
  if (dot == std::string_view::npos) return invalid();
  std::string_view id = bearer.substr(0, dot);
  std::string_view secret = bearer.substr(dot + 1);
  if (id.size() != kPrefix.size() + kIdHexChars || !is_lower_hex(id.substr(kPrefix.size())) ||
      secret.empty() || !is_base64url(secret)) {
    return invalid();
  }
  auto record = store.api_key(id);
  if (!record) return fail(record.error());
  if (!record->has_value()) return invalid();
  const store::ApiKeyRecord& key = **record;
  std::string got = salted_hash_hex(key.salt_hex, bearer);
  if (got.size() != key.hash_hex.size() ||
      CRYPTO_memcmp(got.data(), key.hash_hex.data(), got.size()) != 0) {
    return invalid();
  }
  if (key.revoked) return fail(unauthorized("api_key_revoked", "the API key has been revoked"));
  return Principal{key.id, key.scopes, key.label, key.account};
}

}  // namespace atelier::api
