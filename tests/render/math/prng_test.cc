// TokenRandom must be bit-compatible with Art Blocks' `Random` class. The expected values are
// computed independently, at test time, by running the reference JavaScript
// (tests/data/artblocks_random.js, Art Blocks' published class) under node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/hash.h"
#include "render/math/prng.h"
#include "tests/render/test_util.h"

namespace atelier::render {
namespace {

using atelier::testing::source_dir;

std::array<std::uint8_t, 32> token_bytes(const std::string& hash) {
  auto v = from_hex(std::string_view(hash).substr(2), 32);
  std::array<std::uint8_t, 32> out{};
  std::copy(v->begin(), v->end(), out.begin());
  return out;
}

bool have_node() { return std::system("command -v node >/dev/null 2>&1") == 0; }

// Runs the reference script; one output line per value.
std::vector<std::string> node_reference(const std::string& hash, int count, const char* mode = "") {
  std::string cmd = "node '" + (source_dir() / "tests/data/artblocks_random.js").string() + "' " +
                    hash + " " + std::to_string(count) + " " + mode;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::vector<std::string> lines;
  if (p == nullptr) return lines;
  std::string cur;
  for (int c; (c = std::fgetc(p)) != EOF;) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(c));
    }
  }
  int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  return lines;
}

const char* kTokens[] = {
    "0x0000000000000000000000000000000000000000000000000000000000000000",
    "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0x8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52",
    "0x2ab8c6ff74b0d1f8e3a2a6c5d1c9be4a5e6f708192a3b4c5d6e7f8091a2b3c4d",
};

TEST(TokenRandom, MatchesArtBlocksRandomDec) {
  if (!have_node()) GTEST_SKIP() << "node is not on PATH";
  constexpr int kCount = 1000;
  for (const char* hash : kTokens) {
    auto expected = node_reference(hash, kCount);
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(kCount)) << hash;
    auto bytes = token_bytes(hash);
    TokenRandom r(bytes);
    for (int i = 0; i < kCount; ++i) {
      double want =
          std::strtod(expected[i].c_str(), nullptr);  // JS prints the shortest round trip.
      double got = r.next();
      ASSERT_EQ(got, want) << hash << " value #" << i << " (node printed " << expected[i] << ")";
    }
  }
}

TEST(TokenRandom, MatchesArtBlocksRandomNumIntBool) {
  if (!have_node()) GTEST_SKIP() << "node is not on PATH";
  constexpr int kCount = 600;
  const char* hash = kTokens[2];
  auto expected = node_reference(hash, kCount, "mixed");
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kCount));
  auto bytes = token_bytes(hash);
  TokenRandom r(bytes);
  for (int i = 0; i < kCount; ++i) {
    switch (i % 3) {
      case 0: ASSERT_EQ(r.range(-3, 7), std::strtod(expected[i].c_str(), nullptr)) << i; break;
      case 1: ASSERT_EQ(std::to_string(r.integer(0, 9)), expected[i]) << i; break;
      default: ASSERT_EQ(r.boolean(0.3) ? "true" : "false", expected[i]) << i; break;
    }
  }
}

// Without node: the properties the reference implies, checked directly.
TEST(TokenRandom, IsDeterministicAndTokenSpecific) {
  auto a1 = token_bytes(kTokens[2]), b1 = token_bytes(kTokens[3]);
  TokenRandom a(a1), a_again(a1), b(b1);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    double x = a.next();
    EXPECT_EQ(x, a_again.next());
    if (x != b.next()) ++differ;
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
  EXPECT_GE(differ, 99);
}

TEST(TokenRandom, AlternatesBetweenTheTwoHalves) {
  // With identical halves, prngA and prngB produce the same stream, so values come in pairs.
  std::string hash = "0x";
  for (int i = 0; i < 2; ++i) hash += "0123456789abcdef0123456789abcdef";
  auto bytes = token_bytes(hash);
  TokenRandom r(bytes);
  for (int i = 0; i < 20; ++i) {
    double first = r.next();
    EXPECT_EQ(first, r.next()) << i;
  }
}

TEST(TokenRandom, IntegerCoversTheInclusiveRangeUniformly) {
  auto bytes = token_bytes(kTokens[2]);
  TokenRandom r(bytes);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60'000; ++i) {
    auto v = r.integer(-2, 3);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 3);
    ++counts[static_cast<std::size_t>(v + 2)];
  }
  for (int c : counts) EXPECT_NEAR(c, 10'000, 500);
}

TEST(TokenRandom, GaussianHasTheRequestedMoments) {
  auto bytes = token_bytes(kTokens[3]);
  TokenRandom r(bytes);
  const int n = 40'000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double g = r.gaussian(5.0, 2.0);
    ASSERT_TRUE(std::isfinite(g));
    sum += g;
    sum2 += g * g;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 5.0, 0.05);
  EXPECT_NEAR(std::sqrt(var), 2.0, 0.05);
}

TEST(Sfc32, MatchesTheReferenceStep) {
  // One sfc32 step by hand from the JS definition: t = a + b + d; d += 1; a = b ^ (b >>> 9);
  // b = c + (c << 3); c = rotl(c, 21) + t.
  Sfc32 s(1, 2, 3, 4);
  EXPECT_EQ(s.next_u32(), 1u + 2u + 4u);
  // State now a = 2 ^ 0 = 2, b = 3 + 24 = 27, c = (3 << 21) + 7, d = 5.
  EXPECT_EQ(s.next_u32(), 2u + 27u + 5u);
}

}  // namespace
}  // namespace atelier::render
