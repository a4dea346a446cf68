// libFuzzer target: the transparency log's readers of outside input — tlog-tiles paths (from
// any HTTP client) and proof files (`atelier log verify-proof`, from anyone). A tile path that
// parses must spell back exactly (one spelling per tile). Build with `make fuzz`; saved inputs
// in fuzz/corpus/log are replayed by tests/fuzz on every test run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "provenance/log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::provenance;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto tile = parse_tile_path(text)) {
    if (tile_path(*tile) != text) __builtin_trap();
    if (tile->width == 0 || tile->width > kTileWidth || tile->level > 63) __builtin_trap();
  }
  if (auto proof = parse_entry_proof_json(text)) {
    static const std::uint8_t seed[32] = {7, 7, 7};
    static const auto verifier = NoteSigner::from_seed("fuzz.example/log", seed)->verifier();
    (void)verify_entry_proof(*proof, verifier);
    (void)verify_inclusion(leaf_hash(proof->entry), proof->index, proof->tree_size, proof->proof,
                           atelier::empty_root());
  }
  return 0;
}
