// The generator API as Lua sees it (docs/generators.md). Every binding reaches its ScriptEnv
// through upvalue 1. Bindings never call lua_error with C++ objects alive: Lua is built as C
// and unwinds with longjmp, so they push a message and return kRaise, and wrap<> raises.
#include "render/sandbox/internal/lua_api.h"

extern "C" {
#include <lauxlib.h>
}

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/limits.h"
#include "render/math/flow_walk.h"
#include "render/raster/color.h"

namespace atelier::render::internal {

namespace {

constexpr const char* kGradientMeta = "atelier.gradient";

ScriptEnv* env_of(lua_State* L) {
  return static_cast<ScriptEnv*>(lua_touserdata(L, lua_upvalueindex(1)));
}
Canvas& canvas_of(lua_State* L) { return *env_of(L)->canvas; }

template <int (*F)(lua_State*)>
int wrap(lua_State* L) {
  int n = F(L);
  if (n == kRaise) return lua_error(L);
  return n;
}

// Pushes "main.lua:<line>: <code>: <message>" (the script's position, like luaL_error).
int raise(lua_State* L, const Error& e) {
  luaL_where(L, 1);
  lua_pushstring(L, e.to_string().c_str());
  lua_concat(L, 2);
  return kRaise;
}

// A ctx method: charged against draw_calls_max before it runs, then as wrap<>.
template <int (*F)(lua_State*)>
int ctx_method(lua_State* L) {
  int n = kRaise;
  if (auto r = canvas_of(L).charge_draw_call(); !r) {
    raise(L, r.error());
  } else {
    n = F(L);
  }
  if (n == kRaise) return lua_error(L);
  return n;
}

// Reads `count` numbers starting at `first`; false when any is not finite (Canvas 2D then
// ignores the call).
bool numbers(lua_State* L, int first, int count, double* out) {
  bool finite = true;
  for (int i = 0; i < count; ++i) {
    out[i] = luaL_checknumber(L, first + i);
    finite = finite && std::isfinite(out[i]);
  }
  return finite;
}

// --- randomness and noise ---------------------------------------------------------------

int l_rand(lua_State* L) {
  lua_pushnumber(L, env_of(L)->random->next());
  return 1;
}

int l_rand_range(lua_State* L) {
  double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
  lua_pushnumber(L, env_of(L)->random->range(a, b));
  return 1;
}

int l_rand_int(lua_State* L) {
  lua_Integer a = luaL_checkinteger(L, 1), b = luaL_checkinteger(L, 2);
  if (b < a) return luaL_error(L, "rand_int(a, b) needs a <= b");
  lua_pushinteger(L, env_of(L)->random->integer(a, b));
  return 1;
}

int l_rand_choice(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Unsigned n = lua_rawlen(L, 1);
  if (n == 0) return luaL_error(L, "rand_choice of an empty table");
  auto i = static_cast<lua_Integer>(std::floor(env_of(L)->random->next() * static_cast<double>(n)));
  lua_rawgeti(L, 1, i + 1);
  return 1;
}

int l_rand_gaussian(lua_State* L) {
  double mu = luaL_optnumber(L, 1, 0.0), sigma = luaL_optnumber(L, 2, 1.0);
  lua_pushnumber(L, env_of(L)->random->gaussian(mu, sigma));
  return 1;
}

int l_rand_bool(lua_State* L) {
  lua_pushboolean(L, env_of(L)->random->boolean(luaL_optnumber(L, 1, 0.5)));
  return 1;
}

// math.random with Lua's signature: () -> [0,1), (m) -> [1,m], (m, n) -> [m,n].
int l_math_random(lua_State* L) {
  TokenRandom& r = *env_of(L)->random;
  switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r.next()); return 1;
    case 1: {
      lua_Integer m = luaL_checkinteger(L, 1);
      luaL_argcheck(L, m >= 1, 1, "interval is empty");
      lua_pushinteger(L, r.integer(1, m));
      return 1;
    }
    default: {
      lua_Integer m = luaL_checkinteger(L, 1), n = luaL_checkinteger(L, 2);
      luaL_argcheck(L, m <= n, 2, "interval is empty");
      lua_pushinteger(L, r.integer(m, n));
      return 1;
    }
  }
}

int l_noop(lua_State*) { return 0; }

// Keeps noise arguments inside int range: simplex floors them to ints.
double noise_arg(lua_State* L, int i) {
  double v = luaL_checknumber(L, i);
  if (!std::isfinite(v)) return 0;
  return std::fmod(v, 1.0e6);
}

int l_noise2(lua_State* L) {
  lua_pushnumber(L, env_of(L)->noise->noise2(noise_arg(L, 1), noise_arg(L, 2)));
  return 1;
}

int l_noise3(lua_State* L) {
  lua_pushnumber(L, env_of(L)->noise->noise3(noise_arg(L, 1), noise_arg(L, 2), noise_arg(L, 3)));
  return 1;
}

// --- flow fields ---------------------------------------------------------------------------
//
// A noise-driven angle field evaluated natively. Flow fields are the staple of generative
// line work, and tracing one in Lua costs a VM round trip per noise call and per step;
// `field:trace` does the integration in C++ and returns the points, ready for polyline.

constexpr const char* kFlowFieldMeta = "atelier.flowfield";
constexpr lua_Integer kTraceStepsMax = 1'000'000;  // Per call: bounds native time between hooks.
constexpr lua_Integer kFlowlinesMax = 100'000;      // Starts per ctx:flowlines call.
constexpr lua_Integer kFlowlinesStepsMax = 4'000'000;  // Walk steps per ctx:flowlines call.

// Bills native work; past a threshold the budget hook is made to run at the very next VM
// instruction, so a loop of cheap calls doing heavy native work cannot outrun the budget.
void bill(lua_State* L, std::int64_t units) {
  ScriptEnv* env = env_of(L);
  env->native_units += units;
  if (env->native_units >= 100'000) lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
}

double field_number(lua_State* L, const char* key, double fallback, double lo, double hi) {
  lua_getfield(L, 1, key);
  double v = lua_isnil(L, -1) ? fallback : luaL_checknumber(L, -1);
  lua_pop(L, 1);
  if (!(v >= lo && v <= hi)) luaL_error(L, "flowfield: %s must be in [%f, %f]", key, lo, hi);
  return v;
}

int l_flowfield(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  FlowField f;
  f.noise = env_of(L)->noise;
  f.frequency = field_number(L, "frequency", 1.0, 0, 1e6);
  f.octaves = static_cast<int>(field_number(L, "octaves", 1, 1, 8));
  f.lacunarity = field_number(L, "lacunarity", 2.0, 0, 16);
  f.gain = field_number(L, "gain", 0.5, 0, 1);
  f.angle = field_number(L, "angle", 6.283185307179586, -1e6, 1e6);
  f.base = field_number(L, "base", 0, -1e6, 1e6);
  f.ox = field_number(L, "offset_x", 0, -1e6, 1e6);
  f.oy = field_number(L, "offset_y", 0, -1e6, 1e6);
  lua_getfield(L, 1, "z");
  f.use_z = !lua_isnil(L, -1);
  lua_pop(L, 1);
  f.z = field_number(L, "z", 0, -1e6, 1e6);
  f.warp = field_number(L, "warp", 0, -1e3, 1e3);
  f.warp_frequency = field_number(L, "warp_frequency", 0.8, 0, 1e6);
  auto* ud = static_cast<FlowField*>(lua_newuserdatauv(L, sizeof(FlowField), 0));
  *ud = f;
  luaL_setmetatable(L, kFlowFieldMeta);
  return 1;
}

int l_flowfield_angle(lua_State* L) {
  const auto* f = static_cast<const FlowField*>(luaL_checkudata(L, 1, kFlowFieldMeta));
  double x = luaL_checknumber(L, 2), y = luaL_checknumber(L, 3);
  bill(L, f->units_per_step());
  lua_pushnumber(L, std::isfinite(x) && std::isfinite(y)
                        ? f->at(wrap_coordinate(x), wrap_coordinate(y))
                        : 0.0);
  return 1;
}

// Reads optional bounds at `first` .. first + 3 (default: the canvas).
WalkBounds walk_bounds(lua_State* L, int first) {
  return {luaL_optnumber(L, first, 0), luaL_optnumber(L, first + 1, 0),
          luaL_optnumber(L, first + 2, 1.0),
          luaL_optnumber(L, first + 3, canvas_of(L).height_units())};
}

// The walk behind field:trace and ctx:flowline, from the arguments at `first` (x, y, steps,
// step_len [, x_min, y_min, x_max, y_max]): from (x, y), `steps` times, move step_len along
// the field's angle; stop before leaving the bounds (default: the canvas). The start point is
// always included. Returns the points as x, y pairs in `out`, and bills the work.
void trace_walk(lua_State* L, const FlowField& f, int first, std::vector<double>& out) {
  double x = luaL_checknumber(L, first), y = luaL_checknumber(L, first + 1);
  lua_Integer steps = luaL_checkinteger(L, first + 2);
  double step_len = luaL_checknumber(L, first + 3);
  const WalkBounds bounds = walk_bounds(L, first + 4);
  luaL_argcheck(L, steps >= 0 && steps <= kTraceStepsMax, first + 2, "steps must be 0..1000000");
  luaL_argcheck(L, std::isfinite(x) && std::isfinite(y) && std::isfinite(step_len), first,
                "needs finite numbers");
  out.resize(2 * static_cast<std::size_t>(steps) + 2);
  double* p = out.data();
  *p++ = x, *p++ = y;
  lua_Integer done = 0;
  for (; done < steps && walk_step(f, step_len, bounds, x, y); ++done) *p++ = x, *p++ = y;
  out.resize(static_cast<std::size_t>(p - out.data()));
  bill(L, (done + 1) * f.units_per_step());
}

// field:trace(x, y, steps, step_len [, x_min, y_min, x_max, y_max]) -> {x1, y1, x2, y2, …}
int l_flowfield_trace(lua_State* L) {
  const auto* f = static_cast<const FlowField*>(luaL_checkudata(L, 1, kFlowFieldMeta));
  static thread_local std::vector<double> xy;  // Reused across calls: no allocation per curve.
  trace_walk(L, *f, 2, xy);
  lua_createtable(L, static_cast<int>(xy.size()), 0);
  for (std::size_t i = 0; i < xy.size(); ++i) {
    lua_pushnumber(L, xy[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  return 1;
}

// --- control images -----------------------------------------------------------------------

const ControlImage* control_arg(lua_State* L, int index) {
  const char* name = luaL_optstring(L, index, "control");
  auto& controls = env_of(L)->controls;
  auto it = controls.find(name);
  return it == controls.end() ? nullptr : it->second;
}

int l_has_control(lua_State* L) {
  lua_pushboolean(L, control_arg(L, 1) != nullptr);
  return 1;
}

template <bool kEdge>
int l_control_sample(lua_State* L) {
  double x = luaL_checknumber(L, 1), y = luaL_checknumber(L, 2);
  const ControlImage* img = control_arg(L, 3);
  if (img == nullptr) {
    return raise(
        L, Error::invalid("no_control_image", std::string("no control image bound to input \"") +
                                                  luaL_optstring(L, 3, "control") + "\""));
  }
  Canvas& c = canvas_of(L);
  double u = x, v = y / c.height_units();
  lua_pushnumber(L, kEdge ? img->edge(u, v) : img->luma(u, v));
  return 1;
}

// --- ctx: paths -----------------------------------------------------------------------------

int charge(lua_State* L, std::int64_t points) {
  auto r = canvas_of(L).charge_points(points);
  return r ? 0 : raise(L, r.error());
}

int l_begin_path(lua_State* L) {
  canvas_of(L).begin_path();
  return 0;
}

int l_move_to(lua_State* L) {
  double v[2];
  if (charge(L, 1) == kRaise) return kRaise;
  if (numbers(L, 2, 2, v)) canvas_of(L).move_to(v[0], v[1]);
  return 0;
}

int l_line_to(lua_State* L) {
  double v[2];
  if (charge(L, 1) == kRaise) return kRaise;
  if (numbers(L, 2, 2, v)) canvas_of(L).line_to(v[0], v[1]);
  return 0;
}

int l_bezier_to(lua_State* L) {
  double v[6];
  if (charge(L, 3) == kRaise) return kRaise;
  if (numbers(L, 2, 6, v)) canvas_of(L).bezier_to(v[0], v[1], v[2], v[3], v[4], v[5]);
  return 0;
}

int l_quadratic_to(lua_State* L) {
  double v[4];
  if (charge(L, 3) == kRaise) return kRaise;
  if (numbers(L, 2, 4, v)) canvas_of(L).quadratic_to(v[0], v[1], v[2], v[3]);
  return 0;
}

int l_arc(lua_State* L) {
  double v[5];
  if (charge(L, 16) == kRaise) return kRaise;
  bool ok = numbers(L, 2, 5, v);
  if (ok && v[2] < 0) return luaL_error(L, "arc radius is negative");
  if (ok) canvas_of(L).arc(v[0], v[1], v[2], v[3], v[4], lua_toboolean(L, 7));
  return 0;
}

int l_ellipse(lua_State* L) {
  double v[7];
  if (charge(L, 16) == kRaise) return kRaise;
  bool ok = numbers(L, 2, 7, v);
  if (ok && (v[2] < 0 || v[3] < 0)) return luaL_error(L, "ellipse radius is negative");
  if (ok) canvas_of(L).ellipse(v[0], v[1], v[2], v[3], v[4], v[5], v[6], lua_toboolean(L, 9));
  return 0;
}

int l_rect(lua_State* L) {
  double v[4];
  if (charge(L, 4) == kRaise) return kRaise;
  if (numbers(L, 2, 4, v)) canvas_of(L).rect(v[0], v[1], v[2], v[3]);
  return 0;
}

int l_close_path(lua_State* L) {
  canvas_of(L).close_path();
  return 0;
}

int l_polyline(lua_State* L) {
  luaL_checktype(L, 2, LUA_TTABLE);
  bool close = lua_toboolean(L, 3);
  lua_Unsigned n = lua_rawlen(L, 2);
  if (n % 2 != 0)
    return luaL_error(L, "polyline needs an even number of coordinates, got %d",
                      static_cast<int>(n));
  if (charge(L, static_cast<std::int64_t>(n / 2)) == kRaise) return kRaise;
  static thread_local std::vector<double> xy;  // Reused across calls: no allocation per curve.
  xy.resize(n);
  for (lua_Unsigned i = 0; i < n; ++i) {
    lua_rawgeti(L, 2, static_cast<lua_Integer>(i + 1));
    int isnum = 0;
    xy[i] = lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum)
      return luaL_error(L, "polyline coordinate %d is not a number", static_cast<int>(i + 1));
    if (!std::isfinite(xy[i])) return 0;  // Canvas 2D: non-finite input draws nothing.
  }
  canvas_of(L).polyline(xy.data(), n / 2, close);
  return 0;
}

// ctx:flowline(field, x, y, steps, step_len [, x_min, y_min, x_max, y_max]) -> points: adds
// the curve field:trace would return as a new sub-path, as ctx:polyline(field:trace(…)) does,
// without building the Lua table in between.
int l_flowline(lua_State* L) {
  const auto* f = static_cast<const FlowField*>(luaL_checkudata(L, 2, kFlowFieldMeta));
  static thread_local std::vector<double> xy;
  trace_walk(L, *f, 3, xy);
  const std::size_t points = xy.size() / 2;
  if (charge(L, static_cast<std::int64_t>(points)) == kRaise) return kRaise;
  canvas_of(L).polyline(xy.data(), points, false);
  lua_pushinteger(L, static_cast<lua_Integer>(points));
  return 1;
}

// ctx:flowlines(field, starts, steps, step_len [, x_min, y_min, x_max, y_max]) -> points: for
// each start in starts = {x1, y1, x2, y2, …}, in order, adds the curve ctx:flowline would add.
// The walks advance in lockstep, kLockstep at a time (walk_lockstep, render/math/flow_walk.h).
// Same points, same sub-paths, same order as one ctx:flowline call per start.
int l_flowlines(lua_State* L) {
  const auto* f = static_cast<const FlowField*>(luaL_checkudata(L, 2, kFlowFieldMeta));
  luaL_checktype(L, 3, LUA_TTABLE);
  const lua_Integer n = luaL_len(L, 3);
  luaL_argcheck(L, n % 2 == 0 && n <= 2 * kFlowlinesMax, 3,
                "starts must be x, y pairs (at most 100000 of them)");
  const lua_Integer steps = luaL_checkinteger(L, 4);
  const double step_len = luaL_checknumber(L, 5);
  const WalkBounds bounds = walk_bounds(L, 6);
  luaL_argcheck(L, steps >= 0 && steps <= kTraceStepsMax, 4, "steps must be 0..1000000");
  luaL_argcheck(L, std::isfinite(step_len), 5, "needs a finite number");
  const std::size_t lines = static_cast<std::size_t>(n / 2);
  // Native time between budget checks stays bounded, as for one long trace.
  luaL_argcheck(L, static_cast<lua_Integer>(lines) * (steps + 1) <= kFlowlinesStepsMax, 3,
                "starts × (steps + 1) must be at most 4000000 per call");
  static thread_local std::vector<double> starts;
  starts.resize(2 * lines);
  for (std::size_t i = 0; i < 2 * lines; ++i) {
    lua_rawgeti(L, 3, static_cast<lua_Integer>(i + 1));
    int is_number = 0;
    starts[i] = lua_tonumberx(L, -1, &is_number);
    lua_pop(L, 1);
    luaL_argcheck(L, is_number && std::isfinite(starts[i]), 3, "starts must be finite numbers");
  }
  static thread_local std::vector<double> xy[kLockstep];
  Canvas& canvas = canvas_of(L);
  lua_Integer points = 0;
  for (std::size_t first = 0; first < lines; first += kLockstep) {
    const int m = static_cast<int>(std::min<std::size_t>(kLockstep, lines - first));
    std::size_t len[kLockstep];
    walk_lockstep(*f, step_len, bounds, steps, starts.data() + 2 * first, m, xy, len);
    for (int j = 0; j < m; ++j) {
      const std::size_t count = len[j] / 2;
      bill(L, static_cast<std::int64_t>(count) * f->units_per_step());
      if (charge(L, static_cast<std::int64_t>(count)) == kRaise) return kRaise;
      canvas.polyline(xy[j].data(), count, false);
      points += static_cast<lua_Integer>(count);
    }
  }
  lua_pushinteger(L, points);
  return 1;
}

// --- ctx: painting --------------------------------------------------------------------------

int l_fill(lua_State* L) {
  const char* rule = luaL_optstring(L, 2, "nonzero");
  canvas_of(L).fill(std::string_view(rule) == "evenodd");
  return 0;
}

int l_stroke(lua_State* L) {
  canvas_of(L).stroke();
  return 0;
}

template <void (Canvas::*Op)(double, double, double, double)>
int l_rect_op(lua_State* L) {
  double v[4];
  if (numbers(L, 2, 4, v)) (canvas_of(L).*Op)(v[0], v[1], v[2], v[3]);
  return 0;
}

Rgba check_color(lua_State* L, int index) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, index, &len);
  auto c = parse_css_color(std::string_view(s, len));
  if (!c) luaL_error(L, "not a colour: \"%s\"", s);
  return *c;
}

int l_background(lua_State* L) {
  canvas_of(L).background(check_color(L, 2));
  return 0;
}

// --- ctx: state -----------------------------------------------------------------------------

int l_save(lua_State* L) {
  auto r = canvas_of(L).save();
  return r ? 0 : raise(L, r.error());
}

int l_restore(lua_State* L) {
  canvas_of(L).restore();
  return 0;
}

int l_translate(lua_State* L) {
  double v[2];
  if (numbers(L, 2, 2, v)) canvas_of(L).translate(v[0], v[1]);
  return 0;
}

int l_rotate(lua_State* L) {
  double v[1];
  if (numbers(L, 2, 1, v)) canvas_of(L).rotate(v[0]);
  return 0;
}

int l_scale(lua_State* L) {
  double v[2];
  if (numbers(L, 2, 2, v)) canvas_of(L).scale(v[0], v[1]);
  return 0;
}

int l_transform(lua_State* L) {
  double v[6];
  if (numbers(L, 2, 6, v)) canvas_of(L).transform(v[0], v[1], v[2], v[3], v[4], v[5]);
  return 0;
}

int l_set_transform(lua_State* L) {
  double v[6];
  if (numbers(L, 2, 6, v)) canvas_of(L).set_transform(v[0], v[1], v[2], v[3], v[4], v[5]);
  return 0;
}

int l_reset_transform(lua_State* L) {
  canvas_of(L).reset_transform();
  return 0;
}

// --- gradients ------------------------------------------------------------------------------

// The userdata holds a shared_ptr; __gc resets it (idempotent) and the metatable is hidden
// behind __metatable, so a script cannot call __gc itself and free a live gradient.
using GradientRef = std::shared_ptr<Gradient>;

void push_gradient(lua_State* L, GradientRef g) {
  void* mem = lua_newuserdatauv(L, sizeof(GradientRef), 0);
  new (mem) GradientRef(std::move(g));
  luaL_setmetatable(L, kGradientMeta);
}

int l_gradient_gc(lua_State* L) {
  auto* g = static_cast<GradientRef*>(luaL_checkudata(L, 1, kGradientMeta));
  g->~GradientRef();
  new (g) GradientRef();  // Empty: a second __gc (or any later use) finds nothing to free.
  return 0;
}

int l_add_color_stop(lua_State* L) {
  auto* g = static_cast<GradientRef*>(luaL_checkudata(L, 1, kGradientMeta));
  if (!*g) return luaL_error(L, "the gradient was already released");
  double offset = luaL_checknumber(L, 2);
  if (!(offset >= 0 && offset <= 1)) return luaL_error(L, "addColorStop offset must be in [0, 1]");
  Rgba c = check_color(L, 3);
  auto added = (*g)->add_color_stop(offset, c);
  return added ? 0 : raise(L, added.error());
}

int l_linear_gradient(lua_State* L) {
  double v[4];
  if (!numbers(L, 2, 4, v)) return luaL_error(L, "createLinearGradient needs finite numbers");
  push_gradient(L, canvas_of(L).linear_gradient(v[0], v[1], v[2], v[3]));
  return 1;
}

int l_radial_gradient(lua_State* L) {
  double v[6];
  if (!numbers(L, 2, 6, v)) return luaL_error(L, "createRadialGradient needs finite numbers");
  if (v[2] < 0 || v[5] < 0) return luaL_error(L, "createRadialGradient radius is negative");
  push_gradient(L, canvas_of(L).radial_gradient(v[0], v[1], v[2], v[3], v[4], v[5]));
  return 1;
}

// --- ctx properties (__index / __newindex) ----------------------------------------------

int set_paint(lua_State* L, Paint& paint) {
  if (auto* g = static_cast<GradientRef*>(luaL_testudata(L, 3, kGradientMeta))) {
    if (!*g) return luaL_error(L, "the gradient was already released");
    paint.gradient = *g;
    return 0;
  }
  Rgba c = check_color(L, 3);
  paint.gradient.reset();
  paint.color = c;
  return 0;
}

int l_ctx_newindex(lua_State* L) {
  std::string_view key = luaL_checkstring(L, 2);
  Canvas& c = canvas_of(L);
  if (key == "fillStyle") return set_paint(L, c.fill_style);
  if (key == "strokeStyle") return set_paint(L, c.stroke_style);
  if (key == "lineWidth") {
    double w = luaL_checknumber(L, 3);
    if (std::isfinite(w) && w > 0) c.set_line_width(w);  // Canvas 2D ignores invalid widths.
    return 0;
  }
  if (key == "globalAlpha") {
    double a = luaL_checknumber(L, 3);
    if (a >= 0 && a <= 1) c.global_alpha = a;
    return 0;
  }
  if (key == "lineCap" || key == "lineJoin" || key == "globalCompositeOperation") {
    const char* v = luaL_checkstring(L, 3);
    bool ok = key == "lineCap"    ? c.set_line_cap(v)
              : key == "lineJoin" ? c.set_line_join(v)
                                  : c.set_composite(v);
    if (!ok) return luaL_error(L, "ctx.%s: unknown value \"%s\"", lua_tostring(L, 2), v);
    return 0;
  }
  return luaL_error(L, "ctx has no property \"%s\"", lua_tostring(L, 2));
}

int l_ctx_index(lua_State* L) {
  std::string_view key = luaL_checkstring(L, 2);
  Canvas& c = canvas_of(L);
  if (key == "lineWidth") lua_pushnumber(L, c.line_width());
  else if (key == "globalAlpha") lua_pushnumber(L, c.global_alpha);
  else lua_pushnil(L);
  return 1;
}

struct Method {
  const char* name;
  lua_CFunction fn;
};

const Method kCtxMethods[] = {
    {"beginPath", ctx_method<l_begin_path>},
    {"moveTo", ctx_method<l_move_to>},
    {"lineTo", ctx_method<l_line_to>},
    {"bezierCurveTo", ctx_method<l_bezier_to>},
    {"quadraticCurveTo", ctx_method<l_quadratic_to>},
    {"arc", ctx_method<l_arc>},
    {"ellipse", ctx_method<l_ellipse>},
    {"rect", ctx_method<l_rect>},
    {"closePath", ctx_method<l_close_path>},
    {"polyline", ctx_method<l_polyline>},
    {"flowline", ctx_method<l_flowline>},
    {"flowlines", ctx_method<l_flowlines>},
    {"fill", ctx_method<l_fill>},
    {"stroke", ctx_method<l_stroke>},
    {"fillRect", ctx_method<l_rect_op<&Canvas::fill_rect>>},
    {"strokeRect", ctx_method<l_rect_op<&Canvas::stroke_rect>>},
    {"clearRect", ctx_method<l_rect_op<&Canvas::clear_rect>>},
    {"background", ctx_method<l_background>},
    {"save", ctx_method<l_save>},
    {"restore", ctx_method<l_restore>},
    {"translate", ctx_method<l_translate>},
    {"rotate", ctx_method<l_rotate>},
    {"scale", ctx_method<l_scale>},
    {"transform", ctx_method<l_transform>},
    {"setTransform", ctx_method<l_set_transform>},
    {"resetTransform", ctx_method<l_reset_transform>},
    {"createLinearGradient", ctx_method<l_linear_gradient>},
    {"createRadialGradient", ctx_method<l_radial_gradient>},
};

const Method kGlobals[] = {
    {"rand", l_rand},
    {"rand_range", l_rand_range},
    {"rand_int", l_rand_int},
    {"rand_choice", l_rand_choice},
    {"rand_gaussian", l_rand_gaussian},
    {"rand_bool", l_rand_bool},
    {"noise2", l_noise2},
    {"noise3", l_noise3},
    {"has_control", l_has_control},
    {"control_luma", wrap<l_control_sample<false>>},
    {"control_edge", wrap<l_control_sample<true>>},
    {"flowfield", l_flowfield},
};

void set_closure(lua_State* L, int table, const char* name, lua_CFunction fn, ScriptEnv* env) {
  lua_pushlightuserdata(L, env);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, table, name);
}

void push_param(lua_State* L, const ParamValue& v) {
  if (auto* b = std::get_if<bool>(&v)) lua_pushboolean(L, *b);
  else if (auto* i = std::get_if<std::int64_t>(&v)) lua_pushinteger(L, *i);
  else if (auto* d = std::get_if<double>(&v)) lua_pushnumber(L, *d);
  else lua_pushstring(L, std::get<std::string>(v).c_str());
}

}  // namespace

void install_api(lua_State* L, ScriptEnv* env) {
  lua_pushglobaltable(L);
  int g = lua_gettop(L);
  for (const auto& m : kGlobals) set_closure(L, g, m.name, m.fn, env);

  lua_getglobal(L, "math");
  set_closure(L, lua_gettop(L), "random", l_math_random, env);
  set_closure(L, lua_gettop(L), "randomseed", l_noop, env);
  lua_pop(L, 1);

  // Gradient metatable.
  luaL_newmetatable(L, kGradientMeta);
  lua_pushcfunction(L, l_gradient_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lua_pushcfunction(L, wrap<l_add_color_stop>);
  lua_setfield(L, -2, "addColorStop");
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "gradient");
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "gradient");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  // Flow-field metatable: methods reach the env through their upvalue.
  luaL_newmetatable(L, kFlowFieldMeta);
  lua_createtable(L, 0, 2);
  set_closure(L, lua_gettop(L), "angle", l_flowfield_angle, env);
  set_closure(L, lua_gettop(L), "trace", l_flowfield_trace, env);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "flowfield");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  // ctx: methods as raw fields, properties through the metatable.
  lua_createtable(L, 0, static_cast<int>(std::size(kCtxMethods)));
  int ctx = lua_gettop(L);
  for (const auto& m : kCtxMethods) set_closure(L, ctx, m.name, m.fn, env);
  lua_createtable(L, 0, 2);
  set_closure(L, lua_gettop(L), "__newindex", l_ctx_newindex, env);
  set_closure(L, lua_gettop(L), "__index", l_ctx_index, env);
  lua_pushliteral(L, "ctx");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, ctx);
  lua_setfield(L, g, "ctx");

  lua_createtable(L, 0, static_cast<int>(env->params->size()));
  for (const auto& [name, value] : *env->params) {
    push_param(L, value);
    lua_setfield(L, -2, name.c_str());
  }
  lua_setfield(L, g, "params");

  lua_pushnumber(L, 1.0);
  lua_setfield(L, g, "W");
  lua_pushnumber(L, env->canvas->height_units());
  lua_setfield(L, g, "H");
  lua_pushnumber(L, env->canvas->pixel_units());
  lua_setfield(L, g, "PX");
  lua_pushstring(L, env->token_hash.c_str());
  lua_setfield(L, g, "token_hash");
  lua_pop(L, 1);
}

}  // namespace atelier::render::internal
