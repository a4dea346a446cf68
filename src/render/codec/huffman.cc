// huffman.cc — length-limited canonical Huffman codes for the PNG deflate writer.
//
// Why hand-written: libdeflate and zlib build their Huffman codes internally and expose no
// API for it; png_deflate.cc needs one code for a whole image's literals and runs.
//
// Lengths come from the package-merge algorithm (Larmore & Hirschberg), which gives an
// optimal code under the length limit, in O(symbols * limit) time: for DEFLATE's 286
// literal/length symbols and a 15-bit limit that is a few thousand steps per image.
// Every ordering decision breaks ties by symbol number, so the lengths depend only on the
// frequencies (DESIGN.md "Determinism").
#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

// One entry of a package-merge list: a leaf (one symbol) or a package of two entries of the
// list below it. Only the weight and which kind it is are needed to recover the lengths.
struct Item {
  std::uint64_t weight;
  bool leaf;
};

}  // namespace

void huffman_lengths(std::span<const std::uint32_t> freq, int bits_max,
                     std::span<std::uint8_t> lengths) {
  assert(lengths.size() == freq.size());
  assert(bits_max >= 1 && bits_max <= 15);
  std::fill(lengths.begin(), lengths.end(), 0);
  std::vector<std::uint16_t> symbols;
  for (std::size_t s = 0; s < freq.size(); ++s) {
    if (freq[s] > 0) symbols.push_back(static_cast<std::uint16_t>(s));
  }
  if (symbols.empty()) return;
  if (symbols.size() == 1) {  // A code needs two leaves; the caller adds a second if it needs one.
    lengths[symbols[0]] = 1;
    return;
  }
  assert(symbols.size() <= (std::size_t{1} << bits_max));
  // Ascending weight, ties by symbol number: the order every list below is built from.
  std::stable_sort(symbols.begin(), symbols.end(),
                   [&](std::uint16_t a, std::uint16_t b) { return freq[a] < freq[b]; });
  const std::size_t n = symbols.size();
  std::vector<std::vector<Item>> lists(static_cast<std::size_t>(bits_max));
  for (std::uint16_t s : symbols) lists[0].push_back({freq[s], true});
  for (int level = 1; level < bits_max; ++level) {
    const std::vector<Item>& below = lists[level - 1];
    std::vector<Item>& list = lists[level];
    list.reserve(2 * n);
    std::size_t leaf = 0, pair = 0;
    // Merge the leaves with the packages (pairs of adjacent entries of the list below), both
    // ascending; on equal weight the leaf goes first.
    while (leaf < n || pair + 1 < below.size()) {
      const bool take_leaf =
          pair + 1 >= below.size() ||
          (leaf < n && lists[0][leaf].weight <= below[pair].weight + below[pair + 1].weight);
      if (take_leaf) {
        list.push_back(lists[0][leaf++]);
      } else {
        list.push_back({below[pair].weight + below[pair + 1].weight, false});
        pair += 2;
      }
    }
  }
  // The first 2n - 2 entries of the top list form the code. Each leaf among the entries taken
  // at a level adds one bit to its symbol; each package taken asks for its two entries from
  // the level below. Leaves taken are always a prefix of the ascending leaf order.
  std::size_t take = 2 * n - 2;
  for (int level = bits_max - 1; level >= 0 && take > 0; --level) {
    const std::vector<Item>& list = lists[level];
    assert(take <= list.size());
    std::size_t leaves = 0;
    for (std::size_t i = 0; i < take; ++i) leaves += list[i].leaf ? 1 : 0;
    for (std::size_t i = 0; i < leaves; ++i) ++lengths[symbols[i]];
    take = 2 * (take - leaves);
  }
}

void canonical_codes(std::span<const std::uint8_t> lengths, std::span<std::uint16_t> codes) {
  assert(codes.size() == lengths.size());
  std::array<std::uint16_t, 16> count{}, next{};
  for (std::uint8_t length : lengths) ++count[length];
  count[0] = 0;
  unsigned code = 0;
  for (int bits = 1; bits < 16; ++bits) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = static_cast<std::uint16_t>(code);
  }
  for (std::size_t s = 0; s < lengths.size(); ++s) {
    const int length = lengths[s];
    codes[s] = 0;
    if (length == 0) continue;
    // DEFLATE sends Huffman codes most significant bit first into an LSB-first bit stream:
    // store them bit-reversed so the writer can OR them in as they are.
    const unsigned value = next[length]++;
    unsigned reversed = 0;
    for (int b = 0; b < length; ++b) reversed |= ((value >> b) & 1u) << (length - 1 - b);
    codes[s] = static_cast<std::uint16_t>(reversed);
  }
}

}  // namespace atelier::render::codec_internal
