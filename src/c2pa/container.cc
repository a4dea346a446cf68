// container.cc — manifest stores in PNG chunks, JPEG APP11 segments, WebP RIFF chunks and
// AVIF (BMFF) `uuid` boxes (see container.h).
#include "c2pa/container.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "c2pa/bmff.h"
#include "c2pa/internal/bytes.h"

namespace atelier::c2pa {
namespace {

using internal::be16;
using internal::be32;

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

Error malformed(std::string_view mime, std::size_t at, const std::string& why) {
  return Error::invalid("c2pa_container_malformed",
                        std::string(mime) + " at byte " + std::to_string(at) + ": " + why);
}

// ---- PNG ------------------------------------------------------------------------------------

struct PngChunk {
  std::size_t offset;  // of the length field
  std::uint32_t length;
  char type[5];
};

Result<std::vector<PngChunk>> png_chunks(std::span<const std::uint8_t> file) {
  if (file.size() < 8 || std::memcmp(file.data(), kPngSignature, 8) != 0) {
    return fail(malformed("image/png", 0, "no PNG signature"));
  }
  std::vector<PngChunk> chunks;
  std::size_t p = 8;
  while (p < file.size()) {
    if (file.size() - p < 12) return fail(malformed("image/png", p, "truncated chunk"));
    PngChunk c{};
    c.offset = p;
    c.length = be32(file.data() + p);
    std::memcpy(c.type, file.data() + p + 4, 4);
    c.type[4] = 0;
    if (c.length > 0x7fffffffu || c.length > file.size() - p - 12) {
      return fail(malformed("image/png", p, "chunk length " + std::to_string(c.length) +
                                                " runs past the end of the file"));
    }
    chunks.push_back(c);
    p += 12 + static_cast<std::size_t>(c.length);
    if (std::strcmp(c.type, "IEND") == 0) break;
  }
  if (chunks.empty() || std::strcmp(chunks.front().type, "IHDR") != 0) {
    return fail(malformed("image/png", 8, "the first chunk is not IHDR"));
  }
  return chunks;
}

Bytes png_chunk(const char* type, std::span<const std::uint8_t> data) {
  Bytes out;
  internal::put_be32(out, static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(type), 4);
  crc = crc32_z(crc, data.data(), data.size());
  internal::put_be32(out, static_cast<std::uint32_t>(crc));
  return out;
}

// ---- JPEG -----------------------------------------------------------------------------------
//
// A store too big for one segment is split: each APP11 segment is
//   FF EB | Lp (2) | CI "JP" (2) | En instance (2) | Z sequence (4, from 1) | LBox TBox (8) | data
// where LBox/TBox repeat the superbox header (its first 8 bytes) in every segment and the data
// continue the superbox after its header. Lp counts itself and everything after it.
constexpr std::size_t kApp11PayloadMax = 64000;  // data bytes per segment, after the 16-byte prefix
constexpr std::uint16_t kC2paInstance = 1;

struct JpegSegment {
  std::size_t offset;  // of the FF marker
  std::uint8_t marker;
  std::size_t length;  // Lp (0 for markers without a length)
};

bool standalone(std::uint8_t m) { return m == 0x01 || (m >= 0xd0 && m <= 0xd8); }

// The segments before the scan (SOS), and the SOS offset.
Result<std::vector<JpegSegment>> jpeg_segments(std::span<const std::uint8_t> file,
                                               std::size_t* sos) {
  if (file.size() < 4 || file[0] != 0xff || file[1] != 0xd8) {
    return fail(malformed("image/jpeg", 0, "no SOI marker"));
  }
  std::vector<JpegSegment> segs;
  std::size_t p = 2;
  for (;;) {
    if (file.size() - p < 2) return fail(malformed("image/jpeg", p, "truncated before the scan"));
    if (file[p] != 0xff) return fail(malformed("image/jpeg", p, "expected a marker"));
    std::uint8_t m = file[p + 1];
    if (m == 0xff) {  // fill byte
      ++p;
      continue;
    }
    if (standalone(m)) {
      segs.push_back({p, m, 0});
      p += 2;
      continue;
    }
    if (file.size() - p < 4) return fail(malformed("image/jpeg", p, "truncated segment length"));
    const std::size_t len = be16(file.data() + p + 2);
    if (len < 2 || len > file.size() - p - 2) {
      return fail(malformed("image/jpeg", p, "segment length " + std::to_string(len) +
                                                 " runs past the end of the file"));
    }
    if (m == 0xda) {
      *sos = p;
      return segs;
    }
    segs.push_back({p, m, len});
    p += 2 + len;
  }
}

bool is_c2pa_app11(std::span<const std::uint8_t> file, const JpegSegment& s) {
  if (s.marker != 0xeb || s.length < 2 + 2 + 2 + 4 + 8) return false;
  const std::uint8_t* d = file.data() + s.offset + 4;
  return d[0] == 'J' && d[1] == 'P' && std::memcmp(d + 12, "jumb", 4) == 0;
}

// ---- WebP (RIFF) ----------------------------------------------------------------------------
//
// "RIFF" | size (LE32: the bytes after it) | "WEBP" | chunks: fourcc | size (LE32) | data | a
// pad byte when size is odd. The store is a "C2PA" chunk at the end (where c2pa-rs puts it);
// the RIFF size grows with it, and shrinks back when it is stripped.
struct RiffChunk {
  std::size_t offset;
  std::uint32_t size;
  char id[5];
  std::size_t total() const { return 8 + static_cast<std::size_t>(size) + (size & 1); }
};

Result<std::vector<RiffChunk>> riff_chunks(std::span<const std::uint8_t> file) {
  if (file.size() < 12 || std::memcmp(file.data(), "RIFF", 4) != 0 ||
      std::memcmp(file.data() + 8, "WEBP", 4) != 0) {
    return fail(malformed("image/webp", 0, "no RIFF/WEBP header"));
  }
  const std::uint64_t riff_size = internal::le32(file.data() + 4);
  if (riff_size + 8 != file.size()) {
    return fail(malformed("image/webp", 4,
                          "RIFF size " + std::to_string(riff_size) + " does not match the file (" +
                              std::to_string(file.size()) + " bytes)"));
  }
  std::vector<RiffChunk> chunks;
  for (std::size_t p = 12; p < file.size();) {
    if (file.size() - p < 8) return fail(malformed("image/webp", p, "truncated chunk header"));
    RiffChunk c{};
    c.offset = p;
    c.size = internal::le32(file.data() + p + 4);
    std::memcpy(c.id, file.data() + p, 4);
    c.id[4] = 0;
    if (c.total() > file.size() - p) {
      return fail(
          malformed("image/webp", p,
                    "chunk size " + std::to_string(c.size) + " runs past the end of the file"));
    }
    chunks.push_back(c);
    p += c.total();
  }
  return chunks;
}

void set_riff_size(Bytes& file) {
  const auto size = static_cast<std::uint32_t>(file.size() - 8);
  for (int i = 0; i < 4; ++i) file[4 + i] = static_cast<std::uint8_t>(size >> (8 * i));
}

// ---- AVIF (BMFF) ----------------------------------------------------------------------------
//
// The store is a C2PA `uuid` box with purpose "manifest" right after `ftyp` (where the spec
// puts it, before any `mdat` or `moov`, and where c2pa-rs does). Inserting it moves the item
// data that `iloc` addresses by absolute file offset, so those offsets are moved with it, and
// moved back when it is stripped (bmff::relocate_offsets).
constexpr std::string_view kAvif = "image/avif";

// An `ftyp` whose major or compatible brands include "avif" (still) or "avis" (sequence).
bool is_avif(std::span<const std::uint8_t> file) {
  if (file.size() < 16 || std::memcmp(file.data() + 4, "ftyp", 4) != 0) return false;
  const std::size_t size = std::min<std::size_t>(be32(file.data()), file.size());
  // The major brand at 8, minor_version at 12 (skipped), compatible brands from 16.
  for (std::size_t p = 8; p + 4 <= size; p += p == 8 ? 8 : 4) {
    if (std::memcmp(file.data() + p, "avif", 4) == 0) return true;
    if (std::memcmp(file.data() + p, "avis", 4) == 0) return true;
  }
  return false;
}

Result<std::optional<Found>> find_in_bmff(std::span<const std::uint8_t> file) {
  ATELIER_TRY_ASSIGN(auto boxes, bmff::top_level_boxes(file));
  std::optional<Found> found;
  for (const auto& b : boxes) {
    ATELIER_TRY_ASSIGN(auto c2pa, bmff::read_c2pa_box(file, b));
    if (!c2pa) continue;
    if (c2pa->purpose == "original" || c2pa->purpose == "update") {
      return fail(Error::invalid("c2pa_format_unsupported",
                                 "image/avif holds an update manifest (C2PA uuid box purpose " +
                                     c2pa->purpose + "), which atelier does not read yet"));
    }
    if (c2pa->purpose != "manifest") continue;  // auxiliary boxes (merkle) are not the store
    if (found) return fail(malformed(kAvif, b.offset, "more than one C2PA manifest uuid box"));
    found = Found{};
    const auto* data = file.data() + c2pa->data_offset;
    found->store.assign(data, data + c2pa->data_size);
    found->ranges.push_back({b.offset, b.size});
  }
  return found;
}

Result<Embedded> embed_in_bmff(std::span<const std::uint8_t> file,
                               std::span<const std::uint8_t> store) {
  ATELIER_TRY_ASSIGN(auto boxes, bmff::top_level_boxes(file));
  ATELIER_TRY_ASSIGN(const Bytes box, bmff::manifest_box(store));
  const auto at = static_cast<std::size_t>(boxes.front().end());  // after ftyp
  Embedded e;
  e.file.assign(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(at));
  e.file.insert(e.file.end(), box.begin(), box.end());
  e.file.insert(e.file.end(), file.begin() + static_cast<std::ptrdiff_t>(at), file.end());
  ATELIER_TRY(bmff::relocate_offsets(e.file, at, box.size(), bmff::Move::kInserted));
  e.exclusions.push_back({at, box.size()});
  return e;
}

}  // namespace

bool embeddable(std::string_view mime) {
  return mime == "image/png" || mime == "image/jpeg" || mime == "image/webp" || mime == kAvif;
}

bool uses_bmff_hash(std::string_view mime) { return mime == kAvif; }

std::string_view sniff_mime(std::span<const std::uint8_t> file) {
  if (file.size() >= 8 && std::memcmp(file.data(), kPngSignature, 8) == 0) return "image/png";
  if (file.size() >= 3 && file[0] == 0xff && file[1] == 0xd8 && file[2] == 0xff)
    return "image/jpeg";
  if (file.size() >= 12 && std::memcmp(file.data(), "RIFF", 4) == 0 &&
      std::memcmp(file.data() + 8, "WEBP", 4) == 0) {
    return "image/webp";
  }
  if (is_avif(file)) return kAvif;
  return "";
}

Result<Bytes> strip_manifest(std::string_view mime, std::span<const std::uint8_t> file) {
  ATELIER_TRY_ASSIGN(auto found, find_manifest(mime, file));
  if (!found) return Bytes(file.begin(), file.end());
  Bytes out;
  std::size_t p = 0;
  for (const auto& r : found->ranges) {
    out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(p),
               file.begin() + static_cast<std::ptrdiff_t>(r.start));
    p = static_cast<std::size_t>(r.start + r.length);
  }
  out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(p), file.end());
  if (mime == "image/webp") set_riff_size(out);
  if (mime == kAvif) {
    const ByteRange& r = found->ranges.front();
    ATELIER_TRY(bmff::relocate_offsets(out, r.start, r.length, bmff::Move::kRemoved));
  }
  return out;
}

Result<Embedded> embed_manifest(std::string_view mime, std::span<const std::uint8_t> file,
                                std::span<const std::uint8_t> store) {
  ATELIER_TRY_ASSIGN(auto existing, find_manifest(mime, file));
  if (existing) {
    return fail(
        Error::invalid("c2pa_manifest_present",
                       std::string(mime) + " already holds a manifest store; strip it first"));
  }
  Embedded e;
  if (mime == "image/png") {
    ATELIER_TRY_ASSIGN(auto chunks, png_chunks(file));
    if (store.size() > 0x7fffffffu)
      return fail(Error::invalid("c2pa_manifest_too_large", "manifest too large"));
    const std::size_t at = chunks.front().offset + 12 + chunks.front().length;  // after IHDR
    const Bytes chunk = png_chunk("caBX", store);
    e.file.assign(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(at));
    e.file.insert(e.file.end(), chunk.begin(), chunk.end());
    e.file.insert(e.file.end(), file.begin() + static_cast<std::ptrdiff_t>(at), file.end());
    e.exclusions.push_back({at, chunk.size()});
    return e;
  }
  if (mime == "image/jpeg") {
    std::size_t sos = 0;
    ATELIER_TRY_ASSIGN(auto segs, jpeg_segments(file, &sos));
    if (store.size() < 8)
      return fail(Error::internal("c2pa_manifest_malformed", "store too short"));
    // After SOI and any APP0/APP1 (JFIF, Exif) that readers expect first.
    std::size_t at = 2;
    for (const auto& s : segs) {
      if (s.marker == 0xe0 || s.marker == 0xe1) at = s.offset + 2 + s.length;
      else break;
    }
    const std::span<const std::uint8_t> header = store.first(8);
    const std::span<const std::uint8_t> body = store.subspan(8);
    Bytes segments;
    std::uint32_t z = 1;
    for (std::size_t off = 0; off < body.size() || z == 1; off += kApp11PayloadMax, ++z) {
      const std::size_t n = std::min(kApp11PayloadMax, body.size() - off);
      segments.push_back(0xff);
      segments.push_back(0xeb);
      internal::put_be16(segments, static_cast<std::uint16_t>(2 + 2 + 2 + 4 + 8 + n));
      segments.push_back('J');
      segments.push_back('P');
      internal::put_be16(segments, kC2paInstance);
      internal::put_be32(segments, z);
      segments.insert(segments.end(), header.begin(), header.end());
      segments.insert(segments.end(), body.begin() + static_cast<std::ptrdiff_t>(off),
                      body.begin() + static_cast<std::ptrdiff_t>(off + n));
      if (off + n >= body.size()) break;
    }
    e.file.assign(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(at));
    e.file.insert(e.file.end(), segments.begin(), segments.end());
    e.file.insert(e.file.end(), file.begin() + static_cast<std::ptrdiff_t>(at), file.end());
    e.exclusions.push_back({at, segments.size()});
    return e;
  }
  if (mime == "image/webp") {
    ATELIER_TRY(riff_chunks(file));
    if (store.size() > 0xfffffff0u)
      return fail(Error::invalid("c2pa_manifest_too_large", "manifest too large"));
    Bytes chunk = {'C', '2', 'P', 'A'};
    internal::put_le32(chunk, static_cast<std::uint32_t>(store.size()));
    chunk.insert(chunk.end(), store.begin(), store.end());
    if (store.size() & 1) chunk.push_back(0);
    e.file.assign(file.begin(), file.end());
    // The chunk's header and data; a pad byte after odd-sized data is hashed (as c2pa-rs
    // locates the manifest).
    e.exclusions.push_back({e.file.size(), 8 + store.size()});
    e.file.insert(e.file.end(), chunk.begin(), chunk.end());
    set_riff_size(e.file);
    return e;
  }
  if (mime == kAvif) return embed_in_bmff(file, store);
  return fail(Error::invalid("c2pa_format_unsupported",
                             "atelier cannot embed Content Credentials in " + std::string(mime)));
}

Result<std::optional<Found>> find_manifest(std::string_view mime,
                                           std::span<const std::uint8_t> file) {
  if (mime == "image/png") {
    ATELIER_TRY_ASSIGN(auto chunks, png_chunks(file));
    std::optional<Found> found;
    for (const auto& c : chunks) {
      if (std::strcmp(c.type, "caBX") != 0) continue;
      if (found) return fail(malformed(mime, c.offset, "more than one caBX chunk"));
      found = Found{};
      const auto* data = file.data() + c.offset + 8;
      found->store.assign(data, data + c.length);
      found->ranges.push_back({c.offset, 12ull + c.length});
    }
    return found;
  }
  if (mime == "image/jpeg") {
    std::size_t sos = 0;
    ATELIER_TRY_ASSIGN(auto segs, jpeg_segments(file, &sos));
    std::optional<Found> found;
    std::uint32_t expect = 1;
    for (const auto& s : segs) {
      if (!is_c2pa_app11(file, s)) continue;
      const std::uint8_t* d = file.data() + s.offset + 4;
      const std::uint16_t instance = be16(d + 2);
      const std::uint32_t z = be32(d + 4);
      if (instance != kC2paInstance) continue;
      if (z != expect) {
        return fail(malformed(mime, s.offset,
                              "APP11 sequence number " + std::to_string(z) + " where " +
                                  std::to_string(expect) + " was expected"));
      }
      if (!found) {
        found = Found{};
        found->store.assign(d + 8, d + 16);  // the superbox header, once
      } else if (std::memcmp(found->store.data(), d + 8, 8) != 0) {
        return fail(malformed(mime, s.offset, "APP11 segments repeat different box headers"));
      }
      found->store.insert(found->store.end(), d + 16, file.data() + s.offset + 2 + s.length);
      if (!found->ranges.empty() &&
          found->ranges.back().start + found->ranges.back().length == s.offset) {
        found->ranges.back().length += 2 + s.length;
      } else {
        found->ranges.push_back({s.offset, 2 + s.length});
      }
      ++expect;
    }
    return found;
  }
  if (mime == "image/webp") {
    ATELIER_TRY_ASSIGN(auto chunks, riff_chunks(file));
    std::optional<Found> found;
    for (const auto& c : chunks) {
      if (std::strcmp(c.id, "C2PA") != 0) continue;
      if (found) return fail(malformed(mime, c.offset, "more than one C2PA chunk"));
      found = Found{};
      const auto* data = file.data() + c.offset + 8;
      found->store.assign(data, data + c.size);
      found->ranges.push_back({c.offset, c.total()});
    }
    return found;
  }
  if (mime == kAvif) return find_in_bmff(file);
  return fail(Error::invalid("c2pa_format_unsupported",
                             "atelier cannot read Content Credentials in " + std::string(mime)));
}

}  // namespace atelier::c2pa
