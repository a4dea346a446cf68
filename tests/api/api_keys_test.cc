#include "api/api_keys.h"

#include <gtest/gtest.h>

#include "fake_store.h"

namespace atelier::api {
namespace {

using testing::FakeStore;

TEST(ApiKeys, CreateReturnsSecretOnceAndStoresOnlyASaltedHash) {
  FakeStore store;
  ManualClock clock;
  auto created = create_api_key(store, {"render", "read"}, "ci bot", clock);
  ASSERT_TRUE(created) << created.error().to_string();
  const auto& secret = created->secret;
  EXPECT_TRUE(secret.starts_with("atk_"));
  EXPECT_GE(secret.size(), 24u);
  for (char c : secret) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')
        << c;
  }
  auto stored = store.api_key(created->record.id);
  ASSERT_TRUE(stored && *stored);
  const auto& rec = **stored;
  EXPECT_TRUE(secret.starts_with(rec.id + "."));
  EXPECT_EQ(rec.scopes, (std::vector<std::string>{"read", "render"}));  // kScopes order.
  EXPECT_EQ(rec.label, "ci bot");
  EXPECT_EQ(rec.created_ms, clock.now_ms());
  EXPECT_EQ(rec.salt_hex.size(), 32u);
  EXPECT_EQ(rec.hash_hex.size(), 64u);
  // The secret appears nowhere in the record.
  auto tail = secret.substr(secret.find('.') + 1);
  for (const auto& field : {rec.id, rec.salt_hex, rec.hash_hex, rec.label}) {
    EXPECT_EQ(field.find(tail), std::string::npos);
  }
}

TEST(ApiKeys, TwoKeysDiffer) {
  FakeStore store;
  ManualClock clock;
  auto a = create_api_key(store, {"read"}, "", clock);
  auto b = create_api_key(store, {"read"}, "", clock);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_NE(a->record.id, b->record.id);
  EXPECT_NE(a->record.salt_hex, b->record.salt_hex);
}

TEST(ApiKeys, AuthenticateAcceptsTheSecretAndNothingElse) {
  FakeStore store;
  ManualClock clock;
  auto created = create_api_key(store, {"render"}, "x", clock);
  ASSERT_TRUE(created);
  auto who = authenticate(store, created->secret);
  ASSERT_TRUE(who) << who.error().to_string();
  EXPECT_EQ(who->key_id, created->record.id);
  EXPECT_TRUE(who->allows("render"));
  EXPECT_FALSE(who->allows("mint"));

  std::string wrong = created->secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {wrong, std::string(""), std::string("atk_"), created->record.id, created->record.id + ".",
        std::string("atk_0000000000000000.abc"), std::string("xyz_") + created->secret.substr(4),
        created->secret + "x", std::string(500, 'a'), created->secret + " "}) {
    auto r = authenticate(store, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kUnauthorized);
    EXPECT_EQ(r.error().code, "invalid_api_key");
  }
}

TEST(ApiKeys, RevokedKeyIsRefused) {
  FakeStore store;
  ManualClock clock;
  auto created = create_api_key(store, {"render"}, "x", clock);
  ASSERT_TRUE(created);
  ASSERT_TRUE(store.revoke_api_key(created->record.id));
  auto r = authenticate(store, created->secret);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "api_key_revoked");
}

TEST(ApiKeys, ScopesAndLabelAreValidated) {
  FakeStore store;
  ManualClock clock;
  auto none = create_api_key(store, {}, "x", clock);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "invalid_scope");
  auto unknown = create_api_key(store, {"render", "root"}, "x", clock);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "scopes");
  EXPECT_TRUE(create_api_key(store, {"render"}, std::string(kApiKeyLabelBytesMax, 'a'), clock));
  auto long_label =
      create_api_key(store, {"render"}, std::string(kApiKeyLabelBytesMax + 1, 'a'), clock);
  ASSERT_FALSE(long_label);
  EXPECT_EQ(long_label.error().code, "invalid_label");
  EXPECT_FALSE(create_api_key(store, {"render"}, "a\nb", clock));
  auto dup = create_api_key(store, {"read", "read", "admin"}, "", clock);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->record.scopes, (std::vector<std::string>{"read", "admin"}));
}

TEST(ApiKeys, AdminImpliesEveryScope) {
  Principal p{"atk_x", {"admin"}, ""};
  for (auto s : kScopes) EXPECT_TRUE(p.allows(s));
  Principal r{"atk_y", {"read"}, ""};
  EXPECT_TRUE(r.allows("read"));
  EXPECT_FALSE(r.allows("render"));
  EXPECT_FALSE(r.allows("admin"));
}

}  // namespace
}  // namespace atelier::api
