-- Dial-rule checks and dialplan decisions per second through the Lua binding.
--   LUA_CPATH='build/lua/5.4/?.so;;' lua5.4 bench/microbench.lua SECONDS REPS [DIALPLAN]
-- Prints one JSON object like bench/microbench.c (same rule, number and dialplan).
local sc = require("skypeconnect")
local seconds = tonumber(arg[1]) or 0.5
local reps = tonumber(arg[2]) or 3
local dialplan = arg[3]
local NUMBER = "0044201234567"
local clock = os.clock  -- CPU time: the benchmark is CPU bound and single threaded

local function rate(fn, batch)
  local n, t0 = 0, clock()
  while true do
    for _ = 1, batch do fn() end
    n = n + batch
    local t = clock()
    if t - t0 >= seconds then return n / (t - t0) end
  end
end

local rule = sc.DialRule("00")
assert(rule:check(NUMBER) == NUMBER)
local checks = {}
for i = 1, reps do checks[i] = string.format("%.0f", rate(function() return rule:check(NUMBER) end, 2000)) end
local routes = {}
if dialplan then
  local dp = sc.Dialplan()
  local f = assert(io.open(dialplan)); local xml = f:read("a"); f:close()
  assert(dp:load_string(xml, "dialplan.xml", "public"))
  local fields = sc.CallFields()
  fields:set("destination_number", NUMBER)
  fields:set("caller_id_number", "4930111222")
  assert(assert(dp:route("public", fields)):action_count() == 1)
  for i = 1, reps do routes[i] = string.format("%.0f", rate(function() return dp:route("public", fields) end, 200)) end
end
print(string.format('{"dialrule_checks_per_s":[%s],"dialplan_routes_per_s":[%s]}',
  table.concat(checks, ","), table.concat(routes, ",")))
