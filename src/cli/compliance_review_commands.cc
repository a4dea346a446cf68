// `atelier compliance policy …` and `atelier compliance review …`: collections' policies and
// the review queue (compliance/decisions.h).
//
//   atelier compliance policy set flows '{"pdq": [{"max_distance": 20, "action": "block"}]}'
//   atelier compliance policy show flows [--json]
//   atelier compliance review list [--status pending|approved|rejected] [--limit N] [--json]
//   atelier compliance review show DECISION_ID
//   atelier compliance review approve|reject DECISION_ID --reason "…" [--as NAME]
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "compliance/decisions.h"
#include "core/limits.h"
#include "store/blob_store.h"

namespace atelier::cli {

namespace {

using nlohmann::json;

constexpr std::int64_t kPolicyFileBytesMax = 64 * 1024;

compliance::Decisions decisions_of(Context& ctx) {
  return compliance::Decisions(*ctx.db, *ctx.db, SystemClock::instance());
}

// Who the CLI operator is, for the review record: --as, else $USER.
std::string operator_name(const std::string& as) {
  if (!as.empty()) return "cli:" + as;
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "operator");
}

std::string decision_line(const store::ComplianceDecisionRecord& d) {
  std::string out = d.id + "  " + d.outcome;
  if (d.review != store::ReviewState::kNone) {
    out += " (" + std::string(store::review_state_name(d.review)) + ")";
  }
  out += "  asset " + (d.asset_sha256.empty() ? std::string("-") : d.asset_sha256);
  if (!d.collection_id.empty()) out += "  collection " + d.collection_id;
  out += "  policy v" + std::to_string(d.policy_version) + "  log entry " +
         std::to_string(d.log_index) + "\n";
  return out;
}

void add_policy(CLI::App& compliance, Globals& globals) {
  auto* policy = compliance.add_subcommand("policy", "A collection's compliance policy");
  policy->require_subcommand(1);
  struct Args {
    std::string collection, json, file;
    bool as_json = false;
  };
  auto a = std::make_shared<Args>();
  auto* set = policy->add_subcommand(
      "set",
      "Store the collection's next policy version (logged as compliance.policy): keys "
      "exact_copy, pdq, low_quality, text, text_lists, near_duplicate (docs/compliance.md); "
      "missing keys take the default");
  set->add_option("COLLECTION", a->collection, "collection id")->required();
  set->add_option("POLICY", a->json, "the policy JSON");
  set->add_option("--file", a->file, "read the policy JSON from a file");
  set->callback([&globals, a] {
    if (a->json.empty() == a->file.empty()) {
      exit_with(Error::invalid("invalid_policy", "give the policy JSON or --file, one of them",
                               "policy"));
    }
    std::string text = a->json;
    if (!a->file.empty()) {
      const auto bytes = or_exit(store::read_file(a->file, kPolicyFileBytesMax));
      text.assign(bytes.begin(), bytes.end());
    }
    Context ctx = open_or_exit(globals);
    auto d = decisions_of(ctx);
    auto p = or_exit(d.set_policy(a->collection, text, "cli"));
    print(p.collection_id + ": policy version " + std::to_string(p.version) + " (sha256 " +
          p.sha256 + ", log entry " + std::to_string(p.log_index) + ")\n");
  });
  auto* show = policy->add_subcommand(
      "show", "The policy in force (version 0: the default, where the collection has none)");
  show->add_option("COLLECTION", a->collection, "collection id")->required();
  show->add_flag("--json", a->as_json, "print JSON");
  show->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    auto d = decisions_of(ctx);
    auto in_force = or_exit(d.policy_in_force(a->collection));
    const std::string policy = compliance::policy_json(in_force.policy);
    if (a->as_json) {
      return print(json{{"collection", a->collection},
                        {"version", in_force.version},
                        {"sha256", in_force.sha256},
                        {"policy", json::parse(policy)}}
                       .dump() +
                   "\n");
    }
    print(a->collection + ": policy version " + std::to_string(in_force.version) +
          (in_force.version == 0 ? " (default)" : "") + " sha256 " + in_force.sha256 + "\n" +
          policy + "\n");
  });
}

void add_review(CLI::App& compliance, Globals& globals) {
  auto* review = compliance.add_subcommand("review", "The queue of decisions sent to review");
  review->require_subcommand(1);
  struct Args {
    std::string id, status = "pending", cursor, reason, as;
    std::int64_t limit = limits::kPageSizeDefault;
    bool as_json = false;
  };
  auto a = std::make_shared<Args>();

  auto* list = review->add_subcommand("list", "Decisions in a review state, oldest first");
  list->add_option("--status", a->status, "pending (default), approved or rejected");
  list->add_option("--limit", a->limit, "page size, 1..100");
  list->add_option("--cursor", a->cursor, "the next_cursor of the previous page");
  list->add_flag("--json", a->as_json, "one JSON object: {items, next_cursor}");
  list->callback([&globals, a] {
    auto state = store::parse_review_state(a->status);
    if (!state || *state == store::ReviewState::kNone) {
      exit_with(
          Error::invalid("invalid_status", "--status is pending, approved or rejected", "status"));
    }
    if (a->limit < 1 || a->limit > limits::kPageSizeMax) {
      exit_with(Error::invalid("value_out_of_range", "--limit is 1..100", "limit"));
    }
    Context ctx = open_or_exit(globals);
    auto page = or_exit(ctx.db->compliance_reviews(*state, {a->limit, a->cursor}));
    if (a->as_json) {
      json items = json::array();
      for (const auto& d : page.items) items.push_back(json::parse(compliance::decision_json(d)));
      json out = {{"items", items}};
      out["next_cursor"] = page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor);
      return print(out.dump() + "\n");
    }
    for (const auto& d : page.items) print(decision_line(d));
    if (!page.next_cursor.empty()) print("next: --cursor " + page.next_cursor + "\n");
  });

  auto* show = review->add_subcommand("show", "One decision with its evidence (JSON)");
  show->add_option("DECISION", a->id, "decision id (dec_…)")->required();
  show->callback([&globals, a] {
    Context ctx = open_or_exit(globals);
    auto d = or_exit(ctx.db->compliance_decision(a->id));
    if (!d) exit_with(Error::not_found("unknown_decision", "no decision " + a->id, "id"));
    print(compliance::decision_json(*d) + "\n");
  });

  for (const bool approve : {true, false}) {
    auto* cmd = review->add_subcommand(
        approve ? "approve" : "reject",
        std::string(approve ? "Approve" : "Reject") +
            " a pending decision (logged as compliance.review with who and why)" +
            (approve ? "; an approved decision lets the asset be minted" : ""));
    cmd->add_option("DECISION", a->id, "decision id (dec_…)")->required();
    cmd->add_option("--reason", a->reason, "why (required, 1..1024 bytes)")->required();
    cmd->add_option("--as", a->as, "the reviewer's name (default: $USER)");
    cmd->callback([&globals, a, approve] {
      Context ctx = open_or_exit(globals);
      auto d = decisions_of(ctx);
      auto r = or_exit(d.review(a->id, approve, operator_name(a->as), a->reason));
      print(r.id + ": " + std::string(store::review_state_name(r.review)) + " by " + r.reviewer +
            "\n");
    });
  }
}

}  // namespace

void add_compliance_review_commands(CLI::App& compliance, Globals& globals) {
  add_policy(compliance, globals);
  add_review(compliance, globals);
}

}  // namespace atelier::cli
