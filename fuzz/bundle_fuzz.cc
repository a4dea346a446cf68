// libFuzzer target: generator bundles — manifest.json parsing and validation, its canonical
// JSON, parameter resolution, and load_bundle over a directory written from the input (paths,
// hidden files, symbolic links). Build with `make fuzz`; saved inputs in fuzz/corpus/bundle are
// replayed by tests/fuzz on every test run.
//
// Input: the manifest, then any number of entries, each introduced by a line "--- <path>":
//   --- main.lua               a file (the bytes up to the next "\n--- ")
//   --- assets/dot.txt         a file in a subdirectory
//   --- link -> ../x           a symbolic link (load_bundle must refuse it: bundle_symlink)
//   --- ?params                not a file: params JSON for resolve_params
// Paths are written only when every segment is [A-Za-z0-9._-] and not "." or "..", at most
// four deep, so the fuzzer never writes outside its scratch directory; a link's target may
// climb out with "..", which is what load_bundle must refuse.
//
// Properties: nothing crashes; a parsed manifest's canonical JSON parses back to itself; a
// loaded bundle holds no link and only files that were written; resolved params pass
// check_params.
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "render/generator.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBundleName = "fuzzgen";
constexpr std::size_t kPathDepthMax = 4;
constexpr std::size_t kEntriesMax = 16;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Entry {
  std::string_view header;  // After "--- ".
  std::string_view body;
};

// The entries after the manifest; `manifest` is set to the text before the first one.
std::vector<Entry> split(std::string_view text, std::string_view& manifest) {
  std::vector<Entry> entries;
  constexpr std::string_view kMark = "--- ";
  std::size_t at = text.starts_with(kMark) ? 0 : text.find("\n--- ");
  manifest = text.substr(0, at);
  while (at != std::string_view::npos && entries.size() < kEntriesMax) {
    std::size_t start = at + (text[at] == '\n' ? 1 : 0) + kMark.size();
    std::size_t line_end = text.find('\n', start);
    std::size_t next =
        line_end == std::string_view::npos ? line_end : text.find("\n--- ", line_end);
    Entry e;
    e.header = text.substr(start, line_end == std::string_view::npos ? line_end : line_end - start);
    if (line_end != std::string_view::npos) {
      e.body =
          text.substr(line_end + 1, next == std::string_view::npos ? next : next - line_end - 1);
    }
    entries.push_back(e);
    at = next;
  }
  return entries;
}

// A bundle-relative path we are willing to create (see the top); `allow_up` admits ".." (link
// targets).
bool safe_path(std::string_view path, bool allow_up) {
  if (path.empty() || path.size() > 200) return false;
  std::size_t segments = 0;
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || (seg == ".." && !allow_up)) return false;
    for (char c : seg) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
        return false;
    }
    if (++segments > kPathDepthMax + (allow_up ? kPathDepthMax : 0)) return false;
    start = end + 1;
  }
  return true;
}

fs::path scratch_root() {
  static const fs::path root = [] {
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    return base / ("atelier_bundle_fuzz." + std::to_string(::getpid()));
  }();
  return root;
}

void check_manifest(const atelier::render::Manifest& m) {
  const std::string canonical = atelier::render::manifest_canonical_json(m);
  auto again = atelier::render::parse_manifest(canonical, kBundleName);
  check(again && atelier::render::manifest_canonical_json(*again) == canonical);
}

void check_params(const atelier::render::Manifest& m, std::string_view params_json) {
  auto resolved = atelier::render::resolve_params(m, params_json);
  if (resolved) check(atelier::render::check_params(m, *resolved).has_value());
  for (const auto& spec : m.params) (void)atelier::render::param_from_text(spec, params_json);
}

void load_from_disk(const std::vector<Entry>& entries, std::string_view manifest) {
  const fs::path root = scratch_root();
  const fs::path dir = root / kBundleName;
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(dir, ec);
  std::ofstream(dir / "manifest.json", std::ios::binary)
      .write(manifest.data(), std::streamsize(manifest.size()));
  bool has_link = false;
  for (const Entry& e : entries) {
    if (auto arrow = e.header.find(" -> "); arrow != std::string_view::npos) {
      std::string_view from = e.header.substr(0, arrow), to = e.header.substr(arrow + 4);
      if (!safe_path(from, false) || !safe_path(to, true)) continue;
      fs::create_directories((dir / from).parent_path(), ec);
      fs::create_symlink(to, dir / from, ec);
      has_link = has_link || !ec;
    } else if (safe_path(e.header, false)) {
      fs::create_directories((dir / e.header).parent_path(), ec);
      std::ofstream(dir / e.header, std::ios::binary)
          .write(e.body.data(), std::streamsize(e.body.size()));
    }
  }
  auto bundle = atelier::render::load_bundle(dir);
  if (bundle) {
    check(!has_link);
    check_manifest(bundle->manifest);
    for (const auto& [path, bytes] : bundle->files) {
      check(fs::is_regular_file(fs::symlink_status(dir / path)));
    }
  }
  fs::remove_all(root, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view manifest_text;
  const std::vector<Entry> entries = split(text, manifest_text);

  auto manifest = atelier::render::parse_manifest(manifest_text, kBundleName);
  (void)atelier::render::parse_manifest(manifest_text, "");
  if (manifest) {
    check_manifest(*manifest);
    for (const Entry& e : entries) {
      if (e.header == "?params") check_params(*manifest, e.body);
    }
  }
  // The disk is slow next to parsing: only inputs with entries go there.
  if (!entries.empty()) load_from_disk(entries, manifest_text);
  return 0;
}
