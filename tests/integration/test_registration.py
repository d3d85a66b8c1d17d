"""Registration against a Kamailio trunk (digest auth), driven through `skypeconnect run --json`.

Each test starts its own Kamailio on free loopback ports and its own command;
everything is killed by PID in the cleanups, also on failure.
"""
import re
import time
import unittest

from sctest.cli import match, skype_gateway
from sctest.netcheck import bound_addresses, non_loopback
from sctest.testcase import ScTestCase

REG_STATES = ("TRYING", "REGISTER", "REGED")


def real_transitions(events):
    """gateway_state events that change the state (drop status-only ones)."""
    return [e for e in events if e.get("state") != e.get("prev")]


class RegistrationTest(ScTestCase):

    def test_skype_connect_gateway_registers_and_unregisters(self):
        """1. The wiki's Skype Connect gateway: digest REGISTER -> REGED; Contact user =
        extension with gw=skype; `status`; `quit` -> UNREGISTER -> DOWN, un-REGISTER
        with expires 0 seen by the trunk, stopped, exit 0."""
        k = self.start_kamailio(users={"skype": "secret"})
        gw = self.gateway_file(skype_gateway(k.port))
        cli = self.start_cli([gw])
        udp_port = cli.started["udp_port"]

        trying = cli.wait_for(match(gateway="skype", state="TRYING"), 10)
        self.assertEqual(trying["prev"], "UNREGED", cli.describe())
        self.assert_event_fields(trying, cli)
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.assert_event_fields(reged, cli)
        self.assertEqual(reged["status"], "UP", cli.describe())
        self.assertEqual(reged["sip_code"], 200, cli.describe())
        self.assertEqual(reged["reason"], "none", cli.describe())
        self.assertEqual(reged["failures"], 0, cli.describe())
        self.assertEqual(reged["expires"], 3600, "granted lifetime (Kamailio grants the asked 3600)\n"
                         + cli.describe())
        self.assertTrue(0 < reged["next_retry"] < 3600, cli.describe())
        states = [e["state"] for e in real_transitions(cli.gateway_events("skype"))]
        self.assertEqual(states, ["TRYING", "REGISTER", "REGED"], cli.describe())

        # what the trunk saw: a challenge, then an authenticated REGISTER it saved
        saved = k.wait_count(1, 5, result="saved")
        self.assertTrue(saved, k.describe())
        first = k.registers()[0]
        self.assertEqual(first["auth"], "no", k.describe())
        r = saved[0]
        self.assertEqual(r["user"], "skype")
        self.assertEqual(r["proto"], "udp")
        self.assertEqual(r["from"], "sip:skype@127.0.0.1:%d" % k.port, "From = from-user@from-domain")
        self.assertTrue(r["ruri"].startswith("sip:127.0.0.1:%d" % k.port), "R-URI = proxy: %s" % r["ruri"])
        m = re.match(r"<sip:([^@>]+)@127\.0\.0\.1:(\d+)([^>]*)>", r["ct"])
        self.assertIsNotNone(m, "Contact %r" % r["ct"])
        self.assertEqual(m.group(1), "skype", "Contact user = extension (extension-in-contact)")
        self.assertEqual(int(m.group(2)), udp_port, "Contact port = the bound UDP port")
        self.assertRegex(m.group(3), r";gw=skype(;|$)", "gw=NAME URI param in Contact")
        self.assertEqual(r["src"].split(":")[0], "127.0.0.1")

        cli.send("status")
        st = cli.wait_for(match(event="gateway_status", gateway="skype"), 5)
        self.assertEqual((st["state"], st["status"]), ("REGED", "UP"), cli.describe())

        # --bind 127.0.0.1:0: nothing bound outside loopback, the reported ports are real
        bound = bound_addresses(cli.proc.pid)
        self.assertFalse(non_loopback(cli.proc.pid), "sockets outside 127.0.0.1: %s" % bound)
        self.assertIn(("udp", "127.0.0.1", udp_port), bound)
        self.assertIn(("tcp", "127.0.0.1", cli.started["tcp_port"]), bound)

        t_quit = time.monotonic()
        self.assert_quit_clean(cli, gateways=("skype",))
        unreg = k.wait_record(lambda r: r.get("method") == "REGISTER" and
                              (r.get("expires") == "0" or re.search(r"expires=0(\D|$)", r.get("ct", ""))),
                              5, since=t_quit)
        self.assertIsNotNone(unreg, "no un-REGISTER (Expires: 0) after quit\n" + k.describe())
        self.assertTrue(k.registers(since=t_quit, result="saved"),
                        "the un-REGISTER was not accepted\n" + k.describe())

    def test_refresh_before_expiry(self):
        """2. expire-seconds 20: a second REGED comes before the 20 s lifetime ends,
        with only TRYING/REGISTER/REGED in between."""
        k = self.start_kamailio(min_expires=10)
        gw = self.gateway_file(skype_gateway(k.port, expire_seconds=20, retry_seconds=5))
        cli = self.start_cli([gw])
        first = cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.assertEqual(first["expires"], 20, cli.describe())
        self.assertTrue(0 < first["next_retry"] < 20, cli.describe())
        left = first["_t"] + 20 - time.monotonic()
        second = cli.wait_for(match(gateway="skype", state="REGED"), max(left, 0.1),
                              what="a refreshed REGED within 20 s of the first")
        self.assertEqual(second["status"], "UP")
        between = real_transitions(cli.gateway_events("skype", first["_idx"] + 1))
        between = [e for e in between if e["_idx"] <= second["_idx"]]
        self.assertTrue(all(e["state"] in REG_STATES for e in between),
                        "unexpected state during refresh\n" + cli.describe())
        self.assertTrue(all(e["status"] == "UP" for e in cli.gateway_events("skype", first["_idx"])
                            if e["_idx"] <= second["_idx"]),
                        "status must stay UP during a refresh\n" + cli.describe())
        self.assertGreaterEqual(len(k.wait_count(2, 5, result="saved")), 2, k.describe())
        self.assert_quit_clean(cli)

    def test_wrong_password_backs_off(self):
        """3. Wrong password: FAILED reason auth, FAIL_WAIT next_retry >= 60; at most
        4 REGISTERs reach the trunk in 40 s (no hammering), never REGED."""
        k = self.start_kamailio(users={"skype": "secret"})
        gw = self.gateway_file(skype_gateway(k.port, password="not-the-password"))
        t0 = time.monotonic()
        cli = self.start_cli([gw])
        failed = cli.wait_for(match(gateway="skype", state="FAILED"), 20)
        self.assert_event_fields(failed, cli)
        self.assertEqual(failed["reason"], "auth", cli.describe())
        self.assertIn(failed["sip_code"], (401, 403, 407), cli.describe())
        self.assertGreaterEqual(failed["failures"], 1, cli.describe())
        wait = cli.wait_for(match(gateway="skype", state="FAIL_WAIT"), 5)
        self.assertEqual(wait["status"], "DOWN", cli.describe())
        self.assertGreaterEqual(wait["next_retry"], 60, "auth failures must back off >= 60 s\n"
                                + cli.describe())
        # watch the trunk for 40 s from the start
        time.sleep(max(0.0, t0 + 40 - time.monotonic()))
        regs = k.registers(since=t0, until=t0 + 40)
        self.assertLessEqual(len(regs), 4, "REGISTERs in 40 s:\n" + k.describe())
        self.assertGreaterEqual(len(regs), 2, k.describe())
        self.assertFalse(k.registers(result="saved"), k.describe())
        self.assertIsNone(cli.find(match(state="REGED")), cli.describe())
        # quit from FAIL_WAIT: DOWN (reason request), stopped, exit 0
        self.assert_quit_clean(cli, registered=False)
        self.assert_last_state_down(cli)

    def test_registrar_restart_recovers(self):
        """4. Trunk killed and restarted on the same port: the gateway leaves REGED
        (TIMEOUT/FAILED/...) and is REGED again by itself within ~40 s of the restart."""
        k = self.start_kamailio(min_expires=10)
        gw = self.gateway_file(skype_gateway(k.port, expire_seconds=20, retry_seconds=5,
                                             timeout_seconds=10))
        cli = self.start_cli([gw])
        cli.wait_for(match(gateway="skype", state="REGED"), 15)
        port = k.port
        k.kill()
        # the next refresh (< 20 s) fails: no answer or ICMP unreachable
        left = cli.wait_for(match(gateway="skype",
                                  state=lambda s: s in ("FAILED", "TIMEOUT", "EXPIRED", "FAIL_WAIT")),
                            45, what="the gateway leaving REGED after the trunk died")
        self.assertIn(left["reason"], ("timeout", "network", "server"), cli.describe())
        if left["state"] in ("FAILED", "FAIL_WAIT", "EXPIRED"):
            self.assertEqual(left["status"], "DOWN", cli.describe())
        # stay down long enough for one more attempt to fail (backoff grows)
        cli.wait_for(match(gateway="skype", state="TRYING"), 30, what="a retry while the trunk is down")
        again = cli.wait_for(match(gateway="skype", state=lambda s: s in ("FAILED", "TIMEOUT")), 20,
                             what="the retry failing while the trunk is down")
        self.assertGreaterEqual(cli.wait_for(match(gateway="skype", state="FAILED"), 15,
                                             after=again["_idx"])["failures"], 2, cli.describe())
        k.start()
        self.assertEqual(k.port, port)
        t_restart = time.monotonic()
        back = cli.wait_for(match(gateway="skype", state="REGED"), 45,
                            what="REGED again after the trunk restarted")
        self.assertLessEqual(back["_t"] - t_restart, 42, cli.describe())
        self.assertEqual(back["status"], "UP")
        self.assertEqual(back["failures"], 0, cli.describe())
        self.assertTrue(k.wait_count(1, 5, since=t_restart, result="saved"), k.describe())
        self.assert_quit_clean(cli)

    def test_tcp_transport(self):
        """10. register-transport tcp: REGED, and the trunk got the REGISTER over TCP."""
        k = self.start_kamailio()
        gw = self.gateway_file(skype_gateway(k.port, register_transport="tcp"))
        cli = self.start_cli([gw])
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.assertEqual(reged["sip_code"], 200)
        saved = k.wait_count(1, 5, result="saved")
        self.assertTrue(saved, k.describe())
        self.assertEqual(saved[0]["proto"], "tcp", k.describe())
        self.assertTrue(all(r["proto"] == "tcp" for r in k.registers()), k.describe())
        self.assertIn("transport=tcp", saved[0]["ct"], "Contact must ask for TCP")
        t_quit = time.monotonic()
        self.assert_quit_clean(cli)
        unreg = k.wait_record(lambda r: r.get("method") == "REGISTER" and r.get("proto") == "tcp"
                              and (r.get("expires") == "0" or "expires=0" in r.get("ct", "")),
                              5, since=t_quit)
        self.assertIsNotNone(unreg, k.describe())

    def test_register_proxy_is_the_next_hop(self):
        """register-proxy sip:<trunk>;transport=tcp with register-transport udp: every
        REGISTER (the challenged one, the one with credentials, the un-REGISTER) goes to
        the register proxy, over TCP. Given on the REGISTER's
        handle, Sofia ignored it and sent everything over UDP to the proxy param's host.
        The TCP connection's own port in rport is no NAT: the Contact stays our UDP
        listening port (taken for one, it went into a UDP Contact, registered at once
        in a third REGISTER, where nothing listens)."""
        from sctest.ports import free_port
        port = free_port(udp=True, tcp=True)
        k = self.start_kamailio(port=port)
        gw = self.gateway_file(skype_gateway(k.port, register_proxy="sip:127.0.0.1:%d;transport=tcp" % port))
        cli = self.start_cli([gw])
        cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.assertTrue(k.wait_count(1, 5, result="saved"), k.describe())
        time.sleep(1.5)   # a re-REGISTER for a NAT came 0.1 s after REGED
        self.assertEqual({r["proto"] for r in k.registers()}, {"tcp"}, k.describe())
        self.assertEqual([r["result"] for r in k.registers()], ["challenge", "saved"], k.describe())
        self.assertEqual({r["ct"] for r in k.registers()},
                         {"<sip:skype@127.0.0.1:%d;transport=udp;gw=skype>" % cli.started["udp_port"]}, k.describe())
        t_quit = time.monotonic()
        self.assert_quit_clean(cli)
        unreg = k.wait_record(lambda r: r.get("method") == "REGISTER" and (r.get("expires") == "0" or
                              "expires=0" in r.get("ct", "")), 5, since=t_quit)
        self.assertIsNotNone(unreg, k.describe())
        self.assertEqual(unreg["proto"], "tcp", k.describe())

    def test_unregister_register_commands_and_sigterm(self):
        """Stdin `unregister GW` -> UNREGISTER -> DOWN (reason request, trunk sees expires 0);
        `register GW` -> TRYING -> REGED; SIGTERM behaves as quit (DOWN, stopped, exit 0)."""
        import signal
        k = self.start_kamailio()
        cli = self.start_cli([self.gateway_file(skype_gateway(k.port, retry_seconds=5))])
        cli.wait_for(match(gateway="skype", state="REGED"), 15)
        # Kamailio logs a REGISTER after it has answered it: wait for the record
        # of the saved registration so it cannot land after the mark below.
        self.assertIsNotNone(k.wait_record(lambda r: r.get("method") == "REGISTER" and
                                           r.get("result") == "saved", 5), k.describe())
        t_unreg = time.monotonic()
        cli.send("unregister skype")
        cli.wait_for(match(gateway="skype", state="UNREGISTER"), 10)
        down = cli.wait_for(match(gateway="skype", state="DOWN"), 10)
        self.assertEqual((down["status"], down["reason"]), ("DOWN", "request"), cli.describe())
        self.assertIsNotNone(k.wait_record(lambda r: r.get("method") == "REGISTER" and
                                           r.get("expires") == "0", 5, since=t_unreg), k.describe())
        # DOWN means nothing more is sent: no REGISTER for a while
        time.sleep(3)
        self.assertEqual(len(k.registers(since=t_unreg)), len(k.registers(since=t_unreg, expires="0")),
                         k.describe())
        cli.send("register skype")
        cli.wait_for(match(gateway="skype", state="TRYING"), 10)
        cli.wait_for(match(gateway="skype", state="REGED", status="UP"), 15)
        mark = len(cli.events)
        cli.proc.signal(signal.SIGTERM)
        rc = cli.wait_exit(45)
        cli.wait_for(match(gateway="skype", state="DOWN", reason="request"), 1, after=mark)
        cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertEqual(rc, 0, cli.describe())

    def test_two_gateways(self):
        """Two gateways (two accounts, two files) register independently; Contacts carry
        their own gw=NAME; quit unregisters both."""
        k = self.start_kamailio(users={"skype": "secret", "bob": "pw2"})
        g1 = self.gateway_file(skype_gateway(k.port), name="skype")
        g2 = self.gateway_file(skype_gateway(k.port, user="bob", password="pw2"), name="other")
        cli = self.start_cli([g1, g2])
        for gw in ("skype", "other"):
            ev = cli.wait_for(match(gateway=gw, state="REGED"), 15, after=0)
            self.assertEqual(ev["status"], "UP", cli.describe())
        saved = k.wait_count(2, 5, result="saved")
        cts = {r["user"]: r["ct"] for r in saved}
        self.assertRegex(cts.get("skype", ""), r"^<sip:skype@[^>]*;gw=skype(;|>)", k.describe())
        self.assertRegex(cts.get("bob", ""), r"^<sip:bob@[^>]*;gw=other(;|>)", k.describe())
        cli.send("status")
        names = {cli.wait_for(match(event="gateway_status"), 5)["gateway"] for _ in range(2)}
        self.assertEqual(names, {"skype", "other"})
        self.assert_quit_clean(cli, gateways=("skype", "other"))


if __name__ == "__main__":
    unittest.main()
