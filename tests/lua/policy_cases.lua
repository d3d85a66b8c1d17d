-- The trunk policy's Lua tests, run against both modules: the full one
-- (test_skypeconnect.lua) and the policy-only one (test_policy_module.lua),
-- which must answer alike. Returns function(sc, test, eq).
return function(sc, test, eq)
  test("policy: shared by name, refcounted, channels", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write([[<gateway name="luapol"><param name="register" value="false"/>
<param name="proxy" value="127.0.0.1:5999"/><param name="dial-prefix" value="00"/>
<param name="max-channels" value="1"/></gateway>]])
    f:close()
    local a = assert(sc.policy(path, "luapol"))
    local b = sc.Policy(path, "luapol")
    eq(a:refcount(), 2)
    eq(a:name(), "luapol")
    eq(a:source(), path)
    assert(a:describe():find("00", 1, true), a:describe())
    eq(a:max_channels(), 1)
    eq(a:check("0044123"), "0044123")
    local dial, msg, code, refusal = a:check("00112")
    eq(dial, nil); eq(code, sc.EREFUSED); eq(refusal, "emergency")
    assert(msg:find("gateway 'luapol'"), msg)
    dial, msg, code, refusal = a:check("44123")
    eq(code, sc.EREFUSED); eq(refusal, "no_match")
    assert(a:acquire_channel())
    local ok, m2, c2 = b:acquire_channel()
    eq(ok, nil); eq(c2, sc.ECHANNELS)
    assert(m2 and #m2 > 0)
    eq(a:channels_in_use(), 1)
    assert(a:release_channel())
    local _, _, c3 = a:release_channel()
    eq(c3, sc.ESTATE, "release without a channel")
    local none, err, ecode = sc.policy(path, "nosuch")
    eq(none, nil); eq(ecode, sc.ENOTFOUND)
    assert(not err:find("sc_", 1, true), err)
    assert(not pcall(sc.Policy, path, "nosuch"))
    a, b = nil, nil
    collectgarbage(); collectgarbage()
    eq(sc.policy_registered_count(), 0, "registered after gc")
    os.remove(path)
  end)

  test("policy: an unknown gateway parameter fails closed", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write([[<gateway name="luatypo"><param name="register" value="false"/>
<param name="proxy" value="127.0.0.1:5999"/><param name="dial-prefx" value="00"/></gateway>]])
    f:close()
    local p, err, code = sc.policy(path, "luatypo")
    eq(p, nil); eq(code, sc.ECONFIG)
    assert(err:find("dial-prefix", 1, true), err)
    os.remove(path)
  end)

  test("policy: close() and policy_from_gateway / policy_get", function()
    local gw = sc.Gateway("luaclose")
    assert(gw:set("register", "false")); assert(gw:set("proxy", "127.0.0.1:5999"))
    local base = sc.policy_registered_count()
    local p = assert(sc.policy_from_gateway(gw))
    eq(sc.policy_registered_count(), base + 1)
    local shared = assert(sc.policy_get("luaclose"))
    sc.policy_unref(shared)
    eq(p:close(), true); eq(p:close(), true)
    local _, msg, code = p:check("0044")
    eq(code, sc.ECLOSED)
    assert(msg:find("Policy:check", 1, true), msg)
    eq(sc.policy_registered_count(), base)
  end)

  test("policy: <close> variables (Lua 5.4)", function()
    if _VERSION ~= "Lua 5.4" then return end
    local gw = sc.Gateway("luatbc")
    assert(gw:set("register", "false")); assert(gw:set("proxy", "127.0.0.1:5999"))
    local chunk = assert(load([[
      local sc, gw = ...
      local base = sc.policy_registered_count()
      do
        local p <close> = assert(sc.policy_from_gateway(gw))
        assert(sc.policy_registered_count() == base + 1)
      end
      return sc.policy_registered_count() - base
    ]]))
    eq(chunk(sc, gw), 0)
  end)
end
