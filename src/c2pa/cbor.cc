// cbor.cc — deterministic CBOR writing and bounded reading over libcbor (see cbor.h).
#include "c2pa/cbor.h"

#include <cbor.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

namespace atelier::c2pa::cbor {

Value Value::unsigned_int(std::uint64_t v) {
  Value x;
  x.type_ = Type::kUnsigned;
  x.number_ = v;
  return x;
}

Value Value::integer(std::int64_t v) {
  if (v >= 0) return unsigned_int(static_cast<std::uint64_t>(v));
  return negative(static_cast<std::uint64_t>(-(v + 1)));
}

Value Value::negative(std::uint64_t n) {
  Value x;
  x.type_ = Type::kNegative;
  x.number_ = n;
  return x;
}

Value Value::boolean(bool v) {
  Value x;
  x.type_ = Type::kBool;
  x.number_ = v ? 1 : 0;
  return x;
}

Value Value::undefined() {
  Value x;
  x.type_ = Type::kUndefined;
  return x;
}

Value Value::floating(double v) {
  Value x;
  x.type_ = Type::kFloat;
  x.float_ = v;
  return x;
}

Value Value::array(std::vector<Value> items) {
  Value x;
  x.type_ = Type::kArray;
  x.items_ = std::move(items);
  return x;
}

Value Value::map(std::vector<std::pair<Value, Value>> entries) {
  Value x;
  x.type_ = Type::kMap;
  x.entries_ = std::move(entries);
  return x;
}

Value Value::tag(std::uint64_t number, Value content) {
  Value x;
  x.type_ = Type::kTag;
  x.number_ = number;
  x.items_.push_back(std::move(content));
  return x;
}

bool Value::to_int64(std::int64_t* out) const {
  if (type_ == Type::kUnsigned && number_ <= static_cast<std::uint64_t>(INT64_MAX)) {
    *out = static_cast<std::int64_t>(number_);
    return true;
  }
  if (type_ == Type::kNegative && number_ <= static_cast<std::uint64_t>(INT64_MAX)) {
    *out = -1 - static_cast<std::int64_t>(number_);
    return true;
  }
  return false;
}

const Value* Value::find(std::string_view key) const {
  if (type_ != Type::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    if (k.type_ == Type::kText && k.text_ == key) return &v;
  }
  return nullptr;
}

const Value* Value::find_int(std::int64_t key) const {
  if (type_ != Type::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    std::int64_t n = 0;
    if (k.to_int64(&n) && n == key) return &v;
  }
  return nullptr;
}

Value& Value::set(std::string_view key, Value v) {
  for (auto& [k, existing] : entries_) {
    if (k.type_ == Type::kText && k.text_ == key) {
      existing = std::move(v);
      return existing;
    }
  }
  entries_.emplace_back(Value(key), std::move(v));
  return entries_.back().second;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Value::Type::kFloat:
      return std::bit_cast<std::uint64_t>(a.float_) == std::bit_cast<std::uint64_t>(b.float_);
    case Value::Type::kText:
      return a.text_ == b.text_;
    case Value::Type::kBytes:
      return a.bytes_ == b.bytes_;
    case Value::Type::kArray:
      return a.items_ == b.items_;
    case Value::Type::kMap:
      return a.entries_ == b.entries_;
    case Value::Type::kTag:
      return a.number_ == b.number_ && a.items_ == b.items_;
    default:
      return a.number_ == b.number_;
  }
}

namespace {

// Bytewise lexicographic order (RFC 8949 §4.2.1 sorts map keys so). Written out because
// g++ 12 at -O3 warns (-Wstringop-overread, a false positive) inside std::vector's operator<.
struct BytesLess {
  bool operator()(const Bytes& a, const Bytes& b) const {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return a[i] < b[i];
    }
    return a.size() < b.size();
  }
};


// Appends one libcbor encoder call's output (at most 9 bytes for a head).
template <typename F>
void put(Bytes& out, F&& encoder) {
  unsigned char head[16];
  const std::size_t n = encoder(head, sizeof head);
  out.insert(out.end(), head, head + n);
}

// The half-precision bits of `f` when it converts exactly, nullopt otherwise.
std::optional<std::uint16_t> exact_half(float f) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (bits >> 16) & 0x8000u;
  const int exponent = static_cast<int>((bits >> 23) & 0xff);
  const std::uint32_t mantissa = bits & 0x7fffffu;
  if (exponent == 0xff) {  // Infinity; NaN only in its canonical quiet form.
    if (mantissa == 0) return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (mantissa == 0x400000u) return static_cast<std::uint16_t>(sign | 0x7e00u);
    return std::nullopt;
  }
  if (exponent == 0 && mantissa == 0) return static_cast<std::uint16_t>(sign);
  const int e = exponent - 127;
  if (e >= -14 && e <= 15) {  // Normal half: 10 mantissa bits.
    if ((mantissa & 0x1fffu) != 0) return std::nullopt;
    return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(e + 15) << 10) |
                                      (mantissa >> 13));
  }
  if (e >= -24 && e < -14) {  // Subnormal half.
    const std::uint32_t full = mantissa | 0x800000u;
    const int shift = 13 + (-14 - e);
    if ((full & ((1u << shift) - 1)) != 0) return std::nullopt;
    return static_cast<std::uint16_t>(sign | (full >> shift));
  }
  return std::nullopt;
}

void encode_into(const Value& v, Bytes& out) {
  switch (v.type()) {
    case Value::Type::kUnsigned:
      put(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_uint(v.number(), b, n); });
      return;
    case Value::Type::kNegative:
      put(out,
          [&](unsigned char* b, std::size_t n) { return cbor_encode_negint(v.number(), b, n); });
      return;
    case Value::Type::kBytes:
      put(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_bytestring_start(v.bytes().size(), b, n);
      });
      out.insert(out.end(), v.bytes().begin(), v.bytes().end());
      return;
    case Value::Type::kText:
      put(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_string_start(v.text().size(), b, n);
      });
      out.insert(out.end(), v.text().begin(), v.text().end());
      return;
    case Value::Type::kArray:
      put(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_array_start(v.items().size(), b, n);
      });
      for (const auto& item : v.items()) encode_into(item, out);
      return;
    case Value::Type::kMap: {
      std::vector<std::pair<Bytes, const Value*>> entries;
      entries.reserve(v.entries().size());
      for (const auto& [key, value] : v.entries()) entries.emplace_back(encode(key), &value);
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return BytesLess{}(a.first, b.first); });
      put(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_map_start(entries.size(), b, n);
      });
      for (const auto& [key, value] : entries) {
        out.insert(out.end(), key.begin(), key.end());
        encode_into(*value, out);
      }
      return;
    }
    case Value::Type::kTag:
      put(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_tag(v.number(), b, n); });
      encode_into(v.items().front(), out);
      return;
    case Value::Type::kBool:
      put(out,
          [&](unsigned char* b, std::size_t n) { return cbor_encode_bool(v.as_bool(), b, n); });
      return;
    case Value::Type::kNull:
      put(out, [](unsigned char* b, std::size_t n) { return cbor_encode_null(b, n); });
      return;
    case Value::Type::kUndefined:
      put(out, [](unsigned char* b, std::size_t n) { return cbor_encode_undef(b, n); });
      return;
    case Value::Type::kFloat: {
      const double d = v.as_double();
      const float f = static_cast<float>(d);
      const bool fits_single = std::isnan(d) || static_cast<double>(f) == d;
      if (fits_single) {
        if (auto half = exact_half(std::isnan(d) ? std::numeric_limits<float>::quiet_NaN() : f)) {
          out.push_back(0xf9);
          out.push_back(static_cast<std::uint8_t>(*half >> 8));
          out.push_back(static_cast<std::uint8_t>(*half & 0xff));
          return;
        }
        put(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_single(f, b, n); });
        return;
      }
      put(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_double(d, b, n); });
      return;
    }
  }
}

// The tree under construction while libcbor's streaming decoder reports items one by one.
struct Frame {
  Value value;                 // kArray, kMap, kTag, or kBytes/kText for an indefinite string
  std::uint64_t remaining = 0; // items (array), keys + values (map), 1 (tag)
  bool indefinite = false;
  std::optional<Value> key;    // a map key waiting for its value
  // The deterministic encodings of the map's keys so far: two keys are the same key when
  // they encode alike (NaNs with different payloads, a chunked and a plain string), and
  // looking one up is O(log n), not a scan of the map.
  std::set<Bytes, BytesLess> key_encodings;
};

struct Builder {
  const DecodeLimits* limits = nullptr;
  std::size_t bytes_left = 0;  // bytes after the item being reported
  std::vector<Frame> stack;
  std::optional<Value> result;
  std::size_t items = 0;
  std::string error_code;
  std::string error;

  void fail_with(std::string code, std::string message) {
    if (error.empty()) {
      error_code = std::move(code);
      error = std::move(message);
    }
  }

  bool count_item() {
    if (++items > limits->items_max) {
      fail_with("cbor_too_large", "more than " + std::to_string(limits->items_max) + " items");
      return false;
    }
    return true;
  }

  // Places a finished item into the innermost open container, closing containers that fill.
  void complete(Value v) {
    if (!error.empty()) return;
    for (;;) {
      if (stack.empty()) {
        if (result) {
          fail_with("cbor_malformed", "more than one item");
          return;
        }
        result = std::move(v);
        return;
      }
      Frame& top = stack.back();
      if (top.value.type() == Value::Type::kBytes || top.value.type() == Value::Type::kText) {
        if (v.type() != top.value.type()) {
          fail_with("cbor_malformed", "an indefinite string holds a chunk of another type");
          return;
        }
        if (v.type() == Value::Type::kBytes) {
          Bytes joined = top.value.bytes();
          joined.insert(joined.end(), v.bytes().begin(), v.bytes().end());
          top.value = Value(std::move(joined));
        } else {
          top.value = Value(top.value.text() + v.text());
        }
        return;
      }
      if (top.value.type() == Value::Type::kMap) {
        if (!top.key) {
          if (!top.key_encodings.insert(encode(v)).second) {
            fail_with("cbor_malformed", "a map repeats a key");
            return;
          }
          top.key = std::move(v);
        } else {
          top.value.entries().emplace_back(std::move(*top.key), std::move(v));
          top.key.reset();
        }
      } else {
        top.value.items().push_back(std::move(v));
      }
      if (top.indefinite) return;
      if (--top.remaining > 0) return;
      if (top.value.type() == Value::Type::kMap && top.key) return;
      v = std::move(top.value);
      stack.pop_back();
    }
  }

  void open(Value container, std::uint64_t remaining, bool indefinite) {
    if (!error.empty()) return;
    if (stack.size() >= limits->depth_max) {
      fail_with("cbor_too_deep", "nested deeper than " + std::to_string(limits->depth_max));
      return;
    }
    if (!indefinite && remaining == 0) {
      complete(std::move(container));
      return;
    }
    // Every item takes at least one byte: a count past the bytes left is a lie.
    if (!indefinite && remaining > bytes_left) {
      fail_with("cbor_malformed", "declares " + std::to_string(remaining) + " items with " +
                                      std::to_string(bytes_left) + " bytes left");
      return;
    }
    stack.push_back(Frame{std::move(container), remaining, indefinite, std::nullopt, {}});
  }

  void close_indefinite() {
    if (stack.empty() || !stack.back().indefinite) {
      fail_with("cbor_malformed", "a break outside an indefinite item");
      return;
    }
    if (stack.back().key) {
      fail_with("cbor_malformed", "an indefinite map ends after a key");
      return;
    }
    Value v = std::move(stack.back().value);
    stack.pop_back();
    complete(std::move(v));
  }
};

Builder* as_builder(void* ctx) { return static_cast<Builder*>(ctx); }

// A scalar item: counted against the limit, then placed.
void add(void* ctx, Value v) {
  Builder* b = as_builder(ctx);
  if (b->count_item()) b->complete(std::move(v));
}

void on_uint8(void* c, std::uint8_t v) { add(c, Value::unsigned_int(v)); }
void on_uint16(void* c, std::uint16_t v) { add(c, Value::unsigned_int(v)); }
void on_uint32(void* c, std::uint32_t v) { add(c, Value::unsigned_int(v)); }
void on_uint64(void* c, std::uint64_t v) { add(c, Value::unsigned_int(v)); }
void on_negint8(void* c, std::uint8_t v) { add(c, Value::negative(v)); }
void on_negint16(void* c, std::uint16_t v) { add(c, Value::negative(v)); }
void on_negint32(void* c, std::uint32_t v) { add(c, Value::negative(v)); }
void on_negint64(void* c, std::uint64_t v) { add(c, Value::negative(v)); }
void on_bytes(void* c, cbor_data data, std::size_t n) {
  add(c, Value(Bytes(data, data + n)));
}
void on_bytes_start(void* c) {
  auto* b = as_builder(c);
  if (b->count_item()) b->open(Value(Bytes{}), 0, true);
}
void on_text(void* c, cbor_data data, std::size_t n) {
  add(c, Value(std::string(reinterpret_cast<const char*>(data), n)));
}
void on_text_start(void* c) {
  auto* b = as_builder(c);
  if (b->count_item()) b->open(Value(std::string()), 0, true);
}
void on_array_start(void* c, std::size_t n) {
  auto* b = as_builder(c);
  if (b->count_item()) b->open(Value::array(), n, false);
}
void on_indef_array_start(void* c) {
  auto* b = as_builder(c);
  if (b->count_item()) b->open(Value::array(), 0, true);
}
void on_map_start(void* c, std::size_t n) {
  auto* b = as_builder(c);
  if (n > SIZE_MAX / 2) {
    b->fail_with("cbor_malformed", "a map declares too many entries");
    return;
  }
  if (b->count_item()) b->open(Value::map(), static_cast<std::uint64_t>(n) * 2, false);
}
void on_indef_map_start(void* c) {
  auto* b = as_builder(c);
  if (b->count_item()) b->open(Value::map(), 0, true);
}
void on_tag(void* c, std::uint64_t number) {
  auto* b = as_builder(c);
  if (!b->count_item()) return;
  Value tag = Value::tag(number, Value());
  tag.items().clear();  // the content arrives as the next item
  b->open(std::move(tag), 1, false);
}
void on_float(void* c, float f) { add(c, Value::floating(f)); }
void on_double(void* c, double d) { add(c, Value::floating(d)); }
void on_null(void* c) { add(c, Value::null()); }
void on_undefined(void* c) { add(c, Value::undefined()); }
void on_bool(void* c, bool v) { add(c, Value::boolean(v)); }
void on_break(void* c) { as_builder(c)->close_indefinite(); }

const cbor_callbacks kCallbacks = {
    .uint8 = on_uint8,
    .uint16 = on_uint16,
    .uint32 = on_uint32,
    .uint64 = on_uint64,
    .negint64 = on_negint64,
    .negint32 = on_negint32,
    .negint16 = on_negint16,
    .negint8 = on_negint8,
    .byte_string_start = on_bytes_start,
    .byte_string = on_bytes,
    .string = on_text,
    .string_start = on_text_start,
    .indef_array_start = on_indef_array_start,
    .array_start = on_array_start,
    .indef_map_start = on_indef_map_start,
    .map_start = on_map_start,
    .tag = on_tag,
    .float2 = on_float,
    .float4 = on_float,
    .float8 = on_double,
    .undefined = on_undefined,
    .null = on_null,
    .boolean = on_bool,
    .indef_break = on_break,
};

}  // namespace

Bytes encode(const Value& value) {
  Bytes out;
  encode_into(value, out);
  return out;
}

Result<Value> decode(std::span<const std::uint8_t> data, std::string_view what,
                     const DecodeLimits& limits) {
  Builder b;
  b.limits = &limits;
  std::size_t offset = 0;
  auto malformed = [&](const std::string& why) {
    return fail(Error::invalid("cbor_malformed", std::string(what) + " is not valid CBOR at byte " +
                                                     std::to_string(offset) + ": " + why));
  };
  while (offset < data.size()) {
    if (b.result) return malformed("bytes after the item");
    b.bytes_left = data.size() - offset;
    // libcbor 0.8 refuses the one-byte tag heads 0xc6..0xd4 as "unassigned" (COSE_Sign1 is
    // tag 18, 0xd2); a tag head carries no payload of its own, so it is read here.
    if (const std::uint8_t head = data[offset]; head >= 0xc0 && head <= 0xd7) {
      on_tag(&b, head - 0xc0);
      ++offset;
      if (!b.error.empty())
        return fail(Error::invalid(b.error_code, std::string(what) + ": " + b.error));
      continue;
    }
    const cbor_decoder_result r =
        cbor_stream_decode(data.data() + offset, data.size() - offset, &kCallbacks, &b);
    if (r.status == CBOR_DECODER_NEDATA) return malformed("truncated");
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) return malformed("unreadable item");
    offset += r.read;
    b.bytes_left = data.size() - offset;
    if (!b.error.empty()) {
      if (b.error_code == "cbor_malformed") return malformed(b.error);
      return fail(Error::invalid(b.error_code, std::string(what) + ": " + b.error));
    }
  }
  if (!b.result) return malformed(data.empty() ? "empty" : "truncated");
  return std::move(*b.result);
}

bool is_deterministic(std::span<const std::uint8_t> data) {
  auto v = decode(data, "cbor");
  if (!v) return false;
  const Bytes again = encode(*v);
  return again.size() == data.size() && std::equal(again.begin(), again.end(), data.begin());
}

}  // namespace atelier::c2pa::cbor
