// real_lists.cc — reading the npm term lists (package JSON and word lists).
#include "real_lists.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace atelier::compliance::text::testing {
namespace {

namespace fs = std::filesystem;

fs::path modules(const fs::path& source_dir) { return source_dir / "tests/js/node_modules"; }

Result<std::string> read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::not_found("file_missing", "cannot read " + path.string()));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<nlohmann::json> read_json(const fs::path& path) {
  ATELIER_TRY_ASSIGN(const std::string text, read(path));
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return fail(Error::invalid("json_invalid", path.string()));
  return json;
}

// "npm <name> <version>" and the package's licence.
Result<TermListInfo> package_info(const fs::path& source_dir, const std::string& package,
                                  std::string list_name, const std::string& detail) {
  ATELIER_TRY_ASSIGN(const nlohmann::json pkg,
                     read_json(modules(source_dir) / package / "package.json"));
  return TermListInfo{std::move(list_name),
                      "npm " + package + " " + pkg.value("version", "?") + " (" + detail + ")",
                      pkg.value("license", ""), Severity::kReview};
}

Result<TermList> simple_icons(const fs::path& source_dir) {
  ATELIER_TRY_ASSIGN(TermListInfo info, package_info(source_dir, "simple-icons", "simple-icons",
                                                     "data/simple-icons.json titles"));
  ATELIER_TRY_ASSIGN(const nlohmann::json icons,
                     read_json(modules(source_dir) / "simple-icons/data/simple-icons.json"));
  std::vector<Term> terms;
  for (const auto& icon : icons) {
    terms.push_back(Term{icon.value("title", ""), Severity::kReview,
                         static_cast<std::int64_t>(terms.size() + 1)});
  }
  return TermList::from_terms(std::move(info), std::move(terms));
}

Result<TermList> companies(const fs::path& source_dir) {
  ATELIER_TRY_ASSIGN(TermListInfo info, package_info(source_dir, "@cspell/dict-companies",
                                                     "companies", "dict/companies.txt"));
  ATELIER_TRY_ASSIGN(const std::string text,
                     read(modules(source_dir) / "@cspell/dict-companies/dict/companies.txt"));
  return TermList::parse(text, std::move(info));
}

Result<TermList> pokemon(const fs::path& source_dir) {
  ATELIER_TRY_ASSIGN(TermListInfo info,
                     package_info(source_dir, "pokemon", "pokemon", "data/*.json, ten languages"));
  std::vector<Term> terms;
  for (const char* lang : {"de", "en", "es", "fr", "ja", "ko", "ru", "th", "zh-hans", "zh-hant"}) {
    ATELIER_TRY_ASSIGN(const nlohmann::json names, read_json(modules(source_dir) / "pokemon/data" /
                                                             (std::string(lang) + ".json")));
    std::int64_t index = 0;
    for (const auto& name : names) {
      terms.push_back(Term{name.get<std::string>(), Severity::kReview, ++index});
    }
  }
  return TermList::from_terms(std::move(info), std::move(terms));
}

}  // namespace

std::string real_lists_missing(const fs::path& source_dir) {
  for (const char* package : {"simple-icons", "@cspell/dict-companies", "pokemon", "unhomoglyph"}) {
    if (!fs::exists(modules(source_dir) / package / "package.json")) {
      return "tests/js/node_modules lacks " + std::string(package) +
             " (run scripts/setup, which runs npm ci there)";
    }
  }
  return {};
}

Result<std::vector<TermList>> load_real_lists(const fs::path& source_dir) {
  std::vector<TermList> lists;
  ATELIER_TRY_ASSIGN(TermList icons, simple_icons(source_dir));
  lists.push_back(std::move(icons));
  ATELIER_TRY_ASSIGN(TermList names, companies(source_dir));
  lists.push_back(std::move(names));
  ATELIER_TRY_ASSIGN(TermList characters, pokemon(source_dir));
  lists.push_back(std::move(characters));
  return lists;
}

Result<std::vector<std::pair<std::string, std::string>>> load_homoglyphs(
    const fs::path& source_dir) {
  ATELIER_TRY_ASSIGN(const nlohmann::json table,
                     read_json(modules(source_dir) / "unhomoglyph/data.json"));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [from, to] : table.items()) out.emplace_back(from, to.get<std::string>());
  return out;
}

}  // namespace atelier::compliance::text::testing
