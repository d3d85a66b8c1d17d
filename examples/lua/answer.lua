-- Answer inbound calls from the trunk.
-- usage: lua5.3 answer.lua [GATEWAY_XML GATEWAY_NAME]
-- Without a file, the built-in loopback trunk registers us and places one call.
local sc = require "skypeconnect"
local SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"

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

local s = sc.Session()
assert(s:add_gateway(gw))
local answered = 0
s:on_event(function(ev)
  if ev.type == sc.EVENT_GATEWAY_STATE and ev.state == sc.REG_REGED and trunk then
    assert(trunk:place_call("alice", "+4930123456"))
  elseif ev.type == sc.EVENT_INCOMING_CALL then
    print(string.format("incoming call %d from %s to %s", ev.call_id, ev.call:caller_number(), ev.call:destination()))
    assert(ev.call:answer(SDP))
  elseif ev.type == sc.EVENT_CALL_STATE then
    print(string.format("call %d: %s", ev.call_id, ev.call_state_name))
    if ev.call_state == sc.CALL_ANSWERED then
      answered = answered + 1
      if trunk then ev.call:hangup() end
    end
  end
end)
assert(s:start())
local deadline = os.time() + (trunk and 10 or 3600)
while os.time() < deadline and not (trunk and answered > 0) do s:dispatch(200) end
print(string.format("answered %d call(s)", answered))
s:close()
