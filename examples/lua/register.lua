-- Register a gateway and print its state changes.
-- usage: lua5.3 register.lua [GATEWAY_XML GATEWAY_NAME]
-- Without a file it registers against the built-in loopback trunk.
local sc = require "skypeconnect"

local trunk, gw
if arg[1] then
  local cfg = sc.Config()
  assert(cfg:load_file(arg[1]))
  gw = assert(cfg:gateway(arg[2] or "skype"))
else
  trunk = sc.Trunk("127.0.0.1:0", "alice", "secret")
  gw = sc.Gateway("skype")
  assert(gw:set("proxy", trunk:address()))
  assert(gw:set("username", "alice")); assert(gw:set("password", "secret"))
end

local s = sc.Session("127.0.0.1:0")       -- Lua sessions always queue their events
assert(s:add_gateway(gw))
s:on_event(function(ev)
  if ev.type == sc.EVENT_GATEWAY_STATE then
    print(string.format("%-10s %s -> %s (%s) %s", ev.gateway, ev.prev_state_name, ev.state_name,
                        ev.status_name, ev.sip_code > 0 and (ev.sip_code .. " " .. ev.phrase) or ""))
  end
end)
assert(s:start())
-- wait_state passes the events it reads to on_event; it fails at once when
-- the gateway fails (reason "auth" for a wrong password)
local ev, err, code, reason = s:wait_state(gw:name(), { sc.REG_REGED, sc.REG_NOREG }, 10000)
print(ev and "registered" or ("not registered: " .. err))
s:close()
if trunk then trunk:close() end
