-- The benchmark workload behind the README's render target: N curves x S steps of a plain
-- noise2 flow field, stroked as one-pixel lines (as a studio's fine-line flow field is).
local noise2, cos, sin, rand = noise2, math.cos, math.sin, rand
local polyline = ctx.polyline
local lines, steps = params.lines, params.steps
local freq, step_len = 2.2, 0.004

ctx:background("#f4f0e6")
ctx.strokeStyle = "#1d1b18"
ctx.lineWidth = params.width_px * PX
ctx.lineCap = "round"
ctx.lineJoin = "round"
local field = flowfield{frequency = freq, angle = 6.2831853}
local big = 1e9  -- No bounds: the same walk as the Lua loop below.
ctx:beginPath()
if params.native and params.into_path and params.batch then
  -- The same starts (rand order) and curves, 500 per ctx:flowlines call, one stroke each.
  local i = 0
  while i < lines do
    local n = math.min(500, lines - i)
    local starts = {}
    for k = 1, n do starts[2 * k - 1], starts[2 * k] = rand() * W, rand() * H end
    ctx:flowlines(field, starts, steps, step_len, -big, -big, big, big)
    ctx:stroke()
    ctx:beginPath()
    i = i + n
  end
  return {Lines = lines, Steps = steps}
end
for i = 1, lines do
  local x, y = rand() * W, rand() * H
  local pts
  if params.native and params.into_path then
    ctx:flowline(field, x, y, steps, step_len, -big, -big, big, big)  -- The same points, no table.
  elseif params.native then
    pts = field:trace(x, y, steps, step_len, -big, -big, big, big)
  else
    local k = 2
    pts = {x, y}
    for _ = 1, steps do
      local a = 6.2831853 * noise2(x * freq, y * freq)
      x = x + cos(a) * step_len
      y = y + sin(a) * step_len
      pts[k + 1], pts[k + 2] = x, y
      k = k + 2
    end
  end
  if pts then polyline(ctx, pts) end
  if i % 500 == 0 then
    ctx:stroke()
    ctx:beginPath()
  end
end
ctx:stroke()
return {Lines = lines, Steps = steps}
