// bmff.cc — BMFF boxes, the C2PA `uuid` box, offset relocation and the BMFF hash (see bmff.h).
#include "c2pa/bmff.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "c2pa/container.h"
#include "c2pa/internal/bytes.h"

namespace atelier::c2pa::bmff {
namespace {

using internal::be32;
using internal::be64;

// Limits: a walk never holds more boxes than these, whatever the file claims.
constexpr std::size_t kTopLevelBoxesMax = 1 << 16;
constexpr std::size_t kChildBoxesMax = 1 << 12;  // inside one container
constexpr std::size_t kXpathNodesMax = 16;
constexpr std::size_t kExclusionsMax = 256;  // entries in one assertion
constexpr std::size_t kExcludedRangesMax = 1 << 16;
constexpr const char* kManifestPurpose = "manifest";

Error malformed(std::uint64_t at, const std::string& why) {
  return Error::invalid("c2pa_container_malformed",
                        "image/avif at byte " + std::to_string(at) + ": " + why);
}
Error hash_malformed(const std::string& why) {
  return Error::invalid("c2pa_bmff_hash_malformed", "c2pa.hash.bmff: " + why);
}

// Reads big-endian fields of 0, 2, 4 or 8 bytes within [pos, end), remembering where each was.
struct Cursor {
  std::span<const std::uint8_t> file;
  std::uint64_t pos;
  std::uint64_t end;
  Result<std::uint64_t> read(unsigned bytes) {
    if (end - pos < bytes) return fail(malformed(pos, "a field runs past the end of its box"));
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v = (v << 8) | file[static_cast<std::size_t>(pos + i)];
    pos += bytes;
    return v;
  }
};

void write_be(std::vector<std::uint8_t>& file, std::uint64_t at, unsigned bytes, std::uint64_t v) {
  for (unsigned i = 0; i < bytes; ++i) {
    file[static_cast<std::size_t>(at + bytes - 1 - i)] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

// ---- offsets --------------------------------------------------------------------------------

struct Relocation {
  std::uint64_t at;
  std::uint64_t size;
  Move move;
  // Whether data at file offset `v` (before the move) lies at or past the moved bytes.
  bool affects(std::uint64_t v) const { return v >= at; }
  Result<std::uint64_t> apply(std::uint64_t v, unsigned width, std::uint64_t field_at) const {
    if (move == Move::kInserted) {
      if (v > UINT64_MAX - size) return fail(malformed(field_at, "an offset overflows"));
      v += size;
    } else {
      if (v < at + size) {
        return fail(malformed(field_at, "an offset points into the C2PA box being removed"));
      }
      v -= size;
    }
    if (width < 8 && v > (std::uint64_t{1} << (8 * width)) - 1) {
      return fail(malformed(
          field_at, "a moved offset does not fit its " + std::to_string(width) + "-byte field"));
    }
    return v;
  }
};

// Rewrites field [at, at + width) when the data it addresses moved.
Result<void> relocate_field(std::vector<std::uint8_t>& file, std::uint64_t field_at, unsigned width,
                            std::uint64_t value, const Relocation& r) {
  if (!r.affects(value)) return {};
  ATELIER_TRY_ASSIGN(std::uint64_t moved, r.apply(value, width, field_at));
  write_be(file, field_at, width, moved);
  return {};
}

bool valid_field_size(std::uint64_t n) { return n == 0 || n == 4 || n == 8; }

// ISO/IEC 14496-12 §8.11.3. Only items in this file (data_reference_index 0) stored by file
// offset (construction method 0) move; `idat` and item-relative extents do not.
Result<void> relocate_iloc(std::vector<std::uint8_t>& file, const Box& iloc, const Relocation& r) {
  Cursor c{file, iloc.offset + iloc.header, iloc.end()};
  ATELIER_TRY_ASSIGN(const std::uint64_t version_flags, c.read(4));
  const auto version = static_cast<unsigned>(version_flags >> 24);
  if (version > 2) return fail(malformed(iloc.offset, "iloc version " + std::to_string(version)));
  ATELIER_TRY_ASSIGN(const std::uint64_t sizes, c.read(2));
  const unsigned offset_size = (sizes >> 12) & 0xf, length_size = (sizes >> 8) & 0xf;
  const unsigned base_offset_size = (sizes >> 4) & 0xf;
  const unsigned index_size = version >= 1 ? sizes & 0xf : 0;
  if (!valid_field_size(offset_size) || !valid_field_size(length_size) ||
      !valid_field_size(base_offset_size) || !valid_field_size(index_size)) {
    return fail(malformed(iloc.offset, "iloc field sizes other than 0, 4 or 8"));
  }
  ATELIER_TRY_ASSIGN(const std::uint64_t items, c.read(version < 2 ? 2 : 4));
  for (std::uint64_t i = 0; i < items; ++i) {
    ATELIER_TRY(c.read(version < 2 ? 2 : 4));  // item_ID
    std::uint64_t method = 0;
    if (version >= 1) {
      ATELIER_TRY_ASSIGN(method, c.read(2));
      method &= 0xf;
    }
    ATELIER_TRY_ASSIGN(const std::uint64_t data_reference, c.read(2));
    const std::uint64_t base_at = c.pos;
    ATELIER_TRY_ASSIGN(const std::uint64_t base, c.read(base_offset_size));
    ATELIER_TRY_ASSIGN(const std::uint64_t extents, c.read(2));
    const bool in_file = method == 0 && data_reference == 0;
    // A base offset at or past the moved bytes moves, and its extents (relative) stay.
    const bool base_moves = in_file && base_offset_size > 0 && r.affects(base);
    if (base_moves) ATELIER_TRY(relocate_field(file, base_at, base_offset_size, base, r));
    for (std::uint64_t e = 0; e < extents; ++e) {
      ATELIER_TRY(c.read(index_size));
      const std::uint64_t extent_at = c.pos;
      ATELIER_TRY_ASSIGN(const std::uint64_t offset, c.read(offset_size));
      ATELIER_TRY(c.read(length_size));
      if (!in_file || base_moves) continue;
      if (offset > UINT64_MAX - base) return fail(malformed(extent_at, "an extent overflows"));
      if (!r.affects(base + offset)) continue;
      if (offset_size == 0) {
        return fail(malformed(extent_at, "an iloc extent without an offset field would move"));
      }
      ATELIER_TRY_ASSIGN(const std::uint64_t moved, r.apply(base + offset, 8, extent_at));
      const std::uint64_t relative = moved - base;
      if (offset_size == 4 && relative > UINT32_MAX) {
        return fail(malformed(extent_at, "a moved extent offset does not fit 4 bytes"));
      }
      write_be(file, extent_at, offset_size, relative);
    }
  }
  return {};
}

// `stco` (4-byte) and `co64` (8-byte) chunk offsets, ISO/IEC 14496-12 §8.7.5.
Result<void> relocate_chunk_offsets(std::vector<std::uint8_t>& file, const Box& box, unsigned width,
                                    const Relocation& r) {
  Cursor c{file, box.offset + box.header, box.end()};
  ATELIER_TRY(c.read(4));  // version, flags
  ATELIER_TRY_ASSIGN(const std::uint64_t count, c.read(4));
  if (count > (c.end - c.pos) / width) {
    return fail(malformed(box.offset, std::string(box.type) + " entry count past its box"));
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t at = c.pos;
    ATELIER_TRY_ASSIGN(const std::uint64_t offset, c.read(width));
    ATELIER_TRY(relocate_field(file, at, width, offset, r));
  }
  return {};
}

Result<std::vector<Box>> children(std::span<const std::uint8_t> file, const Box& parent,
                                  std::uint64_t skip) {
  if (parent.size - parent.header < skip) {
    return fail(malformed(parent.offset, std::string(parent.type) + " box too small"));
  }
  return boxes_in(file, parent.offset + parent.header + skip, parent.end(), kChildBoxesMax);
}

// Every `stco`/`co64` under moov/trak/mdia/minf/stbl.
Result<void> relocate_moov(std::vector<std::uint8_t>& file, const Box& moov, const Relocation& r) {
  std::vector<Box> level{moov};
  for (const char* container : {"trak", "mdia", "minf", "stbl"}) {
    std::vector<Box> next;
    for (const Box& b : level) {
      ATELIER_TRY_ASSIGN(auto kids, children(file, b, 0));
      for (const Box& k : kids) {
        if (k.is(container)) next.push_back(k);
      }
    }
    level = std::move(next);
  }
  for (const Box& stbl : level) {
    ATELIER_TRY_ASSIGN(auto kids, children(file, stbl, 0));
    for (const Box& k : kids) {
      if (k.is("stco")) ATELIER_TRY(relocate_chunk_offsets(file, k, 4, r));
      if (k.is("co64")) ATELIER_TRY(relocate_chunk_offsets(file, k, 8, r));
    }
  }
  return {};
}

// ---- the hash -------------------------------------------------------------------------------

// FullBox types whose version and flags an exclusion may name (ISO/IEC 14496-12 and HEIF).
bool is_full_box(const Box& b) {
  static constexpr const char* kFullBoxes[] = {
      "meta", "iloc", "iinf", "infe", "pitm", "iref", "ipma", "hdlr", "mvhd", "tkhd",
      "mdhd", "stsd", "stts", "ctts", "stss", "stsz", "stz2", "stsc", "stco", "co64",
      "elst", "dref", "url ", "urn ", "mehd", "trex", "mfhd", "tfhd", "trun", "tfdt",
      "tfra", "mfro", "sidx", "saiz", "saio", "sgpd", "sbgp", "pssh", "schm", "smhd",
      "vmhd", "nmhd", "sthd", "elng", "cslg", "subs", "ispe", "pixi", "auxC"};
  return std::any_of(std::begin(kFullBoxes), std::end(kFullBoxes),
                     [&](const char* t) { return b.is(t); });
}

struct XpathNode {
  std::string type;
  std::uint64_t index = 0;  // 1-based among same-type siblings; 0: any
};

// The spec's strict xpath subset: '/' box4cc ['[' n ']'] ( '/' ... )*.
Result<std::vector<XpathNode>> parse_xpath(std::string_view xpath) {
  std::vector<XpathNode> nodes;
  if (xpath.empty() || xpath.front() != '/')
    return fail(hash_malformed("xpath " + std::string(xpath)));
  std::size_t p = 1;
  while (p <= xpath.size()) {
    if (nodes.size() == kXpathNodesMax) return fail(hash_malformed("xpath too deep"));
    if (xpath.size() - p < 4) return fail(hash_malformed("xpath " + std::string(xpath)));
    XpathNode n{std::string(xpath.substr(p, 4)), 0};
    p += 4;
    if (p < xpath.size() && xpath[p] == '[') {
      const auto close = xpath.find(']', p);
      if (close == std::string_view::npos || close == p + 1 || close - p > 10 ||
          xpath[p + 1] == '0') {
        return fail(hash_malformed("xpath " + std::string(xpath)));
      }
      for (std::size_t i = p + 1; i < close; ++i) {
        if (xpath[i] < '0' || xpath[i] > '9')
          return fail(hash_malformed("xpath " + std::string(xpath)));
        n.index = n.index * 10 + static_cast<std::uint64_t>(xpath[i] - '0');
      }
      p = close + 1;
    }
    nodes.push_back(std::move(n));
    if (p == xpath.size()) break;
    if (xpath[p] != '/') return fail(hash_malformed("xpath " + std::string(xpath)));
    ++p;
  }
  return nodes;
}

// The boxes an xpath names. A non-leaf node must be a plain container (spec §18.6.2): one
// whose payload does not parse as boxes has no children here, so nothing under it matches.
std::vector<Box> select(std::span<const std::uint8_t> file, const std::vector<Box>& top,
                        const std::vector<XpathNode>& path) {
  std::vector<std::vector<Box>> sibling_sets{top};
  std::vector<Box> matched;
  for (std::size_t depth = 0; depth < path.size(); ++depth) {
    matched.clear();
    for (const auto& siblings : sibling_sets) {
      std::uint64_t seen = 0;
      for (const Box& b : siblings) {
        if (b.type != path[depth].type) continue;
        ++seen;
        if (path[depth].index == 0 || path[depth].index == seen) matched.push_back(b);
      }
    }
    if (depth + 1 == path.size()) break;
    sibling_sets.clear();
    for (const Box& b : matched) {
      if (auto kids = children(file, b, 0)) sibling_sets.push_back(std::move(*kids));
    }
  }
  return matched;
}

const cbor::Value* field(const cbor::Value& map, std::string_view key) { return map.find(key); }

// Whether `box` meets the exclusion entry's length, version, flags and data conditions.
Result<bool> conditions_hold(std::span<const std::uint8_t> file, const Box& box,
                             const cbor::Value& entry) {
  if (const auto* length = field(entry, "length")) {
    if (!length->is_unsigned()) return fail(hash_malformed("length is not an unsigned integer"));
    if (length->number() != box.size) return false;
  }
  const auto* version = field(entry, "version");
  const auto* flags = field(entry, "flags");
  if ((version || flags) && is_full_box(box)) {
    if (box.size - box.header < 4) return false;
    const std::uint32_t vf = be32(file.data() + box.offset + box.header);
    if (version) {
      if (!version->is_unsigned()) return fail(hash_malformed("version is not an integer"));
      if (version->number() != (vf >> 24)) return false;
    }
    if (flags) {
      if (!flags->is_bytes() || flags->bytes().size() != 3)
        return fail(hash_malformed("flags is not 3 bytes"));
      const std::uint32_t want = (std::uint32_t{flags->bytes()[0]} << 16) |
                                 (std::uint32_t{flags->bytes()[1]} << 8) | flags->bytes()[2];
      const auto* exact = field(entry, "exact");
      const bool exactly = !exact || exact->type() != cbor::Value::Type::kBool || exact->as_bool();
      const std::uint32_t have = vf & 0xffffff;
      if (exactly ? have != want : (have & want) != want) return false;
    }
  }
  if (const auto* data = field(entry, "data")) {
    if (!data->is_array()) return fail(hash_malformed("data is not an array"));
    for (const auto& d : data->items()) {
      const auto* offset = field(d, "offset");
      const auto* value = field(d, "value");
      if (!offset || !value || !offset->is_unsigned() || !value->is_bytes())
        return fail(hash_malformed("a data entry lacks offset or value"));
      const std::uint64_t at = box.offset + offset->number();
      if (offset->number() > file.size() || at > file.size() ||
          value->bytes().size() > file.size() - at) {
        return fail(malformed(box.offset, "an exclusion's data runs past the end of the file"));
      }
      if (!std::equal(value->bytes().begin(), value->bytes().end(),
                      file.begin() + static_cast<std::ptrdiff_t>(at)))
        return false;
    }
  }
  return true;
}

struct Excluded {
  std::vector<ByteRange> ranges;
  std::vector<std::uint64_t> offsets_hashed;  // top-level boxes not excluded in full
};

Result<Excluded> exclusions_of(std::span<const std::uint8_t> file, const std::vector<Box>& top,
                               const cbor::Value& exclusions) {
  if (!exclusions.is_array() || exclusions.items().empty())
    return fail(hash_malformed("no exclusions"));
  if (exclusions.items().size() > kExclusionsMax)
    return fail(hash_malformed("too many exclusions"));
  Excluded out;
  std::vector<bool> whole(top.size(), false);
  for (const auto& entry : exclusions.items()) {
    const auto* xpath = field(entry, "xpath");
    if (!entry.is_map() || !xpath || !xpath->is_text())
      return fail(hash_malformed("an exclusion lacks xpath"));
    ATELIER_TRY_ASSIGN(auto path, parse_xpath(xpath->text()));
    const auto* subset = field(entry, "subset");
    std::vector<ByteRange> subsets;
    if (subset) {
      if (!subset->is_array()) return fail(hash_malformed("subset is not an array"));
      for (const auto& s : subset->items()) {
        const auto* offset = field(s, "offset");
        const auto* length = field(s, "length");
        if (!offset || !length || !offset->is_unsigned() || !length->is_unsigned())
          return fail(hash_malformed("a subset lacks offset or length"));
        if (!subsets.empty() && (subsets.back().length > UINT64_MAX - subsets.back().start ||
                                 subsets.back().start + subsets.back().length > offset->number()))
          return fail(hash_malformed("subsets out of order or overlapping"));
        subsets.push_back({offset->number(), length->number()});
      }
    }
    for (const Box& box : select(file, top, path)) {
      ATELIER_TRY_ASSIGN(bool holds, conditions_hold(file, box, entry));
      if (!holds) continue;
      if (!subset) {
        out.ranges.push_back({box.offset, box.size});
        // A top-level box excluded in full contributes no offset either (`top` is in file
        // order; a nested box never starts where a top-level one does).
        const auto it =
            std::lower_bound(top.begin(), top.end(), box.offset,
                             [](const Box& b, std::uint64_t offset) { return b.offset < offset; });
        if (it != top.end() && it->offset == box.offset) whole[it - top.begin()] = true;
      }
      for (const auto& s : subsets) {
        if (s.start > box.size) continue;
        const std::uint64_t rest = box.size - s.start;
        out.ranges.push_back(
            {box.offset + s.start, s.length == 0 ? rest : std::min(s.length, rest)});
      }
      if (out.ranges.size() > kExcludedRangesMax)
        return fail(hash_malformed("too many excluded ranges"));
    }
  }
  for (std::size_t i = 0; i < top.size(); ++i) {
    if (!whole[i]) out.offsets_hashed.push_back(top[i].offset);
  }
  return out;
}

// The complement of `excluded` in [0, size), as sorted, disjoint ranges.
std::vector<ByteRange> included(std::vector<ByteRange> excluded, std::uint64_t size) {
  std::sort(excluded.begin(), excluded.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.start < b.start; });
  std::vector<ByteRange> in;
  std::uint64_t p = 0;
  for (const auto& e : excluded) {
    if (e.length == 0) continue;
    if (e.start > p) in.push_back({p, e.start - p});
    p = std::max(p, e.start + e.length);
  }
  if (p < size) in.push_back({p, size - p});
  return in;
}

void put_offset(Sha256& h, std::uint64_t offset) {
  Bytes be;
  internal::put_be64(be, offset);
  h.update(be);
}

}  // namespace

bool Box::is(const char* fourcc) const { return std::memcmp(type, fourcc, 4) == 0; }

Result<std::vector<Box>> boxes_in(std::span<const std::uint8_t> file, std::uint64_t begin,
                                  std::uint64_t end, std::size_t boxes_max) {
  std::vector<Box> out;
  if (end > file.size() || begin > end) return fail(malformed(begin, "a box range past the file"));
  for (std::uint64_t p = begin; p < end;) {
    if (out.size() == boxes_max) {
      return fail(malformed(p, "more than " + std::to_string(boxes_max) + " boxes"));
    }
    if (end - p < 8) return fail(malformed(p, "truncated box header"));
    Box b;
    b.offset = p;
    b.size = be32(file.data() + p);
    std::memcpy(b.type, file.data() + p + 4, 4);
    b.header = 8;
    if (b.size == 1) {
      if (end - p < 16) return fail(malformed(p, "truncated 64-bit box size"));
      b.size = be64(file.data() + p + 8);
      b.header = 16;
    } else if (b.size == 0) {
      b.size = end - p;  // to the end of the file (or of the parent box)
    }
    if (b.size < b.header) {
      return fail(
          malformed(p, "box size " + std::to_string(b.size) + " is smaller than its header"));
    }
    if (b.size > end - p) {
      return fail(malformed(p, std::string("box '") + b.type + "' size " + std::to_string(b.size) +
                                   " runs past the end of " +
                                   (end == file.size() ? "the file" : "its parent")));
    }
    if (b.is("uuid")) {
      if (b.size - b.header < 16) return fail(malformed(p, "uuid box without its extended type"));
      std::memcpy(b.user_type.data(), file.data() + p + b.header, 16);
      b.header += 16;
    }
    out.push_back(b);
    p += b.size;
  }
  return out;
}

Result<std::vector<Box>> top_level_boxes(std::span<const std::uint8_t> file) {
  ATELIER_TRY_ASSIGN(auto boxes, boxes_in(file, 0, file.size(), kTopLevelBoxesMax));
  if (boxes.empty() || !boxes.front().is("ftyp")) {
    return fail(malformed(0, "the first box is not ftyp"));
  }
  return boxes;
}

Result<Bytes> manifest_box(std::span<const std::uint8_t> store) {
  const std::uint64_t size = 8 + 16 + 4 + std::strlen(kManifestPurpose) + 1 + 8 + store.size();
  if (size > UINT32_MAX) {
    return fail(Error::invalid("c2pa_manifest_too_large", "manifest too large for a uuid box"));
  }
  Bytes box;
  box.reserve(static_cast<std::size_t>(size));
  internal::put_be32(box, static_cast<std::uint32_t>(size));
  box.insert(box.end(), {'u', 'u', 'i', 'd'});
  box.insert(box.end(), kC2paUuid.begin(), kC2paUuid.end());
  internal::put_be32(box, 0);  // version 0, flags 0
  box.insert(box.end(), kManifestPurpose, kManifestPurpose + std::strlen(kManifestPurpose) + 1);
  internal::put_be64(box, 0);  // no auxiliary (Merkle) uuid boxes
  box.insert(box.end(), store.begin(), store.end());
  return box;
}

Result<std::optional<C2paBox>> read_c2pa_box(std::span<const std::uint8_t> file, const Box& box) {
  if (!box.is("uuid") || box.user_type != kC2paUuid) return std::nullopt;
  std::uint64_t p = box.offset + box.header;
  if (box.end() - p < 4) return fail(malformed(box.offset, "C2PA uuid box without version/flags"));
  p += 4;
  C2paBox c;
  for (;; ++p) {
    if (p == box.end()) return fail(malformed(box.offset, "C2PA uuid box purpose not terminated"));
    if (file[static_cast<std::size_t>(p)] == 0) break;
    if (c.purpose.size() == 64)
      return fail(malformed(box.offset, "C2PA uuid box purpose too long"));
    c.purpose.push_back(static_cast<char>(file[static_cast<std::size_t>(p)]));
  }
  ++p;
  if (c.purpose == kManifestPurpose || c.purpose == "original") {
    if (box.end() - p < 8)
      return fail(malformed(box.offset, "C2PA uuid box without its Merkle offset"));
    p += 8;
  }
  c.data_offset = p;
  c.data_size = box.end() - p;
  return c;
}

Result<void> relocate_offsets(std::vector<std::uint8_t>& file, std::uint64_t at, std::uint64_t size,
                              Move move) {
  ATELIER_TRY_ASSIGN(auto top, top_level_boxes(file));
  const Relocation r{at, size, move};
  for (const Box& b : top) {
    if (b.is("moof") || b.is("mfra")) {
      return fail(Error::invalid("c2pa_format_unsupported",
                                 "fragmented BMFF files (moof/mfra) cannot carry atelier's "
                                 "Content Credentials yet"));
    }
  }
  for (const Box& b : top) {
    if (b.is("meta")) {
      ATELIER_TRY_ASSIGN(auto kids, children(file, b, 4));  // meta is a FullBox
      for (const Box& k : kids) {
        if (k.is("iloc")) ATELIER_TRY(relocate_iloc(file, k, r));
      }
    } else if (b.is("moov")) {
      ATELIER_TRY(relocate_moov(file, b, r));
    }
  }
  return {};
}

cbor::Value hash_assertion(const Digest& hash) {
  using cbor::Value;
  std::vector<Value> exclusions;
  exclusions.push_back(
      Value::map({{"xpath", "/uuid"},
                  {"data", Value::array({Value::map({{"offset", Value::unsigned_int(8)},
                                                     {"value", Value::bytes(kC2paUuid)}})})}}));
  for (const char* xpath : {"/ftyp", "/mfra", "/free", "/skip"}) {
    exclusions.push_back(Value::map({{"xpath", xpath}}));
  }
  return Value::map({{"exclusions", Value::array(std::move(exclusions))},
                     {"alg", "sha256"},
                     {"hash", Value::bytes(hash)},
                     {"name", "jumbf manifest"}});
}

Result<Digest> hash(std::span<const std::uint8_t> file, const cbor::Value& assertion) {
  if (!assertion.is_map()) return fail(hash_malformed("not a map"));
  if (const auto* alg = assertion.find("alg");
      alg && (!alg->is_text() || alg->text() != "sha256")) {
    return fail(Error::invalid("c2pa_bmff_hash_unsupported",
                               "c2pa.hash.bmff: only sha256 is supported here"));
  }
  if (assertion.find("merkle")) {
    return fail(Error::invalid("c2pa_bmff_hash_unsupported",
                               "c2pa.hash.bmff: Merkle trees are not supported here"));
  }
  const auto* exclusions = assertion.find("exclusions");
  if (!exclusions) return fail(hash_malformed("no exclusions"));
  ATELIER_TRY_ASSIGN(auto top, top_level_boxes(file));
  ATELIER_TRY_ASSIGN(Excluded ex, exclusions_of(file, top, *exclusions));
  const std::vector<ByteRange> in = included(std::move(ex.ranges), file.size());
  // As c2pa-rs: an offset is hashed where its box starts inside the hashed bytes, or (its box
  // start excluded by a subset) where it falls between the first and last hashed byte.
  const std::uint64_t first = in.empty() ? 0 : in.front().start;
  const std::uint64_t last = in.empty() ? file.size() - 1 : in.back().start + in.back().length - 1;
  Sha256 h;
  auto offset = ex.offsets_hashed.begin();
  for (const auto& range : in) {
    for (; offset != ex.offsets_hashed.end() && *offset < range.start; ++offset) {
      if (*offset > first && *offset < last) put_offset(h, *offset);
    }
    std::uint64_t p = range.start;
    const std::uint64_t end = range.start + range.length;
    for (; offset != ex.offsets_hashed.end() && *offset < end; ++offset) {
      h.update(file.subspan(static_cast<std::size_t>(p), static_cast<std::size_t>(*offset - p)));
      put_offset(h, *offset);
      p = *offset;
    }
    h.update(file.subspan(static_cast<std::size_t>(p), static_cast<std::size_t>(end - p)));
  }
  return h.finish();
}

}  // namespace atelier::c2pa::bmff
