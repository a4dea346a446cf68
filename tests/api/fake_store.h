// fake_store.h — an in-memory Store for the HTTP plumbing tests (API keys and idempotency
// claims are all the pipeline needs), with fault injection: `fail_claims` makes
// claim_idempotency fail, as a broken database would.
#pragma once

#include <map>
#include <mutex>

#include "store/store.h"

namespace atelier::api::testing {

class FakeStore final : public store::Store {
 public:
  Result<bool> put_generator_version(const store::GeneratorVersion&,
                                     const store::LogEvent&) override {
    return true;
  }
  Result<std::optional<store::GeneratorVersion>> generator_version(std::string_view,
                                                                   std::string_view) override {
    return std::nullopt;
  }
  Result<std::optional<store::GeneratorVersion>> latest_generator_version(
      std::string_view) override {
    return std::nullopt;
  }
  Result<std::vector<store::GeneratorVersion>> generator_versions(std::string_view) override {
    return std::vector<store::GeneratorVersion>{};
  }
  Result<store::Page<store::GeneratorSummary>> list_generators(const store::PageRequest&) override {
    return store::Page<store::GeneratorSummary>{};
  }
  Result<bool> put_render(const store::RenderRecord&, const store::AssetRecord&,
                          const store::LogEvent&) override {
    return true;
  }
  Result<std::optional<store::RenderRecord>> render_by_recipe(std::string_view) override {
    return std::nullopt;
  }
  Result<std::optional<store::RenderRecord>> render_by_asset(std::string_view) override {
    return std::nullopt;
  }
  Result<store::Page<store::RenderRecord>> list_renders(const store::PageRequest&) override {
    return store::Page<store::RenderRecord>{};
  }
  Result<std::optional<store::AssetRecord>> asset(std::string_view) override {
    return std::nullopt;
  }

  Result<bool> put_asset_credential(const store::AssetCredentialRecord&) override { return false; }
  Result<std::optional<store::AssetCredentialRecord>> asset_credential(std::string_view,
                                                                       std::string_view) override {
    return std::nullopt;
  }
  Result<std::optional<store::AssetCredentialRecord>> asset_credential_by_signed(
      std::string_view) override {
    return std::nullopt;
  }

  Result<void> put_api_key(const store::ApiKeyRecord& key) override {
    std::lock_guard lock(mu_);
    keys_[key.id] = key;
    return {};
  }
  Result<std::optional<store::ApiKeyRecord>> api_key(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(id));
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }
  Result<std::vector<store::ApiKeyRecord>> list_api_keys() override {
    std::lock_guard lock(mu_);
    std::vector<store::ApiKeyRecord> out;
    for (auto& [_, k] : keys_) out.push_back(k);
    return out;
  }
  Result<bool> revoke_api_key(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(id));
    if (it == keys_.end()) return false;
    it->second.revoked = true;
    return true;
  }

  Result<store::IdempotencyClaim> claim_idempotency(std::string_view key_id,
                                                    std::string_view idem_key,
                                                    std::string_view request_hash,
                                                    std::int64_t) override {
    std::lock_guard lock(mu_);
    if (fail_claims) return fail(Error::internal("db_error", "injected failure"));
    auto k = std::string(key_id) + "\n" + std::string(idem_key);
    auto it = claims_.find(k);
    store::IdempotencyClaim c;
    if (it == claims_.end()) {
      c.token = "t" + std::to_string(++tokens_);
      claims_[k] = {std::string(request_hash), -1, {}, c.token};
      return c;
    }
    if (it->second.hash != request_hash)
      c.state = store::IdempotencyClaim::State::kMismatch;
    else if (it->second.status < 0)
      c.state = store::IdempotencyClaim::State::kInFlight;
    else {
      c.state = store::IdempotencyClaim::State::kReplay;
      c.status = it->second.status;
      c.body = it->second.body;
    }
    return c;
  }
  Result<bool> complete_idempotency(const store::IdempotencyFence& fence, int status,
                                    std::string_view body) override {
    std::lock_guard lock(mu_);
    auto it = claims_.find(fence.key_id + "\n" + fence.idem_key);
    if (it == claims_.end() || it->second.token != fence.token || it->second.status >= 0)
      return false;
    it->second.status = status;
    it->second.body = std::string(body);
    return true;
  }
  Result<void> release_idempotency(const store::IdempotencyFence& fence) override {
    std::lock_guard lock(mu_);
    auto it = claims_.find(fence.key_id + "\n" + fence.idem_key);
    if (it != claims_.end() && it->second.token == fence.token && it->second.status < 0)
      claims_.erase(it);
    return {};
  }

  // The log is not part of the HTTP plumbing these tests exercise.
  Result<std::uint64_t> append_events(std::span<const store::LogEvent>) override {
    return unused();
  }
  std::future<Result<std::uint64_t>> append_event_async(store::LogEvent) override {
    std::promise<Result<std::uint64_t>> p;
    p.set_value(unused());
    return p.get_future();
  }
  Result<std::uint64_t> log_size() override { return 0; }
  Result<std::vector<store::LogEntryRecord>> log_entries(std::uint64_t, std::uint64_t) override {
    return std::vector<store::LogEntryRecord>{};
  }
  Result<std::vector<Digest>> log_hashes(std::uint32_t, std::uint64_t, std::uint64_t) override {
    return std::vector<Digest>{};
  }
  Result<std::vector<std::uint64_t>> log_indexes(std::string_view) override {
    return std::vector<std::uint64_t>{};
  }
  Result<std::vector<store::CheckpointRecord>> checkpoints(std::uint64_t, std::int64_t) override {
    return std::vector<store::CheckpointRecord>{};
  }
  Result<std::optional<store::CheckpointRecord>> latest_checkpoint() override {
    return std::nullopt;
  }
  void set_checkpoint_signer(store::CheckpointSigner, std::int64_t) override {}
  Result<std::optional<store::CheckpointRecord>> checkpoint_now() override { return std::nullopt; }

  std::size_t claims() {
    std::lock_guard lock(mu_);
    return claims_.size();
  }

  bool fail_claims = false;

 private:
  struct Claim {
    std::string hash;
    int status = -1;  // -1: in flight.
    std::string body;
    std::string token;
  };
  static Result<std::uint64_t> unused() {
    return fail(Error::internal("not_implemented", "FakeStore keeps no log"));
  }
  std::mutex mu_;
  std::map<std::string, store::ApiKeyRecord> keys_;
  std::map<std::string, Claim> claims_;
  std::uint64_t tokens_ = 0;
};

}  // namespace atelier::api::testing
