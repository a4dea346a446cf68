// BMFF (AVIF) for Content Credentials: the bounded box walk and its clear errors on malformed
// files, the C2PA `uuid` box, `iloc`/`stco` offsets moved on insert and moved back on removal,
// and the c2pa.hash.bmff.v3 computation pinned against a hand-computed hash.
#include "c2pa/bmff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "c2pa/container.h"
#include "c2pa/internal/bytes.h"
#include "c2pa/manifest.h"
#include "c2pa_fixture.h"

namespace atelier::c2pa::testing {
namespace {

using internal::put_be16;
using internal::put_be32;
using internal::put_be64;

Bytes box(const char* type, const Bytes& payload) {
  Bytes b;
  put_be32(b, static_cast<std::uint32_t>(8 + payload.size()));
  b.insert(b.end(), type, type + 4);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes ftyp() { return box("ftyp", {'a', 'v', 'i', 'f', 0, 0, 0, 0, 'm', 'i', 'f', '1'}); }

std::string error_of(const Result<std::vector<bmff::Box>>& r) {
  return r ? std::string("no error") : r.error().code + ": " + r.error().message;
}

TEST(BmffWalk, ReadsPlainLargeSizeAndToTheEndBoxes) {
  Bytes large;
  put_be32(large, 1);
  large.insert(large.end(), {'f', 'r', 'e', 'e'});
  put_be64(large, 20);
  large.insert(large.end(), {1, 2, 3, 4});
  Bytes to_end = {0, 0, 0, 0, 'm', 'd', 'a', 't', 9, 9, 9};
  const Bytes file = cat({ftyp(), large, to_end});
  auto boxes = bmff::top_level_boxes(file);
  ASSERT_TRUE(boxes) << error_of(boxes);
  ASSERT_EQ(boxes->size(), 3u);
  EXPECT_STREQ((*boxes)[1].type, "free");
  EXPECT_EQ((*boxes)[1].size, 20u);
  EXPECT_EQ((*boxes)[1].header, 16u);
  EXPECT_STREQ((*boxes)[2].type, "mdat");
  EXPECT_EQ((*boxes)[2].end(), file.size());
}

TEST(BmffWalk, MalformedFilesAreClearErrors) {
  struct Case {
    const char* name;
    Bytes file;
    const char* says;
  };
  Bytes past_end = box("mdat", {1, 2, 3});
  past_end[3] = 200;  // size 200 in an 11-byte box
  Bytes large_past_end = {0, 0, 0, 1, 'm', 'd', 'a', 't'};
  put_be64(large_past_end, 1ull << 40);
  Bytes large_too_small = {0, 0, 0, 1, 'm', 'd', 'a', 't'};
  put_be64(large_too_small, 12);
  Bytes large_truncated = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0};
  const Case cases[] = {
      {"truncated header", cat({ftyp(), {0, 0, 0}}), "truncated box header"},
      {"size past the end", cat({ftyp(), past_end}), "runs past the end of the file"},
      {"64-bit size past the end", cat({ftyp(), large_past_end}), "runs past the end"},
      {"64-bit size under 16", cat({ftyp(), large_too_small}), "smaller than its header"},
      {"truncated 64-bit size", cat({ftyp(), large_truncated}), "truncated 64-bit box size"},
      {"size under 8", cat({ftyp(), {0, 0, 0, 5, 'f', 'r', 'e', 'e'}}), "smaller than its header"},
      {"uuid without its type", cat({ftyp(), box("uuid", {1, 2, 3})}), "extended type"},
      {"no ftyp first", box("mdat", {1}), "not ftyp"},
      {"empty", {}, "not ftyp"},
  };
  for (const auto& c : cases) {
    auto boxes = bmff::top_level_boxes(c.file);
    ASSERT_FALSE(boxes) << c.name;
    EXPECT_EQ(boxes.error().code, "c2pa_container_malformed") << c.name;
    EXPECT_NE(boxes.error().message.find(c.says), std::string::npos)
        << c.name << ": " << boxes.error().message;
    // Every reader on top of the walk says the same, without reading past the end.
    auto found = find_manifest("image/avif", c.file);
    EXPECT_FALSE(found) << c.name;
  }
}

// A C2PA uuid box with this purpose and data.
Bytes c2pa_box(const std::string& purpose, const Bytes& data, bool terminated = true) {
  Bytes payload(bmff::kC2paUuid.begin(), bmff::kC2paUuid.end());
  put_be32(payload, 0);
  payload.insert(payload.end(), purpose.begin(), purpose.end());
  if (terminated) payload.push_back(0);
  payload.insert(payload.end(), data.begin(), data.end());
  return box("uuid", payload);
}

TEST(BmffC2paBox, ManifestBoxRoundTripsAndDuplicatesAreRefused) {
  const Bytes store = {0, 0, 0, 9, 'j', 'u', 'm', 'b', 7};
  auto written = bmff::manifest_box(store);
  ASSERT_TRUE(written);
  const Bytes file = cat({ftyp(), *written, box("mdat", {1, 2})});
  auto found = find_manifest("image/avif", file);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->store, store);
  ASSERT_EQ((*found)->ranges.size(), 1u);
  EXPECT_EQ((*found)->ranges[0].start, ftyp().size());
  EXPECT_EQ((*found)->ranges[0].length, written->size());

  auto twice = find_manifest("image/avif", cat({ftyp(), *written, *written}));
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("more than one C2PA manifest"), std::string::npos);
}

TEST(BmffC2paBox, MalformedC2paBoxesAreClearErrors) {
  auto unterminated = find_manifest("image/avif", cat({ftyp(), c2pa_box("manifest", {}, false)}));
  ASSERT_FALSE(unterminated);
  EXPECT_NE(unterminated.error().message.find("not terminated"), std::string::npos);
  auto no_offset = find_manifest("image/avif", cat({ftyp(), c2pa_box("manifest", {0, 0})}));
  ASSERT_FALSE(no_offset);
  EXPECT_NE(no_offset.error().message.find("Merkle offset"), std::string::npos);
  auto update = find_manifest("image/avif", cat({ftyp(), c2pa_box("update", {})}));
  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().code, "c2pa_format_unsupported");
  // An auxiliary box is not a store.
  auto merkle = find_manifest("image/avif", cat({ftyp(), c2pa_box("merkle", {1, 2, 3})}));
  ASSERT_TRUE(merkle);
  EXPECT_FALSE(merkle->has_value());
}

// ftyp | meta { hdlr, iloc v1 } | mdat: items 1 (base offset 0, extent offsets absolute),
// 2 (base offset absolute, extent offset relative), 3 (in idat: construction method 1) and
// 4 (another file: data_reference_index 1).
struct IlocFile {
  Bytes file;
  std::size_t base_at = 0;     // item 2's base_offset field
  std::size_t extent1_at = 0;  // item 1's extent_offset field
  std::size_t extent3_at = 0;  // item 3's
  std::size_t extent4_at = 0;  // item 4's
  std::uint32_t mdat_at = 0;
};

IlocFile iloc_file() {
  IlocFile f;
  const Bytes hdlr = box("hdlr", Bytes(25, 0));
  // The mdat's offset is known once the meta's size is: iloc is 4 + 2 + 2 + 4 items.
  auto iloc_payload = [&](std::uint32_t mdat) {
    Bytes p;
    put_be32(p, 0x01000000);  // version 1
    p.push_back(0x44);        // offset_size 4, length_size 4
    p.push_back(0x40);        // base_offset_size 4, index_size 0
    put_be16(p, 4);
    for (std::uint16_t id = 1; id <= 4; ++id) {
      put_be16(p, id);
      put_be16(p, id == 3 ? 1 : 0);  // construction method
      put_be16(p, id == 4 ? 1 : 0);  // data_reference_index
      put_be32(p, id == 2 ? mdat + 8 : 0);
      put_be16(p, 1);
      put_be32(p, id == 1 ? mdat + 8 : id == 2 ? 2 : 100);
      put_be32(p, 2);
    }
    return p;
  };
  const Bytes probe = box("meta", cat({{0, 0, 0, 0}, hdlr, box("iloc", iloc_payload(0))}));
  f.mdat_at = static_cast<std::uint32_t>(ftyp().size() + probe.size());
  const Bytes iloc = box("iloc", iloc_payload(f.mdat_at));
  f.file = cat({ftyp(), box("meta", cat({{0, 0, 0, 0}, hdlr, iloc})), box("mdat", {1, 2, 3, 4})});
  const std::size_t items = ftyp().size() + 8 + 4 + hdlr.size() + 8 + 4 + 2 + 2;
  constexpr std::size_t kItem = 2 + 2 + 2 + 4 + 2 + 4 + 4;
  f.extent1_at = items + 12;
  f.base_at = items + kItem + 6;
  f.extent3_at = items + 2 * kItem + 12;
  f.extent4_at = items + 3 * kItem + 12;
  return f;
}

TEST(BmffOffsets, InsertingMovesFileOffsetsAndRemovingMovesThemBack) {
  const IlocFile f = iloc_file();
  const std::uint32_t mdat = f.mdat_at;
  ASSERT_EQ(internal::be32(f.file.data() + f.extent1_at), mdat + 8);
  ASSERT_EQ(internal::be32(f.file.data() + f.base_at), mdat + 8);
  const Bytes store(30, 0xab);
  auto embedded = embed_manifest("image/avif", f.file, store);
  ASSERT_TRUE(embedded) << embedded.error().to_string();
  const std::size_t shift = embedded->exclusions.at(0).length;
  const Bytes& s = embedded->file;
  EXPECT_EQ(internal::be32(s.data() + f.extent1_at + shift), mdat + 8 + shift);
  EXPECT_EQ(internal::be32(s.data() + f.base_at + shift), mdat + 8 + shift);
  EXPECT_EQ(internal::be32(s.data() + f.extent3_at + shift), 100u) << "idat: relative";
  EXPECT_EQ(internal::be32(s.data() + f.extent4_at + shift), 100u) << "another file";
  // The data each points at is the same data.
  EXPECT_EQ(s[mdat + 8 + shift], 1);
  auto stripped = strip_manifest("image/avif", s);
  ASSERT_TRUE(stripped) << stripped.error().to_string();
  EXPECT_EQ(*stripped, f.file);
}

TEST(BmffOffsets, AnOffsetIntoTheRemovedBoxIsAnError) {
  const IlocFile f = iloc_file();
  auto embedded = embed_manifest("image/avif", f.file, Bytes(30, 0xab));
  ASSERT_TRUE(embedded);
  Bytes s = embedded->file;
  const std::uint32_t into_box = static_cast<std::uint32_t>(ftyp().size() + 10);
  const std::size_t shift = embedded->exclusions.at(0).length;
  for (int i = 0; i < 4; ++i)
    s[f.extent1_at + shift + i] = static_cast<std::uint8_t>(into_box >> (24 - 8 * i));
  auto stripped = strip_manifest("image/avif", s);
  ASSERT_FALSE(stripped);
  EXPECT_NE(stripped.error().message.find("points into the C2PA box"), std::string::npos);
}

TEST(BmffOffsets, ChunkOffsetsInMoovMoveToo) {
  Bytes stco_payload;
  put_be32(stco_payload, 0);
  put_be32(stco_payload, 1);
  put_be32(stco_payload, 0);  // patched below
  Bytes moov =
      box("moov", box("trak", box("mdia", box("minf", box("stbl", box("stco", stco_payload))))));
  Bytes file = cat({ftyp(), moov, box("mdat", {5, 6})});
  const std::size_t field = ftyp().size() + 6 * 8 + 8;
  const auto mdat = static_cast<std::uint32_t>(ftyp().size() + moov.size() + 8);
  for (int i = 0; i < 4; ++i) file[field + i] = static_cast<std::uint8_t>(mdat >> (24 - 8 * i));
  auto embedded = embed_manifest("image/avif", file, Bytes(10, 1));
  ASSERT_TRUE(embedded) << embedded.error().to_string();
  const std::size_t shift = embedded->exclusions.at(0).length;
  EXPECT_EQ(internal::be32(embedded->file.data() + field + shift), mdat + shift);
  auto stripped = strip_manifest("image/avif", embedded->file);
  ASSERT_TRUE(stripped);
  EXPECT_EQ(*stripped, file);
}

TEST(BmffOffsets, FragmentedFilesAreRefused) {
  auto embedded =
      embed_manifest("image/avif", cat({ftyp(), box("moof", {}), box("mdat", {})}), Bytes(10, 1));
  ASSERT_FALSE(embedded);
  EXPECT_EQ(embedded.error().code, "c2pa_format_unsupported");
}

Bytes be64(std::uint64_t v) {
  Bytes b;
  put_be64(b, v);
  return b;
}

TEST(BmffHash, EachIncludedRootBoxIsItsOffsetThenItsBytes) {
  const Bytes meta = box("meta", {0, 0, 0, 0, 1, 2, 3});
  const Bytes fre = box("free", {0, 0});
  const Bytes mdat = box("mdat", {9, 8, 7});
  auto c2pa = bmff::manifest_box(Bytes(5, 3));
  ASSERT_TRUE(c2pa);
  const Bytes file = cat({ftyp(), *c2pa, meta, fre, mdat});
  const std::uint64_t meta_at = ftyp().size() + c2pa->size();
  const std::uint64_t mdat_at = meta_at + meta.size() + fre.size();
  // ftyp, the C2PA box and free are excluded in full, so neither their bytes nor offsets count.
  const Digest want = sha256(cat({be64(meta_at), meta, be64(mdat_at), mdat}));
  auto got = bmff::hash(file, bmff::hash_assertion(Digest{}));
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(*got, want);

  // A subset exclusion keeps the box's offset and the bytes outside the subset.
  cbor::Value a = bmff::hash_assertion(Digest{});
  a.set("exclusions",
        cbor::Value::array(
            {cbor::Value::map({{"xpath", "/ftyp"}}), cbor::Value::map({{"xpath", "/uuid"}}),
             cbor::Value::map({{"xpath", "/free"}}),
             cbor::Value::map({{"xpath", "/mdat[1]"},
                               {"subset", cbor::Value::array({cbor::Value::map(
                                              {{"offset", cbor::Value::unsigned_int(8)},
                                               {"length", cbor::Value::unsigned_int(0)}})})}})}));
  auto subset = bmff::hash(file, a);
  ASSERT_TRUE(subset) << subset.error().to_string();
  EXPECT_EQ(
      *subset,
      sha256(cat({be64(meta_at), meta, be64(mdat_at), Bytes(mdat.begin(), mdat.begin() + 8)})));
}

TEST(BmffHash, MovingARootBoxChangesTheHash) {
  const Bytes file = cat({ftyp(), box("meta", {0, 0, 0, 0}), box("mdat", {1})});
  const Bytes moved = cat({ftyp(), box("free", {}), box("meta", {0, 0, 0, 0}), box("mdat", {1})});
  auto a = bmff::hash(file, bmff::hash_assertion(Digest{}));
  auto b = bmff::hash(moved, bmff::hash_assertion(Digest{}));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b) << "same bytes, other offsets";
}

TEST(BmffHash, AssertionsTheSpecForbidsAreMalformed) {
  const Bytes file = cat({ftyp(), box("mdat", {1})});
  cbor::Value none = bmff::hash_assertion(Digest{});
  none.set("exclusions", cbor::Value::array());
  auto r = bmff::hash(file, none);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_bmff_hash_malformed");

  auto sub = [](std::uint64_t o, std::uint64_t l) {
    return cbor::Value::map(
        {{"offset", cbor::Value::unsigned_int(o)}, {"length", cbor::Value::unsigned_int(l)}});
  };
  cbor::Value unordered = bmff::hash_assertion(Digest{});
  unordered.set(
      "exclusions",
      cbor::Value::array({cbor::Value::map(
          {{"xpath", "/mdat"}, {"subset", cbor::Value::array({sub(8, 4), sub(2, 1)})}})}));
  r = bmff::hash(file, unordered);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_bmff_hash_malformed");

  cbor::Value bad_xpath = bmff::hash_assertion(Digest{});
  bad_xpath.set("exclusions", cbor::Value::array({cbor::Value::map({{"xpath", "mdat"}})}));
  r = bmff::hash(file, bad_xpath);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_bmff_hash_malformed");

  cbor::Value merkle = bmff::hash_assertion(Digest{});
  merkle.set("merkle", cbor::Value::array());
  r = bmff::hash(file, merkle);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "c2pa_bmff_hash_unsupported");
}

// On real, signed AVIF renders.
class BmffSigned : public C2paTest {
 protected:
  ManifestSpec spec() const {
    ManifestSpec s;
    s.title = "token 7";
    s.digital_source_type = kAlgorithmicMedia;
    return s;
  }
};

TEST_F(BmffSigned, TheStoreSitsRightAfterFtypAndTheBindingIsBmffV3) {
  const Bytes plain = make_image("avif", 20, 20);
  auto signed_file = sign_asset(plain, "image/avif", spec(), *signer_);
  ASSERT_TRUE(signed_file) << signed_file.error().to_string();
  auto boxes = bmff::top_level_boxes(*signed_file);
  ASSERT_TRUE(boxes);
  ASSERT_GE(boxes->size(), 3u);
  EXPECT_STREQ((*boxes)[0].type, "ftyp");
  auto c2pa = bmff::read_c2pa_box(*signed_file, (*boxes)[1]);
  ASSERT_TRUE(c2pa && *c2pa);
  EXPECT_EQ((*c2pa)->purpose, "manifest");
  const std::string label = bmff::kHashLabel;
  EXPECT_NE(std::search(signed_file->begin(), signed_file->end(), label.begin(), label.end()),
            signed_file->end());
}

TEST_F(BmffSigned, DuplicateC2paBoxesAreRefusedByBothReaders) {
  auto signed_file = sign_asset(make_image("avif", 20, 20), "image/avif", spec(), *signer_);
  ASSERT_TRUE(signed_file);
  auto boxes = bmff::top_level_boxes(*signed_file);
  ASSERT_TRUE(boxes);
  const auto& c2pa = (*boxes)[1];
  Bytes twice = *signed_file;
  twice.insert(twice.begin() + static_cast<std::ptrdiff_t>(c2pa.end()),
               signed_file->begin() + static_cast<std::ptrdiff_t>(c2pa.offset),
               signed_file->begin() + static_cast<std::ptrdiff_t>(c2pa.end()));
  auto v = validate_asset(twice, "image/avif", anchors_, now_);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("more than one C2PA manifest"), std::string::npos);
  std::string skip;
  auto j = reference_read(twice, "image/avif", {}, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  EXPECT_TRUE(j.contains("error")) << j.dump(1);
}

TEST_F(BmffSigned, AMovedBoxIsABmffHashMismatchForBothReaders) {
  auto signed_file = sign_asset(make_image("avif", 20, 20), "image/avif", spec(), *signer_);
  ASSERT_TRUE(signed_file);
  auto boxes = bmff::top_level_boxes(*signed_file);
  ASSERT_TRUE(boxes);
  // A `free` box (itself excluded) after the store moves every box behind it.
  Bytes moved = *signed_file;
  const Bytes fre = box("free", {0, 0, 0, 0});
  moved.insert(moved.begin() + static_cast<std::ptrdiff_t>((*boxes)[1].end()), fre.begin(),
               fre.end());
  auto v = validate_asset(moved, "image/avif", anchors_, now_);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->state, "Invalid");
  EXPECT_NE(std::find(v->failures.begin(), v->failures.end(), "assertion.bmffHash.mismatch"),
            v->failures.end());
  std::string skip;
  auto j = reference_read(moved, "image/avif", dir_ / "keys" / kRootCertFile, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  EXPECT_EQ(j["state"], "Invalid") << j.dump(1);
  std::vector<std::string> failures = j["failures"];
  EXPECT_NE(std::find(failures.begin(), failures.end(), "assertion.bmffHash.mismatch"),
            failures.end())
      << j.dump(1);
}

}  // namespace
}  // namespace atelier::c2pa::testing
