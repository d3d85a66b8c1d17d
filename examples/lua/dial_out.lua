-- Dial a number out through a gateway; a refused number gives nil, message, code.
-- usage: lua5.3 dial_out.lua NUMBER [GATEWAY_XML GATEWAY_NAME]
-- Without a file it dials through the built-in loopback trunk (dial-prefix 00).
local sc = require "skypeconnect"

local number = arg[1] or "0044201234561"
local trunk, gw
if arg[2] then
  local cfg = sc.Config()
  assert(cfg:load_file(arg[2]))
  gw = assert(cfg:gateway(arg[3] or "skype"))
else
  trunk = sc.Trunk("127.0.0.1:0", "alice", "secret")
  gw = sc.Gateway("skype")
  for k, v in pairs({ proxy = trunk:address(), username = "alice", password = "secret", ["dial-prefix"] = "00",
                      ["emergency-country"] = "GB" }) do assert(gw:set(k, v)) end
end

local s = sc.Session()
assert(s:add_gateway(gw))
assert(s:start())
assert(s:wait_state(gw:name(), { sc.REG_REGED, sc.REG_NOREG }, 10000))

local call, err, code, refusal = s:dial(gw:name(), number)
if not call then
  print(string.format("refused (%s): %s", refusal or sc.status_name(code), err))
else
  for _ = 1, 75 do
    local st = call:state()
    if st == sc.CALL_ANSWERED or st == sc.CALL_ENDED then break end
    s:wait_event(200)
  end
  print(string.format("call %d: %s %s", call:id(), sc.call_state_name(call:state()), call:cause()))
  call:hangup()
end
s:close()
