-- Floating point and integer loops: a Mandelbrot set (+, *, compare only,
-- so the result is exact on every IEEE double machine) and an integer sieve.
-- Usage: lua - [size] < numeric.lua (default 1100)
local size = tonumber(arg and arg[1]) or 1100
local inside, iters = 0, 0
for y = 0, size - 1 do
  local ci = 2.0 * y / size - 1.0
  for x = 0, size - 1 do
    local cr = 2.5 * x / size - 2.0
    local zr, zi, k = 0.0, 0.0, 0
    while k < 100 and zr * zr + zi * zi <= 4.0 do
      zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
      k = k + 1
    end
    iters = iters + k
    if k == 100 then inside = inside + 1 end
  end
end
local limit, sieve, primes = size * 2000, {}, 0
for i = 2, limit do
  if not sieve[i] then primes = primes + 1; for j = i * i, limit, i do sieve[j] = true end end
end
print(string.format("mandelbrot %dx%d: %d inside, %d iterations; primes below %d: %d", size, size, inside, iters, limit, primes))
