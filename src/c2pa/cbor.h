// cbor.h — the CBOR values of a C2PA manifest (RFC 8949), written deterministically and read
// with limits.
//
//   cbor::Value claim = cbor::Value::map({{"instanceID", "xmp:iid:..."}, ...});
//   std::vector<std::uint8_t> bytes = cbor::encode(claim);
//   Result<cbor::Value> back = cbor::decode(bytes);
//
// Writing follows RFC 8949 §4.2.1 (core deterministic encoding): definite lengths, shortest
// argument forms, map entries sorted by the bytewise order of their encoded keys. Byte strings
// are plain major type 2 (never typed-array tags). libcbor does the wire format both ways
// (its encoders pick the shortest form; its streaming decoder reads one item at a time, with
// no allocation of its own); this file orders maps and builds the tree under limits, so a
// hostile length cannot allocate past the input and a deep nesting cannot overflow the stack.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace atelier::c2pa::cbor {

using Bytes = std::vector<std::uint8_t>;

class Value {
 public:
  enum class Type {
    kUnsigned,
    kNegative,
    kBytes,
    kText,
    kArray,
    kMap,
    kTag,
    kBool,
    kNull,
    kUndefined,
    kFloat
  };

  Value() : type_(Type::kNull) {}
  Value(const char* text) : type_(Type::kText), text_(text) {}              // NOLINT(implicit)
  Value(std::string text) : type_(Type::kText), text_(std::move(text)) {}   // NOLINT(implicit)
  Value(std::string_view text) : type_(Type::kText), text_(text) {}         // NOLINT(implicit)
  Value(Bytes bytes) : type_(Type::kBytes), bytes_(std::move(bytes)) {}     // NOLINT(implicit)

  static Value unsigned_int(std::uint64_t v);
  static Value integer(std::int64_t v);
  // -1 - n: the whole negative range CBOR has (down to -2^64).
  static Value negative(std::uint64_t n);
  static Value boolean(bool v);
  static Value null() { return Value(); }
  static Value undefined();
  static Value floating(double v);
  static Value bytes(std::span<const std::uint8_t> b) { return Value(Bytes(b.begin(), b.end())); }
  static Value array(std::vector<Value> items = {});
  static Value map(std::vector<std::pair<Value, Value>> entries = {});
  static Value tag(std::uint64_t number, Value content);

  Type type() const { return type_; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_unsigned() const { return type_ == Type::kUnsigned; }
  bool is_integer() const { return type_ == Type::kUnsigned || type_ == Type::kNegative; }

  const std::string& text() const { return text_; }
  const Bytes& bytes() const { return bytes_; }
  // kUnsigned: the value; kNegative: n of -1 - n; kTag: the tag number.
  std::uint64_t number() const { return number_; }
  bool as_bool() const { return number_ != 0; }
  double as_double() const { return float_; }
  // An integer that fits int64 (false when it does not, or this is not an integer).
  bool to_int64(std::int64_t* out) const;

  // kArray items; kTag: one item, the content.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }
  // kMap entries in the order read or added (encode() sorts them).
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  std::vector<std::pair<Value, Value>>& entries() { return entries_; }

  // The value under a text or integer key of a map; nullptr when absent or not a map.
  const Value* find(std::string_view key) const;
  const Value* find_int(std::int64_t key) const;
  // Adds or replaces a text-keyed entry of a map.
  Value& set(std::string_view key, Value v);

  friend bool operator==(const Value& a, const Value& b);

 private:
  Type type_;
  std::uint64_t number_ = 0;
  double float_ = 0;
  std::string text_;
  Bytes bytes_;
  std::vector<Value> items_;
  std::vector<std::pair<Value, Value>> entries_;
};

// RFC 8949 §4.2.1 deterministic encoding.
Bytes encode(const Value& value);

struct DecodeLimits {
  std::size_t depth_max = 32;          // nested arrays/maps/tags
  std::size_t items_max = 1u << 20;    // items of any kind, nested ones included
};

// Exactly one item filling `data` (trailing bytes are an error). Indefinite lengths are read.
// Errors: "cbor_malformed" (with the offset), "cbor_too_deep", "cbor_too_large"; `what` names
// the input ("claim", "c2pa.actions.v2").
Result<Value> decode(std::span<const std::uint8_t> data, std::string_view what,
                     const DecodeLimits& limits = {});

// Whether `data` is exactly the deterministic encoding of what it decodes to.
bool is_deterministic(std::span<const std::uint8_t> data);

}  // namespace atelier::c2pa::cbor
