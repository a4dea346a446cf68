// jumbf.h — JUMBF boxes (ISO/IEC 19566-5), the container of a C2PA manifest store.
//
// A superbox (`jumb`) starts with a description box (`jumd`: a 16-byte type UUID, toggles, an
// optional null-terminated label, id, signature, private box) and holds child boxes; a content
// box (`cbor`, `json`, `bidb`, …) holds bytes. Boxes are ISO BMFF boxes: a 32-bit big-endian
// size including the 8-byte header (1: a 64-bit size follows the type; 0: to the end), then a
// four-character type.
//
//   Box store = Box::super(kUuidStore, "c2pa", {manifest});
//   Bytes bytes = store.write();
//   Result<Box> back = Box::parse(bytes);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::c2pa::jumbf {

using Bytes = std::vector<std::uint8_t>;
using Uuid = std::array<std::uint8_t, 16>;

// A C2PA type: four ASCII characters followed by 0011-0010-8000-00AA00389B71.
constexpr Uuid c2pa_uuid(const char (&fourcc)[5]) {
  return {static_cast<std::uint8_t>(fourcc[0]), static_cast<std::uint8_t>(fourcc[1]),
          static_cast<std::uint8_t>(fourcc[2]), static_cast<std::uint8_t>(fourcc[3]),
          0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
}

inline constexpr Uuid kUuidStore = c2pa_uuid("c2pa");           // the manifest store
inline constexpr Uuid kUuidManifest = c2pa_uuid("c2ma");        // a standard manifest
inline constexpr Uuid kUuidUpdateManifest = c2pa_uuid("c2um");  // an update manifest
inline constexpr Uuid kUuidAssertionStore = c2pa_uuid("c2as");
inline constexpr Uuid kUuidClaim = c2pa_uuid("c2cl");
inline constexpr Uuid kUuidSignature = c2pa_uuid("c2cs");
inline constexpr Uuid kUuidCbor = c2pa_uuid("cbor");            // a CBOR assertion
inline constexpr Uuid kUuidJson = c2pa_uuid("json");            // a JSON assertion

// Description-box toggles (ISO/IEC 19566-5 A.3).
inline constexpr std::uint8_t kToggleRequestable = 0x01;
inline constexpr std::uint8_t kToggleLabel = 0x02;
inline constexpr std::uint8_t kToggleId = 0x04;
inline constexpr std::uint8_t kToggleSignature = 0x08;
inline constexpr std::uint8_t kTogglePrivate = 0x10;

struct Box {
  std::array<char, 4> type{};  // "jumb" for a superbox, else the content box type
  // Superbox only: the description box and the children.
  Uuid uuid{};
  std::uint8_t toggles = kToggleRequestable | kToggleLabel;
  std::string label;
  std::optional<std::uint32_t> id;
  std::optional<std::array<std::uint8_t, 32>> signature;
  Bytes private_box;  // the whole private box (toggle 0x10), header included
  std::vector<Box> children;
  // Content box only.
  Bytes payload;
  // Set by parse() on a superbox: its contents exactly as read (what a hashed URI hashes,
  // whatever size encoding the writer chose).
  Bytes raw_contents;

  static Box super(const Uuid& uuid, std::string label, std::vector<Box> children);
  static Box content(const char (&type)[5], Bytes payload);

  bool is_super() const { return type == std::array<char, 4>{'j', 'u', 'm', 'b'}; }
  std::string type_string() const { return std::string(type.data(), 4); }
  // The first child superbox labelled `label`, or nullptr.
  const Box* child(std::string_view label) const;
  // The first content child of `type` ("cbor"), or nullptr.
  const Box* content_child(std::string_view type) const;

  // The whole box: header and contents.
  Bytes write() const;
  // The box without its own 8-byte header (a superbox's description box and children): what a
  // C2PA hashed URI to this box hashes.
  Bytes write_contents() const;
  // The contents as read when parsed, else as written.
  Bytes contents() const { return raw_contents.empty() ? write_contents() : raw_contents; }

  // Parses exactly one box filling `data`. A superbox must begin with its description box;
  // sizes past their parent, truncated headers and nesting deeper than 16 are errors
  // ("jumbf_malformed", naming the offset).
  static Result<Box> parse(std::span<const std::uint8_t> data);
};

// The uuid as 32 uppercase hex digits (how JUMBF types are shown).
std::string uuid_hex(const Uuid& uuid);

}  // namespace atelier::c2pa::jumbf
