#include "provenance/log.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/limits.h"
#include "core/merkle.h"
#include "provenance/internal/base64.h"

namespace atelier::provenance {

namespace {

using internal::base64_decode;
using internal::base64_encode;

// Entries read per batch by audit() and story().
constexpr std::uint64_t kAuditBatch = 4096;
// Checkpoints read per batch by audit().
constexpr std::int64_t kCheckpointBatch = 1024;

Error bad_tile(std::string_view path) {
  return Error::invalid("tile_path_invalid",
                        "\"" + std::string(path) +
                            "\" is not a tlog-tiles path (<L>/<N>[.p/<W>] or "
                            "entries/<N>[.p/<W>], N in x-prefixed groups of three digits)",
                        "path");
}

// A decimal of 1..max_digits digits, no sign, no leading zeros unless exactly "0" (or, with
// `fixed`, exactly max_digits digits as a tile index group is written).
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits, bool fixed) {
  if (s.empty() || s.size() > max_digits || (fixed && s.size() != max_digits)) return std::nullopt;
  if (!fixed && s.size() > 1 && s[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// HashReader over the store's tables.
class StoreHashReader final : public HashReader {
 public:
  explicit StoreHashReader(store::Store& store) : store_(store) {}
  Result<Digest> hash(std::uint32_t level, std::uint64_t index) const override {
    auto h = store_.log_hashes(level, index, index + 1);
    if (!h) return fail(h.error());
    if (h->empty()) {
      return fail(Error::internal("log_node_missing", "the log holds no hash for subtree (" +
                                                          std::to_string(level) + ", " +
                                                          std::to_string(index) + ")"));
    }
    return h->front();
  }

 private:
  store::Store& store_;
};

}  // namespace

std::string hash_base64(const Digest& hash) { return base64_encode(hash); }

std::optional<Digest> hash_from_base64(std::string_view text) {
  auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

// Tiles -----------------------------------------------------------------------------------

Result<TilePath> parse_tile_path(std::string_view path) {
  TilePath t;
  std::string_view rest = path;
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return fail(bad_tile(path));
  std::string_view head = rest.substr(0, slash);
  rest.remove_prefix(slash + 1);
  if (head == "entries") {
    t.entries = true;
  } else {
    auto level = parse_decimal(head, 2, false);
    if (!level || *level > 63) return fail(bad_tile(path));
    t.level = static_cast<std::uint32_t>(*level);
  }
  // Optional ".p/<W>" at the end.
  if (auto p = rest.find(".p/"); p != std::string_view::npos) {
    auto w = parse_decimal(rest.substr(p + 3), 3, false);
    if (!w || *w == 0 || *w >= kTileWidth) return fail(bad_tile(path));
    t.width = static_cast<std::uint32_t>(*w);
    rest = rest.substr(0, p);
  }
  // N: "x" + 3 digits per group but the last, which is 3 digits.
  std::uint64_t index = 0;
  int groups = 0;
  for (;;) {
    slash = rest.find('/');
    std::string_view group = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    if (!last) {
      if (group.size() != 4 || group[0] != 'x') return fail(bad_tile(path));
      group.remove_prefix(1);
    }
    auto v = parse_decimal(group, 3, true);
    if (!v || ++groups > 7) return fail(bad_tile(path));  // 7 groups: up to 10^21 > 2^64.
    if (index > (UINT64_MAX - *v) / 1000) return fail(bad_tile(path));
    index = index * 1000 + *v;
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  t.index = index;
  // One spelling per tile: no redundant leading "x000/" group, no ".p/256".
  if (tile_path(t) != path) return fail(bad_tile(path));
  return t;
}

std::string tile_path(const TilePath& tile) {
  std::string digits = std::to_string(tile.index);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string out = tile.entries ? "entries/" : std::to_string(tile.level) + "/";
  for (std::size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) out += "x";
    out += digits.substr(i, 3);
    if (i + 3 < digits.size()) out += "/";
  }
  if (tile.width < kTileWidth) out += ".p/" + std::to_string(tile.width);
  return out;
}

// Proof files -------------------------------------------------------------------------------

std::string entry_proof_json(const EntryProof& p) {
  nlohmann::json proof = nlohmann::json::array();
  for (const Digest& d : p.proof) proof.push_back(hash_base64(d));
  nlohmann::json j = {{"index", p.index},
                      {"entry", p.entry},
                      {"leaf_hash", hash_base64(leaf_hash(p.entry))},
                      {"tree_size", p.tree_size},
                      {"inclusion_proof", proof},
                      {"checkpoint", p.checkpoint}};
  return j.dump(2) + "\n";
}

Result<EntryProof> parse_entry_proof_json(std::string_view text) {
  auto bad = [](const std::string& field, const std::string& why) {
    return fail(Error::invalid("proof_file_invalid", field + " " + why, field));
  };
  if (text.size() > static_cast<std::size_t>(limits::kProofFileBytesMax)) {
    return fail(Error{
        ErrorKind::kTooLarge, "proof_file_too_large",
        "a proof file may hold at most " + std::to_string(limits::kProofFileBytesMax) + " bytes",
        "proof"});
  }
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("proof", "is not a JSON object");
  EntryProof p;
  if (!j.contains("index") || !j["index"].is_number_unsigned())
    return bad("index", "must be a non-negative integer");
  p.index = j["index"].get<std::uint64_t>();
  if (!j.contains("tree_size") || !j["tree_size"].is_number_unsigned()) {
    return bad("tree_size", "must be a non-negative integer");
  }
  p.tree_size = j["tree_size"].get<std::uint64_t>();
  if (!j.contains("entry") || !j["entry"].is_string())
    return bad("entry", "must be the entry text");
  p.entry = j["entry"].get<std::string>();
  if (!j.contains("checkpoint") || !j["checkpoint"].is_string())
    return bad("checkpoint", "must be a signed note");
  p.checkpoint = j["checkpoint"].get<std::string>();
  if (!j.contains("inclusion_proof") || !j["inclusion_proof"].is_array() ||
      j["inclusion_proof"].size() > 64) {
    return bad("inclusion_proof", "must be an array of at most 64 base64 hashes");
  }
  for (const auto& h : j["inclusion_proof"]) {
    auto d = h.is_string() ? hash_from_base64(h.get<std::string>()) : std::nullopt;
    if (!d) return bad("inclusion_proof", "holds something that is not a base64 SHA-256");
    p.proof.push_back(*d);
  }
  if (j.contains("leaf_hash")) {  // Optional, informative; must agree when present.
    auto d = j["leaf_hash"].is_string() ? hash_from_base64(j["leaf_hash"].get<std::string>())
                                        : std::nullopt;
    if (!d || *d != leaf_hash(p.entry)) return bad("leaf_hash", "is not SHA-256(0x00 || entry)");
  }
  return p;
}

Result<Checkpoint> verify_entry_proof(const EntryProof& p, const NoteVerifier& verifier) {
  if (p.checkpoint.empty()) {
    return fail(Error::invalid("proof_checkpoint_missing", "the proof carries no signed checkpoint",
                               "checkpoint"));
  }
  auto cp = open_checkpoint(p.checkpoint, verifier, verifier.name());
  if (!cp) return fail(cp.error());
  if (cp->size != p.tree_size) {
    return fail(Error::invalid("proof_size_mismatch",
                               "the proof is for a tree of " + std::to_string(p.tree_size) +
                                   " entries, the checkpoint for " + std::to_string(cp->size),
                               "tree_size"));
  }
  ATELIER_TRY(verify_inclusion(leaf_hash(p.entry), p.index, p.tree_size, p.proof, cp->root));
  return cp;
}

// Log ------------------------------------------------------------------------------------

Log::Log(store::Store& store, NoteVerifier verifier)
    : store_(store), verifier_(std::move(verifier)) {}

Result<Log::SignedCheckpoint> Log::latest_checkpoint() {
  auto rec = store_.latest_checkpoint();
  if (!rec) return fail(rec.error());
  if (!*rec)
    return fail(Error::not_found("log_no_checkpoint", "the log has no signed checkpoint yet"));
  auto cp = open_checkpoint((*rec)->note, verifier_, origin());
  if (!cp) return fail(cp.error());
  return SignedCheckpoint{std::move(*cp), std::move((*rec)->note)};
}

Result<store::LogEntryRecord> Log::entry(std::uint64_t index) {
  auto rows = store_.log_entries(index, index + 1);
  if (!rows) return fail(rows.error());
  if (rows->empty()) {
    return fail(Error::not_found("log_entry_not_found",
                                 "the log has no entry " + std::to_string(index), "index"));
  }
  return std::move(rows->front());
}

Result<Digest> Log::root(std::uint64_t size) {
  auto n = store_.log_size();
  if (!n) return fail(n.error());
  if (size > *n) {
    return fail(Error::invalid(
        "tree_size_out_of_range",
        "tree size " + std::to_string(size) + " exceeds the log's " + std::to_string(*n), "size"));
  }
  return root_at(StoreHashReader(store_), size);
}

Result<EntryProof> Log::prove(std::uint64_t index, std::optional<std::uint64_t> tree_size) {
  EntryProof p;
  p.index = index;
  if (tree_size) {
    auto n = store_.log_size();
    if (!n) return fail(n.error());
    if (*tree_size > *n) {
      return fail(Error::invalid("tree_size_out_of_range",
                                 "tree size " + std::to_string(*tree_size) + " exceeds the log's " +
                                     std::to_string(*n),
                                 "size"));
    }
    p.tree_size = *tree_size;
    // The checkpoint for exactly this size, when one was signed.
    auto cps = store_.checkpoints(p.tree_size == 0 ? 0 : p.tree_size - 1, 1);
    if (!cps) return fail(cps.error());
    if (!cps->empty() && cps->front().size == p.tree_size) p.checkpoint = cps->front().note;
  } else {
    auto latest = latest_checkpoint();
    if (!latest) return fail(latest.error());
    p.tree_size = latest->checkpoint.size;
    p.checkpoint = std::move(latest->note);
  }
  auto path = inclusion_proof(StoreHashReader(store_), index, p.tree_size);
  if (!path) return fail(path.error());
  p.proof = std::move(*path);
  auto e = entry(index);
  if (!e) return fail(e.error());
  p.entry = std::move(e->entry);
  return p;
}

Result<std::vector<Digest>> Log::consistency(std::uint64_t from, std::uint64_t to) {
  auto n = store_.log_size();
  if (!n) return fail(n.error());
  if (to > *n) {
    return fail(Error::invalid(
        "tree_size_out_of_range",
        "tree size " + std::to_string(to) + " exceeds the log's " + std::to_string(*n), "to"));
  }
  return consistency_proof(StoreHashReader(store_), from, to);
}

Result<std::string> Log::tile(const TilePath& t) {
  auto not_found = [&] {
    return fail(
        Error::not_found("tile_not_found", "no tile " + tile_path(t) + " in this log yet", "path"));
  };
  const std::uint64_t begin = t.index * kTileWidth;
  if (t.index > (limits::kTreeSizeMax >> 8)) return not_found();
  std::string out;
  if (t.entries) {
    auto rows = store_.log_entries(begin, begin + t.width);
    if (!rows) return fail(rows.error());
    if (rows->size() != t.width) return not_found();
    for (const auto& r : *rows) {
      out.push_back(static_cast<char>((r.entry.size() >> 8) & 0xff));
      out.push_back(static_cast<char>(r.entry.size() & 0xff));
      out += r.entry;
    }
    return out;
  }
  auto hashes = store_.log_hashes(t.level * kTileHeight, begin, begin + t.width);
  if (!hashes) return fail(hashes.error());
  if (hashes->size() != t.width) return not_found();
  out.reserve(hashes->size() * 32);
  for (const Digest& d : *hashes) out.append(reinterpret_cast<const char*>(d.data()), d.size());
  return out;
}

Result<std::vector<EntryProof>> Log::story(std::string_view subject) {
  auto indexes = store_.log_indexes(subject);
  if (!indexes) return fail(indexes.error());
  std::vector<EntryProof> out;
  if (indexes->empty()) return out;
  auto latest = latest_checkpoint();
  if (!latest && latest.error().code != "log_no_checkpoint") return fail(latest.error());
  for (std::uint64_t index : *indexes) {
    if (latest && index < latest->checkpoint.size) {
      auto p = prove(index, latest->checkpoint.size);
      if (!p) return fail(p.error());
      p->checkpoint = latest->note;
      out.push_back(std::move(*p));
    } else {
      auto e = entry(index);
      if (!e) return fail(e.error());
      out.push_back(EntryProof{index, std::move(e->entry), 0, {}, {}});
    }
  }
  return out;
}

// Audit --------------------------------------------------------------------------------------

Result<AuditReport> Log::audit() {
  AuditReport report;
  auto problem = [&](std::string code, std::string message, std::optional<std::uint64_t> index) {
    report.ok = false;
    report.code = std::move(code);
    report.message = std::move(message);
    report.first_bad_index = index;
    return report;
  };
  auto size = store_.log_size();
  if (!size) return fail(size.error());

  MerkleEdge edge;
  // Interior nodes recomputed but not yet compared with the stored ones, per level.
  std::vector<std::vector<std::pair<std::uint64_t, Digest>>> pending(64);
  auto compare_nodes = [&](std::uint32_t level) -> Result<std::optional<std::uint64_t>> {
    auto& nodes = pending[level];
    if (nodes.empty()) return std::nullopt;
    auto stored = store_.log_hashes(level, nodes.front().first, nodes.back().first + 1);
    if (!stored) return fail(stored.error());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (i >= stored->size() || (*stored)[i] != nodes[i].second) {
        return std::optional<std::uint64_t>(nodes[i].first << level);
      }
    }
    nodes.clear();
    return std::nullopt;
  };

  // Compares every pending recomputed node with the stored one; false after a problem.
  auto check_nodes = [&]() -> Result<bool> {
    for (std::uint32_t level = 1; level < 64; ++level) {
      auto bad = compare_nodes(level);
      if (!bad) return fail(bad.error());
      if (*bad) {
        problem("log_node_mismatch",
                "the stored subtree hash over entries from " + std::to_string(**bad) +
                    " does not match those entries: entry " + std::to_string(**bad) +
                    " or one after it was changed together with its leaf hash",
                **bad);
        return false;
      }
    }
    return true;
  };

  std::uint64_t cp_after = 0;
  std::vector<store::CheckpointRecord> cps;
  std::size_t cp_next = 0;
  auto next_checkpoint = [&]() -> Result<const store::CheckpointRecord*> {
    if (cp_next == cps.size()) {
      auto more = store_.checkpoints(cp_after, kCheckpointBatch);
      if (!more) return fail(more.error());
      cps = std::move(*more);
      cp_next = 0;
      if (cps.empty()) return nullptr;
      cp_after = cps.back().size;
    }
    return &cps[cp_next];
  };
  // Checks every checkpoint of exactly the current size; returns false on a problem.
  auto check_checkpoints = [&]() -> Result<bool> {
    for (;;) {
      auto cp = next_checkpoint();
      if (!cp) return fail(cp.error());
      if (!*cp || (*cp)->size != edge.size()) return true;
      auto opened = open_checkpoint((*cp)->note, verifier_, origin());
      if (!opened) {
        problem("checkpoint_invalid",
                "the checkpoint for tree size " + std::to_string((*cp)->size) +
                    " does not verify: " + opened.error().to_string(),
                std::nullopt);
        return false;
      }
      if (opened->size != edge.size() || opened->root != edge.root()) {
        // The stored subtree hashes may pinpoint the entry; prefer that to "somewhere below".
        auto nodes_ok = check_nodes();
        if (!nodes_ok) return fail(nodes_ok.error());
        if (!*nodes_ok) return false;
        problem("checkpoint_root_mismatch",
                "the entries below " + std::to_string(edge.size()) +
                    " do not hash to the root signed in the checkpoint for that size: an entry "
                    "before index " + std::to_string(edge.size()) + " was changed",
                std::nullopt);
        return false;
      }
      ++report.checkpoints;
      ++cp_next;
    }
  };

  for (std::uint64_t begin = 0; begin < *size; begin += kAuditBatch) {
    auto rows = store_.log_entries(begin, std::min(*size, begin + kAuditBatch));
    if (!rows) return fail(rows.error());
    for (const auto& row : *rows) {
      if (row.index != edge.size()) {
        return problem("log_entry_missing", "entry " + std::to_string(edge.size()) + " is missing",
                       edge.size());
      }
      Digest leaf = leaf_hash(row.entry);
      if (leaf != row.leaf_hash) {
        return problem("log_entry_hash_mismatch",
                       "entry " + std::to_string(row.index) +
                           " does not hash to its stored leaf hash: "
                           "the entry or its hash was changed",
                       row.index);
      }
      edge.append(leaf, [&](std::uint32_t level, std::uint64_t index, const Digest& h) {
        pending[level].emplace_back(index, h);
      });
      ++report.entries;
      auto cp_ok = check_checkpoints();
      if (!cp_ok) return fail(cp_ok.error());
      if (!*cp_ok) return report;
    }
    if (rows->size() != std::min(*size, begin + kAuditBatch) - begin) {
      return problem("log_entry_missing", "entry " + std::to_string(edge.size()) + " is missing",
                     edge.size());
    }
    auto nodes_ok = check_nodes();
    if (!nodes_ok) return fail(nodes_ok.error());
    if (!*nodes_ok) return report;
  }
  auto cp_ok = check_checkpoints();
  if (!cp_ok) return fail(cp_ok.error());
  if (!*cp_ok) return report;
  auto beyond = next_checkpoint();
  if (!beyond) return fail(beyond.error());
  // A checkpoint past the entries read is either newer than this pass (the log grew while it
  // ran: fine) or signs entries that are gone.
  auto now_size = store_.log_size();
  if (!now_size) return fail(now_size.error());
  if (*beyond && (*beyond)->size > *now_size) {
    return problem("checkpoint_beyond_log",
                   "a checkpoint signs a tree of " + std::to_string((*beyond)->size) +
                       " entries but the log holds " + std::to_string(*size) +
                       ": entries were removed",
                   *size);
  }
  return report;
}

}  // namespace atelier::provenance
