// Proofs served from stored subtree hashes against the naive recursive definitions of RFC 9162,
// for every pair in small trees and random pairs up to 300 leaves, with the reads counted.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "provenance/merkle.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

using testing::RecordingReader;

constexpr std::uint64_t kSeed = 20240601;

std::size_t ceil_log2(std::uint64_t n) { return n <= 1 ? 0 : std::bit_width(n - 1); }

struct Log {
  std::vector<Digest> leaves;
  MemoryTree tree;
};

Log random_log(std::size_t n, std::mt19937_64& rng) {
  Log log;
  for (std::size_t i = 0; i < n; ++i) {
    std::string entry = std::to_string(i) + ":";  // Unique, so no two leaves share a hash.
    for (std::size_t k = rng() % 40; k > 0; --k) entry += static_cast<char>(rng());
    log.leaves.push_back(leaf_hash(entry));
    log.tree.append(entry);
  }
  return log;
}

void check_inclusion(const Log& log, std::uint64_t index, std::uint64_t size) {
  RecordingReader reader(log.tree);
  auto d = std::span<const Digest>(log.leaves).first(size);
  Digest root = mth(d);
  auto proof = inclusion_proof(reader, index, size);
  ASSERT_TRUE(proof.has_value()) << index << "/" << size;
  EXPECT_LE(reader.count(), 2 * ceil_log2(size)) << index << "/" << size;
  EXPECT_EQ(*proof, testing::naive_path(index, d)) << index << "/" << size;
  auto ok = verify_inclusion(log.leaves[index], index, size, *proof, root);
  EXPECT_TRUE(ok.has_value()) << index << "/" << size << ": " << ok.error().to_string();
  if (size > 1) {  // A neighbour's leaf hash does not verify at this index.
    std::uint64_t other = index == 0 ? 1 : index - 1;
    EXPECT_FALSE(verify_inclusion(log.leaves[other], index, size, *proof, root).has_value());
  }
}

void check_consistency(const Log& log, std::uint64_t from, std::uint64_t to) {
  RecordingReader reader(log.tree);
  auto d = std::span<const Digest>(log.leaves).first(to);
  Digest root_from = mth(d.first(from));
  Digest root_to = mth(d);
  auto proof = consistency_proof(reader, from, to);
  ASSERT_TRUE(proof.has_value()) << from << "->" << to;
  EXPECT_LE(reader.count(), 2 * ceil_log2(to) + 1) << from << "->" << to;
  EXPECT_EQ(*proof, testing::naive_consistency(from, d)) << from << "->" << to;
  auto ok = verify_consistency(from, to, *proof, root_from, root_to);
  EXPECT_TRUE(ok.has_value()) << from << "->" << to << ": " << ok.error().to_string();
}

TEST(MerkleRandom, EveryPairUpTo64Leaves) {
  std::mt19937_64 rng(kSeed);
  Log log = random_log(64, rng);
  for (std::uint64_t size = 0; size <= 64; ++size) {
    RecordingReader reader(log.tree);
    auto root = root_at(reader, size);
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(*root, mth(std::span<const Digest>(log.leaves).first(size)));
    EXPECT_EQ(reader.count(), static_cast<std::size_t>(std::popcount(size)));
    for (std::uint64_t index = 0; index < size; ++index) check_inclusion(log, index, size);
    for (std::uint64_t from = 0; from <= size; ++from) check_consistency(log, from, size);
  }
}

TEST(MerkleRandom, RandomPairsUpTo300Leaves) {
  std::mt19937_64 rng(kSeed + 1);
  Log log = random_log(300, rng);
  for (int round = 0; round < 3000; ++round) {
    std::uint64_t size = 1 + rng() % 300;
    check_inclusion(log, rng() % size, size);
    check_consistency(log, rng() % (size + 1), size);
  }
  // The largest tree, every index and every older size.
  for (std::uint64_t i = 0; i < 300; ++i) check_inclusion(log, i, 300);
  for (std::uint64_t from = 0; from <= 300; ++from) check_consistency(log, from, 300);
}

// A log that grows one leaf at a time keeps answering for every older size the same way.
TEST(MerkleRandom, ProofsForOldSizesDoNotChangeAsTheLogGrows) {
  std::mt19937_64 rng(kSeed + 2);
  Log log = random_log(40, rng);
  MemoryTree growing;
  for (std::uint64_t n = 1; n <= 40; ++n) {
    growing.append_leaf_hash(log.leaves[n - 1]);
    for (std::uint64_t size = 1; size <= n; ++size) {
      EXPECT_EQ(*inclusion_proof(growing, size - 1, size),
                *inclusion_proof(log.tree, size - 1, size));
      EXPECT_EQ(*consistency_proof(growing, size / 2, size),
                *consistency_proof(log.tree, size / 2, size));
    }
  }
}

}  // namespace
}  // namespace atelier::provenance
