// limits.h — every maximum atelier enforces, in one place (TIGER_STYLE: put a limit on
// everything). Names carry their unit last. Exceeding one is a clear input error naming the
// limit; tests cover both sides of each.
#pragma once

#include <cstdint>

namespace atelier::limits {

// Rendering.
inline constexpr std::int64_t kImageWidthMax = 16384;           // pixels
inline constexpr std::int64_t kImageHeightMax = 16384;          // pixels
inline constexpr std::int64_t kImagePixelsMax = 64LL << 20;     // 64 Mpx, width x height
inline constexpr std::int64_t kImageSideMin = 1;                // pixels
inline constexpr std::int64_t kRenderInstructionsMax = 1'000'000'000;  // Lua VM instructions
inline constexpr std::int64_t kScriptMemoryBytesMax = 256LL << 20;     // Lua heap
inline constexpr std::int64_t kRenderWallMsMax = 20'000;        // wall clock per render
inline constexpr std::int64_t kPathPointsMax = 50'000'000;      // canvas points per render
inline constexpr std::int64_t kDrawCallsMax = 20'000'000;       // canvas calls per render
inline constexpr std::int64_t kSaveDepthMax = 256;              // ctx:save() nesting
// Colour stops per gradient: Cairo keeps them outside the Lua heap, where the memory budget
// does not see them, so a loop of addColorStop could otherwise grow one without bound.
inline constexpr std::int64_t kGradientStopsMax = 256;
inline constexpr std::int64_t kTraitsMax = 64;                  // traits a script returns
inline constexpr std::int64_t kTraitValueBytesMax = 256;
// Lua patterns (string.find/match/gmatch/gsub, src/render/sandbox/internal/lua_pattern.h): captures
// in one pattern and nested matcher calls, Lua 5.4's own LUA_MAXCAPTURES and MAXCCALLS, so
// scripts behave as under stock Lua. Steps are billed to render_instructions_max.
inline constexpr int kPatternCapturesMax = 32;
inline constexpr int kPatternDepthMax = 200;

// Generators.
inline constexpr std::int64_t kScriptBytesMax = 1LL << 20;      // one .lua file
inline constexpr std::int64_t kBundleBytesMax = 32LL << 20;     // a whole bundle
inline constexpr std::int64_t kBundleFilesMax = 64;
inline constexpr std::int64_t kManifestBytesMax = 64LL << 10;
inline constexpr std::int64_t kParamsMax = 64;                  // declared parameters
inline constexpr std::int64_t kNameBytesMax = 64;               // generator / param names

// Recipes and inputs.
inline constexpr std::int64_t kRecipeBytesMax = 16LL << 10;
inline constexpr std::int64_t kInputsMax = 8;                   // control images per recipe
inline constexpr std::int64_t kControlImageBytesMax = 32LL << 20;
inline constexpr std::int64_t kAssetFileBytesMax = 1LL << 31;   // a file given to verify/provenance
inline constexpr std::int64_t kControlImagePixelsMax = 16LL << 20;
inline constexpr std::int64_t kJsonDepthMax = 32;

// Compliance (src/compliance): an image given to `atelier compliance hash` and fingerprinted
// (PDQ, SHA-256). Its declared size is checked before anything is decoded; 64 Mpx is the
// largest image atelier renders (kImagePixelsMax), so every render can be fingerprinted.
inline constexpr std::int64_t kComplianceImageBytesMax = 256LL << 20;  // the file
inline constexpr std::int64_t kComplianceImagePixelsMax = 64LL << 20;  // width x height
// `atelier check` / POST /v1/compliance/check: texts per check (each within the screener's
// own limit), and the earlier tokens of a collection a near-duplicate check compares with.
inline constexpr std::size_t kCheckTextsMax = 64;
inline constexpr std::int64_t kNearDuplicateTokensMax = 100'000;

// Encoders.
inline constexpr int kQualityMin = 1;
inline constexpr int kQualityMax = 100;

// HTTP.
inline constexpr std::int64_t kRequestBodyBytesMax = 1LL << 20;
inline constexpr std::int64_t kRequestHeaderBytesMax = 16LL << 10;
inline constexpr std::int64_t kPageSizeMax = 100;
inline constexpr std::int64_t kPageSizeDefault = 20;
inline constexpr std::int64_t kIdempotencyKeyBytesMax = 255;
// How long an idempotency claim holds against retries while its owner process still runs
// (store.h "Idempotency"): longer than any request takes, so that a slow live request is not run
// twice; a dead owner's claim is taken over at once, whatever its lease.
inline constexpr std::int64_t kIdempotencyLeaseMs = 120'000;
inline constexpr std::int64_t kConnectionsMax = 1024;
// Open connections from one remote IP. A reverse proxy is one client too: its pool of upstream
// connections must fit (nginx keeps 32 idle ones per worker by default); past the cap a new
// connection replaces the client's longest-idle one rather than being refused.
inline constexpr std::int64_t kConnectionsPerClientMax = 256;
inline constexpr std::int64_t kCursorBytesMax = 512;            // ?cursor= on list routes
inline constexpr std::int64_t kApiKeyLabelBytesMax = 128;
inline constexpr std::int64_t kApiKeySecretBytesMax = 128;  // longer bearer tokens refused unread

// The transparency log.
// An entry: tlog-tiles entry bundles prefix each entry with a big-endian 16-bit length.
inline constexpr std::int64_t kLogEntryBytesMax = 65'535;
// Largest tree the proof code accepts. 2^62 leaves is far beyond any real log and keeps every
// `index << level` in the node arithmetic free of overflow.
inline constexpr std::uint64_t kTreeSizeMax = std::uint64_t{1} << 62;
// A whole signed note (text and signature lines). C2SP signed-note asks verifiers to accept at
// least 16 signatures of up to ~5 kB (post-quantum); 1 MiB leaves ample room for that.
inline constexpr std::int64_t kNoteBytesMax = 1 << 20;
// Signature lines in one note: the limit golang.org/x/mod/sumdb/note applies.
inline constexpr std::int64_t kNoteSignaturesMax = 100;
// A key name (the origin of a log, usually a schema-less URL).
inline constexpr std::int64_t kKeyNameBytesMax = 256;
// A proof file given to `atelier log verify-proof` (JSON: entry, proof hashes, checkpoint).
inline constexpr std::int64_t kProofFileBytesMax = 1 << 20;

// Market pricing (src/market, `atelier market quote`).
inline constexpr std::uint64_t kQuoteElapsedSMax = 10'000'000'000;     // ~317 years of auction
inline constexpr std::uint64_t kQuoteSoldMax = 1'000'000'000'000;      // tokens sold before a quote
inline constexpr std::uint64_t kQuoteQuantityMax = 1'000'000'000'000;  // tokens in one quote
// VRGDAs price one token at a time: a purchase of several sums their prices.
inline constexpr std::uint64_t kVrgdaBatchMax = 1'000;
// English auctions: the increment over the standing bid and the end-of-auction extension.
inline constexpr std::int64_t kBidIncrementBpsMax = 10'000;
inline constexpr std::int64_t kTimeBufferSMax = 86'400;
// A converted purchase's bound above its quoted total (market/oracle.h check_slippage).
inline constexpr std::int64_t kSlippageBpsMax = 10'000;
inline constexpr std::int64_t kPriceParamsMax = 8;                     // name=value pairs
inline constexpr std::int64_t kPriceParamBytesMax = 128;               // one name=value's text

// Price-feed oracles (src/market/oracle.h).
inline constexpr std::int64_t kOracleSourcesMax = 32;            // allowed reporters of one feed
inline constexpr std::int64_t kOracleSourceBytesMax = 64;        // a reporter's name
inline constexpr std::int64_t kOracleReportsMax = 1024;          // reports in one aggregation
inline constexpr std::int64_t kOracleMaxAgeMsMax = 86'400'000;   // a day: older is no live price
inline constexpr int kCurrencyDecimalsMax = 36;                  // minor units per major: 10^36

// Rarity ranking and dynamic pricing rules (src/market/rarity.h, rules.h).
inline constexpr std::uint64_t kRarityTokensMax = 10'000'000;  // tokens ranked together
// Traits per token: kTraitsMax; bytes of a trait_type or value: kTraitValueBytesMax.
inline constexpr std::int64_t kPricingRulesBytesMax = 16LL << 10;  // the rules' JSON text
inline constexpr std::int64_t kRarityTiersMax = 32;                // tiers in one rule set

// Text screening against term lists (src/compliance/text, docs/compliance.md "Text screening").
inline constexpr std::int64_t kTermListBytesMax = 64LL << 20;      // one list file's bytes
inline constexpr std::int64_t kTermListTermsMax = 1'000'000;       // terms in one list
inline constexpr std::int64_t kTermBytesMax = 256;                 // one term's UTF-8 bytes
inline constexpr std::int64_t kTermListNameBytesMax = 64;          // [a-z0-9_.-], e.g. "brands"
inline constexpr std::int64_t kTermListMetaBytesMax = 512;         // a list's source or licence
inline constexpr std::int64_t kTermListsMax = 64;                  // lists screened together
// Terms across all lists of one screener: the matcher compiles them into one database (5 to 15 s
// and 15.5 MB for 105,000 terms on the development VM, idle to loaded).
inline constexpr std::int64_t kScreenTermsMax = 1'000'000;
inline constexpr std::int64_t kScreenTextBytesMax = 256LL << 10;   // one screened string
// The normalized string: NFKC can expand a code point up to 18 times (U+FDFA, 3 bytes to 33),
// so the input limit alone would not bound it. Ordinary text stays within twice its size
// (m → "rn" is the largest common growth); four times is refused as a limit error.
inline constexpr std::int64_t kScreenNormalizedBytesMax = 1LL << 20;
// Raw hits the matcher may report for one string before screening stops and says so; a
// string of "aaaa…" against a list of "aa"-style terms would otherwise report O(n·terms).
inline constexpr std::int64_t kScreenCandidatesMax = 65'536;
inline constexpr std::int64_t kScreenMatchesMax = 1'024;           // matches kept per string
// A word list for the screener's run-together rules (/usr/share/dict/american-english-huge is
// 3.5 MB); a word is at most kTermBytesMax.
inline constexpr std::int64_t kLexiconBytesMax = 64LL << 20;

// The registry of protected works (src/compliance/registry, issue 16 §2).
inline constexpr std::int64_t kRegistryEntriesMax = 50'000'000;      // entries ever added
inline constexpr std::int64_t kRegistryBanksMax = 1'000;
inline constexpr std::int64_t kRegistryImportBytesMax = 256LL << 20;  // one CSV/TSV file
inline constexpr std::int64_t kRegistryImportRowsMax = 1'000'000;     // entries in one import
inline constexpr std::int64_t kRegistryFieldBytesMax = 256;           // a label, a source
inline constexpr std::int64_t kRegistryUriBytesMax = 2'048;           // an original's URI
inline constexpr std::int64_t kRegistryCodesPerEntryMax = 16;         // its own and variants
inline constexpr std::int64_t kRegistryStatusChangesMax = 10'000;     // entries in one change
// Search radius in bits. PDQ's usual match threshold is 31; past 64 (a quarter of the bits)
// nearly unrelated images match and a search reads most of the index.
inline constexpr int kRegistryRadiusMax = 64;
inline constexpr std::int64_t kRegistryQueriesMax = 1'000;            // codes in one search

}  // namespace atelier::limits
