// C2SP signed notes and Ed25519 note keys against golang.org/x/mod/sumdb/note's published
// keys, signatures and malformed-note table (tests/data/provenance/signed_note_vectors.json).
#include "provenance/note.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/hash.h"
#include "provenance/internal/base64.h"
#include "core/limits.h"
#include "provenance/note_key.h"
#include "test_support.h"

namespace atelier::provenance {
namespace {

class NoteVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = testing::load_json("signed_note_vectors.json");
    text_ = v_["text"];
    peter_sig_ = v_["peter_sig_line"];
    enoch_sig_ = v_["enoch_sig_line"];
    auto peter = NoteVerifier::parse(v_["peter_vkey"].get<std::string>());
    auto enoch = NoteVerifier::parse(v_["enoch_vkey"].get<std::string>());
    ASSERT_TRUE(peter.has_value()) << peter.error().to_string();
    ASSERT_TRUE(enoch.has_value()) << enoch.error().to_string();
    peter_.emplace(std::move(*peter));
    enoch_.emplace(std::move(*enoch));
  }

  std::string code_of(const std::string& message, const NoteVerifier& verifier) {
    auto note = open_note(message, verifier);
    return note ? "ok" : note.error().code;
  }

  nlohmann::json v_;
  std::string text_, peter_sig_, enoch_sig_;
  std::optional<NoteVerifier> peter_, enoch_;
};

TEST_F(NoteVectors, VerifierKeyTextAndKeyId) {
  EXPECT_EQ(peter_->name(), "PeterNeumann");
  EXPECT_EQ(peter_->key_id(), 0xc74f20a3u);
  EXPECT_EQ(peter_->text(), v_["peter_vkey"]);
  EXPECT_EQ(enoch_->key_id(), 0xaf0cfe78u);
  // key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], computed here by hand.
  std::string preimage = "PeterNeumann\n\x01";
  preimage.append(peter_->public_key().begin(), peter_->public_key().end());
  EXPECT_EQ(to_hex(sha256(preimage)).substr(0, 8), v_["peter_key_id"]);
  EXPECT_EQ(note_key_id("PeterNeumann", peter_->public_key()), 0xc74f20a3u);
}

TEST_F(NoteVectors, SigningWithThePublishedKeyReproducesThePublishedNote) {
  auto signer = NoteSigner::parse_private_key(v_["peter_skey"].get<std::string>());
  ASSERT_TRUE(signer.has_value()) << signer.error().to_string();
  EXPECT_EQ(signer->verifier().text(), v_["peter_vkey"]);
  auto note = sign_note(text_, *signer);
  ASSERT_TRUE(note.has_value());
  EXPECT_EQ(*note, text_ + "\n" + peter_sig_);
}

TEST_F(NoteVectors, OpensThePublishedNotes) {
  auto both = text_ + "\n" + peter_sig_ + enoch_sig_;
  for (const NoteVerifier* v : {&*peter_, &*enoch_}) {
    auto note = open_note(both, *v);
    ASSERT_TRUE(note.has_value()) << note.error().to_string();
    EXPECT_EQ(note->text, text_);
    ASSERT_EQ(note->signatures.size(), 2u);
  }
  auto note = parse_note(both);
  ASSERT_TRUE(note.has_value());
  EXPECT_EQ(note->signatures[0].key_name, "PeterNeumann");
  EXPECT_EQ(note->signatures[0].key_id, 0xc74f20a3u);
  EXPECT_EQ(note->signatures[0].signature.size(), kEd25519SignatureBytes);
  EXPECT_EQ(note->signatures[1].key_name, "EnochRoot");
  EXPECT_EQ(note->signatures[1].key_id, 0xaf0cfe78u);
  // Signed by Enoch only: Peter's key finds no signature of its own.
  EXPECT_EQ(code_of(text_ + "\n" + enoch_sig_, *peter_), "note_unverified");
}

TEST_F(NoteVectors, RejectsManglingsOfTheVerifierKey) {  // As TestNewVerifier.
  std::string vkey = v_["peter_vkey"];
  for (std::size_t i = 0; i <= vkey.size(); ++i) {
    for (std::size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_FALSE(NoteVerifier::parse(vkey.substr(i, j - i)).has_value()) << vkey.substr(i, j - i);
    }
  }
  for (std::size_t i = 0; i < vkey.size(); ++i) {
    std::string bad = vkey;
    ++bad[i];
    EXPECT_FALSE(NoteVerifier::parse(bad).has_value()) << bad;
  }
  // Go's decoder accepts the non-zero padding bits of "...BADKEY=="; ours does not.
  EXPECT_EQ(NoteVerifier::parse(v_["bad_vkeys"][0].get<std::string>()).error().code,
            "verifier_key_base64_invalid");
  std::vector<std::uint8_t> long_key(34, 0x5a);
  long_key[0] = kSignatureTypeEd25519;
  EXPECT_EQ(NoteVerifier::parse("PeterNeumann+c74f20a3+" + internal::base64_encode(long_key))
                .error()
                .code,
            "verifier_key_length_invalid");
  EXPECT_EQ(NoteVerifier::parse(v_["bad_vkeys"][1].get<std::string>()).error().code,
            "verifier_key_type_unsupported");
  EXPECT_EQ(
      NoteVerifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .error()
          .code,
      "verifier_key_hash_mismatch");
  EXPECT_EQ(
      NoteVerifier::parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .error()
          .code,
      "verifier_key_name_invalid");
  EXPECT_EQ(NoteVerifier::parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T")
                .error()
                .code,
            "verifier_key_base64_invalid");
  EXPECT_EQ(NoteVerifier::parse("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .error()
                .code,
            "verifier_key_malformed");
}

TEST_F(NoteVectors, RejectsManglingsOfTheSignerKey) {  // As TestNewSigner.
  std::string skey = v_["peter_skey"];
  for (std::size_t i = 0; i <= skey.size(); ++i) {
    for (std::size_t j = i + 1; j <= skey.size(); ++j) {
      if (i == 0 && j == skey.size()) continue;
      EXPECT_FALSE(NoteSigner::parse_private_key(skey.substr(i, j - i)).has_value());
    }
  }
  for (std::size_t i = 0; i < skey.size(); ++i) {
    std::string bad = skey;
    ++bad[i];
    EXPECT_FALSE(NoteSigner::parse_private_key(bad).has_value()) << bad;
  }
}

TEST_F(NoteVectors, MalformedNotesHavePreciseCodes) {  // TestOpen's table, and more.
  const std::string& sig = peter_sig_;
  const std::string body = sig.substr(0, sig.size() - 1);  // Without its newline.
  const std::string b64 = body.substr(body.rfind(' ') + 1);
  const std::pair<std::string, std::string> cases[] = {
      {text_, "note_missing_blank_line"},
      {text_ + "\n", "note_signatures_missing"},
      {text_ + "\n" + body, "note_signature_line_unterminated"},
      {"\x01" + text_ + "\n" + sig, "note_control_character"},
      {"\xff" + text_ + "\n" + sig, "note_not_utf8"},
      {text_ + "\n" + "\xE2\x80\x94 Bad Name " + b64 + "\n", "note_signature_base64_invalid"},
      {text_ + "\n" + "\xE2\x80\x94 Bad+Name " + b64 + "\n", "note_key_name_invalid"},
      {text_ + "\n" + "\xE2\x80\x94  " + b64 + "\n", "note_key_name_invalid"},
      {text_ + "\n" + sig + "Unexpected line.\n", "note_signature_line_malformed"},
      {text_ + "\n" + "- PeterNeumann " + b64 + "\n", "note_signature_line_malformed"},
      {text_ + "\n" + "\xE2\x80\x94 PeterNeumann\n", "note_signature_line_malformed"},
      {text_ + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAA==\n", "note_signature_too_short"},
      {text_ + "\n" + "\xE2\x80\x94 PeterNeumann " + b64.substr(1) + "\n",
       "note_signature_base64_invalid"},
      {text_ + "\r\n" + sig, "note_control_character"},
      // The text does not end in a newline: there is no blank line before the signature.
      {text_.substr(0, text_.size() - 1) + "\n" + sig, "note_missing_blank_line"},
      {"", "note_missing_blank_line"},
  };
  for (const auto& [message, code] : cases) {
    EXPECT_EQ(code_of(message, *peter_), code) << ::testing::PrintToString(message);
  }
}

TEST_F(NoteVectors, SignatureVerificationSemantics) {
  // A known key's bad signature rejects the note even beside a good one (TestOpen).
  std::string spliced = peter_sig_.substr(0, 60) + "ABCD" + peter_sig_.substr(60);
  EXPECT_EQ(code_of(text_ + "\n" + spliced, *peter_), "note_signature_invalid");
  EXPECT_EQ(code_of(text_ + "\n" + enoch_sig_ + spliced, *peter_), "note_signature_invalid");
  // The text is what is signed: one changed byte breaks it.
  std::string changed = text_;
  changed[3] = 'Y';
  EXPECT_EQ(code_of(changed + "\n" + peter_sig_, *peter_), "note_signature_invalid");
  // Enoch's signature carried under Peter's name: Peter's name, Enoch's key ID.
  std::string impostor =
      "\xE2\x80\x94 PeterNeumann " + enoch_sig_.substr(enoch_sig_.find(' ', 4) + 1);
  EXPECT_EQ(code_of(text_ + "\n" + impostor, *peter_), "note_key_hash_mismatch");
  // Peter's key ID and signature under another name: an unknown key, ignored.
  std::string renamed =
      "\xE2\x80\x94 PeterNeumanm " + peter_sig_.substr(peter_sig_.find(' ', 4) + 1);
  EXPECT_EQ(code_of(text_ + "\n" + renamed, *peter_), "note_unverified");
  // Up to the limit of signature lines is fine; one more is not.
  std::string many;
  for (int i = 0; i < limits::kNoteSignaturesMax; ++i) many += peter_sig_;
  EXPECT_EQ(code_of(text_ + "\n" + many, *peter_), "ok");
  EXPECT_EQ(code_of(text_ + "\n" + many + peter_sig_, *peter_), "note_too_many_signatures");
}

TEST_F(NoteVectors, ParsesTheC2spExample) {
  auto note = parse_note(v_["c2sp_signed_note_example"].get<std::string>());
  ASSERT_TRUE(note.has_value()) << note.error().to_string();
  // The text keeps its own blank line: only the last one separates the signatures.
  EXPECT_EQ(note->text,
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
            "ed \xC3\xA8 subito sera.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].key_name, "quasimodo.example/salvatore");
  EXPECT_EQ(note->signatures[0].signature.size(), kEd25519SignatureBytes);
  EXPECT_EQ(code_of(v_["c2sp_signed_note_example"], *peter_), "note_unverified");
}

TEST(Note, SignRefusesTextsANoteCannotCarry) {
  auto signer = NoteSigner::generate("example.com/log");
  ASSERT_TRUE(signer.has_value());
  auto code = [&](std::string_view text) {
    auto note = sign_note(text, *signer);
    return note ? "ok" : note.error().code;
  };
  EXPECT_EQ(code("hello\n"), "ok");
  EXPECT_EQ(code("blank\n\nlines\n"), "ok");
  EXPECT_EQ(code(""), "note_text_empty");
  EXPECT_EQ(code("no newline"), "note_text_unterminated");
  EXPECT_EQ(code("tab\there\n"), "note_control_character");
  EXPECT_EQ(code("\xff\n"), "note_not_utf8");
  EXPECT_EQ(code(std::string(limits::kNoteBytesMax, 'a') + "\n"), "note_too_large");
  // A text with blank lines opens to the same text.
  auto note = sign_note("blank\n\nlines\n", *signer);
  auto opened = open_note(*note, signer->verifier());
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  EXPECT_EQ(opened->text, "blank\n\nlines\n");
}

// Any single-byte change to a signed note is either refused or changes nothing: strict base64
// and strict parsing leave no second spelling of a valid note.
TEST(Note, EverySingleByteMutationIsRejected) {
  auto signer = NoteSigner::generate("example.com/log");
  ASSERT_TRUE(signer.has_value());
  auto note =
      sign_note("example.com/log\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", *signer);
  ASSERT_TRUE(note.has_value());
  std::mt19937 rng(11);
  for (std::size_t pos = 0; pos < note->size(); ++pos) {
    for (int trial = 0; trial < 24; ++trial) {
      std::string mutated = *note;
      mutated[pos] = static_cast<char>(rng());
      if (mutated == *note) continue;
      EXPECT_FALSE(open_note(mutated, signer->verifier()).has_value()) << pos;
    }
  }
}

TEST(Note, GarbageNeverCrashes) {
  std::mt19937 rng(5);
  auto v = NoteSigner::generate("k");
  ASSERT_TRUE(v.has_value());
  const std::string alphabet = "\n \xE2\x80\x94+=/aAz09k";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = i % 2 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    (void)parse_note(s);
    (void)open_note(s, v->verifier());
    (void)NoteVerifier::parse(s);
    (void)NoteSigner::parse_private_key(s);
    (void)internal::base64_decode(s);
  }
}

}  // namespace
}  // namespace atelier::provenance
