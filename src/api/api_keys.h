// api_keys.h — API keys with scopes: creation (the secret is shown once) and authentication.
//
//   auto created = api::create_api_key(store, {"render"}, "ci bot", SystemClock::instance());
//   std::puts(created->secret.c_str());          // "atk_3f9c0d1e2a4b5c6d.Zk3…" — never stored
//   auto who = api::authenticate(store, created->secret);   // Principal{key_id, scopes}
//
// A secret is `atk_<16 hex id>.<43 base64url chars>` (256 bits of entropy); the part before
// the '.' is the public key id. The store keeps only a random 16-byte salt and
// sha256(salt || secret): a salted fast hash is enough for a random 256-bit secret (there is
// nothing to brute-force), and it keeps authentication cheap on every request. The digest is
// compared in constant time.
//
// Scopes: read, render, mint, trade, oracle (price reports), compliance (the registry of
// protected works), admin. admin implies every other scope; no other scope implies another.
// Public routes need no key at all.
//
// Thread-safety: both functions are safe to call concurrently (the Store is).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/limits.h"
#include "store/store.h"

namespace atelier::api {

inline constexpr std::array<std::string_view, 7> kScopes = {
    "read", "render", "mint", "trade", "oracle", "compliance", "admin"};
inline constexpr std::size_t kApiKeyLabelBytesMax = limits::kApiKeyLabelBytesMax;
inline constexpr std::size_t kApiKeySecretBytesMax = limits::kApiKeySecretBytesMax;

bool is_scope(std::string_view scope);

// Who is calling: the authenticated key.
struct Principal {
  std::string key_id;
  std::vector<std::string> scopes;
  std::string label;
  std::string account = {};  // The ledger account the key acts for (purchases, bids); may be empty.

  // True when the key holds `scope` or admin.
  bool allows(std::string_view scope) const;
};

struct CreatedApiKey {
  store::ApiKeyRecord record;  // As stored (salt and hash, never the secret).
  std::string secret;          // The bearer token; shown once, not recoverable.
};

// Creates and stores a key. Errors (kInvalidInput): "invalid_scope" (unknown or none given;
// field "scopes"), "invalid_label" (over kApiKeyLabelBytesMax or control characters).
// Duplicate scopes are dropped; the stored order is the order of kScopes.
// `account` binds the key to a ledger account (checked to exist by the caller).
Result<CreatedApiKey> create_api_key(store::Store& store, std::vector<std::string> scopes,
                                     std::string label, const Clock& clock,
                                     std::string account = {});

// Checks a bearer token (the text after "Bearer "). Errors (kUnauthorized):
// "invalid_api_key" (malformed, unknown id, or wrong secret — not distinguished, so a caller
// learns nothing about which ids exist), "api_key_revoked" (only after the secret matched).
// Store failures are kInternal.
Result<Principal> authenticate(store::Store& store, std::string_view bearer);

}  // namespace atelier::api
