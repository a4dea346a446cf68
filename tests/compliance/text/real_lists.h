// real_lists.h — the real term lists the tests and the text screening benchmark use, read from
// the npm packages scripts/setup installs into tests/js/node_modules (never committed):
// brand names (simple-icons titles, CC0-1.0), company names (@cspell/dict-companies, MIT) and
// Pokémon names in ten languages (pokemon, MIT).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "compliance/text/term_list.h"
#include "core/error.h"

namespace atelier::compliance::text::testing {

// Empty when the packages are installed under `source_dir`/tests/js/node_modules; else why not.
std::string real_lists_missing(const std::filesystem::path& source_dir);

// "simple-icons" (every icon's title), "companies" (the word list as a text-form term list),
// "pokemon" (data/*.json of all ten languages). Severity review; source names the package
// and version, licence is the package's.
Result<std::vector<TermList>> load_real_lists(const std::filesystem::path& source_dir);

// unhomoglyph's data.json: confusable character → the character it imitates (the UTS #39
// confusables table), both as UTF-8.
Result<std::vector<std::pair<std::string, std::string>>> load_homoglyphs(
    const std::filesystem::path& source_dir);

}  // namespace atelier::compliance::text::testing
