-- pen-plotter: a control image redrawn the way a pen plotter would draw it.
--
-- ink(x, y) turns the control image into an ink density in [0, 1]: darkness through a tone
-- curve, plus a share of edge strength so silhouettes read. Five techniques spend that
-- density differently: squiggle scanlines, layered hatching, jittered-grid stippling,
-- marching-squares contours, or one continuous spiral. Everything is in script units.

local rand, rand_range = rand, rand_range
local noise2 = noise2
local control_luma, control_edge = control_luma, control_edge
local sin, cos, floor, ceil, sqrt, pi, abs = math.sin, math.cos, math.floor, math.ceil, math.sqrt, math.pi, math.abs
local min, max = math.min, math.max
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
-- Token-hash decisions (fixed order; params override afterwards).
---------------------------------------------------------------------------------------------
local INKS = {
  { key = "graphite", name = "Graphite", w = 22, paper = "#f2eee3", pens = {"#222222"} },
  { key = "sepia", name = "Sepia", w = 17, paper = "#efe2c8", pens = {"#4b2e1a"} },
  { key = "ballpoint", name = "Ballpoint", w = 17, paper = "#f6f5ef", pens = {"#1f3d8f"} },
  { key = "chalk", name = "Chalk", w = 16, paper = "#151617", pens = {"#efece4"}, dark = true },
  { key = "gold-on-navy", name = "Gold on Navy", w = 10, paper = "#0e1a30", pens = {"#d8b25c"}, dark = true },
  { key = "vermilion", name = "Vermilion", w = 12, paper = "#f3ece0", pens = {"#b83224"} },
  { key = "two-pen", name = "Two Pens", w = 6, paper = "#f4efe4", pens = {"#1f3d8f", "#c8372d"} },
}
local TECHNIQUES = { {26, "waves"}, {24, "hatching"}, {20, "stipple"}, {18, "contours"}, {12, "spiral"} }
local TECH_NAMES = { waves = "Waves", hatching = "Hatching", stipple = "Stipple",
                     contours = "Contours", spiral = "Spiral" }

local ilist = {}
for i = 1, #INKS do ilist[i] = {INKS[i].w, INKS[i]} end
local ink = pick_weighted(ilist)
local technique = pick_weighted(TECHNIQUES)
local pen = pick_weighted({ {35, "Fine"}, {45, "Medium"}, {20, "Bold"} })
local hand = pick_weighted({ {50, "Steady"}, {35, "Loose"}, {15, "Tremor"} })
local framing = pick_weighted({ {65, "Full"}, {22, "Close-up"}, {13, "Tilted"} })

if params.ink and params.ink ~= "auto" then
  for i = 1, #INKS do if INKS[i].key == params.ink then ink = INKS[i] end end
end
if params.technique and TECH_NAMES[params.technique] then technique = params.technique end

local density = clamp(params.density or 1.0, 0.1, 4.0)
local gamma = clamp(params.gamma or 1.0, 0.1, 5.0)
local edge_k = clamp(params.edges or 0.7, 0, 4)
local square = (params.fit or "square") ~= "stretch"

local pen_width = ({ Fine = 0.00065, Medium = 0.0009, Bold = 0.00135 })[pen]
-- Light ink on dark paper reads thinner than dark ink on light paper.
if ink.dark then pen_width = pen_width * 1.3 end
local PENS = ink.pens
local two_pen = #PENS > 1

---------------------------------------------------------------------------------------------
-- Mapping from the sheet to the control image, and the ink density.
---------------------------------------------------------------------------------------------
local m = 0.055 * min(1, H)                     -- plotter margin
local x_lo, x_hi, y_lo, y_hi = m, W - m, m, H - m
local ccx, ccy = W * 0.5, H * 0.5
local S = min(W, H) * 0.92                       -- side of the (square) image on the sheet
local zoom, offx, offy, tilt = 1, 0, 0, 0
if framing == "Close-up" then
  zoom = rand_range(1.35, 1.7)
  offx, offy = rand_range(-0.12, 0.12), rand_range(-0.12, 0.12)
elseif framing == "Tilted" then
  tilt = (rand() < 0.5 and -1 or 1) * rand_range(0.18, 0.42)
  zoom = 1.05
end
S = S * zoom
local ct, st = cos(tilt), sin(tilt)
local mirror = rand() < 0.35                     -- draw the image mirrored left-right
local has_image = has_control("control")

local function darkness(x, y)
  local dx, dy = x - ccx, y - ccy
  local rx, ry = dx * ct + dy * st, -dx * st + dy * ct
  local fx, fy
  if square then
    fx, fy = rx / S + 0.5 + offx, ry / S + 0.5 + offy
  else
    fx, fy = rx / (W * zoom) + 0.5 + offx, ry / (H * zoom) + 0.5 + offy
  end
  if mirror then fx = 1 - fx end
  local l, e
  if has_image then
    local u, v = fx * W, fy * H
    l, e = control_luma(u, v, "control"), control_edge(u, v, "control")
  else
    -- No image bound: a shaded sphere, so the piece still draws something sensible.
    local px, py = (fx - 0.5) / 0.32, (fy - 0.5) / 0.32
    local r2 = px * px + py * py
    if r2 < 1 then
      local nz = sqrt(1 - r2)
      l = clamp(0.05 + 0.95 * (-0.6 * px - 0.55 * py + 0.58 * nz), 0, 1)
      e = r2 > 0.95 and 0.8 or 0
    else
      l, e = 0.96, 0
    end
  end
  local d = (1 - l - 0.03) / 0.94
  if d <= 0 then d = 0 elseif d >= 1 then d = 1 else d = d ^ gamma end
  d = d + edge_k * e
  if d > 1 then d = 1 end
  return d
end

-- Hand: a slow wobble ("Loose") or a fine jitter ("Tremor") displaces drawn points.
local wob_a, wob_f = 0, 0
if hand == "Loose" then wob_a, wob_f = 0.0022, 9
elseif hand == "Tremor" then wob_a, wob_f = 0.0008, 70 end
local hox, hoy = rand_range(-60, 60), rand_range(-60, 60)
local steady = wob_a == 0

---------------------------------------------------------------------------------------------
-- Paper.
---------------------------------------------------------------------------------------------
ctx:background(ink.paper)
do
  local r = 0.5 * sqrt(W * W + H * H)
  local g = ctx:createRadialGradient(ccx, ccy, r * 0.3, ccx, ccy, r * 1.1)
  g:addColorStop(0, ink.dark and "rgba(255,255,255,0.03)" or "rgba(255,255,255,0.25)")
  g:addColorStop(1, ink.dark and "rgba(0,0,0,0.35)" or "rgba(90,70,40,0.10)")
  ctx.fillStyle = g
  ctx:fillRect(0, 0, W, H)
end
ctx.lineCap = "round"
ctx.lineJoin = "round"
ctx.lineWidth = pen_width
ctx.strokeStyle = PENS[1]
ctx.fillStyle = PENS[1]
-- Ink on dark paper is slightly translucent, like gel pen.
ctx.globalAlpha = ink.dark and 0.92 or 0.95

local polyline = ctx.polyline

---------------------------------------------------------------------------------------------
-- Techniques.
---------------------------------------------------------------------------------------------
-- Tracer: collects continuous pen lines. With two pens a line changes pen where the tone
-- crosses the split (with hysteresis), continuing from the same point so it stays unbroken:
-- the shadows come out in the first pen, the light tones in the second.
local function new_tracer() return { paths = {{}, {}}, pts = nil, k = 0, pen = 1 } end

local function pen_for(d, current)
  if not two_pen then return 1 end
  if current == 1 then return (d < 0.40) and 2 or 1 end
  return (d > 0.56) and 1 or 2
end

local function tr_end(T)
  if T.pts and T.k >= 4 then
    local L = T.paths[T.pen]
    L[#L + 1] = T.pts
  end
  T.pts, T.k = nil, 0
end

local function tr_point(T, x, y, p)
  local pts = T.pts
  if pts and (p ~= T.pen or T.k >= 8000) then
    pts[T.k + 1], pts[T.k + 2] = x, y
    T.k = T.k + 2
    tr_end(T)
    pts = nil
  end
  if not pts then
    pts = {}
    T.pts, T.k, T.pen = pts, 0, p
  end
  local k = T.k
  pts[k + 1], pts[k + 2] = x, y
  T.k = k + 2
end

local function tr_draw(T)
  for p = 1, #PENS do
    local L = T.paths[p]
    if #L > 0 then
      ctx.strokeStyle = PENS[p]
      ctx:beginPath()
      for i = 1, #L do
        polyline(ctx, L[i])
        if i % 200 == 0 then ctx:stroke() ctx:beginPath() end
      end
      ctx:stroke()
    end
  end
end

local function waves()
  local spacing = 0.0064 / density
  local rows = clamp(floor((y_hi - y_lo) / spacing), 1, 2000)
  spacing = (y_hi - y_lo) / rows
  local dx = 0.0011
  local f0, f1 = 22 * TAU, 210 * TAU
  local amp0 = spacing * 0.62
  local T = new_tracer()
  for r = 0, rows do
    local y0 = y_lo + r * spacing
    local phase = rand_range(0, TAU)
    local x = x_lo
    local pen = 2
    while x <= x_hi do
      local d = darkness(x, y0)
      phase = phase + dx * (f0 + f1 * d)
      local px, py = x, y0 + amp0 * d * sin(phase)
      if not steady then
        px = px + wob_a * noise2(px * wob_f + hox, py * wob_f + hoy)
        py = py + wob_a * noise2(px * wob_f + hoy, py * wob_f - hox)
      end
      pen = pen_for(d, pen)
      tr_point(T, px, py, pen)
      x = x + dx
    end
    tr_end(T)
  end
  tr_draw(T)
end

local function hatching(layers, spacing)
  local a0 = rand_range(0, pi)
  layers = layers or {
    {a0, 0.16}, {a0 + pi * 0.5, 0.4}, {a0 + pi * 0.25, 0.62}, {a0 - pi * 0.25, 0.82},
  }
  local sp = (spacing or 0.0062) / density
  local st_len = 0.0024
  local R = 0.5 * sqrt(W * W + H * H) + 0.01
  for li = 1, #layers do
    local ang, thr = layers[li][1], layers[li][2]
    local ux, uy = cos(ang), sin(ang)
    local nx, ny = -uy, ux
    -- Two pens: the light layers in the second pen, the dark ones in the first.
    ctx.strokeStyle = (two_pen and li <= #layers / 2) and PENS[2] or PENS[1]
    ctx:beginPath()
    local runs = 0
    local nlines = clamp(floor(2 * R / sp), 1, 4000)
    local o = -R + (rand() * sp)
    for _ = 1, nlines do
      -- Clip the infinite line c + n*o + u*t to the margin rectangle.
      local bx, by = ccx + nx * o, ccy + ny * o
      local t0, t1 = -R, R
      if abs(ux) > 1e-9 then
        local ta, tb = (x_lo - bx) / ux, (x_hi - bx) / ux
        if ta > tb then ta, tb = tb, ta end
        t0, t1 = max(t0, ta), min(t1, tb)
      elseif bx < x_lo or bx > x_hi then t1 = t0 - 1 end
      if abs(uy) > 1e-9 then
        local ta, tb = (y_lo - by) / uy, (y_hi - by) / uy
        if ta > tb then ta, tb = tb, ta end
        t0, t1 = max(t0, ta), min(t1, tb)
      elseif by < y_lo or by > y_hi then t1 = t0 - 1 end
      if t1 > t0 then
        local pts, k = nil, 0
        local t = t0
        local jit = rand_range(-0.04, 0.04)
        while t <= t1 do
          local x, y = bx + ux * t, by + uy * t
          if darkness(x, y) > thr + jit then
            if not pts then pts, k = {}, 0 end
            if not steady then
              x = x + wob_a * noise2(x * wob_f + hox, y * wob_f + hoy)
              y = y + wob_a * noise2(x * wob_f + hoy, y * wob_f - hox)
            end
            pts[k + 1], pts[k + 2] = x, y
            k = k + 2
          elseif pts then
            if k >= 4 then polyline(ctx, pts) runs = runs + 1 end
            pts = nil
          end
          t = t + st_len
        end
        if pts and k >= 4 then polyline(ctx, pts) runs = runs + 1 end
      end
      if runs >= 3000 then ctx:stroke() ctx:beginPath() runs = 0 end
      o = o + sp
    end
    ctx:stroke()
  end
end

local function stipple()
  local g = 0.0036 / sqrt(density)
  local nx = clamp(floor((x_hi - x_lo) / g), 1, 3000)
  local ny = clamp(floor((y_hi - y_lo) / g), 1, 3000)
  local r0, r1 = pen_width * 0.9, pen_width * 1.2
  local count = {0, 0}
  -- Two pens: dots are collected per pen, then filled; one pen: filled in chunks.
  local store = two_pen and {{}, {}} or nil
  ctx:beginPath()
  for j = 0, ny - 1 do
    for i = 0, nx - 1 do
      local x = x_lo + (i + rand()) * g
      local y = y_lo + (j + rand()) * g
      local d = darkness(x, y)
      if d > 0.02 and rand() < d * 1.05 then
        local r = r0 + r1 * d
        if store then
          local p = (rand() < 0.25 + 0.5 * d) and 1 or 2
          local s = store[p]
          local n = #s
          s[n + 1], s[n + 2], s[n + 3] = x, y, r
        else
          ctx:moveTo(x + r, y)
          ctx:arc(x, y, r, 0, TAU)
          count[1] = count[1] + 1
          if count[1] % 4000 == 0 then ctx:fill() ctx:beginPath() end
        end
      end
    end
  end
  if store then
    for p = 1, 2 do
      local s = store[p]
      ctx.fillStyle = PENS[p]
      ctx:beginPath()
      for q = 1, #s, 3 do
        local x, y, r = s[q], s[q + 1], s[q + 2]
        ctx:moveTo(x + r, y)
        ctx:arc(x, y, r, 0, TAU)
        if q % 12000 == 1 and q > 1 then ctx:fill() ctx:beginPath() end
      end
      ctx:fill()
    end
  else
    ctx:fill()
  end
end

local function contours()
  local nx = clamp(floor(230 * density), 40, 500)
  local cs = (x_hi - x_lo) / nx
  local ny = clamp(floor((y_hi - y_lo) / cs), 1, 1000)
  local V = {}
  local stride = nx + 1
  local wa = steady and 0.012 or 0.03
  -- Contour the tone, not the edges: edges would draw every outline twice.
  local saved_edge_k = edge_k
  edge_k = edge_k * 0.25
  for j = 0, ny do
    for i = 0, nx do
      local x, y = x_lo + i * cs, y_lo + j * cs
      V[j * stride + i + 1] = darkness(x, y) + wa * noise2(x * 14 + hox, y * 14 + hoy)
    end
  end
  edge_k = saved_edge_k
  local n_levels = clamp(floor(26 * density), 4, 80)
  local l0, dl = 0.06, 0.9 / n_levels
  local segs = {{}, {}}
  local px, py = {0, 0, 0, 0}, {0, 0, 0, 0}
  for j = 0, ny - 1 do
    local y0, y1 = y_lo + j * cs, y_lo + (j + 1) * cs
    for i = 0, nx - 1 do
      local a = V[j * stride + i + 1]
      local b = V[j * stride + i + 2]
      local c = V[(j + 1) * stride + i + 2]
      local e = V[(j + 1) * stride + i + 1]
      local mn, mx = min(a, b, c, e), max(a, b, c, e)
      local kmin = max(0, ceil((mn - l0) / dl))
      local kmax = min(n_levels - 1, floor((mx - l0) / dl))
      if kmin <= kmax then
        local x0, x1 = x_lo + i * cs, x_lo + (i + 1) * cs
        for k = kmin, kmax do
          local lev = l0 + k * dl
          local n = 0
          -- Crossings on top (a-b), right (b-c), bottom (e-c), left (a-e), in that order.
          if (a > lev) ~= (b > lev) then
            n = n + 1; px[n] = x0 + (lev - a) / (b - a) * cs; py[n] = y0
          end
          if (b > lev) ~= (c > lev) then
            n = n + 1; px[n] = x1; py[n] = y0 + (lev - b) / (c - b) * cs
          end
          if (e > lev) ~= (c > lev) then
            n = n + 1; px[n] = x0 + (lev - e) / (c - e) * cs; py[n] = y1
          end
          if (a > lev) ~= (e > lev) then
            n = n + 1; px[n] = x0; py[n] = y0 + (lev - a) / (e - a) * cs
          end
          local s = segs[(two_pen and k < n_levels * 0.5) and 2 or 1]
          local q = #s
          if n == 2 then
            s[q + 1], s[q + 2], s[q + 3], s[q + 4] = px[1], py[1], px[2], py[2]
          elseif n == 4 then
            -- Saddle: pair the crossings according to the centre value.
            if ((a + b + c + e) * 0.25 > lev) == (a > lev) then
              s[q + 1], s[q + 2], s[q + 3], s[q + 4] = px[1], py[1], px[2], py[2]
              s[q + 5], s[q + 6], s[q + 7], s[q + 8] = px[3], py[3], px[4], py[4]
            else
              s[q + 1], s[q + 2], s[q + 3], s[q + 4] = px[1], py[1], px[4], py[4]
              s[q + 5], s[q + 6], s[q + 7], s[q + 8] = px[2], py[2], px[3], py[3]
            end
          end
        end
      end
    end
  end
  for p = 1, #PENS do
    local s = segs[p]
    ctx.strokeStyle = PENS[p]
    ctx:beginPath()
    for q = 1, #s, 4 do
      local ax, ay, bx, by = s[q], s[q + 1], s[q + 2], s[q + 3]
      if not steady then
        ax = ax + wob_a * noise2(ax * wob_f + hox, ay * wob_f + hoy)
        ay = ay + wob_a * noise2(ax * wob_f + hoy, ay * wob_f - hox)
        bx = bx + wob_a * noise2(bx * wob_f + hox, by * wob_f + hoy)
        by = by + wob_a * noise2(bx * wob_f + hoy, by * wob_f - hox)
      end
      ctx:moveTo(ax, ay)
      ctx:lineTo(bx, by)
      if q % 20000 == 1 and q > 1 then ctx:stroke() ctx:beginPath() end
    end
    ctx:stroke()
  end
end

local function spiral()
  local sp = 0.0056 / density
  local Rm = min(x_hi - x_lo, y_hi - y_lo) * 0.5
  local step = 0.0012
  local f0, f1 = 20 * TAU, 210 * TAU
  local theta = 2 * TAU             -- start two turns out: no ink blot at the centre
  local phase = 0
  local T = new_tracer()
  local pen = 2
  for _ = 1, 400000 do
    local r = sp * theta / TAU
    if r > Rm then break end
    local x, y = ccx + r * cos(theta), ccy + r * sin(theta)
    local d = darkness(x, y)
    phase = phase + step * (f0 + f1 * d)
    local rr = r + sp * 0.6 * d * sin(phase)
    local px, py = ccx + rr * cos(theta), ccy + rr * sin(theta)
    if not steady then
      px = px + wob_a * 0.5 * noise2(px * wob_f + hox, py * wob_f + hoy)
      py = py + wob_a * 0.5 * noise2(px * wob_f + hoy, py * wob_f - hox)
    end
    pen = pen_for(d, pen)
    tr_point(T, px, py, pen)
    theta = theta + step / r
  end
  tr_end(T)
  tr_draw(T)
end

local run = { waves = waves, hatching = hatching, stipple = stipple, contours = contours, spiral = spiral }
run[technique]()
if technique == "contours" then
  -- Engraver's shading where the tone saturates and contours run out.
  ctx.strokeStyle = PENS[1]
  hatching({ {rand_range(0, pi), 0.9} }, 0.0075)
end
ctx.globalAlpha = 1

return {
  Technique = TECH_NAMES[technique],
  Ink = ink.name,
  Pen = pen,
  Hand = hand,
  Framing = framing,
}
