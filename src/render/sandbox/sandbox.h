// sandbox.h — runs a generator script in a locked-down Lua 5.4 state.
//
// What the script gets: math, string (no string.dump), table, utf8, a deterministic `pairs`,
// `next`, `tostring` and `table.sort` (Lua's own depend on hash seeds, addresses and a clock),
// the seeded randomness, noise, control-image sampling and the `ctx` drawing API
// (docs/generators.md). What it does not get: io, os, require, load/loadstring/dofile,
// debug, coroutine, collectgarbage.
//
// Budgets, each a clear error naming its limit: Lua VM instructions (a count hook), heap
// bytes (a counting allocator), wall-clock time (checked in the hook). pcall/xpcall cannot
// swallow a budget error: once a budget trips, every further hook and protected call
// re-raises it.
//
// Library functions run outside the VM, where the count hook cannot see them: every one a
// script can reach is O(1), or billed to the instruction budget by the work it does (string
// patterns by matcher step, copies and scans by size; sandbox.cc lists them all), and the
// wall clock is read as the bill grows. A watchdog thread makes the hook fire at the next VM
// instruction once the deadline passes, so a render stops at its wall-clock limit plus the
// longest single step: one VM instruction or one library call on strings bounded by the
// memory budget (tens of milliseconds), or one canvas paint.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "render/math/noise.h"
#include "render/math/prng.h"
#include "render/raster/canvas.h"
#include "render/raster/control.h"
#include "render/recipe.h"

namespace atelier::render {

struct SandboxLimits {
  std::int64_t instructions_max;
  std::int64_t memory_bytes_max;
  std::int64_t wall_ms_max;
};

// What the script can see and draw on. Not owned.
struct ScriptEnv {
  Canvas* canvas = nullptr;
  TokenRandom* random = nullptr;
  const SimplexNoise* noise = nullptr;
  const std::map<std::string, ParamValue>* params = nullptr;
  std::map<std::string, const ControlImage*> controls;
  std::string token_hash;
  // Work done natively on the script's behalf (flow-field tracing), in instruction-equivalent
  // units; the budget hook bills it against render_instructions_max.
  std::int64_t native_units = 0;
};

struct ScriptResult {
  std::string traits_json;  // Canonical JSON object ({} when the script returns nothing).
  std::int64_t instructions = 0;
  std::int64_t memory_peak_bytes = 0;
};

Result<ScriptResult> run_script(std::string_view source, std::string_view chunk_name,
                                ScriptEnv& env, const SandboxLimits& limits);

}  // namespace atelier::render
