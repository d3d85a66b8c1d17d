"""Self-tests of the integration harness (no skypeconnect command needed).

Proves every piece the other tests rely on: free ports, Kamailio trunk
(start/stop by PID, restart on the same port, digest REGISTER over UDP/TCP/TLS,
re-challenge on a wrong password, SCLOG parsing, OPTIONS answered), the SIPp
fault scenarios (driven by the harness's own SIP client and by a SIPp UAC with
[authentication]), certificate generation, and the command wrapper (against a
fake command written here).
"""
import os
import socket
import ssl
import sys
import textwrap
import time
import unittest

from sctest.certs import make_certs, client_tls_dir
from sctest.cli import ScCli, match, write_gateway, skype_gateway, run_command
from sctest.kamailio import Kamailio, KamailioTlsUnavailable
from sctest.netcheck import bound_addresses, non_loopback
from sctest.ports import free_port, port_is_free
from sctest.sipclient import SipClient, options_ok
from sctest.sipp import Sipp
from sctest.testcase import ScTestCase


class PortsTest(unittest.TestCase):
    def test_free_port_is_free_for_udp_and_tcp(self):
        p = free_port()
        self.assertTrue(port_is_free(p))
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", p))
        try:
            self.assertFalse(port_is_free(p))
            self.assertNotEqual(free_port(), p)
        finally:
            u.close()


class KamailioTest(ScTestCase):
    needs_cli = False

    def test_register_udp_tcp_restart_same_port(self):
        k = self.start_kamailio(users={"skype": "secret", "bob": "pw2"})
        pid1 = k.proc.pid
        self.assertTrue(options_ok(k.port, transport="udp"))
        self.assertTrue(options_ok(k.port, transport="tcp"))
        for tp in ("udp", "tcp"):
            with SipClient(k.port, transport=tp) as c:
                r, seen = c.register("skype", "secret", domain="127.0.0.1:%d" % k.port, expires=30,
                                     contact_params=";gw=skype")
                self.assertEqual([x.code for x in seen], [401, 200])
                self.assertIn('realm="127.0.0.1"', seen[0].header("WWW-Authenticate"))
                self.assertIn('qop="auth"', seen[0].header("WWW-Authenticate"))
        with SipClient(k.port) as c:        # second account
            r, seen = c.register("bob", "pw2", domain="127.0.0.1:%d" % k.port, expires=0)
            self.assertEqual(r.code, 200)
        with SipClient(k.port) as c:        # wrong password: re-challenged, never 200
            r, seen = c.register("skype", "nope", domain="127.0.0.1:%d" % k.port, expires=30)
            self.assertEqual([x.code for x in seen], [401, 401, 401])
        regs = k.wait_count(9, 5)
        self.assertEqual(len(regs), 2 + 2 + 2 + 3, k.describe())
        saved = k.registers(result="saved")
        self.assertEqual({r["proto"] for r in saved}, {"udp", "tcp"})
        self.assertTrue(any(";gw=skype" in r["ct"] and r["ct"].startswith("<sip:skype@") for r in saved))
        self.assertTrue(any(r["expires"] == "0" and r["user"] == "bob" for r in saved))
        self.assertEqual(len(k.registers(result="auth_failed(-2)")), 2)
        self.assertEqual(k.registers()[0]["auth"], "no")
        self.assertFalse(non_loopback(k.proc.pid), bound_addresses(k.proc.pid))
        # OPTIONS are logged too
        self.assertTrue(k.options(probes=True))
        # restart on the same port (abrupt kill first)
        port = k.port
        k.kill()
        self.assertFalse(k.alive())
        self.assertFalse(options_ok(port, timeout=0.3))
        k.start()
        self.assertEqual(k.port, port)
        self.assertNotEqual(k.proc.pid, pid1)
        with SipClient(k.port) as c:
            self.assertEqual(c.register("skype", "secret", expires=30)[0].code, 200)
        self.assertEqual(k.stop(), 0)
        self.assertTrue(port_is_free(port))

    def test_sipp_uac_with_authentication(self):
        k = self.start_kamailio()
        for pw, want_ok in (("secret", True), ("wrong", False)):
            s = Sipp("uac_register", os.path.join(self.tmp, "sipp"), timeout=6, max_calls=1,
                     remote="127.0.0.1:%d" % k.port, keys={"expires": 60},
                     extra_args=["-s", "skype", "-au", "skype", "-ap", pw])
            self.addCleanup(s.stop)
            s.start()
            rc = s.wait_exit(25)
            s.stop()
            if want_ok:
                self.assertEqual(rc, 0, s.describe())
            else:
                self.assertNotEqual(rc, 0, s.describe())
        self.assertEqual(len(k.registers(result="saved")), 1, k.describe())

    def test_tls_listener_and_certs(self):
        try:
            k = self.start_kamailio(tls=True)
        except KamailioTlsUnavailable as e:
            self.skipTest("kamailio tls module unavailable: %s" % str(e).splitlines()[0])
        ctx = ssl.create_default_context(cafile=k.certs["ca_crt"])
        ctx.check_hostname = False
        ctx.load_cert_chain(k.certs["agent_pem"])
        with SipClient(k.tls_port, transport="tls", ssl_context=ctx) as c:
            r, seen = c.register("skype", "secret", domain="127.0.0.1:%d" % k.port, expires=30)
            self.assertEqual(r.code, 200)
            peer = c.sock.getpeercert()
            self.assertIn(("IP Address", "127.0.0.1"), peer.get("subjectAltName", ()))
        rec = k.wait_record(lambda r: r.get("result") == "saved", 3)
        self.assertIsNotNone(rec, k.describe())
        self.assertEqual(rec["proto"], "tls")
        d = client_tls_dir(k.certs, os.path.join(self.tmp, "tlsdir"))
        self.assertEqual(sorted(os.listdir(d)), ["agent.pem", "cafile.pem"])
        with open(os.path.join(d, "agent.pem")) as f:
            pem = f.read()
        self.assertIn("BEGIN CERTIFICATE", pem)
        self.assertIn("PRIVATE KEY", pem)


class SippScenariosTest(ScTestCase):
    needs_cli = False

    def test_reg_423(self):
        s = self.start_sipp("reg_423", timeout=30)
        self.assertTrue(bound_addresses(s.proc.pid))
        self.assertFalse(non_loopback(s.proc.pid), bound_addresses(s.proc.pid))
        with SipClient(s.port) as c:
            r, _ = c.register("skype", expires=60)
            self.assertEqual(r.code, 423)
            self.assertEqual(r.header("Min-Expires"), "120")
            r, _ = c.register("skype", expires=120)
            self.assertEqual(r.code, 200)
            self.assertIn(";expires=120", r.header("Contact"))
            self.assertEqual(c.options().code, 200)
        with SipClient(s.port) as c:        # another Call-ID is handled the same way
            self.assertEqual(c.register("skype", expires=120)[0].code, 200)
        recs = s.log_records()
        self.assertEqual([r["answer"] for r in recs], ["423", "200", "200"], s.describe())
        self.assertEqual(recs[1]["expires"], "120")

    def test_reg_503_retry_after(self):
        s = self.start_sipp("reg_503_retry_after", timeout=30, keys={"retry_after": 7, "expires": 60})
        with SipClient(s.port) as c:
            r, _ = c.register("skype", expires=60)
            self.assertEqual(r.code, 503)
            self.assertEqual(r.header("Retry-After"), "7")
        with SipClient(s.port) as c:
            r, _ = c.register("skype", expires=60)
            self.assertEqual(r.code, 200)
            self.assertIn(";expires=60", r.header("Contact"))

    def test_reg_silent(self):
        s = self.start_sipp("reg_silent", timeout=30)
        with SipClient(s.port) as c:
            self.assertIsNone(c.register("skype", expires=60, timeout=1.5)[0])
            self.assertIsNone(c.register("skype", expires=60, timeout=1.0)[0])
        rec = s.wait_log(lambda r: r.get("n") == "2", 3)
        self.assertIsNotNone(rec, s.describe())
        self.assertEqual(rec["cseq"], "2")

    def test_unreg_challenge(self):
        s = self.start_sipp("unreg_challenge", timeout=30,
                            keys={"username": "skype", "password": "secret", "expires": 300,
                                  "realm": "127.0.0.1"})
        with SipClient(s.port) as c:
            r, seen = c.register("skype", "secret", expires=300)
            self.assertEqual([x.code for x in seen], [401, 200])
            r, seen = c.register("skype", "secret", expires=0)
            self.assertEqual([x.code for x in seen], [401, 200])
            self.assertIn('nonce="unreg', seen[0].header("WWW-Authenticate"))
        rc = s.wait_exit(10)
        self.assertIn(rc, (0, 97), s.describe())   # 97: stopped by the scenario's stop_now
        self.assertEqual(s.log_records()[-1]["result"], "UNREG_AUTH_OK")

    def test_unreg_challenge_wrong_password(self):
        s = self.start_sipp("unreg_challenge", timeout=30,
                            keys={"username": "skype", "password": "secret", "expires": 300,
                                  "realm": "127.0.0.1"})
        with SipClient(s.port) as c:
            self.assertEqual(c.register("skype", "bad", expires=300)[0].code, 401)
        self.assertTrue(s.alive())


FAKE_CLI = textwrap.dedent('''\
    #!%s
    import json, sys, time
    args = sys.argv[1:]
    if args and args[0] == "check":
        print(args[1] + ":3:5: error: bad", file=sys.stderr); sys.exit(1)
    def out(**kw):
        kw.setdefault("time", time.time()); print(json.dumps(kw), flush=True)
    if "--bad" in args:
        print("gw.xml:1:1: error: nope", file=sys.stderr); sys.exit(2)
    out(event="started", bind="127.0.0.1", udp_port=40000, tcp_port=40000, tls_port=None)
    base = dict(event="gateway_state", gateway="skype", status="DOWN", sip_code=0, phrase="",
                reason="none", expires=0, next_retry=-1, failures=0)
    out(**dict(base, state="TRYING", prev="UNREGED"))
    out(**dict(base, state="REGISTER", prev="TRYING", sip_code=200, phrase="OK"))
    out(**dict(base, state="REGED", prev="REGISTER", status="UP", sip_code=200, phrase="OK",
               expires=60, next_retry=45))
    print("not json", flush=True)
    for line in sys.stdin:
        if line.strip() == "status":
            out(event="gateway_status", gateway="skype", state="REGED", status="UP")
        if line.strip() == "quit":
            out(**dict(base, state="UNREGISTER", prev="REGED", status="UP", reason="request"))
            out(**dict(base, state="DOWN", prev="UNREGISTER", reason="request"))
            out(event="stopped"); sys.exit(0)
    ''') % sys.executable


class CliWrapperTest(ScTestCase):
    """The wrapper against a fake command (the real one is tested by the other files)."""
    needs_cli = False

    def fake(self, body=FAKE_CLI):
        p = os.path.join(self.tmp, "fake-skypeconnect")
        with open(p, "w") as f:
            f.write(body)
        os.chmod(p, 0o755)
        return p

    def test_wrapper_flow(self):
        fake = self.fake()
        gw = write_gateway(self.tmp, "skype", skype_gateway(5070, retry_seconds=5, ping=None))
        with open(gw) as f:
            xml = f.read()
        self.assertIn('<gateway name="skype">', xml)
        self.assertIn('<param name="retry-seconds" value="5"/>', xml)
        self.assertIn('<param name="contact-params" value=""/>', xml)
        self.assertIn('<param name="realm" value="127.0.0.1:5070"/>', xml)
        cli = ScCli([gw], workdir=self.tmp, cli=fake)
        self.addCleanup(cli.stop)
        cli.start()
        self.assertIn("--json", cli.argv())
        self.assertEqual(cli.wait_started(5)["udp_port"], 40000)
        ev = cli.wait_for(match(state="REGED", expires=lambda v: v > 0), 5)
        self.assertEqual(ev["prev"], "REGISTER")
        self.assertEqual(cli.states(), ["TRYING", "REGISTER", "REGED"])
        with self.assertRaises(AssertionError) as cm:
            cli.wait_for(match(state="FAILED"), 0.5)
        self.assertIn("REGED", str(cm.exception))      # failure lists the events seen
        cli.send("status")
        st = cli.wait_for(match(event="gateway_status"), 5)
        self.assertEqual(st["status"], "UP")
        self.assertEqual(self.assert_quit_clean(cli), 0)
        self.assertEqual(cli.other_stdout, ["not json"])

    def test_wrapper_kill_on_failure_and_exit_code(self):
        hang = self.fake("#!/bin/sh\nexec sleep 300\n")
        cli = ScCli(["x.xml"], workdir=self.tmp, cli=hang)
        cli.start()
        with self.assertRaises(AssertionError):
            cli.wait_started(0.5)
        t = time.monotonic()
        cli.stop()
        self.assertLess(time.monotonic() - t, 4)
        self.assertFalse(cli.proc.alive())
        bad = ScCli(["x.xml"], workdir=self.tmp, cli=self.fake(), extra_args=["--bad"])
        self.addCleanup(bad.stop)
        bad.start()
        self.assertEqual(bad.wait_exit(5), 2)
        self.assertEqual(bad.events, [])
        r = run_command(["check", "gw.xml"], cli=self.fake())
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"gw\.xml:3:5: error:")


if __name__ == "__main__":
    unittest.main()
