#include "store/internal/migrations.h"

namespace atelier::store::internal {

namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE blobs_meta (
  sha256      TEXT PRIMARY KEY,
  mime_type   TEXT NOT NULL,
  size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE generator_versions (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL,
  bundle_hash   TEXT NOT NULL,
  version       TEXT NOT NULL,
  description   TEXT NOT NULL,
  manifest_json TEXT NOT NULL,
  files_json    TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  UNIQUE (name, bundle_hash)
);
CREATE INDEX generator_versions_by_name ON generator_versions (name, seq);

CREATE TABLE renders (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  recipe_id       TEXT NOT NULL UNIQUE,
  recipe_json     TEXT NOT NULL,
  generator_name  TEXT NOT NULL,
  generator_hash  TEXT NOT NULL,
  token_hash      TEXT NOT NULL,
  width           INTEGER NOT NULL,
  height          INTEGER NOT NULL,
  format          TEXT NOT NULL,
  asset_sha256    TEXT NOT NULL REFERENCES blobs_meta (sha256),
  traits_json     TEXT NOT NULL,
  atelier_version TEXT NOT NULL,
  script_us       INTEGER NOT NULL,
  raster_us       INTEGER NOT NULL,
  encode_us       INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL
);
CREATE INDEX renders_by_asset ON renders (asset_sha256);

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  salt_hex    TEXT NOT NULL,
  hash_hex    TEXT NOT NULL,
  scopes      TEXT NOT NULL,
  label       TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
  key_id        TEXT NOT NULL,
  idem_key      TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER,            -- NULL while the first request is in flight.
  body          TEXT,
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY (key_id, idem_key)
) WITHOUT ROWID;
)sql";

// The transparency log (issue 3): entries with their RFC 6962 leaf hashes, the complete
// subtree hashes above them (level >= 1; level 0 is log_entries.leaf_hash), which subjects each
// entry concerns, and the signed checkpoints. Written only by SqliteStore's commit path, in
// the same transaction as the change each entry records.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE log_entries (
  idx        INTEGER PRIMARY KEY CHECK (idx >= 0),
  entry      TEXT NOT NULL,
  leaf_hash  BLOB NOT NULL CHECK (length(leaf_hash) = 32)
);

CREATE TABLE log_nodes (
  level  INTEGER NOT NULL CHECK (level >= 1),
  idx    INTEGER NOT NULL CHECK (idx >= 0),
  hash   BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE log_subjects (
  subject  TEXT NOT NULL,
  idx      INTEGER NOT NULL,
  PRIMARY KEY (subject, idx)
) WITHOUT ROWID;

CREATE TABLE log_checkpoints (
  size        INTEGER PRIMARY KEY CHECK (size >= 1),
  note        TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
)sql";

// The transaction layer (issue 4): accounts and their double-entry postings and balances;
// collections, tokens and who holds them. Amounts are 32-byte big-endian BLOBs (U256).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE accounts (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('creator', 'collector', 'platform', 'external')),
  name            TEXT NOT NULL,
  allow_negative  INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE balances (
  account   TEXT NOT NULL REFERENCES accounts (id),
  currency  TEXT NOT NULL,
  negative  INTEGER NOT NULL,
  amount    BLOB NOT NULL CHECK (length(amount) = 32),
  PRIMARY KEY (account, currency)
) WITHOUT ROWID;

CREATE TABLE postings (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  log_index  INTEGER NOT NULL,
  account    TEXT NOT NULL REFERENCES accounts (id),
  currency   TEXT NOT NULL,
  credit     INTEGER NOT NULL,
  amount     BLOB NOT NULL CHECK (length(amount) = 32)
);
CREATE INDEX postings_by_account ON postings (account, currency);

CREATE TABLE collections (
  id                TEXT PRIMARY KEY,
  standard          TEXT NOT NULL CHECK (standard IN ('erc721', 'erc1155')),
  name              TEXT NOT NULL,
  description       TEXT NOT NULL,
  image             TEXT NOT NULL,
  external_url      TEXT NOT NULL,
  creator_account   TEXT NOT NULL REFERENCES accounts (id),
  generator_name    TEXT NOT NULL,
  max_supply        BLOB NOT NULL CHECK (length(max_supply) = 32),
  royalty_bps       INTEGER NOT NULL CHECK (royalty_bps BETWEEN 0 AND 10000),
  royalty_receiver  TEXT NOT NULL,
  -- JSON [{"account","bps"}], summing to 10000; [] = all to the seller
  primary_splits    TEXT NOT NULL,
  -- JSON [{"account","bps"}] of the royalty; [] = all to royalty_receiver
  royalty_splits    TEXT NOT NULL,
  created_ms        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tokens (
  collection_id  TEXT NOT NULL REFERENCES collections (id),
  token_id       BLOB NOT NULL CHECK (length(token_id) = 32),
  recipe_id      TEXT NOT NULL,
  asset_sha256   TEXT NOT NULL,
  token_hash     TEXT NOT NULL,
  supply         BLOB NOT NULL CHECK (length(supply) = 32),
  max_supply     BLOB NOT NULL CHECK (length(max_supply) = 32),
  created_ms     INTEGER NOT NULL,
  PRIMARY KEY (collection_id, token_id)
) WITHOUT ROWID;

CREATE TABLE token_holdings (
  collection_id  TEXT NOT NULL,
  token_id       BLOB NOT NULL,
  account        TEXT NOT NULL REFERENCES accounts (id),
  amount         BLOB NOT NULL CHECK (length(amount) = 32),
  PRIMARY KEY (collection_id, token_id, account),
  FOREIGN KEY (collection_id, token_id) REFERENCES tokens (collection_id, token_id)
) WITHOUT ROWID;
CREATE INDEX token_holdings_by_account ON token_holdings (account);

CREATE TABLE token_approvals (
  collection_id  TEXT NOT NULL,
  token_id       BLOB NOT NULL,
  approved       TEXT NOT NULL,
  PRIMARY KEY (collection_id, token_id)
) WITHOUT ROWID;

CREATE TABLE token_operators (
  collection_id  TEXT NOT NULL,
  owner          TEXT NOT NULL,
  operator       TEXT NOT NULL,
  PRIMARY KEY (collection_id, owner, operator)
) WITHOUT ROWID;

CREATE TABLE listings (
  id                TEXT PRIMARY KEY,
  kind              TEXT NOT NULL,
  collection_id     TEXT NOT NULL REFERENCES collections (id),
  token_id          BLOB NOT NULL CHECK (length(token_id) = 32),
  seller            TEXT NOT NULL REFERENCES accounts (id),
  currency          TEXT NOT NULL,
  quantity          BLOB NOT NULL CHECK (length(quantity) = 32),
  sold              BLOB NOT NULL CHECK (length(sold) = 32),
  status            TEXT NOT NULL CHECK (status IN ('active', 'sold_out', 'cancelled')),
  terms             TEXT NOT NULL,  -- canonical JSON: the kind's price parameters
  platform_fee_bps  INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  starts_ms         INTEGER NOT NULL,
  ends_ms           INTEGER NOT NULL,  -- 0: open-ended
  created_ms        INTEGER NOT NULL
) WITHOUT ROWID;

-- An API key may act for one ledger account (a buyer's purchases spend that account's money).
ALTER TABLE api_keys ADD COLUMN account TEXT NOT NULL DEFAULT '';
)sql";

// v4: auctions. Listings gain English-auction state (the high bid and who holds it, how many
// bids, ends_ms that a late bid extends) and the outcome of settling; statuses "ended" (closed
// unsold) and "settled". SQLite cannot alter a CHECK, so the table is rebuilt. Bids and sales
// keep each listing's history (a clearing-price Dutch auction rebates from its sales).
constexpr std::string_view kV4 = R"sql(
CREATE TABLE listings_v4 (
  id                TEXT PRIMARY KEY,
  kind              TEXT NOT NULL,
  collection_id     TEXT NOT NULL REFERENCES collections (id),
  token_id          BLOB NOT NULL CHECK (length(token_id) = 32),
  seller            TEXT NOT NULL REFERENCES accounts (id),
  currency          TEXT NOT NULL,
  quantity          BLOB NOT NULL CHECK (length(quantity) = 32),
  sold              BLOB NOT NULL CHECK (length(sold) = 32),
  status            TEXT NOT NULL
                    CHECK (status IN ('active', 'sold_out', 'cancelled', 'ended', 'settled')),
  terms             TEXT NOT NULL,  -- canonical JSON: the kind's price parameters
  platform_fee_bps  INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  starts_ms         INTEGER NOT NULL,
  ends_ms           INTEGER NOT NULL,  -- 0: open-ended; a late bid extends it
  created_ms        INTEGER NOT NULL,
  high_bidder       TEXT NOT NULL DEFAULT '',
  high_bid          BLOB NOT NULL DEFAULT (zeroblob(32)) CHECK (length(high_bid) = 32),
  bid_count         INTEGER NOT NULL DEFAULT 0,
  outcome           TEXT NOT NULL DEFAULT ''  -- canonical JSON once settled, ended or cancelled
) WITHOUT ROWID;
INSERT INTO listings_v4 (id, kind, collection_id, token_id, seller, currency, quantity, sold,
                         status, terms, platform_fee_bps, starts_ms, ends_ms, created_ms)
  SELECT id, kind, collection_id, token_id, seller, currency, quantity, sold, status, terms,
         platform_fee_bps, starts_ms, ends_ms, created_ms FROM listings;
DROP TABLE listings;
ALTER TABLE listings_v4 RENAME TO listings;

CREATE TABLE bids (
  listing_id  TEXT NOT NULL,
  seq         INTEGER NOT NULL,  -- 0, 1, …: each bid beats the one before
  bidder      TEXT NOT NULL REFERENCES accounts (id),
  amount      BLOB NOT NULL CHECK (length(amount) = 32),
  time_ms     INTEGER NOT NULL,
  log_index   INTEGER NOT NULL,
  PRIMARY KEY (listing_id, seq)
) WITHOUT ROWID;

CREATE TABLE sales (
  listing_id  TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  buyer       TEXT NOT NULL REFERENCES accounts (id),
  quantity    BLOB NOT NULL CHECK (length(quantity) = 32),
  unit_price  BLOB NOT NULL CHECK (length(unit_price) = 32),
  total       BLOB NOT NULL CHECK (length(total) = 32),
  time_ms     INTEGER NOT NULL,
  log_index   INTEGER NOT NULL,
  PRIMARY KEY (listing_id, seq)
) WITHOUT ROWID;
)sql";

// v5: price-feed oracles (market/feeds.h). A feed's update policy, and the latest report of
// each of its sources; every report, superseded or not, is in the transparency log.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE oracle_feeds (
  id          TEXT PRIMARY KEY,
  policy      TEXT NOT NULL,  -- canonical JSON: max_age_ms, max_deviation_bps, min_sources, sources
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE oracle_reports (
  feed_id      TEXT NOT NULL REFERENCES oracle_feeds (id),
  source       TEXT NOT NULL,
  price_wad    BLOB NOT NULL CHECK (length(price_wad) = 32),
  observed_ms  INTEGER NOT NULL,
  received_ms  INTEGER NOT NULL,
  log_index    INTEGER NOT NULL,
  PRIMARY KEY (feed_id, source)
) WITHOUT ROWID;
)sql";

// v6: idempotency claims belong to an owner process for a lease and carry a fencing token
// (store.h "Idempotency", issue 14). Claims made before v6 have no owner: no process can be
// shown to have been cut off before their work committed, so they stay in flight (see
// sqlite_idempotency.cc).
constexpr std::string_view kV6 = R"sql(
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
ALTER TABLE idempotency_keys ADD COLUMN token TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_expires_ms INTEGER;
)sql";

// v7: Content Credentials (issue 15). An asset's signed file: the asset's bytes with a C2PA
// manifest embedded, stored as its own blob. The asset's sha256 stays the hash of the bytes
// the recipe renders (which the manifest's data hash binds); the first signing is kept.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE asset_credentials (
  asset_sha256    TEXT PRIMARY KEY REFERENCES blobs_meta (sha256),
  signed_sha256   TEXT NOT NULL,
  manifest_label  TEXT NOT NULL,
  created_ms      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX asset_credentials_by_signed ON asset_credentials (signed_sha256);
)sql";

// v8: a variant's signed file names the asset it derives from (issue 15), so an asset has one
// signed file as itself (parent_sha256 '') and one as a variant of each parent it was asked
// for. SQLite cannot change a primary key in place: the table is rebuilt, rows kept.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE asset_credentials_v8 (
  asset_sha256    TEXT NOT NULL REFERENCES blobs_meta (sha256),
  parent_sha256   TEXT NOT NULL DEFAULT '',
  signed_sha256   TEXT NOT NULL,
  manifest_label  TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  PRIMARY KEY (asset_sha256, parent_sha256)
) WITHOUT ROWID;
INSERT INTO asset_credentials_v8 (asset_sha256, signed_sha256, manifest_label, created_ms)
  SELECT asset_sha256, signed_sha256, manifest_label, created_ms FROM asset_credentials;
DROP TABLE asset_credentials;
ALTER TABLE asset_credentials_v8 RENAME TO asset_credentials;
CREATE INDEX asset_credentials_by_signed ON asset_credentials (signed_sha256);
)sql";

// v9: pre-mint compliance (issue 16 §4; store/compliance_store.h). Each collection's policy
// versions, and every decision with its evidence and, for one that went to review, the review.
// Decisions have a rowid: `seq` orders the review queue and pages it.
constexpr std::string_view kV9 = R"sql(
CREATE TABLE compliance_policies (
  collection_id  TEXT NOT NULL REFERENCES collections (id),
  version        INTEGER NOT NULL CHECK (version >= 1),
  policy         TEXT NOT NULL,  -- canonical JSON, every key present (compliance/policy.h)
  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
  created_by     TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  log_index      INTEGER NOT NULL,
  PRIMARY KEY (collection_id, version)
) WITHOUT ROWID;

CREATE TABLE compliance_decisions (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  asset_sha256    TEXT NOT NULL,  -- '' for texts alone
  collection_id   TEXT NOT NULL,  -- '' when screened without a collection
  policy_version  INTEGER NOT NULL CHECK (policy_version >= 0),  -- 0: the default policy
  policy_sha256   TEXT NOT NULL CHECK (length(policy_sha256) = 64),
  outcome         TEXT NOT NULL CHECK (outcome IN ('allow', 'review', 'block')),
  record          TEXT NOT NULL,  -- canonical JSON: the decision as logged
  review          TEXT NOT NULL CHECK (review IN ('', 'pending', 'approved', 'rejected')),
  reviewer        TEXT NOT NULL DEFAULT '',
  review_reason   TEXT NOT NULL DEFAULT '',
  reviewed_ms     INTEGER NOT NULL DEFAULT 0,
  created_ms      INTEGER NOT NULL,
  log_index       INTEGER NOT NULL
);
CREATE INDEX compliance_decisions_by_asset
  ON compliance_decisions (asset_sha256, collection_id, policy_version);
CREATE INDEX compliance_decisions_by_review ON compliance_decisions (review, seq);
)sql";

// v10: the registry of protected works (issue 16 §2; store/registry_store.h). Banks, their
// entries (status active, disabled or removed: a removed entry stays, so that its id and the
// log entries naming it keep their meaning), each entry's 256-bit codes in order ("pdq"
// first), and the registry's state: the sequence number of its last change and the snapshot
// (Merkle root and count of the screened entries) that change produced. changed_seq lets the
// matcher read only what changed since it last looked.
constexpr std::string_view kV10 = R"sql(
CREATE TABLE registry_banks (
  name         TEXT PRIMARY KEY,
  source       TEXT NOT NULL,
  enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL,
  changed_seq  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE registry_works (
  id               INTEGER PRIMARY KEY CHECK (id >= 1),
  bank             TEXT NOT NULL REFERENCES registry_banks (name),
  label            TEXT NOT NULL,
  source           TEXT NOT NULL,
  severity         TEXT NOT NULL,
  uri              TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'removed')),
  pdq              BLOB NOT NULL CHECK (length(pdq) = 32),
  sha256_file      TEXT NOT NULL,
  sha256_pixels    TEXT NOT NULL,
  entry_json       TEXT NOT NULL,
  leaf_hash        BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  created_ms       INTEGER NOT NULL,
  updated_ms       INTEGER NOT NULL,
  added_log_index  INTEGER NOT NULL,
  changed_seq      INTEGER NOT NULL
);
CREATE INDEX registry_works_by_code ON registry_works (bank, pdq) WHERE status != 'removed';
CREATE INDEX registry_works_by_change ON registry_works (changed_seq);
CREATE INDEX registry_works_by_bank ON registry_works (bank, id);

CREATE TABLE registry_codes (
  entry_id  INTEGER NOT NULL REFERENCES registry_works (id),
  ord       INTEGER NOT NULL CHECK (ord >= 0),
  kind      TEXT NOT NULL,
  code      BLOB NOT NULL CHECK (length(code) = 32),
  PRIMARY KEY (entry_id, ord)
) WITHOUT ROWID;

CREATE TABLE registry_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  seq        INTEGER NOT NULL CHECK (seq >= 1),
  root       BLOB NOT NULL CHECK (length(root) = 32),
  count      INTEGER NOT NULL CHECK (count >= 0),
  log_index  INTEGER NOT NULL
);
)sql";

// v11: the term lists texts are screened against (issue 16 §3), each kept as the file that
// was imported, and the PDQ hashes of checked assets (near-duplicates within a collection).
constexpr std::string_view kV11 = R"sql(
CREATE TABLE compliance_term_lists (
  name        TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  licence     TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('block', 'review')),
  format      TEXT NOT NULL CHECK (format IN ('text', 'csv')),
  body        TEXT NOT NULL,
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
  terms       INTEGER NOT NULL CHECK (terms >= 0),
  created_by  TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  log_index   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE asset_fingerprints (
  asset_sha256  TEXT PRIMARY KEY,
  pdq           TEXT NOT NULL CHECK (length(pdq) = 64),
  quality       INTEGER NOT NULL CHECK (quality BETWEEN 0 AND 100)
) WITHOUT ROWID;
-- `atelier check`: an image that is a registered work byte for byte or pixel for pixel.
CREATE INDEX registry_works_by_sha256_file ON registry_works (sha256_file)
  WHERE sha256_file != '';
CREATE INDEX registry_works_by_sha256_pixels ON registry_works (sha256_pixels)
  WHERE sha256_pixels != '';
)sql";

constexpr std::string_view kAll[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8, kV9, kV10, kV11};

}  // namespace

std::span<const std::string_view> migrations() { return kAll; }

}  // namespace atelier::store::internal
