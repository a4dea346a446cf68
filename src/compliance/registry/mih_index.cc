// MihIndex: the base tables (CSR by substring value), the delta (hash chains), the search
// and the compaction. See mih_index.h for the structure and why a search is exact.
#include "compliance/registry/mih_index.h"

#include <algorithm>
#include <bit>

#include "core/assert.h"

namespace atelier::compliance {

namespace {

using internal::CodeWords;
using internal::substring;

constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
constexpr std::uint32_t kNone = ~std::uint32_t{0};
// How far ahead of its use a bucket offset or a code is prefetched: enough misses in flight
// to hide DRAM latency, few enough to stay in L1.
constexpr std::size_t kPrefetchAhead = 12;

std::size_t hash_position(std::uint32_t value, std::size_t capacity) {
  // Fibonacci hashing: the top bits of value · 2^64/φ, capacity a power of two.
  const int shift = 64 - std::countr_zero(capacity);
  return static_cast<std::size_t>((value * 0x9E3779B97F4A7C15ull) >> shift);
}

// The popcount-heavy loops, compiled for the popcnt instruction where the CPU has it (x86-64's
// baseline lacks it; the resolver picks at load time). Plain functions so that both versions
// inline the same hamming() and substring().
struct SearchState {
  const CodeWords* codes;
  const std::uint64_t* alive;
  CodeWords query;
  int radius;
  const internal::MihLayout* layout;
  std::array<std::uint32_t, internal::kMihSubstringsMax> query_sub;
  std::array<int, internal::kMihSubstringsMax> sub_radius;
};

// Verifies candidates found in table k: full distance, liveness, then "is k the first table
// whose probes reach this code" so that a code found by several tables is reported once.
[[gnu::target_clones("popcnt", "default")]] void verify(const SearchState& s, int k,
                                                        const std::uint32_t* cands,
                                                        std::size_t count,
                                                        std::vector<MihMatch>& out) {
  for (std::size_t i = 0; i < count; ++i) {
    if (i + kPrefetchAhead < count) __builtin_prefetch(&s.codes[cands[i + kPrefetchAhead]]);
    const std::uint32_t slot = cands[i];
    const CodeWords& c = s.codes[slot];
    const int d = std::popcount(c[0] ^ s.query[0]) + std::popcount(c[1] ^ s.query[1]) +
                  std::popcount(c[2] ^ s.query[2]) + std::popcount(c[3] ^ s.query[3]);
    if (d > s.radius) continue;
    if (((s.alive[slot >> 6] >> (slot & 63)) & 1) == 0) continue;
    bool earlier = false;
    for (int j = 0; j < k && !earlier; ++j) {
      if (s.sub_radius[j] < 0) continue;
      const std::uint32_t v = substring(c, s.layout->start[j], s.layout->width[j]);
      earlier = std::popcount(v ^ s.query_sub[j]) <= s.sub_radius[j];
    }
    if (!earlier) out.push_back({slot, d});
  }
}

[[gnu::target_clones("popcnt", "default")]] void scan_range(const CodeWords* codes,
                                                            const std::uint64_t* alive,
                                                            std::size_t count, const CodeWords& q,
                                                            int radius,
                                                            std::vector<MihMatch>& out) {
  for (std::size_t slot = 0; slot < count; ++slot) {
    const CodeWords& c = codes[slot];
    const int d = std::popcount(c[0] ^ q[0]) + std::popcount(c[1] ^ q[1]) +
                  std::popcount(c[2] ^ q[2]) + std::popcount(c[3] ^ q[3]);
    if (d <= radius && ((alive[slot >> 6] >> (slot & 63)) & 1) != 0) {
      out.push_back({static_cast<std::uint32_t>(slot), d});
    }
  }
}

}  // namespace

MihIndex::MihIndex(MihOptions options) : options_(options) {
  ATELIER_ASSERT(options_.substrings == 0 || (options_.substrings >= internal::kMihSubstringsMin &&
                                              options_.substrings <= internal::kMihSubstringsMax),
                 "MihOptions::substrings must be 0 or 11..32");
  ATELIER_ASSERT(options_.delta_divisor > 0 && options_.tombstone_divisor > 0);
  layout_ = internal::mih_layout(options_.substrings != 0 ? options_.substrings
                                                          : internal::mih_substrings_for(0));
  delta_.resize(static_cast<std::size_t>(layout_.substrings));
}

MihIndex::Slot MihIndex::insert(const PdqHash& code) {
  ATELIER_ASSERT(codes_.size() < kSlotsMax, "MIH index full");
  const auto slot = static_cast<Slot>(codes_.size());
  codes_.push_back(internal::code_words(code));
  if ((slot & 63) == 0) alive_.push_back(0);
  alive_[slot >> 6] |= std::uint64_t{1} << (slot & 63);
  ++live_;
  delta_add(slot);
  maybe_compact();
  return slot;
}

MihIndex::Slot MihIndex::insert_many(std::span<const PdqHash> codes) {
  ATELIER_ASSERT(codes.size() <= kSlotsMax - codes_.size(), "MIH index full");
  const auto first = static_cast<Slot>(codes_.size());
  codes_.reserve(codes_.size() + codes.size());
  for (const PdqHash& code : codes) codes_.push_back(internal::code_words(code));
  alive_.resize((codes_.size() + 63) / 64, 0);
  for (std::size_t slot = first; slot < codes_.size(); ++slot) {
    alive_[slot >> 6] |= std::uint64_t{1} << (slot & 63);
  }
  live_ += codes.size();
  const std::size_t bound = std::max(options_.delta_codes_min, live_ / options_.delta_divisor);
  if (delta_size() > bound) {
    compact();
  } else {
    for (std::size_t slot = first; slot < codes_.size(); ++slot) {
      delta_add(static_cast<Slot>(slot));
    }
  }
  return first;
}

bool MihIndex::remove(Slot slot) {
  if (!alive(slot)) return false;
  alive_[slot >> 6] &= ~(std::uint64_t{1} << (slot & 63));
  --live_;
  if (slot < base_end_) ++base_tombstones_;
  maybe_compact();
  return true;
}

void MihIndex::maybe_compact() {
  const std::size_t delta_bound =
      std::max(options_.delta_codes_min, live_ / options_.delta_divisor);
  const std::size_t tombstone_bound =
      std::max(options_.delta_codes_min, live_ / options_.tombstone_divisor);
  if (delta_size() > delta_bound || base_tombstones_ > tombstone_bound) compact();
}

void MihIndex::delta_add(Slot slot) {
  const std::size_t position = slot - base_end_;
  const CodeWords& code = codes_[slot];
  for (int k = 0; k < layout_.substrings; ++k) {
    DeltaTable& t = delta_[static_cast<std::size_t>(k)];
    ATELIER_ASSERT(t.next.size() == position, "delta positions arrive in order");
    t.next.push_back(kNone);
    if ((t.used + 1) * 2 > t.heads.size()) {
      // Grow to keep the load at most one half: linear probing stays short.
      std::vector<std::uint64_t> old = std::move(t.heads);
      t.heads.assign(std::max<std::size_t>(64, old.size() * 2), kEmpty);
      for (std::uint64_t e : old) {
        if (e == kEmpty) continue;
        std::size_t i = hash_position(static_cast<std::uint32_t>(e >> 32), t.heads.size());
        while (t.heads[i] != kEmpty) i = (i + 1) & (t.heads.size() - 1);
        t.heads[i] = e;
      }
    }
    const std::uint32_t value = substring(code, layout_.start[k], layout_.width[k]);
    std::size_t i = hash_position(value, t.heads.size());
    while (t.heads[i] != kEmpty && (t.heads[i] >> 32) != value) {
      i = (i + 1) & (t.heads.size() - 1);
    }
    if (t.heads[i] == kEmpty) {
      ++t.used;
    } else {
      t.next[position] = static_cast<std::uint32_t>(t.heads[i]);
    }
    t.heads[i] = (std::uint64_t{value} << 32) | position;
  }
}

void MihIndex::compact() {
  const int m =
      options_.substrings != 0 ? options_.substrings : internal::mih_substrings_for(live_);
  layout_ = internal::mih_layout(m);
  build_base();
  delta_.assign(static_cast<std::size_t>(m), DeltaTable{});
  base_end_ = codes_.size();
  base_tombstones_ = 0;
  ++compactions_;
}

void MihIndex::build_base() {
  const auto m = static_cast<std::size_t>(layout_.substrings);
  offsets_.assign(m, {});
  slots_.assign(m, {});
  std::vector<std::uint32_t> cursor;
  for (std::size_t k = 0; k < m; ++k) {
    const int start = layout_.start[k];
    const int width = layout_.width[k];
    std::vector<std::uint32_t>& offsets = offsets_[k];
    offsets.assign((std::size_t{1} << width) + 1, 0);
    // Counting sort by substring value; within a value, slots stay ascending.
    for (std::size_t slot = 0; slot < codes_.size(); ++slot) {
      if (alive(static_cast<Slot>(slot))) ++offsets[substring(codes_[slot], start, width) + 1];
    }
    for (std::size_t v = 1; v < offsets.size(); ++v) offsets[v] += offsets[v - 1];
    ATELIER_ASSERT(offsets.back() == live_, "a base table holds every live code once");
    cursor.assign(offsets.begin(), offsets.end() - 1);
    std::vector<Slot>& slots = slots_[k];
    slots.resize(live_);
    for (std::size_t slot = 0; slot < codes_.size(); ++slot) {
      if (!alive(static_cast<Slot>(slot))) continue;
      slots[cursor[substring(codes_[slot], start, width)]++] = static_cast<Slot>(slot);
    }
  }
}

bool MihIndex::searches_by_scan(int radius) const {
  // A probe is a random read or two; scanning a code is a sequential 32 bytes. Probing more
  // buckets than there are codes never pays.
  std::uint64_t probes = 0;
  for (int k = 0; k < layout_.substrings; ++k) {
    const int s = internal::substring_radius(layout_, k, radius);
    if (s >= 0) probes += internal::ball_size(layout_.width[k], s);
  }
  return probes >= codes_.size();
}

void MihIndex::scan_all(const CodeWords& query, int radius, std::vector<MihMatch>& out) const {
  scan_range(codes_.data(), alive_.data(), codes_.size(), query, radius, out);
}

void MihIndex::search(const PdqHash& hash, int radius, std::vector<MihMatch>& out) const {
  if (radius < 0 || live_ == 0) return;
  radius = std::min(radius, kPdqBits);
  const std::size_t first = out.size();
  const CodeWords query = internal::code_words(hash);
  if (searches_by_scan(radius)) {
    scan_all(query, radius, out);
    return;
  }
  SearchState s{codes_.data(), alive_.data(), query, radius, &layout_, {}, {}};
  for (int k = 0; k < layout_.substrings; ++k) {
    s.query_sub[k] = substring(query, layout_.start[k], layout_.width[k]);
    s.sub_radius[k] = internal::substring_radius(layout_, k, radius);
  }
  thread_local std::vector<std::uint32_t> probes;
  thread_local std::vector<std::uint32_t> cands;
  for (int k = 0; k < layout_.substrings; ++k) {
    if (s.sub_radius[k] < 0) continue;
    const auto ku = static_cast<std::size_t>(k);
    probes.clear();
    internal::for_each_mask(layout_.width[k], s.sub_radius[k],
                            [&](std::uint32_t mask) { probes.push_back(s.query_sub[k] ^ mask); });
    cands.clear();
    if (!offsets_.empty()) {
      const std::uint32_t* offsets = offsets_[ku].data();
      const Slot* slots = slots_[ku].data();
      for (std::size_t i = 0; i < probes.size(); ++i) {
        if (i + kPrefetchAhead < probes.size()) {
          __builtin_prefetch(&offsets[probes[i + kPrefetchAhead]]);
        }
        const std::uint32_t begin = offsets[probes[i]];
        const std::uint32_t end = offsets[probes[i] + 1];
        cands.insert(cands.end(), slots + begin, slots + end);
      }
    }
    const DeltaTable& t = delta_[ku];
    if (t.used != 0) {
      const std::size_t mask = t.heads.size() - 1;
      for (std::uint32_t value : probes) {
        std::size_t i = hash_position(value, t.heads.size());
        while (t.heads[i] != kEmpty && (t.heads[i] >> 32) != value) i = (i + 1) & mask;
        if (t.heads[i] == kEmpty) continue;
        for (auto p = static_cast<std::uint32_t>(t.heads[i]); p != kNone; p = t.next[p]) {
          cands.push_back(static_cast<Slot>(base_end_ + p));
        }
      }
    }
    verify(s, k, cands.data(), cands.size(), out);
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const MihMatch& a, const MihMatch& b) { return a.slot < b.slot; });
}

std::size_t MihIndex::memory_bytes() const {
  std::size_t bytes = codes_.capacity() * sizeof(CodeWords) + alive_.capacity() * 8;
  for (const auto& o : offsets_) bytes += o.capacity() * sizeof(std::uint32_t);
  for (const auto& s : slots_) bytes += s.capacity() * sizeof(Slot);
  for (const auto& t : delta_) bytes += t.heads.capacity() * 8 + t.next.capacity() * 4;
  return bytes;
}

}  // namespace atelier::compliance
