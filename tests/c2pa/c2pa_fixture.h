// c2pa_fixture.h — what the C2PA tests share: real images from atelier's encoders, a fresh
// local CA in a temp dir, and two readers as judges: the reference reader, c2pa-rs
// (tests/js/c2pa-read.mjs), and an independent one, c2pa-ts (tests/js/c2pa-ts-read.mjs).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "c2pa/credentials.h"

namespace atelier::c2pa::testing {

// A width x height gradient encoded as "png" or "jpeg" by atelier's encoder, with a recipe.
Bytes make_image(const std::string& format, int width, int height);

std::filesystem::path source_dir();

class C2paTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::filesystem::path dir_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::vector<Bytes> anchors_;  // the local root, DER
  std::optional<Signer> signer_;
};

// The reference reader's verdict on `bytes` ({"state", "failures", ...}); trust_pem empty: no
// trust anchors. Sets `skip` (and returns null) when node or tests/js/node_modules is missing.
nlohmann::json reference_read(const Bytes& bytes, const std::string& mime,
                              const std::filesystem::path& trust_pem, std::string* skip);

// The second reader's verdict ({"valid", "failures", "successes", "assertions", "ingredients",
// ...}; see tests/js/c2pa-ts-read.mjs for what it cannot check). Sets `skip` (and returns
// null) when node or @trustnxt/c2pa-ts is missing.
nlohmann::json second_read(const Bytes& bytes, const std::string& mime, std::string* skip);

void write_file(const std::filesystem::path& path, const Bytes& bytes);

}  // namespace atelier::c2pa::testing
