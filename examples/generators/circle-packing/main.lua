-- circle-packing: discs packed largest-first, each drawn as rings, moons, halves or pinwheels.
--
-- Packing: a spatial hash of placed discs; every candidate point asks for the largest disc
-- that fits (distance to the region's edge and to every nearby disc), under a radius
-- schedule that shrinks from large to small, so big discs settle first and small ones fill
-- the gaps. Drawing: discs never overlap, so all shapes at one nesting level can be filled
-- in one path per colour; a whole piece is a few dozen fill() calls.

local rand, rand_range = rand, rand_range
local noise2 = noise2
local sqrt, floor, ceil, cos, sin, acos, pi = math.sqrt, math.floor, math.ceil, math.cos, math.sin, math.acos, math.pi
local min, max, abs = math.min, math.max, math.abs
local TAU = 2 * pi

local function clamp(v, lo, hi) if v < lo then return lo elseif v > hi then return hi end return v end

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
-- Palettes. `cols` are the paint colours; the paper (`bg`) is also usable as a ring colour.
---------------------------------------------------------------------------------------------
local PALETTES = {
  { key = "bauhaus", name = "Bauhaus", w = 14, bg = "#f1e9d6", ink = "#1d1d1b",
    cols = {"#1d1d1b", "#d6392b", "#f1b628", "#2a5aa8", "#e8dcc0"} },
  { key = "terracotta", name = "Terracotta", w = 14, bg = "#efe2cf", ink = "#2d3047",
    cols = {"#c8553d", "#f28f3b", "#588b8b", "#2d3047", "#ffd5c2"} },
  { key = "midnight", name = "Midnight", w = 13, bg = "#11161c", ink = "#e8e6df",
    cols = {"#e9c46a", "#f4a261", "#e76f51", "#2a9d8f", "#264653", "#e8e6df"} },
  { key = "sorbet", name = "Sorbet", w = 12, bg = "#fff3e3", ink = "#4a3b5c",
    cols = {"#ff7b89", "#ffb17a", "#8a5082", "#6f5f90", "#a5cad2", "#f9e07f"} },
  { key = "graphite", name = "Graphite", w = 11, bg = "#f3f0e9", ink = "#111111",
    cols = {"#111111", "#3f3f3f", "#7d7a74", "#bdb8ad", "#d9d3c6"} },
  { key = "lagoon", name = "Lagoon", w = 12, bg = "#07292d", ink = "#cbe4de",
    cols = {"#05595b", "#0e8388", "#cbe4de", "#f2d388", "#e36414", "#0b3c40"} },
  { key = "mid-century", name = "Mid-Century", w = 14, bg = "#ece2cc", ink = "#2f4858",
    cols = {"#2f4858", "#33658a", "#86bbd8", "#f6ae2d", "#f26419", "#b9c7a5"} },
  { key = "gold-leaf", name = "Gold Leaf", w = 4, bg = "#121110", ink = "#e6c86e",
    cols = {"#8c6d1f", "#c9a227", "#e6c86e", "#f7eed0", "#2a2620"} },
  { key = "blueprint", name = "Blueprint", w = 6, bg = "#0f3a63", ink = "#eef3f8", line = true,
    cols = {"#eef3f8", "#9cc3e6", "#5d8fbf"} },
}

local LAYOUTS = { {45, "packed"}, {35, "subdivided"}, {20, "orbit"} }
local LAYOUT_NAMES = { packed = "Packed", subdivided = "Subdivided", orbit = "Orbit" }
local MOTIFS = { {32, "rings"}, {28, "mixed"}, {16, "split"}, {14, "moons"}, {10, "pinwheel"} }
local MOTIF_NAMES = { rings = "Rings", mixed = "Mixed", split = "Split", moons = "Moons", pinwheel = "Pinwheel" }
local SCALES = { {30, "Pebbles"}, {45, "Stones"}, {25, "Boulders"} }

---------------------------------------------------------------------------------------------
-- Token-hash decisions (drawn in a fixed order; params only override).
---------------------------------------------------------------------------------------------
local plist = {}
for i = 1, #PALETTES do plist[i] = {PALETTES[i].w, PALETTES[i]} end
local pal = pick_weighted(plist)
local layout = pick_weighted(LAYOUTS)
local motif = pick_weighted(MOTIFS)
local scale = pick_weighted(SCALES)
local outlined = rand() < 0.3
local cutout = rand() < 0.35                 -- paper-cutout drop shadows
local band = rand_range(0.0055, 0.011)      -- ring gauge
local nox, noy = rand_range(-80, 80), rand_range(-80, 80)

if params.palette and params.palette ~= "auto" then
  for i = 1, #PALETTES do if PALETTES[i].key == params.palette then pal = PALETTES[i] end end
end
if params.layout and LAYOUT_NAMES[params.layout] then layout = params.layout end
if params.motif and MOTIF_NAMES[params.motif] then motif = params.motif end
if pal.line then outlined = true end

local density = clamp(params.density or 1.0, 0.05, 4.0)
local gap = clamp(params.gap or 0.004, 0, 0.05)

-- Colours: 1..n are paints, n + 1 is the paper.
local COL = {}
for i = 1, #pal.cols do COL[i] = pal.cols[i] end
local n_paint = #COL
local PAPER = n_paint + 1
COL[PAPER] = pal.bg

-- Pick a paint index different from the ones given (up to three exclusions).
local function other(a, b, c)
  for _ = 1, 12 do
    local k = floor(rand() * n_paint) + 1
    if k ~= a and k ~= b and k ~= c then return k end
  end
  for k = 1, n_paint do
    if k ~= a and k ~= b and k ~= c then return k end
  end
  return 1
end

local rmax, rmin
if scale == "Pebbles" then rmax, rmin = 0.055, 0.0035
elseif scale == "Stones" then rmax, rmin = 0.11, 0.0045
else rmax, rmin = 0.21, 0.006 end
rmin = rmin + gap * 0.5

---------------------------------------------------------------------------------------------
-- Regions: room(x, y) = distance from (x, y) to the edge of the packable region (<= 0 outside),
-- and the colour behind a point (so discs never vanish into their ground).
---------------------------------------------------------------------------------------------
local margin = 0.05 * min(1, H * 1.6)
local cells = {}            -- subdivided: {x, y, w, h, colour, mode}
local orbit_x, orbit_y, orbit_r = W * 0.5, H * 0.5, 0.42 * min(W, H)
local region_room, ground_at

if layout == "subdivided" then
  local gutter = 0.012
  local ratios = {0.5, 1 / 3, 2 / 3, 0.382, 0.618}
  local function split(x, y, w, h, depth)
    local stop = depth >= 5 or max(w, h) < 0.16 or (depth >= 2 and rand() < 0.18 * depth)
    if stop or #cells > 40 then
      cells[#cells + 1] = {x, y, w, h}
      return
    end
    local r = ratios[floor(rand() * #ratios) + 1]
    if w >= h then
      split(x, y, w * r, h, depth + 1)
      split(x + w * r, y, w * (1 - r), h, depth + 1)
    else
      split(x, y, w, h * r, depth + 1)
      split(x, y + h * r, w, h * (1 - r), depth + 1)
    end
  end
  split(margin, margin, W - 2 * margin, H - 2 * margin, 0)
  for i = 1, #cells do
    local c = cells[i]
    c[1], c[2] = c[1] + gutter * 0.5, c[2] + gutter * 0.5
    c[3], c[4] = max(0.001, c[3] - gutter), max(0.001, c[4] - gutter)
    c[5] = rand() < 0.3 and PAPER or floor(rand() * n_paint) + 1
    local m = rand()
    c[6] = (m < 0.68) and "pack" or (m < 0.88) and "single" or "stripes"
    -- Stripes are an accent: only small cells get them.
    if c[6] == "stripes" and c[3] * c[4] > 0.045 then c[6] = "pack" end
    c[7] = rand() < 0.5     -- stripes run vertically
  end
  local pad = 0.006
  local function cell_at(x, y)
    for i = 1, #cells do
      local c = cells[i]
      if x >= c[1] and x <= c[1] + c[3] and y >= c[2] and y <= c[2] + c[4] then return c end
    end
    return nil
  end
  region_room = function(x, y)
    local c = cell_at(x, y)
    if not c or c[6] == "stripes" then return 0 end
    return min(x - c[1], c[1] + c[3] - x, y - c[2], c[2] + c[4] - y) - pad
  end
  ground_at = function(x, y)
    local c = cell_at(x, y)
    return c and c[5] or PAPER
  end
elseif layout == "orbit" then
  region_room = function(x, y)
    local dx, dy = x - orbit_x, y - orbit_y
    return orbit_r - sqrt(dx * dx + dy * dy)
  end
  ground_at = function() return PAPER end
else
  region_room = function(x, y)
    return min(x - margin, W - margin - x, y - margin, H - margin - y)
  end
  ground_at = function() return PAPER end
end

---------------------------------------------------------------------------------------------
-- Packing with a spatial hash.
---------------------------------------------------------------------------------------------
local G = 0.04
local gw, gh = ceil(W / G) + 1, ceil(H / G) + 1
local grid = {}
local cx, cy, cr = {}, {}, {}
local n_circles = 0

local function insert(x, y, r)
  n_circles = n_circles + 1
  cx[n_circles], cy[n_circles], cr[n_circles] = x, y, r
  local i0, i1 = max(0, floor((x - r) / G)), min(gw - 1, floor((x + r) / G))
  local j0, j1 = max(0, floor((y - r) / G)), min(gh - 1, floor((y + r) / G))
  for j = j0, j1 do
    for i = i0, i1 do
      local k = j * gw + i + 1
      local list = grid[k]
      if not list then list = {} grid[k] = list end
      list[#list + 1] = n_circles
    end
  end
end

-- Largest radius (<= R) of a disc at (x, y) that keeps `gap` from every placed disc.
local function room(x, y, R)
  local best = region_room(x, y)
  if best > R then best = R end
  if best < rmin then return 0 end
  local reach = best + gap
  local i0, i1 = max(0, floor((x - reach) / G)), min(gw - 1, floor((x + reach) / G))
  local j0, j1 = max(0, floor((y - reach) / G)), min(gh - 1, floor((y + reach) / G))
  for j = j0, j1 do
    for i = i0, i1 do
      local list = grid[j * gw + i + 1]
      if list then
        for m = 1, #list do
          local q = list[m]
          local dx, dy = x - cx[q], y - cy[q]
          local d = sqrt(dx * dx + dy * dy) - cr[q] - gap
          if d < best then
            best = d
            if best < rmin then return 0 end
          end
        end
      end
    end
  end
  return best
end

-- Subdivided "single" cells get one big disc first.
if layout == "subdivided" then
  for i = 1, #cells do
    local c = cells[i]
    if c[6] == "single" then
      local r = min(c[3], c[4]) * 0.5 - 0.012
      if r > rmin then insert(c[1] + c[3] * 0.5, c[2] + c[4] * 0.5, r) end
    end
  end
end

local attempts = floor(12000 * density)
local bx0, bx1, by0, by1 = 0, W, 0, H
if layout == "orbit" then
  bx0, bx1, by0, by1 = orbit_x - orbit_r, orbit_x + orbit_r, orbit_y - orbit_r, orbit_y + orbit_r
end
for a = 1, attempts do
  local t = (a - 1) / attempts
  local R = rmin + (rmax - rmin) * (1 - t) ^ 3
  local x, y = rand_range(bx0, bx1), rand_range(by0, by1)
  -- Noise makes some neighbourhoods favour big discs and others fine gravel.
  local k = 0.45 + 0.55 * (noise2(x * 2.2 + nox, y * 2.2 + noy) + 1) * 0.5
  local Rl = max(rmin, R * k)
  local r = room(x, y, Rl)
  if r >= rmin and r >= Rl * 0.45 then insert(x, y, r) end
end

---------------------------------------------------------------------------------------------
-- Shapes, batched by nesting level and colour: batch[level][colour] = flat list of
-- (kind, x, y, r, a, b). Kinds: 1 disc, 2 half disc, 3 crescent, 4 wedge.
---------------------------------------------------------------------------------------------
local LEVELS = 16
local batch = {}
for l = 1, LEVELS do
  batch[l] = {}
  for c = 1, PAPER do batch[l][c] = {} end
end
local function add(level, colour, kind, x, y, r, a, b)
  local list = batch[level][colour]
  local n = #list
  list[n + 1], list[n + 2], list[n + 3], list[n + 4], list[n + 5], list[n + 6] = kind, x, y, r, a or 0, b or 0
end

local function draw_rings(x, y, r, ground)
  local n = clamp(floor(r / band + 0.5), 1, 13)
  local c1 = other(ground)
  local c2 = (rand() < 0.35) and PAPER or other(c1, ground)
  if c2 == ground then c2 = other(c1, ground) end
  local c3 = (rand() < 0.5) and other(c1, c2) or c1
  local seq = {c1, c2, c3, c2}
  for k = 0, n - 1 do
    add(k + 1, seq[k % 4 + 1], 1, x, y, r * (1 - k / n))
  end
end

local function draw_moon(x, y, r, ground)
  local dark = other(ground)
  local lit = other(dark, ground)
  add(1, dark, 1, x, y, r)
  local phi = rand_range(0, TAU)
  local d = r * rand_range(0.25, 1.75)
  add(2, lit, 3, x, y, r, phi, d)
end

local function draw_split(x, y, r, ground)
  local c1 = other(ground)
  local c2 = other(c1, ground)
  local a = floor(rand() * 8) * (pi / 4)
  add(1, c1, 1, x, y, r)
  add(2, c2, 2, x, y, r, a)
  if r > 0.012 then
    local c3 = other(c1, c2)
    local ri = r * rand_range(0.3, 0.55)
    add(3, c3, 1, x, y, ri)
    if rand() < 0.5 then add(4, c1, 2, x, y, ri, a + pi) end
  end
end

local function draw_pinwheel(x, y, r, ground)
  local c1 = other(ground)
  local c2 = (rand() < 0.4) and PAPER or other(c1, ground)
  if c2 == ground then c2 = other(c1, ground) end
  local nw = ({4, 6, 8, 8, 12})[floor(rand() * 5) + 1]
  local a0 = rand_range(0, TAU)
  add(1, c1, 1, x, y, r)
  for w = 0, nw - 1, 2 do
    add(2, c2, 4, x, y, r, a0 + w * TAU / nw, a0 + (w + 1) * TAU / nw)
  end
  if r > 0.01 then add(3, other(c1, c2), 1, x, y, r * 0.22) end
end

local motif_fn = { rings = draw_rings, moons = draw_moon, split = draw_split, pinwheel = draw_pinwheel }
local mixed_list = { {4, draw_rings}, {2, draw_moon}, {2, draw_split}, {1.2, draw_pinwheel} }

for i = 1, n_circles do
  local x, y, r = cx[i], cy[i], cr[i]
  local ground = ground_at(x, y)
  local fn
  if motif == "mixed" then fn = pick_weighted(mixed_list) else fn = motif_fn[motif] end
  if r < 0.006 then
    add(1, other(ground), 1, x, y, r)   -- tiny discs: a single dot
  else
    fn(x, y, r, ground)
  end
end

---------------------------------------------------------------------------------------------
-- Draw.
---------------------------------------------------------------------------------------------
ctx:background(pal.bg)
ctx.lineJoin = "round"
ctx.lineCap = "round"

-- Ground: a faint light falling from the upper left.
do
  local g = ctx:createLinearGradient(0, 0, W, H)
  g:addColorStop(0, "rgba(255,255,255,0.06)")
  g:addColorStop(1, "rgba(0,0,0,0.08)")
  ctx.fillStyle = g
  ctx:fillRect(0, 0, W, H)
end

if layout == "subdivided" then
  for i = 1, #cells do
    local c = cells[i]
    if c[5] ~= PAPER or c[6] == "stripes" then
      ctx.fillStyle = COL[c[5]]
      ctx:fillRect(c[1], c[2], c[3], c[4])
    end
    if c[6] == "stripes" then
      local sc = other(c[5])
      ctx.fillStyle = COL[sc]
      ctx:beginPath()
      local sw = band * 1.1
      if c[7] then
        local n = min(200, floor(c[3] / (2 * sw)))
        for s = 0, n - 1 do ctx:rect(c[1] + (2 * s + 0.5) * sw, c[2], sw, c[4]) end
      else
        local n = min(200, floor(c[4] / (2 * sw)))
        for s = 0, n - 1 do ctx:rect(c[1], c[2] + (2 * s + 0.5) * sw, c[3], sw) end
      end
      ctx:fill()
    end
  end
elseif layout == "orbit" then
  -- Orbital rings around the great disc.
  ctx.strokeStyle = pal.ink
  ctx.lineWidth = 0.0011
  ctx.globalAlpha = 0.45
  ctx:beginPath()
  local rr = orbit_r + 0.012
  local reach = 0.5 * sqrt(W * W + H * H)
  local k = 0
  while rr < reach and k < 60 do
    ctx:moveTo(orbit_x + rr, orbit_y)
    ctx:arc(orbit_x, orbit_y, rr, 0, TAU)
    rr = rr + 0.011 + k * 0.0035
    k = k + 1
  end
  ctx:stroke()
  ctx.globalAlpha = 1
end

local function trace(kind, x, y, r, a, b)
  if kind == 1 then
    ctx:moveTo(x + r, y)
    ctx:arc(x, y, r, 0, TAU)
  elseif kind == 2 then
    ctx:moveTo(x + cos(a) * r, y + sin(a) * r)
    ctx:arc(x, y, r, a, a + pi)
    ctx:closePath()
  elseif kind == 3 then
    -- Lit part of a disc minus the same disc shifted by d along phi (0 < d < 2r).
    local phi, d = a, b
    local al = acos(clamp(d / (2 * r), -1, 1))
    local bx, by = x + cos(phi) * d, y + sin(phi) * d
    ctx:moveTo(x + cos(phi + al) * r, y + sin(phi + al) * r)
    ctx:arc(x, y, r, phi + al, phi + TAU - al)
    ctx:arc(bx, by, r, phi + pi + al, phi + pi - al, true)
    ctx:closePath()
  else
    ctx:moveTo(x, y)
    ctx:arc(x, y, r, a, b)
    ctx:closePath()
  end
end

if cutout and not pal.line then
  -- Soft drop shadows under every disc, as if cut from card and laid on the sheet.
  ctx.fillStyle = "#000000"
  local off = 0.0028
  for pass = 1, 2 do
    ctx.globalAlpha = pass == 1 and 0.08 or 0.12
    local grow = pass == 1 and 0.0025 or 0.0008
    ctx:beginPath()
    for i = 1, n_circles do
      local x, y, r = cx[i] + off, cy[i] + off * 1.3, cr[i] + grow
      ctx:moveTo(x + r, y)
      ctx:arc(x, y, r, 0, TAU)
    end
    ctx:fill()
  end
  ctx.globalAlpha = 1
end

if pal.line then
  -- Blueprint: everything as white line-work on cyanotype blue.
  ctx.lineWidth = 0.0012
  for l = 1, LEVELS do
    for c = 1, PAPER do
      local list = batch[l][c]
      if #list > 0 then
        ctx.strokeStyle = (c == PAPER) and COL[2] or COL[c]
        ctx:beginPath()
        for j = 1, #list, 6 do trace(list[j], list[j + 1], list[j + 2], list[j + 3], list[j + 4], list[j + 5]) end
        ctx:stroke()
      end
    end
  end
else
  for l = 1, LEVELS do
    for c = 1, PAPER do
      local list = batch[l][c]
      if #list > 0 then
        ctx.fillStyle = COL[c]
        ctx:beginPath()
        for j = 1, #list, 6 do trace(list[j], list[j + 1], list[j + 2], list[j + 3], list[j + 4], list[j + 5]) end
        ctx:fill()
      end
    end
  end
end

if outlined then
  ctx.strokeStyle = pal.ink
  ctx.lineWidth = pal.line and 0.0016 or 0.0011
  ctx:beginPath()
  for i = 1, n_circles do
    ctx:moveTo(cx[i] + cr[i], cy[i])
    ctx:arc(cx[i], cy[i], cr[i], 0, TAU)
  end
  ctx:stroke()
end

return {
  Palette = pal.name,
  Layout = LAYOUT_NAMES[layout],
  Motif = MOTIF_NAMES[motif],
  Scale = scale,
  Outline = outlined and "Inked" or "None",
  Finish = pal.line and "Line-work" or (cutout and "Cutout" or "Flat"),
}
