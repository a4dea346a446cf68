// jumbf.cc — JUMBF box writing and bounded parsing (see jumbf.h).
#include "c2pa/jumbf.h"

#include <algorithm>
#include <cstring>

#include "c2pa/internal/bytes.h"

namespace atelier::c2pa::jumbf {
namespace {

constexpr std::size_t kDepthMax = 16;
constexpr std::size_t kLabelBytesMax = 1024;

std::array<char, 4> fourcc(const char (&t)[5]) { return {t[0], t[1], t[2], t[3]}; }

void put_box(Bytes& out, std::array<char, 4> type, std::span<const std::uint8_t> contents) {
  const std::uint64_t size = 8 + contents.size();
  if (size > 0xffffffffu) {
    internal::put_be32(out, 1);
    out.insert(out.end(), type.begin(), type.end());
    internal::put_be64(out, size + 8);
  } else {
    internal::put_be32(out, static_cast<std::uint32_t>(size));
    out.insert(out.end(), type.begin(), type.end());
  }
  out.insert(out.end(), contents.begin(), contents.end());
}

Bytes description(const Box& b) {
  Bytes d(b.uuid.begin(), b.uuid.end());
  std::uint8_t toggles = b.toggles;
  if (!b.label.empty()) toggles |= kToggleLabel;
  if (b.id) toggles |= kToggleId;
  if (b.signature) toggles |= kToggleSignature;
  if (!b.private_box.empty()) toggles |= kTogglePrivate;
  d.push_back(toggles);
  if (toggles & kToggleLabel) {
    d.insert(d.end(), b.label.begin(), b.label.end());
    d.push_back(0);
  }
  if (b.id) internal::put_be32(d, *b.id);
  if (b.signature) d.insert(d.end(), b.signature->begin(), b.signature->end());
  d.insert(d.end(), b.private_box.begin(), b.private_box.end());
  return d;
}

struct Parser {
  std::span<const std::uint8_t> all;

  Error malformed(std::size_t at, const std::string& why) const {
    return Error::invalid("jumbf_malformed",
                          "JUMBF box at byte " + std::to_string(at) + ": " + why);
  }

  // One box at [at, end): header, then contents up to its size.
  Result<Box> box(std::size_t at, std::size_t end, std::size_t depth, std::size_t* next) const {
    if (depth > kDepthMax) return fail(malformed(at, "nested deeper than 16"));
    if (end - at < 8) return fail(malformed(at, "truncated header"));
    std::uint64_t size = internal::be32(all.data() + at);
    Box b;
    std::memcpy(b.type.data(), all.data() + at + 4, 4);
    std::size_t header = 8;
    if (size == 1) {
      if (end - at < 16) return fail(malformed(at, "truncated 64-bit size"));
      size = internal::be64(all.data() + at + 8);
      header = 16;
    } else if (size == 0) {
      size = end - at;
    }
    if (size < header) return fail(malformed(at, "size smaller than its header"));
    if (size > end - at) {
      return fail(malformed(at, "size " + std::to_string(size) + " runs past its parent (" +
                                    std::to_string(end - at) + " bytes left)"));
    }
    *next = at + static_cast<std::size_t>(size);
    const std::size_t body = at + header;
    const std::size_t stop = *next;
    if (!b.is_super()) {
      b.payload.assign(all.begin() + static_cast<std::ptrdiff_t>(body),
                       all.begin() + static_cast<std::ptrdiff_t>(stop));
      return b;
    }
    b.raw_contents.assign(all.begin() + static_cast<std::ptrdiff_t>(body),
                          all.begin() + static_cast<std::ptrdiff_t>(stop));
    // The description box comes first.
    std::size_t after = 0;
    if (stop - body < 8 || std::memcmp(all.data() + body + 4, "jumd", 4) != 0) {
      return fail(malformed(body, "a superbox does not begin with its description box"));
    }
    ATELIER_TRY_ASSIGN(Box d, box(body, stop, depth + 1, &after));
    ATELIER_TRY(read_description(body, d.payload, &b));
    for (std::size_t p = after; p < stop;) {
      std::size_t q = 0;
      ATELIER_TRY_ASSIGN(Box child, box(p, stop, depth + 1, &q));
      b.children.push_back(std::move(child));
      p = q;
    }
    return b;
  }

  Result<void> read_description(std::size_t at, const Bytes& d, Box* b) const {
    if (d.size() < 17) return fail(malformed(at, "description box shorter than 17 bytes"));
    std::copy_n(d.begin(), 16, b->uuid.begin());
    b->toggles = d[16];
    std::size_t p = 17;
    if (b->toggles & kToggleLabel) {
      auto nul = std::find(d.begin() + 17, d.end(), 0);
      if (nul == d.end()) return fail(malformed(at, "label without its terminating NUL"));
      const auto len = static_cast<std::size_t>(nul - (d.begin() + 17));
      if (len > kLabelBytesMax) return fail(malformed(at, "label longer than 1024 bytes"));
      b->label.assign(d.begin() + 17, nul);
      p = 17 + len + 1;
    }
    if (b->toggles & kToggleId) {
      if (d.size() - p < 4) return fail(malformed(at, "truncated box id"));
      b->id = internal::be32(d.data() + p);
      p += 4;
    }
    if (b->toggles & kToggleSignature) {
      if (d.size() - p < 32) return fail(malformed(at, "truncated description signature"));
      std::array<std::uint8_t, 32> sig{};
      std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(p), 32, sig.begin());
      b->signature = sig;
      p += 32;
    }
    if (b->toggles & kTogglePrivate) {
      b->private_box.assign(d.begin() + static_cast<std::ptrdiff_t>(p), d.end());
    } else if (p != d.size()) {
      return fail(malformed(at, "bytes after the description box's fields"));
    }
    return {};
  }
};

}  // namespace

Box Box::super(const Uuid& uuid, std::string label, std::vector<Box> children) {
  Box b;
  b.type = fourcc("jumb");
  b.uuid = uuid;
  b.label = std::move(label);
  b.children = std::move(children);
  return b;
}

Box Box::content(const char (&type)[5], Bytes payload) {
  Box b;
  b.type = fourcc(type);
  b.payload = std::move(payload);
  return b;
}

const Box* Box::child(std::string_view label) const {
  for (const auto& c : children) {
    if (c.is_super() && c.label == label) return &c;
  }
  return nullptr;
}

const Box* Box::content_child(std::string_view type) const {
  for (const auto& c : children) {
    if (!c.is_super() && c.type_string() == type) return &c;
  }
  return nullptr;
}

Bytes Box::write_contents() const {
  if (!is_super()) return payload;
  Bytes out;
  put_box(out, fourcc("jumd"), description(*this));
  for (const auto& c : children) {
    Bytes child = c.write();
    out.insert(out.end(), child.begin(), child.end());
  }
  return out;
}

Bytes Box::write() const {
  Bytes out;
  put_box(out, type, write_contents());
  return out;
}

Result<Box> Box::parse(std::span<const std::uint8_t> data) {
  Parser p{data};
  std::size_t next = 0;
  ATELIER_TRY_ASSIGN(Box b, p.box(0, data.size(), 0, &next));
  if (next != data.size()) {
    return fail(p.malformed(next, "bytes after the box"));
  }
  return b;
}

std::string uuid_hex(const Uuid& uuid) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (auto byte : uuid) {
    s.push_back(kHex[byte >> 4]);
    s.push_back(kHex[byte & 15]);
  }
  return s;
}

}  // namespace atelier::c2pa::jumbf
