// Helpers shared by the provenance tests: the vector files, hex digests, a naive RFC 9162
// reference for proofs, a HashReader that counts and records reads, and a temp directory.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "provenance/merkle.h"
#include "tests/store/test_dir.h"

namespace atelier::provenance::testing {

inline std::filesystem::path data_dir() {
  const char* env = std::getenv("ATELIER_SOURCE_DIR");
  std::filesystem::path root = env && *env ? env : ATELIER_SOURCE_DIR_DEFAULT;
  return root / "tests" / "data" / "provenance";
}

inline nlohmann::json load_json(const std::string& name) {
  std::ifstream in(data_dir() / name);
  if (!in) throw std::runtime_error("missing test data " + (data_dir() / name).string());
  return nlohmann::json::parse(in);
}

inline Digest digest_hex(const std::string& hex) {
  auto bytes = from_hex(hex, 32);
  if (!bytes) throw std::runtime_error("bad digest hex " + hex);
  Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

inline std::vector<Digest> digests_hex(const nlohmann::json& list) {
  std::vector<Digest> out;
  for (const auto& h : list) out.push_back(digest_hex(h.get<std::string>()));
  return out;
}

inline std::string bytes_hex(const std::string& hex) {
  auto bytes = from_hex(hex, hex.size() / 2);
  if (!bytes) throw std::runtime_error("bad hex " + hex);
  return std::string(bytes->begin(), bytes->end());
}

// RFC 9162 §2.1.3.1 PATH(m, D[n]), by the recursive definition, over leaf hashes.
inline std::vector<Digest> naive_path(std::uint64_t m, std::span<const Digest> d) {
  if (d.size() <= 1) return {};
  std::size_t k = std::bit_floor(d.size() - 1);
  std::vector<Digest> out;
  if (m < k) {
    out = naive_path(m, d.first(k));
    out.push_back(mth(d.subspan(k)));
  } else {
    out = naive_path(m - k, d.subspan(k));
    out.push_back(mth(d.first(k)));
  }
  return out;
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b).
inline std::vector<Digest> naive_subproof(std::uint64_t m, std::span<const Digest> d, bool b) {
  if (m == d.size()) return b ? std::vector<Digest>{} : std::vector<Digest>{mth(d)};
  std::size_t k = std::bit_floor(d.size() - 1);
  std::vector<Digest> out;
  if (m <= k) {
    out = naive_subproof(m, d.first(k), b);
    out.push_back(mth(d.subspan(k)));
  } else {
    out = naive_subproof(m - k, d.subspan(k), false);
    out.push_back(mth(d.first(k)));
  }
  return out;
}

inline std::vector<Digest> naive_consistency(std::uint64_t m, std::span<const Digest> d) {
  if (m == 0 || m == d.size()) return {};
  return naive_subproof(m, d, true);
}

// Forwards to another reader, counting and recording every read.
class RecordingReader final : public HashReader {
 public:
  explicit RecordingReader(const HashReader& inner) : inner_(inner) {}
  Result<Digest> hash(std::uint32_t level, std::uint64_t index) const override {
    reads_.emplace_back(level, index);
    return inner_.hash(level, index);
  }
  std::size_t count() const { return reads_.size(); }
  const std::vector<std::pair<std::uint32_t, std::uint64_t>>& reads() const { return reads_; }
  void clear() { reads_.clear(); }

 private:
  const HashReader& inner_;
  mutable std::vector<std::pair<std::uint32_t, std::uint64_t>> reads_;
};

using atelier::testing::TempDir;  // tests/store/test_dir.h

}  // namespace atelier::provenance::testing
