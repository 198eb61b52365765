-- Coroutines and errors caught by pcall: needs real non-local exits, so it
-- runs on lua-asyncify.wasm (and native lua), not on lua.wasm.
-- Usage: lua - [n] < coroutines.lua (default 8000000)
local n = tonumber(arg and arg[1]) or 8000000
local gen = coroutine.wrap(function () local a, b = 0, 1 for _ = 1, n do coroutine.yield(a % 1000003); a, b = b, (a + b) % 1000003 end end)
local sum = 0
for _ = 1, n do sum = (sum + gen()) % 1000000007 end
local caught = 0
for i = 1, n // 10 do
  local ok, err = pcall(function () if i % 3 == 0 then error({code = i}) end return i end)
  if not ok then caught = caught + err.code % 7 end
end
local ok, msg = pcall(function () local t = nil; return t.x end)
print(string.format("sum %d caught %d; %s %s", sum, caught, tostring(ok), msg))
