// text_screen_bench — the figures of docs/compliance.md "Text screening": recall on generated
// evasions of real term lists, the false-positive rate on ordinary English words, and
// throughput with more than 100,000 terms.
//
//   cmake --build build --target text_screen_bench && build/bench/text_screen_bench
//
// Needs the npm lists (scripts/setup: simple-icons, @cspell/dict-companies, pokemon,
// unhomoglyph in tests/js/node_modules) and Debian's wamerican-huge
// (/usr/share/dict/american-english-huge). Everything random is seeded: two runs generate the
// same variants, words and prompts. Single-threaded.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compliance/text/internal/utf8.h"
#include "compliance/text/screener.h"
#include "tests/compliance/text/real_lists.h"

namespace {

using namespace atelier::compliance::text;
using Clock = std::chrono::steady_clock;
using atelier::compliance::text::internal::utf8_append;
using atelier::compliance::text::internal::utf8_next;

template <typename T>
T must(atelier::Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// CPU time of this thread: on a machine shared with builds, wall time mostly measures the
// scheduler (12 ms slices lost to other processes).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    if (!utf8_next(s, i, cp)) break;
    out += cp;
  }
  return out;
}

std::string encode(const std::u32string& s) {
  std::string out;
  for (const char32_t cp : s) utf8_append(out, cp);
  return out;
}

char32_t lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
bool ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---- Evasion generators: each returns the variant, or "" when it does not apply. ----

struct Generators {
  std::map<char32_t, std::vector<char32_t>> homoglyphs;  // plain letter → look-alikes
  std::mt19937 rng{20261207};

  template <typename V>
  const auto& pick(const V& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  }

  std::string fullwidth(const std::u32string& t) {
    std::u32string out;
    bool changed = false;
    for (const char32_t c : t) {
      const bool ascii = c > 0x20 && c < 0x7F;
      out += ascii ? c - 0x21 + 0xFF01 : c;
      changed = changed || ascii;
    }
    return changed ? encode(out) : "";
  }

  // Every character that has look-alikes in unhomoglyph's table is replaced by one of them.
  std::string confusable(const std::u32string& t) {
    std::u32string out;
    bool changed = false;
    for (const char32_t c : t) {
      auto it = homoglyphs.find(c);
      if (it == homoglyphs.end()) it = homoglyphs.find(lower(c));
      if (it == homoglyphs.end()) {
        out += c;
        continue;
      }
      out += pick(it->second);
      changed = true;
    }
    return changed ? encode(out) : "";
  }

  std::string leet(const std::u32string& t) {
    static const std::map<char32_t, std::u32string> kLeet = {
        {'a', U"4@"}, {'e', U"3"},  {'i', U"1!"}, {'o', U"0"}, {'s', U"5$"},
        {'t', U"7"},  {'l', U"1|"}, {'g', U"9"},  {'b', U"8"}, {'z', U"2"}};
    std::u32string out;
    bool changed = false;
    for (const char32_t c : t) {
      const auto it = kLeet.find(lower(c));
      if (it == kLeet.end()) {
        out += c;
        continue;
      }
      out += pick(it->second);
      changed = true;
    }
    return changed ? encode(out) : "";
  }

  // One separator between every two characters of the term ("p.a.y.p.a.l", "p a y p a l").
  std::string separated(const std::u32string& t) {
    static const std::vector<char32_t> kSeparators = {'.', '-', '_', ' ', '*', '/'};
    if (t.size() < 2) return "";
    const char32_t sep = pick(kSeparators);
    std::u32string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i > 0 && t[i] != ' ' && t[i - 1] != ' ') out += sep;
      out += t[i];
    }
    return encode(out);
  }

  std::string zero_width(const std::u32string& t) {
    static const std::vector<char32_t> kInvisible = {0x200B, 0x200C, 0x200D,
                                                     0x2060, 0x00AD, 0xFEFF};
    if (t.size() < 2) return "";
    std::u32string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i > 0) out += pick(kInvisible);
      out += t[i];
    }
    return encode(out);
  }

  // Accented, stroked and Zalgo letters: a precomposed one where Latin has it, else combining
  // marks (acute, diaeresis, long stroke overlay).
  std::string diacritics(const std::u32string& t) {
    static const std::map<char32_t, std::u32string> kAccented = {
        {'a', U"áàâäãåą"}, {'e', U"éèêëęě"}, {'i', U"íìîï"}, {'o', U"óòôöõøő"}, {'u', U"úùûüůű"},
        {'c', U"çćč"},     {'n', U"ñńň"},    {'y', U"ýÿ"},   {'d', U"đď"},      {'l', U"łľ"},
        {'h', U"ħ"},       {'s', U"šśş"},    {'z', U"žźż"},  {'g', U"ğ"},       {'r', U"řŕ"},
        {'t', U"ŧť"},      {'k', U"ķ"}};
    static const std::vector<char32_t> kMarks = {0x0301, 0x0308, 0x0336, 0x0327};
    std::u32string out;
    bool changed = false;
    for (const char32_t c : t) {
      if (!ascii_letter(c)) {
        out += c;
        continue;
      }
      const auto it = kAccented.find(lower(c));
      if (it != kAccented.end() && rng() % 2 == 0) {
        out += pick(it->second);
      } else {
        out += c;
        out += pick(kMarks);
      }
      changed = true;
    }
    return changed ? encode(out) : "";
  }

  // Several at once, per character: a look-alike, a leet symbol or the letter, with
  // invisible characters and separators between.
  std::string mixed(const std::u32string& t) {
    std::u32string out;
    bool changed = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i > 0 && t[i] != ' ' && t[i - 1] != ' ' && rng() % 3 == 0) {
        out += rng() % 2 ? char32_t{'.'} : char32_t{0x200B};
      }
      const std::u32string one(1, t[i]);
      const int dice = static_cast<int>(rng() % 3);
      std::string v = dice == 0 ? confusable(one) : dice == 1 ? leet(one) : "";
      if (v.empty()) {
        out += t[i];
      } else {
        out += decode(v);
        changed = true;
      }
    }
    return changed ? encode(out) : "";
  }

  std::string run_together(const std::u32string& t) {
    static const std::vector<std::u32string> kSuffixes = {U"shoes",    U"store", U"shop",
                                                          U"official", U"fan",   U"art"};
    if (t.find(' ') != std::u32string::npos) return "";
    return encode(t + pick(kSuffixes));
  }
};

struct EvasionClass {
  std::string name;
  std::string (Generators::*make)(const std::u32string&);
};

const std::vector<EvasionClass> kClasses = {
    {"fullwidth (NFKC)", &Generators::fullwidth},
    {"confusables (unhomoglyph)", &Generators::confusable},
    {"leetspeak", &Generators::leet},
    {"separators", &Generators::separated},
    {"zero-width", &Generators::zero_width},
    {"diacritics, strokes, Zalgo", &Generators::diacritics},
    {"mixed (all of the above)", &Generators::mixed},
    {"run-together (+shoes, +store…)", &Generators::run_together},
};

struct Variant {
  std::uint32_t list = 0, term = 0;
  std::size_t cls = 0;  // index into kClasses; SIZE_MAX for the plain term
  std::string text;     // the prompt holding the variant
  std::size_t begin = 0, end = 0;
};

std::vector<Variant> make_variants(const std::vector<TermList>& lists, Generators& gen) {
  std::vector<Variant> out;
  for (std::uint32_t l = 0; l < lists.size(); ++l) {
    for (std::uint32_t t = 0; t < lists[l].terms().size(); ++t) {
      const std::string& term = lists[l].terms()[t].text;
      const std::u32string cps = decode(term);
      for (std::size_t c = 0; c <= kClasses.size(); ++c) {
        const std::string v = c == kClasses.size() ? term : (gen.*kClasses[c].make)(cps);
        if (v.empty()) continue;
        const std::string prefix = "poster of ";
        out.push_back(Variant{l, t, c == kClasses.size() ? SIZE_MAX : c, prefix + v + " on a wall",
                              prefix.size(), prefix.size() + v.size()});
      }
    }
  }
  return out;
}

// ---- Configurations of the boundary rules ----

struct Config {
  std::string name;
  int inside_word_letters_min;
  std::shared_ptr<const Lexicon> lexicon;
};

Screener build(const std::vector<TermList>& lists, const Config& c) {
  ScreenOptions o;
  o.inside_word_letters_min = c.inside_word_letters_min;
  o.lexicon = c.lexicon;
  o.skip_unusable_terms = true;
  return must(Screener::build(lists, o), "build");
}

bool found(const Screener& s, const Variant& v, const std::vector<TermList>& lists) {
  const ScreenResult r = must(s.screen(v.text), "screen");
  const std::string& want = lists[v.list].terms()[v.term].text;
  for (const Match& m : r.matches) {
    if (m.list == lists[v.list].info().name && m.term == want && m.begin < v.end &&
        m.end > v.begin) {
      return true;
    }
  }
  return false;
}

void recall(const std::vector<TermList>& lists, const std::vector<Config>& configs,
            const std::vector<Screener>& screeners, const std::vector<Variant>& variants) {
  std::printf("\n## Recall on generated evasions (term inside \"poster of … on a wall\")\n\n");
  std::printf("Counted over the terms whose plain form is found in that config; n = variants.\n\n");
  std::printf("| evasion class | n |");
  for (const Config& c : configs) std::printf(" %s |", c.name.c_str());
  std::printf("\n|---|---|");
  for (std::size_t i = 0; i < configs.size(); ++i) std::printf("---|");
  std::printf("\n");
  // plain[config][list][term]: found without evasion.
  std::vector<std::set<std::pair<std::uint32_t, std::uint32_t>>> plain(configs.size());
  std::vector<std::size_t> plain_total(configs.size(), 0);
  std::size_t terms = 0;
  for (const Variant& v : variants) {
    if (v.cls != SIZE_MAX) continue;
    ++terms;
    for (std::size_t c = 0; c < configs.size(); ++c) {
      if (found(screeners[c], v, lists)) plain[c].insert({v.list, v.term}), ++plain_total[c];
    }
  }
  std::printf("| plain term | %zu |", terms);
  for (std::size_t c = 0; c < configs.size(); ++c) {
    std::printf(" %.1f%% |", 100.0 * plain_total[c] / std::max<std::size_t>(terms, 1));
  }
  std::printf("\n");
  for (std::size_t k = 0; k < kClasses.size(); ++k) {
    std::vector<std::size_t> hit(configs.size(), 0), n(configs.size(), 0);
    std::size_t generated = 0;
    for (const Variant& v : variants) {
      if (v.cls != k) continue;
      ++generated;
      for (std::size_t c = 0; c < configs.size(); ++c) {
        if (!plain[c].contains({v.list, v.term})) continue;
        ++n[c];
        if (found(screeners[c], v, lists)) ++hit[c];
      }
    }
    std::printf("| %s | %zu |", kClasses[k].name.c_str(), generated);
    for (std::size_t c = 0; c < configs.size(); ++c) {
      std::printf(" %.1f%% |", 100.0 * hit[c] / std::max<std::size_t>(n[c], 1));
    }
    std::printf("\n");
  }
  // A few misses per class under N=6 without a lexicon, to show what gets through.
  std::printf("\nMisses under \"%s\", a few per class:\n\n", configs[2].name.c_str());
  std::string unfound;
  for (const Variant& v : variants) {
    if (v.cls == SIZE_MAX && !plain[2].contains({v.list, v.term})) {
      unfound += (unfound.empty() ? "" : ", ") + lists[v.list].terms()[v.term].text;
    }
  }
  std::printf("- plain terms not found: %s\n", unfound.c_str());
  for (std::size_t k = 0; k < kClasses.size(); ++k) {
    int shown = 0;
    std::string line;
    for (std::size_t i = 0; i < variants.size() && shown < 6; i += 7) {
      const Variant& v = variants[i];
      if (v.cls != k || !plain[2].contains({v.list, v.term}) || found(screeners[2], v, lists)) {
        continue;
      }
      line += (shown++ ? ", " : "") + lists[v.list].terms()[v.term].text + " → `" +
              v.text.substr(v.begin, v.end - v.begin) + "`";
    }
    std::printf("- %s: %s\n", kClasses[k].name.c_str(), line.c_str());
  }
}

// ---- False positives on ordinary words ----

void false_positives(const std::vector<Config>& configs, const std::vector<Screener>& screeners,
                     const std::vector<std::string>& words) {
  std::printf("\n## False positives on English words (%zu held-out wamerican-huge words)\n\n",
              words.size());
  std::printf(
      "| config | words with any match | whole-word | inside-word | compound | "
      "top terms (words hit) |\n|---|---|---|---|---|---|\n");
  for (std::size_t c = 0; c < configs.size(); ++c) {
    std::size_t any = 0;
    std::map<MatchRule, std::size_t> by_rule;
    std::map<std::string, std::pair<std::size_t, std::string>> by_term;  // hits, example
    std::map<std::string, std::size_t> by_list;
    for (const std::string& w : words) {
      const ScreenResult r = must(screeners[c].screen(w), "screen");
      if (r.matches.empty()) continue;
      ++any;
      std::set<MatchRule> rules;
      std::set<std::string> terms, lists;
      for (const Match& m : r.matches) {
        rules.insert(m.rule);
        terms.insert(m.list + ":" + m.term);
        lists.insert(m.list);
      }
      for (const MatchRule rule : rules) ++by_rule[rule];
      for (const std::string& t : terms) {
        auto& e = by_term[t];
        if (e.first++ == 0) e.second = w;
      }
      for (const std::string& l : lists) ++by_list[l];
    }
    std::vector<std::pair<std::size_t, std::string>> top;
    for (const auto& [t, e] : by_term) top.emplace_back(e.first, t + " (" + e.second + ")");
    std::sort(top.rbegin(), top.rend());
    std::string tops;
    for (std::size_t i = 0; i < std::min<std::size_t>(top.size(), 6); ++i) {
      tops += (i ? ", " : "") + top[i].second + " " + std::to_string(top[i].first);
    }
    const double n = static_cast<double>(words.size());
    std::printf("| %s | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %s |\n", configs[c].name.c_str(),
                100.0 * any / n, 100.0 * by_rule[MatchRule::kWholeWord] / n,
                100.0 * by_rule[MatchRule::kInsideWord] / n,
                100.0 * by_rule[MatchRule::kCompound] / n, tops.c_str());
    std::printf("|   by list | ");
    for (const auto& [l, k] : by_list) std::printf("%s %.2f%%  ", l.c_str(), 100.0 * k / n);
    std::printf("| | | | |\n");
  }
}

// ---- Throughput with 100,000+ terms ----

// Pronounceable made-up names ("Kelvora", "Tasumin"), distinct, 4 to 12 letters: filler that
// takes the real lists past 100,000 terms.
std::vector<std::string> synthetic_names(std::size_t count, std::mt19937& rng) {
  static const char* kOnsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",
                                  "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",  "br", "cr",
                                  "dr", "gr", "kl", "pr", "st", "tr", "sh", "ch", "th", "qu"};
  static const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"};
  static const char* kCodas[] = {"", "", "", "n", "r", "s", "l", "x", "m", "t", "nd", "rk"};
  std::set<std::string> seen;
  std::vector<std::string> out;
  while (out.size() < count) {
    std::string name;
    const int syllables = 2 + static_cast<int>(rng() % 3);
    for (int s = 0; s < syllables; ++s) {
      name += kOnsets[rng() % std::size(kOnsets)];
      name += kVowels[rng() % std::size(kVowels)];
      if (s + 1 == syllables || rng() % 3 == 0) name += kCodas[rng() % std::size(kCodas)];
    }
    if (name.size() < 4 || name.size() > 12 || !seen.insert(name).second) continue;
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    out.push_back(name);
  }
  return out;
}

void throughput(std::vector<TermList> lists, const Config& config,
                const std::vector<std::string>& dictionary, const std::vector<Variant>& variants,
                std::size_t terms_wanted) {
  std::mt19937 rng(7);
  std::size_t have = 0;
  for (const TermList& l : lists) have += l.terms().size();
  std::vector<Term> filler;
  for (std::string& name : synthetic_names(terms_wanted > have ? terms_wanted - have : 0, rng)) {
    filler.push_back(Term{std::move(name), Severity::kReview, 0});
  }
  if (!filler.empty()) {
    lists.push_back(must(
        TermList::from_terms({"synthetic", "generated", "", Severity::kReview}, std::move(filler)),
        "synthetic list"));
  }
  std::size_t terms = 0;
  for (const TermList& l : lists) terms += l.terms().size();
  const auto t0 = Clock::now();
  const Screener s = build(lists, config);
  const double build_s = seconds_since(t0);

  // Prompts: 6 to 14 dictionary words; every tenth holds an evasion variant.
  std::vector<std::string> prompts;
  std::size_t bytes = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string p;
    const int n = 6 + static_cast<int>(rng() % 9);
    for (int k = 0; k < n; ++k) p += (k ? " " : "") + dictionary[rng() % dictionary.size()];
    if (i % 10 == 0) p += " " + variants[rng() % variants.size()].text;
    bytes += p.size();
    prompts.push_back(std::move(p));
  }
  std::size_t matched = 0;
  std::vector<double> us;
  const double cpu0 = thread_cpu_seconds();
  const auto t1 = Clock::now();
  for (const std::string& p : prompts) {
    const auto a = Clock::now();
    if (!must(s.screen(p), "screen").matches.empty()) ++matched;
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  const double total = seconds_since(t1);
  const double cpu = thread_cpu_seconds() - cpu0;
  if (std::getenv("TEXT_SCREEN_BENCH_SLOWEST") != nullptr) {
    std::vector<std::size_t> order(prompts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return us[a] > us[b]; });
    for (std::size_t i = 0; i < 8; ++i) {
      std::fprintf(stderr, "%.0f µs: %s\n", us[order[i]], prompts[order[i]].c_str());
    }
  }
  std::sort(us.begin(), us.end());
  std::printf(
      "| %zu terms (%zu patterns, %.1f MB) | %s | %.1f s | %.0f | %.0f | %.1f | %.0f | "
      "%.1f / %.1f / %.1f | %zu of %zu |\n",
      terms, s.pattern_count(), s.database_bytes() / 1e6, config.name.c_str(), build_s,
      static_cast<double>(bytes) / prompts.size(), prompts.size() / total,
      1e6 * cpu / prompts.size(), prompts.size() / cpu, 1e6 * total / prompts.size(),
      us[us.size() / 2], us[us.size() * 99 / 100], matched, prompts.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path source = argc > 1 ? argv[1] : ATELIER_SOURCE_DIR;
  const std::string dict_path = "/usr/share/dict/american-english-huge";
  if (const std::string missing = testing::real_lists_missing(source); !missing.empty()) {
    std::fprintf(stderr, "%s\n", missing.c_str());
    return 1;
  }
  std::ifstream dict_in(dict_path, std::ios::binary);
  if (!dict_in) {
    std::fprintf(stderr, "%s is missing (apt-get install wamerican-huge)\n", dict_path.c_str());
    return 1;
  }
  const std::string dict_text((std::istreambuf_iterator<char>(dict_in)),
                              std::istreambuf_iterator<char>());
  std::vector<std::string> all_words, lexicon_words, held_out;
  for (std::size_t pos = 0, i = 0; pos < dict_text.size(); ++i) {
    const std::size_t nl = std::min(dict_text.find('\n', pos), dict_text.size());
    if (nl > pos) {
      all_words.push_back(dict_text.substr(pos, nl - pos));
      (i % 2 == 0 ? lexicon_words : held_out).push_back(all_words.back());
    }
    pos = nl + 1;
  }

  const std::vector<TermList> lists = must(testing::load_real_lists(source), "lists");
  Generators gen;
  for (const auto& [from, to] : must(testing::load_homoglyphs(source), "homoglyphs")) {
    const std::u32string f = decode(from), t = decode(to);
    if (f.size() == 1 && t.size() == 1 && f != t) gen.homoglyphs[t[0]].push_back(f[0]);
  }
  std::printf("# Text screening figures\n\nLists:");
  for (const TermList& l : lists) {
    std::printf(" %s %zu terms (%s, %s);", l.info().name.c_str(), l.terms().size(),
                l.info().source.c_str(), l.info().licence.c_str());
  }
  std::printf("\nHomoglyph table: unhomoglyph, %zu target characters.\n", gen.homoglyphs.size());

  const auto t0 = Clock::now();
  const Normalizer normalizer = must(Normalizer::create(), "normalizer");
  std::string lexicon_text, full_text;
  for (const std::string& w : lexicon_words) lexicon_text += w + "\n";
  auto half =
      std::make_shared<const Lexicon>(must(Lexicon::parse(lexicon_text, normalizer), "lex"));
  auto full = std::make_shared<const Lexicon>(must(Lexicon::parse(dict_text, normalizer), "lex"));
  std::printf("Lexicons: %zu words (even lines of wamerican-huge), %zu (all), loaded in %.1f s.\n",
              half->size(), full->size(), seconds_since(t0));

  // N: letters a term needs to match inside a word. The half lexicon does not hold the
  // held-out words the false positives are measured on; the full one does (as a deployed
  // lexicon holds the ordinary words of its language).
  const std::vector<Config> configs = {
      {"whole words only", 1000, nullptr},
      {"N=5", 5, nullptr},
      {"N=6", 6, nullptr},
      {"N=7", 7, nullptr},
      {"N=5 + half lexicon", 5, half},
      {"N=6 + half lexicon", 6, half},
      {"N=6 + full lexicon (default)", 6, full},
  };
  std::vector<Screener> screeners;
  for (const Config& c : configs) {
    const auto t = Clock::now();
    screeners.push_back(build(lists, c));
    std::printf("Built \"%s\": %zu patterns, %zu terms skipped, %.1f s.\n", c.name.c_str(),
                screeners.back().pattern_count(), screeners.back().skipped_terms(),
                seconds_since(t));
  }
  const std::vector<Variant> variants = make_variants(lists, gen);
  if (std::getenv("TEXT_SCREEN_BENCH_THROUGHPUT_ONLY") == nullptr) {
    recall(lists, configs, screeners, variants);
    false_positives(configs, screeners, held_out);
  }
  std::printf(
      "\n## Throughput (one thread)\n\n20,000 prompts of 6 to 14 wamerican-huge words; "
      "every tenth ends with an evasion variant.\n\n");
  std::printf(
      "| terms | config | build | bytes/string | strings/s (wall) | CPU µs/string | "
      "strings/s (CPU) | wall µs mean / p50 / p99 | prompts matched |\n"
      "|---|---|---|---|---|---|---|---|---|\n");
  throughput(lists, configs[6], all_words, variants, 0);
  throughput(lists, configs[6], all_words, variants, 105000);
  throughput(lists, configs[2], all_words, variants, 105000);
  return 0;
}
