-- Lua binding tests (Lua 5.2, 5.3, 5.4, LuaJIT): the whole API over loopback.
-- Run by ctest with LUA_CPATH pointing at the build tree's module and
-- SC_LIBRARY at libskypeconnect.so. Prints "N passed, N failed".
local sc = require "skypeconnect"

local h = dofile((arg and arg[0] and arg[0]:match("^(.*/)") or "./") .. "harness.lua")
local test, eq = h.test, h.eq
local unpack = table.unpack or unpack

local function is_int(v, what)
  if math.type then
    if math.type(v) ~= "integer" then error((what or "value") .. " is not an integer: " .. tostring(v), 2) end
  elseif type(v) ~= "number" or v % 1 ~= 0 then
    error((what or "value") .. " is not a whole number", 2)
  end
end

local function now() return os.clock() end

local function closed_port()
  -- bind a session, read its port, close it: nobody listens there afterwards
  local s = sc.Session("127.0.0.1:0")
  assert(s:start())
  local port = s:local_port()
  s:close()
  return port
end

local function noreg_gateway(name, extra)
  local gw = sc.Gateway(name)
  assert(gw:set("register", "false"))
  assert(gw:set("proxy", "127.0.0.1:" .. closed_port()))
  for k, v in pairs(extra or {}) do assert(gw:set(k, v)) end
  return gw
end

-- waits (dispatching) until pred(ev) for an event seen by the session's callback
local function wait_until(s, seen, pred, timeout_ms)
  local deadline = os.time() + math.ceil(timeout_ms / 1000) + 1
  local i = 1
  while os.time() <= deadline do
    s:dispatch(100)
    while seen[i] do
      if pred(seen[i]) then return seen[i] end
      i = i + 1
    end
  end
  return nil
end

local SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"

test("every exported sc_* function is bound", function()
  local lib = os.getenv("SC_LIBRARY")
  if not lib then print("  (skipped: SC_LIBRARY not set)") return end
  local p = assert(io.popen("nm -D --defined-only " .. lib))
  local missing, n = {}, 0
  for line in p:lines() do
    local name = line:match("%s[TW]%s+sc_([%w_]+)")
    if name then
      n = n + 1
      if type(sc[name]) ~= "function" then missing[#missing + 1] = "sc_" .. name end
    end
  end
  p:close()
  assert(n > 100, "too few symbols read from " .. lib)
  if #missing > 0 then error("C functions without a Lua binding: " .. table.concat(missing, ", ")) end
end)

test("constants, integers, version", function()
  eq(sc.version(), sc.VERSION_STRING, "version")
  is_int(sc.REG_REGED, "REG_REGED")
  eq(sc.REG_REGED, 3)
  eq(sc.EREFUSED, -12)
  eq(sc.reg_state_name(sc.REG_FAIL_WAIT), "FAIL_WAIT")
  eq(sc.status_name(sc.EINVAL), "SC_EINVAL")
  is_int(sc.gateway_param_count(), "param count")
  eq(sc.sip_cause(404), "UNALLOCATED_NUMBER")
end)

test("gateway and errors as nil, message, code", function()
  local gw = sc.Gateway("skype")
  eq(gw:name(), "skype")
  assert(gw:set("dial-prefix", "00"))
  eq(gw:get("dial-prefix"), "00")
  local ok, msg, code = gw:set("no-such", "1")
  eq(ok, nil, "ok")
  assert(msg:find("no-such", 1, true), msg)
  eq(code, sc.ENOTFOUND, "code")
  is_int(code, "code")
  ok, msg, code = gw:set("retry-seconds", "abc")
  eq(code, sc.EINVAL)
  local ok2, err = pcall(sc.Gateway, "bad name!")
  assert(not ok2 and tostring(err):find("bad name"), tostring(err))
  local cp = gw:copy()
  eq(cp:get("dial-prefix"), "00")
  ok, msg, code = sc.Gateway("nopass"):validate()
  eq(code, sc.ECONFIG)   -- register=true needs username and password
end)

test("udp receive buffer: a size out of range is refused, naming it", function()
  local s = sc.Session()
  local ok, msg, code = s:set_udp_receive_buffer(1000)
  eq(ok, nil, "ok")
  assert(msg:find("bytes 1000 is out of range", 1, true), msg)
  eq(code, sc.EINVAL, "code")
  assert(s:set_udp_receive_buffer(512 * 1024))
  assert(s:set_udp_receive_buffer(0))
  s:close()
end)

test("config from XML with diagnostics", function()
  local cfg = sc.Config()
  assert(cfg:load_string('<gateway name="a"><param name="register" value="false"/>' ..
                         '<param name="proxy" value="127.0.0.1"/></gateway>'))
  eq(cfg:gateway_count(), 1)
  eq(cfg:gateway("a"):get("proxy"), "127.0.0.1")
  eq(cfg:gateway("zz"), nil)
  local bad = sc.Config()
  local ok, msg, code = bad:load_string('<gateway name="x">\n<param name="retry-seconds" value="abc"/></gateway>', "gw.xml")
  eq(ok, nil)
  eq(code, sc.ECONFIG)
  local d = bad:diagnostics()
  assert(#d >= 1 and d[1]:find("gw.xml:2"), d[1])
end)

test("dial rules: check returns dial or nil, msg, code, refusal", function()
  local r = sc.DialRule("00")
  assert(r:set_emergency_country("GB"))
  eq(r:check("0044201234567"), "0044201234567")
  local dial, msg, code, refusal = r:check("00999")
  eq(dial, nil)
  eq(code, sc.EREFUSED)
  eq(refusal, "emergency")
  dial, msg, code, refusal = r:check("4412")
  eq(refusal, "no_match")
  assert(msg:find("00"), msg)
  eq(sc.dialrule_last_refusal(), sc.DIAL_NO_MATCH)
  local p = sc.DialRule("^9(\\d+)$", "+$1")
  eq(p:check("9441234"), "+441234")
  eq(p:is_emergency("112"), 1)
  assert(not pcall(sc.DialRule, ""))
end)

-- the policy's tests, shared with test_policy_module.lua
dofile(h.here .. "policy_cases.lua")(sc, test, eq)

test("dialplan routes through the same engine", function()
  local dp = sc.Dialplan()
  assert(dp:load_string([[<include><extension name="skype_out">
  <condition field="destination_number" expression="^(00\d+)$">
    <action application="bridge" data="sofia/gateway/skype/$1"/>
  </condition></extension></include>]], "01_skype.xml", "public"))
  eq(dp:has_context("public"), 1)
  local r = assert(dp:route("public", { destination_number = "0044123" }))
  local acts = r:actions()
  eq(#acts, 1)
  eq(acts[1].app, "bridge")
  eq(acts[1].data, "sofia/gateway/skype/0044123")
  local f = sc.CallFields()
  assert(f:set("destination_number", "123"))
  eq(assert(dp:route("public", f)):action_count(), 0)
  local none, msg, code = dp:route("nope", {})
  eq(code, sc.ENOTFOUND)
end)

test("session events from the queue: unreachable gateway", function()
  local s = sc.Session("127.0.0.1:0")
  local gw = sc.Gateway("trunk")
  assert(gw:set("proxy", "127.0.0.1:" .. closed_port()))
  assert(gw:set("username", "alice")); assert(gw:set("password", "Pw-never-shown-42"))
  assert(s:add_gateway(gw))
  local seen = {}
  s:on_event(function(ev) seen[#seen + 1] = ev end)
  assert(s:start())
  eq(s:is_running(), 1)
  local ev = wait_until(s, seen, function(e) return e.state == sc.REG_FAIL_WAIT end, 10000)
  assert(ev, "no FAIL_WAIT")
  is_int(ev.state, "state"); is_int(ev.next_retry, "next_retry")
  eq(ev.state_name, "FAIL_WAIT")
  eq(ev.reason_name, "network")
  assert(not ev.json:find("Pw%-never"))
  local states = {}
  for _, e in ipairs(seen) do states[e.state_name or "?"] = true end
  assert(states.TRYING and states.FAILED, "TRYING/FAILED missing")
  eq(s:gateway_state("trunk"), sc.REG_FAIL_WAIT)
  local none, msg, code = s:gateway_state("nope")
  eq(code, sc.ENOTFOUND)
  eq(s:gateway_names()[1], "trunk")
  -- drain: an event with the calls in progress; bad values refused
  assert(s:set_draining(1))
  eq(s:is_draining(), 1)
  local d = wait_until(s, seen, function(e) return e.type == sc.EVENT_DRAIN end, 3000)
  assert(d, "no DRAIN event")
  eq(d.draining, true); eq(d.drain_calls, 0)
  local bad, bmsg, bcode = s:set_draining(7)
  eq(bcode, sc.EINVAL)
  assert(s:set_draining(0))
  eq(s:is_draining(), 0)
  assert(s:stop(1000))
  local late, lmsg, lcode = s:set_draining(1)
  eq(lcode, sc.ESTATE)
  s:close()
end)

test("an error in a callback is re-raised by dispatch; later events stay queued", function()
  local s = sc.Session()
  for i = 1, 3 do assert(s:add_gateway(noreg_gateway("e" .. i))) end
  local n = 0
  s:on_event(function(ev) n = n + 1; error("boom in callback") end)
  assert(s:start())
  local ok, err
  for _ = 1, 30 do
    ok, err = pcall(s.dispatch, s, 100)
    if not ok then break end
  end
  assert(not ok, "dispatch did not raise")
  assert(tostring(err):find("boom in callback"), tostring(err))
  eq(n, 1, "callbacks run")
  s:on_event(nil)
  local ev = s:wait_event(1000)
  assert(ev and ev.type == sc.EVENT_GATEWAY_STATE, "the next event is still queued")
  s:close()
end)

test("callback references are released (weak table), and on gc", function()
  local weak = setmetatable({}, { __mode = "v" })
  do
    local s = sc.Session()
    local fn = function() end
    weak.fn = fn
    s:on_event(fn)
    s:on_event(nil)
    fn = nil
  end
  collectgarbage(); collectgarbage()
  eq(weak.fn, nil, "callback still referenced")
  do
    local s = sc.Session()
    s:on_event(function() return s end)   -- captures its own session: ephemeron on 5.2+
    weak.s = s
  end
  collectgarbage(); collectgarbage()
  if _VERSION ~= "Lua 5.1" then eq(weak.s, nil, "session kept alive by its callback") end
end)

test("garbage collection with events still queued", function()
  for round = 1, 3 do
    local s = sc.Session()
    for i = 1, 5 do s:add_gateway(noreg_gateway("g" .. round .. i)) end
    s:on_event(function() end)
    assert(s:start())
    local t = now(); while now() - t < 0.05 do end
    s = nil
    collectgarbage(); collectgarbage()
  end
end)

test("closing a session from inside its own callback", function()
  local s = sc.Session()
  for i = 1, 3 do s:add_gateway(noreg_gateway("c" .. i)) end
  local calls = 0
  s:on_event(function(ev) calls = calls + 1; s:close() end)
  assert(s:start())
  local n = 0
  for _ = 1, 20 do
    local r = s:dispatch(100)
    if type(r) ~= "number" then break end
    n = n + r
    if calls > 0 then break end
  end
  eq(calls, 1)
  local ok, msg, code = s:start()
  eq(ok, nil); eq(code, sc.ECLOSED)
  assert(msg:find("Session:start", 1, true), msg)
end)

test("flat API with its own callback and dispatch", function()
  local s = sc.session_new()
  assert(sc.session_set_dispatch(s, sc.DISPATCH_QUEUE))
  local types = {}
  assert(sc.session_set_event_cb(s, function(ev) types[#types + 1] = ev.type_name end))
  assert(sc.session_start(s))
  assert(sc.session_add_gateway(s, noreg_gateway("flat")))
  for _ = 1, 20 do sc.session_dispatch(s, 100); if #types > 0 then break end end
  eq(types[1], "gateway_state")
  assert(sc.session_set_event_cb(s, nil))
  local ev = sc.session_next_event(s, 0)
  eq(ev, nil)
  sc.session_free(s)
end)

test("dispatch from inside a coroutine", function()
  local s = sc.Session()
  s:add_gateway(noreg_gateway("co"))
  local got
  s:on_event(function(ev) got = ev.state_name end)
  assert(s:start())
  local co = coroutine.create(function()
    for _ = 1, 20 do s:dispatch(100); if got then return end; coroutine.yield() end
  end)
  while coroutine.status(co) ~= "dead" do assert(coroutine.resume(co)) end
  eq(got, "NOREG")
  s:close()
end)

-- a takes b as its trunk ("trunk"); b dials a through "out" (prefix 00).
-- out_params: more parameters of "out".
local function loopback_gateways(a, b, out_params)
  local ga = sc.Gateway("trunk")
  assert(ga:set("register", "false")); assert(ga:set("proxy", "127.0.0.1:" .. b:local_port()))
  local gb = sc.Gateway("out")
  assert(gb:set("register", "false")); assert(gb:set("proxy", "127.0.0.1:" .. a:local_port()))
  assert(gb:set("dial-prefix", "00"))
  for k, v in pairs(out_params or {}) do assert(gb:set(k, v)) end
  assert(a:add_gateway(ga)); assert(b:add_gateway(gb))
end

-- b dials a with media (a answers in its on_event); returns b's call once both sides' media is up.
local function dial_media_up(a, sa, b, sb)
  assert(wait_until(b, sb, function(e) return e.state == sc.REG_NOREG end, 5000))
  local call = assert(b:dial_media("out", "0044201234567"))
  -- a answers inside its own dispatch (queue mode), then both sides' media is up
  assert(wait_until(a, sa, function(e) return e.type == sc.EVENT_MEDIA_STATE and e.media_state == "up" end, 5000))
  assert(wait_until(b, sb, function(e) return e.type == sc.EVENT_MEDIA_STATE and e.media_state == "up" end, 5000))
  return call
end

test("two sessions: inbound call, answer, hangup, call states", function()
  local a, b = sc.Session(), sc.Session()
  assert(a:start()); assert(b:start())
  loopback_gateways(a, b)
  local sa, sb = {}, {}
  a:on_event(function(ev)
    sa[#sa + 1] = ev
    if ev.type == sc.EVENT_INCOMING_CALL then assert(ev.call:answer(SDP)) end
  end)
  b:on_event(function(ev) sb[#sb + 1] = ev end)
  assert(wait_until(b, sb, function(e) return e.state == sc.REG_NOREG end, 5000))
  local refused, msg, code = b:dial("out", "00112")
  eq(refused, nil); eq(code, sc.EREFUSED)
  assert(msg:find("emergency"), msg)
  local call = assert(b:dial("out", "0044201234567", "+441234", "Bob", SDP))
  eq(call:direction(), sc.CALL_OUTBOUND)
  local answered
  for _ = 1, 100 do
    a:dispatch(20); b:dispatch(20)
    if call:state() == sc.CALL_ANSWERED then answered = true break end
  end
  assert(answered, "not answered")
  local inc
  for _, e in ipairs(sa) do if e.type == sc.EVENT_INCOMING_CALL then inc = e end end
  assert(inc, "no incoming_call event")
  eq(inc.call:destination(), "0044201234567")
  eq(inc.call:caller_number(), "+441234")
  eq(inc.call:gateway(), "trunk")
  is_int(inc.call_id, "call_id")
  assert(call:hangup())
  -- posted from this thread: its outcome is a call_control event
  local ctl = wait_until(b, sb, function(e)
    return e.type == sc.EVENT_CALL_CONTROL and e.control == "sc_call_hangup" end, 5000)
  assert(ctl, "no call_control event")
  eq(ctl.result, 0)
  local ended = wait_until(a, sa, function(e) return e.call_state == sc.CALL_ENDED end, 5000)
  assert(ended, "no ended event")
  eq(ended.call_state_name, "ended")
  eq(inc.call:cause(), "NORMAL_CLEARING")
  -- an ended call (and one without the library's media) has no media statistics
  local none, why, scode = call:media_stats()
  eq(none, nil); eq(scode, sc.ESTATE); assert(why:find("ended"), why)
  a:close(); b:close()
end)

test("media: a tone recorded, DTMF 159# by RFC 4733 through dispatch", function()
  if sc.media_supported() ~= 1 then print("  (skipped: no media)") return end
  local a, b = sc.Session(), sc.Session()
  assert(a:set_media()); assert(b:set_media())
  assert(a:start()); assert(b:start())
  loopback_gateways(a, b)
  local sa, sb = {}, {}
  local rec = os.tmpname()
  a:on_event(function(ev)
    sa[#sa + 1] = ev
    if ev.type == sc.EVENT_INCOMING_CALL then assert(ev.call:answer_media()) end
    if ev.type == sc.EVENT_MEDIA_STATE and ev.media_state == "up" then assert(ev.call:record(rec)) end
  end)
  b:on_event(function(ev) sb[#sb + 1] = ev end)
  local call = dial_media_up(a, sa, b, sb)
  assert(call:play_tone(1000, 600))
  assert(wait_until(b, sb, function(e) return e.media_state == "play_done" end, 5000), "no play_done")
  local _, err, code = call:play("/nonexistent/greeting.wav")
  eq(code, sc.EIO); assert(err:find("greeting.wav"), err)
  assert(call:send_dtmf("159#"))
  local digits = {}
  assert(wait_until(a, sa, function(e)
    if e.type == sc.EVENT_DTMF then eq(e.method, "rfc4733"); digits[#digits + 1] = e.digit end
    return #digits == 4
  end, 8000), "digits: " .. table.concat(digits))
  eq(table.concat(digits), "159#")
  -- sc_call_media_stats() as a table
  local st = assert(call:media_stats())
  assert(st.packets_sent > 25, "packets_sent " .. st.packets_sent)
  is_int(st.packets_lost, "packets_lost")
  eq(st.codec, "PCMU/8000")
  assert(st["local"]:find("^127%.0%.0%.1:%d+$"), st["local"])
  assert(st.remote:find("^127%.0%.0%.1:%d+$"), st.remote)
  assert(type(st.jitter_ms) == "number")
  assert(call:hangup())
  assert(wait_until(a, sa, function(e) return e.call_state == sc.CALL_ENDED end, 5000))
  local f = assert(io.open(rec, "rb"))
  local data = f:read("*a")
  f:close(); os.remove(rec)
  -- 44-byte header, 16-bit samples at 8 kHz: at least the 0.6 s tone
  assert(#data >= 44 + 0.6 * 16000, "recording of " .. #data .. " bytes")
  if string.unpack then
    -- the tone's frequency from its zero crossings, over the loud part
    local crossings, loud, first, last, prev = 0, 0, nil, nil, 0
    for pos = 45, #data - 1, 2 do
      local v = string.unpack("<i2", data, pos)
      if math.abs(v) > 300 then
        loud = loud + 1
        first = first or pos
        last = pos
      end
      if v ~= 0 then
        if prev ~= 0 and (v > 0) ~= (prev > 0) then crossings = crossings + 1 end
        prev = v
      end
    end
    local hz = first and crossings / 2 / ((last - first) / 2 / 8000) or 0
    assert(loud > 0.4 * 8000 and hz > 900 and hz < 1100, ("%d loud samples, about %.0f Hz"):format(loud, hz))
  end
  a:close(); b:close()
end)

test("media: DTMF by SIP INFO (no telephone-event) arrives through dispatch, method info", function()
  if sc.media_supported() ~= 1 then print("  (skipped: no media)") return end
  local a, b = sc.Session(), sc.Session()
  assert(a:set_media()); assert(b:set_media())
  assert(a:start()); assert(b:start())
  loopback_gateways(a, b, { ["dtmf-type"] = "info" })
  -- a bad media value is refused when set, naming it
  local bad, why = sc.Gateway("x"):set("rtp-start-port", "70000")
  eq(bad, nil); assert(why:find("70000"), why)
  local sa, sb = {}, {}
  a:on_event(function(ev)
    sa[#sa + 1] = ev
    if ev.type == sc.EVENT_INCOMING_CALL then assert(ev.call:answer_media()) end
  end)
  b:on_event(function(ev) sb[#sb + 1] = ev end)
  local call = dial_media_up(a, sa, b, sb)
  assert(call:send_dtmf("7*0"))
  local digits = {}
  assert(wait_until(a, sa, function(e)
    if e.type == sc.EVENT_DTMF then eq(e.method, "info"); digits[#digits + 1] = e.digit end
    return #digits == 3
  end, 8000), "digits: " .. table.concat(digits))
  eq(table.concat(digits), "7*0")
  assert(call:hangup())
  assert(wait_until(a, sa, function(e) return e.call_state == sc.CALL_ENDED end, 5000))
  a:close(); b:close()
end)

test("a NUL inside a string raises an error; nothing is cut short", function()
  local s = assert(sc.open("127.0.0.1:0"))
  assert(s:add_gateway(noreg_gateway("nul", { ["dial-prefix"] = "00" })))
  assert(s:start())
  local ok, err = pcall(s.dial, s, "nul", "0044123\000999")
  assert(not ok, "dial with a NUL was accepted")
  assert(tostring(err):find("NUL"), err)
  eq(s:call_count(), 0)
  ok, err = pcall(sc.DialRule("00").check, sc.DialRule("00"), "0044\000112")
  assert(not ok and tostring(err):find("NUL"), err)
  ok, err = pcall(sc.Config().load_file, sc.Config(), "/etc/hostname\000.xml")
  assert(not ok and tostring(err):find("NUL"), err)
  ok, err = pcall(sc.gateway_new, "a\000b")
  assert(not ok and tostring(err):find("NUL"), err)
  local dp = sc.Dialplan()
  assert(dp:load_string('<include><context name="c"><extension name="e"><condition field="destination_number" expression="^(\\d+)$"><action application="hangup" data="NORMAL_CLEARING"/></condition></extension></context></include>'))
  ok, err = pcall(dp.route, dp, "c", { destination_number = "00\000112" })
  assert(not ok and tostring(err):find("NUL"), err)
  s:close()
end)

test("callback setters refuse what is not a function", function()
  for _, bad in ipairs({ 5, "print", {}, true }) do
    assert(not pcall(sc.set_log_cb, sc.LOG_WARNING, bad), "set_log_cb took a " .. type(bad))
    local s = assert(sc.open())
    assert(not pcall(s.on_event, s, bad), "on_event took a " .. type(bad))
    s:close()
    local f = sc.session_new()
    assert(not pcall(sc.session_set_event_cb, f, bad), "session_set_event_cb took a " .. type(bad))
    sc.session_free(f)
  end
end)

test("list_calls: the live calls", function()
  local t = sc.Trunk("127.0.0.1:0", "alice", "pw")
  assert(t:set_ring_seconds(60))
  local s = assert(sc.open("127.0.0.1:0"))
  local gw = sc.Gateway("loop")
  for k, v in pairs({ proxy = t:address(), username = "alice", password = "pw", register = "false",
                      ["dial-prefix"] = "00" }) do assert(gw:set(k, v)) end
  assert(s:add_gateway(gw))
  assert(s:start())
  eq(#s:list_calls(), 0)
  local a = assert(s:dial("loop", "0044111", nil, nil, SDP))
  local b = assert(s:dial("loop", "0044222", nil, nil, SDP))
  local list = s:list_calls()
  eq(#list, 2)
  eq(list[1]:id(), a:id()); eq(list[2]:id(), b:id())
  eq(list[2]:destination(), "0044222")
  s:close()
  t = nil
  collectgarbage()
end)

local function loop_gateway(t, password, extra)
  local gw = sc.Gateway("trunk")
  for k, v in pairs({ proxy = t:address(), username = "user", password = password, ["retry-seconds"] = "60" }) do
    assert(gw:set(k, v))
  end
  for k, v in pairs(extra or {}) do assert(gw:set(k, v)) end
  return gw
end

test("wait_state: the state, a failure at once, a timeout", function()
  local t = sc.Trunk("127.0.0.1:0", "user", "right")
  local s = sc.Session("127.0.0.1:0")
  local seen = 0
  s:on_event(function() seen = seen + 1 end)
  assert(s:add_gateway(loop_gateway(t, "wrong")))
  assert(s:start())
  local started = os.time()
  local ev, msg, code, reason, fev = s:wait_state("trunk", sc.REG_REGED, 20000)
  eq(ev, nil); eq(code, sc.ESIP); eq(reason, "auth")
  assert(msg:find("gateway 'trunk' failed", 1, true), msg)
  eq(fev.state, sc.REG_FAILED)
  assert(os.time() - started < 10, "wait_state waited for the timeout")
  assert(seen > 0, "on_event did not see the events consumed")
  s:close()
  s = sc.Session("127.0.0.1:0")
  assert(s:add_gateway(loop_gateway(t, "right")))
  assert(s:start())
  ev = assert(s:wait_state("trunk", { sc.REG_NOREG, sc.REG_REGED }, 10000))
  eq(ev.state, sc.REG_REGED); eq(ev.gateway, "trunk")
  t:set_fault(sc.TRUNK_FAULT_SILENT)
  ev, msg, code = s:wait_state("trunk", sc.REG_DOWN, 200)
  eq(ev, nil); eq(code, sc.ETIMEOUT)
  local ok, err = pcall(s.wait_state, s, "trunk", "REGED")
  assert(not ok and tostring(err):find("bad argument #2 to 'Session:wait_state'", 1, true), tostring(err))
  s:close(); t:close()
end)

test("dial gives the refusal as a fourth value", function()
  local t = sc.Trunk("127.0.0.1:0", "user", "pw")
  local s = sc.Session("127.0.0.1:0")
  assert(s:add_gateway(loop_gateway(t, "pw", { register = "false", ["dial-prefix"] = "00", ["emergency-country"] = "FR" })))
  assert(s:start())
  local call, msg, code, refusal = s:dial("trunk", "0017")
  eq(call, nil); eq(code, sc.EREFUSED); eq(refusal, "emergency")
  call, msg, code, refusal = s:dial("trunk", "12345")
  eq(refusal, "no_match")
  call, msg, code, refusal = s:dial("nosuch", "0044")
  eq(code, sc.ENOTFOUND); eq(refusal, nil)
  s:close(); t:close()
end)

test("close() on trunks; closed objects answer nil, message, ECLOSED", function()
  local t = sc.Trunk("127.0.0.1:0", "user", "pw")
  assert(t:port() > 0)
  eq(t:close(), true); eq(t:close(), true)
  local port, msg, code = t:port()
  eq(port, nil); eq(code, sc.ECLOSED)
  assert(msg:find("Trunk:port", 1, true), msg)
end)

test("<close> variables (Lua 5.4)", function()
  if _VERSION ~= "Lua 5.4" then return end
  local chunk = assert(load([[
    local sc = ...
    local port
    do
      local t <close> = sc.Trunk("127.0.0.1:0", "user", "pw")
      local s <close> = sc.Session("127.0.0.1:0")
      assert(s:start())
      port = t
    end
    return port
  ]]))
  local t = chunk(sc)
  local _, _, code = t:port()
  eq(code, sc.ECLOSED)
end)

test("error messages speak Lua", function()
  local s = sc.Session("127.0.0.1:0")
  local function err(f, ...)
    local ok, e = pcall(f, ...)
    assert(not ok, "no error")
    e = tostring(e)
    assert(not e:find("sc_", 1, true) and not e:find("char const", 1, true) and not e:find("lua_", 1, true), e)
    return e
  end
  local e = err(s.dial, s, "gw", {})
  assert(e:find("bad argument #2 to 'Session:dial' (string expected, got table)", 1, true), e)
  e = err(s.dial, s, "gw", "00\0001")
  assert(e:find("bad argument #2 to 'Session:dial'", 1, true), e)
  e = err(s.start)
  assert(e:find("'Session:start' called without its object", 1, true), e)
  e = err(s.add_gateway, s, s)
  assert(e:find("(Gateway expected, got Session)", 1, true), e)
  e = err(sc.Trunk, "nonsense:99999", "u", "p")
  assert(e:find("(EPARSE)", 1, true), e)
  e = err(sc.Gateway, {})
  assert(e:find("bad argument #1 to 'Gateway'", 1, true), e)
  local _, msg = sc.session_start(nil)
  assert(not msg:find("sc_", 1, true), msg)
  s:close()
end)

h.finish()
