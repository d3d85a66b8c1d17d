-- The policy-only Lua module (require "skypeconnect_policy", on
-- libskypeconnect-policy.so.0): the same policy tests as the full module,
-- what a FreeSWITCH script needs around them, and no SIP stack in the
-- process. Run by ctest with LUA_CPATH pointing at the build tree's modules.
local sc = require "skypeconnect_policy"
local h = dofile((arg and arg[0] and arg[0]:match("^(.*/)") or "./") .. "harness.lua")
local test, eq = h.test, h.eq

-- the libraries mapped into this process whose path matches one of the patterns
local function mapped(patterns)
  local f = io.open("/proc/self/maps")
  if not f then return nil end
  local found = {}
  for line in f:lines() do
    for _, p in ipairs(patterns) do
      if line:find(p) then found[line:match("(/%S+)$") or line] = true end
    end
  end
  f:close()
  local list = {}
  for k in pairs(found) do list[#list + 1] = k end
  table.sort(list)
  return list
end

test("no Sofia-SIP, OpenSSL or GStreamer in the process", function()
  local bad = mapped({ "sofia", "libssl", "libcrypto", "gst" })
  if not bad then return end   -- no /proc
  eq(#bad, 0, "mapped: " .. table.concat(bad, ", "))
  local own = mapped({ "libskypeconnect%-policy%.so" })
  eq(#own, 1, "libskypeconnect-policy.so mapped")
  eq(#mapped({ "libskypeconnect%.so" }), 0, "libskypeconnect.so mapped")
end)

test("policy API only: no Session, Call, Trunk or Event", function()
  for _, name in ipairs({ "Session", "Call", "Trunk", "Event", "open", "session_new", "set_sip_trace" }) do
    eq(sc[name], nil, "sc." .. name)
  end
  for _, name in ipairs({ "Policy", "policy", "Gateway", "Config", "DialRule", "Dialplan",
                          "policy_registered_count", "policy_from_gateway", "policy_get" }) do
    assert(sc[name] ~= nil, "sc." .. name .. " missing")
  end
end)

test("version, strerror and the status constants", function()
  eq(sc.version(), sc.VERSION_STRING)
  assert(#sc.strerror(sc.EREFUSED) > 0)
  eq(sc.status_name(sc.ECHANNELS), "SC_ECHANNELS")
  eq(sc.dial_refusal_name(sc.DIAL_EMERGENCY), "emergency")
end)

test("the gateway XML through Config, as the policy reads it", function()
  local cfg = sc.Config()
  assert(cfg:load_string([[<gateway name="cfgpol"><param name="register" value="false"/>
<param name="proxy" value="127.0.0.1:5999"/><param name="dial-prefix" value="00"/></gateway>]]))
  eq(cfg:gateway_count(), 1)
  eq(cfg:gateway("cfgpol"):get("dial-prefix"), "00")
end)

dofile(h.here .. "policy_cases.lua")(sc, test, eq)

test("error messages speak Lua", function()
  local ok, e = pcall(sc.policy, {}, "x")
  assert(not ok)
  assert(tostring(e):find("bad argument #1 to 'policy' (string expected, got table)", 1, true), e)
  local gw = sc.Gateway("luaerr")
  assert(gw:set("register", "false")); assert(gw:set("proxy", "127.0.0.1:5999"))
  local p = assert(sc.policy_from_gateway(gw))
  ok, e = pcall(p.check, p, {})
  assert(not ok)
  assert(tostring(e):find("bad argument #1 to 'Policy:check'", 1, true), e)
  p:close()
end)

-- One lua_State takes one of the two modules (SWIG keeps classes in the
-- state's registry by name): the full one is refused here, with the reason.
test("the full module is refused in the same lua_State", function()
  local ok, err = pcall(require, "skypeconnect")
  eq(ok, false)
  assert(tostring(err):find("has 'skypeconnect_policy' already", 1, true), err)
  eq(sc.policy_registered_count(), 0)
end)

h.finish()
