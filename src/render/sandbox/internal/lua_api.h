// lua_api.h — installs the generator API (ctx, randomness, noise, control images) into a
// sandboxed Lua state. Private to src/render/sandbox.
#pragma once

extern "C" {
#include <lua.h>
}

#include "render/sandbox/sandbox.h"

namespace atelier::render::internal {

// Pushes nothing; sets globals. `env` must outlive the state.
void install_api(lua_State* L, ScriptEnv* env);

// Raises `message` as a Lua error after the caller's C++ objects are gone: bindings return
// kRaise with the message pushed, and the C entry point calls lua_error.
inline constexpr int kRaise = -1;

}  // namespace atelier::render::internal
