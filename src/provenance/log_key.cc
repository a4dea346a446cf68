// The log's signing key and origin (log.h), and the store's checkpoint signer.
#include <fstream>

#include "provenance/log.h"

namespace atelier::provenance {

namespace {

constexpr std::size_t kOriginBytesMax = 256;

// The operator's origin from keys/log.origin, if that file exists.
Result<std::optional<std::string>> configured_origin(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty() || line.size() > kOriginBytesMax) {
    return fail(Error::invalid("log_origin_invalid",
                               path.string() + " must hold the log origin on its first line (1.." +
                                   std::to_string(kOriginBytesMax) + " bytes)",
                               "origin"));
  }
  return line;
}

}  // namespace

Result<std::shared_ptr<const NoteSigner>> load_or_create_log_signer(
    const std::filesystem::path& keys_dir) {
  const auto key_path = keys_dir / "log.key";
  auto origin = configured_origin(keys_dir / "log.origin");
  if (!origin) return fail(origin.error());
  // The key file holds only the seed; the name is needed to build a signer, so load it once
  // under a placeholder name to learn the public key when the origin derives from it.
  auto signer = NoteSigner::load_or_create(origin->value_or("atelier.local/log"), key_path);
  if (!signer) return fail(signer.error());
  if (!*origin) {
    const auto& pub = signer->verifier().public_key();
    std::string derived = "atelier.local/log-" + sha256_hex(pub).substr(0, 16);
    signer = NoteSigner::load(derived, key_path);
    if (!signer) return fail(signer.error());
  }
  return std::make_shared<const NoteSigner>(std::move(*signer));
}

void attach_checkpoint_signer(store::Store& store, std::shared_ptr<const NoteSigner> signer,
                              std::int64_t interval_ms) {
  store.set_checkpoint_signer(
      [signer = std::move(signer)](std::uint64_t size, const Digest& root) -> Result<std::string> {
        return sign_checkpoint(Checkpoint{signer->name(), size, root, {}}, *signer);
      },
      interval_ms);
}

}  // namespace atelier::provenance
