#include "core/merkle.h"

namespace atelier {

namespace {
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;
}  // namespace

Digest leaf_hash(std::span<const std::uint8_t> entry) {
  Sha256 h;
  h.update(std::span<const std::uint8_t>(&kLeafPrefix, 1));
  h.update(entry);
  return h.finish();
}

Digest leaf_hash(std::string_view entry) {
  return leaf_hash(std::span(reinterpret_cast<const std::uint8_t*>(entry.data()), entry.size()));
}

Digest node_hash(const Digest& left, const Digest& right) {
  Sha256 h;
  h.update(std::span<const std::uint8_t>(&kNodePrefix, 1));
  h.update(left);
  h.update(right);
  return h.finish();
}

Digest empty_root() { return sha256(std::string_view()); }

std::vector<NodeId> edge_nodes(std::uint64_t size) {
  std::vector<NodeId> out;
  std::uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    std::uint64_t width = std::uint64_t{1} << level;
    if (size & width) {
      out.push_back({static_cast<std::uint32_t>(level), begin >> level});
      begin += width;
    }
  }
  return out;
}

bool MerkleEdge::restore(std::uint64_t size, std::vector<Digest> hashes, MerkleEdge& out) {
  if (hashes.size() != static_cast<std::size_t>(std::popcount(size))) return false;
  out.size_ = size;
  out.hashes_ = std::move(hashes);
  return true;
}

Digest MerkleEdge::root() const {
  if (hashes_.empty()) return empty_root();
  Digest h = hashes_.back();
  for (auto it = hashes_.rbegin() + 1; it != hashes_.rend(); ++it) h = node_hash(*it, h);
  return h;
}

}  // namespace atelier
