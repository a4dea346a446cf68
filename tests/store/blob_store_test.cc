// BlobStore (content addressing, atomic writes) and the file helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.h"
#include "store/blob_store.h"
#include "tests/store/test_dir.h"

namespace atelier::store {
namespace {

namespace fs = std::filesystem;
using atelier::testing::TempDir;
using ::testing::HasSubstr;

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<fs::path> regular_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr const char* kAbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(BlobStore, PutNamesBlobsBySha256AndGetReturnsTheBytes) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  auto sha = blobs.put(bytes_of("abc"));
  ASSERT_TRUE(sha) << sha.error().to_string();
  EXPECT_EQ(*sha, kAbcSha);  // FIPS 180-2 vector: the name is the content's SHA-256.
  EXPECT_TRUE(blobs.contains(kAbcSha));
  EXPECT_EQ(blobs.path_of(kAbcSha), dir / "blobs" / "ba" / kAbcSha);
  EXPECT_TRUE(fs::is_regular_file(dir / "blobs" / "ba" / kAbcSha));
  EXPECT_EQ(slurp(blobs.path_of(kAbcSha)), "abc");
  auto got = blobs.get(kAbcSha);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, bytes_of("abc"));
}

TEST(BlobStore, StaleTempFilesOfKilledWritersAreRemovedYoungOnesKept) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  ASSERT_TRUE(blobs.put(bytes_of("abc")));
  fs::path old_tmp = dir / "blobs" / "ba" / ".deadbeef.tmp-0011223344556677";
  fs::path young_tmp = dir / "blobs" / "ba" / ".cafe.tmp-8899aabbccddeeff";
  std::ofstream(old_tmp) << "half";
  std::ofstream(young_tmp) << "in flight";
  fs::last_write_time(old_tmp, fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_EQ(blobs.remove_stale_temp_files(), 1);
  EXPECT_FALSE(fs::exists(old_tmp));
  EXPECT_TRUE(fs::exists(young_tmp));        // Maybe another process is still writing it.
  EXPECT_TRUE(blobs.contains(kAbcSha));      // Blobs themselves are never touched.
  EXPECT_EQ(blobs.remove_stale_temp_files(0), 1);
  EXPECT_FALSE(fs::exists(young_tmp));
}

TEST(BlobStore, SameBytesAreStoredOnce) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  std::vector<std::uint8_t> big(300'000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 31 + 7);
  auto a = blobs.put(big);
  auto b = blobs.put(big);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, sha256_hex(big));
  auto c = blobs.put(bytes_of("something else"));
  ASSERT_TRUE(c);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(regular_files(dir / "blobs").size(), 2u);
  EXPECT_EQ(blobs.get(*a).value(), big);
}

TEST(BlobStore, EmptyBlob) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  auto sha = blobs.put({});
  ASSERT_TRUE(sha);
  EXPECT_EQ(*sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(blobs.get(*sha).value().empty());
}

TEST(BlobStore, AtomicWritesLeaveNoTemporaryFiles) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(blobs.put(bytes_of("blob " + std::to_string(i))));
  ASSERT_TRUE(blobs.put(bytes_of("blob 3")));  // An existing one.
  auto files = regular_files(dir / "blobs");
  EXPECT_EQ(files.size(), 20u);
  for (const auto& f : files) {
    std::string name = f.filename().string();
    EXPECT_TRUE(is_sha256_hex(name)) << "unexpected file " << f;
    EXPECT_EQ(f.parent_path().filename().string(), name.substr(0, 2)) << f;
    EXPECT_EQ(sha256_hex(slurp(f)), name) << "content does not match its name: " << f;
  }
}

TEST(BlobStore, ConcurrentPutsOfTheSameBytesAgree) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  std::vector<std::uint8_t> data(100'000, 0x5a);
  std::vector<std::thread> threads;
  std::vector<std::string> names(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = blobs.put(data);
      names[t] = r ? *r : "error: " + r.error().to_string();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& n : names) EXPECT_EQ(n, sha256_hex(data));
  EXPECT_EQ(regular_files(dir / "blobs").size(), 1u);
  EXPECT_EQ(blobs.get(sha256_hex(data)).value(), data);
}

TEST(BlobStore, MissingAndInvalidNames) {
  TempDir dir;
  BlobStore blobs(dir / "blobs");
  auto missing = blobs.get(kAbcSha);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().code, "blob_not_found");
  EXPECT_FALSE(blobs.contains(kAbcSha));

  for (const char* bad : {"", "abc", "../../etc/passwd",
                          "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"}) {
    auto r = blobs.get(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_sha256") << bad;
    EXPECT_FALSE(blobs.contains(bad));
  }
}

TEST(WriteFileAtomic, WritesAndReplacesWithoutLeftovers) {
  TempDir dir;
  auto target = dir / "out.png";
  ASSERT_TRUE(write_file_atomic(target, bytes_of("first")));
  EXPECT_EQ(slurp(target), "first");
  ASSERT_TRUE(write_file_atomic(target, bytes_of("second, longer")));
  EXPECT_EQ(slurp(target), "second, longer");
  ASSERT_TRUE(write_file_atomic(target, bytes_of("3")));
  EXPECT_EQ(slurp(target), "3");  // Truncated, not overwritten in place.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path()))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"out.png"});
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0022u, 0644u & ~0022u);
}

TEST(WriteFileAtomic, FailureLeavesNothing) {
  TempDir dir;
  auto r = write_file_atomic(dir / "missing-dir" / "out.png", bytes_of("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "io_error");
  EXPECT_FALSE(fs::exists(dir / "missing-dir"));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(WriteFileAtomic, RelativePathInTheCurrentDirectory) {
  TempDir dir;
  auto old = fs::current_path();
  fs::current_path(dir.path());
  auto r = write_file_atomic("plain.txt", bytes_of("here"));
  fs::current_path(old);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(slurp(dir / "plain.txt"), "here");
}

TEST(ReadFile, LimitBothSides) {
  TempDir dir;
  std::string content(200'000, 'q');  // Several read chunks.
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes_of(content)));
  auto exact = read_file(dir / "f", 200'000);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->size(), 200'000u);
  auto over = read_file(dir / "f", 199'999);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::kTooLarge);
  EXPECT_EQ(over.error().code, "file_too_large");
  EXPECT_EQ(over.error().field, "file");
}

TEST(ReadFile, MissingFileIsNotFound) {
  TempDir dir;
  auto r = read_file(dir / "nope", 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(r.error().code, "file_not_found");
  EXPECT_THAT(r.error().message, HasSubstr("nope"));
}

TEST(ReadFile, EmptyFile) {
  TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "empty", {}));
  auto r = read_file(dir / "empty", 0);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace atelier::store
