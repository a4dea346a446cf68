// The RFC 6962 hashing and proofs against the transparency-dev/merkle reference vectors
// (tests/data/provenance/README.md), including every corruption its verify_test.go probes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "provenance/merkle.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

using testing::digest_hex;
using testing::digests_hex;
using testing::load_json;
using testing::RecordingReader;

class MerkleVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = load_json("rfc6962_vectors.json");
    for (const auto& hex : vectors_["leaves_hex"]) {
      leaves_.push_back(leaf_hash(testing::bytes_hex(hex.get<std::string>())));
      tree_.append_leaf_hash(leaves_.back());
    }
    roots_ = digests_hex(vectors_["roots_hex_by_size"]);
    ASSERT_EQ(leaves_.size(), 8u);
    ASSERT_EQ(roots_.size(), 9u);
  }

  nlohmann::json vectors_;
  std::vector<Digest> leaves_;
  std::vector<Digest> roots_;  // roots_[size]
  MemoryTree tree_;
};

TEST_F(MerkleVectors, RootsForEverySize) {
  for (std::uint64_t size = 0; size <= 8; ++size) {
    SCOPED_TRACE(size);
    EXPECT_EQ(mth(std::span(leaves_).first(size)), roots_[size]);
    ASSERT_TRUE(tree_.root(size).has_value());
    EXPECT_EQ(*tree_.root(size), roots_[size]);
  }
  EXPECT_EQ(roots_[0], empty_root());
}

TEST_F(MerkleVectors, StoredSubtreeHashesAreTheReferenceNodeHashes) {
  const auto& levels = vectors_["node_hashes_hex_by_level"];
  for (std::uint32_t level = 0; level < levels.size(); ++level) {
    for (std::uint64_t index = 0; index < levels[level].size(); ++index) {
      auto h = tree_.hash(level, index);
      ASSERT_TRUE(h.has_value()) << level << "," << index;
      EXPECT_EQ(*h, digest_hex(levels[level][index])) << level << "," << index;
    }
    EXPECT_FALSE(tree_.hash(level, levels[level].size()).has_value());
  }
  EXPECT_FALSE(tree_.hash(static_cast<std::uint32_t>(levels.size()), 0).has_value());
}

TEST_F(MerkleVectors, PublishedInclusionProofs) {
  for (const auto& v : vectors_["inclusion_proofs"]) {
    auto index = v["leaf_index"].get<std::uint64_t>();
    auto size = v["tree_size"].get<std::uint64_t>();
    SCOPED_TRACE(std::to_string(index) + "/" + std::to_string(size));
    std::vector<Digest> want = digests_hex(v["proof"]);
    auto got = inclusion_proof(tree_, index, size);
    ASSERT_TRUE(got.has_value()) << got.error().to_string();
    EXPECT_EQ(*got, want);
    auto ok = verify_inclusion(leaves_[index], index, size, want, roots_[size]);
    EXPECT_TRUE(ok.has_value()) << ok.error().to_string();
  }
}

TEST_F(MerkleVectors, PublishedConsistencyProofs) {
  for (const auto& v : vectors_["consistency_proofs"]) {
    auto from = v["from"].get<std::uint64_t>();
    auto to = v["to"].get<std::uint64_t>();
    SCOPED_TRACE(std::to_string(from) + "->" + std::to_string(to));
    std::vector<Digest> want = digests_hex(v["proof"]);
    auto got = consistency_proof(tree_, from, to);
    ASSERT_TRUE(got.has_value()) << got.error().to_string();
    EXPECT_EQ(*got, want);
    auto ok = verify_consistency(from, to, want, roots_[from], roots_[to]);
    EXPECT_TRUE(ok.has_value()) << ok.error().to_string();
  }
}

// Every (index, size) and (from, to) pair of the 8-leaf tree: the proof equals the RFC's
// recursive definition and verifies against the published roots.
TEST_F(MerkleVectors, EveryProofUpToEightLeaves) {
  for (std::uint64_t size = 1; size <= 8; ++size) {
    auto d = std::span<const Digest>(leaves_).first(size);
    for (std::uint64_t index = 0; index < size; ++index) {
      auto proof = inclusion_proof(tree_, index, size);
      ASSERT_TRUE(proof.has_value());
      EXPECT_EQ(*proof, testing::naive_path(index, d)) << index << "/" << size;
      EXPECT_TRUE(verify_inclusion(leaves_[index], index, size, *proof, roots_[size]).has_value());
    }
  }
  for (std::uint64_t to = 0; to <= 8; ++to) {
    auto d = std::span<const Digest>(leaves_).first(to);
    for (std::uint64_t from = 0; from <= to; ++from) {
      auto proof = consistency_proof(tree_, from, to);
      ASSERT_TRUE(proof.has_value());
      EXPECT_EQ(*proof, testing::naive_consistency(from, d)) << from << "->" << to;
      auto ok = verify_consistency(from, to, *proof, roots_[from], roots_[to]);
      EXPECT_TRUE(ok.has_value()) << from << "->" << to << ": " << ok.error().to_string();
    }
  }
}

// The nodes each proof reads are exactly those transparency-dev's proof package names, in its
// order: complete siblings bottom-up, and an incomplete right subtree from its right-most node.
TEST_F(MerkleVectors, ProofsReadTheReferenceNodes) {
  MemoryTree big;
  for (int i = 0; i < 95; ++i) big.append("leaf " + std::to_string(i));
  RecordingReader reader(big);
  auto expected_reads = [](const nlohmann::json& nodes) {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    for (const auto& n : nodes)
      out.emplace_back(n[0].get<std::uint32_t>(), n[1].get<std::uint64_t>());
    return out;
  };
  for (const auto& v : vectors_["inclusion_nodes"]) {
    auto size = v["size"].get<std::uint64_t>();
    auto index = v["index"].get<std::uint64_t>();
    SCOPED_TRACE(std::to_string(index) + "/" + std::to_string(size));
    reader.clear();
    auto proof = inclusion_proof(reader, index, size);
    if (v.value("error", false)) {
      ASSERT_FALSE(proof.has_value());
      EXPECT_EQ(proof.error().code, "index_out_of_range");
      continue;
    }
    ASSERT_TRUE(proof.has_value()) << proof.error().to_string();
    EXPECT_EQ(reader.reads(), expected_reads(v["nodes"]));
  }
  for (const auto& v : vectors_["consistency_nodes"]) {
    auto from = v["from"].get<std::uint64_t>();
    auto to = v["to"].get<std::uint64_t>();
    SCOPED_TRACE(std::to_string(from) + "->" + std::to_string(to));
    reader.clear();
    auto proof = consistency_proof(reader, from, to);
    if (v.value("error", false)) {
      ASSERT_FALSE(proof.has_value());
      EXPECT_EQ(proof.error().code, "consistency_sizes_invalid");
      continue;
    }
    ASSERT_TRUE(proof.has_value()) << proof.error().to_string();
    EXPECT_EQ(reader.reads(), expected_reads(v["nodes"]));
  }
}

// ---- Corruptions, after transparency-dev/merkle proof/verify_test.go ----

Digest flip_bit(Digest d, std::size_t bit) {
  d[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return d;
}

std::vector<Digest> with(std::vector<Digest> proof, std::size_t at, const Digest& extra) {
  proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), extra);
  return proof;
}

const Digest kSomeHash =
    digest_hex("abacaba000000000000000000000000000000000000000000060061e00123456");

void expect_code(const Result<void>& r, const std::string& code, const std::string& what) {
  ASSERT_FALSE(r.has_value()) << what << " verified";
  EXPECT_EQ(r.error().code, code) << what << ": " << r.error().to_string();
}

TEST_F(MerkleVectors, InclusionVerificationRejectsEveryCorruption) {
  for (const auto& v : vectors_["inclusion_proofs"]) {
    auto index = v["leaf_index"].get<std::uint64_t>();
    auto size = v["tree_size"].get<std::uint64_t>();
    SCOPED_TRACE(std::to_string(index) + "/" + std::to_string(size));
    const std::vector<Digest> proof = digests_hex(v["proof"]);
    const Digest& root = roots_[size];
    const Digest& leaf = leaves_[index];
    auto verify = [&](std::uint64_t i, std::uint64_t s, const std::vector<Digest>& p,
                      const Digest& r, const Digest& l) { return verify_inclusion(l, i, s, p, r); };

    // Wrong leaf index or tree size: rejected, whatever the reason.
    for (auto [i, s, what] :
         {std::tuple{index - 1, size, "index - 1"}, std::tuple{index + 1, size, "index + 1"},
          std::tuple{index ^ 2, size, "index ^ 2"}, std::tuple{index, size * 2, "size * 2"},
          std::tuple{index, size / 2, "size / 2"}}) {
      EXPECT_FALSE(verify(i, s, proof, root, leaf).has_value()) << what;
    }
    expect_code(verify(index, size, proof, root, leaf_hash("WrongLeaf")), "root_mismatch",
                "wrong leaf");
    expect_code(verify(index, size, proof, empty_root(), leaf), "root_mismatch", "empty root");
    expect_code(verify(index, size, proof, kSomeHash, leaf), "root_mismatch", "random root");
    expect_code(verify(index, size, with(proof, proof.size(), root), root, leaf),
                "proof_wrong_length", "trailing root");
    expect_code(verify(index, size, with(proof, 0, root), root, leaf), "proof_wrong_length",
                "preceding root");
    if (!proof.empty()) {
      auto removed = proof;
      removed.pop_back();
      expect_code(verify(index, size, removed, root, leaf), "proof_wrong_length", "removed");
    }
    if (proof.size() > 1) {
      expect_code(verify(index, size, with(proof, 1, kSomeHash), root, leaf), "proof_wrong_length",
                  "inserted component");
    }
    for (std::size_t e = 0; e < proof.size(); ++e) {
      for (std::size_t bit = 0; bit < 256; ++bit) {
        auto flipped = proof;
        flipped[e] = flip_bit(flipped[e], bit);
        expect_code(verify(index, size, flipped, root, leaf), "root_mismatch",
                    "proof[" + std::to_string(e) + "] bit " + std::to_string(bit));
      }
    }
  }
}

TEST_F(MerkleVectors, ConsistencyVerificationRejectsEveryCorruption) {
  for (const auto& v : vectors_["consistency_proofs"]) {
    auto from = v["from"].get<std::uint64_t>();
    auto to = v["to"].get<std::uint64_t>();
    const std::vector<Digest> proof = digests_hex(v["proof"]);
    if (proof.empty()) continue;  // As in verify_test.go: only non-trivial proofs are mutated.
    SCOPED_TRACE(std::to_string(from) + "->" + std::to_string(to));
    const Digest& r1 = roots_[from];
    const Digest& r2 = roots_[to];

    for (auto [f, t, what] :
         {std::tuple{from - 1, to, "from - 1"}, std::tuple{from + 1, to, "from + 1"},
          std::tuple{from ^ 2, to, "from ^ 2"}, std::tuple{from, to * 2, "to * 2"},
          std::tuple{from, to / 2, "to / 2"}}) {
      EXPECT_FALSE(verify_consistency(f, t, proof, r1, r2).has_value()) << what;
    }
    expect_code(verify_consistency(from, to, proof, kSomeHash, r2), "root_mismatch", "wrong root1");
    expect_code(verify_consistency(from, to, proof, r1, kSomeHash), "root_mismatch", "wrong root2");
    EXPECT_FALSE(verify_consistency(from, to, proof, r2, r1).has_value()) << "swapped roots";
    expect_code(verify_consistency(from, to, {}, r1, r2), "proof_wrong_length", "empty proof");
    for (const Digest& extra : {r1, r2}) {
      expect_code(verify_consistency(from, to, with(proof, proof.size(), extra), r1, r2),
                  "proof_wrong_length", "trailing root");
      expect_code(verify_consistency(from, to, with(proof, 0, extra), r1, r2), "proof_wrong_length",
                  "preceding root");
    }
    expect_code(verify_consistency(from, to, with(proof, 0, proof[0]), r1, r2),
                "proof_wrong_length", "preceding proof[0]");
    auto truncated = proof;
    truncated.pop_back();
    expect_code(verify_consistency(from, to, truncated, r1, r2), "proof_wrong_length", "truncated");
    for (std::size_t e = 0; e < proof.size(); ++e) {
      for (std::size_t bit = 0; bit < 256; ++bit) {
        auto flipped = proof;
        flipped[e] = flip_bit(flipped[e], bit);
        expect_code(verify_consistency(from, to, flipped, r1, r2), "root_mismatch",
                    "proof[" + std::to_string(e) + "] bit " + std::to_string(bit));
      }
    }
  }
}

}  // namespace
}  // namespace atelier::provenance
