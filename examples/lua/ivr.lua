-- An IVR with the library's own media: answers, plays a greeting, collects
-- digits until '#', then records the caller's message to a WAV file.
-- usage: lua5.4 ivr.lua [--greeting FILE] [--out FILE]
-- A second session in this script calls the IVR over loopback with media,
-- presses 42# and, once the IVR records, speaks (a 1 kHz tone) for 1.5 s and
-- hangs up. Both sessions dispatch their events on this thread.
local sc = require "skypeconnect"

local USAGE = "usage: ivr.lua [--greeting FILE] [--out FILE]\n"
local greeting, out = nil, "ivr-message.wav"
local i = 1
while arg[i] do
  if arg[i] == "--help" or arg[i] == "-h" then io.write(USAGE) os.exit(0) end
  if (arg[i] == "--greeting" or arg[i] == "--out") and arg[i + 1] then
    if arg[i] == "--greeting" then greeting = arg[i + 1] else out = arg[i + 1] end
    i = i + 2
  else
    io.stderr:write("ivr.lua: unknown argument or missing value: '" .. arg[i] .. "'\n" .. USAGE)
    os.exit(2)
  end
end
if greeting and not io.open(greeting, "rb") then
  io.stderr:write("ivr.lua: cannot read the greeting '" .. greeting .. "'\n")
  os.exit(2)
end
if sc.media_supported() ~= 1 then
  io.stderr:write("ivr.lua: this libskypeconnect has no media (GStreamer)\n")
  os.exit(1)
end

local ivr, caller = sc.Session(), sc.Session()
assert(ivr:set_media()); assert(caller:set_media())
assert(ivr:start()); assert(caller:start())
-- the IVR's trunk is the caller's session, and back
local to_caller, to_ivr = sc.Gateway("trunk"), sc.Gateway("out")
assert(to_caller:set("register", "false")); assert(to_caller:set("proxy", "127.0.0.1:" .. caller:local_port()))
assert(to_ivr:set("register", "false")); assert(to_ivr:set("proxy", "127.0.0.1:" .. ivr:local_port()))
assert(to_ivr:set("dial-prefix", "00"))
assert(ivr:add_gateway(to_caller)); assert(caller:add_gateway(to_ivr))

local digits, recording, ended = {}, false, false
ivr:on_event(function(ev)
  if ev.type == sc.EVENT_INCOMING_CALL then
    assert(ev.call:answer_media())                  -- our SDP, our RTP
  elseif ev.type == sc.EVENT_MEDIA_STATE and ev.media_state == "up" then
    if greeting then assert(ev.call:play(greeting)) else assert(ev.call:play_tone(440, 800)) end
  elseif ev.type == sc.EVENT_DTMF then
    digits[#digits + 1] = ev.digit
    if ev.digit == "#" then
      print(("IVR: digits %s (%s); recording the message"):format(table.concat(digits), ev.method))
      assert(ev.call:stop_media())                  -- the greeting, if it still plays
      assert(ev.call:record(out))
      recording = true
    end
  elseif ev.type == sc.EVENT_MEDIA_STATS then
    print("IVR: media ended: " .. ev.json)
  elseif ev.type == sc.EVENT_CALL_STATE and ev.call_state == sc.CALL_ENDED then
    ended = true
  end
end)

-- The caller's script; os.time() has whole seconds, so "+ 2" waits 1 to 2 s.
local call, speak_at, hangup_at = nil, nil, nil
caller:on_event(function(ev)
  if ev.type == sc.EVENT_MEDIA_STATE and ev.media_state == "up" then
    assert(call:send_dtmf("42#"))
  elseif ev.type == sc.EVENT_MEDIA_NOTICE and ev.media_state == "play_done" and speak_at == false then
    hangup_at = os.time() + 2                       -- the message is said: hang up once it is sent
  end
end)

call = assert(caller:dial_media("out", "0049301234567"))
for _ = 1, 1500 do
  if ended then break end
  ivr:dispatch(10); caller:dispatch(10)
  -- the IVR hears '#' as it starts: speak once the digit is over
  if recording and speak_at == nil then speak_at = os.time() + 2 end
  if speak_at and os.time() >= speak_at then
    assert(call:play_tone(1000, 1500))
    speak_at = false
  end
  if hangup_at and os.time() >= hangup_at then
    assert(call:hangup())
    hangup_at = nil
  end
end
assert(ended, "the call did not end")
local f = assert(io.open(out, "rb"))
local size = f:seek("end")
f:close()
print(("recorded a %.1f s message in %s"):format((size - 44) / 16000, out))
ivr:close(); caller:close()
