#include "provenance/merkle.h"

#include <bit>
#include <cassert>
#include <optional>
#include <string>

#include "core/limits.h"

namespace atelier::provenance {

namespace {

Error tree_too_large(std::uint64_t size) {
  return Error::limit("tree_size_too_large",
                      "tree size " + std::to_string(size) + " exceeds the maximum of " +
                          std::to_string(limits::kTreeSizeMax),
                      "size");
}

// The hash of leaves [begin, end) as RFC 9162 MTH defines it, for a range that is a subtree of
// the tree: `begin` is a multiple of the largest power of two not above end - begin. The range
// splits into complete subtrees, largest first; they are read and folded right to left, one
// read per set bit of end - begin (the order transparency-dev's proof.Nodes.Rehash uses).
Result<Digest> range_hash(const HashReader& reader, std::uint64_t begin, std::uint64_t end) {
  assert(begin < end);
  std::uint64_t remaining = end - begin;
  std::uint64_t pos = end;
  std::optional<Digest> folded;
  while (remaining != 0) {
    auto level = static_cast<std::uint32_t>(std::countr_zero(remaining));
    pos -= std::uint64_t{1} << level;
    assert(pos % (std::uint64_t{1} << level) == 0);  // Complete subtrees are aligned.
    Result<Digest> h = reader.hash(level, pos >> level);
    if (!h) return fail(h.error());
    folded = folded ? node_hash(*h, *folded) : *h;
    remaining &= remaining - 1;
  }
  assert(pos == begin);
  return *folded;
}

// Appends to `proof` the path from the complete node (level, index) up to the root of the tree
// of `size` leaves: per level, the sibling when it is complete, the folded hash of its leaves
// below `size` when it is not, nothing when it starts at or past `size`.
Result<void> append_path(const HashReader& reader, std::uint32_t level, std::uint64_t index,
                         std::uint64_t size, std::vector<Digest>& proof) {
  assert(size <= limits::kTreeSizeMax);
  assert(((index + 1) << level) <= size);  // The starting node is complete.
  for (; !(index == 0 && (std::uint64_t{1} << level) >= size); ++level, index >>= 1) {
    std::uint64_t sibling = index ^ 1;
    std::uint64_t begin = sibling << level;
    if (begin >= size) continue;  // The parent is missing; the node itself stands in for it.
    std::uint64_t end = begin + (std::uint64_t{1} << level);
    Result<Digest> h = end <= size ? reader.hash(level, sibling) : range_hash(reader, begin, size);
    if (!h) return fail(h.error());
    proof.push_back(*h);
  }
  return {};
}

}  // namespace

Digest mth(std::span<const Digest> leaf_hashes) {
  std::size_t n = leaf_hashes.size();
  if (n == 0) return empty_root();
  if (n == 1) return leaf_hashes[0];
  std::size_t k = std::bit_floor(n - 1);  // The largest power of two smaller than n.
  return node_hash(mth(leaf_hashes.first(k)), mth(leaf_hashes.subspan(k)));
}

void MemoryTree::append_leaf_hash(const Digest& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each even count at a level means its last two nodes just became a complete parent.
  for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<Digest>& nodes = levels_[level];
    levels_[level + 1].push_back(node_hash(nodes[nodes.size() - 2], nodes.back()));
  }
}

Result<Digest> MemoryTree::hash(std::uint32_t level, std::uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return fail(Error::not_found("node_not_found", "no complete subtree at level " +
                                                       std::to_string(level) + ", index " +
                                                       std::to_string(index)));
  }
  return levels_[level][index];
}

Result<Digest> MemoryTree::root(std::uint64_t tree_size) const {
  if (tree_size > size()) {
    return fail(Error::invalid("tree_size_out_of_range",
                               "tree size " + std::to_string(tree_size) + " exceeds the " +
                                   std::to_string(size()) + " leaves held",
                               "size"));
  }
  return root_at(*this, tree_size);
}

Result<Digest> root_at(const HashReader& reader, std::uint64_t size) {
  if (size > limits::kTreeSizeMax) return fail(tree_too_large(size));
  if (size == 0) return empty_root();
  return range_hash(reader, 0, size);
}

Result<std::vector<Digest>> inclusion_proof(const HashReader& reader, std::uint64_t index,
                                            std::uint64_t size) {
  if (size > limits::kTreeSizeMax) return fail(tree_too_large(size));
  if (index >= size) {
    return fail(Error::invalid("index_out_of_range",
                               "leaf index " + std::to_string(index) +
                                   " is not below the tree size " + std::to_string(size),
                               "index"));
  }
  std::vector<Digest> proof;
  ATELIER_TRY(append_path(reader, 0, index, size, proof));
  return proof;
}

Result<std::vector<Digest>> consistency_proof(const HashReader& reader, std::uint64_t from,
                                              std::uint64_t to) {
  if (to > limits::kTreeSizeMax) return fail(tree_too_large(to));
  if (from > to) {
    return fail(Error::invalid("consistency_sizes_invalid",
                               "the first tree size " + std::to_string(from) +
                                   " is larger than the second " + std::to_string(to),
                               "from"));
  }
  std::vector<Digest> proof;
  if (from == 0 || from == to) return proof;
  // The largest complete subtree ending at `from`. The proof is its hash (unless it is the
  // whole old tree, whose root the verifier already has) and then its path in the new tree.
  auto level = static_cast<std::uint32_t>(std::countr_zero(from));
  std::uint64_t index = (from - 1) >> level;
  if (index != 0) {
    Result<Digest> first = reader.hash(level, index);
    if (!first) return fail(first.error());
    proof.push_back(*first);
  }
  ATELIER_TRY(append_path(reader, level, index, to, proof));
  return proof;
}

}  // namespace atelier::provenance
