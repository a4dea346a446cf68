// The strict text rules under signed notes: base64 (RFC 4648 vectors plus the canonical-form
// checks), UTF-8 validation and C2SP key names.
#include "provenance/internal/text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "provenance/internal/base64.h"

namespace atelier::provenance::internal {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64, Rfc4648Vectors) {  // RFC 4648 §10.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytes(plain));
  }
}

TEST(Base64, DecodingIsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "Zg==Zg==", "=Zg=", "Zm 9v", " Zm9v",
                          "Zm9v\n", "Zm-v", "Zm_v", "Zh==", "Zm9="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
  // Non-zero unused bits: "Zh==" and "Zg==" would both decode to "f" in a lax decoder.
  EXPECT_FALSE(base64_decode("Zm9=").has_value());
  EXPECT_TRUE(base64_decode("Zm8=").has_value());
}

TEST(Base64, RoundTripsRandomBytes) {
  std::mt19937 rng(7);
  for (int n = 0; n < 200; ++n) {
    std::vector<std::uint8_t> data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    auto decoded = base64_decode(base64_encode(data));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, data);
  }
}

TEST(Utf8, AcceptsWellFormedAndRejectsTheRest) {
  for (std::string_view ok : {"", "abc", "ed \xC3\xA8 subito", "\xE2\x80\x94", "\xF0\x9F\x98\x80",
                              "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
  }
  for (std::string_view bad : {"\xff", "\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                               "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "a\xE2\x80"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
  }
}

TEST(KeyName, FollowsTheSignedNoteRules) {
  for (std::string_view ok :
       {"PeterNeumann", "example.com/log42", "quasimodo.example/salvatore", "caf\xC3\xA9"}) {
    EXPECT_TRUE(is_valid_key_name(ok)) << ok;
  }
  for (std::string_view bad : {"", "a+b", "a b", "a\tb", "a\nb", "a\x01",
                               "a\xC2\xA0"
                               "b",
                               "a\xE2\x80\x83"
                               "b",
                               "a\xE3\x80\x80"
                               "b",
                               "\xff"}) {
    EXPECT_FALSE(is_valid_key_name(bad)) << testing::PrintToString(std::string(bad));
  }
  EXPECT_TRUE(is_valid_key_name(std::string(256, 'a')));
  EXPECT_FALSE(is_valid_key_name(std::string(257, 'a')));
}

TEST(ControlCharacters, OnlyNewlineIsAllowed) {
  EXPECT_FALSE(has_control_character("a\nb\n"));
  EXPECT_TRUE(has_control_character("a\rb"));
  EXPECT_TRUE(has_control_character("a\tb"));
  EXPECT_TRUE(has_control_character(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace atelier::provenance::internal
