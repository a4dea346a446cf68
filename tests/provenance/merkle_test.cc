// Merkle hashing, MemoryTree and the edge cases of proofs and their verification.
#include "provenance/merkle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/limits.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

using testing::digest_hex;

TEST(MerkleHash, DomainSeparatedLeafAndNode) {
  // SHA-256 of the single byte 0x00: the leaf hash of the empty entry (RFC 6962 vectors).
  EXPECT_EQ(leaf_hash(std::string_view()),
            digest_hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  Digest a = leaf_hash("a");
  Digest b = leaf_hash("b");
  std::string joined =
      std::string(1, '\x01') + std::string(a.begin(), a.end()) + std::string(b.begin(), b.end());
  EXPECT_EQ(node_hash(a, b), sha256(joined));
  EXPECT_NE(node_hash(a, b), node_hash(b, a));
  // A leaf can never be mistaken for a node over the same bytes.
  EXPECT_NE(leaf_hash(joined.substr(1)), node_hash(a, b));
  EXPECT_EQ(leaf_hash("abc"), leaf_hash(std::span<const std::uint8_t>(
                                  reinterpret_cast<const std::uint8_t*>("abc"), 3)));
}

TEST(MemoryTree, KeepsEveryCompleteSubtree) {
  MemoryTree tree;
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(*tree.root(0), empty_root());
  std::vector<Digest> leaves;
  for (int i = 0; i < 13; ++i) {
    leaves.push_back(leaf_hash(std::to_string(i)));
    tree.append(std::to_string(i));
  }
  EXPECT_EQ(tree.size(), 13u);
  // Level l holds floor(13 / 2^l) nodes: 13, 6, 3, 1.
  using Count = std::pair<std::uint32_t, std::uint64_t>;
  for (auto [level, count] : std::vector<Count>{{0, 13}, {1, 6}, {2, 3}, {3, 1}, {4, 0}}) {
    if (count > 0) {
      EXPECT_TRUE(tree.hash(level, count - 1).has_value());
    }
    auto missing = tree.hash(level, count);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, "node_not_found");
  }
  EXPECT_EQ(*tree.hash(2, 1), mth(std::span(leaves).subspan(4, 4)));
  for (std::uint64_t size = 0; size <= 13; ++size) {
    EXPECT_EQ(*tree.root(size), mth(std::span(leaves).first(size))) << size;
  }
  auto beyond = tree.root(14);
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().code, "tree_size_out_of_range");
}

TEST(MerkleProofs, RejectBadArguments) {
  MemoryTree tree;
  for (int i = 0; i < 5; ++i) tree.append(std::to_string(i));
  EXPECT_EQ(inclusion_proof(tree, 5, 5).error().code, "index_out_of_range");
  EXPECT_EQ(inclusion_proof(tree, 0, 0).error().code, "index_out_of_range");
  EXPECT_EQ(inclusion_proof(tree, 0, limits::kTreeSizeMax + 1).error().code, "tree_size_too_large");
  EXPECT_EQ(consistency_proof(tree, 4, 3).error().code, "consistency_sizes_invalid");
  EXPECT_EQ(consistency_proof(tree, 1, limits::kTreeSizeMax + 1).error().code,
            "tree_size_too_large");
  EXPECT_EQ(root_at(tree, limits::kTreeSizeMax + 1).error().code, "tree_size_too_large");
  // Sizes beyond what the store holds surface the store's own error.
  EXPECT_EQ(inclusion_proof(tree, 0, 6).error().code, "node_not_found");
  EXPECT_EQ(consistency_proof(tree, 2, 9).error().code, "node_not_found");
  EXPECT_EQ(root_at(tree, 6).error().code, "node_not_found");
}

TEST(MerkleProofs, TrivialConsistencyProofsAreEmpty) {
  MemoryTree tree;
  for (int i = 0; i < 5; ++i) tree.append(std::to_string(i));
  using Sizes = std::pair<std::uint64_t, std::uint64_t>;
  for (auto [from, to] : std::vector<Sizes>{{0, 0}, {0, 5}, {3, 3}, {5, 5}}) {
    auto proof = consistency_proof(tree, from, to);
    ASSERT_TRUE(proof.has_value());
    EXPECT_TRUE(proof->empty()) << from << "->" << to;
  }
}

// After transparency-dev/merkle proof/verify_test.go TestVerifyInclusionSingleEntry and
// TestVerifyInclusion.
TEST(MerkleVerify, InclusionEdgeCases) {
  Digest h = leaf_hash("data");
  EXPECT_TRUE(verify_inclusion(h, 0, 1, {}, h).has_value());
  EXPECT_EQ(verify_inclusion(h, 0, 1, {}, empty_root()).error().code, "root_mismatch");
  using Pair = std::pair<std::uint64_t, std::uint64_t>;
  for (auto [index, size] : std::vector<Pair>{{0, 0}, {1, 0}, {2, 1}, {1, 1}}) {
    auto r = verify_inclusion(h, index, size, {}, h);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "index_out_of_range");
    EXPECT_EQ(r.error().field, "index");
  }
  // A long proof is cut off after at most 64 elements, whatever its length.
  std::vector<Digest> huge(100000, h);
  EXPECT_EQ(verify_inclusion(h, 3, 8, huge, h).error().code, "proof_wrong_length");
  EXPECT_EQ(verify_inclusion(h, 3, 8, {}, h).error().code, "proof_wrong_length");
}

// After proof/verify_test.go TestVerifyConsistency, with atelier's stricter edge cases.
TEST(MerkleVerify, ConsistencyEdgeCases) {
  Digest r1 = leaf_hash("don't care 1");
  Digest r2 = leaf_hash("don't care 2");
  Digest e = empty_root();
  EXPECT_TRUE(verify_consistency(0, 0, {}, e, e).has_value());
  EXPECT_TRUE(verify_consistency(0, 1, {}, e, r2).has_value());
  EXPECT_TRUE(verify_consistency(1, 1, {}, r2, r2).has_value());
  EXPECT_TRUE(verify_consistency(7, 7, {}, r1, r1).has_value());

  EXPECT_EQ(verify_consistency(0, 0, {}, r1, r1).error().code, "root_mismatch");  // Not MTH({}).
  EXPECT_EQ(verify_consistency(0, 1, {}, r1, r2).error().code, "root_mismatch");
  EXPECT_EQ(verify_consistency(1, 1, {}, r1, r2).error().code, "root_mismatch");
  EXPECT_EQ(verify_consistency(1, 1, {}, r1, r2).error().field, "root_to");
  EXPECT_EQ(verify_consistency(1, 0, {}, r1, r2).error().code, "consistency_sizes_invalid");
  EXPECT_EQ(verify_consistency(2, 1, {}, r1, r2).error().code, "consistency_sizes_invalid");
  EXPECT_EQ(verify_consistency(1, 2, {}, r1, r2).error().code, "proof_wrong_length");
  using Sizes = std::pair<std::uint64_t, std::uint64_t>;
  for (auto [from, to] : std::vector<Sizes>{{0, 0}, {0, 1}, {1, 1}}) {
    EXPECT_EQ(verify_consistency(from, to, std::vector<Digest>{e}, e, e).error().code,
              "proof_wrong_length");
  }
  std::vector<Digest> huge(100000, r1);
  EXPECT_EQ(verify_consistency(3, 8, huge, r1, r2).error().code, "proof_wrong_length");
}

TEST(MerkleVerify, RootMismatchNamesTheRoot) {
  MemoryTree tree;
  for (int i = 0; i < 6; ++i) tree.append(std::to_string(i));
  auto proof = consistency_proof(tree, 3, 6);
  ASSERT_TRUE(proof.has_value());
  Digest r3 = *tree.root(3);
  Digest r6 = *tree.root(6);
  EXPECT_TRUE(verify_consistency(3, 6, *proof, r3, r6).has_value());
  EXPECT_EQ(verify_consistency(3, 6, *proof, r6, r6).error().field, "root_from");
  EXPECT_EQ(verify_consistency(3, 6, *proof, r3, r3).error().field, "root_to");
}

}  // namespace
}  // namespace atelier::provenance
