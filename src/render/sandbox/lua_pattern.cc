// Lua 5.4 patterns, written from the reference manual (§6.4.1) so that every step is counted
// (internal/lua_pattern.h says why). Offsets, not pointers: a position one past the subject is
// valid and reads as byte 0 where Lua reads the string's terminating zero.
#include "render/sandbox/internal/lua_pattern.h"

#include <cstring>

namespace atelier::render::internal {

namespace {

constexpr unsigned char kEscape = '%';

// The character classes of the C locale, by hand: <cctype> follows the process locale
// (setlocale), and a pattern's result must not depend on where the render runs. These are
// the classes stock Lua has under the default "C" locale.
bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
bool is_alpha(int c) { return is_upper(c) || is_lower(c); }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_graph(int c) { return c > ' ' && c < 127; }
bool is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// %a, %d, … and their upper-case complements; any other character after '%' stands for itself.
bool class_matches(int c, int letter) {
  bool in;
  switch (is_upper(letter) ? letter - 'A' + 'a' : letter) {
    case 'a':
      in = is_alpha(c);
      break;
    case 'c':
      in = c < ' ' || c == 127;
      break;
    case 'd':
      in = is_digit(c);
      break;
    case 'g':
      in = is_graph(c);
      break;
    case 'l':
      in = is_lower(c);
      break;
    case 'p':
      in = is_graph(c) && !is_alpha(c) && !is_digit(c);
      break;
    case 's':
      in = is_space(c);
      break;
    case 'u':
      in = is_upper(c);
      break;
    case 'w':
      in = is_alpha(c) || is_digit(c);
      break;
    case 'x':
      in = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      break;
    case 'z':
      in = c == 0;
      break;  // Undocumented since 5.2, still honoured by Lua 5.4.
    default:
      return letter == c;
  }
  return is_upper(letter) ? !in : in;
}

}  // namespace

bool pattern_is_digit(int c) { return is_digit(c); }

bool pattern_is_plain(std::string_view pattern) {
  return pattern.find_first_of(std::string_view("^$*+?.([%-")) == std::string_view::npos;
}

PatternMatcher::PatternMatcher(std::string_view subject, std::string_view pattern,
                               PatternMeter meter)
    : src_(reinterpret_cast<const unsigned char*>(subject.data())),
      src_len_(static_cast<std::ptrdiff_t>(subject.size())),
      pat_(reinterpret_cast<const unsigned char*>(pattern.data())),
      pat_len_(static_cast<std::ptrdiff_t>(pattern.size())),
      meter_(meter) {}

PatternStatus PatternMatcher::match_at(std::size_t start, std::size_t* end) {
  if (stop_ != PatternStatus::kNoMatch) return stop_;
  level_ = 0;
  depth_ = 0;
  std::ptrdiff_t e = match(static_cast<std::ptrdiff_t>(start), 0);
  if (stop_ != PatternStatus::kNoMatch) return stop_;
  if (e < 0) return PatternStatus::kNoMatch;
  *end = static_cast<std::size_t>(e);
  return PatternStatus::kMatch;
}

bool PatternMatcher::add_steps(std::int64_t steps) {
  unbilled_steps_ += steps;
  return unbilled_steps_ < kPatternStepsPerCharge || flush();
}

bool PatternMatcher::flush() {
  if (stop_ == PatternStatus::kStopped) return false;
  const std::int64_t steps = unbilled_steps_;
  unbilled_steps_ = 0;
  if (steps > 0 && meter_.charge != nullptr && !meter_.charge(meter_.context, steps)) {
    stop_ = PatternStatus::kStopped;
    return false;
  }
  return true;
}

// Counts one step; false once the match must stop (an error or the meter).
bool PatternMatcher::step() {
  if (stop_ != PatternStatus::kNoMatch) return false;
  if (++unbilled_steps_ >= kPatternStepsPerCharge) return flush();
  return true;
}

std::ptrdiff_t PatternMatcher::fail(const char* format, int arg) {
  if (stop_ == PatternStatus::kNoMatch) {
    stop_ = PatternStatus::kError;
    error_ = format;
    error_arg_ = arg;
  }
  return -1;
}

// The offset just past the single-character class at p ('.', %x, [set] or a literal).
std::ptrdiff_t PatternMatcher::item_end(std::ptrdiff_t p) {
  const unsigned char c = pat_[p++];
  if (c == kEscape) {
    if (p >= pat_len_) return fail("malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c != '[') return p;
  if (p < pat_len_ && pat_[p] == '^') ++p;
  // The first character of a set is never its end, so "[]]" is the set of ']'.
  do {
    if (p >= pat_len_) return fail("malformed pattern (missing ']')");
    const unsigned char d = pat_[p++];
    if (d == kEscape && p < pat_len_) ++p;
  } while (p >= pat_len_ || pat_[p] != ']');
  return p + 1;
}

// Whether c is in the set whose '[' is at p and whose closing ']' is at `close`.
bool PatternMatcher::in_set(int c, std::ptrdiff_t p, std::ptrdiff_t close) const {
  bool negated = false;
  ++p;
  if (pat_[p] == '^') {
    negated = true;
    ++p;
  }
  for (; p < close; ++p) {
    if (pat_[p] == kEscape) {
      ++p;
      if (class_matches(c, pat_[p])) return !negated;
    } else if (pat_[p + 1] == '-' && p + 2 < close) {
      if (pat_[p] <= c && c <= pat_[p + 2]) return !negated;
      p += 2;
    } else if (pat_[p] == c) {
      return !negated;
    }
  }
  return negated;
}

// Whether the subject byte at s matches the single-character class p..ep.
bool PatternMatcher::single(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep) const {
  if (s >= src_len_) return false;
  const int c = src_[s];
  switch (pat_[p]) {
    case '.':
      return true;
    case kEscape:
      return class_matches(c, pat_[p + 1]);
    case '[':
      return in_set(c, p, ep - 1);
    default:
      return pat_[p] == c;
  }
}

// Matches pattern p.. at subject s; returns the end of the match or -1.
std::ptrdiff_t PatternMatcher::match(std::ptrdiff_t s, std::ptrdiff_t p) {
  if (++depth_ > limits::kPatternDepthMax) return fail("pattern too complex");
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  while (true) {
    if (!step()) return -1;
    if (p == pat_len_) return s;
    const unsigned char c = pat_[p];
    if (c == '(') {
      if (p + 1 < pat_len_ && pat_[p + 1] == ')') return open_capture(s, p + 2, kCapturePosition);
      return open_capture(s, p + 1, kCaptureOpen);
    }
    if (c == ')') return close_capture(s, p + 1);
    if (c == '$' && p + 1 == pat_len_) return s == src_len_ ? s : -1;
    if (c == kEscape && p + 1 < pat_len_) {
      const unsigned char next = pat_[p + 1];
      if (next == 'b') {
        s = balanced(s, p + 2);
        if (s < 0) return -1;
        p += 4;
        continue;
      }
      if (next == 'f') {
        p += 2;
        if (p >= pat_len_ || pat_[p] != '[') return fail("missing '[' after '%%f' in pattern");
        const std::ptrdiff_t ep = item_end(p);
        if (ep < 0) return -1;
        const int before = s == 0 ? 0 : src_[s - 1];
        const int here = s < src_len_ ? src_[s] : 0;
        if (in_set(before, p, ep - 1) || !in_set(here, p, ep - 1)) return -1;
        p = ep;
        continue;
      }
      if (is_digit(next)) {
        s = back_reference(s, next);
        if (s < 0) return -1;
        p += 2;
        continue;
      }
    }
    // A single-character class, maybe followed by a repetition suffix.
    const std::ptrdiff_t ep = item_end(p);
    if (ep < 0) return -1;
    const unsigned char suffix = ep < pat_len_ ? pat_[ep] : 0;
    if (!single(s, p, ep)) {
      if (suffix != '*' && suffix != '?' && suffix != '-') return -1;
      p = ep + 1;  // Zero repetitions are fine.
      continue;
    }
    switch (suffix) {
      case '?': {
        const std::ptrdiff_t e = match(s + 1, ep + 1);
        if (e >= 0 || stop_ != PatternStatus::kNoMatch) return e;
        p = ep + 1;
        continue;
      }
      case '+':
        return greedy(s + 1, p, ep);
      case '*':
        return greedy(s, p, ep);
      case '-':
        return lazy(s, p, ep);
      default:
        ++s;
        p = ep;
        continue;
    }
  }
}

// '*' (and '+' after its first repetition): the longest run first, then shorter ones.
std::ptrdiff_t PatternMatcher::greedy(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep) {
  std::ptrdiff_t run = 0;
  while (single(s + run, p, ep)) {
    if (!step()) return -1;
    ++run;
  }
  for (; run >= 0; --run) {
    const std::ptrdiff_t e = match(s + run, ep + 1);
    if (e >= 0 || stop_ != PatternStatus::kNoMatch) return e;
  }
  return -1;
}

// '-': the shortest run first, one more repetition at a time.
std::ptrdiff_t PatternMatcher::lazy(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep) {
  while (true) {
    const std::ptrdiff_t e = match(s, ep + 1);
    if (e >= 0 || stop_ != PatternStatus::kNoMatch) return e;
    if (!single(s, p, ep)) return -1;
    ++s;
  }
}

std::ptrdiff_t PatternMatcher::open_capture(std::ptrdiff_t s, std::ptrdiff_t p,
                                            std::ptrdiff_t what) {
  if (level_ >= limits::kPatternCapturesMax) return fail("too many captures");
  capture_[level_] = {s, what};
  ++level_;
  const std::ptrdiff_t e = match(s, p);
  if (e < 0) --level_;
  return e;
}

std::ptrdiff_t PatternMatcher::close_capture(std::ptrdiff_t s, std::ptrdiff_t p) {
  int open = level_ - 1;
  while (open >= 0 && capture_[open].len != kCaptureOpen) --open;
  if (open < 0) return fail("invalid pattern capture");
  capture_[open].len = s - capture_[open].start;
  const std::ptrdiff_t e = match(s, p);
  if (e < 0) capture_[open].len = kCaptureOpen;
  return e;
}

// %bxy at pattern offset p (pointing at x): a balanced run from x to its matching y.
std::ptrdiff_t PatternMatcher::balanced(std::ptrdiff_t s, std::ptrdiff_t p) {
  if (p + 1 >= pat_len_) return fail("malformed pattern (missing arguments to '%%b')");
  if (s >= src_len_ || src_[s] != pat_[p]) return -1;
  const unsigned char open = pat_[p], close = pat_[p + 1];
  std::ptrdiff_t depth = 1;
  for (std::ptrdiff_t i = s + 1; i < src_len_; ++i) {
    if (!step()) return -1;
    if (src_[i] == close) {
      if (--depth == 0) return i + 1;
    } else if (src_[i] == open) {
      ++depth;
    }
  }
  return -1;
}

// %1 … %9: the text of an earlier, closed capture, again.
std::ptrdiff_t PatternMatcher::back_reference(std::ptrdiff_t s, unsigned char digit) {
  const int index = digit - '1';
  if (index < 0 || index >= level_ || capture_[index].len == kCaptureOpen) {
    return fail("invalid capture index %%%d", index + 1);
  }
  const PatternCapture& cap = capture_[index];
  // A position capture has no text; Lua's length check fails for it, so it never matches.
  if (cap.len == kCapturePosition || src_len_ - s < cap.len) return -1;
  if (!add_steps(cap.len / 16)) return -1;
  if (std::memcmp(src_ + cap.start, src_ + s, static_cast<std::size_t>(cap.len)) != 0) return -1;
  return s + cap.len;
}

}  // namespace atelier::render::internal
