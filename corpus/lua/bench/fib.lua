-- Recursive Fibonacci: function calls. Usage: lua - [n] < fib.lua (default n=37)
local n = tonumber(arg and arg[1]) or 37
local function fib (k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end
print(string.format("fib(%d) = %d", n, fib(n)))
