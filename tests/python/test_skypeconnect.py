"""Python binding tests: the whole API over loopback only (no SIP peer).

Run by ctest with PYTHONPATH set to the build tree's python/ directory and
SC_LIBRARY to libskypeconnect.so (for the completeness check).
"""
import asyncio
import gc
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import weakref

import skypeconnect as sc
from skypeconnect import core

SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def closed_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unreachable_gateway(name="trunk"):
    return sc.Gateway(name, proxy="127.0.0.1:%d" % closed_port(), username="alice",
                      password="Pw-never-shown-42", retry_seconds=5)


def noreg_gateway(name="ipauth", **kw):
    return sc.Gateway(name, register=False, proxy="127.0.0.1:%d" % closed_port(), **kw)


GATEWAY_XML = """<include>
  <gateway name="{name}">
    <param name="register" value="false"/>
    <param name="proxy" value="127.0.0.1:5999"/>
    <param name="dial-prefix" value="00"/>
    <param name="emergency-country" value="FR"/>
    <param name="max-channels" value="2"/>
  </gateway>
</include>
"""


class TestCompleteness(unittest.TestCase):
    def test_every_exported_function_is_bound(self):
        lib = os.environ.get("SC_LIBRARY")
        if not lib:
            self.skipTest("SC_LIBRARY not set")
        out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True,
                             text=True).stdout
        names = sorted({m.group(1) for m in re.finditer(r"\s[TW]\s+(sc_\w+?)(@@\S+)?$", out, re.M)})
        self.assertGreater(len(names), 100)
        missing = [n for n in names if not callable(getattr(core, n[3:], None))]
        self.assertEqual(missing, [], "C functions without a Python binding: %s" % ", ".join(missing))


class TestBasics(unittest.TestCase):
    def test_version_and_errors(self):
        self.assertRegex(sc.__version__, r"^\d+\.\d+\.\d+$")
        self.assertEqual(sc.status_name(sc.Status.EINVAL), "SC_EINVAL")
        self.assertTrue(sc.strerror(-1))
        self.assertIsInstance(sc.RegState.REGED, int)
        self.assertEqual(sc.reg_state_name(sc.RegState.FAIL_WAIT), "FAIL_WAIT")
        self.assertEqual(sc.sip_cause(404), "UNALLOCATED_NUMBER")
        self.assertTrue(issubclass(sc.DialRefused, sc.Refused))
        self.assertTrue(issubclass(sc.InvalidArgument, ValueError))

    def test_gateway_properties_and_errors(self):
        gw = sc.Gateway("skype", proxy="127.0.0.1", username="u", password="secret", dial_prefix="00")
        self.assertEqual(gw.name, "skype")
        self.assertEqual(gw["dial-prefix"], "00")
        self.assertEqual(gw["password"], "<hidden>")
        self.assertEqual(gw["from-user"], "u")
        with self.assertRaises(sc.NotFound) as cm:
            gw.set("no-such-param", "1")
        self.assertIn("no-such-param", str(cm.exception))
        self.assertEqual(cm.exception.code, sc.Status.ENOTFOUND)
        with self.assertRaises(sc.InvalidArgument):
            gw["retry-seconds"] = "abc"
        with self.assertRaises(sc.InvalidArgument):
            sc.Gateway("bad name!")
        gw2 = gw.copy()
        self.assertEqual(gw2["dial-prefix"], "00")
        self.assertIn("proxy", sc.Gateway.param_names())
        bad = sc.Gateway("nopass", username="bob")
        with self.assertRaises(sc.ConfigError):
            bad.validate()
        gw["retry-seconds"] = 1
        self.assertTrue(gw.warnings)

    def test_config(self):
        cfg = sc.Config.from_string(GATEWAY_XML.format(name="cfg1"))
        self.assertEqual(len(cfg), 1)
        self.assertEqual(cfg["cfg1"]["dial-prefix"], "00")
        self.assertEqual([g.name for g in cfg.gateways], ["cfg1"])
        with self.assertRaises(sc.NotFound):
            cfg.find_gateway("nope")
        bad = sc.Config()
        with self.assertRaises(sc.ConfigError) as cm:
            bad.load_string('<gateway name="x">\n<param name="retry-seconds" value="abc"/></gateway>', "gw.xml")
        d = cm.exception.diagnostics
        self.assertTrue(d)
        self.assertEqual(d[0].severity, sc.DiagSeverity.ERROR)
        self.assertEqual(d[0].file, "gw.xml")
        self.assertEqual(d[0].line, 2)
        self.assertEqual(d[0].param, "retry-seconds")
        with self.assertRaises(sc.IOFailure):
            sc.Config("/nonexistent/file.xml")

    def test_dialrule(self):
        r = sc.DialRule.prefix("00", emergency_country="GB")
        self.assertEqual(r.check("0044201234567"), "0044201234567")
        self.assertTrue(r.allows("00441"))
        with self.assertRaises(sc.DialRefused) as cm:
            r.check("00999")
        e = cm.exception
        self.assertEqual(e.refusal, "emergency")
        self.assertEqual(e.refusal_code, sc.DialRefusal.EMERGENCY)
        self.assertEqual(e.code, sc.Status.EREFUSED)
        self.assertEqual(e.rule, r.description)
        with self.assertRaises(sc.DialRefused) as cm:
            r.check("44123")
        self.assertEqual(cm.exception.refusal, "no_match")
        self.assertIn("^(00", str(cm.exception))
        self.assertEqual(sc.last_refusal(), sc.DialRefusal.NO_MATCH)
        p = sc.DialRule.pattern(r"^9(\d+)$", "+$1")
        self.assertEqual(p.check("9441234"), "+441234")
        self.assertTrue(p.is_emergency("112"))
        with self.assertRaises(sc.InvalidArgument):
            sc.DialRule.pattern("^(")
        with self.assertRaises(sc.InvalidArgument):
            sc.DialRule.prefix("")

    def test_udp_receive_buffer(self):
        with self.assertRaises(sc.InvalidArgument) as cm:
            sc.Session(udp_receive_buffer=1000)
        self.assertIn("bytes 1000 is out of range", str(cm.exception))
        with self.assertRaises(sc.InvalidArgument):
            sc.Session(udp_receive_buffer=-5)
        with sc.Session(udp_receive_buffer=512 * 1024) as s:
            s.start()
            self.assertGreater(s.local_port("udp"), 0)

    def test_log_handler(self):
        lines = []
        sc.set_log_handler(lambda lvl, msg: lines.append((lvl, msg)), sc.LogLevel.INFO)
        try:
            r = sc.DialRule.prefix("00")
            s = sc.Session()
            s.add_gateway(noreg_gateway("logme", dial_prefix="00"))
            s.start()
            with self.assertRaises(sc.DialRefused):
                s.dial("logme", "00112")
            s.close()
            del r
        finally:
            sc.set_log_handler(None)
        self.assertTrue(any("refused" in m for _, m in lines), lines)
        self.assertIsInstance(lines[0][0], sc.LogLevel)


class TestPolicy(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix=".xml")
        os.write(fd, GATEWAY_XML.format(name="pypol").encode())
        os.close(fd)

    def tearDown(self):
        os.unlink(self.path)

    def test_shared_refcounted(self):
        a = sc.Policy.load(self.path, "pypol")
        b = sc.Policy.load(self.path, "pypol")
        self.assertEqual(a.refcount, 2)
        self.assertEqual(int(a.this), int(b.this))
        self.assertEqual(a.max_channels, 2)
        self.assertEqual(a.source, self.path)
        b.close()
        self.assertEqual(a.refcount, 1)
        c = sc.Policy.get("pypol")
        self.assertEqual(a.refcount, 2)
        del c
        gc.collect()
        self.assertEqual(a.refcount, 1)
        a.close()
        self.assertEqual(sc.Policy.registered_count(), 0)
        with self.assertRaises(sc.NotFound):
            sc.Policy.get("pypol")
        with self.assertRaises(sc.Closed):
            a.check("001")

    def test_check_and_channels(self):
        with sc.Policy.load(self.path, "pypol") as p:
            self.assertEqual(p.check("0044201234567"), "0044201234567")
            with self.assertRaises(sc.DialRefused) as cm:
                p.check("0017")   # FR emergency
            self.assertEqual(cm.exception.refusal, "emergency")
            self.assertEqual(cm.exception.gateway, "pypol")
            self.assertIn("gateway 'pypol'", str(cm.exception))
            self.assertFalse(p.allows("12345"))
            with p.channel():
                with p.channel():
                    self.assertEqual(p.channels_in_use, 2)
                    with self.assertRaises(sc.ChannelsBusy) as cm:
                        p.acquire_channel()
                    self.assertEqual(cm.exception.code, sc.Status.ECHANNELS)
            self.assertEqual(p.channels_in_use, 0)
            with self.assertRaises(sc.StateError):
                p.release_channel()

    def test_from_gateway(self):
        gw = sc.Gateway("pycode", register=False, proxy="127.0.0.1:5999", dial_pattern=r"^0(\d+)$",
                        dial_format="+44$1")
        p = sc.Policy.from_gateway(gw)
        self.assertEqual(p.check("201234567"[0:0] + "0201234567"), "+44201234567")
        with self.assertRaises(sc.AlreadyExists):
            sc.Policy.from_gateway(gw)
        p.close()

    def test_threads(self):
        errors = []

        def work():
            for _ in range(200):
                with sc.Policy.load(self.path, "pypol") as p:
                    if not p.allows("0044201234567") or p.allows("00112"):
                        errors.append("check")
        ts = [threading.Thread(target=work) for _ in range(6)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sc.Policy.registered_count(), 0)


class TestDialplan(unittest.TestCase):
    XML = """<include>
  <extension name="skype_out">
    <condition field="destination_number" expression="^(00\\d+)$">
      <action application="bridge" data="sofia/gateway/skype/$1"/>
    </condition>
  </extension>
</include>"""

    def test_route(self):
        dp = sc.Dialplan()
        dp.load_string(self.XML, "01_skype.xml", "public")
        self.assertIn("public", dp)
        self.assertEqual(dp.error_count, 0)
        r = dp.route("public", destination_number="0044123")
        self.assertEqual(len(r), 1)
        a = r.actions[0]
        self.assertEqual((a.app, a.data, a.extension), ("bridge", "sofia/gateway/skype/0044123", "skype_out"))
        self.assertTrue(r.explain)
        self.assertEqual(r.to_dict()["actions"][0]["app"], "bridge")
        self.assertEqual(len(dp.route("public", sc.CallFields(destination_number="123"))), 0)
        with self.assertRaises(sc.NotFound):
            dp.route("nope", destination_number="1")
        bad = sc.Dialplan()
        with self.assertRaises(sc.Error):
            bad.load_string('<extension name="x"><condition field="destination_number" expression="^1$">'
                            '<action application="no_such_app"/></condition></extension>', "bad.xml")
        self.assertTrue(bad.diagnostics)


class TestHostileArguments(unittest.TestCase):
    """Arguments the C API cannot take as they are: refused with an exception
    before the library is called, never silently changed."""

    def test_nul_in_a_string_is_a_value_error(self):
        with sc.Session() as s:
            s.add_gateway(noreg_gateway("g", dial_prefix="00"))
            s.start()
            with self.assertRaises(ValueError):
                s.dial("g", "0044123\x00999")
            self.assertEqual(s.call_count, 0)
            self.assertEqual(s.calls, [])
        with self.assertRaises(ValueError):
            sc.DialRule.prefix("00").check("0044\x00112")
        with self.assertRaises(ValueError):
            sc.Config.from_string("<include/>\x00<gateway/>")
        with self.assertRaises(ValueError):
            core.gateway_new("a\x00b")

    def test_paths_take_str_bytes_and_pathlike_only(self):
        import pathlib
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "gw.xml")
            with open(path, "w") as f:
                f.write(GATEWAY_XML.format(name="pathgw"))
            for p in (path, path.encode(), pathlib.Path(path)):
                cfg = sc.Config()
                cfg.load_file(p)
                self.assertEqual(len(cfg), 1, p)
            with self.assertRaises(ValueError):
                sc.Config().load_file(path + "\x00.txt")
            for bad in (None, 5, ["x"], object()):
                with self.assertRaises(TypeError, msg=repr(bad)):
                    sc.Config().load_file(bad)
                with self.assertRaises(TypeError, msg=repr(bad)):
                    sc.Dialplan().load_dir(bad)
                with self.assertRaises(TypeError, msg=repr(bad)):
                    sc.Policy.load(bad, "pathgw")
            self.assertFalse(os.path.exists(os.path.join(os.getcwd(), "None")))

    def test_callback_setters_refuse_what_is_not_callable(self):
        for bad in (5, "print", b"x", [print]):
            with self.assertRaises(TypeError, msg=repr(bad)):
                sc.set_log_handler(bad)
            with self.assertRaises(TypeError, msg=repr(bad)):
                core.set_log_cb(int(sc.LogLevel.WARNING), bad)
            with self.assertRaises(TypeError, msg=repr(bad)):
                sc.Session(on_event=bad)
            with sc.Session() as s:
                with self.assertRaises(TypeError, msg=repr(bad)):
                    s.on_event = bad
                with self.assertRaises(TypeError, msg=repr(bad)):
                    core.session_set_event_cb(s._p(), bad)
        # What was refused changed nothing: the default logger is still in place.
        sc.set_log_handler(None)

    def test_calls_lists_the_live_calls(self):
        with sc.Trunk("127.0.0.1:0", "alice", "pw") as t, sc.Session() as s:
            t.set_ring_seconds(60)
            s.add_gateway("loop", proxy=t.address, username="alice", password="pw", register=False,
                          dial_prefix="00")
            s.start()
            a = s.dial("loop", "0044111", sdp=SDP)
            b = s.dial("loop", "0044222", sdp=SDP)
            a.hangup()
            # posted from this thread: its outcome is a call_control event
            ev = s.wait_for(lambda e: e.type == sc.EventType.CALL_CONTROL and e.call_id == a.id
                            and e.control == "sc_call_hangup", timeout=5)
            self.assertIsNotNone(ev)
            self.assertEqual(ev.result, 0)
            self.assertEqual(ev.to_dict()["control"], "sc_call_hangup")
            s.wait_for(lambda e: e.type == sc.EventType.CALL_STATE and e.call_id == a.id
                       and e.call_state == sc.CallState.ENDED, timeout=5)
            self.assertEqual([c.id for c in s.calls], [b.id])
            self.assertEqual(s.calls[0].destination, "0044222")


class TestNative(unittest.TestCase):
    """What the Python package adds: exceptions, keywords, wait_state()."""

    def test_wait_state_returns_the_state(self):
        with sc.Trunk() as t, sc.Session() as s:
            s.add_gateway("trunk", proxy=t.address, username="user", password="secret")
            s.start()
            ev = s.wait_state("trunk", sc.RegState.REGED, timeout=10)
            self.assertEqual(ev.state, sc.RegState.REGED)
            self.assertTrue(t.is_registered("user"))

    def test_wait_state_raises_the_failure_at_once(self):
        with sc.Trunk(password="right") as t, sc.Session() as s:
            s.add_gateway("trunk", proxy=t.address, username="user", password="wrong", retry_seconds=60)
            s.start()
            started = time.monotonic()
            with self.assertRaises(sc.GatewayFailed) as cm:
                s.wait_state("trunk", sc.RegState.REGED, timeout=30)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(cm.exception.reason, sc.Reason.AUTH)
            self.assertEqual(cm.exception.gateway, "trunk")
            self.assertIn("auth", str(cm.exception))
            self.assertIsInstance(cm.exception.event, sc.Event)

    def test_drain(self):
        """drain(): a DRAIN event with the calls in progress; refused before start."""
        with sc.Session() as s:
            with self.assertRaises(sc.StateError):
                s.drain()
            self.assertFalse(s.draining)
            s.start()
            s.drain()
            self.assertTrue(s.draining)
            ev = s.wait_for(lambda e: e.type == sc.EventType.DRAIN, timeout=5)
            self.assertEqual((ev.draining, ev.drain_calls), (True, 0))
            self.assertIn("drained", ev.text)
            s.drain(False)
            ev = s.wait_for(lambda e: e.type == sc.EventType.DRAIN, timeout=5)
            self.assertEqual(ev.draining, False)
            self.assertFalse(s.draining)

    def test_wait_state_timeout(self):
        with sc.Trunk() as t, sc.Session() as s:
            t.set_fault(sc.TrunkFault.SILENT)
            s.add_gateway("trunk", proxy=t.address, username="user", password="secret")
            s.start()
            with self.assertRaises(sc.Timeout) as cm:
                s.wait_state("trunk", sc.RegState.REGED, timeout=0.3)
            self.assertIsInstance(cm.exception, TimeoutError)
            with self.assertRaises(TypeError):
                s.wait_state("trunk", timeout=0.1)

    def test_unknown_keyword_is_a_type_error(self):
        with self.assertRaises(TypeError):
            sc.Gateway("kw", no_such_param="1")
        with self.assertRaises(TypeError):
            sc.Trunk(listen_on="127.0.0.1:0")
        with self.assertRaises(TypeError):
            sc.DialRule("00").check(num="0044")
        with self.assertRaises(TypeError):
            core.gateway_new(nam="x")
        with self.assertRaises(TypeError):
            sc.Session(on_events=print)
        with sc.Trunk() as t:
            with self.assertRaises(TypeError):
                t.set_fault(sc.TrunkFault.SILENT, seconds=3)
            self.assertEqual(t.count(what="register"), 0)
        with self.assertRaises(TypeError):
            sc.Session().add_gateway(sc.Gateway("g"), proxy="127.0.0.1")

    def test_io_failure_is_an_os_error(self):
        with self.assertRaises(OSError) as cm:
            sc.Config("/nonexistent/file.xml")
        self.assertIsInstance(cm.exception, sc.IOFailure)
        self.assertEqual(cm.exception.code, sc.Status.EIO)
        self.assertIn("/nonexistent/file.xml", str(cm.exception))

    def test_channels_busy_names_its_refusal(self):
        gw = sc.Gateway("chan1", register=False, proxy="127.0.0.1:5999", dial_prefix="00", max_channels=1)
        with sc.Policy.from_gateway(gw) as p:
            with p.channel():
                with self.assertRaises(sc.ChannelsBusy) as cm:
                    p.acquire_channel()
            self.assertIsInstance(cm.exception, sc.DialRefused)
            self.assertEqual(cm.exception.refusal, "channels")
            self.assertEqual(cm.exception.refusal_code, sc.DialRefusal.CHANNELS)

    def test_closed_objects_raise_closed(self):
        t = sc.Trunk()
        t.close()
        t.close()
        with self.assertRaises(sc.Closed):
            t.port
        with self.assertRaises(sc.Closed):
            t.set_expires(60)

    def test_objects_from_c_are_the_package_classes(self):
        dp = sc.Dialplan()
        dp.load_string('<include><context name="public"><extension name="x"><condition field="destination_number" '
                       'expression="^1$"><action application="answer"/></condition></extension>'
                       '</context></include>')
        self.assertIsInstance(dp.route("public", destination_number="1"), sc.Route)
        self.assertIsInstance(sc.Gateway("g").copy(), sc.Gateway)
        self.assertIsInstance(sc.Gateway("g"), core.Gateway)


class TestSessionThread(unittest.TestCase):
    def test_events_from_library_thread(self):
        seen = []
        main = threading.get_ident()
        with sc.Session(on_event=lambda e: seen.append((threading.get_ident(), e))) as s:
            s.add_gateway(unreachable_gateway())
            s.start()
            self.assertTrue(s.running)
            self.assertGreater(s.port, 0)
            self.assertEqual(s.gateways, ["trunk"])
            ev = s.wait_state("trunk", sc.RegState.FAIL_WAIT, timeout=10)
            self.assertIsNotNone(ev)
            self.assertEqual(ev.reason, sc.Reason.NETWORK)
            self.assertEqual(ev.status, sc.GatewayStatus.DOWN)
            self.assertIsInstance(ev.state, sc.RegState)
            self.assertIn(ev.next_retry, (5, 6))
            self.assertNotIn("Pw-never-shown-42", ev.json)
            self.assertEqual(s.gateway_state("trunk"), sc.RegState.FAIL_WAIT)
            self.assertEqual(s.gateway_info("trunk")["gateway"], "trunk")
            with self.assertRaises(sc.NotFound):
                s.gateway_state("nope")
            with self.assertRaises(sc.StateError):
                s.dispatch()
        states = [e.state for _, e in seen if e.type == sc.EventType.GATEWAY_STATE]
        self.assertIn(sc.RegState.TRYING, states)
        self.assertIn(sc.RegState.FAILED, states)
        self.assertTrue(all(t != main for t, _ in seen))
        self.assertEqual(seen[-1][1].type, sc.EventType.SESSION_STOPPED)
        with self.assertRaises(sc.Closed):
            s.start()

    def test_exception_in_callback_goes_to_unraisablehook(self):
        caught = []
        old = sys.unraisablehook
        sys.unraisablehook = lambda u: caught.append(u.exc_value)
        try:
            def boom(ev):
                raise RuntimeError("boom in callback")
            with sc.Session(on_event=boom) as s:
                s.add_gateway(noreg_gateway())
                s.start()
                self.assertIsNotNone(s.wait_state("ipauth", sc.RegState.NOREG, timeout=5))
        finally:
            sys.unraisablehook = old
        self.assertTrue(any(isinstance(e, RuntimeError) and "boom" in str(e) for e in caught), caught)

    def test_close_from_own_callback(self):
        done = threading.Event()
        holder = {}

        def cb(ev):
            if ev.type == sc.EventType.GATEWAY_STATE and ev.state == sc.RegState.NOREG:
                holder["s"].close()
                done.set()
        s = sc.Session(on_event=cb)
        holder["s"] = s
        s.add_gateway(noreg_gateway())
        s.start()
        self.assertTrue(done.wait(5))
        self.assertTrue(s.closed)
        del holder["s"], s
        gc.collect()

    def test_collected_without_close(self):
        s = sc.Session(on_event=lambda e: None)
        s.add_gateway(unreachable_gateway())
        s.start()
        time.sleep(0.3)
        r = weakref.ref(s)
        del s
        gc.collect()
        self.assertIsNone(r())

    def test_blocking_wait_releases_gil(self):
        s = sc.Session()
        counter = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                counter[0] += 1
        t = threading.Thread(target=spin)
        t.start()
        t0 = time.monotonic()
        self.assertIsNone(s.next_event(0.5))
        stop.set()
        t.join()
        self.assertGreaterEqual(time.monotonic() - t0, 0.45)
        self.assertGreater(counter[0], 1000)
        s.close()


class TestSessionQueue(unittest.TestCase):
    def test_dispatch_and_callback_exception(self):
        got = []

        def cb(ev):
            got.append(ev)
            if ev.state == sc.RegState.FAILED:
                raise ValueError("raised in callback")
        s = sc.Session(dispatch=sc.Dispatch.QUEUE, on_event=cb)
        s.add_gateway(unreachable_gateway())
        s.start()
        deadline = time.monotonic() + 10
        raised = False
        while time.monotonic() < deadline and not raised:
            try:
                s.dispatch(0.5)
            except ValueError as e:
                raised = "raised in callback" in str(e)
        self.assertTrue(raised)
        main = threading.get_ident()
        self.assertEqual(got[-1].state, sc.RegState.FAILED)
        # the events after the failing one are still queued
        ev = s.wait_for(lambda e: e.state == sc.RegState.FAIL_WAIT, timeout=5)
        self.assertIsNotNone(ev)
        self.assertEqual(threading.get_ident(), main)
        s.close()

    def test_interrupt(self):
        s = sc.Session(dispatch=sc.Dispatch.QUEUE)
        threading.Timer(0.2, s.interrupt).start()
        t0 = time.monotonic()
        self.assertEqual(s.dispatch(None), 0)
        self.assertLess(time.monotonic() - t0, 5)
        s.close()

    def test_gc_with_events_queued(self):
        s = sc.Session(dispatch=sc.Dispatch.QUEUE, on_event=lambda e: None)
        for i in range(5):
            s.add_gateway(noreg_gateway("q%d" % i))
        s.start()
        time.sleep(0.3)   # NOREG events wait in the queue, never dispatched
        r = weakref.ref(s)
        del s
        gc.collect()
        self.assertIsNone(r())

    def test_close_from_own_callback(self):
        closed = []
        s = sc.Session(dispatch=sc.Dispatch.QUEUE)

        def cb(ev):
            s.close()
            closed.append(ev)
        s.on_event = cb
        for i in range(3):
            s.add_gateway(noreg_gateway("c%d" % i))
        s.start()
        s.dispatch(2.0)
        self.assertEqual(len(closed), 1)
        self.assertTrue(s.closed)
        self.assertEqual(s.dispatch(0), 0)

    def test_raw_core_dispatch_reraises(self):
        p = core.session_new()
        core.session_set_dispatch(p, core.DISPATCH_QUEUE)
        seen = []

        def cb(evptr):
            seen.append(core.event_type_of(evptr))
            raise KeyError("from raw callback")
        core.session_set_event_cb(p, cb)
        gw = noreg_gateway("raw")
        core.session_start(p)
        core.session_add_gateway(p, gw)
        with self.assertRaises(KeyError):
            for _ in range(20):
                core.session_dispatch(p, 200)
        self.assertIn(core.EVENT_GATEWAY_STATE, seen)
        core.session_set_event_cb(p, None)
        core.session_free(p)


class TestAsyncio(unittest.TestCase):
    def _run(self, mode):
        async def main():
            s = sc.Session(dispatch=mode)
            s.add_gateway(unreachable_gateway())
            states = []
            async with s.events() as events:   # subscribed before start: no event missed
                s.start()
                async for ev in events:
                    if ev.type == sc.EventType.GATEWAY_STATE:
                        states.append(ev.state)
                    if ev.state == sc.RegState.FAIL_WAIT:
                        break
            ev = await s.wait_for_async(lambda e: False, timeout=0.2)
            s.close()
            return states, ev
        states, ev = asyncio.run(asyncio.wait_for(main(), 20))
        self.assertIn(sc.RegState.FAILED, states)
        self.assertIsNone(ev)

    def test_thread_mode(self):
        self._run(sc.Dispatch.THREAD)

    def test_queue_mode(self):
        self._run(sc.Dispatch.QUEUE)


class TestCalls(unittest.TestCase):
    """Two sessions call each other over loopback: B dials out through its
    gateway to A; A takes B as its trunk (register=false, proxy = B)."""

    def test_call_header_reads_the_invite_as_received(self):
        """sc_call_header on an INVITE written by hand: compact names, a comma list
        of Vias, a folded line, a header given twice; the body is not a header."""
        peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        self.addCleanup(peer.close)
        pport = peer.getsockname()[1]
        a = sc.Session()
        with a:
            a.start()
            a.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % pport))
            self.assertIsNotNone(a.wait_state("trunk", sc.RegState.NOREG, timeout=5))
            body = SDP + "X-Not-A-Header: body\r\n"
            invite = ("INVITE sip:4930123456@127.0.0.1:%d SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-hdr1;rport, "
                      "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-hdr0\r\n"
                      "Max-Forwards: 70\r\n"
                      "f: \"Eve\" <sip:4930999@127.0.0.1>;tag=hdr\r\n"
                      "t: <sip:4930123456@127.0.0.1>\r\n"
                      "i: hdr-test-call@127.0.0.1\r\n"
                      "CSeq: 1 INVITE\r\n"
                      "Contact: <sip:4930999@127.0.0.1:%d>\r\n"
                      "X-Folded: first part\r\n"
                      "   second part  \r\n"
                      "X-Twice: one\r\n"
                      "X-Twice: two\r\n"
                      "c: application/sdp\r\n"
                      "l: %d\r\n\r\n%s") % (a.port, pport, pport, len(body), body)
            peer.sendto(invite.encode(), ("127.0.0.1", a.port))
            ev = a.wait_for(lambda e: e.type == sc.EventType.INCOMING_CALL, timeout=10)
            self.assertIsNotNone(ev)
            call = ev.call
            self.assertEqual(call.header("Call-ID"), "hdr-test-call@127.0.0.1")
            self.assertEqual(call.header("i"), "hdr-test-call@127.0.0.1")
            self.assertIn('"Eve"', call.header("From"))
            via = call.header("Via")
            self.assertIn("z9hG4bK-hdr1", via)
            self.assertIn("z9hG4bK-hdr0", via)
            self.assertEqual(call.header("X-Folded"), "first part second part")
            self.assertEqual(call.header("x-twice"), "one, two")
            self.assertEqual(call.header("Content-Type"), "application/sdp")
            self.assertIsNone(call.header("X-Not-A-Header"))
            call.reject(486)

    def test_inbound_answer_hangup(self):
        incoming = []
        a = sc.Session(on_event=lambda e: incoming.append(e) if e.type == sc.EventType.INCOMING_CALL else None)
        b = sc.Session()
        with a, b:
            a.start()
            b.start()
            a.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % b.port))
            b.add_gateway(sc.Gateway("out", register=False, proxy="127.0.0.1:%d" % a.port, dial_prefix="00",
                                     max_channels=1))
            self.assertIsNotNone(b.wait_state("out", sc.RegState.NOREG, timeout=5))
            call_b = b.dial("out", "0044201234567", caller_number="+441234", caller_name="Bob", sdp=SDP)
            self.assertEqual(call_b.direction, sc.CallDirection.OUTBOUND)
            with self.assertRaises(sc.ChannelsBusy):
                b.dial("out", "0044201234568")
            ev = a.wait_for(lambda e: e.type == sc.EventType.INCOMING_CALL, timeout=10)
            self.assertIsNotNone(ev)
            call_a = ev.call
            self.assertEqual(call_a.direction, sc.CallDirection.INBOUND)
            self.assertEqual(call_a.state, sc.CallState.INCOMING)
            self.assertEqual(call_a.destination, "0044201234567")
            self.assertEqual(call_a.caller_number, "+441234")
            self.assertEqual(call_a.gateway, "trunk")
            self.assertIn("v=0", call_a.remote_sdp)
            self.assertIsNotNone(call_a.header("Call-ID"))
            self.assertIsNone(call_a.header("X-No-Such-Header"))
            self.assertEqual(a.find_call(call_a.id), call_a)
            self.assertEqual(len(incoming), 1)
            call_a.ring()
            self.assertIsNotNone(b.wait_for(lambda e: e.call_state == sc.CallState.RINGING, timeout=10))
            call_a.answer(SDP)
            self.assertIsNotNone(b.wait_for(lambda e: e.call_state == sc.CallState.ANSWERED, timeout=10))
            self.assertEqual(call_b.state, sc.CallState.ANSWERED)
            # A's side is answered once the ACK arrived
            self.assertIsNotNone(a.wait_for(lambda e: e.call_state == sc.CallState.ANSWERED, timeout=10))
            call_a.send_dtmf("12#")
            # a call without the library's media has no media statistics
            with self.assertRaisesRegex(sc.StateError, "has no media"):
                call_a.media_stats()
            call_b.hangup()
            ev = a.wait_for(lambda e: e.call_state == sc.CallState.ENDED, timeout=10)
            self.assertIsNotNone(ev)
            self.assertEqual(call_a.hangup_side, sc.HangupSide.REMOTE)
            self.assertEqual(call_a.cause, "NORMAL_CLEARING")
            self.assertEqual(a.call_count, 0)
            self.assertEqual(call_a.to_dict()["direction"], "inbound")

    def test_reject(self):
        with sc.Session(dispatch=sc.Dispatch.QUEUE) as a, sc.Session() as b:
            a.start()
            b.start()
            a.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % b.port))
            b.add_gateway(sc.Gateway("out", register=False, proxy="127.0.0.1:%d" % a.port, dial_prefix="00"))
            b.wait_state("out", sc.RegState.NOREG, timeout=5)

            def on_a(ev):
                if ev.type == sc.EventType.INCOMING_CALL:
                    ev.call.reject(486)
            a.on_event = on_a
            call_b = b.dial("out", "00331234")
            deadline = time.monotonic() + 10
            while call_b.state != sc.CallState.ENDED and time.monotonic() < deadline:
                a.dispatch(0.1)
            self.assertEqual(call_b.state, sc.CallState.ENDED)
            self.assertEqual(call_b.sip_code, 486)
            self.assertEqual(call_b.cause, "USER_BUSY")


@unittest.skipUnless(core.media_supported(), "built without media, or GStreamer lacks an element")
class TestMedia(unittest.TestCase):
    """The library's own media between two sessions over loopback: B dials A
    with media, A answers with media; a tone from B is recorded by A and
    checked as audio; DTMF 159# arrives by RFC 4733."""

    @staticmethod
    def audio():
        """The integration harness's WAV and Goertzel helpers."""
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
        from sctest import audio
        return audio

    def connect(self, a, b):
        """Media on both sessions, started; b's gateway "out" dials a, a's "trunk" is b."""
        a.enable_media()
        b.enable_media()
        a.start()
        b.start()
        a.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % b.port))
        b.add_gateway(sc.Gateway("out", register=False, proxy="127.0.0.1:%d" % a.port, dial_prefix="00"))
        self.assertIsNotNone(b.wait_state("out", sc.RegState.NOREG, timeout=5))

    def test_tone_record_dtmf(self):
        audio = self.audio()
        seen_a, seen_b = [], []

        def until(seen, cond):
            return lambda e: (seen.append(e), cond(e))[1]

        with sc.Session() as a, sc.Session() as b, tempfile.TemporaryDirectory() as tmp:
            self.connect(a, b)
            call_b = b.dial("out", "0044201234567", media=True)
            ev = a.wait_for(until(seen_a, lambda e: e.type == sc.EventType.INCOMING_CALL), timeout=10)
            call_a = ev.call
            call_a.answer_media()
            for s, seen in ((a, seen_a), (b, seen_b)):
                ev = s.wait_for(until(seen, lambda e: e.type == sc.EventType.MEDIA_STATE), timeout=10)
                self.assertIsNotNone(ev)
                self.assertEqual(ev.to_dict()["state"], "up")
                self.assertEqual(ev.to_dict()["codec"], "PCMU/8000")
            rec = os.path.join(tmp, "rec.wav")
            call_a.record(rec)
            call_b.play_tone(1000, 1000)
            self.assertIsNotNone(b.wait_for(until(seen_b, lambda e: e.type == sc.EventType.MEDIA_NOTICE
                                                  and e.to_dict()["event"] == "play_done"), timeout=10))
            time.sleep(0.3)
            call_a.stop()
            rate, samples = audio.read_wav(rec)
            what = audio.describe(samples, rate, 1000)
            self.assertGreater(audio.tone_seconds(samples, rate, 1000), 0.85, what)
            self.assertLess(audio.tone_seconds(samples, rate, 1000), 1.15, what)
            with self.assertRaises(sc.Error):
                call_b.play(os.path.join(tmp, "no-such.wav"))
            call_b.send_dtmf("159#")
            digits = []
            while len(digits) < 4:
                ev = a.wait_for(until(seen_a, lambda e: e.type == sc.EventType.DTMF), timeout=10)
                self.assertIsNotNone(ev, "digits so far: %r" % digits)
                self.assertEqual(ev.dtmf_method, "rfc4733")
                digits.append(ev.digit)
            self.assertEqual("".join(digits), "159#")
            stats = call_a.media_stats()   # sc_call_media_stats(): the struct as a dict
            self.assertGreater(stats["packets_received"], 40)
            self.assertEqual(stats["packets_lost"], 0)
            self.assertLess(stats["jitter_ms"], 100.0)
            self.assertEqual(stats["codec"], "PCMU/8000")
            self.assertTrue(stats["local"].startswith("127.0.0.1:"), stats)
            sent = call_b.media_stats()
            self.assertGreater(sent["packets_sent"], 40)
            self.assertEqual(sent["remote"], stats["local"])
            call_b.hangup()
            ev = a.wait_for(until(seen_a, lambda e: e.call_state == sc.CallState.ENDED), timeout=10)
            self.assertIsNotNone(ev)
            with self.assertRaisesRegex(sc.StateError, "ended"):
                call_a.media_stats()
            kinds = [e.type for e in seen_a]
            self.assertLess(kinds.index(sc.EventType.MEDIA_STATS), len(kinds) - 1)

    def media_call(self, a, b):
        """b dials a with media, a answers with media; both media up. (call_a, call_b)."""
        self.connect(a, b)
        call_b = b.dial("out", "0044201234567", media=True)
        call_a = a.wait_for(lambda e: e.type == sc.EventType.INCOMING_CALL, timeout=10).call
        call_a.answer_media()
        self.assertIsNotNone(b.wait_for(lambda e: e.type == sc.EventType.MEDIA_STATE, timeout=10))
        self.assertIsNotNone(a.wait_for(lambda e: e.type == sc.EventType.MEDIA_STATE, timeout=10))
        return call_a, call_b

    def test_pcm_frames_both_ways(self):
        """write() sends PCM; AUDIO events bring 20 ms frames of what arrives."""
        import array
        import math
        audio = self.audio()
        with sc.Session() as a, sc.Session() as b:
            call_a, call_b = self.media_call(a, b)
            call_a.set_audio(True)
            tone = array.array("h", (int(10000 * math.sin(2 * math.pi * 600 * i / 8000)) for i in range(8000)))
            call_b.write(tone.tobytes())
            frames = []
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and len(frames) < 100:
                ev = a.wait_for(lambda e: e.type == sc.EventType.AUDIO, timeout=1)
                if ev:
                    self.assertEqual(len(ev.pcm), 320)
                    frames.append(ev.pcm)
            call_a.set_audio(False)
            samples = array.array("h", b"".join(frames)).tolist()
            what = audio.describe(samples, 8000, 600)
            self.assertGreater(audio.tone_seconds(samples, 8000, 600), 0.9, what)
            with self.assertRaises(sc.InvalidArgument):
                call_b.write(b"")
            call_b.hangup()
            self.assertIsNotNone(a.wait_for(lambda e: e.call_state == sc.CallState.ENDED, timeout=10))

    def test_async_audio_frames_and_write(self):
        """``async for frame in call.audio_frames()`` on a real call: 20 ms frames
        of what ``write()`` sent from the other side (a 600 Hz tone, found by
        Goertzel); the iterator ends by itself when the call ends; a call
        without media is refused with StateError."""
        import array
        import asyncio
        import math
        audio = self.audio()
        tone = array.array("h", (int(10000 * math.sin(2 * math.pi * 600 * i / 8000)) for i in range(8000)))
        with sc.Session() as a, sc.Session() as b:
            call_a, call_b = self.media_call(a, b)

            async def listen():
                frames = []
                async with call_a.audio_frames() as stream:
                    call_b.write(tone.tobytes())
                    async for frame in stream:
                        self.assertIsInstance(frame, bytes)
                        self.assertEqual(len(frame), 320)
                        frames.append(frame)
                        if len(frames) == 100:
                            break
                return frames

            frames = asyncio.run(asyncio.wait_for(listen(), 10))
            samples = array.array("h", b"".join(frames)).tolist()
            what = audio.describe(samples, 8000, 600)
            self.assertGreater(audio.tone_seconds(samples, 8000, 600), 0.9, what)

            async def until_the_end():
                n = 0
                async for _ in call_a.audio_frames(a):
                    n += 1
                    if n == 5:
                        call_b.hangup()
                return n

            self.assertGreaterEqual(asyncio.run(asyncio.wait_for(until_the_end(), 10)), 5)
            self.assertEqual(call_a.state, sc.CallState.ENDED)

        # a call without the library's media: no frames, StateError
        with sc.Session() as a, sc.Session() as b:
            self.connect(a, b)
            call_b = b.dial("out", "0044201234567", sdp=SDP)
            call_a = a.wait_for(lambda e: e.type == sc.EventType.INCOMING_CALL, timeout=10).call

            async def refused():
                async for _ in call_a.audio_frames():
                    pass

            with self.assertRaisesRegex(sc.StateError, "has no media"):
                asyncio.run(refused())
            call_b.hangup()

    def test_early_media_then_answer(self):
        """183 with our SDP: the caller hears a tone before the answer, and the 200 keeps the same SDP."""
        audio = self.audio()
        with sc.Session() as a, sc.Session() as b, tempfile.TemporaryDirectory() as tmp:
            self.connect(a, b)
            call_b = b.dial("out", "0044201234567", media=True)
            call_a = a.wait_for(lambda e: e.type == sc.EventType.INCOMING_CALL, timeout=10).call
            call_a.progress_media()
            self.assertIsNotNone(b.wait_for(lambda e: e.call_state == sc.CallState.EARLY, timeout=10))
            self.assertIsNotNone(b.wait_for(lambda e: e.type == sc.EventType.MEDIA_STATE, timeout=10))
            rec = os.path.join(tmp, "early.wav")
            call_b.record(rec)
            call_a.play_tone(700, 600)
            self.assertIsNotNone(a.wait_for(lambda e: e.type == sc.EventType.MEDIA_NOTICE, timeout=10))
            time.sleep(0.3)
            call_b.stop()
            self.assertEqual(call_b.state, sc.CallState.EARLY)
            rate, samples = audio.read_wav(rec)
            self.assertGreater(audio.tone_seconds(samples, rate, 700), 0.45, audio.describe(samples, rate, 700))
            call_a.answer_media()
            self.assertIsNotNone(b.wait_for(lambda e: e.call_state == sc.CallState.ANSWERED, timeout=10))
            self.assertGreater(call_b.media_stats()["packets_received"], 30)
            call_b.hangup()
            self.assertIsNotNone(a.wait_for(lambda e: e.call_state == sc.CallState.ENDED, timeout=10))


if __name__ == "__main__":
    unittest.main()
