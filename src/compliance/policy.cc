// Compliance policies (policy.h): JSON in and out, validation, and decide().
#include "compliance/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/assert.h"
#include "core/canonical_json.h"
#include "core/limits.h"

namespace atelier::compliance {

namespace {

using nlohmann::json;

constexpr int kDistanceMax = 255;  // A 256-bit hash: 0..256, and 256 matches everything.
constexpr std::size_t kPdqBandsMax = 8;
constexpr std::size_t kTextListsMax = 256;
constexpr std::size_t kPolicyBytesMax = 64 * 1024;
const std::string kRoot = "policy";

Error out_of_range(const std::string& what, const std::string& field) {
  return Error::invalid("value_out_of_range", what, field);
}

Result<int> read_int(const json& v, int lo, int hi, const std::string& field) {
  if (!v.is_number_integer()) {
    return fail(Error::invalid("invalid_policy", "expected an integer", field));
  }
  const auto n = v.get<std::int64_t>();
  if (n < lo || n > hi) {
    return fail(out_of_range(
        "expected " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(n),
        field));
  }
  return static_cast<int>(n);
}

Result<Action> read_action(const json& v, const std::string& field) {
  if (!v.is_string()) {
    return fail(
        Error::invalid("invalid_policy", "expected \"allow\", \"review\" or \"block\"", field));
  }
  return parse_action(v.get<std::string>(), field);
}

Result<void> only_keys(const json& obj, std::initializer_list<std::string_view> keys,
                       const std::string& field) {
  if (!obj.is_object()) return fail(Error::invalid("invalid_policy", "expected an object", field));
  for (const auto& [k, _] : obj.items()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      return fail(Error::invalid("unknown_field", "no policy field " + k, field + "." + k));
    }
  }
  return {};
}

Result<void> read_bands(const json& v, Policy& p) {
  const std::string field = kRoot + ".pdq";
  if (!v.is_array()) return fail(Error::invalid("invalid_policy", "expected an array", field));
  if (v.size() > kPdqBandsMax) {
    return fail(Error::limit("too_many_bands",
                             "at most " + std::to_string(kPdqBandsMax) + " distance bands", field));
  }
  p.pdq.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    ATELIER_TRY(only_keys(v[i], {"max_distance", "action"}, at));
    if (!v[i].contains("max_distance") || !v[i].contains("action")) {
      return fail(Error::invalid("invalid_policy", "a band needs max_distance and action", at));
    }
    PdqBand b;
    ATELIER_TRY_ASSIGN(b.max_distance,
                       read_int(v[i]["max_distance"], 0, kDistanceMax, at + ".max_distance"));
    ATELIER_TRY_ASSIGN(b.action, read_action(v[i]["action"], at + ".action"));
    if (!p.pdq.empty() && b.max_distance <= p.pdq.back().max_distance) {
      return fail(Error::invalid("invalid_policy", "max_distance must increase from band to band",
                                 at + ".max_distance"));
    }
    p.pdq.push_back(b);
  }
  return {};
}

json finding_base(std::string_view signal, Action a) {
  return json{{"signal", signal}, {"action", action_name(a)}};
}

std::string canonical(const json& j) {
  auto text = canonical_json(j);
  ATELIER_ASSERT(text.has_value(), "a policy holds only ASCII names and small integers");
  return *std::move(text);
}

// The action of the first band `distance` falls in; none past the last.
std::optional<Action> band_action(const Policy& p, int distance) {
  for (const auto& b : p.pdq) {
    if (distance <= b.max_distance) return b.action;
  }
  return std::nullopt;
}

Action text_action(const Policy& p, const TextMatch& m) {
  if (auto it = p.text_lists.find(m.list); it != p.text_lists.end()) return it->second;
  return m.severity == "block" ? p.text_block : p.text_review;
}

}  // namespace

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kAllow:
      return "allow";
    case Action::kReview:
      return "review";
    case Action::kBlock:
      return "block";
  }
  ATELIER_ASSERT(false, "an Action out of range");
  return "";
}

Result<Action> parse_action(std::string_view text, const std::string& field) {
  if (text == "allow") return Action::kAllow;
  if (text == "review") return Action::kReview;
  if (text == "block") return Action::kBlock;
  return fail(Error::invalid("invalid_action",
                             "expected \"allow\", \"review\" or \"block\", got \"" +
                                 std::string(text.substr(0, 32)) + "\"",
                             field));
}

bool is_term_list_name(std::string_view name) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  };
  return !name.empty() && std::ssize(name) <= limits::kTermListNameBytesMax &&
         std::all_of(name.begin(), name.end(), ok);
}

std::string_view image_signal_name(ImageSignal s) {
  switch (s) {
    case ImageSignal::kExactFile:
      return "exact_file";
    case ImageSignal::kExactPixels:
      return "exact_pixels";
    case ImageSignal::kPdq:
      return "pdq";
  }
  ATELIER_ASSERT(false, "an ImageSignal out of range");
  return "";
}

Policy default_policy() {
  Policy p;
  p.pdq = {{31, Action::kBlock}, {45, Action::kReview}};
  return p;
}

Result<Policy> parse_policy(std::string_view text) {
  ATELIER_TRY_ASSIGN(const json j, parse_json(text, kPolicyBytesMax, "policy"));
  ATELIER_TRY(only_keys(
      j, {"exact_copy", "pdq", "low_quality", "text", "text_lists", "near_duplicate"}, kRoot));
  Policy p = default_policy();
  if (j.contains("exact_copy")) {
    ATELIER_TRY_ASSIGN(p.exact_copy, read_action(j["exact_copy"], kRoot + ".exact_copy"));
  }
  if (j.contains("pdq")) ATELIER_TRY(read_bands(j["pdq"], p));
  if (j.contains("low_quality")) {
    const std::string f = kRoot + ".low_quality";
    const json& lq = j["low_quality"];
    ATELIER_TRY(only_keys(lq, {"below", "action"}, f));
    if (lq.contains("below")) {
      ATELIER_TRY_ASSIGN(p.low_quality_below, read_int(lq["below"], 0, 100, f + ".below"));
    }
    if (lq.contains("action")) {
      ATELIER_TRY_ASSIGN(p.low_quality, read_action(lq["action"], f + ".action"));
    }
  }
  if (j.contains("text")) {
    const std::string f = kRoot + ".text";
    const json& t = j["text"];
    ATELIER_TRY(only_keys(t, {"block", "review"}, f));
    if (t.contains("block")) {
      ATELIER_TRY_ASSIGN(p.text_block, read_action(t["block"], f + ".block"));
    }
    if (t.contains("review")) {
      ATELIER_TRY_ASSIGN(p.text_review, read_action(t["review"], f + ".review"));
    }
  }
  if (j.contains("text_lists")) {
    const std::string f = kRoot + ".text_lists";
    const json& t = j["text_lists"];
    if (!t.is_object()) return fail(Error::invalid("invalid_policy", "expected an object", f));
    if (t.size() > kTextListsMax) {
      return fail(
          Error::limit("too_many_lists", "at most " + std::to_string(kTextListsMax) + " lists", f));
    }
    for (const auto& [name, v] : t.items()) {
      if (!is_term_list_name(name)) {
        return fail(Error::invalid("invalid_policy",
                                   "a list name is 1.." +
                                       std::to_string(limits::kTermListNameBytesMax) +
                                       " characters of a-z, 0-9, '_', '.', '-'",
                                   f + "." + name));
      }
      ATELIER_TRY_ASSIGN(p.text_lists[name], read_action(v, f + "." + name));
    }
  }
  if (j.contains("near_duplicate")) {
    const std::string f = kRoot + ".near_duplicate";
    const json& nd = j["near_duplicate"];
    ATELIER_TRY(only_keys(nd, {"max_distance", "action"}, f));
    if (nd.contains("max_distance")) {
      ATELIER_TRY_ASSIGN(p.near_duplicate_max_distance,
                         read_int(nd["max_distance"], 0, kDistanceMax, f + ".max_distance"));
    }
    if (nd.contains("action")) {
      ATELIER_TRY_ASSIGN(p.near_duplicate, read_action(nd["action"], f + ".action"));
    }
  }
  return p;
}

std::string policy_json(const Policy& p) {
  json bands = json::array();
  for (const auto& b : p.pdq) {
    bands.push_back({{"max_distance", b.max_distance}, {"action", action_name(b.action)}});
  }
  json lists = json::object();
  for (const auto& [name, a] : p.text_lists) lists[name] = action_name(a);
  return canonical(json{
      {"exact_copy", action_name(p.exact_copy)},
      {"pdq", bands},
      {"low_quality", {{"below", p.low_quality_below}, {"action", action_name(p.low_quality)}}},
      {"text", {{"block", action_name(p.text_block)}, {"review", action_name(p.text_review)}}},
      {"text_lists", lists},
      {"near_duplicate",
       {{"max_distance", p.near_duplicate_max_distance},
        {"action", action_name(p.near_duplicate)}}},
  });
}

Result<Decision> decide(const Policy& policy, const Evidence& e) {
  Decision d;
  std::optional<Error> bad;  // Text that is not UTF-8 cannot be written as JSON.
  auto add = [&](Action a, const json& j) {
    auto text = canonical_json(j);
    if (!text) {
      if (!bad) bad = text.error();
      return;
    }
    d.findings.push_back({a, std::move(*text)});
  };

  const bool trusted = !e.quality || *e.quality >= policy.low_quality_below;
  if (!trusted) {
    json j = finding_base("low_quality", policy.low_quality);
    j["quality"] = *e.quality;
    j["below"] = policy.low_quality_below;
    add(policy.low_quality, std::move(j));
  }
  for (const auto& m : e.images) {
    std::optional<Action> a;
    if (m.signal == ImageSignal::kPdq) {
      // A low-quality hash says nothing either way: its matches are not evidence.
      if (trusted) a = band_action(policy, m.distance);
    } else {
      a = policy.exact_copy;
    }
    if (!a) continue;
    json j = finding_base(image_signal_name(m.signal), *a);
    j["entry"] = m.entry_id;
    j["bank"] = m.bank;
    j["label"] = m.label;
    if (m.signal == ImageSignal::kPdq) {
      j["distance"] = m.distance;
      j["query_variant"] = m.query_variant;
      j["entry_variant"] = m.entry_variant;
    }
    add(*a, std::move(j));
  }
  for (const auto& m : e.texts) {
    const Action a = text_action(policy, m);
    json j = finding_base("text", a);
    j["field"] = m.field;
    j["term"] = m.term;
    j["list"] = m.list;
    j["severity"] = m.severity;
    j["span"] = json::array({m.begin, m.end});
    j["matched"] = m.matched;
    j["steps"] = m.steps;
    add(a, std::move(j));
  }
  for (const auto& field : e.texts_truncated) {
    json j = finding_base("text_truncated", policy.text_review);
    j["field"] = field;
    add(policy.text_review, std::move(j));
  }
  for (const auto& n : e.near_duplicates) {
    if (!trusted || n.distance > policy.near_duplicate_max_distance) continue;
    json j = finding_base("near_duplicate", policy.near_duplicate);
    j["collection"] = n.collection;
    j["token_id"] = n.token_id;
    j["asset"] = n.asset_sha256;
    j["distance"] = n.distance;
    j["variant"] = n.variant;
    add(policy.near_duplicate, std::move(j));
  }
  if (bad) return fail(*bad);
  std::stable_sort(d.findings.begin(), d.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.action > b.action; });
  for (const auto& f : d.findings) d.outcome = std::max(d.outcome, f.action);
  return d;
}

}  // namespace atelier::compliance
