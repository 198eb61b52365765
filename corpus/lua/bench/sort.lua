-- table.sort with and without a comparator on pseudo-random numbers (own
-- LCG: Lua 5.4 seeds math.random randomly). Usage: lua - [n] < sort.lua (default 400000)
local n = tonumber(arg and arg[1]) or 400000
local seed = 12345
local function rand () seed = (seed * 1103515245 + 12345) % 2147483648; return seed end
local a, b = {}, {}
for i = 1, n do a[i] = rand() % 1000000; b[i] = {key = rand() % 1000, id = i} end
table.sort(a)
table.sort(b, function (x, y) if x.key ~= y.key then return x.key < y.key end return x.id < y.id end)
local sum = 0
for i = 1, n, 97 do sum = (sum + a[i] * i + b[i].id) % 1000000007 end
print(string.format("min %d max %d median %d checksum %d", a[1], a[n], a[n // 2], sum))
