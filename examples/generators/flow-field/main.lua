-- flow-field: ink and paint strokes drifting through a seeded simplex-noise flow field.
--
-- Every curve starts somewhere on the sheet and is integrated through an angle field
-- built from noise2/noise3. Curves are grouped by (colour, weight class) and each group
-- is stroked with one ctx:stroke() per layer, so the engine sees a few dozen large
-- paths instead of thousands of small ones. All sizes are in script units (W = 1).

local rand, rand_range, rand_gaussian = rand, rand_range, rand_gaussian
local noise2, noise3 = noise2, noise3
local sin, cos, atan, floor, sqrt, pi = math.sin, math.cos, math.atan, math.floor, math.sqrt, math.pi
local min, max = math.min, math.max

local function clamp(v, lo, hi) if v < lo then return lo elseif v > hi then return hi end return v end

-- Weighted pick over {{weight, value}, ...}; always consumes exactly one rand().
local function pick_weighted(list)
  local total = 0
  for i = 1, #list do total = total + list[i][1] end
  local r = rand() * total
  for i = 1, #list do
    r = r - list[i][1]
    if r < 0 then return list[i][2] end
  end
  return list[#list][2]
end

---------------------------------------------------------------------------------------------
-- Palettes: ground colour, inks with weights, and how the ink sits on the ground.
---------------------------------------------------------------------------------------------
local PALETTES = {
  { key = "sumi", name = "Sumi", weight = 14, bg = "#eee8da", dark = false,
    inks = { {"#1b1a19", 5}, {"#3d3a36", 3}, {"#8b8477", 2}, {"#b5281c", 0.35} } },
  { key = "kelp", name = "Kelp", weight = 13, bg = "#0e1d1b", dark = true,
    inks = { {"#2e6b5c", 3}, {"#4f9d69", 3}, {"#a9c76c", 2}, {"#e9d9a1", 1.4}, {"#d9822b", 0.6} } },
  { key = "dusk", name = "Dusk", weight = 13, bg = "#1c1b30", dark = true,
    inks = { {"#355c7d", 3}, {"#6c5b7b", 3}, {"#c06c84", 2.5}, {"#f67280", 1.5}, {"#f8b195", 1.2} } },
  { key = "riso", name = "Riso", weight = 10, bg = "#f3eee4", dark = false, multiply = true, alpha = 0.55,
    inks = { {"#ff48b0", 3}, {"#0078bf", 3}, {"#ffd400", 2}, {"#00a95c", 1.2} } },
  { key = "tidepool", name = "Tidepool", weight = 13, bg = "#ebe5d6", dark = false,
    inks = { {"#1d3557", 4}, {"#457b9d", 3}, {"#8fc3c5", 2.5}, {"#e63946", 0.8}, {"#f1b33c", 0.8} } },
  { key = "ember", name = "Ember", weight = 12, bg = "#140e0c", dark = true,
    inks = { {"#7a1f2b", 3}, {"#d62828", 2.5}, {"#f77f00", 2.5}, {"#fcbf49", 2}, {"#fff1d0", 0.8} } },
  { key = "glacier", name = "Glacier", weight = 12, bg = "#eef2f4", dark = false,
    inks = { {"#0b2f4a", 4}, {"#2f7bb0", 3}, {"#8fbfdf", 3}, {"#c9a227", 0.5} } },
  { key = "bauhaus", name = "Bauhaus", weight = 9, bg = "#efe4cc", dark = false,
    inks = { {"#14213d", 4}, {"#c1121f", 2}, {"#f4a300", 2}, {"#2b6a8f", 1.5} } },
  { key = "gilded", name = "Gilded", weight = 4, bg = "#0a0a0b", dark = true,
    inks = { {"#8a6a1e", 3}, {"#c9a227", 3}, {"#e8cf7a", 2}, {"#fff6d6", 0.7} } },
}

local FIELDS = {
  {28, "drift"}, {26, "eddies"}, {24, "marbled"}, {12, "vortex"}, {10, "crystalline"},
}
local FIELD_NAMES = { drift = "Drift", eddies = "Eddies", marbled = "Marbled",
                      vortex = "Vortex", crystalline = "Crystalline" }

---------------------------------------------------------------------------------------------
-- Token-hash decisions (always drawn in the same order, so params only override).
---------------------------------------------------------------------------------------------
local palette_list = {}
for i = 1, #PALETTES do palette_list[i] = {PALETTES[i].weight, PALETTES[i]} end
local pal = pick_weighted(palette_list)
local field = pick_weighted(FIELDS)
local composition = pick_weighted({ {40, "Scatter"}, {22, "Stream"}, {18, "Bloom"}, {20, "Bands"} })
local weight_class = pick_weighted({ {45, "Fine"}, {35, "Mixed"}, {20, "Bold"} })
local colouring = pick_weighted({ {60, "Regions"}, {40, "Confetti"} })
local framed = rand() < 0.7

if params.palette and params.palette ~= "auto" then
  for i = 1, #PALETTES do if PALETTES[i].key == params.palette then pal = PALETTES[i] end end
end
if params.field and params.field ~= "auto" and FIELD_NAMES[params.field] then field = params.field end

local n_lines = clamp(floor(params.lines or 4000), 1, 8000)
local n_steps = clamp(floor(params.steps or 120), 2, 300)
local turbulence = clamp(params.turbulence or 1.0, 0.05, 5.0)
local weight = clamp(params.weight or 1.0, 0.05, 3.0)

---------------------------------------------------------------------------------------------
-- The field.
---------------------------------------------------------------------------------------------
local freq, amp
local base_angle = rand_range(-pi, pi)
local zoff = rand_range(0, 100)
local ox, oy = rand_range(-50, 50), rand_range(-50, 50)
local vx, vy = rand_range(0.3, 0.7) * W, rand_range(0.3, 0.7) * H -- vortex eye
local vspin = rand() < 0.5 and 1 or -1
local warp = rand_range(0.35, 0.7)
local facets = ({3, 4, 6, 6, 8})[floor(rand() * 5) + 1]

if field == "drift" then
  freq, amp = rand_range(0.9, 1.8), pi * rand_range(0.45, 0.8)
elseif field == "eddies" then
  freq, amp = rand_range(2.0, 3.4), pi * rand_range(1.4, 2.2)
elseif field == "marbled" then
  freq, amp = rand_range(1.2, 2.2), pi * rand_range(0.9, 1.5)
elseif field == "vortex" then
  freq, amp = rand_range(1.5, 2.5), pi * rand_range(0.2, 0.45)
else -- crystalline
  freq, amp = rand_range(1.0, 2.0), pi * rand_range(0.8, 1.3)
end
amp = amp * turbulence
local step_len = 0.0032
if composition == "Stream" then
  -- A river: longer, calmer strokes that cross the sheet from the upstream edge.
  step_len = 0.0062
  -- Keeping the swing under 90 degrees means no curve can turn back against the current.
  amp = min(amp * 0.6, pi * 0.42 * turbulence)
  freq = min(freq, 1.6)
end

-- angle_at(x, y): the direction of travel at a point.
local angle_at
if field == "marbled" then
  angle_at = function(x, y)
    local fx, fy = x * freq + ox, y * freq + oy
    local wx = noise3(fx * 0.8, fy * 0.8, zoff)
    local wy = noise3(fx * 0.8 + 31.7, fy * 0.8 - 12.3, zoff)
    return base_angle + amp * noise2(fx + warp * 2.2 * wx, fy + warp * 2.2 * wy)
  end
elseif field == "vortex" then
  angle_at = function(x, y)
    local dx, dy = x - vx, y - vy
    local d = sqrt(dx * dx + dy * dy) + 1e-6
    -- Spiral inward slightly: tangent plus a small radial pull.
    return atan(dy, dx) + vspin * (pi * 0.5 + 0.18) + amp * noise2(x * freq + ox, y * freq + oy)
           + 0.25 * vspin * min(1, 0.15 / d)
  end
elseif field == "crystalline" then
  local q = pi * 2 / facets
  angle_at = function(x, y)
    local a = base_angle + amp * noise2(x * freq + ox, y * freq + oy)
    return floor(a / q + 0.5) * q
  end
else
  local f2 = freq * 2.3
  angle_at = function(x, y)
    return base_angle + amp * (noise2(x * freq + ox, y * freq + oy)
                               + 0.3 * noise3(x * f2 - ox, y * f2 + oy, zoff))
  end
end

---------------------------------------------------------------------------------------------
-- Seeds: where curves start, which colour and width class they use.
---------------------------------------------------------------------------------------------
local margin = framed and 0.06 or -0.02
local x_lo, x_hi = margin * W, W - margin * W
local y_lo, y_hi = margin * W, H - margin * W
if y_hi <= y_lo then y_lo, y_hi = 0, H end

local inks = pal.inks
local n_inks = #inks
local ink_weights = {}
for i = 1, n_inks do ink_weights[i] = {inks[i][2], i} end

-- Width classes: {width in script units, alpha, probability}.
local classes
if weight_class == "Fine" then
  classes = { {0.0009, 0.55, 0.80}, {0.0018, 0.55, 0.17}, {0.0040, 0.70, 0.03} }
elseif weight_class == "Mixed" then
  classes = { {0.0010, 0.55, 0.60}, {0.0026, 0.65, 0.30}, {0.0065, 0.80, 0.10} }
else
  classes = { {0.0018, 0.70, 0.45}, {0.0045, 0.80, 0.40}, {0.0095, 0.90, 0.15} }
end
local n_classes = #classes

local colour_freq = rand_range(1.2, 2.6)
local cox, coy = rand_range(-90, 90), rand_range(-90, 90)
local band_count = floor(rand_range(3, 6))
local band_y = {}
for b = 1, band_count do band_y[b] = y_lo + (y_hi - y_lo) * (b - 0.5) / band_count end
local bloom_x, bloom_y = rand_range(0.35, 0.65) * W, rand_range(0.35, 0.65) * H
local bloom_r = 0.16 * min(W, H) + 0.05

local function seed_point()
  local x, y
  if composition == "Stream" then
    -- Enter from the upstream edge of the mean flow direction.
    local ca, sa = cos(base_angle), sin(base_angle)
    if math.abs(ca) >= math.abs(sa) then
      local d = (x_hi - x_lo) * 0.45
      x = (ca > 0) and rand_range(x_lo - 0.05, x_lo + d) or rand_range(x_hi - d, x_hi + 0.05)
      y = rand_range(y_lo, y_hi)
    else
      local d = (y_hi - y_lo) * 0.45
      x = rand_range(x_lo, x_hi)
      y = (sa > 0) and rand_range(y_lo - 0.05, y_lo + d) or rand_range(y_hi - d, y_hi + 0.05)
    end
  elseif composition == "Bloom" then
    x = bloom_x + rand_gaussian(0, bloom_r)
    y = bloom_y + rand_gaussian(0, bloom_r)
  elseif composition == "Bands" then
    local b = band_y[floor(rand() * band_count) + 1]
    x = rand_range(x_lo, x_hi)
    y = b + rand_gaussian(0, 0.025)
  else
    x = rand_range(x_lo, x_hi)
    y = rand_range(y_lo, y_hi)
  end
  return x, y
end

-- Group curves by (class, ink): groups[class][ink] = flat list {x1, y1, len1, x2, ...}.
local groups = {}
for c = 1, n_classes do
  groups[c] = {}
  for i = 1, n_inks do groups[c][i] = {} end
end
for _ = 1, n_lines do
  local x, y = seed_point()
  local ink
  if colouring == "Regions" then
    local t = (noise2(x * colour_freq + cox, y * colour_freq + coy) + 1) * 0.5
    -- Map through the cumulative ink weights, with a little scatter at the borders.
    t = clamp(t + rand_gaussian(0, 0.08), 0, 0.9999)
    local total = 0
    for i = 1, n_inks do total = total + inks[i][2] end
    local acc, r = 0, t * total
    ink = n_inks
    for i = 1, n_inks do
      acc = acc + inks[i][2]
      if r < acc then ink = i break end
    end
  else
    ink = pick_weighted(ink_weights)
  end
  local r, c = rand(), n_classes
  for k = 1, n_classes do
    r = r - classes[k][3]
    if r < 0 then c = k break end
  end
  local lenf = rand_range(0.35, 1.0)
  local g = groups[c][ink]
  local n = #g
  g[n + 1], g[n + 2], g[n + 3] = x, y, lenf
end

---------------------------------------------------------------------------------------------
-- Draw.
---------------------------------------------------------------------------------------------
ctx:background(pal.bg)
ctx.lineCap = "round"
ctx.lineJoin = "round"
if pal.multiply then ctx.globalCompositeOperation = "multiply" end

-- Soft underpainting: a faint wash following the colour regions keeps the ground alive.
do
  local g = ctx:createRadialGradient(bloom_x, bloom_y, 0.02, bloom_x, bloom_y, 0.9 * max(W, H))
  g:addColorStop(0, inks[n_inks > 2 and 3 or 1][1] .. (pal.dark and "22" or "14"))
  g:addColorStop(1, inks[1][1] .. "00")
  ctx.fillStyle = g
  ctx:fillRect(0, 0, W, H)
end

local x_min, x_max = x_lo - 0.03, x_hi + 0.03
local y_min, y_max = y_lo - 0.03, y_hi + 0.03
if framed then x_min, x_max, y_min, y_max = x_lo, x_hi, y_lo, y_hi end

local polyline = ctx.polyline
local angle = angle_at

-- Trace one curve from (x, y); returns a flat point array or nil.
local function trace(x, y, n, dir)
  local pts = {x, y}
  local k = 2
  local sl = step_len * dir
  for _ = 1, n do
    local a = angle(x, y)
    x = x + cos(a) * sl
    y = y + sin(a) * sl
    if x < x_min or x > x_max or y < y_min or y > y_max then break end
    pts[k + 1] = x
    pts[k + 2] = y
    k = k + 2
  end
  if k < 6 then return nil end
  return pts
end

-- Heavier classes first (underneath), hairlines on top.
for c = n_classes, 1, -1 do
  local width, alpha = classes[c][1] * weight, classes[c][2] * (pal.alpha or 1)
  ctx.lineWidth = width
  for i = 1, n_inks do
    local g = groups[c][i]
    if #g > 0 then
      ctx.strokeStyle = inks[i][1]
      ctx.globalAlpha = alpha
      ctx:beginPath()
      local count = 0
      for j = 1, #g, 3 do
        local sx, sy = g[j], g[j + 1]
        if sx >= x_min and sx <= x_max and sy >= y_min and sy <= y_max then
          local n = floor(n_steps * g[j + 2] + 0.5)
          if n < 2 then n = 2 end
          local pts = trace(sx, sy, n, 1)
          if pts then polyline(ctx, pts) count = count + 1 end
        end
        -- Flush long paths in chunks so every stroke stays a manageable size.
        if count >= 400 then
          ctx:stroke()
          ctx:beginPath()
          count = 0
        end
      end
      if count > 0 then ctx:stroke() end
    end
  end
end
ctx.globalAlpha = 1
ctx.globalCompositeOperation = "source-over"

-- Vignette.
do
  local cx, cy = W * 0.5, H * 0.5
  local r = sqrt(cx * cx + cy * cy)
  local g = ctx:createRadialGradient(cx, cy, r * 0.45, cx, cy, r * 1.05)
  g:addColorStop(0, pal.dark and "#00000000" or "#3a2a1000")
  g:addColorStop(1, pal.dark and "#00000066" or "#3a2a1022")
  ctx.fillStyle = g
  ctx:fillRect(0, 0, W, H)
end

return {
  Palette = pal.name,
  Field = FIELD_NAMES[field],
  Composition = composition,
  Weight = weight_class,
  Colouring = colouring,
  Frame = framed and "Margin" or "Full Bleed",
}
