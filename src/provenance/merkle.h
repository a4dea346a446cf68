// merkle.h — the Merkle tree of the transparency log: RFC 6962 / RFC 9162 §2.1 hashing,
// inclusion and consistency proofs built from stored subtree hashes, and their verification.
//
//   MemoryTree tree;
//   for (auto& entry : entries) tree.append(entry);
//   Result<Digest> root = root_at(tree, tree.size());
//   Result<std::vector<Digest>> proof = inclusion_proof(tree, index, tree.size());
//   Result<void> ok = verify_inclusion(leaf_hash(entry), index, tree.size(), *proof, *root);
//
// Geometry. A node (level, index) is the complete subtree over leaves
// [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes. In a tree of `size`
// leaves such a node exists once its last leaf does, and never changes afterwards — which is
// what lets a store (a database table, C2SP tlog-tiles) keep exactly these hashes. The hash of
// a right-hand subtree that is still incomplete is never stored: it is the fold, right to
// left, of the complete subtrees its leaves decompose into (RFC 9162 MTH of that range).
//
// Cost. root_at reads popcount(size) nodes; inclusion_proof at most 2·ceil(log2 size);
// consistency_proof at most 2·ceil(log2 to) + 1. Nothing is ever rehashed from leaves.
//
// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step and names what failed:
// "index_out_of_range", "proof_wrong_length", "root_mismatch", "consistency_sizes_invalid".
//
// Thread safety: the free functions are pure; a MemoryTree may be read from many threads
// while no thread appends.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "core/merkle.h"

namespace atelier::provenance {

// RFC 6962 hashing lives in core (the store maintains the tree too); provenance names it.
using atelier::empty_root;
using atelier::leaf_hash;
using atelier::node_hash;

// MTH of the leaves whose hashes are given, by the recursive definition of RFC 9162 §2.1.1.
// O(n) hashing: for tests and whole-log audits, never for serving proofs.
Digest mth(std::span<const Digest> leaf_hashes);

// Where complete-subtree hashes come from: a database, tiles, memory.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // The hash of the complete subtree at (level, index). An implementation returns an error
  // (it chooses the code; MemoryTree says "node_not_found") for a node it does not hold.
  virtual Result<Digest> hash(std::uint32_t level, std::uint64_t index) const = 0;
};

// An append-only tree kept in memory with every complete subtree hash, level by level.
// The reference store for tests and the shape a persistent store has to reproduce.
class MemoryTree final : public HashReader {
 public:
  void append(std::string_view entry) { append_leaf_hash(leaf_hash(entry)); }
  // Adds a leaf by its hash and every subtree hash it completes.
  void append_leaf_hash(const Digest& leaf);

  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  Result<Digest> hash(std::uint32_t level, std::uint64_t index) const override;
  // The root of the tree's first `tree_size` leaves (any size up to size()).
  Result<Digest> root(std::uint64_t tree_size) const;

 private:
  std::vector<std::vector<Digest>> levels_;  // levels_[l][i] = node (l, i).
};

// The root of the tree's first `size` leaves, from popcount(size) complete subtrees.
Result<Digest> root_at(const HashReader& reader, std::uint64_t size);

// The RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[0:size]), leaf-side first.
// "index_out_of_range" unless index < size; "tree_size_too_large" past limits::kTreeSizeMax.
Result<std::vector<Digest>> inclusion_proof(const HashReader& reader, std::uint64_t index,
                                            std::uint64_t size);

// The RFC 9162 §2.1.4.1 consistency proof PROOF(from, D[0:to]). Empty when from == 0 or
// from == to (nothing to prove); "consistency_sizes_invalid" when from > to.
Result<std::vector<Digest>> consistency_proof(const HashReader& reader, std::uint64_t from,
                                              std::uint64_t to);

// RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` leaves whose root
// is `root`.
Result<void> verify_inclusion(const Digest& leaf, std::uint64_t index, std::uint64_t size,
                              std::span<const Digest> proof, const Digest& root);

// RFC 9162 §2.1.4.2: checks that the tree of `to` leaves with root `root_to` extends the tree
// of `from` leaves with root `root_from`. The RFC covers 0 < from < to; the two edge cases
// are settled as transparency-dev and Sigsum do, but strictly: from == to needs an empty proof
// and equal roots; from == 0 needs an empty proof and root_from == empty_root().
Result<void> verify_consistency(std::uint64_t from, std::uint64_t to, std::span<const Digest> proof,
                                const Digest& root_from, const Digest& root_to);

}  // namespace atelier::provenance
