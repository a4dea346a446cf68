// log.h — the transparency log as its readers see it: signed checkpoints, entries, inclusion
// and consistency proofs, C2SP tlog-tiles, the offline proof file, and the whole-log audit.
//
// The store appends (store.h: every change and its entry in one group-committed transaction,
// with the tree's subtree hashes and, by policy, a signed checkpoint). This module reads:
//
//   auto signer = load_or_create_log_signer(dir.keys_path());      // keys/log.key
//   attach_checkpoint_signer(store, signer, /*interval_ms=*/0);
//   Log log(store, (*signer)->verifier());
//   Result<EntryProof> p = log.prove(index);            // against the latest checkpoint
//   Result<Checkpoint> ok = verify_entry_proof(*p, verifier);   // offline, key only
//   Result<AuditReport> a = log.audit();                 // `atelier log verify`
//
// Proofs read O(log n) stored hashes (merkle.h); nothing is rehashed except by audit().
// Thread-safety: a Log is as thread-safe as its Store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "provenance/checkpoint.h"
#include "provenance/merkle.h"
#include "provenance/note_key.h"
#include "store/store.h"

namespace atelier::provenance {

// The log's key: keys/log.key (a 32-byte Ed25519 seed, mode 0600) made at first start. Its
// name, the log's origin, is the first line of keys/log.origin when an operator has written
// one before the first start, else "atelier.local/log-" + 16 hex digits of SHA-256 of the
// public key (unique per data directory, stable for its life).
Result<std::shared_ptr<const NoteSigner>> load_or_create_log_signer(
    const std::filesystem::path& keys_dir);

// Makes `store`'s commits sign C2SP checkpoints with `signer` (see Store::set_checkpoint_signer).
void attach_checkpoint_signer(store::Store& store, std::shared_ptr<const NoteSigner> signer,
                              std::int64_t interval_ms);

// A C2SP tlog-tiles resource below "/tile/": a hash tile "<L>/<N>[.p/<W>]" or an entry bundle
// "entries/<N>[.p/<W>]". <N> is written in groups of three digits, all but the last prefixed
// with "x" ("x001/x234/067"); W is 1..255 for a partial tile, 256 for a full one.
struct TilePath {
  bool entries = false;
  std::uint32_t level = 0;  // Tile level (tree level 8·L); 0 for entry bundles.
  std::uint64_t index = 0;
  std::uint32_t width = 256;
  bool operator==(const TilePath&) const = default;
};
inline constexpr std::uint32_t kTileWidth = 256;
inline constexpr std::uint32_t kTileHeight = 8;
// Parses the part after "/tile/". Code "tile_path_invalid" (field "path") for anything the
// spec does not spell that way (leading zeros in a group, missing "x", W of 0 or > 255, …).
Result<TilePath> parse_tile_path(std::string_view path);
// The path after "/tile/" for `tile` (width 256 has no ".p/" suffix).
std::string tile_path(const TilePath& tile);

// An entry with its inclusion proof in a tree of `tree_size` leaves and, when that size was
// checkpointed, the signed checkpoint: everything needed to check it offline with the key.
struct EntryProof {
  std::uint64_t index = 0;
  std::string entry;
  std::uint64_t tree_size = 0;
  std::vector<Digest> proof;
  std::string checkpoint;  // The signed note; empty when tree_size has no checkpoint.
};
// A hash in standard padded base64, as checkpoints and proof files spell hashes.
std::string hash_base64(const Digest& hash);
// The reverse: nullopt unless `text` is canonical base64 of exactly 32 bytes.
std::optional<Digest> hash_from_base64(std::string_view text);

// The proof file / API body: {"index","entry","leaf_hash"(base64),"tree_size",
// "inclusion_proof"[base64…],"checkpoint"}.
std::string entry_proof_json(const EntryProof& proof);
// Codes: "proof_file_invalid" with the field at fault; limits::kProofFileBytesMax.
Result<EntryProof> parse_entry_proof_json(std::string_view text);
// Checks the checkpoint's signature and origin against `verifier`, that it is for
// tree_size, and the entry's inclusion. Codes: open_checkpoint's, "proof_checkpoint_missing",
// "proof_size_mismatch", and verify_inclusion's ("root_mismatch", "proof_wrong_length", …).
Result<Checkpoint> verify_entry_proof(const EntryProof& proof, const NoteVerifier& verifier);

// The outcome of `atelier log verify`.
struct AuditReport {
  bool ok = true;
  std::uint64_t entries = 0;               // Entries rehashed.
  std::uint64_t checkpoints = 0;           // Checkpoints whose signature and root matched.
  std::optional<std::uint64_t> first_bad_index;  // The first entry found wrong, when known.
  std::string code;                        // What failed: "log_entry_hash_mismatch", …
  std::string message;
};

class Log {
 public:
  Log(store::Store& store, NoteVerifier verifier);

  const NoteVerifier& verifier() const { return verifier_; }
  const std::string& origin() const { return verifier_.name(); }

  // The newest stored checkpoint, its signature checked. "log_no_checkpoint" when none.
  struct SignedCheckpoint {
    Checkpoint checkpoint;
    std::string note;
  };
  Result<SignedCheckpoint> latest_checkpoint();

  // "log_entry_not_found" (field "index") past the end.
  Result<store::LogEntryRecord> entry(std::uint64_t index);
  // The entry with its proof in the tree of `tree_size` leaves (default: the latest
  // checkpoint's). "index_out_of_range", "tree_size_out_of_range" (field "size").
  Result<EntryProof> prove(std::uint64_t index, std::optional<std::uint64_t> tree_size = {});
  // RFC 9162 consistency proof between two sizes up to the current tree size.
  Result<std::vector<Digest>> consistency(std::uint64_t from, std::uint64_t to);
  // The root of the first `size` leaves, from stored hashes.
  Result<Digest> root(std::uint64_t size);

  // tlog-tiles bodies. "tile_not_found" when the tile (or that width) does not exist yet.
  Result<std::string> tile(const TilePath& tile);

  // Every entry about `subject` with its proof against the latest checkpoint (entries newer
  // than it come with tree_size 0 and no proof).
  Result<std::vector<EntryProof>> story(std::string_view subject);

  // Recomputes the whole tree from the entries: each leaf hash, each stored subtree hash, and
  // every stored checkpoint (signature and root). Stops at the first problem and names it.
  Result<AuditReport> audit();

 private:
  store::Store& store_;
  NoteVerifier verifier_;
};

}  // namespace atelier::provenance
