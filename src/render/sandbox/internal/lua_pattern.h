// lua_pattern.h — Lua 5.4 pattern matching (reference manual §6.4.1), metered.
//
// Why our own matcher: Lua's lstrlib matcher backtracks inside one C call, so a pattern such
// as string.rep('a-', 12) .. 'b' against 3,000 'a's runs for minutes with no VM instruction,
// hence no budget hook and no wall-clock check. This matcher has the same semantics (same
// results, same errors, checked by a differential test against the stock library) but
// counts its steps and hands them to a meter every kPatternStepsPerCharge steps; when the
// meter says a budget is spent, the match stops and the caller raises the budget's error.
//
// Usage:
//   PatternMatcher m(subject, pattern, meter);   // pattern without a leading '^' anchor
//   std::size_t end;
//   if (m.match_at(start, &end) == PatternStatus::kMatch) { … m.capture(i) … }
//
// The class is trivially destructible on purpose: the Lua bindings keep it on the C stack
// while calling back into Lua (gsub's replacement functions), and Lua unwinds with longjmp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/limits.h"

namespace atelier::render::internal {

// Steps between two calls to the meter: small enough that the wall-clock deadline is read
// every few tens of microseconds, large enough that reading it costs nothing measurable.
inline constexpr std::int64_t kPatternStepsPerCharge = 4096;

// A capture's `len` is its length in bytes, or one of these markers.
inline constexpr std::ptrdiff_t kCaptureOpen = -1;      // '(' seen, ')' not yet.
inline constexpr std::ptrdiff_t kCapturePosition = -2;  // '()': the position only.

struct PatternCapture {
  std::ptrdiff_t start;  // Offset in the subject.
  std::ptrdiff_t len;
};

// Receives the steps taken since its last call; returns false to stop the match.
struct PatternMeter {
  bool (*charge)(void* context, std::int64_t steps) = nullptr;
  void* context = nullptr;
};

enum class PatternStatus { kNoMatch, kMatch, kError, kStopped };

class PatternMatcher {
 public:
  // `subject` and `pattern` must outlive the matcher. `pattern` excludes a leading '^'
  // anchor (the callers decide what an anchor means: gmatch has none).
  PatternMatcher(std::string_view subject, std::string_view pattern, PatternMeter meter);

  // Tries to match the whole pattern starting exactly at subject offset `start`
  // (0 <= start <= subject size). kMatch: *end is the offset just past the match and the
  // captures are set. kError: error_format()/error_arg() describe a malformed pattern.
  // kStopped: the meter refused more steps. Both are sticky.
  PatternStatus match_at(std::size_t start, std::size_t* end);

  // Bills work done outside the matcher on its behalf (copying replacements); false when
  // the meter stops it.
  bool add_steps(std::int64_t steps);
  // Hands the steps not yet billed to the meter; false when the meter stops it.
  bool flush();

  int captures() const { return level_; }
  const PatternCapture& capture(int i) const { return capture_[i]; }
  // A printf format (Lua's message for the error) and its one integer argument, if any.
  const char* error_format() const { return error_; }
  int error_arg() const { return error_arg_; }

 private:
  std::ptrdiff_t match(std::ptrdiff_t s, std::ptrdiff_t p);
  std::ptrdiff_t greedy(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep);
  std::ptrdiff_t lazy(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep);
  std::ptrdiff_t open_capture(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t what);
  std::ptrdiff_t close_capture(std::ptrdiff_t s, std::ptrdiff_t p);
  std::ptrdiff_t balanced(std::ptrdiff_t s, std::ptrdiff_t p);
  std::ptrdiff_t back_reference(std::ptrdiff_t s, unsigned char digit);
  std::ptrdiff_t item_end(std::ptrdiff_t p);
  bool single(std::ptrdiff_t s, std::ptrdiff_t p, std::ptrdiff_t ep) const;
  bool in_set(int c, std::ptrdiff_t p, std::ptrdiff_t close) const;
  bool step();
  std::ptrdiff_t fail(const char* format, int arg = 0);

  const unsigned char* src_;
  std::ptrdiff_t src_len_;
  const unsigned char* pat_;
  std::ptrdiff_t pat_len_;
  PatternMeter meter_;
  std::int64_t unbilled_steps_ = 0;
  int level_ = 0;
  int depth_ = 0;
  PatternStatus stop_ = PatternStatus::kNoMatch;  // kError or kStopped once stopped.
  const char* error_ = nullptr;
  int error_arg_ = 0;
  PatternCapture capture_[limits::kPatternCapturesMax];
};

static_assert(std::is_trivially_destructible_v<PatternMatcher>);

// True when Lua would treat `pattern` as plain text in string.find (no magic characters).
bool pattern_is_plain(std::string_view pattern);
// '0'..'9', whatever the process locale.
bool pattern_is_digit(int c);

}  // namespace atelier::render::internal
