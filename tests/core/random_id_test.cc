#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/random_id.h"

namespace atelier {
namespace {

TEST(RandomId, HexHasTheRightLengthAndAlphabet) {
  for (std::size_t n : {1u, 8u, 16u, 32u}) {
    std::string s = random_hex(n);
    EXPECT_EQ(s.size(), 2 * n);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
  }
}

TEST(RandomId, HexValuesDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_hex(16));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomId, Base64UrlHasTheRightLengthAndAlphabet) {
  // Unpadded: ceil(8n / 6) characters.
  for (std::size_t n : {1u, 2u, 3u, 4u, 16u, 32u, 33u}) {
    std::string s = random_base64url(n);
    EXPECT_EQ(s.size(), (8 * n + 5) / 6) << n;
    EXPECT_EQ(
        s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << s;
  }
}

TEST(RandomId, Base64UrlValuesDifferAndUseTheWholeAlphabet) {
  std::set<std::string> seen;
  std::set<char> chars;
  for (int i = 0; i < 1000; ++i) {
    std::string s = random_base64url(32);
    seen.insert(s);
    chars.insert(s.begin(), s.end() - 1);  // The last character carries padding bits.
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(chars.size(), 64u);  // 42,000 uniform draws cover all 64 symbols.
}

}  // namespace
}  // namespace atelier
