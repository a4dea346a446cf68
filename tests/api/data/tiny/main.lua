-- A deliberately cheap generator for the HTTP API tests.
local hue = rand_int(0, 359)
ctx:background(string.format("hsl(%d, 40%%, 85%%)", hue))
for _ = 1, params.discs do
  ctx.fillStyle = string.format("hsla(%d, 60%%, 45%%, 0.8)", (hue + rand_int(90, 270)) % 360)
  ctx:beginPath()
  ctx:arc(rand() * W, rand() * H, 0.03 + rand() * 0.1, 0, 2 * math.pi)
  ctx:fill()
end
return {Hue = hue, Discs = params.discs}
