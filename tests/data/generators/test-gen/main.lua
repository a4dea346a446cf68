-- test-gen: discs on a ground, a noise line across, traits. Sizes are in script units, so the
-- composition is the same at every pixel size.
local palettes = {
  dusk = {"#1b1b3a", "#693668", "#a74482", "#f84aa7", "#ff3562"},
  kelp = {"#0b3c49", "#1e6f5c", "#289672", "#29bb89", "#e6dd3b"},
}
local colors = palettes[params.palette]
ctx:background(colors[1])

local n = params.count * 10
local controlled = has_control("control")
for i = 1, n do
  local x, y = rand(), rand() * H
  local r = (0.03 + 0.09 * rand()) * params.scale
  if controlled then r = r * (0.1 + 1.5 * control_luma(x, y)) end
  ctx.fillStyle = colors[rand_int(2, #colors)]
  ctx:beginPath()
  ctx:arc(x, y, r, 0, 2 * math.pi)
  ctx:fill()
  if params.outline then
    ctx.strokeStyle = params.ink
    ctx.lineWidth = 0.006
    ctx:stroke()
  end
end

ctx.strokeStyle = params.ink
ctx.lineWidth = 0.012
local pts = {}
for k = 0, 100 do
  local x = k / 100
  pts[#pts + 1] = x
  pts[#pts + 1] = H / 2 + 0.25 * noise2(x * 3, 0.5)
end
ctx:polyline(pts)
ctx:stroke()

return {Palette = params.palette, Discs = n, Controlled = controlled, Scale = params.scale}
