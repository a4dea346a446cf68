#include "core/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/limits.h"

namespace atelier {
namespace {

constexpr std::int64_t kSafeIntegerMax = (1LL << 53);

// Decodes UTF-8 into UTF-16 code units; false on malformed input.
bool utf8_to_utf16(std::string_view s, std::u16string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F, extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F, extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07, extra = 3;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size() && extra > 0) return false;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += 1 + extra;
  }
  return true;
}

Result<void> write_string(std::string_view s, std::string& out) {
  std::u16string scratch;
  if (!utf8_to_utf16(s, scratch)) {
    return fail(Error::invalid("invalid_utf8", "string is not valid UTF-8"));
  }
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return {};
}

Result<void> write_value(const nlohmann::json& v, std::string& out, int depth) {
  if (depth > limits::kJsonDepthMax) {
    return fail(Error::invalid("json_too_deep", "JSON nesting exceeds json_depth_max"));
  }
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; return {};
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return {};
    case nlohmann::json::value_t::number_integer: {
      auto n = v.get<std::int64_t>();
      if (n > kSafeIntegerMax || n < -kSafeIntegerMax) {
        return fail(
            Error::invalid("number_out_of_range", "integer outside ±2^53 cannot be canonicalized"));
      }
      out += std::to_string(n);
      return {};
    }
    case nlohmann::json::value_t::number_unsigned: {
      auto n = v.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(kSafeIntegerMax)) {
        return fail(
            Error::invalid("number_out_of_range", "integer above 2^53 cannot be canonicalized"));
      }
      out += std::to_string(n);
      return {};
    }
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) {
        return fail(Error::invalid("number_not_finite", "NaN and Infinity are not JSON"));
      }
      out += es_number_to_string(d);
      return {};
    }
    case nlohmann::json::value_t::string: return write_string(v.get_ref<const std::string&>(), out);
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out.push_back(',');
        first = false;
        ATELIER_TRY(write_value(item, out, depth + 1));
      }
      out.push_back(']');
      return {};
    }
    case nlohmann::json::value_t::object: {
      // RFC 8785 §3.2.3: sort member names by their UTF-16 code units.
      std::vector<std::pair<std::u16string, nlohmann::json::const_iterator>> members;
      members.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::u16string key16;
        if (!utf8_to_utf16(it.key(), key16)) {
          return fail(Error::invalid("invalid_utf8", "object key is not valid UTF-8"));
        }
        members.emplace_back(std::move(key16), it);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      bool first = true;
      for (const auto& [key16, it] : members) {
        if (!first) out.push_back(',');
        first = false;
        ATELIER_TRY(write_string(it.key(), out));
        out.push_back(':');
        ATELIER_TRY(write_value(it.value(), out, depth + 1));
      }
      out.push_back('}');
      return {};
    }
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return fail(Error::invalid("json_unsupported", "value has no JSON representation"));
}

}  // namespace

std::string es_number_to_string(double value) {
  if (value == 0) return "0";  // Also -0.
  std::string out;
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  // Shortest round-trip digits, in scientific form "d.ddde±XX".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);
  auto epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = std::stoi(std::string(sci.substr(epos + 1)));
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // value = 0.d1d2...dk × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n);
    out.push_back('.');
    out += digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> canonical_json(const nlohmann::json& value) {
  std::string out;
  ATELIER_TRY(write_value(value, out, 0));
  return out;
}

Result<nlohmann::json> parse_json(std::string_view text, std::size_t bytes_max,
                                  std::string_view what) {
  if (text.size() > bytes_max) {
    return fail(Error{ErrorKind::kTooLarge, std::string(what) + "_too_large",
                      std::string(what) + " is " + std::to_string(text.size()) +
                          " bytes; the limit is " + std::to_string(bytes_max),
                      std::string(what)});
  }
  // nlohmann skips a leading UTF-8 BOM and stops at a NUL byte, so both would be accepted
  // and ignored; RFC 8259 forbids a BOM in JSON sent over the network and a raw NUL is no
  // JSON. Refused, so that every reader of the same bytes agrees they are not JSON.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return fail(Error::invalid("malformed_json",
                               std::string(what) + " starts with a byte order mark (U+FEFF)",
                               std::string(what)));
  }
  if (text.find('\0') != std::string_view::npos) {
    return fail(Error::invalid("malformed_json", std::string(what) + " contains a NUL byte",
                               std::string(what)));
  }
  // Duplicate-key detection: one set of seen keys per open object.
  std::vector<std::set<std::string>> seen;
  std::string duplicate;
  bool too_deep = false;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > limits::kJsonDepthMax) too_deep = true;
    if (event == E::object_start) seen.emplace_back();
    if (event == E::object_end && !seen.empty()) seen.pop_back();
    if (event == E::key && !seen.empty()) {
      if (!seen.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
        duplicate = parsed.get<std::string>();
      }
    }
    return !too_deep && duplicate.empty();
  };
  nlohmann::json out;
  try {
    out = nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999.
    if (!too_deep && duplicate.empty()) {
      return fail(Error::invalid("malformed_json",
                                 std::string(what) + " is not valid JSON: " + e.what(),
                                 std::string(what)));
    }
  }
  if (too_deep) {
    return fail(Error::invalid("json_too_deep",
                               std::string(what) + " nests deeper than json_depth_max (" +
                                   std::to_string(limits::kJsonDepthMax) + ")",
                               std::string(what)));
  }
  if (!duplicate.empty()) {
    return fail(Error::invalid("duplicate_key",
                               std::string(what) + " has the key \"" + duplicate + "\" twice",
                               std::string(what)));
  }
  if (out.is_discarded()) {
    return fail(Error::invalid("malformed_json", std::string(what) + " is not valid JSON",
                               std::string(what)));
  }
  return out;
}

}  // namespace atelier
