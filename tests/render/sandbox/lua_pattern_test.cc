// atelier's metered Lua patterns against stock Lua 5.4's: same results, same errors, for
// hand-picked cases and a few thousand random patterns and subjects (a differential test),
// plus the metering itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include <cstdint>
#include <string>

#include "render/sandbox/internal/lua_pattern.h"
#include "render/sandbox/internal/lua_strlib.h"

namespace atelier::render::internal {
namespace {

// A plain Lua state with the stock library as `stock` and ours as `ours`.
struct TwoLibraries {
  static bool charge(lua_State* L, std::int64_t units) {
    lua_getfield(L, LUA_REGISTRYINDEX, "steps");
    const std::int64_t total = lua_tointeger(L, -1) + units;
    lua_pop(L, 1);
    lua_pushinteger(L, total);
    lua_setfield(L, LUA_REGISTRYINDEX, "steps");
    return total <= steps_max;
  }
  static int raise(lua_State* L) { return luaL_error(L, "metered: out of steps"); }
  static inline std::int64_t steps_max = INT64_MAX;
  static constexpr LuaMeter kMeter{charge, raise};

  TwoLibraries() {
    L = luaL_newstate();
    luaL_openlibs(L);
    run("stock = {find = string.find, match = string.match, gmatch = string.gmatch, gsub = "
        "string.gsub}");
    install_patterns(L, &kMeter);
    run("ours = {find = string.find, match = string.match, gmatch = string.gmatch, gsub = "
        "string.gsub}");
  }
  ~TwoLibraries() { lua_close(L); }

  // Runs `code`; returns its string result, or "ERROR: message".
  std::string run(const std::string& code) {
    if (luaL_loadstring(L, code.c_str()) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
      std::string e = std::string("ERROR: ") + lua_tostring(L, -1);
      lua_pop(L, 1);
      return e;
    }
    std::string out = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    return out;
  }

  lua_State* L;
};

// Lua helpers: `show` renders any call's outcome (values or error) as text, `same` compares
// the stock and our version of one call and reports the first difference.
constexpr const char* kHarness = R"lua(
local function show(ok, ...)
  local parts = {ok and "ok" or "err"}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) .. ":" .. tostring(v)
  end
  return table.concat(parts, "|")
end
-- Calls f from Lua, so that both libraries' argument errors name the function 'f' (called
-- straight from pcall, the stock one would be found by its global name and ours not).
local function via(f, ...)
  local r = table.pack(f(...))
  return table.unpack(r, 1, r.n)
end
-- gmatch: every item of the iteration (at most 50).
local function all(gm, s, p, init)
  local ok, it = pcall(via, gm, s, p, init)
  if not ok then return false, it end
  local out = {}
  for _ = 1, 50 do
    local r = table.pack(pcall(via, it))
    if not r[1] then return false, r[2] end
    if r.n == 1 or r[2] == nil then break end
    out[#out + 1] = show(true, table.unpack(r, 2, r.n))
  end
  return true, table.concat(out, ";")
end
stats = {errors = 0, results = 0}
function same(name, ...)
  local a, b
  if name == "gmatch" then
    a, b = show(all(stock.gmatch, ...)), show(all(ours.gmatch, ...))
  else
    a, b = show(pcall(via, stock[name], ...)), show(pcall(via, ours[name], ...))
  end
  if a:sub(1, 3) == "err" then
    stats.errors = stats.errors + 1
  elseif a ~= "ok|nil:nil" and a ~= "ok|string:" then
    stats.results = stats.results + 1
  end
  if a ~= b then
    local args = {}
    for i = 1, select("#", ...) do args[i] = string.format("%q", tostring((select(i, ...)))) end
    return name .. "(" .. table.concat(args, ", ") .. ")\n  stock: " .. a .. "\n  ours:  " .. b
  end
end
)lua";

std::string check_all(TwoLibraries& libs, const std::string& cases) {
  EXPECT_EQ(libs.run(kHarness), "");
  return libs.run(
      "local bad = {}\nlocal function check(r) if r and #bad < 10 then bad[#bad + 1] = r end "
      "end\n" +
      cases + "\nreturn table.concat(bad, '\\n')");
}

TEST(LuaPattern, HandPickedCasesMatchStockLua) {
  TwoLibraries libs;
  const std::string cases = R"lua(
local subjects = {"", "hello world", "  key = value  ", "THE (quick) [brown] fox", "a.b.c", "aaa",
  "abcabc", "x = 1, y = 22, z = 333", "THE (quick (brown)) fox", "\0a\0b", "caf\195\169 \255\128",
  "f(a(b)c)d", "%%", "a+b-c*d?e", "^$", "hello\nworld"}
local patterns = {"", "o", "l+", "l*", "l-", "l?", "^h", "d$", "^$", "%a+", "%A+", "%d+", "%D",
  "%s*", "%S+", "%w+", "%W", "%x+", "%p", "%P+", "%c", "%l+", "%u+", "%g+", ".", ".-", ".*",
  "(%a+) (%a+)", "()", "()a()", "(a)(b)", "((a)b)", "(%w+)=(%w+)", "%s*(%S+)%s*=%s*(%S+)",
  "[aeiou]", "[^aeiou ]+", "[a-c]+", "[%a.]+", "[]]", "[^]]", "[a-]", "[-a]", "[%]]", "[%-]",
  "%b()", "%b[]", "%bxy", "%f[%w]%w+", "%f[%W]", "%f[%a]", "(a)%1", "(a*)%1", "(.)%1", "(%a+)%s*%1",
  "()%1", "%.", "%%", "a%-", "$a", "a$b", "x = (%d+)", "(h)(e)(l)(l)(o)", "[%d%s]+", "\0", "%z",
  "[\0-a]+", "(", ")", "%", "[a", "[^", "%b", "%ba", "%f", "%fa", "%1", "%0", "(()", "(a)%2",
  "%g-$", "^(.-)%s*$", "[%w_]+", "[\128-\255]+", "\195\169"}
for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    check(same("find", s, p))
    check(same("match", s, p))
    check(same("gmatch", s, p))
    check(same("gsub", s, p, "<%0>"))
    for _, init in ipairs({-100, -3, -1, 0, 1, 2, 5, 100}) do
      check(same("find", s, p, init))
      check(same("match", s, p, init))
      check(same("gmatch", s, p, init))
      check(same("find", s, p, init, true))
    end
  end
end
-- gsub replacements.
local repl = {"", "x", "%%", "%0", "%1", "%2", "[%1|%2]", "%", "a%", "%a", "%9", 42, 1.5,
  {hello = "HI", world = false, o = 7, l = {}},
  function(...) return select("#", ...) > 1 and (...) .. "!" or nil end,
  function() return false end, function(x) return x end, function() return {} end}
for _, s in ipairs(subjects) do
  for _, p in ipairs({"", "o", "l+", "(%w+)", "(%w+) (%w+)", "()", "(l)(l)", "%s", "^(%w+)",
    "%w+$"}) do
    for _, r in ipairs(repl) do
      check(same("gsub", s, p, r))
      for _, n in ipairs({-1, 0, 1, 2}) do check(same("gsub", s, p, r, n)) end
    end
  end
end
-- Every byte against every class, alone and in a set (atelier's classes are the C locale's).
for c = 0, 255 do
  for l in ("acdglpsuwxzACDGLPSUWXZ.%b"):gmatch(".") do
    check(same("find", string.char(c), "%" .. l))
    check(same("find", string.char(c), "[%" .. l .. "]"))
    check(same("find", string.char(c), "[^%" .. l .. "]"))
  end
end
check(same("gsub", "abc", "b", nil))
check(same("gsub", "abc", "b", true))
check(same("find", "abc", nil))
check(same("find", 12345, 3))
check(same("gsub", 12345, 3, 9))
check(same("match", string.rep("(", 300) .. string.rep(")", 300), string.rep("%(", 300)))
check(same("find", string.rep("a", 300), string.rep("a?", 250) .. string.rep("a", 250)))
check(same("match", string.rep("x", 40), string.rep("(x)", 32)))
check(same("match", string.rep("x", 40), string.rep("(x)", 33)))
check(same("match", "x", string.rep("(", 33)))
)lua";
  EXPECT_EQ(check_all(libs, cases), "");
}

TEST(LuaPattern, RandomPatternsMatchStockLua) {
  TwoLibraries libs;
  // 6,000 random patterns over small alphabets (so that they match often), each used with
  // find, match, gmatch and gsub on random subjects.
  const std::string cases = R"lua(
math.randomseed(20261207)
local R = math.random
local atoms = {"a", "b", "c", ".", "%a", "%d", "%s", "%w", "%x", "%p", "%A", "%S", "[abc]", "[^ab]",
  "[a-c]", "[%d.]", "[]a]", "1", " ", "%.", "%%", "(", ")", "()", "%b()", "%f[%w]", "%f[%s]", "%1",
  "%2", "-", "x", "[", "%", "$", "^", "%b", "%f", "[%a-z]", "[a-%d]", "%baa", "%b)(", "%f[^%w]",
  "[^%s%d]", "(a*(.))", "%3", "[%]a]", "[a-]", "[^]]", "%z", "%Z", "(()", "))", "[%", "[^", "%f[",
  "%f[a"}
local suffixes = {"", "", "", "*", "+", "-", "?"}
local alphabet = {"a", "b", "c", " ", "(", ")", ".", "1", "2", "x", "-", "%", "[", "]", "\0",
  "\200", "A"}
local function pattern()
  local parts = {}
  if R(6) == 1 then parts[1] = "^" end
  for _ = 1, R(0, 8) do parts[#parts + 1] = atoms[R(#atoms)] .. suffixes[R(#suffixes)] end
  if R(6) == 1 then parts[#parts + 1] = "$" end
  return table.concat(parts)
end
local function subject()
  local parts = {}
  for _ = 1, R(0, 14) do parts[#parts + 1] = alphabet[R(#alphabet)] end
  return table.concat(parts)
end
local replacements = {"<%0>", "%1-%1", "%%", "x", "%2", "%", function(a, b) return b or a end,
  {a = "A", b = false}}
for _ = 1, 6000 do
  local p, s = pattern(), subject()
  local init = R(-3, 8)
  check(same("find", s, p, init))
  check(same("match", s, p))
  check(same("gmatch", s, p))
  check(same("gsub", s, p, replacements[R(#replacements)], R(-1, 3)))
end
)lua";
  EXPECT_EQ(check_all(libs, cases), "");
  // The cases exercise both outcomes: errors (malformed patterns) and results.
  EXPECT_GT(std::stoi(libs.run("return tostring(stats.errors)")), 2000);
  EXPECT_GT(std::stoi(libs.run("return tostring(stats.results)")), 5000);
}

TEST(LuaPattern, StepsAreBilledAndStopTheMatch) {
  TwoLibraries libs;
  TwoLibraries::steps_max = 1'000'000;
  // The backtracking bomb: exponential in stock Lua, stopped here after a million steps.
  const std::string r = libs.run(
      "return select(2, pcall(ours.find, string.rep('a', 3000), string.rep('a-', 12) .. 'b'))");
  TwoLibraries::steps_max = INT64_MAX;
  EXPECT_EQ(r, "metered: out of steps");
  EXPECT_EQ(libs.run("return tostring(ours.find(string.rep('a', 100), 'a+b'))"), "nil");
  // A linear match bills about one step per byte; a plain search one per 16 bytes.
  lua_pushinteger(libs.L, 0);
  lua_setfield(libs.L, LUA_REGISTRYINDEX, "steps");
  libs.run("ours.find(string.rep('a', 100000), '%d')");
  lua_getfield(libs.L, LUA_REGISTRYINDEX, "steps");
  const auto steps = lua_tointeger(libs.L, -1);
  lua_pop(libs.L, 1);
  EXPECT_GE(steps, 100'000);
  EXPECT_LE(steps, 400'000);
}

TEST(LuaPattern, DepthIsLimitedLikeLua) {
  TwoLibraries libs;
  const std::string deep =
      "return select(2, pcall(ours.match, string.rep('a', 400), string.rep('a?', 300)))";
  EXPECT_EQ(libs.run(deep), "pattern too complex");
}

}  // namespace
}  // namespace atelier::render::internal
