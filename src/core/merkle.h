// merkle.h — RFC 6962 / RFC 9162 §2.1 tree hashing and the right edge of an append-only tree.
//
// These are the pieces both the store (which keeps the log's tree in the same transaction as
// each event) and src/provenance (proofs, checkpoints, audits) need; core owns hashing.
//
//   MerkleEdge edge;                       // the empty tree
//   edge.append(leaf_hash(entry), [&](std::uint32_t level, std::uint64_t index, const Digest& h) {
//     store the complete subtree (level, index) = h;   // level >= 1
//   });
//   Digest root = edge.root();
//
// A node (level, index) is the complete subtree over leaves [index·2^level, (index+1)·2^level).
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hash.h"

namespace atelier {

// SHA-256(0x00 || entry): the hash of a leaf holding `entry`.
Digest leaf_hash(std::span<const std::uint8_t> entry);
Digest leaf_hash(std::string_view entry);

// SHA-256(0x01 || left || right): the hash of an interior node.
Digest node_hash(const Digest& left, const Digest& right);

// MTH({}) = SHA-256(""), the root of the empty tree.
Digest empty_root();

// The complete subtrees that make up the first `size` leaves, largest (leftmost) first: one
// per set bit of `size`. Their hashes, folded right to left, give the root.
struct NodeId {
  std::uint32_t level = 0;
  std::uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};
std::vector<NodeId> edge_nodes(std::uint64_t size);

// The right edge of an append-only tree (a "compact range" [0, size)): the hashes of the
// edge_nodes(size), which is all appending needs. Not thread-safe.
class MerkleEdge {
 public:
  MerkleEdge() = default;
  // `hashes` are those of edge_nodes(size), in that order; false if their count is wrong.
  static bool restore(std::uint64_t size, std::vector<Digest> hashes, MerkleEdge& out);

  std::uint64_t size() const { return size_; }
  const std::vector<Digest>& hashes() const { return hashes_; }

  // Appends a leaf and calls emit(level, index, hash) for each interior node (level >= 1) it
  // completes, lowest first.
  template <typename Emit>
  void append(const Digest& leaf, Emit&& emit) {
    Digest h = leaf;
    std::uint64_t index = size_;
    std::uint32_t level = 0;
    // Each trailing 1 bit of the old size is a complete sibling on the left to merge with.
    while (index & 1) {
      h = node_hash(hashes_.back(), h);
      hashes_.pop_back();
      ++level;
      index >>= 1;
      emit(level, index, static_cast<const Digest&>(h));
    }
    hashes_.push_back(h);
    ++size_;
  }

  // MTH of the first size() leaves (empty_root() for none).
  Digest root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Digest> hashes_;
};

}  // namespace atelier
