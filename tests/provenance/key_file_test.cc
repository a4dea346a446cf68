// The log's signing key on disk: a raw 32-byte Ed25519 seed, mode 0600, never overwritten.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "provenance/note.h"
#include "provenance/note_key.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

using atelier::testing::TempDir;

constexpr const char* kName = "atelier.example/log";

std::string code_of(const Result<NoteSigner>& r) { return r ? "ok" : r.error().code; }

TEST(KeyFile, SaveThenLoadGivesTheSameKey) {
  TempDir dir;
  auto signer = NoteSigner::generate(kName);
  ASSERT_TRUE(signer.has_value());
  auto saved = signer->save(dir / "log.key");
  ASSERT_TRUE(saved.has_value()) << saved.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat((dir / "log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto loaded = NoteSigner::load(kName, dir / "log.key");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().to_string();
  EXPECT_EQ(loaded->verifier().text(), signer->verifier().text());
  // The loaded key signs what the original key's verifier accepts.
  auto note = sign_note("hello\n", *loaded);
  EXPECT_TRUE(open_note(*note, signer->verifier()).has_value());
  // The key file is all that is left: the temp file it was linked from is gone.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(KeyFile, NeverOverwritesAKey) {
  TempDir dir;
  auto first = NoteSigner::generate(kName);
  auto second = NoteSigner::generate(kName);
  ASSERT_TRUE(first->save(dir / "log.key").has_value());
  auto again = second->save(dir / "log.key");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "signer_key_exists");
  EXPECT_EQ(NoteSigner::load(kName, dir / "log.key")->key_id(), first->key_id());
}

TEST(KeyFile, LoadOrCreateCreatesOnceThenLoads) {
  TempDir dir;
  auto created = NoteSigner::load_or_create(kName, dir / "log.key");
  ASSERT_TRUE(created.has_value()) << created.error().to_string();
  auto loaded = NoteSigner::load_or_create(kName, dir / "log.key");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->verifier().text(), created->verifier().text());
}

TEST(KeyFile, LoadRejectsBadFiles) {
  TempDir dir;
  EXPECT_EQ(code_of(NoteSigner::load(kName, dir / "missing.key")), "signer_key_missing");
  EXPECT_EQ(code_of(NoteSigner::load(kName, dir.path())), "signer_key_not_a_file");

  auto signer = NoteSigner::generate(kName);
  ASSERT_TRUE(signer->save(dir / "log.key").has_value());
  std::filesystem::permissions(dir / "log.key", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(code_of(NoteSigner::load(kName, dir / "log.key")), "signer_key_permissions");

  for (std::size_t size : {0u, 31u, 33u, 64u}) {
    auto path = dir / ("short" + std::to_string(size) + ".key");
    std::ofstream(path) << std::string(size, 'k');
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(code_of(NoteSigner::load(kName, path)), "signer_key_length_invalid") << size;
  }
  std::filesystem::permissions(dir / "log.key", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::remove);
  EXPECT_EQ(code_of(NoteSigner::load(kName, dir / "log.key")), "ok");
  EXPECT_EQ(code_of(NoteSigner::load("bad name", dir / "log.key")), "signer_key_name_invalid");
  EXPECT_EQ(code_of(NoteSigner::from_seed("bad name", std::vector<std::uint8_t>(32))),
            "signer_key_name_invalid");
  EXPECT_EQ(code_of(NoteSigner::from_seed(kName, std::vector<std::uint8_t>(31))),
            "signer_key_length_invalid");
}

TEST(KeyFile, SaveIntoAMissingDirectoryFails) {
  TempDir dir;
  auto signer = NoteSigner::generate(kName);
  auto saved = signer->save(dir / "no" / "such" / "log.key");
  ASSERT_FALSE(saved.has_value());
  EXPECT_EQ(saved.error().code, "io_error");
}

}  // namespace
}  // namespace atelier::provenance
