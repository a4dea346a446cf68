#include "provenance/checkpoint.h"

#include <charconv>

#include "provenance/internal/base64.h"
#include "provenance/internal/text.h"
#include "provenance/note.h"

namespace atelier::provenance {

namespace {

Error bad(std::string code, std::string message) {
  return Error::invalid(std::move(code), std::move(message), "checkpoint");
}

// A line we are willing to write: non-empty UTF-8 without newline or control characters.
bool is_writable_line(std::string_view line) {
  return !line.empty() && line.find('\n') == std::string_view::npos &&
         !internal::has_control_character(line) && internal::is_valid_utf8(line);
}

// Canonical decimal: digits only, no leading zero unless the value is 0, fits in 64 bits.
Result<std::uint64_t> parse_size(std::string_view line) {
  std::uint64_t size = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), size);
  bool canonical = !line.empty() && (line.size() == 1 || line[0] != '0');
  if (ec != std::errc() || end != line.data() + line.size() || !canonical) {
    return fail(bad("checkpoint_size_invalid",
                    "the tree size must be a decimal number without leading zeros"));
  }
  return size;
}

Result<Digest> parse_root(std::string_view line) {
  auto bytes = internal::base64_decode(line);
  if (!bytes || bytes->size() != std::tuple_size_v<Digest>) {
    return fail(bad("checkpoint_root_invalid", "the root hash must be base64 of 32 bytes"));
  }
  Digest root{};
  std::copy(bytes->begin(), bytes->end(), root.begin());
  return root;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

Result<std::string> checkpoint_text(const Checkpoint& checkpoint) {
  if (!is_writable_line(checkpoint.origin)) {
    return fail(bad("checkpoint_origin_invalid", "the origin must be one non-empty line of text"));
  }
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     internal::base64_encode(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    if (!is_writable_line(line)) {
      return fail(bad("checkpoint_extension_invalid", "an extension must be one non-empty line"));
    }
    text += line + "\n";
  }
  return text;
}

Result<Checkpoint> parse_checkpoint_text(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return fail(bad("checkpoint_text_unterminated", "checkpoint text must end in a newline"));
  }
  std::vector<std::string_view> lines = split_lines(text);
  if (lines.size() < 3) {
    return fail(bad("checkpoint_too_few_lines", "a checkpoint has origin, size and root lines"));
  }
  if (lines[0].empty()) return fail(bad("checkpoint_origin_invalid", "the origin is empty"));
  Result<std::uint64_t> size = parse_size(lines[1]);
  if (!size) return fail(size.error());
  Result<Digest> root = parse_root(lines[2]);
  if (!root) return fail(root.error());
  Checkpoint cp{std::string(lines[0]), *size, *root, {}};
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return fail(bad("checkpoint_extension_invalid", "extension lines must not be empty"));
    }
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, const NoteSigner& signer) {
  Result<std::string> text = checkpoint_text(checkpoint);
  if (!text) return text;
  return sign_note(*text, signer);
}

Result<Checkpoint> open_checkpoint(std::string_view note, const NoteVerifier& verifier,
                                   std::string_view origin) {
  Result<Note> opened = open_note(note, verifier);
  if (!opened) return fail(opened.error());
  Result<Checkpoint> cp = parse_checkpoint_text(opened->text);
  if (!cp) return cp;
  if (cp->origin != origin) {
    return fail(bad("checkpoint_origin_mismatch", "the checkpoint is for \"" + cp->origin +
                                                      "\", not \"" + std::string(origin) + "\""));
  }
  return cp;
}

}  // namespace atelier::provenance
