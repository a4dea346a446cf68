// C2SP checkpoints: the exact text format, sign -> open round trips over a real tree, and
// tampering with each part of a signed checkpoint.
#include "provenance/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "provenance/internal/base64.h"
#include "provenance/merkle.h"
#include "provenance/note.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

constexpr std::string_view kOrigin = "atelier.example/log";

class Checkpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = NoteSigner::generate(std::string(kOrigin));
    ASSERT_TRUE(signer.has_value());
    signer_.emplace(std::move(*signer));
    for (int i = 0; i < 10; ++i) tree_.append("{\"event\":" + std::to_string(i) + "}");
    checkpoint_ = {std::string(kOrigin), 10, *tree_.root(10), {}};
    auto note = sign_checkpoint(checkpoint_, *signer_);
    ASSERT_TRUE(note.has_value()) << note.error().to_string();
    note_ = *note;
  }

  std::string code_of(const std::string& note) {
    auto cp = open_checkpoint(note, signer_->verifier(), kOrigin);
    return cp ? "ok" : cp.error().code;
  }

  std::optional<NoteSigner> signer_;
  MemoryTree tree_;
  Checkpoint checkpoint_;
  std::string note_;
};

TEST_F(Checkpoints, TextFormat) {
  std::string root64 = internal::base64_encode(checkpoint_.root);
  EXPECT_EQ(*checkpoint_text(checkpoint_), std::string(kOrigin) + "\n10\n" + root64 + "\n");
  Checkpoint with_ext = checkpoint_;
  with_ext.extensions = {"ext one", "ext two"};
  EXPECT_EQ(*checkpoint_text(with_ext),
            std::string(kOrigin) + "\n10\n" + root64 + "\next one\next two\n");
  EXPECT_EQ(*parse_checkpoint_text(*checkpoint_text(with_ext)), with_ext);
  Checkpoint empty{"o", 0, empty_root(), {}};
  EXPECT_EQ(*checkpoint_text(empty), "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  // The signed note is the text, a blank line and one signature line by the origin's key.
  EXPECT_TRUE(note_.starts_with(*checkpoint_text(checkpoint_) + "\n\xE2\x80\x94 " +
                                std::string(kOrigin) + " "));
}

TEST_F(Checkpoints, RoundTrip) {
  auto cp = open_checkpoint(note_, signer_->verifier(), kOrigin);
  ASSERT_TRUE(cp.has_value()) << cp.error().to_string();
  EXPECT_EQ(*cp, checkpoint_);
  // The verifier needs nothing but the published key text.
  auto verifier = NoteVerifier::parse(signer_->verifier().text());
  ASSERT_TRUE(verifier.has_value());
  EXPECT_EQ(*open_checkpoint(note_, *verifier, kOrigin), checkpoint_);
  // And the root it carries is the one proofs verify against.
  auto proof = inclusion_proof(tree_, 7, cp->size);
  EXPECT_TRUE(verify_inclusion(*tree_.hash(0, 7), 7, cp->size, *proof, cp->root).has_value());
}

TEST_F(Checkpoints, VerifierKeyText) {
  std::string text = signer_->verifier().text();
  std::string prefix = std::string(kOrigin) + "+";
  ASSERT_TRUE(text.starts_with(prefix));
  std::string hex = text.substr(prefix.size(), 8);
  EXPECT_EQ(text[prefix.size() + 8], '+');
  EXPECT_EQ(from_hex(hex, 4).has_value(), true);
  EXPECT_EQ(hex, to_hex(sha256(std::string(kOrigin) + "\n\x01" +
                               std::string(signer_->verifier().public_key().begin(),
                                           signer_->verifier().public_key().end())))
                     .substr(0, 8));
  auto key = internal::base64_decode(text.substr(prefix.size() + 9));
  ASSERT_TRUE(key.has_value());
  ASSERT_EQ(key->size(), 33u);
  EXPECT_EQ((*key)[0], 0x01);
}

TEST_F(Checkpoints, TamperingIsDetected) {
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = note_;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  std::string root64 = internal::base64_encode(checkpoint_.root);
  std::string other_root64 = internal::base64_encode(*tree_.root(9));
  EXPECT_EQ(code_of(replaced("atelier.example/log\n", "atelier.example/lag\n")),
            "note_signature_invalid");
  EXPECT_EQ(code_of(replaced("\n10\n", "\n11\n")), "note_signature_invalid");
  EXPECT_EQ(code_of(replaced(root64, other_root64)), "note_signature_invalid");
  // A flipped bit in the signature itself (after its 4-byte key ID).
  std::string sig64 = note_.substr(note_.rfind(' ') + 1);
  sig64.pop_back();
  auto sig = *internal::base64_decode(sig64);
  sig[10] ^= 0x01;
  EXPECT_EQ(code_of(replaced(sig64, internal::base64_encode(sig))), "note_signature_invalid");
  sig[10] ^= 0x01;
  sig[0] ^= 0x01;  // The key ID: now the signature claims another key of the same name.
  EXPECT_EQ(code_of(replaced(sig64, internal::base64_encode(sig))), "note_key_hash_mismatch");
  EXPECT_EQ(code_of(replaced(sig64, sig64.substr(1))), "note_signature_base64_invalid");
  EXPECT_EQ(code_of(replaced("\n\n", "\n")), "note_missing_blank_line");
  EXPECT_EQ(code_of(note_ + "trailing\n"), "note_signature_line_malformed");
  EXPECT_EQ(code_of(note_ + "trailing"), "note_signature_line_unterminated");
}

TEST_F(Checkpoints, AnotherKeyIsRejected) {
  auto same_name = NoteSigner::generate(std::string(kOrigin));
  auto other_name = NoteSigner::generate("someone.else/log");
  ASSERT_TRUE(same_name && other_name);
  EXPECT_EQ(code_of(*sign_checkpoint(checkpoint_, *same_name)), "note_key_hash_mismatch");
  EXPECT_EQ(code_of(*sign_checkpoint(checkpoint_, *other_name)), "note_unverified");
  // Cosigned by another key as well: still fine, unknown signatures are ignored.
  auto cosigned = *sign_checkpoint(checkpoint_, *other_name);
  cosigned += note_.substr(note_.find("\n\n") + 2);
  EXPECT_EQ(code_of(cosigned), "ok");
}

TEST_F(Checkpoints, OriginMustMatch) {
  auto cp = open_checkpoint(note_, signer_->verifier(), "atelier.example/other");
  ASSERT_FALSE(cp.has_value());
  EXPECT_EQ(cp.error().code, "checkpoint_origin_mismatch");
}

TEST_F(Checkpoints, SignedButMalformedTextsAreRejected) {
  std::string root64 = internal::base64_encode(checkpoint_.root);
  std::string o = std::string(kOrigin) + "\n";
  const std::pair<std::string, std::string> cases[] = {
      {o + "010\n" + root64 + "\n", "checkpoint_size_invalid"},
      {o + "+10\n" + root64 + "\n", "checkpoint_size_invalid"},
      {o + "1e3\n" + root64 + "\n", "checkpoint_size_invalid"},
      {o + "18446744073709551616\n" + root64 + "\n", "checkpoint_size_invalid"},
      {o + "\n" + root64 + "\n", "checkpoint_size_invalid"},
      {o + "10\n" + root64.substr(4) + "\n", "checkpoint_root_invalid"},
      {o + "10\n" + internal::base64_encode(std::vector<std::uint8_t>(31)) + "\n",
       "checkpoint_root_invalid"},
      {o + "10\n", "checkpoint_too_few_lines"},
  };
  for (const auto& [text, code] : cases) {
    auto note = sign_note(text, *signer_);
    ASSERT_TRUE(note.has_value()) << text;
    EXPECT_EQ(code_of(*note), code) << text;
  }
  auto largest = parse_checkpoint_text(o + "18446744073709551615\n" + root64 + "\n");
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->size, 18446744073709551615u);
}

TEST(CheckpointText, ParseErrors) {
  std::string root64 = internal::base64_encode(empty_root());
  auto code = [](const std::string& text) {
    auto cp = parse_checkpoint_text(text);
    return cp ? "ok" : cp.error().code;
  };
  EXPECT_EQ(code("o\n0\n" + root64 + "\n"), "ok");
  EXPECT_EQ(code("o\n0\n" + root64), "checkpoint_text_unterminated");
  EXPECT_EQ(code(""), "checkpoint_text_unterminated");
  EXPECT_EQ(code("\n0\n" + root64 + "\n"), "checkpoint_origin_invalid");
  EXPECT_EQ(code("o\n0\n" + root64 + "\n\n"), "checkpoint_extension_invalid");
  EXPECT_EQ(code("o\n0\n" + root64 + "\next\n"), "ok");
  Checkpoint bad{"", 1, empty_root(), {}};
  EXPECT_EQ(checkpoint_text(bad).error().code, "checkpoint_origin_invalid");
  bad.origin = "two\nlines";
  EXPECT_EQ(checkpoint_text(bad).error().code, "checkpoint_origin_invalid");
  bad.origin = "o";
  bad.extensions = {""};
  EXPECT_EQ(checkpoint_text(bad).error().code, "checkpoint_extension_invalid");
}

TEST(CheckpointText, TheC2spExampleParses) {
  auto v = testing::load_json("signed_note_vectors.json");
  auto note = parse_note(v["c2sp_checkpoint_example"].get<std::string>());
  ASSERT_TRUE(note.has_value()) << note.error().to_string();
  auto cp = parse_checkpoint_text(note->text);
  ASSERT_TRUE(cp.has_value()) << cp.error().to_string();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_EQ(internal::base64_encode(cp->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].key_name, "example.com/behind-the-sofa");
}

}  // namespace
}  // namespace atelier::provenance
