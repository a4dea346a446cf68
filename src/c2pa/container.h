// container.h — where a manifest store lives inside each image format (C2PA 2.x, "Embedding
// manifests into assets"), and which bytes the hard binding leaves out.
//
//   PNG   a `caBX` chunk after IHDR, before IDAT; excluded: the whole chunk (length, type,
//         data, CRC).
//   JPEG  APP11 segments in the JPEG XT layout (see container.cc), contiguous, before the
//         scan; excluded: every one of those segments, marker and length included.
//   WebP  a "C2PA" RIFF chunk at the end (where c2pa-rs puts it); excluded: its header and
//         data (the pad byte after odd-sized data is not).
//         The RIFF size field grows with it; stripping shrinks it back.
//   AVIF  a C2PA `uuid` box (purpose "manifest") right after `ftyp` (bmff.h); the `iloc`
//         offsets of the item data behind it move with it, and move back when it is
//         stripped. The hard binding is c2pa.hash.bmff.v3, which names the box by its uuid
//         rather than by a byte range; `exclusions` still gives the box's range.
//
//   auto embedded = embed_manifest("image/png", unsigned_png, store_bytes);
//   // embedded->file, embedded->exclusions
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::c2pa {

using Bytes = std::vector<std::uint8_t>;

struct ByteRange {
  std::uint64_t start = 0;
  std::uint64_t length = 0;
};

struct Embedded {
  Bytes file;
  std::vector<ByteRange> exclusions;  // what the data hash leaves out, in file order
};

// Whether atelier can embed a manifest in files of this media type.
bool embeddable(std::string_view mime);
// Whether files of this media type are BMFF, bound by c2pa.hash.bmff.v3 (not c2pa.hash.data).
bool uses_bmff_hash(std::string_view mime);
// The media type of `file` from its magic bytes ("image/png", "image/jpeg", …), or "".
std::string_view sniff_mime(std::span<const std::uint8_t> file);

// `file` with every manifest store removed (byte-identical to the file before embedding).
Result<Bytes> strip_manifest(std::string_view mime, std::span<const std::uint8_t> file);
// Inserts `store` (a whole `c2pa` JUMBF superbox) into a file that has none.
Result<Embedded> embed_manifest(std::string_view mime, std::span<const std::uint8_t> file,
                                std::span<const std::uint8_t> store);
// The manifest store in `file` (nullopt when there is none) and where it sits.
struct Found {
  Bytes store;
  std::vector<ByteRange> ranges;
};
Result<std::optional<Found>> find_manifest(std::string_view mime,
                                           std::span<const std::uint8_t> file);

}  // namespace atelier::c2pa
