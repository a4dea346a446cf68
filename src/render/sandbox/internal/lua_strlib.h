// lua_strlib.h — the library functions whose work grows with their arguments, metered.
// Private to src/render/sandbox.
//
// Lua's C library functions run outside the VM, so the budget hook never sees them: a
// backtracking pattern, string.rep('', 2^62) or table.concat over a metamethod loop can run
// for minutes in one call. install_metered_libs replaces string.find/match/gmatch/gsub with
// the metered matcher (internal/lua_pattern.h) and wraps or rewrites every other function
// whose cost grows with its input so that the cost is billed before (or, where it is bounded
// by the size of a string, right after) the work. sandbox.cc lists every function a script
// can reach and what it costs.
#pragma once

extern "C" {
#include <lua.h>
}

#include <cstdint>

namespace atelier::render::internal {

struct LuaMeter {
  // Bills `units` instruction-equivalents of native work done for the script; false once a
  // budget is spent (the caller then stops and raises).
  bool (*charge)(lua_State* L, std::int64_t units);
  // Raises the spent budget's error as a Lua error; does not return.
  int (*raise)(lua_State* L);
};

// Replaces string.find/match/gmatch/gsub. The string metatable's __index is the string table
// itself (luaopen_string), so method calls such as s:gsub(…) reach the replacements too.
// `meter` must outlive the state.
void install_patterns(lua_State* L, const LuaMeter* meter);

// install_patterns, plus the billed versions of string.byte/char/format/lower/pack/packsize/
// rep/reverse/sub/unpack/upper, utf8.char/codepoint/codes/len/offset, table.concat/insert/
// move/pack/remove/unpack and tonumber. Call after the libraries are open and before the
// prelude captures any of them.
void install_metered_libs(lua_State* L, const LuaMeter* meter);

}  // namespace atelier::render::internal
