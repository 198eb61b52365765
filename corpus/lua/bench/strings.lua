-- String building, gsub, find, format: the string library and the GC.
-- Usage: lua - [rounds] < strings.lua (default 600)
local rounds = tonumber(arg and arg[1]) or 600
local words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
local total, hash = 0, 0
for r = 1, rounds do
  local parts = {}
  for i = 1, 2000 do
    parts[#parts + 1] = string.format("%s-%d:%s", words[(i + r) % #words + 1], i * r, words[(i * 3) % #words + 1])
  end
  local s = table.concat(parts, " ")
  local t, n = s:gsub("(%a+)%-(%d+)", function (w, d) return w:upper() .. "=" .. (#d) end)
  total = total + n
  for w in t:gmatch("%u+=%d") do hash = (hash * 31 + #w + w:byte(1)) % 1000000007 end
  local rev = t:sub(1, 400):reverse():lower()
  hash = (hash + #rev + (rev:find("ateb", 1, true) or 0)) % 1000000007
end
print(string.format("replacements %d hash %d", total, hash))
