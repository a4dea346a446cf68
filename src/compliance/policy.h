// policy.h — what a collection's compliance policy makes of the evidence about one asset
// (issue 16 §4): each signal gets an action (allow, review, block) from the policy, and the
// decision is the strictest of them.
//
//   auto policy = parse_policy(R"({"pdq": [{"max_distance": 31, "action": "block"},
//                                          {"max_distance": 45, "action": "review"}]})");
//   Evidence e;
//   e.quality = 93;
//   e.images.push_back({.signal = ImageSignal::kPdq, .distance = 12, .entry_id = "e-1", …});
//   Result<Decision> d = decide(*policy, e);  // d->outcome == Action::kBlock, as its finding.
//
// Pure: no clock, no I/O. The policy JSON, every key optional (the default policy fills in
// what is missing — default_policy() below):
//   "exact_copy": ACTION              the file's or the decoded pixels' SHA-256 is registered
//   "pdq": [{"max_distance": D, "action": ACTION}, …]
//                                     distance bands, D in 0..255 strictly increasing: a match
//                                     takes the first band it falls in; past the last, none
//   "low_quality": {"below": Q, "action": ACTION}
//                                     a PDQ quality under Q (0..100) cannot be trusted either
//                                     way: the image is not screened by its hash
//   "text": {"block": ACTION, "review": ACTION}
//                                     a term match, by the severity its list gives the term;
//                                     a text whose screening was cut short takes "review"'s
//   "text_lists": {"LIST": ACTION, …} a list's own action, ahead of the severity
//   "near_duplicate": {"max_distance": D, "action": ACTION}
//                                     within D of one of the collection's earlier tokens
// ACTION is "allow", "review" or "block". Unknown keys are refused (a typo must not weaken a
// policy). The canonical JSON of the full policy (defaults filled in) is what a decision
// names, with its SHA-256, next to the version the store gives each stored policy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atelier::compliance {

enum class Action { kAllow, kReview, kBlock };  // Ordered: the strictest wins.

std::string_view action_name(Action a);
Result<Action> parse_action(std::string_view text, const std::string& field);

struct PdqBand {
  int max_distance = 0;  // 0..255
  Action action = Action::kBlock;
};

struct Policy {
  Action exact_copy = Action::kBlock;
  std::vector<PdqBand> pdq;  // max_distance strictly increasing.
  int low_quality_below = 50;
  Action low_quality = Action::kReview;
  Action text_block = Action::kBlock;    // Terms whose list severity is "block".
  Action text_review = Action::kReview;  // … "review".
  std::map<std::string, Action> text_lists;
  int near_duplicate_max_distance = 10;
  Action near_duplicate = Action::kReview;
};

// The documented default (docs/compliance.md "Policy"): an exact copy or a PDQ match within
// 31 (any variant, any crop) blocks, 32..45 goes to review; a text match takes its list's
// severity; a hash of quality under 50 goes to review; within 10 of an earlier token of the
// same collection goes to review.
Policy default_policy();

// Refuses with "invalid_policy" / "value_out_of_range" / "unknown_field" naming the field
// ("policy.pdq[1].max_distance").
Result<Policy> parse_policy(std::string_view json);
std::string policy_json(const Policy& p);  // Canonical JSON, every key present.

// A term list's name: 1..limits::kTermListNameBytesMax of a-z 0-9 _ . - (what `terms import
// --list` accepts and a policy's text_lists keys must be, or they would never apply).
bool is_term_list_name(std::string_view name);

enum class ImageSignal { kExactFile, kExactPixels, kPdq };
std::string_view image_signal_name(ImageSignal s);

// A registry entry the asset matched.
struct ImageMatch {
  ImageSignal signal = ImageSignal::kPdq;
  int distance = 0;                // 0 for the exact signals.
  std::string query_variant = {};  // Which form of the candidate: "original", "top_right"…
  std::string entry_variant = {};  // Which stored signal of the entry matched: "pdq", "rotate90"…
  std::string entry_id = {};
  std::string bank = {};
  std::string label = {};
};

struct TextMatch {
  std::string field = {};  // Which text: "title", "prompt", "traits.Palette", "text[0]"…
  std::string term = {};
  std::string list = {};
  std::string severity = {};  // "block" or "review"
  std::size_t begin = 0;      // Byte span in the original text.
  std::size_t end = 0;
  std::string matched = {};             // The original text's bytes in that span.
  std::vector<std::string> steps = {};  // Normalization steps that led to the match.
};

struct NearDuplicate {
  std::string collection = {};
  std::string token_id = {};      // Decimal.
  std::string asset_sha256 = {};  // The earlier token's asset.
  int distance = 0;
  std::string variant = {};  // Which form of the candidate matched.
};

struct Evidence {
  std::optional<int> quality = {};  // PDQ quality of the image, when there is one.
  std::vector<ImageMatch> images = {};
  std::vector<TextMatch> texts = {};
  std::vector<NearDuplicate> near_duplicates = {};
  // Fields whose screening stopped short (the screener's limits on matches and raw hits, a
  // text written to swamp it): terms past the cut went unseen, so each takes the action of a
  // "review" match rather than passing on what was found before it.
  std::vector<std::string> texts_truncated = {};
};

// One piece of evidence with the action the policy gives it, as canonical JSON
// ({"signal": "pdq", "action": "block", "distance": 12, …}).
struct Finding {
  Action action = Action::kAllow;
  std::string json = {};
};

struct Decision {
  Action outcome = Action::kAllow;
  std::vector<Finding> findings = {};  // Strictest first, then in evidence order.
};

// Fails only when a text match's strings are not UTF-8 (the screener validates its input).
Result<Decision> decide(const Policy& policy, const Evidence& evidence);

}  // namespace atelier::compliance
