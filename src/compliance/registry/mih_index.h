// mih_index.h — exact radius search over 256-bit codes by multi-index hashing (MIH).
//
//   MihIndex index;
//   MihIndex::Slot s = index.insert(hash);          // slots are stable: 0, 1, 2, …
//   std::vector<MihMatch> found;
//   index.search(query, 31, found);                 // every live code within 31 bits
//   index.remove(s);                                // never found again
//
// Exact: a search returns every live code within the radius, each once, and nothing else —
// the pigeonhole bound of internal/mih_layout.h picks which tables to probe and how far,
// every candidate is verified by its full Hamming distance, and a match is reported only by
// the first table that finds it. It is not an approximation and has no recall knob.
//
// Structure (Norouzi et al., TPAMI 2014). The code is cut into m substrings; each has a
// table mapping a substring value to the slots holding it. The tables have two parts:
//   - the base: per substring, a flat array of 2^width + 1 offsets into one array of slots
//     (CSR), built by a counting sort at each compaction;
//   - the delta: the slots inserted since, in small hash tables (substring value → chain of
//     slots), updated on every insert.
// A search probes both, so an insert is visible to the next search and the index is never
// stale. When the delta outgrows its bound (MihOptions) or removals pile up, compact()
// rebuilds the base from every live code, re-choosing m for the live count; it runs inside
// the insert or remove that crosses the bound, so no search ever sees a half-built index.
// Removal is a tombstone: the slot stays in the tables, unreported, until the next
// compaction drops it. Slots are never reused (a removed code keeps its 32 bytes).
//
// Thread-safety: const members may run concurrently with each other; anything else needs
// exclusive access (the registry holds a shared mutex around it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "compliance/pdq.h"
#include "compliance/registry/internal/code_words.h"
#include "compliance/registry/internal/mih_layout.h"

namespace atelier::compliance {

struct MihOptions {
  // Substrings m (11..32). 0, the default: chosen at each compaction from the live count,
  // m = ⌊256 / log2(live)⌋ (16 up to 65,536 codes, 12 at 10^6, 11 from 10^7).
  int substrings = 0;
  // The delta may hold this many codes before it is merged, or live / delta_divisor if that
  // is more: merging costs O(live · m), so the bound grows with the index to keep inserts
  // amortised O(m · delta_divisor), while a delta of 1/delta_divisor of the index adds about
  // that fraction to a search.
  std::size_t delta_codes_min = 65'536;
  std::size_t delta_divisor = 16;
  // Removed codes still in the base tables are skipped at a cost; past live / this many the
  // next removal compacts.
  std::size_t tombstone_divisor = 4;
};

struct MihMatch {
  std::uint32_t slot = 0;
  int distance = 0;
  bool operator==(const MihMatch&) const = default;
};

class MihIndex {
 public:
  using Slot = std::uint32_t;
  // The most codes an index holds (offsets and slots are 32-bit).
  static constexpr std::size_t kSlotsMax = std::size_t{1} << 31;

  explicit MihIndex(MihOptions options = {});

  // Adds a code; returns its slot, the previous size(). Asserts size() < kSlotsMax (callers
  // bound their input below it).
  Slot insert(const PdqHash& code);
  // Adds codes in order (their slots are consecutive from the returned one), compacting at
  // most once: a bulk load costs one counting sort.
  Slot insert_many(std::span<const PdqHash> codes);
  // Removes a live slot; false (and nothing changed) for an unknown or removed one.
  bool remove(Slot slot);
  // Appends every live code within `radius` (0..256) of `query` to `out`, by slot.
  void search(const PdqHash& query, int radius, std::vector<MihMatch>& out) const;
  // Merges the delta into the base and drops removed slots from the tables.
  void compact();
  // Whether a search to `radius` would read every code instead of probing the tables: when
  // the tables would probe more buckets than there are codes (small indexes, large radii).
  // Exact either way.
  bool searches_by_scan(int radius) const;

  std::size_t size() const { return codes_.size(); }  // slots given out, removed ones too
  std::size_t live() const { return live_; }
  bool alive(Slot slot) const {
    return slot < codes_.size() && ((alive_[slot >> 6] >> (slot & 63)) & 1) != 0;
  }
  PdqHash code(Slot slot) const { return internal::pdq_hash_of(codes_[slot]); }
  int substrings() const { return layout_.substrings; }
  std::size_t delta_size() const { return codes_.size() - base_end_; }
  std::uint64_t compactions() const { return compactions_; }
  // Bytes held by the codes, the tables and the bookkeeping (capacity, not size).
  std::size_t memory_bytes() const;

 private:
  // One substring's delta: open addressing from substring value to the newest delta position
  // holding it; next_ chains to older ones.
  struct DeltaTable {
    std::vector<std::uint64_t> heads;  // (value << 32) | position; kEmpty when free
    std::vector<std::uint32_t> next;   // per delta position: the older one, or kNone
    std::size_t used = 0;
  };

  void build_base();
  void delta_add(Slot slot);
  void maybe_compact();
  void scan_all(const internal::CodeWords& query, int radius, std::vector<MihMatch>& out) const;

  MihOptions options_;
  internal::MihLayout layout_;
  std::vector<internal::CodeWords> codes_;  // as the loops read them (code_words.h)
  std::vector<std::uint64_t> alive_;        // one bit per slot
  std::size_t live_ = 0;
  std::size_t base_end_ = 0;         // slots below are in the base tables (or were removed)
  std::size_t base_tombstones_ = 0;  // removed slots still in the base tables
  std::vector<std::vector<std::uint32_t>> offsets_;  // per substring: 2^width + 1
  std::vector<std::vector<Slot>> slots_;             // per substring: base slots by value
  std::vector<DeltaTable> delta_;                    // per substring
  std::uint64_t compactions_ = 0;
};

}  // namespace atelier::compliance
