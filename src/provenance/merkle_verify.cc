// Proof verification, written to follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step (the
// comments carry the RFC's step numbers) so it can be audited against the text. Each loop
// shifts `sn` right at least once per proof element and fails when it reaches zero early, so
// at most 64 elements are ever hashed whatever length an attacker sends.
#include <bit>
#include <string>

#include "provenance/merkle.h"

namespace atelier::provenance {

namespace {

bool lsb(std::uint64_t x) { return (x & 1) != 0; }

Error wrong_length(std::string what) {
  return Error::invalid("proof_wrong_length", "the proof is " + what + " than its tree sizes need",
                        "proof");
}

Error root_mismatch(std::string field) {
  return Error::invalid("root_mismatch", "the proof does not lead to the given " + field + " hash",
                        field);
}

}  // namespace

Result<void> verify_inclusion(const Digest& leaf, std::uint64_t index, std::uint64_t size,
                              std::span<const Digest> proof, const Digest& root) {
  // 1. The leaf index must lie inside the tree.
  if (index >= size) {
    return fail(Error::invalid("index_out_of_range",
                               "leaf index " + std::to_string(index) +
                                   " is not below the tree size " + std::to_string(size),
                               "index"));
  }
  std::uint64_t fn = index;  // 2.
  std::uint64_t sn = size - 1;
  Digest r = leaf;                                     // 3.
  for (const Digest& p : proof) {                      // 4.
    if (sn == 0) return fail(wrong_length("longer"));  // a.
    if (lsb(fn) || fn == sn) {                         // b.
      r = node_hash(p, r);
      if (!lsb(fn)) {
        while (!(lsb(fn) || fn == 0)) fn >>= 1, sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1, sn >>= 1;  // c.
  }
  // 5.
  if (sn != 0) return fail(wrong_length("shorter"));
  if (r != root) return fail(root_mismatch("root"));
  return {};
}

Result<void> verify_consistency(std::uint64_t from, std::uint64_t to, std::span<const Digest> proof,
                                const Digest& root_from, const Digest& root_to) {
  if (from > to) {
    return fail(Error::invalid("consistency_sizes_invalid",
                               "the first tree size " + std::to_string(from) +
                                   " is larger than the second " + std::to_string(to),
                               "from"));
  }
  if (from == 0 || from == to) {  // Outside the RFC's 0 < first < second: nothing to prove.
    if (!proof.empty()) return fail(wrong_length("longer"));
    if (from == 0 && root_from != empty_root()) return fail(root_mismatch("root_from"));
    if (from == to && root_from != root_to) return fail(root_mismatch("root_to"));
    return {};
  }
  if (proof.empty()) return fail(wrong_length("shorter"));  // 1.
  // 2. When first is a power of two its root is the first path element.
  bool prepend = std::has_single_bit(from);
  auto element = [&](std::size_t i) -> const Digest& {
    return prepend ? (i == 0 ? root_from : proof[i - 1]) : proof[i];
  };
  std::size_t count = proof.size() + (prepend ? 1 : 0);
  std::uint64_t fn = from - 1;  // 3.
  std::uint64_t sn = to - 1;
  while (lsb(fn)) fn >>= 1, sn >>= 1;  // 4.
  Digest fr = element(0);              // 5.
  Digest sr = element(0);
  for (std::size_t i = 1; i < count; ++i) {  // 6.
    const Digest& c = element(i);
    if (sn == 0) return fail(wrong_length("longer"));  // a.
    if (lsb(fn) || fn == sn) {                         // b.
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!lsb(fn)) {
        while (!(lsb(fn) || fn == 0)) fn >>= 1, sn >>= 1;
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1, sn >>= 1;  // c.
  }
  // 7.
  if (sn != 0) return fail(wrong_length("shorter"));
  if (fr != root_from) return fail(root_mismatch("root_from"));
  if (sr != root_to) return fail(root_mismatch("root_to"));
  return {};
}

}  // namespace atelier::provenance
