#include "render/sandbox/sandbox.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>

#include "core/canonical_json.h"
#include "core/limits.h"
#include "render/math/det_math.h"
#include "render/math/det_trig.h"
#include "render/sandbox/internal/lua_api.h"
#include "render/sandbox/internal/lua_strlib.h"

// What every function a script can reach costs (issue 14: nothing may run uncounted).
// "O(1)" means constant work, or work bounded by a small constant such as the Lua stack
// (LUAI_MAXSTACK, 1,000,000 slots: a few milliseconds at most). Billed functions add
// instruction-equivalent units to render_instructions_max before the work, or right after
// it where one call is bounded by the size of a string (itself bounded by the memory
// budget); the clock is read every kClockCheckUnits units (internal/lua_strlib.h).
//
// base    assert, error, getmetatable, ipairs (and each step), rawequal (memcmp of two
//         strings: bounded by their size), rawget, rawlen, rawset, select, type, _G,
//         _VERSION, warn (no warning function is set: O(arguments)): O(1).
//         pairs, next, tostring, setmetatable: the prelude's Lua (budgeted like the script);
//         what they call in C is O(1). pcall, xpcall: sandbox_pcall/xpcall, O(1) plus the
//         called function. print: a no-op. tonumber: billed, string length / 4.
//         Removed: dofile, loadfile, load, require, collectgarbage.
// math    every function O(1) (min and max: O(arguments)); sin, cos, tan, asin, acos, atan,
//         exp, log are det_* (render/math/det_math.h); random and randomseed are atelier's.
// string  len: O(1). find, match, gmatch (each iterator step), gsub: atelier's matcher
//         (internal/lua_pattern.h), two units per step, depth kPatternDepthMax; plain find
//         bills scanned bytes / 8; gsub bills replacement bytes / 8, and its replacement
//         functions are Lua code under the hook. rep: rewritten, allocates first (memory
//         budget) then bills result bytes / 16 (Lua's own looped 2^62 times for rep('', 2^62)).
//         upper, lower, reverse, packsize: string length / 4. sub: copied bytes / 16.
//         byte: one unit per value pushed. char: one per argument. format (under the
//         prelude's wrapper), pack, unpack: format and string arguments' bytes / 16 plus one
//         per argument (pack's padding grows a buffer: memory budget and watchdog).
//         Removed: dump.
// table   concat: one per element (bounds computed once, so __len runs once) plus result
//         bytes / 16. unpack: one per value. move: one per element. pack: one per argument.
//         insert, remove: rewritten, one per element shifted (#t read once). sort: the
//         prelude's merge sort in Lua.
// utf8    len, codepoint: one unit per byte of the range. offset: bytes moved / 16, after
//         the call. codes: each iterator step bills bytes skipped plus 8. char: one per
//         argument. charpattern: a string.
// atelier (lua_api.cc) rand*, noise2/3, has_control, control_luma/edge, flowfield,
//         field:angle, gradients (at most gradient_stops_max stops each: Cairo keeps them
//         outside the Lua heap), ctx state and properties: O(1). Path building: points
//         charged against path_points_max (polyline O(points)). field:trace, ctx:flowline,
//         ctx:flowlines: capped per call and billed per step (native_units). Painting (fill,
//         stroke, fillRect, strokeRect, clearRect, background): bounded by the canvas and the
//         path, not billed by size; the watchdog stops the script right after a paint that
//         overruns the deadline. Every ctx method counts against draw_calls_max.
// VM      instructions are counted by the hook; allocation growth is billed at
//         kAllocBytesPerUnit; single slow instructions (== or < on long strings, `..`,
//         varargs) are bounded by the watchdog.

namespace atelier::render {

namespace {

using Clock = std::chrono::steady_clock;

// Hook granularity: budgets are checked every kHookEvery VM instructions.
constexpr int kHookEvery = 10'000;
// Native work (internal/lua_strlib.h) reads the clock once per this many billed units, so a
// stream of cheap calls does not pay for a clock read each.
constexpr std::int64_t kClockCheckUnits = 4096;
// Allocated bytes are billed to the instruction budget at this rate (a VM instruction costs
// about as much as allocating and filling 64 bytes).
constexpr std::int64_t kAllocBytesPerUnit = 64;
// After the deadline, the watchdog re-signals the render thread at this interval until the
// render has stopped (a signal can land just before the hook's own clock read).
constexpr auto kWatchdogRepeat = std::chrono::milliseconds(10);

// Deterministic replacements for the parts of Lua whose results depend on hash seeds,
// addresses or the clock. Runs before the user script, with the budgets already active.
constexpr const char* kPrelude = R"lua(
local type, rawget, raw_next, getmetatable, select = type, rawget, next, getmetatable, select
local raw_setmetatable = setmetatable

-- Lua runs __gc finalizers with hooks switched off, outside every budget: refuse them.
setmetatable = function(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc finalizers are not allowed in the sandbox " ..
      "(they would run outside the render budget)", 2)
  end
  return raw_setmetatable(t, mt)
end
local raw_tostring, raw_format, error, floor = tostring, string.format, error, math.floor
local rank = {number = 1, string = 2, boolean = 3}

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return rank[ta] < rank[tb] end
  if ta == "boolean" then return (not a) and b end
  return a < b
end

-- Stable merge sort: table.sort's pivot is randomised from the clock in Lua 5.4, which makes
-- the order of equal elements vary between runs.
local function merge_sort(t, n, less)
  if n < 2 then return end
  local src, dst = t, {}
  local width = 1
  while width < n do
    local i = 1
    while i <= n do
      local mid, hi = i + width, i + 2 * width
      if mid > n + 1 then mid = n + 1 end
      if hi > n + 1 then hi = n + 1 end
      local a, b, k = i, mid, i
      while a < mid and b < hi do
        if less(src[b], src[a]) then dst[k] = src[b]; b = b + 1 else dst[k] = src[a]; a = a + 1 end
        k = k + 1
      end
      while a < mid do dst[k] = src[a]; a = a + 1; k = k + 1 end
      while b < hi do dst[k] = src[b]; b = b + 1; k = k + 1 end
      i = hi
    end
    src, dst = dst, src
    width = width * 2
  end
  if src ~= t then for i = 1, n do t[i] = src[i] end end
end

table.sort = function(t, less)
  if type(t) ~= "table" then error("bad argument #1 to 'sort' (table expected)", 2) end
  less = less or function(a, b) return a < b end
  merge_sort(t, #t, less)
end

local function sorted_keys(t)
  local keys, n = {}, 0
  for k in raw_next, t do
    local tk = type(k)
    if rank[tk] == nil then
      error("pairs/next over a table keyed by a " .. tk ..
        " has no deterministic order; key by strings or numbers", 3)
    end
    n = n + 1
    keys[n] = k
  end
  merge_sort(keys, n, key_less)
  return keys, n
end

-- pairs visits keys in a fixed order (numbers ascending, then strings, then booleans);
-- Lua's own order depends on a per-process hash seed.
pairs = function(t)
  local mt = getmetatable(t)
  if type(mt) == "table" and mt.__pairs then return mt.__pairs(t) end
  if type(t) ~= "table" then error("bad argument #1 to 'pairs' (table expected)", 2) end
  local keys, n = sorted_keys(t)
  local i = 0
  return function()
    i = i + 1
    if i > n then return nil end
    local k = keys[i]
    return k, rawget(t, k)
  end, t, nil
end

next = function(t, k)
  local keys, n = sorted_keys(t)
  if k == nil then
    if n == 0 then return nil end
    return keys[1], rawget(t, keys[1])
  end
  for i = 1, n do
    if keys[i] == k then
      if i == n then return nil end
      return keys[i + 1], rawget(t, keys[i + 1])
    end
  end
  error("invalid key to 'next'", 2)
end

-- tostring and %s/%p must not reveal addresses (they change with every run).
local function safe(v)
  local tv = type(v)
  if tv == "table" or tv == "function" or tv == "userdata" or tv == "thread" then
    local mt = getmetatable(v)
    if type(mt) == "string" then return mt end  -- A protected metatable names its type.
    if type(mt) == "table" and mt.__tostring then return raw_tostring(v) end
    if type(mt) == "table" and type(mt.__name) == "string" then return mt.__name end
    return tv
  end
  return v
end
tostring = function(v) return raw_tostring(safe(v)) end
string.format = function(fmt, ...)
  if type(fmt) == "string" and fmt:gsub("%%%%", ""):find("%%[-+ #0-9.]*p") then
    error("string.format: %p reveals memory addresses and is not allowed", 2)
  end
  local n = select("#", ...)
  if n == 0 then return raw_format(fmt) end
  local args = {...}
  for i = 1, n do args[i] = safe(args[i]) end
  return raw_format(fmt, table.unpack(args, 1, n))
end
)lua";

struct Sandbox {
  std::int64_t memory_used = 0;
  std::int64_t memory_peak = 0;
  std::int64_t memory_max = 0;
  std::int64_t instructions = 0;
  std::int64_t instructions_max = 0;
  std::int64_t wall_ms_max = 0;
  Clock::time_point deadline;
  std::int64_t units_unchecked = 0;  // Billed native units since the last clock read.
  ScriptEnv* env = nullptr;
  bool aborted = false;
  char abort_message[256] = {0};  // Plain buffer: it is read on longjmp paths.

  void trip(const char* message) {
    if (!aborted) {
      aborted = true;
      std::snprintf(abort_message, sizeof abort_message, "%s", message);
    }
  }

  void trip_instructions() {
    char msg[200];
    std::snprintf(
        msg, sizeof msg,
        "render_instructions_max exceeded: the script ran more than %lld Lua instructions",
        static_cast<long long>(instructions_max));
    trip(msg);
  }

  void trip_wall() {
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  "render_wall_ms_max exceeded: the script ran longer than %lld ms",
                  static_cast<long long>(wall_ms_max));
    trip(msg);
  }

  // Adds `units` to the instruction count (saturating) and trips when it is over.
  void add_instructions(std::int64_t units) {
    instructions = units > INT64_MAX - instructions ? INT64_MAX : instructions + units;
    if (instructions > instructions_max) trip_instructions();
  }
};

Sandbox* sandbox_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<Sandbox*>(ud);
}

void* counting_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* s = static_cast<Sandbox*>(ud);
  std::int64_t old = ptr ? static_cast<std::int64_t>(osize) : 0;
  if (nsize == 0) {
    std::free(ptr);
    s->memory_used -= old;
    return nullptr;
  }
  std::int64_t next = s->memory_used - old + static_cast<std::int64_t>(nsize);
  if (next > s->memory_max && static_cast<std::int64_t>(nsize) > old) {
    char msg[160];
    std::snprintf(msg, sizeof msg,
                  "script_memory_bytes_max exceeded: the script needed more than %lld bytes",
                  static_cast<long long>(s->memory_max));
    s->trip(msg);
    return nullptr;
  }
  // Growth is billed: an allocating VM instruction (`..` of long strings, a table resize)
  // does work in proportion to the bytes, and the count hook sees only one instruction.
  if (s->env != nullptr && static_cast<std::int64_t>(nsize) > old) {
    s->env->native_units += (static_cast<std::int64_t>(nsize) - old) / kAllocBytesPerUnit;
  }
  void* p = std::realloc(ptr, nsize);
  if (p == nullptr) return nullptr;
  s->memory_used = next;
  if (next > s->memory_peak) s->memory_peak = next;
  return p;
}

void budget_hook(lua_State* L, lua_Debug* ar) {
  Sandbox* s = sandbox_of(L);
  s->instructions += kHookEvery + s->env->native_units;  // Forced early hooks over-bill a little.
  s->env->native_units = 0;
  if (lua_gethookcount(L) != kHookEvery) lua_sethook(L, budget_hook, LUA_MASKCOUNT, kHookEvery);
  if (!s->aborted) {
    if (s->instructions > s->instructions_max) {
      s->trip_instructions();
    } else if (Clock::now() > s->deadline) {
      s->trip_wall();
    }
  }
  if (s->aborted) {
    lua_getinfo(L, "Sl", ar);
    luaL_error(L, "%s (at %s:%d)", s->abort_message, ar->short_src, ar->currentline);
  }
}

// The meter the metered library functions bill (internal/lua_strlib.h): native work counts
// as instructions, and the clock is read every kClockCheckUnits units.
bool meter_charge(lua_State* L, std::int64_t units) {
  Sandbox* s = sandbox_of(L);
  if (!s->aborted) s->add_instructions(units);
  s->units_unchecked += units;
  if (!s->aborted && s->units_unchecked >= kClockCheckUnits) {
    s->units_unchecked = 0;
    if (Clock::now() > s->deadline) s->trip_wall();
  }
  return !s->aborted;
}

// Raises the tripped budget's error, naming the script position that made the call.
int meter_raise(lua_State* L) {
  Sandbox* s = sandbox_of(L);
  lua_Debug ar;
  // The nearest script line: the caller may be C (pcall(string.find, …)).
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) {
      lua_pushfstring(L, "%s (at %s:%d)", s->abort_message, ar.short_src, ar.currentline);
      return lua_error(L);
    }
  }
  lua_pushstring(L, s->abort_message);
  return lua_error(L);
}

constexpr internal::LuaMeter kMeter{meter_charge, meter_raise};

// The watchdog: the count hook runs between VM instructions only every kHookEvery of them,
// and some single instructions take milliseconds (comparing or concatenating 100 MB
// strings, copying a million varargs), so the clock alone would be read too rarely. At the
// deadline a watchdog thread signals the render thread, whose handler sets the count hook
// to fire at the very next instruction; the hook then reads the clock and trips. This is
// how lua.c stops a script on Ctrl-C: lua_sethook is safe to call from a signal handler
// (ldebug.c), and the handler runs on the render thread itself, never beside the VM.
thread_local std::atomic<lua_State*> t_running_state{nullptr};
static_assert(std::atomic<lua_State*>::is_always_lock_free);  // Read in a signal handler.

void on_watchdog_signal(int) {
  if (lua_State* L = t_running_state.load(std::memory_order_relaxed)) {
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  }
}

int watchdog_signal() {
  static const int signal_number = [] {
    const int number = SIGRTMIN + 4;
    struct sigaction action {};
    action.sa_handler = on_watchdog_signal;
    action.sa_flags = SA_RESTART;  // Interrupted system calls resume.
    sigemptyset(&action.sa_mask);
    sigaction(number, &action, nullptr);
    return number;
  }();
  return signal_number;
}

class Watchdog {
 public:
  Watchdog(lua_State* L, Clock::time_point deadline) : target_(pthread_self()) {
    const int signal_number = watchdog_signal();
    // The caller's thread may block signals (server threads often do): let this one in.
    sigset_t ours;
    sigemptyset(&ours);
    sigaddset(&ours, signal_number);
    pthread_sigmask(SIG_UNBLOCK, &ours, &previous_mask_);
    t_running_state.store(L, std::memory_order_relaxed);
    try {
      thread_ = std::thread([this, deadline, signal_number] {
        std::unique_lock lock(mutex_);
        if (cv_.wait_until(lock, deadline, [this] { return done_; })) return;
        while (!done_) {
          pthread_kill(target_, signal_number);
          cv_.wait_for(lock, kWatchdogRepeat, [this] { return done_; });
        }
      });
    } catch (const std::system_error&) {
      // No thread (resources exhausted): started() is false and the render is refused.
    }
  }
  // Runs before the state is closed: no signal touches it afterwards.
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    t_running_state.store(nullptr, std::memory_order_relaxed);
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool started() const { return thread_.joinable(); }

 private:
  pthread_t target_;
  sigset_t previous_mask_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// pcall/xpcall that cannot swallow a tripped budget.
int sandbox_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != LUA_OK && sandbox_of(L)->aborted) return lua_error(L);
  lua_pushboolean(L, status == LUA_OK);
  lua_insert(L, 1);
  return lua_gettop(L);
}

// The message handler xpcall installs: once a budget has tripped, the error is raised from
// inside the hook, where hooks are off, so the script's handler would run unbudgeted. Then
// the error passes through untouched.
int xpcall_handler(lua_State* L) {
  if (sandbox_of(L)->aborted) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int sandbox_xpcall(lua_State* L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, xpcall_handler, 1);
  lua_replace(L, 2);
  lua_pushvalue(L, 1);  // [f, h, args…, f]
  lua_copy(L, 2, 1);    // [h, h, args…, f]
  lua_replace(L, 2);    // [h, f, args…]
  int status = lua_pcall(L, n - 2, LUA_MULTRET, 1);
  if (status != LUA_OK && sandbox_of(L)->aborted) return lua_error(L);
  lua_pushboolean(L, status == LUA_OK);
  lua_replace(L, 1);
  return lua_gettop(L);
}

int det_sin(lua_State* L) {
  double s, c;
  internal::det_sincos(luaL_checknumber(L, 1), s, c);
  lua_pushnumber(L, s);
  return 1;
}

int det_cos(lua_State* L) {
  double s, c;
  internal::det_sincos(luaL_checknumber(L, 1), s, c);
  lua_pushnumber(L, c);
  return 1;
}

template <double (*F)(double)>
int det_unary(lua_State* L) {
  lua_pushnumber(L, F(luaL_checknumber(L, 1)));
  return 1;
}

// math.log(x [, base]) as Lua's own: log2 for base 2, log10 for base 10, else log x / log b.
int det_log(lua_State* L) {
  const double x = luaL_checknumber(L, 1);
  if (lua_isnoneornil(L, 2)) {
    lua_pushnumber(L, internal::det_log(x));
    return 1;
  }
  const double base = luaL_checknumber(L, 2);
  if (base == 2.0) {
    lua_pushnumber(L, internal::det_log2(x));
  } else if (base == 10.0) {
    lua_pushnumber(L, internal::det_log10(x));
  } else {
    lua_pushnumber(L, internal::det_log(x) / internal::det_log(base));
  }
  return 1;
}

// math.atan(y [, x]) as Lua's own: atan2(y, x), x defaulting to 1.
int det_atan(lua_State* L) {
  const double y = luaL_checknumber(L, 1), x = luaL_optnumber(L, 2, 1.0);
  lua_pushnumber(L, internal::det_atan2(y, x));
  return 1;
}

void open_safe_libs(lua_State* L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
  lua_pop(L, 5);
  for (const char* name :
       {"dofile", "loadfile", "load", "loadstring", "require", "collectgarbage"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, [](lua_State*) { return 0; });
  lua_setglobal(L, "print");
  lua_pushcfunction(L, sandbox_pcall);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, sandbox_xpcall);
  lua_setglobal(L, "xpcall");
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  // Before the prelude captures string.format and friends: the captured ones are metered.
  internal::install_metered_libs(L, &kMeter);
  // The math library's transcendental functions give the same bits on every CPU
  // (render/math/det_trig.h, det_math.h); the C library's last bit varies with the CPU it picks
  // an implementation for. (`^` is the VM's: see __wrap_pow below.)
  lua_getglobal(L, LUA_MATHLIBNAME);
  const luaL_Reg deterministic[] = {
      {"sin", det_sin},
      {"cos", det_cos},
      {"tan", det_unary<internal::det_tan>},
      {"asin", det_unary<internal::det_asin>},
      {"acos", det_unary<internal::det_acos>},
      {"atan", det_atan},
      {"exp", det_unary<internal::det_exp>},
      {"log", det_log},
      {nullptr, nullptr},
  };
  luaL_setfuncs(L, deterministic, 0);
  lua_pop(L, 1);
}

// Converts the script's return value (at the top of the stack) into canonical JSON traits.
Result<std::string> traits_from_stack(lua_State* L) {
  nlohmann::json traits = nlohmann::json::object();
  if (lua_isnil(L, -1) || lua_gettop(L) == 0) return std::string("{}");
  if (!lua_istable(L, -1)) {
    return fail(
        Error::limit("invalid_traits", "the script must return a table of traits (or nothing)"));
  }
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fail(Error::limit("invalid_traits", "trait names must be strings"));
    }
    std::string key = lua_tostring(L, -2);
    if (static_cast<std::int64_t>(traits.size()) >= limits::kTraitsMax) {
      lua_pop(L, 2);
      return fail(
          Error::limit("invalid_traits",
                       "more than traits_max (" + std::to_string(limits::kTraitsMax) + ") traits"));
    }
    int t = lua_type(L, -1);
    if (t == LUA_TBOOLEAN) {
      traits[key] = static_cast<bool>(lua_toboolean(L, -1));
    } else if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
      traits[key] = static_cast<std::int64_t>(lua_tointeger(L, -1));
    } else if (t == LUA_TNUMBER && std::isfinite(lua_tonumber(L, -1))) {
      traits[key] = lua_tonumber(L, -1);
    } else if (t == LUA_TSTRING &&
               static_cast<std::int64_t>(lua_rawlen(L, -1)) <= limits::kTraitValueBytesMax) {
      traits[key] = std::string(lua_tostring(L, -1));
    } else {
      lua_pop(L, 2);
      return fail(Error::limit(
          "invalid_traits",
          "trait \"" + key +
              "\" must be a string (≤ trait_value_bytes_max), a finite number or a boolean"));
    }
    lua_pop(L, 1);
  }
  auto text = canonical_json(traits);
  if (!text) return fail(Error::limit("invalid_traits", "traits: " + text.error().message));
  return *text;
}

}  // namespace

Result<ScriptResult> run_script(std::string_view source, std::string_view chunk_name,
                                ScriptEnv& env, const SandboxLimits& limits) {
  Sandbox sandbox;
  sandbox.memory_max = limits.memory_bytes_max;
  sandbox.instructions_max = limits.instructions_max;
  sandbox.wall_ms_max = limits.wall_ms_max;
  sandbox.deadline = Clock::now() + std::chrono::milliseconds(limits.wall_ms_max);
  sandbox.env = &env;

  lua_State* L = lua_newstate(counting_alloc, &sandbox);
  if (L == nullptr) return fail(Error::internal("lua_state", "cannot create a Lua state"));
  // Closes the state on every path; finalizers run under the hook, so they are bounded too.
  struct Closer {
    lua_State* L;
    ~Closer() { lua_close(L); }
  } closer{L};

  open_safe_libs(L);
  internal::install_api(L, &env);
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, kHookEvery);
  // Declared after the closer: stops (and joins) before the state is closed.
  Watchdog watchdog(L, sandbox.deadline);
  if (!watchdog.started()) {
    return fail(
        Error::internal("render_watchdog", "cannot start the render's wall-clock watchdog thread"));
  }

  auto script_error = [&](const char* fallback) -> Error {
    std::string msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : fallback;
    if (sandbox.aborted) {
      std::string_view abort(sandbox.abort_message);
      if (msg.find(abort) == std::string::npos) msg = std::string(abort) + " (" + msg + ")";
      return Error::limit(std::string(abort.substr(0, abort.find(' '))), msg);
    }
    return Error::limit("script_error", msg);
  };

  if (luaL_loadbufferx(L, kPrelude, std::strlen(kPrelude), "=prelude", "t") != LUA_OK ||
      lua_pcall(L, 0, 0, 0) != LUA_OK) {
    return fail(script_error("the sandbox prelude failed"));
  }
  std::string chunk = "@" + std::string(chunk_name);
  if (luaL_loadbufferx(L, source.data(), source.size(), chunk.c_str(), "t") != LUA_OK) {
    return fail(Error::limit("script_syntax_error", lua_tostring(L, -1)));
  }
  if (lua_pcall(L, 0, 1, 0) != LUA_OK)
    return fail(script_error("the script raised a non-string error"));
  auto traits = traits_from_stack(L);
  if (!traits) return fail(traits.error());
  return ScriptResult{std::move(*traits), sandbox.instructions, sandbox.memory_peak};
}

}  // namespace atelier::render

// Lua's `^` operator: the VM computes x ^ y with pow() (x * x for y = 2). The binaries link
// Lua statically with the linker option --wrap=pow (src/render/CMakeLists.txt), which sends
// every pow() call linked into them — the VM's and ours — here: det_pow gives the same bits
// on every CPU, where the C library's pow may differ in the last bit between CPUs.
extern "C" double __wrap_pow(double x, double y) {
  return atelier::render::internal::det_pow(x, y);
}
