--[[
skype_outbound.lua: FreeSWITCH dialplan script. Checks the dialled number with
libskypeconnect's trunk policy (the same dial rules, emergency refusal and
channel count as the C library and Python apply) and either bridges the call
through FreeSWITCH's own gateway, sofia/gateway/<gateway>/<number>, or
rejects it with the reason. FreeSWITCH carries the SIP: this script never
registers the trunk itself.

dialplan/default/01_skype.xml:

  <extension name="skype_outbound">
    <condition field="destination_number" expression="^(\+?\d+)$">
      <action application="lua"
              data="skype_outbound.lua skype $${conf_dir}/sip_profiles/external/skype.xml"/>
    </condition>
  </extension>

argv[1]  gateway name (default "skype"), the same <gateway name> FreeSWITCH uses
argv[2]  the gateway XML (default /etc/freeswitch/sip_profiles/external/<gateway>.xml),
         with dial-prefix or dial-pattern/dial-format, emergency-country,
         emergency-numbers and max-channels params (FreeSWITCH ignores those it
         does not know)

mod_lua runs this in a fresh lua_State per call, on the channel's thread;
sc.policy() returns the process-wide policy shared by every call (loaded once).

It requires skypeconnect_policy, the policy-only module: it runs on
libskypeconnect-policy.so.0, which links no SIP stack, so nothing here loads a
Sofia-SIP beside FreeSWITCH's own. Install the module as
/usr/lib/x86_64-linux-gnu/lua/5.3/skypeconnect_policy.so (or set lua.conf.xml's
module-directory). The full module (require "skypeconnect") answers the same
calls alike; it is for programs that run their own SIP. The whole setup, and
what to check, is in docs/freeswitch-mod-lua.md.
]]
local sc = require "skypeconnect_policy"

local gateway = argv and argv[1] or "skype"
local xml = argv and argv[2] or ("/etc/freeswitch/sip_profiles/external/" .. gateway .. ".xml")
local dest = session:getVariable("destination_number") or ""

local function log(level, fmt, ...)
  freeswitch.consoleLog(level, "[skype_outbound] " .. string.format(fmt, ...) .. "\n")
end

-- SIP answers for each refusal (FreeSWITCH's "respond" application)
local responses = {
  emergency  = "403 Emergency calls are not possible through this trunk",
  no_rule    = "403 Dial-out is not enabled on this trunk",
  no_match   = "403 Number not allowed on this trunk",
  bad_number = "484 Address Incomplete",
  too_long   = "484 Address Incomplete",
  channels   = "503 All trunk channels are busy",
}

local function reject(refusal, message)
  log("notice", "rejecting %s via %s: %s", dest, gateway, message)
  session:setVariable("skype_refusal", refusal)
  session:setVariable("skype_refusal_message", message)
  session:execute("respond", responses[refusal] or "503 Service Unavailable")
end

local policy, err = sc.policy(xml, gateway)
if not policy then
  log("err", "no policy for gateway %s: %s", gateway, err)
  reject("config", err)
  return
end

local dial, message, code, refusal = policy:check(dest)
if not dial then
  reject(refusal, message)
  return
end

local ok, busy_message = policy:acquire_channel()
if not ok then
  reject("channels", busy_message)
  return
end

log("info", "routing %s as %s via sofia/gateway/%s", dest, dial, gateway)
session:setVariable("skype_dial", dial)
session:setVariable("hangup_after_bridge", "true")
-- bridge returns when the bridged call ends; the channel is given back then
local done, bridge_err = pcall(session.execute, session, "bridge", "sofia/gateway/" .. gateway .. "/" .. dial)
policy:release_channel()
if not done then error(bridge_err, 0) end
