-- The Lua tests' harness: test(name, fn), eq(got, want, what), finish()
-- (prints "N passed, N failed" and exits 1 on a failure), and here, the
-- folder of the test scripts (for dofile).
local passed, failed = 0, 0
local h = {}

function h.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    print("ok   " .. name)
  else
    failed = failed + 1
    print("FAIL " .. name .. "\n  " .. tostring(err))
  end
end

function h.eq(a, b, what)
  if a ~= b then error(string.format("%s: got %s, expected %s", what or "value", tostring(a), tostring(b)), 2) end
end

function h.finish()
  print(string.format("%d passed, %d failed", passed, failed))
  os.exit(failed == 0 and 0 or 1, true)
end

h.here = arg and arg[0] and arg[0]:match("^(.*/)") or "./"
return h
