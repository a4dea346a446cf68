// The Lua sandbox: what scripts can and cannot do, budgets, determinism helpers, traits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/hash.h"
#include "core/limits.h"
#include "render/internal/cpu.h"
#include "render/math/det_math.h"
#include "render/math/det_trig.h"
#include "render/math/noise.h"
#include "render/math/prng.h"
#include "render/raster/canvas.h"
#include "render/sandbox/sandbox.h"
#include "tests/render/test_util.h"

namespace atelier::render {
namespace {

namespace fs = std::filesystem;
using atelier::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr SandboxLimits kLimits{20'000'000, 32LL << 20, 10'000};

std::array<std::uint8_t, 32> token_bytes(const char* hash) {
  auto v = from_hex(std::string_view(hash).substr(2), 32);
  std::array<std::uint8_t, 32> out{};
  std::copy(v->begin(), v->end(), out.begin());
  return out;
}

// Runs `body` in a forked child that is killed after `timeout_s`; returns the child's exit
// code, or minus the signal that ended it. For scripts that could crash or hang the process.
template <typename F>
int in_child(F&& body, unsigned timeout_s) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::alarm(timeout_s);
    ::_exit(body());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// One script run on a fresh canvas, randomness and noise.
struct Script {
  explicit Script(int w = 64, int h = 64, const char* token = atelier::testing::kTokenA)
      : canvas(w, h), bytes(token_bytes(token)), random(bytes), noise(1234) {
    env.canvas = &canvas;
    env.random = &random;
    env.noise = &noise;
    env.params = &params;
    env.token_hash = token;
  }
  Result<ScriptResult> operator()(std::string_view source, const SandboxLimits& limits = kLimits) {
    return run_script(source, "main.lua", env, limits);
  }
  Canvas canvas;
  std::array<std::uint8_t, 32> bytes;
  TokenRandom random;
  SimplexNoise noise;
  std::map<std::string, ParamValue> params = {{"count", std::int64_t{3}},
                                              {"name", std::string("dusk")}};
  ScriptEnv env;
};

nlohmann::json traits_of(const Result<ScriptResult>& r) {
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return r ? nlohmann::json::parse(r->traits_json) : nlohmann::json();
}

void expect_script_error(std::string_view source, const std::string& code,
                         const std::string& needle) {
  Script run;
  auto r = run(source);
  ASSERT_FALSE(r) << "script succeeded: " << source;
  EXPECT_EQ(r.error().code, code) << r.error().to_string();
  EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
  EXPECT_THAT(r.error().message, HasSubstr(needle)) << source;
  EXPECT_THAT(r.error().message, HasSubstr("main.lua:")) << source;
}

// --- escapes ------------------------------------------------------------------------------

TEST(Sandbox, OsExecuteIsRefusedWithoutSideEffects) {
  TempDir tmp;
  auto marker = tmp / "pwned";
  expect_script_error("os.execute('touch " + marker.string() + "')", "script_error", "'os'");
  expect_script_error("local x = os.getenv('HOME')", "script_error", "'os'");
  expect_script_error("os.exit(3)", "script_error", "'os'");
  expect_script_error("os.remove('" + (tmp / "x").string() + "')", "script_error", "'os'");
  EXPECT_FALSE(fs::exists(marker));
}

TEST(Sandbox, IoIsRefusedWithoutSideEffects) {
  TempDir tmp;
  auto file = tmp / "written";
  expect_script_error("local f = io.open('" + file.string() + "', 'w') f:write('x') f:close()",
                      "script_error", "'io'");
  expect_script_error("return {x = io.read('a')}", "script_error", "'io'");
  expect_script_error("io.popen('id')", "script_error", "'io'");
  EXPECT_FALSE(fs::exists(file));
}

TEST(Sandbox, RequireAndLoadersAreRefused) {
  expect_script_error("local os = require('os')", "script_error", "require");
  expect_script_error("local f = load('return 1')", "script_error", "load");
  expect_script_error("local f = loadstring('return 1')", "script_error", "loadstring");
  expect_script_error("dofile('/etc/passwd')", "script_error", "dofile");
  expect_script_error("loadfile('/etc/passwd')", "script_error", "loadfile");
  expect_script_error("local p = package.loaded", "script_error", "package");
}

TEST(Sandbox, BytecodeCannotBeMadeOrLoaded) {
  expect_script_error("local b = string.dump(function() return 1 end)", "script_error", "dump");
  expect_script_error("local b = ('').dump(print)", "script_error", "dump");
  expect_script_error("local d = getmetatable('').__index.dump; return d(function() end)",
                      "script_error", "nil value");
  expect_script_error("local f = load(string.dump(function() end), 'x', 'b')", "script_error",
                      "dump");
  // A bytecode chunk given as the script itself is refused at load time.
  Script run;
  auto r = run(std::string("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", 12));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "script_syntax_error");
}

TEST(Sandbox, DebugCoroutineAndCollectgarbageAreRefused) {
  expect_script_error("debug.sethook()", "script_error", "debug");
  expect_script_error("local i = debug.getinfo(1)", "script_error", "debug");
  expect_script_error("collectgarbage('stop')", "script_error", "collectgarbage");
  expect_script_error("local n = collectgarbage('count')", "script_error", "collectgarbage");
  expect_script_error("local co = coroutine.create(function() end)", "script_error", "coroutine");
}

TEST(Sandbox, OnlyTheSafeLibrariesAreVisible) {
  Script run;
  auto t = traits_of(run(R"(
    local out = {}
    for _, name in ipairs({"os", "io", "debug", "package", "require", "load", "loadstring",
                           "dofile", "loadfile", "collectgarbage", "coroutine", "module",
                           "newproxy"}) do
      out[name] = type(rawget(_G, name))
    end
    for _, name in ipairs({"math", "string", "table", "utf8"}) do out[name] = type(_G[name]) end
    out.dump = type(string.dump)
    return out)"));
  for (const char* hidden :
       {"os", "io", "debug", "package", "require", "load", "loadstring", "dofile", "loadfile",
        "collectgarbage", "coroutine", "module", "newproxy", "dump"}) {
    EXPECT_EQ(t[hidden], "nil") << hidden;
  }
  for (const char* lib : {"math", "string", "table", "utf8"}) EXPECT_EQ(t[lib], "table") << lib;
}

// BUG (src/render/sandbox/lua_api.cc): the gradient metatable is not protected (no __metatable
// field), so a script can fetch getmetatable(g).__gc and call it by hand. l_gradient_gc runs the
// shared_ptr destructor in place each time; calling it twice (or using the gradient after one
// call) is a use-after-free / double free, and the final __gc at lua_close frees it again.
// Observed: the process dies with SIGSEGV. Disabled so the suite stays green; see the report.
TEST(Sandbox, GradientFinalizerCannotBeAbusedByTheScript) {
  int code = in_child(
      [] {
        Script run;
        auto r = run(R"(
          local g = ctx:createLinearGradient(0, 0, 1, 1)
          local gc = getmetatable(g).__gc
          if gc then
            gc(g)
            gc(g)
          end
          g:addColorStop(0, "#ffffff")
          g:addColorStop(1, "#000000")
          ctx.fillStyle = g
          ctx:fillRect(0, 0, 1, 1)
          return {})");
        (void)r;  // A clean error or success is fine; crashing is not.
        return 0;
      },
      20);
  EXPECT_EQ(code, 0) << "the sandboxed script crashed the process (negative: signal)";
}

// --- budgets ------------------------------------------------------------------------------

TEST(Sandbox, InfiniteLoopHitsTheInstructionBudget) {
  Script run;
  auto start = std::chrono::steady_clock::now();
  auto r = run("local x = 0\nwhile true do x = x + 1 end", {2'000'000, 32LL << 20, 60'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_instructions_max");
  EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
  EXPECT_THAT(r.error().message,
              AllOf(HasSubstr("render_instructions_max"), HasSubstr("main.lua:2")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Sandbox, InstructionBudgetBothSides) {
  // A loop of known length passes under a generous budget and trips a tight one.
  const char* script = "local s = 0\nfor i = 1, 200000 do s = s + i end\nreturn {s = s}";
  Script ok_run;
  auto ok = ok_run(script, {5'000'000, 32LL << 20, 60'000});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(traits_of(ok)["s"], 200000LL * 200001 / 2);
  EXPECT_GT(ok->instructions, 200'000);
  EXPECT_LE(ok->instructions, 5'000'000);
  Script tight_run;
  auto tight = tight_run(script, {100'000, 32LL << 20, 60'000});
  ASSERT_FALSE(tight);
  EXPECT_EQ(tight.error().code, "render_instructions_max");
}

TEST(Sandbox, MemoryBombHitsTheMemoryBudget) {
  for (const char* bomb : {
           "local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = string.rep('x', 1000) .. i "
           "end",
           "local s = 'x'\nwhile true do s = s .. s end",
           "local s = string.rep('x', 1 << 30)",
           "local t = {}\nfor i = 1, 1e9 do t[i] = i end",
       }) {
    Script run;
    auto r = run(bomb, {1'000'000'000, 8LL << 20, 60'000});
    ASSERT_FALSE(r) << bomb;
    EXPECT_EQ(r.error().code, "script_memory_bytes_max") << bomb << " -> " << r.error().to_string();
    EXPECT_THAT(r.error().message, HasSubstr("script_memory_bytes_max"));
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
  }
}

TEST(Sandbox, MemoryBudgetBothSides) {
  const char* script =
      "local t = {}\nfor i = 1, 1000 do t[i] = string.rep('y', 1000) .. i end\nreturn {n = #t}";
  Script ok_run;
  auto ok = ok_run(script, {100'000'000, 16LL << 20, 60'000});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_GT(ok->memory_peak_bytes, 1'000'000);
  EXPECT_LE(ok->memory_peak_bytes, 16LL << 20);
  Script tight_run;
  auto tight = tight_run(script, {100'000'000, 512LL << 10, 60'000});
  ASSERT_FALSE(tight);
  EXPECT_EQ(tight.error().code, "script_memory_bytes_max");
}

TEST(Sandbox, WallClockLimit) {
  Script run;
  auto start = std::chrono::steady_clock::now();
  auto r = run("while true do end", {std::int64_t{1} << 60, 32LL << 20, 150});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_wall_ms_max");
  EXPECT_THAT(r.error().message, HasSubstr("render_wall_ms_max"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(Sandbox, PcallCannotSwallowABudgetError) {
  const SandboxLimits small{2'000'000, 8LL << 20, 60'000};
  struct Case {
    const char* script;
    const char* code;
  };
  for (const Case& c : {
           Case{"while true do pcall(function() while true do end end) end",
                "render_instructions_max"},
           Case{"for i = 1, 100 do pcall(function() while true do end end) end\nreturn {escaped = "
                "true}",
                "render_instructions_max"},
           Case{"local ok = xpcall(function() while true do end end, function(e) return e "
                "end)\nreturn {escaped = true}",
                "render_instructions_max"},
           Case{"for i = 1, 20 do pcall(string.rep, 'x', 1 << 30) end\nreturn {escaped = true}",
                "script_memory_bytes_max"},
           Case{"pcall(function() local t = {} while true do t[#t + 1] = ('z'):rep(4096) end end)\n"
                "return {escaped = true}",
                "script_memory_bytes_max"},
           Case{
               "local ok = pcall(pcall, function() while true do end end)\nreturn {escaped = true}",
               "render_instructions_max"},
       }) {
    Script run;
    auto r = run(c.script, small);
    ASSERT_FALSE(r) << "escaped: " << c.script;
    EXPECT_EQ(r.error().code, c.code) << c.script << " -> " << r.error().to_string();
  }
}

TEST(Sandbox, PcallStillCatchesOrdinaryErrors) {
  Script run;
  auto t = traits_of(run(R"(
    local ok, err = pcall(error, "boom")
    local ok2, err2 = xpcall(function() error("bang") end, function(e) return "handled: " .. e end)
    return {ok = ok, err = err, ok2 = ok2, err2 = err2})"));
  EXPECT_EQ(t["ok"], false);
  EXPECT_EQ(t["err"], "boom");
  EXPECT_EQ(t["ok2"], false);
  EXPECT_THAT(t["err2"].get<std::string>(), AllOf(HasSubstr("handled: "), HasSubstr("bang")));
}

// --- script errors ------------------------------------------------------------------------

TEST(Sandbox, ScriptErrorsCarryTheLineNumber) {
  expect_script_error("local a = 1\nlocal b = 2\nerror('boom')", "script_error",
                      "main.lua:3: boom");
  expect_script_error("local t = nil\n\n\n\nreturn t.x", "script_error", "main.lua:5:");
  expect_script_error("local x = 1\nctx.fillStyle = 'not a colour'", "script_error", "main.lua:2:");
  expect_script_error("ctx:arc(0.5, 0.5, -1, 0, 6)", "script_error", "radius");
  expect_script_error("ctx.noSuchProperty = 1", "script_error", "noSuchProperty");
  expect_script_error("local x = rand_int(5, 1)", "script_error", "rand_int");
  Script run;
  auto syntax = run("local x = \nlocal y = 2 +");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, "script_syntax_error");
  EXPECT_THAT(syntax.error().message, HasSubstr("main.lua:"));
}

// BUG (src/render/sandbox/lua_api.cc): errors raised by the atelier API's own bindings through
// kRaise/wrap<> (raise(), l_control_sample) are pushed with lua_pushstring and thrown with
// lua_error, so unlike luaL_error they carry no "main.lua:<line>:" prefix: e.g.
// control_luma without a bound image, ctx:save() past save_depth_max, path_points_max. The issue
// asks for the script's line number on script errors. A fix: prefix with luaL_where(L, 1) in
// raise() and l_control_sample. Disabled; see the report.
TEST(Sandbox, ApiErrorsCarryTheLineNumber) {
  expect_script_error("local a = 1\nlocal v = control_luma(0.5, 0.5)", "script_error",
                      "main.lua:2:");
  expect_script_error("local a = 1\nlocal v = control_luma(0.5, 0.5)", "script_error",
                      "no control image");
}

// BUG (src/render/sandbox/sandbox.cc): Lua runs __gc finalizers with debug hooks switched off
// (lgc.c GCTM sets L->allowhook = 0), and the instruction and wall-clock budgets are enforced
// only from the count hook. A finalizer that loops forever therefore runs unbounded: the render
// never returns (observed: the child is killed by the 20 s alarm). Scripts can set __gc on their
// own tables through setmetatable. A fix: refuse (or strip) __gc in the sandbox's setmetatable
// (Lua only registers finalizers present when setmetatable is called). Disabled; see the report.
TEST(Sandbox, FinalizersCannotEscapeTheBudget) {
  int code = in_child(
      [] {
        Script run;
        auto r = run(
            "setmetatable({}, {__gc = function() while true do end end})\n"
            "for i = 1, 200000 do local garbage = {i} end\n"
            "return {done = true}",
            {2'000'000, 32LL << 20, 2'000});
        return r ? 0 : 1;  // Either outcome is acceptable, as long as it ends.
      },
      20);
  EXPECT_GE(code, 0) << "the script ran past every budget (killed by signal " << -code << ")";
}

// BUG (src/render/sandbox/sandbox.cc): when a budget trips, budget_hook raises the error from
// inside the hook, where Lua has debug hooks switched off (ldo.c luaD_hook sets L->allowhook = 0).
// xpcall's message handler is called right there, before the error unwinds, so the handler runs
// with no instruction or wall-clock checks at all: a handler that loops forever hangs the render. A
// fix: sandbox_xpcall should install a C message handler that returns the error unchanged (without
// calling the script's handler) once the sandbox has aborted.
TEST(Sandbox, XpcallHandlerCannotEscapeTheBudget) {
  int code = in_child(
      [] {
        Script run;
        auto r = run("xpcall(function() while true do end end, function() while true do end end)\n"
                     "return {escaped = true}",
                     {2'000'000, 32LL << 20, 2'000});
        return !r && (r.error().code == "render_instructions_max" ||
                      r.error().code == "render_wall_ms_max")
                   ? 0
                   : 1;
      },
      20);
  EXPECT_EQ(code, 0) << (code < 0 ? "the script ran past every budget (killed by a signal)"
                                  : "the script's error was swallowed");
}

TEST(Sandbox, SaveDepthLimitBothSides) {
  Script ok;
  const std::string max = std::to_string(limits::kSaveDepthMax);
  auto deep = ok("for i = 1, " + max +
                 " do ctx:save() end\n"
                 "for i = 1, " +
                 max +
                 " + 10 do ctx:restore() end\n"  // Extra restores are ignored.
                 "return {ok = true}");
  ASSERT_TRUE(deep) << deep.error().to_string();
  Script over;
  auto r = over("for i = 1, " + max + " + 1 do ctx:save() end");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("save_depth_max"));
}

TEST(Sandbox, FormatPercentPIsRefused) {
  expect_script_error("local s = string.format('%p', {})", "script_error", "%p");
  expect_script_error("local s = ('%5p'):format({})", "script_error", "%p");
  Script run;
  auto t = traits_of(run("return {s = string.format('%d%% %s', 5, 'x')}"));
  EXPECT_EQ(t["s"], "5% x");
}

// --- determinism helpers ------------------------------------------------------------------

// The math library's transcendental functions and the `^` operator are atelier's own
// (det_trig.h, det_math.h), not the C library's, whose last bit depends on the CPU: every
// result equals the det_ function's, bit for bit (compared as C99 hex floats).
TEST(Sandbox, MathLibraryAndPowerAreAteliersOwn) {
  std::vector<double> xs;
  std::uint32_t state = 99;
  for (int i = 0; i < 60; ++i) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    const double u = (state & 0xFFFFFF) / double(0x1000000);
    xs.push_back(i % 3 == 0 ? u : i % 3 == 1 ? (u - 0.5) * 40 : u * 1e-3 + 0.999);
  }
  auto hex = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", v);
    return std::string(buf);
  };
  std::string inputs, want;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i], y = xs[(i * 7 + 3) % xs.size()];
    inputs += "{" + hex(x) + ", " + hex(y) + "},";
    double s, c;
    internal::det_sincos(x, s, c);
    const double a = std::fabs(x) <= 1 ? x : 1 / x;
    for (double v :
         {internal::det_pow(std::fabs(x), y), internal::det_exp(y), internal::det_log(std::fabs(x)),
          internal::det_log2(std::fabs(x)), internal::det_log10(std::fabs(x)),
          internal::det_log(std::fabs(x)) / internal::det_log(3.0), internal::det_tan(x),
          internal::det_asin(a), internal::det_acos(a), internal::det_atan2(x, 1.0),
          internal::det_atan2(x, y), s, c}) {
      want += "\"" + hex(v) + "\",";
    }
  }
  // Compared inside the script (a trait holds at most 256 bytes): the number of results that
  // differ, and the first of them.
  const std::string script = "local inputs = {" + inputs + "}\nlocal want = {" + want + R"(}
    local n, differing, first = 0, 0, "none"
    local function put(v)
      n = n + 1
      local got = string.format("%a", v)
      if got ~= want[n] then
        differing = differing + 1
        if first == "none" then first = n .. ": " .. got .. " want " .. want[n] end
      end
    end
    for _, p in ipairs(inputs) do
      local x, y = p[1], p[2]
      local a = math.abs(x) <= 1 and x or 1 / x
      put(math.abs(x) ^ y); put(math.exp(y)); put(math.log(math.abs(x)))
      put(math.log(math.abs(x), 2)); put(math.log(math.abs(x), 10)); put(math.log(math.abs(x), 3))
      put(math.tan(x)); put(math.asin(a)); put(math.acos(a)); put(math.atan(x))
      put(math.atan(x, y))
      put(math.sin(x)); put(math.cos(x))
    end
    return {compared = n, differing = differing, first = first})";
  Script run;
  auto t = traits_of(run(script));
  EXPECT_EQ(t["compared"], 60 * 13);
  EXPECT_EQ(t["differing"], 0) << t["first"];
}

TEST(Sandbox, PairsOrderIsDeterministic) {
  const char* script = R"(
    local t = {}
    for i, k in ipairs({"pear", "apple", "fig", "banana", "cherry", "date", "elder",
      "grape"}) do t[k] = i end
    t[10] = true; t[2] = true; t[3.5] = true; t[-1] = true; t[true] = 1; t[false] = 0
    local order = {}
    for k in pairs(t) do order[#order + 1] = tostring(k) end
    local first = next(t)
    return {order = table.concat(order, ","), first = tostring(first)})";
  for (int i = 0; i < 3; ++i) {
    Script run;
    auto t = traits_of(run(script));
    // Numbers ascending, then strings, then booleans (false before true).
    EXPECT_EQ(t["order"], "-1,2,3.5,10,apple,banana,cherry,date,elder,fig,grape,pear,false,true");
    EXPECT_EQ(t["first"], "-1");
  }
  expect_script_error("local t = {[{}] = 1}\nfor k in pairs(t) do end", "script_error",
                      "deterministic");
}

TEST(Sandbox, TostringHidesAddresses) {
  Script run;
  auto t = traits_of(run(R"(
    local g = ctx:createLinearGradient(0, 0, 1, 0)
    return {t = tostring({}), f = tostring(print), c = tostring(function() end),
            s = string.format("%s|%s|%s", {}, rand, g), g = tostring(g),
            meta = tostring(setmetatable({}, {__tostring = function() return "custom" end})),
            n = tostring(1.5), b = tostring(true)})"));
  EXPECT_EQ(t["t"], "table");
  EXPECT_EQ(t["f"], "function");
  EXPECT_EQ(t["c"], "function");
  EXPECT_EQ(t["s"], "table|function|gradient");
  EXPECT_EQ(t["g"], "gradient");
  EXPECT_EQ(t["meta"], "custom");
  EXPECT_EQ(t["n"], "1.5");
  EXPECT_EQ(t["b"], "true");
  EXPECT_THAT(t.dump(), Not(HasSubstr("0x")));
}

TEST(Sandbox, TableSortIsStable) {
  Script run;
  auto t = traits_of(run(R"(
    local t = {}
    for i = 1, 200 do t[i] = {k = (i * 7) % 5, i = i} end
    table.sort(t, function(a, b) return a.k < b.k end)
    local stable = true
    for i = 2, #t do
      if t[i - 1].k > t[i].k or (t[i - 1].k == t[i].k and t[i - 1].i > t[i].i) then
        stable = false
      end
    end
    local nums = {5, 3, 9, 1, 7}
    table.sort(nums)
    return {stable = stable, nums = table.concat(nums, ",")})"));
  EXPECT_EQ(t["stable"], true);
  EXPECT_EQ(t["nums"], "1,3,5,7,9");
}

TEST(Sandbox, RandomnessIsTheTokensSeededStream) {
  Script run;
  auto t = traits_of(run("return {a = rand(), b = rand(), c = math.random()}"));
  auto bytes = token_bytes(atelier::testing::kTokenA);
  TokenRandom ref(bytes);
  EXPECT_EQ(t["a"].get<double>(), ref.next());
  EXPECT_EQ(t["b"].get<double>(), ref.next());
  EXPECT_EQ(t["c"].get<double>(), ref.next());  // math.random is the same stream.

  // math.randomseed cannot reseed it, and another token gives other values.
  Script seeded;
  auto s = traits_of(seeded("math.randomseed(42)\nreturn {a = rand()}"));
  EXPECT_EQ(s["a"], t["a"]);
  Script other(64, 64, atelier::testing::kTokenB);
  EXPECT_NE(traits_of(other("return {a = rand()}"))["a"], t["a"]);

  Script ints;
  auto i = traits_of(ints(R"(
    local lo, hi, bad = 99, -99, false
    for k = 1, 2000 do
      local v = rand_int(3, 7)
      if v < lo then lo = v end
      if v > hi then hi = v end
      if math.type(v) ~= "integer" then bad = true end
      local m = math.random(6)
      if m < 1 or m > 6 then bad = true end
      local c = rand_choice({"a", "b"})
      if c ~= "a" and c ~= "b" then bad = true end
      local r = rand_range(-2, -1)
      if r < -2 or r >= -1 then bad = true end
    end
    return {lo = lo, hi = hi, bad = bad})"));
  EXPECT_EQ(i["lo"], 3);
  EXPECT_EQ(i["hi"], 7);
  EXPECT_EQ(i["bad"], false);
}

TEST(Sandbox, GlobalsDescribeTheCanvasAndParams) {
  Script run(200, 100);
  auto t =
      traits_of(run("return {W = W, H = H, PX = PX, token = token_hash, count = params.count, name "
                    "= params.name, "
                    "ct = math.type(params.count)}"));
  EXPECT_EQ(t["W"], 1);
  EXPECT_EQ(t["H"], 0.5);
  EXPECT_EQ(t["PX"], 1.0 / 200);
  EXPECT_EQ(t["token"], atelier::testing::kTokenA);
  EXPECT_EQ(t["count"], 3);
  EXPECT_EQ(t["ct"], "integer");
  EXPECT_EQ(t["name"], "dusk");
}

TEST(Sandbox, DrawsOnTheCanvasInScriptUnits) {
  Script run(64, 32);
  auto r = run(R"lua(
    ctx:background("#ff0000")
    ctx.fillStyle = "rgb(0, 0, 255)"
    ctx:fillRect(0, 0, 0.5, H))lua");
  ASSERT_TRUE(r) << r.error().to_string();
  Image img = run.canvas.to_image();
  ASSERT_EQ(img.width, 64);
  ASSERT_EQ(img.height, 32);
  auto px = [&](int x, int y) {
    const auto* p = &img.rgba[(static_cast<std::size_t>(y) * 64 + x) * 4];
    return std::array<int, 4>{p[0], p[1], p[2], p[3]};
  };
  EXPECT_EQ(px(5, 5), (std::array<int, 4>{0, 0, 255, 255}));
  EXPECT_EQ(px(31, 31), (std::array<int, 4>{0, 0, 255, 255}));
  EXPECT_EQ(px(32, 0), (std::array<int, 4>{255, 0, 0, 255}));
  EXPECT_EQ(px(63, 31), (std::array<int, 4>{255, 0, 0, 255}));
}

// --- traits -------------------------------------------------------------------------------

TEST(Sandbox, TraitsKeepTheirTypes) {
  Script run;
  auto r = run(R"(return {Palette = "Dusk", Count = 3, Ratio = 0.5, Rare = true, Big = 2^53})");
  ASSERT_TRUE(r) << r.error().to_string();
  // Canonical JSON (RFC 8785): sorted keys, integers as integers.
  EXPECT_EQ(r->traits_json,
            R"({"Big":9007199254740992,"Count":3,"Palette":"Dusk","Rare":true,"Ratio":0.5})");
  auto t = nlohmann::json::parse(r->traits_json);
  EXPECT_TRUE(t["Count"].is_number_integer());
  EXPECT_TRUE(t["Ratio"].is_number_float());
  EXPECT_TRUE(t["Rare"].is_boolean());
  EXPECT_TRUE(t["Palette"].is_string());
}

TEST(Sandbox, NoTraitsIsAnEmptyObject) {
  Script a;
  EXPECT_EQ(a("local x = 1").value().traits_json, "{}");
  Script b;
  EXPECT_EQ(b("return nil").value().traits_json, "{}");
  Script c;
  EXPECT_EQ(c("return {}").value().traits_json, "{}");
}

TEST(Sandbox, TraitLimitsBothSides) {
  auto n_traits = [](int n) {
    return "local t = {}\nfor i = 1, " + std::to_string(n) +
           " do t['trait' .. i] = i end\nreturn t";
  };
  Script ok;
  auto max = ok(n_traits(static_cast<int>(limits::kTraitsMax)));
  ASSERT_TRUE(max) << max.error().to_string();
  EXPECT_EQ(nlohmann::json::parse(max->traits_json).size(),
            static_cast<std::size_t>(limits::kTraitsMax));
  Script over;
  auto too_many = over(n_traits(static_cast<int>(limits::kTraitsMax) + 1));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, "invalid_traits");
  EXPECT_THAT(too_many.error().message, HasSubstr("traits_max"));

  auto long_value = [](std::int64_t n) {
    return "return {Name = string.rep('v', " + std::to_string(n) + ")}";
  };
  Script fits;
  EXPECT_TRUE(fits(long_value(limits::kTraitValueBytesMax)));
  Script too_long;
  auto r = too_long(long_value(limits::kTraitValueBytesMax + 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_traits");
  EXPECT_THAT(r.error().message, HasSubstr("Name"));
}

TEST(Sandbox, TraitShapesAreChecked) {
  for (const char* bad :
       {"return 5", "return 'x'", "return {[1] = 'a'}", "return {Nested = {}}",
        "return {Fn = print}", "return {Nan = 0/0}", "return {Inf = math.huge}"}) {
    Script run;
    auto r = run(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_traits") << bad << " -> " << r.error().to_string();
  }
}

TEST(Sandbox, SameScriptSameTraitsAndPixels) {
  const char* script = R"lua(
    ctx:background("#f0e8d8")
    for i = 1, 200 do
      ctx.strokeStyle = string.format("hsla(%d, 60%%, 40%%, 0.5)", rand_int(0, 359))
      ctx.lineWidth = rand_range(0.001, 0.01)
      ctx:beginPath()
      ctx:moveTo(rand(), rand())
      ctx:bezierCurveTo(rand(), rand(), rand(), rand(), rand(), noise2(i * 0.1, 0.3) * 0.5 + 0.5)
      ctx:stroke()
    end
    return {Lines = 200, Mood = rand_choice({"calm", "wild"})})lua";
  Script a, b;
  auto ra = a(script), rb = b(script);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->traits_json, rb->traits_json);
  EXPECT_EQ(a.canvas.to_image().rgba, b.canvas.to_image().rgba);
}

}  // namespace
}  // namespace atelier::render

namespace atelier::render {
namespace {

// --- flowfield: native tracing ---------------------------------------------------------------

TEST(FlowField, TraceFollowsTheAngleFieldAndStopsAtTheBounds) {
  Script run;
  auto r = run(R"lua(
    local f = flowfield{frequency = 3, octaves = 2, warp = 0.5}
    local pts = f:trace(0.5, 0.5, 50, 0.01)
    local a = f:angle(0.5, 0.5)
    local ok_first = math.abs(pts[3] - (0.5 + math.cos(a) * 0.01)) < 1e-12
                 and math.abs(pts[4] - (0.5 + math.sin(a) * 0.01)) < 1e-12
    local inside = true
    for i = 1, #pts, 2 do
      if pts[i] < 0.4 or pts[i] > 0.6 or pts[i + 1] < 0.4 or pts[i + 1] > 0.6 then
        inside = false
      end
    end
    local boxed = f:trace(0.5, 0.5, 1000, 0.01, 0.4, 0.4, 0.6, 0.6)
    local inside_box = true
    for i = 1, #boxed, 2 do
      if boxed[i] < 0.4 or boxed[i] > 0.6 or boxed[i + 1] < 0.4 or boxed[i + 1] > 0.6 then
        inside_box = false
      end
    end
    return {n = #pts, first = ok_first, boxed_n = #boxed, inside_box = inside_box}
  )lua");
  auto t = traits_of(r);
  EXPECT_EQ(t["n"], 102);  // Start + 50 steps (the canvas is 1 x 1 and the walk is short).
  EXPECT_EQ(t["first"], true);
  EXPECT_EQ(t["inside_box"], true);
  EXPECT_LT(t["boxed_n"].get<int>(), 2002);  // A 1000-step walk leaves a 0.2-wide box early.
  EXPECT_GE(t["boxed_n"].get<int>(), 2);
}

TEST(FlowField, FlowlineDrawsWhatPolylineOfTraceDraws) {
  // ctx:flowline adds the same sub-path as ctx:polyline(field:trace(...)), bounds included,
  // and returns its number of points.
  auto draw = [](const char* path_calls) {
    Script run(96, 96);
    auto r = run(std::string(R"lua(
      local f = flowfield{frequency = 3, octaves = 2}
      ctx:background("#ffffff")
      ctx.lineWidth = 1.5 * PX
      ctx.lineCap = "round"
      ctx.lineJoin = "round"
      ctx:beginPath()
      local n = 0
    )lua") + path_calls + R"lua(
      ctx:stroke()
      return {n = n}
    )lua");
    return std::make_pair(traits_of(r), run.canvas.to_image().rgba);
  };
  const auto [flow_traits, flow_pixels] = draw(R"lua(
      n = n + ctx:flowline(f, 0.5, 0.5, 80, 0.01)
      n = n + ctx:flowline(f, 0.2, 0.7, 500, 0.01, 0.1, 0.1, 0.9, 0.9)
  )lua");
  const auto [poly_traits, poly_pixels] = draw(R"lua(
      local a = f:trace(0.5, 0.5, 80, 0.01)
      local b = f:trace(0.2, 0.7, 500, 0.01, 0.1, 0.1, 0.9, 0.9)
      ctx:polyline(a)
      ctx:polyline(b)
      n = #a / 2 + #b / 2
  )lua");
  EXPECT_EQ(flow_traits["n"], poly_traits["n"]);
  EXPECT_GT(flow_traits["n"].get<int>(), 81);
  EXPECT_EQ(flow_pixels, poly_pixels);
  std::size_t ink = 0;
  for (std::uint8_t v : flow_pixels) ink += v != 255;
  EXPECT_GT(ink, 100u);
  // ctx:flowlines walks several starts in lockstep: the same sub-paths in the same order, so
  // the same pixels; six starts (one group of four and a partial one), walks of unequal
  // length (bounded), and bad starts refused.
  const auto [batch_traits, batch_pixels] = draw(R"lua(
      n = ctx:flowlines(f, {0.5, 0.5, 0.2, 0.7, 0.31, 0.12, 0.8, 0.8, 0.05, 0.95, 0.66, 0.4}, 300,
        0.01,
                        0.1, 0.1, 0.9, 0.9)
  )lua");
  const auto [single_traits, single_pixels] = draw(R"lua(
      for _, s in ipairs{{0.5, 0.5}, {0.2, 0.7}, {0.31, 0.12}, {0.8, 0.8}, {0.05, 0.95}, {0.66,
        0.4}} do
        n = n + ctx:flowline(f, s[1], s[2], 300, 0.01, 0.1, 0.1, 0.9, 0.9)
      end
  )lua");
  EXPECT_EQ(batch_traits["n"], single_traits["n"]);
  EXPECT_EQ(batch_pixels, single_pixels);
  Script bad(16, 16);
  EXPECT_FALSE(bad("ctx:flowlines(flowfield{}, {0.5}, 10, 0.01)"));
  EXPECT_FALSE(bad("ctx:flowlines(flowfield{}, {0.5, 0/0}, 10, 0.01)"));
  EXPECT_FALSE(bad("ctx:flowlines(flowfield{}, {0.5, 0.5}, 4000000, 0.01)"));
}

TEST(FlowField, FlowlinesDrawTheSameOnEveryVectorPath) {
  // ctx:flowlines walks a plain field's starts as AVX2 lanes where the CPU has it: the same
  // points as the scalar walks, so the same count and pixels (internal/walk_simd_test.cc
  // compares the points themselves). 203 walks: full lockstep groups and a partial one.
  auto draw = [](bool allow_avx2) {
    internal::ScopedSimd path(allow_avx2);
    Script run(256, 256);
    auto r = run(R"lua(
      local f = flowfield{frequency = 2.2, angle = 6.2831853}
      ctx:background("#ffffff")
      ctx.lineWidth = PX
      ctx.lineCap = "round"
      ctx.lineJoin = "round"
      ctx:beginPath()
      local starts = {}
      for k = 1, 203 do starts[2 * k - 1], starts[2 * k] = rand(), rand() end
      local n = ctx:flowlines(f, starts, 150, 0.004, 0.05, 0.05, 0.95, 0.95)
      ctx:stroke()
      return {n = n}
    )lua");
    return std::make_pair(traits_of(r), run.canvas.to_image().rgba);
  };
  const auto [scalar_traits, scalar_pixels] = draw(false);
  const auto [simd_traits, simd_pixels] = draw(true);
  EXPECT_GT(scalar_traits["n"].get<int>(), 203 * 20);
  EXPECT_LT(scalar_traits["n"].get<int>(), 203 * 151);  // Some walks stop at the bounds.
  EXPECT_EQ(simd_traits["n"], scalar_traits["n"]);
  EXPECT_EQ(simd_pixels, scalar_pixels);
}

TEST(FlowField, FlowlineChecksItsArguments) {
  expect_script_error("ctx:flowline(flowfield{}, 0, 0, 2000000, 0.1)", "script_error", "steps");
  expect_script_error("ctx:flowline({}, 0, 0, 10, 0.1)", "script_error", "flowfield");
}

TEST(FlowField, OneOctaveWalkBitsArePinned) {
  // The one-octave field takes a shortcut in FlowField::at that must not change a bit: the
  // end of a 120-step walk (bits as hex floats), computed before the shortcut existed.
  Script run;
  auto r = run(R"lua(
    local p = flowfield{frequency = 2.2, angle = 6.2831853}:trace(0.3, 0.4, 120, 0.004, -9, -9, 9,
      9)
    local q = flowfield{frequency = 1.3, base = 0.25}:trace(0.7, 0.1, 120, 0.004, -9, -9, 9, 9)
    return {x = string.format("%a", p[#p - 1]), y = string.format("%a", p[#p]),
            qx = string.format("%a", q[#q - 1]), qy = string.format("%a", q[#q])}
  )lua");
  const auto t = traits_of(r);
  EXPECT_EQ(t["x"], "0x1.0f577bbfb2f16p-2");
  EXPECT_EQ(t["y"], "0x1.2af7b611d5471p-1");
  EXPECT_EQ(t["qx"], "0x1.58a05299714a7p-1");
  EXPECT_EQ(t["qy"], "-0x1.4bc06b02902a7p-2");
}

TEST(FlowField, SameTokenSameCurveOtherNoiseOtherCurve) {
  const char* script =
      "local p = flowfield{frequency = 2}:trace(0.3, 0.3, 100, 0.004)\nreturn {x = p[#p - 1], y = "
      "p[#p]}";
  Script a, b;
  EXPECT_EQ(traits_of(a(script)), traits_of(b(script)));
  Script c;
  c.noise = SimplexNoise(999);  // Another token's field.
  EXPECT_NE(traits_of(a(script)), traits_of(c(script)));
}

TEST(FlowField, NativeWorkIsBilledToTheInstructionBudget) {
  Script run;
  // A handful of VM instructions, but millions of native steps: the budget must still trip.
  auto r =
      run("local f = flowfield{frequency = 2}\nwhile true do f:trace(0.5, 0.5, 100000, 0, -1, -1, "
          "2, 2) end",
          {50'000'000, 64LL << 20, 60'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_instructions_max") << r.error().to_string();
}

TEST(FlowField, BadArgumentsAreScriptErrors) {
  expect_script_error("flowfield{octaves = 9}", "script_error", "octaves");
  expect_script_error("flowfield{}:trace(0, 0, 2000000, 0.1)", "script_error", "steps");
  expect_script_error("flowfield{}:trace(0/0, 0, 10, 0.1)", "script_error", "finite");
  expect_script_error("local f = flowfield{}; getmetatable(f).__index = nil", "script_error", "");
}

}  // namespace
}  // namespace atelier::render

namespace atelier::render {
namespace {

TEST(Sandbox, MathSinAndCosGiveTheSameBitsOnEveryCpu) {
  // math.sin/math.cos are det_sincos (render/math/det_trig.h), not the C library's: sin(2.5) is
  // one ulp below glibc's 0x1.326af0dcfcab1p-1 here, by design the same on every CPU.
  Script run(8, 8);
  auto t = traits_of(
      run(R"(return {s = string.format("%a", math.sin(2.5)), c = string.format("%a", math.cos(2.5)),
                                     i = math.sin(0) == 0 and math.cos(0) == 1})"));
  EXPECT_EQ(t["s"], "0x1.326af0dcfcabp-1");
  EXPECT_EQ(t["c"], "-0x1.9a2f7ef858b7dp-1");
  EXPECT_EQ(t["i"], true);
}

}  // namespace
}  // namespace atelier::render

// --- issue 14: library calls that ran outside every budget ---------------------------------

namespace atelier::render {
namespace {

using Ms = std::chrono::milliseconds;

struct Timed {
  Result<ScriptResult> result;
  Ms elapsed;
};

Timed timed_run(const std::string& script, const SandboxLimits& limits) {
  Script run;
  auto start = std::chrono::steady_clock::now();
  auto r = run(script, limits);
  return {std::move(r), std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start)};
}

constexpr const char* kBacktrackingBomb = "string.rep('a', 3000), string.rep('a-', 12) .. 'b'";

// The attack: Lua's backtracking matcher ran this for over 75 s inside one C call, where
// neither the instruction budget nor the wall clock was checked.
TEST(SandboxLimitsNativeWork, BacktrackingPatternStopsAtTheWallClock) {
  for (const std::string& call :
       {std::string("string.find(") + std::string(kBacktrackingBomb) + ")",
        "string.match(" + std::string(kBacktrackingBomb) + ")",
        "string.gsub(" + std::string(kBacktrackingBomb) + ", 'x')",
        "string.gmatch(" + std::string(kBacktrackingBomb) + ")()",
        std::string("(string.rep('a', 3000)):find(string.rep('a-', 12) .. 'b')"),
        "pcall(string.find, " + std::string(kBacktrackingBomb) + ")"}) {
    auto [r, elapsed] =
        timed_run("local x = " + call + "\nreturn {}", {std::int64_t{1} << 60, 32LL << 20, 500});
    ASSERT_FALSE(r) << call;
    EXPECT_EQ(r.error().code, "render_wall_ms_max") << call << " -> " << r.error().to_string();
    EXPECT_THAT(r.error().message, HasSubstr("main.lua:1")) << r.error().message;
    EXPECT_GE(elapsed, Ms(500)) << call;
    EXPECT_LT(elapsed, Ms(2000)) << call;
  }
}

TEST(SandboxLimitsNativeWork, BacktrackingPatternStepsCountAsInstructions) {
  auto [r, elapsed] = timed_run("local x = string.find(" + std::string(kBacktrackingBomb) + ")",
                                {20'000'000, 32LL << 20, 60'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_instructions_max") << r.error().to_string();
  EXPECT_LT(elapsed, Ms(5000));
}

// gsub's replacement function is Lua code: the budget keeps counting inside it.
TEST(SandboxLimitsNativeWork, GsubReplacementFunctionsStayBudgeted) {
  auto [r, elapsed] = timed_run("string.gsub('aaa', 'a', function() while true do end end)",
                                {2'000'000, 32LL << 20, 60'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_instructions_max") << r.error().to_string();
}

// Ordinary pattern use stays as it was (and cheap).
TEST(SandboxLimitsNativeWork, PatternsStillWork) {
  Script run;
  auto t = traits_of(run(R"lua(
    local words = {}
    for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w end
    local swapped = ("hello world"):gsub("(%w+) (%w+)", "%2 %1")
    local k, v = string.match("  key = value ", "(%w+)%s*=%s*(%w+)")
    return {words = table.concat(words, ","), swapped = swapped, k = k, v = v,
            at = string.find("a.b", ".", 1, true), n = select(2, string.gsub("abc", "",
              "-"))})lua"));
  EXPECT_EQ(t["words"], "the,quick,brown,fox");
  EXPECT_EQ(t["swapped"], "world hello");
  EXPECT_EQ(t["k"], "key");
  EXPECT_EQ(t["v"], "value");
  EXPECT_EQ(t["at"], 2);
  EXPECT_EQ(t["n"], 4);
}

// Linear-time library functions are billed by size: a loop of them hits the instruction
// budget as a loop of VM instructions would.
TEST(SandboxLimitsNativeWork, LinearFunctionsAreBilledBySize) {
  for (const char* loop : {
           "while true do utf8.len(s) end",
           "while true do utf8.codepoint(s, 1, 1000) end",
           "while true do s:upper() end",
           "while true do s:reverse() end",
           "while true do s:sub(2) end",
           "while true do string.format('%s', s) end",
           "while true do tonumber(s) end",
           "while true do s:byte(1, 100000) end",
           "local t = {s, s} while true do table.concat(t) end",
           "while true do for _ in utf8.codes(s) do end end",
       }) {
    auto [r, elapsed] = timed_run(std::string("local s = string.rep('a', 4 << 20)\n") + loop,
                                  {50'000'000, 64LL << 20, 60'000});
    ASSERT_FALSE(r) << loop;
    EXPECT_EQ(r.error().code, "render_instructions_max") << loop << " -> " << r.error().to_string();
    EXPECT_LT(elapsed, Ms(10'000)) << loop;
  }
}

TEST(SandboxLimitsNativeWork, Utf8LenOverABigStringIsBilled) {
  // One call over 32 MB is billed 32 M units: over a 20 M budget at once.
  auto [r, elapsed] =
      timed_run("local s = string.rep('a', 32 << 20)\nlocal n = utf8.len(s)\nreturn {n = n}",
                {20'000'000, 96LL << 20, 60'000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_instructions_max") << r.error().to_string();
  EXPECT_THAT(r.error().message, HasSubstr("main.lua:2"));
  Script run;
  auto ok = run("local s = string.rep('a', 1 << 20)\nreturn {n = utf8.len(s)}",
                {20'000'000, 96LL << 20, 60'000});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(traits_of(ok)["n"], 1 << 20);
  EXPECT_GT(ok->instructions, 1 << 20);
}

// C loops that allocate nothing and did not end: each is refused up front by its bill.
TEST(SandboxLimitsNativeWork, UnboundedLibraryLoopsAreRefused) {
  for (const char* script : {
           "table.concat(setmetatable({}, {__index = table.concat}), '', 1, math.maxinteger)",
           "table.unpack({}, 1, 1 << 40)",
           "table.concat(setmetatable({}, {__index = table.concat}), '', math.mininteger, "
           "math.maxinteger)",
           "table.move({}, 1, math.maxinteger, 2)",
           "table.insert(setmetatable({}, {__len = function() return 1 << 62 end}), 1, 'x')",
           "table.remove(setmetatable({}, {__len = function() return 1 << 62 end}), 1)",
       }) {
    auto [r, elapsed] = timed_run(script, {20'000'000, 32LL << 20, 60'000});
    ASSERT_FALSE(r) << script;
    EXPECT_EQ(r.error().code, "render_instructions_max")
        << script << " -> " << r.error().to_string();
    EXPECT_LT(elapsed, Ms(2000)) << script;
  }
}

TEST(SandboxLimitsNativeWork, RepOfNothingReturnsAtOnce) {
  // Lua's string.rep looped 2^62 times here, copying nothing.
  auto [r, elapsed] = timed_run(
      "return {a = string.rep('', 1 << 62), b = string.rep('', 1 << 62, ''),\n"
      "c = string.rep('ab', 3, ','), d = string.rep('x', 0), e = string.rep('', 3, '-')}",
      kLimits);
  ASSERT_TRUE(r) << r.error().to_string();
  auto t = traits_of(r);
  EXPECT_EQ(t["a"], "");
  EXPECT_EQ(t["b"], "");
  EXPECT_EQ(t["c"], "ab,ab,ab");
  EXPECT_EQ(t["d"], "");
  EXPECT_EQ(t["e"], "--");
  EXPECT_LT(elapsed, Ms(1000));
}

TEST(SandboxLimitsNativeWork, TableFunctionsKeepTheirMeaning) {
  Script run;
  auto t = traits_of(run(R"lua(
    local t = {1, 2, 3}
    table.insert(t, 4); table.insert(t, 1, 0)
    local removed = table.remove(t, 2)
    local last = table.remove(t)
    local m = table.move({1, 2, 3}, 1, 3, 2)
    local ok, err = pcall(table.insert, t, 9, 1)
    local ok2, err2 = pcall(table.insert, t, 1, 2, 3)
    return {t = table.concat(t, ","), removed = removed, last = last, m = table.concat(m, ","),
            u = select("#", table.unpack({1, 2, 3})), err = err, err2 = err2,
            e = tostring(table.remove({})), c = table.concat({1, 2, 3}, "-", 2)})lua"));
  EXPECT_EQ(t["t"], "0,2,3");
  EXPECT_EQ(t["removed"], 1);
  EXPECT_EQ(t["last"], 4);
  EXPECT_EQ(t["m"], "1,1,2,3");
  EXPECT_EQ(t["u"], 3);
  EXPECT_THAT(t["err"].get<std::string>(), HasSubstr("position out of bounds"));
  EXPECT_THAT(t["err2"].get<std::string>(), HasSubstr("wrong number of arguments to 'insert'"));
  EXPECT_EQ(t["e"], "nil");
  EXPECT_EQ(t["c"], "2-3");
}

// Single VM instructions can take milliseconds (comparing two 50 MB strings), and the count
// hook runs every 10,000 instructions: the watchdog stops the script at the deadline anyway.
TEST(SandboxLimitsNativeWork, SlowInstructionsStopAtTheWallClock) {
  auto [r, elapsed] = timed_run(
      "local a, b = string.rep('x', 50 << 20), string.rep('x', 50 << 20)\n"
      "while true do local same = a == b end",
      {std::int64_t{1} << 60, 160LL << 20, 500});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "render_wall_ms_max") << r.error().to_string();
  EXPECT_LT(elapsed, Ms(2000));
}

}  // namespace
}  // namespace atelier::render

namespace atelier::render {
namespace {

// Issue 14.3: draw_calls_max was declared but not enforced. Every ctx method counts.
TEST(Sandbox, DrawCallsLimitBothSides) {
  const std::string max = std::to_string(limits::kDrawCallsMax);
  const SandboxLimits roomy{1'000'000'000, 32LL << 20, 60'000};
  Script at_limit;
  // Two calls per iteration, a mix of path building and state.
  auto ok = at_limit("for i = 1, " + max +
                         " // 2 do ctx:closePath(); ctx:resetTransform() end\nreturn {ok = true}",
                     roomy);
  ASSERT_TRUE(ok) << ok.error().to_string();
  Script over;
  auto r = over("for i = 1, " + max +
                    " // 2 do ctx:closePath(); ctx:resetTransform() end\nctx:fillRect(0, 0, 1, 1)",
                roomy);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, AllOf(HasSubstr("draw_calls_max"), HasSubstr("main.lua:2:")));
  // Caught with pcall, the call still draws nothing, and neither does any later one.
  Script caught;
  auto c = caught("for i = 1, " + max + " do ctx:beginPath() end\n"
                  "local ok1 = pcall(ctx.fillRect, ctx, 0, 0, 1, 1)\n"
                  "local ok2 = pcall(ctx.background, ctx, '#fff')\n"
                  "return {ok1 = ok1, ok2 = ok2}",
                  roomy);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(traits_of(c)["ok1"], false);
  EXPECT_EQ(traits_of(c)["ok2"], false);
}


// Cairo keeps gradient stops outside the Lua heap: a loop of addColorStop grew one by
// gigabytes while the memory budget saw 16 bytes.
TEST(Sandbox, GradientStopsLimitBothSides) {
  const std::string max = std::to_string(limits::kGradientStopsMax);
  Script at_limit;
  auto ok = at_limit("local g = ctx:createLinearGradient(0, 0, 1, 0)\n"
                     "for i = 1, " + max + " do g:addColorStop(i / " + max + ", '#123456') end\n"
                     "ctx.fillStyle = g\nctx:fillRect(0, 0, 1, 1)\nreturn {ok = true}");
  ASSERT_TRUE(ok) << ok.error().to_string();
  Script over;
  auto r = over("local g = ctx:createLinearGradient(0, 0, 1, 0)\n"
                "for i = 1, " + max + " + 1 do g:addColorStop(0.5, '#123456') end");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, AllOf(HasSubstr("gradient_stops_max"), HasSubstr("main.lua:2:")));
}

}  // namespace
}  // namespace atelier::render
