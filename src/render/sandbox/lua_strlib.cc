// Metered replacements for Lua library functions (internal/lua_strlib.h says why).
//
// Lua is built as C and unwinds with longjmp, so nothing here keeps a C++ object with a
// destructor alive across a call that can raise: PatternMatcher is trivially destructible,
// and strings are Lua's own, anchored on the stack or in upvalues.
//
// Every closure made here has the meter as upvalue 1; a wrapper has the library's own
// function as upvalue 2 and calls it after billing, with the same arguments.
#include "render/sandbox/internal/lua_strlib.h"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

#include <climits>
#include <cstring>

#include "render/sandbox/internal/lua_pattern.h"

namespace atelier::render::internal {

namespace {

// Billing rates, in bytes per instruction-equivalent unit (measured: a VM instruction costs
// about as much as copying 16 bytes, as a byte-at-a-time loop over 4 bytes, or as decoding
// one byte of UTF-8).
constexpr std::int64_t kCopyBytesPerUnit = 16;   // memcpy, memchr, memcmp
constexpr std::int64_t kLoopBytesPerUnit = 4;    // upper, lower, reverse, tonumber
constexpr std::int64_t kDecodeBytesPerUnit = 1;  // utf8
// A matcher step (a recursive call, a class test) takes about two VM instructions' time.
constexpr std::int64_t kUnitsPerPatternStep = 2;
// An iterator step of utf8.codes: a C call from the VM costs several instructions' time.
constexpr std::int64_t kIteratorStepUnits = 8;
// Largest string string.rep makes: Lua's own MAXSIZE (it fits an int).
constexpr std::size_t kRepBytesMax = static_cast<std::size_t>(INT_MAX);

const LuaMeter* meter_of(lua_State* L) {
  return static_cast<const LuaMeter*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void bill(lua_State* L, std::int64_t units) {
  const LuaMeter* meter = meter_of(L);
  if (units > 0 && !meter->charge(L, units)) meter->raise(L);
}

// Unsigned counts (element ranges can span the whole lua_Integer range) saturate here.
std::int64_t units_of(lua_Unsigned count) {
  return count > static_cast<lua_Unsigned>(INT64_MAX) ? INT64_MAX
                                                      : static_cast<std::int64_t>(count);
}

// Elements in [first, last], saturated: a range can span all of lua_Integer, whose count
// (2^64) wraps to 0 as a lua_Unsigned.
std::int64_t range_units(lua_Integer first, lua_Integer last) {
  if (last < first) return 0;
  const lua_Unsigned span = static_cast<lua_Unsigned>(last) - static_cast<lua_Unsigned>(first);
  return span >= static_cast<lua_Unsigned>(INT64_MAX) ? INT64_MAX
                                                      : static_cast<std::int64_t>(span) + 1;
}

int call_wrapped(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// A string position as Lua's string functions read a start: negative counts from the end,
// 0 and positions before the start clamp to 1. Result in [1, inf).
std::size_t start_position(lua_Integer pos, std::size_t len) {
  if (pos > 0) return static_cast<std::size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return len + static_cast<std::size_t>(pos) + 1;
}

// An end position: clamped to [0, len].
std::size_t end_position(lua_Integer pos, std::size_t len) {
  if (pos > static_cast<lua_Integer>(len)) return len;
  if (pos >= 0) return static_cast<std::size_t>(pos);
  if (pos < -static_cast<lua_Integer>(len)) return 0;
  return len + static_cast<std::size_t>(pos) + 1;
}

std::int64_t range_bytes(std::size_t first, std::size_t last) {
  return last >= first ? static_cast<std::int64_t>(last - first + 1) : 0;
}

// --- patterns ------------------------------------------------------------------------------

struct MeterContext {
  const LuaMeter* meter;
  lua_State* L;
};

bool charge_steps(void* context, std::int64_t steps) {
  auto* c = static_cast<MeterContext*>(context);
  return c->meter->charge(c->L, steps * kUnitsPerPatternStep);
}

// Raises what stopped the matcher: a malformed pattern (Lua's message) or a spent budget.
int raise_stop(lua_State* L, const PatternMatcher& m, const LuaMeter* meter) {
  if (m.error_format() != nullptr) return luaL_error(L, m.error_format(), m.error_arg());
  return meter->raise(L);
}

void ensure(lua_State* L, bool ok, const PatternMatcher& m, const LuaMeter* meter) {
  if (!ok) raise_stop(L, m, meter);
}

// Pushes capture i of a match of subject[start, end); capture 0 of a pattern without
// captures is the whole match.
void push_capture(lua_State* L, const PatternMatcher& m, int i, const char* subject,
                  std::size_t start, std::size_t end) {
  if (i >= m.captures()) {
    if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(L, subject + start, end - start);
    return;
  }
  const PatternCapture& c = m.capture(i);
  if (c.len == kCaptureOpen) luaL_error(L, "unfinished capture");
  if (c.len == kCapturePosition) {
    lua_pushinteger(L, static_cast<lua_Integer>(c.start) + 1);
  } else {
    lua_pushlstring(L, subject + c.start, static_cast<std::size_t>(c.len));
  }
}

int push_captures(lua_State* L, const PatternMatcher& m, const char* subject, std::size_t start,
                  std::size_t end, bool whole_if_none) {
  const int n = (m.captures() == 0 && whole_if_none) ? 1 : m.captures();
  luaL_checkstack(L, n, "too many captures");
  for (int i = 0; i < n; ++i) push_capture(L, m, i, subject, start, end);
  return n;
}

// string.find(s, p, init, true): memchr for the first byte, then a compare, each billed.
int plain_find(lua_State* L, const char* s, std::size_t ls, std::size_t init, const char* p,
               std::size_t lp, PatternMatcher& meter_only, const LuaMeter* meter) {
  std::size_t found = SIZE_MAX;
  if (lp == 0) {
    found = init;
  } else if (lp <= ls - init) {
    const std::size_t last = ls - lp;  // Last offset where the needle fits.
    std::size_t at = init;
    while (at <= last) {
      const void* hit = std::memchr(s + at, p[0], last - at + 1);
      const std::size_t next =
          hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - s) : last + 1;
      ensure(L,
             meter_only.add_steps(static_cast<std::int64_t>((next - at) / kCopyBytesPerUnit + 1 +
                                                            lp / kCopyBytesPerUnit)),
             meter_only, meter);
      if (hit == nullptr) break;
      if (std::memcmp(s + next + 1, p + 1, lp - 1) == 0) {
        found = next;
        break;
      }
      at = next + 1;
    }
  }
  ensure(L, meter_only.flush(), meter_only, meter);
  if (found == SIZE_MAX) {
    luaL_pushfail(L);
    return 1;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(found) + 1);
  lua_pushinteger(L, static_cast<lua_Integer>(found + lp));
  return 2;
}

int find_or_match(lua_State* L, bool find) {
  std::size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const std::size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  const LuaMeter* meter = meter_of(L);
  MeterContext context{meter, L};
  if (find && (lua_toboolean(L, 4) || pattern_is_plain({p, lp}))) {
    PatternMatcher meter_only({s, ls}, {}, {charge_steps, &context});
    return plain_find(L, s, ls, init, p, lp, meter_only, meter);
  }
  const bool anchor = lp > 0 && p[0] == '^';
  if (anchor) ++p, --lp;
  PatternMatcher m({s, ls}, {p, lp}, {charge_steps, &context});
  std::size_t start = init;
  do {
    std::size_t end = 0;
    const PatternStatus status = m.match_at(start, &end);
    if (status == PatternStatus::kMatch) {
      ensure(L, m.flush(), m, meter);
      if (!find) return push_captures(L, m, s, start, end, true);
      lua_pushinteger(L, static_cast<lua_Integer>(start) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>(end));
      return push_captures(L, m, s, start, end, false) + 2;
    }
    if (status != PatternStatus::kNoMatch) return raise_stop(L, m, meter);
  } while (start++ < ls && !anchor);
  ensure(L, m.flush(), m, meter);
  luaL_pushfail(L);
  return 1;
}

int l_find(lua_State* L) { return find_or_match(L, true); }
int l_match(lua_State* L) { return find_or_match(L, false); }

// gmatch's iterator state, a userdata (upvalue 4); subject and pattern are upvalues 2 and 3.
struct GmatchState {
  std::size_t next;         // Where the next search starts.
  std::ptrdiff_t last_end;  // End of the previous match (-1: none), never matched again.
};

int gmatch_step(lua_State* L) {
  std::size_t ls = 0, lp = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(2), &ls);
  const char* p = lua_tolstring(L, lua_upvalueindex(3), &lp);
  auto* state = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(4)));
  const LuaMeter* meter = meter_of(L);
  MeterContext context{meter, L};
  PatternMatcher m({s, ls}, {p, lp}, {charge_steps, &context});
  for (std::size_t start = state->next; start <= ls; ++start) {
    std::size_t end = 0;
    const PatternStatus status = m.match_at(start, &end);
    if (status == PatternStatus::kMatch && static_cast<std::ptrdiff_t>(end) != state->last_end) {
      state->next = end;
      state->last_end = static_cast<std::ptrdiff_t>(end);
      ensure(L, m.flush(), m, meter);
      return push_captures(L, m, s, start, end, true);
    }
    if (status != PatternStatus::kMatch && status != PatternStatus::kNoMatch)
      return raise_stop(L, m, meter);
  }
  ensure(L, m.flush(), m, meter);
  return 0;
}

int l_gmatch(lua_State* L) {
  std::size_t ls = 0;
  luaL_checklstring(L, 1, &ls);
  luaL_checkstring(L, 2);
  std::size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) init = ls + 1;  // Past the end: the iterator finds nothing.
  lua_settop(L, 2);
  auto* state = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  *state = {init, -1};
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);  // meter, subject, pattern, state
  lua_pushcclosure(L, gmatch_step, 4);
  return 1;
}

// gsub's string replacement: %0-%9 and %% expand, any other '%' is an error.
void add_template(lua_State* L, luaL_Buffer* b, PatternMatcher& m, const char* subject,
                  std::size_t start, std::size_t end, const LuaMeter* meter) {
  std::size_t left = 0;
  const char* text = lua_tolstring(L, 3, &left);
  ensure(L, m.add_steps(static_cast<std::int64_t>(left / kCopyBytesPerUnit)), m, meter);
  while (const char* escape = static_cast<const char*>(std::memchr(text, '%', left))) {
    luaL_addlstring(b, text, static_cast<std::size_t>(escape - text));
    const char c = escape[1];  // The string's terminating zero when '%' is last.
    if (c == '%') {
      luaL_addchar(b, '%');
    } else if (c == '0') {
      luaL_addlstring(b, subject + start, end - start);
      ensure(L, m.add_steps(static_cast<std::int64_t>((end - start) / kCopyBytesPerUnit)), m,
             meter);
    } else if (pattern_is_digit(static_cast<unsigned char>(c))) {
      push_capture(L, m, c - '1', subject, start, end);
      ensure(L, m.add_steps(static_cast<std::int64_t>(lua_rawlen(L, -1) / kCopyBytesPerUnit)), m,
             meter);
      luaL_addvalue(b);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", '%');
    }
    left -= static_cast<std::size_t>(escape + 2 - text);
    text = escape + 2;
  }
  luaL_addlstring(b, text, left);
}

// Appends the replacement for one match; true when it changed the text.
bool add_replacement(lua_State* L, luaL_Buffer* b, PatternMatcher& m, const char* subject,
                     std::size_t start, std::size_t end, int kind, const LuaMeter* meter) {
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    const int n = push_captures(L, m, subject, start, end, true);
    lua_call(L, n, 1);  // Lua code: the budget hook keeps counting inside it.
  } else if (kind == LUA_TTABLE) {
    push_capture(L, m, 0, subject, start, end);
    lua_gettable(L, 3);
  } else {
    add_template(L, b, m, subject, start, end, meter);
    return true;
  }
  if (!lua_toboolean(L, -1)) {  // false or nil: keep the matched text.
    lua_pop(L, 1);
    luaL_addlstring(b, subject + start, end - start);
    return false;
  }
  if (!lua_isstring(L, -1))
    return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  ensure(L, m.add_steps(static_cast<std::int64_t>(lua_rawlen(L, -1) / kCopyBytesPerUnit)), m,
         meter);
  luaL_addvalue(b);
  return true;
}

int l_gsub(lua_State* L) {
  std::size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const int kind = lua_type(L, 3);
  const lua_Integer max_n = luaL_optinteger(L, 4, static_cast<lua_Integer>(ls) + 1);
  luaL_argexpected(
      L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE,
      3, "string/function/table");
  const bool anchor = lp > 0 && p[0] == '^';
  if (anchor) ++p, --lp;
  const LuaMeter* meter = meter_of(L);
  MeterContext context{meter, L};
  PatternMatcher m({s, ls}, {p, lp}, {charge_steps, &context});
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  std::size_t at = 0;
  std::ptrdiff_t last_end = -1;  // An empty match right after a match is skipped.
  lua_Integer n = 0;
  bool changed = false;
  while (n < max_n) {
    std::size_t end = 0;
    const PatternStatus status = m.match_at(at, &end);
    if (status != PatternStatus::kMatch && status != PatternStatus::kNoMatch)
      return raise_stop(L, m, meter);
    if (status == PatternStatus::kMatch && static_cast<std::ptrdiff_t>(end) != last_end) {
      ++n;
      changed = add_replacement(L, &b, m, s, at, end, kind, meter) || changed;
      at = end;
      last_end = static_cast<std::ptrdiff_t>(end);
    } else if (at < ls) {
      luaL_addchar(&b, s[at++]);
    } else {
      break;
    }
    if (anchor) break;
  }
  ensure(L, m.add_steps(static_cast<std::int64_t>((ls - at) / kCopyBytesPerUnit)), m, meter);
  ensure(L, m.flush(), m, meter);
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, s + at, ls - at);
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

// --- strings -------------------------------------------------------------------------------

// string.rep, rewritten: Lua's loops once per repetition even when the pieces are empty, so
// string.rep('', 2^62) never returns and allocates nothing. Here the result is allocated
// (the memory budget sees it first), billed, and filled by doubling copies.
int l_rep(lua_State* L) {
  std::size_t l = 0, lsep = 0;
  const char* s = luaL_checklstring(L, 1, &l);
  const lua_Integer n = luaL_checkinteger(L, 2);
  const char* sep = luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || l + lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  const std::size_t unit = l + lsep;
  if (unit < l || unit > kRepBytesMax / static_cast<std::size_t>(n)) {
    return luaL_error(L, "resulting string too large");
  }
  const std::size_t total = static_cast<std::size_t>(n) * unit - lsep;
  luaL_Buffer b;
  char* out = luaL_buffinitsize(L, &b, total);
  bill(L, static_cast<std::int64_t>(total / kCopyBytesPerUnit) + 1);
  std::memcpy(out, s, l);
  if (total > l) std::memcpy(out + l, sep, lsep);
  // out[0, filled) is a whole number of units; each copy doubles it (the last one partly).
  std::size_t filled = total < unit ? total : unit;
  while (filled < total) {
    const std::size_t chunk = filled < total - filled ? filled : total - filled;
    std::memcpy(out + filled, out, chunk);
    filled += chunk;
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

// Whole-string work: upper, lower, reverse, packsize (its format).
int l_bill_string_len(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  bill(L, static_cast<std::int64_t>(l / kLoopBytesPerUnit));
  return call_wrapped(L);
}

// string.byte(s [, i [, j]]): one pushed value per byte of the range.
int l_byte(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer i = luaL_optinteger(L, 2, 1);
  const std::size_t first = start_position(i, l), last = end_position(luaL_optinteger(L, 3, i), l);
  bill(L, range_bytes(first, last));
  return call_wrapped(L);
}

// string.sub(s, i [, j]): copies the range.
int l_sub(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const std::size_t first = start_position(luaL_checkinteger(L, 2), l);
  const std::size_t last = end_position(luaL_optinteger(L, 3, -1), l);
  bill(L, range_bytes(first, last) / kCopyBytesPerUnit);
  return call_wrapped(L);
}

// string.char, utf8.char, table.pack: one unit per argument.
int l_bill_arguments(lua_State* L) {
  bill(L, lua_gettop(L));
  return call_wrapped(L);
}

// string.format, string.pack, string.unpack: the format, every string argument, and one unit
// per argument. (Padding that string.pack adds grows a buffer: the memory budget and the
// allocator's deadline check bound it.)
int l_bill_format(lua_State* L) {
  luaL_checkstring(L, 1);
  std::int64_t bytes = 0;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    if (lua_type(L, i) == LUA_TSTRING) bytes += static_cast<std::int64_t>(lua_rawlen(L, i));
  }
  bill(L, bytes / kCopyBytesPerUnit + n);
  return call_wrapped(L);
}

// tonumber: converting a string reads all of it.
int l_tonumber(lua_State* L) {
  if (lua_type(L, 1) == LUA_TSTRING)
    bill(L, static_cast<std::int64_t>(lua_rawlen(L, 1) / kLoopBytesPerUnit));
  return call_wrapped(L);
}

// --- utf8 ----------------------------------------------------------------------------------

// utf8's own position rule: negative counts from the end, clamped at 0.
lua_Integer utf8_position(lua_Integer pos, std::size_t len) {
  if (pos >= 0) return pos;
  if (static_cast<lua_Unsigned>(0) - static_cast<lua_Unsigned>(pos) > len) return 0;
  return static_cast<lua_Integer>(len) + pos + 1;
}

// utf8.len(s [, i [, j [, lax]]]): decodes the range.
int l_utf8_len(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer first = utf8_position(luaL_optinteger(L, 2, 1), l);
  const lua_Integer last = utf8_position(luaL_optinteger(L, 3, -1), l);
  if (last >= first && first >= 1) bill(L, (last - first + 1) / kDecodeBytesPerUnit);
  return call_wrapped(L);
}

// utf8.codepoint(s [, i [, j [, lax]]]): decodes the range, one value per character.
int l_utf8_codepoint(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer i = luaL_optinteger(L, 2, 1);
  const lua_Integer first = utf8_position(i, l),
                    last = utf8_position(luaL_optinteger(L, 3, first), l);
  if (last >= first && first >= 1) bill(L, (last - first + 1) / kDecodeBytesPerUnit);
  return call_wrapped(L);
}

// utf8.offset(s, n [, i]): scans from i; a single call is bounded by the string, so it is
// billed by the distance it actually moved.
int l_utf8_offset(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer n = luaL_checkinteger(L, 2);
  const lua_Integer from =
      utf8_position(luaL_optinteger(L, 3, n >= 0 ? 1 : static_cast<lua_Integer>(l) + 1), l);
  const int results = call_wrapped(L);
  lua_Integer to =
      lua_isinteger(L, -1) ? lua_tointeger(L, -1) : (n >= 0 ? static_cast<lua_Integer>(l) + 1 : 0);
  bill(L, (to > from ? to - from : from - to) / kCopyBytesPerUnit);
  return results;
}

// utf8.codes' iterator skips continuation bytes before decoding: bounded by the string per
// call, billed by the distance moved. Upvalue 2: the library's iterator.
int l_utf8_codes_step(lua_State* L) {
  std::size_t l = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer from = luaL_checkinteger(L, 2);
  lua_settop(L, 2);
  const int results = call_wrapped(L);
  const lua_Integer to =
      results > 0 && lua_isinteger(L, 1) ? lua_tointeger(L, 1) : static_cast<lua_Integer>(l);
  bill(L, (to > from ? to - from : 0) / kDecodeBytesPerUnit + kIteratorStepUnits);
  return results;
}

int l_utf8_codes(lua_State* L) {
  const int results = call_wrapped(L);  // iterator, s, 0
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, l_utf8_codes_step, 2);
  lua_replace(L, 1);
  return results;
}

// --- tables --------------------------------------------------------------------------------

// #t, read once: a __len metamethod must not answer differently when asked again.
lua_Integer table_length(lua_State* L, int index) { return luaL_len(L, index); }

// table.concat(t [, sep [, i [, j]]]): billed per element, then called with explicit bounds.
int l_table_concat(lua_State* L) {
  if (!lua_istable(L, 1)) return call_wrapped(L);  // The library raises its own type error.
  luaL_optstring(L, 2, "");
  const lua_Integer first = luaL_optinteger(L, 3, 1);
  const lua_Integer last = lua_isnoneornil(L, 4) ? table_length(L, 1) : luaL_checkinteger(L, 4);
  lua_settop(L, 2);
  if (lua_isnil(L, 2)) {
    lua_pushliteral(L, "");
    lua_replace(L, 2);
  }
  lua_pushinteger(L, first);
  lua_pushinteger(L, last);
  bill(L, range_units(first, last));
  const int results = call_wrapped(L);
  bill(L, static_cast<std::int64_t>(lua_rawlen(L, -1) / kCopyBytesPerUnit));
  return results;
}

// table.unpack(t [, i [, j]]): billed per value, then called with explicit bounds.
int l_table_unpack(lua_State* L) {
  const lua_Integer first = luaL_optinteger(L, 2, 1);
  const lua_Integer last = lua_isnoneornil(L, 3) ? table_length(L, 1) : luaL_checkinteger(L, 3);
  lua_settop(L, 1);
  lua_pushinteger(L, first);
  lua_pushinteger(L, last);
  bill(L, range_units(first, last));
  return call_wrapped(L);
}

// table.move(a1, f, e, t [, a2]): one unit per element moved.
int l_table_move(lua_State* L) {
  const lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
  luaL_checkinteger(L, 4);
  bill(L, range_units(f, e));
  return call_wrapped(L);
}

// table.insert(t, [pos,] v), rewritten so that #t is read once (the shift runs #t - pos
// times, and a __len that answers 1 then 2^62 would make a wrapper's bill meaningless).
int l_table_insert(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  // The first free slot (wrapping as Lua's own does when __len answers maxinteger).
  const lua_Integer end =
      static_cast<lua_Integer>(static_cast<lua_Unsigned>(table_length(L, 1)) + 1u);
  lua_Integer pos = end;
  switch (lua_gettop(L)) {
    case 2:
      break;
    case 3: {
      pos = luaL_checkinteger(L, 2);
      // pos - 1 < end, unsigned: also refuses pos <= 0.
      luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u < static_cast<lua_Unsigned>(end), 2,
                    "position out of bounds");
      bill(L, units_of(static_cast<lua_Unsigned>(end) - static_cast<lua_Unsigned>(pos)));
      for (lua_Integer i = end; i > pos; --i) {
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
      }
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

// table.remove(t [, pos]), rewritten for the same reason as insert.
int l_table_remove(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const lua_Integer size = table_length(L, 1);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size) {
    // pos may be size + 1 (removes nothing), or 0 when the table is empty.
    luaL_argcheck(L, static_cast<lua_Unsigned>(pos) - 1u <= static_cast<lua_Unsigned>(size), 2,
                  "position out of bounds");
  }
  if (size > pos)
    bill(L, units_of(static_cast<lua_Unsigned>(size) - static_cast<lua_Unsigned>(pos)));
  lua_geti(L, 1, pos);
  for (; pos < size; ++pos) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

// --- installation --------------------------------------------------------------------------

void set_function(lua_State* L, int table, const char* name, lua_CFunction fn,
                  const LuaMeter* meter) {
  lua_pushlightuserdata(L, const_cast<LuaMeter*>(meter));
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, table, name);
}

// Replaces table[name] with fn, which gets the original as upvalue 2.
void wrap_function(lua_State* L, int table, const char* name, lua_CFunction fn,
                   const LuaMeter* meter) {
  lua_pushlightuserdata(L, const_cast<LuaMeter*>(meter));
  lua_getfield(L, table, name);
  lua_pushcclosure(L, fn, 2);
  lua_setfield(L, table, name);
}

}  // namespace

void install_patterns(lua_State* L, const LuaMeter* meter) {
  lua_getglobal(L, LUA_STRLIBNAME);
  const int t = lua_gettop(L);
  set_function(L, t, "find", l_find, meter);
  set_function(L, t, "match", l_match, meter);
  set_function(L, t, "gmatch", l_gmatch, meter);
  set_function(L, t, "gsub", l_gsub, meter);
  lua_pop(L, 1);
}

void install_metered_libs(lua_State* L, const LuaMeter* meter) {
  install_patterns(L, meter);

  lua_getglobal(L, LUA_STRLIBNAME);
  int t = lua_gettop(L);
  set_function(L, t, "rep", l_rep, meter);
  for (const char* name : {"upper", "lower", "reverse", "packsize"})
    wrap_function(L, t, name, l_bill_string_len, meter);
  wrap_function(L, t, "byte", l_byte, meter);
  wrap_function(L, t, "sub", l_sub, meter);
  wrap_function(L, t, "char", l_bill_arguments, meter);
  for (const char* name : {"format", "pack", "unpack"})
    wrap_function(L, t, name, l_bill_format, meter);
  lua_pop(L, 1);

  lua_getglobal(L, LUA_UTF8LIBNAME);
  t = lua_gettop(L);
  wrap_function(L, t, "char", l_bill_arguments, meter);
  wrap_function(L, t, "len", l_utf8_len, meter);
  wrap_function(L, t, "codepoint", l_utf8_codepoint, meter);
  wrap_function(L, t, "offset", l_utf8_offset, meter);
  wrap_function(L, t, "codes", l_utf8_codes, meter);
  lua_pop(L, 1);

  lua_getglobal(L, LUA_TABLIBNAME);
  t = lua_gettop(L);
  wrap_function(L, t, "concat", l_table_concat, meter);
  wrap_function(L, t, "unpack", l_table_unpack, meter);
  wrap_function(L, t, "move", l_table_move, meter);
  wrap_function(L, t, "pack", l_bill_arguments, meter);
  set_function(L, t, "insert", l_table_insert, meter);
  set_function(L, t, "remove", l_table_remove, meter);
  lua_pop(L, 1);

  lua_pushglobaltable(L);
  wrap_function(L, lua_gettop(L), "tonumber", l_tonumber, meter);
  lua_pop(L, 1);
}

}  // namespace atelier::render::internal
