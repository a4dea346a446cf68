// check.cc — one screening of an image and/or texts (see check.h).
#include "compliance/check.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "compliance/fingerprint.h"
#include "compliance/text/evidence.h"
#include "compliance/text/lexicon.h"
#include "compliance/text/normalize.h"
#include "core/event.h"
#include "core/hash.h"
#include "core/limits.h"

namespace atelier::compliance {

namespace {

// The forms of the candidate compared with registered works: the hash itself, its seven other
// dihedral variants and the crops (whose quality is high enough to mean something).
std::vector<std::pair<std::string, PdqHash>> query_forms(const Fingerprint& f, int quality_min,
                                                         bool with_crops) {
  std::vector<std::pair<std::string, PdqHash>> forms;
  forms.emplace_back(dihedral_name(Dihedral::kOriginal), f.pdq.hash);
  if (f.dihedral) {
    for (int i = 0; i < kDihedralCount; ++i) {
      const auto d = static_cast<Dihedral>(i);
      if (d == Dihedral::kOriginal) continue;
      forms.emplace_back(dihedral_name(d), (*f.dihedral)[d]);
    }
  }
  if (with_crops) {
    for (const auto& r : f.regions) {
      if (r.pdq.quality >= quality_min) forms.emplace_back(region_name(r.region), r.pdq.hash);
    }
  }
  return forms;
}

int widest_band(const Policy& p) {
  int r = 0;
  for (const auto& b : p.pdq) r = std::max(r, b.max_distance);
  return std::min(r, static_cast<int>(limits::kRegistryRadiusMax));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Term lists

namespace {

// "csv" when the first line that is neither blank nor a comment is the header term,severity.
std::string list_format(std::string_view body) {
  std::size_t at = 0;
  if (body.starts_with("\xEF\xBB\xBF")) at = 3;
  while (at < body.size()) {
    std::size_t end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    std::string line(body.substr(at, end - at));
    at = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    std::string lower;
    for (char c : line) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower.starts_with("term,") || lower.starts_with("\"term\",") ? "csv" : "text";
  }
  return "text";
}

}  // namespace

Result<store::TermListRecord> import_term_list(store::ComplianceStore& store, const Clock& clock,
                                               std::string_view body,
                                               const TermListImport& options) {
  if (body.size() > limits::kTermListBytesMax) {
    return fail(Error::limit(
        "term_list_too_large",
        "a term list file is at most " + std::to_string(limits::kTermListBytesMax) + " bytes",
        "file"));
  }
  store::TermListRecord r;
  r.name = options.name;
  r.source = options.source;
  r.licence = options.licence;
  r.severity = options.severity;
  r.format = list_format(body);
  r.body = std::string(body);
  r.sha256 = sha256_hex(body);
  r.created_by = options.actor;
  r.created_ms = clock.now_ms();
  ATELIER_TRY_ASSIGN(const text::TermList parsed, TermScreens::parse(r));
  r.terms = static_cast<std::int64_t>(parsed.terms().size());
  nlohmann::json fields = {{"list", r.name},       {"sha256", r.sha256},     {"terms", r.terms},
                           {"format", r.format},   {"severity", r.severity}, {"source", r.source},
                           {"licence", r.licence}, {"by", r.created_by}};
  return store.put_term_list(
      std::move(r), {event_entry("compliance.terms.import", clock.now_ms(), std::move(fields)),
                     {"term_list:" + options.name}});
}

Result<std::uint64_t> remove_term_list(store::ComplianceStore& store, const Clock& clock,
                                       std::string_view name, std::string_view actor) {
  nlohmann::json fields = {{"list", name}, {"by", actor}};
  return store.remove_term_list(
      name, {event_entry("compliance.terms.remove", clock.now_ms(), std::move(fields)),
             {"term_list:" + std::string(name)}});
}

// ---------------------------------------------------------------------------------------------
// TermScreens

TermScreens::TermScreens(store::ComplianceStore& store, std::string lexicon_path)
    : store_(store), lexicon_path_(std::move(lexicon_path)) {}

Result<text::TermList> TermScreens::parse(const store::TermListRecord& r) {
  ATELIER_TRY_ASSIGN(const text::Severity severity, text::parse_severity(r.severity));
  return text::TermList::parse(
      r.body, {.name = r.name, .source = r.source, .licence = r.licence, .severity = severity});
}

Result<TermScreens::Compiled> TermScreens::current() {
  ATELIER_TRY_ASSIGN(auto lists, store_.term_lists(false));
  std::string key;
  for (const auto& l : lists) key += l.name + ":" + l.sha256 + "\n";
  std::lock_guard lock(mu_);
  if (key == key_ && (cached_.screener || lists.empty())) return cached_;

  if (!lexicon_loaded_ && !lexicon_path_.empty() && std::filesystem::exists(lexicon_path_)) {
    ATELIER_TRY_ASSIGN(const auto words, store::read_file(lexicon_path_, limits::kLexiconBytesMax));
    ATELIER_TRY_ASSIGN(const text::Normalizer normalizer, text::Normalizer::create());
    const std::string_view body(reinterpret_cast<const char*>(words.data()), words.size());
    ATELIER_TRY_ASSIGN(text::Lexicon lexicon, text::Lexicon::parse(body, normalizer));
    lexicon_ = std::make_shared<const text::Lexicon>(std::move(lexicon));
    cached_.lexicon_sha256 = sha256_hex(body);
  }
  lexicon_loaded_ = true;

  Compiled next;
  next.lexicon_sha256 = cached_.lexicon_sha256;
  if (!lists.empty()) {
    ATELIER_TRY_ASSIGN(auto full, store_.term_lists(true));
    std::vector<text::TermList> parsed;
    key.clear();
    for (const auto& l : full) {
      ATELIER_TRY_ASSIGN(auto list, parse(l));
      parsed.push_back(std::move(list));
      key += l.name + ":" + l.sha256 + "\n";
    }
    ATELIER_TRY_ASSIGN(text::Screener screener,
                       text::Screener::build(std::move(parsed), {.lexicon = lexicon_}));
    next.screener = std::make_shared<const text::Screener>(std::move(screener));
    for (auto& l : full) l.body.clear();
    next.lists = std::move(full);
  }
  key_ = std::move(key);
  cached_ = std::move(next);
  return cached_;
}

// ---------------------------------------------------------------------------------------------
// Screening

std::string check_json(const store::ComplianceDecisionRecord& d) {
  using nlohmann::json;
  json record = json::parse(d.record, nullptr, false);
  if (!record.is_object()) record = json::object();
  json j = {{"decision", d.outcome},
            {"id", d.id},
            {"matches", record.value("findings", json::array())},
            {"registry", record.value("registry", json::object())},
            {"policy", record.value("policy", json::object())},
            {"log_index", d.log_index},
            {"created_ms", d.created_ms}};
  for (const char* k : {"asset", "collection", "quality", "file_sha256", "pixels_sha256", "texts",
                        "term_lists", "lexicon_sha256", "findings_omitted", "by"}) {
    if (record.contains(k)) j[k] = record[k];
  }
  if (d.review != store::ReviewState::kNone) {
    j["review"] = store::review_state_name(d.review);
    if (!d.reviewer.empty()) {
      j["reviewer"] = d.reviewer;
      j["review_reason"] = d.review_reason;
      j["reviewed_ms"] = d.reviewed_ms;
    }
  }
  return j.dump();
}

Screening::Screening(ScreeningDeps deps) : d_(deps), decisions_(d_.store, d_.ledger, d_.clock) {}

Result<CheckOutcome> Screening::check(const CheckRequest& request) {
  if (request.image.empty() && request.texts.empty()) {
    return fail(Error::invalid("check_empty", "a check needs an image, a text or both", "file"));
  }
  if (request.texts.size() > limits::kCheckTextsMax) {
    return fail(Error::limit(
        "too_many_texts",
        "a check screens at most " + std::to_string(limits::kCheckTextsMax) + " texts", "text"));
  }
  if (!request.collection.empty()) {
    ATELIER_TRY_ASSIGN(const auto c, d_.ledger.collection(request.collection));
    if (!c) {
      return fail(Error::not_found("unknown_collection", "no collection " + request.collection,
                                   "collection"));
    }
  }
  // The evidence depends on the policy (the PDQ radius, the quality and near-duplicate
  // thresholds): a policy replaced while it was gathered means gathering it again, once.
  for (int attempt = 0;; ++attempt) {
    auto out = check_under_policy(request);
    if (out || out.error().code != "policy_changed" || attempt > 0) return out;
  }
}

Result<CheckOutcome> Screening::check_under_policy(const CheckRequest& request) {
  ATELIER_TRY_ASSIGN(const PolicyInForce policy, decisions_.policy_in_force(request.collection));

  DecisionRequest out;
  out.policy_version = policy.version;
  out.asset_sha256 = request.asset_sha256;
  out.collection = request.collection;
  out.actor = request.actor;
  if (!request.image.empty()) {
    if (out.asset_sha256.empty()) {
      const std::string sha = sha256_hex(request.image);
      ATELIER_TRY_ASSIGN(const auto credential, d_.assets.asset_credential_by_signed(sha));
      if (credential) {
        out.asset_sha256 = credential->asset_sha256;
      } else if (d_.blobs.contains(sha)) {
        out.asset_sha256 = sha;
      }
    }
    ATELIER_TRY(screen_image(request, policy, out));
  } else {
    ATELIER_TRY_ASSIGN(const auto snapshot, d_.registry.sync());
    out.registry = {atelier::to_hex(snapshot.root), snapshot.count};
  }

  // An asset atelier rendered also has its generator's name and its traits screened.
  std::vector<CheckText> texts = request.texts;
  if (!out.asset_sha256.empty()) {
    ATELIER_TRY_ASSIGN(const auto render, d_.assets.render_by_asset(out.asset_sha256));
    if (render) {
      texts.push_back({"generator", render->generator_name});
      const auto traits = nlohmann::json::parse(render->traits_json, nullptr, false);
      if (traits.is_object()) {
        for (const auto& [name, value] : traits.items()) {
          texts.push_back({"traits." + name + ".name", name});
          texts.push_back(
              {"traits." + name, value.is_string() ? value.get<std::string>() : value.dump()});
        }
      }
    }
  }
  if (!texts.empty()) {
    ATELIER_TRY_ASSIGN(const auto compiled, d_.terms.current());
    for (const auto& t : texts) {
      if (compiled.screener) {
        ATELIER_TRY(text::screen_into(*compiled.screener, t.text, t.field, out.evidence));
      }
      out.texts.emplace_back(t.field, sha256_hex(t.text));
    }
    for (const auto& l : compiled.lists) out.term_lists.emplace_back(l.name, l.sha256);
    out.lexicon_sha256 = compiled.lexicon_sha256;
  }

  ATELIER_TRY_ASSIGN(auto decision, decisions_.record(out));
  return CheckOutcome{std::move(decision)};
}

Result<void> Screening::screen_image(const CheckRequest& request, const PolicyInForce& policy,
                                     DecisionRequest& out) {
  ATELIER_TRY_ASSIGN(const Fingerprint f,
                     fingerprint_image(request.image, {.dihedral = true, .crops = true}));
  out.file_sha256 = atelier::to_hex(f.file_sha256);
  out.pixels_sha256 = atelier::to_hex(f.pixels_sha256);
  out.evidence.quality = f.pdq.quality;

  // Exact copies: the file's bytes or its decoded pixels are a registered work's.
  ATELIER_TRY_ASSIGN(const auto exact, d_.registry.store().registry_exact_matches(
                                           out.file_sha256, out.pixels_sha256));
  for (const auto& e : exact) {
    const bool file = e.sha256_file == out.file_sha256;
    out.evidence.images.push_back(
        {.signal = file ? ImageSignal::kExactFile : ImageSignal::kExactPixels,
         .distance = 0,
         .query_variant = "original",
         .entry_variant = file ? "sha256_file" : "sha256_pixels",
         .entry_id = std::to_string(e.id),
         .bank = e.bank,
         .label = e.label});
  }

  const bool trusted = f.pdq.quality >= policy.policy.low_quality_below;
  const auto forms = query_forms(f, policy.policy.low_quality_below, true);
  const int radius = widest_band(policy.policy);
  if (trusted && !policy.policy.pdq.empty()) {
    std::vector<PdqHash> codes;
    for (const auto& [name, code] : forms) codes.push_back(code);
    ATELIER_TRY_ASSIGN(const auto searches, d_.registry.search_many(codes, radius));
    // Per entry, its nearest code over every form of the candidate.
    std::map<std::int64_t, std::pair<std::size_t, RegistryMatch>> best;
    for (std::size_t i = 0; i < searches.size(); ++i) {
      for (const auto& m : searches[i].matches) {
        auto [it, fresh] = best.try_emplace(m.entry_id, i, m);
        if (!fresh && m.distance < it->second.second.distance) it->second = {i, m};
      }
    }
    std::vector<std::pair<std::size_t, RegistryMatch>> ordered;
    for (auto& [id, v] : best) ordered.push_back(std::move(v));
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
      return a.second.distance < b.second.distance;
    });
    for (const auto& [form, m] : ordered) {
      ATELIER_TRY_ASSIGN(const auto entry, d_.registry.store().registry_entry(m.entry_id));
      out.evidence.images.push_back({.signal = ImageSignal::kPdq,
                                     .distance = m.distance,
                                     .query_variant = forms[form].first,
                                     .entry_variant = m.kind,
                                     .entry_id = std::to_string(m.entry_id),
                                     .bank = m.bank,
                                     .label = entry ? entry->label : std::string()});
    }
    const auto& snapshot = searches.front().snapshot;
    out.registry = {atelier::to_hex(snapshot.root), snapshot.count};
  } else {
    ATELIER_TRY_ASSIGN(const auto snapshot, d_.registry.sync());
    out.registry = {atelier::to_hex(snapshot.root), snapshot.count};
  }

  if (!out.asset_sha256.empty()) {
    ATELIER_TRY(
        d_.store.put_asset_fingerprint({out.asset_sha256, to_hex(f.pdq.hash), f.pdq.quality}));
  }
  if (trusted) {
    ATELIER_TRY(near_duplicates(request, policy, query_forms(f, 0, false), out));
  }
  return {};
}

Result<std::optional<store::AssetFingerprintRecord>> Screening::fingerprint_of(
    const std::string& sha) {
  ATELIER_TRY_ASSIGN(auto cached, d_.store.asset_fingerprint(sha));
  if (cached) return cached;
  auto bytes = d_.blobs.get(sha);
  if (!bytes) {
    if (bytes.error().kind == ErrorKind::kNotFound) return std::nullopt;
    return fail(bytes.error());
  }
  auto f = fingerprint_image(*bytes);
  if (!f) return std::nullopt;  // Not an image atelier can hash: nothing to compare with.
  store::AssetFingerprintRecord record{sha, to_hex(f->pdq.hash), f->pdq.quality};
  ATELIER_TRY(d_.store.put_asset_fingerprint(record));
  return record;
}

Result<void> Screening::near_duplicates(const CheckRequest& request, const PolicyInForce& policy,
                                        const std::vector<std::pair<std::string, PdqHash>>& forms,
                                        DecisionRequest& out) {
  if (request.collection.empty()) return {};
  std::optional<U256> after;
  std::int64_t seen = 0;
  while (seen < limits::kNearDuplicateTokensMax) {
    ATELIER_TRY_ASSIGN(const auto tokens, d_.ledger.tokens(request.collection, 500, after));
    if (tokens.empty()) break;
    for (const auto& t : tokens) {
      ++seen;
      if (t.asset_sha256.empty() || t.asset_sha256 == out.asset_sha256 ||
          t.asset_sha256 == out.file_sha256) {
        continue;
      }
      ATELIER_TRY_ASSIGN(const auto fp, fingerprint_of(t.asset_sha256));
      if (!fp || fp->quality < policy.policy.low_quality_below) continue;
      ATELIER_TRY_ASSIGN(const PdqHash theirs, parse_pdq_hex(fp->pdq));
      int best = 257;
      std::string variant;
      for (const auto& [name, code] : forms) {
        const int d = hamming_distance(code, theirs);
        if (d < best) best = d, variant = name;
      }
      if (best <= policy.policy.near_duplicate_max_distance) {
        out.evidence.near_duplicates.push_back({.collection = request.collection,
                                                .token_id = t.token_id.to_decimal(),
                                                .asset_sha256 = t.asset_sha256,
                                                .distance = best,
                                                .variant = variant});
      }
    }
    after = tokens.back().token_id;
    if (std::ssize(tokens) < 500) break;
  }
  return {};
}

}  // namespace atelier::compliance
