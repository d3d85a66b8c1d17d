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
local done = false
s:on_event(function(ev)
  if ev.type == sc.EVENT_GATEWAY_STATE then
    print(string.format("%-10s %s -> %s (%s) %s", ev.gateway, ev.prev_state_name, ev.state_name,
                        ev.status_name, ev.sip_code > 0 and (ev.sip_code .. " " .. ev.phrase) or ""))
    done = ev.state == sc.REG_REGED or ev.state == sc.REG_NOREG
  end
end)
assert(s:start())
local deadline = os.time() + 10
while not done and os.time() < deadline do s:dispatch(200) end
print(done and "registered" or "not registered")
s:close()
