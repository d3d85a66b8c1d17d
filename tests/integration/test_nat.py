"""Real networks: the command in a LAN behind a Linux NAT, the trunk on another host.

Built per test by sctest.netns (root only; skipped with the reason otherwise):
the command runs in the LAN namespace (10.77.0.2) with no --bind; Kamailio
(the trunk) and SIPp (the PSTN) run in the internet namespace (203.0.113.10);
the router between them MASQUERADEs with a short UDP conntrack timeout and
random public ports. Two providers: one that fixes NATed Contacts from the
source address (fix_nated_register, fix_nated_contact) and one that keeps the
Contact exactly as sent, so only a Contact with our public address works.
"""
import os
import time
import unittest

from sctest import audio
from sctest.calls import CallTestCase, ACCOUNT, PASSWORD
from sctest.cli import ScCli, match, skype_gateway
from sctest.kamailio import Kamailio
from sctest.netcheck import bound_addresses, non_loopback
from sctest.netns import nat_for_test
from sctest.procs import ManagedProcess
from sctest.sipp import Sipp

# short, so that "idle for three mapping lifetimes" stays a short test
UDP_TIMEOUT = 8
# keepalive for the tests (ping, FreeSWITCH's minimum is 5 s): under UDP_TIMEOUT
KEEPALIVE = 5


class NatTestCase(CallTestCase):
    def setUp(self):
        super().setUp()
        self.net = nat_for_test(self, udp_timeout=UDP_TIMEOUT)

    def provider(self, nat_fix):
        n = self.net
        k = Kamailio(os.path.join(self.tmp, "kamailio"), net=n, netns=n.inet, addr=n.inet_host,
                     realm=n.inet_host, nat_fix=nat_fix, users={ACCOUNT: PASSWORD}, port=5060,
                     pstn_port=5090)
        self.addCleanup(k.stop)
        k.start()
        return k

    def nat_cli(self, k, transport="udp", cli_args=(), **gw):
        n = self.net
        params = skype_gateway(k.port, host=n.inet_host, register_transport=transport, **gw)
        gwfile = self.gateway_file(params)
        cli = ScCli([gwfile], bind=None, workdir=self.tmp, prefix=n.argv_in(n.lan, []),
                    extra_args=list(cli_args))
        self.addCleanup(cli.stop)
        if os.environ.get("SC_TRACE"):
            self.addCleanup(lambda: print("\n[sctest] %s\n%s" % (self.id(), cli.describe())))
        cli.start()
        cli.wait_started(15)
        return cli

    def status(self, cli, gateway="skype"):
        mark = len(cli.events)
        cli.send("status")
        return cli.wait_for(match(event="gateway_status", gateway=gateway), 10, after=mark)

    def wait_public_contact(self, k, since=None, timeout=20, other_than=None):
        """The REGISTER the trunk saved with our public address in the Contact
        (first in it, other than the Contact other_than)."""
        pub = self.net.wan_router

        def ct(r):
            return r.get("ct", "").split(",")[0]
        rec = k.wait_record(lambda r: r.get("method") == "REGISTER" and r.get("result") == "saved"
                            and ct(r).startswith("<sip:%s@%s:" % (ACCOUNT, pub))
                            and ct(r) != other_than, timeout, since=since)
        self.assertIsNotNone(rec, "no REGISTER with the public address in Contact\n" + k.describe())
        return rec

    def pstn_caller(self, k, scenario="call_uac_bye", **kw):
        """A SIPp UAC on the internet side calling our account through the trunk."""
        n = self.net
        s = Sipp(scenario, os.path.join(self.tmp, "sipp"), remote="%s:%d" % (n.inet_host, k.port),
                 keys={"caller": "4930111", "caller_name": "Alice"}, service=ACCOUNT, max_calls=1,
                 timeout=60, local_ip=n.inet_host2, port=5070, net=n, netns=n.inet, **kw)
        self.addCleanup(s.stop)
        s.start()
        return s

    # ---- the scenarios, for UDP and TCP ----
    def _inbound_after_idle(self, nat_fix, transport="udp"):
        k = self.provider(nat_fix)
        cli = self.nat_cli(k, transport=transport, cli_args=["--on-incoming", "answer"],
                           ping=KEEPALIVE)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        # three mapping lifetimes without any call: only the keepalive holds the NAT open
        time.sleep(3 * UDP_TIMEOUT)
        uac = self.pstn_caller(k, duration_ms=500)
        inc = self.wait_incoming(cli, 15)
        self.wait_call(cli, inc["call"], "answered")
        self.assert_sipp_ok(uac, 30)
        self.assert_ended(cli, inc["call"], "NORMAL_CLEARING", "remote")
        self.assert_quit_clean(cli)

    def _dial_out(self, nat_fix, transport="udp"):
        n = self.net
        k = self.provider(nat_fix)
        uas = Sipp("call_uas_answer_bye", os.path.join(self.tmp, "sipp"), port=k.pstn_port,
                   local_ip=n.inet_host, timeout=60, duration_ms=800, net=n, netns=n.inet)
        self.addCleanup(uas.stop)
        uas.start()
        cli = self.nat_cli(k, transport=transport, dial_prefix="00")
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        call = self.dial(cli, "004930123456")
        self.wait_call(cli, call, "answered")
        # the PSTN's BYE comes back through the trunk to our Contact, through the NAT
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", 200)
        self.wait_sipp_event(uas, "bye_ok")
        inv = uas.received_requests("INVITE")
        self.assertEqual(len(inv), 1, uas.describe())
        self.assertIn("@%s:" % n.wan_router, inv[0].header("Contact") or "",
                      "the INVITE's Contact is our public address (or the trunk's fix)")
        self.assert_quit_clean(cli)

    def _recovers_from_rebinding(self, nat_fix, transport="udp"):
        n = self.net
        k = self.provider(nat_fix)
        cli = self.nat_cli(k, transport=transport, cli_args=["--on-incoming", "answer"],
                           ping=KEEPALIVE)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        first = self.wait_public_contact(k)
        before = self.status(cli)["public_address"]
        # the router forgets every mapping: our next packet leaves from another public port
        t_flush = time.monotonic()
        n.flush_conntrack()
        # one keepalive interval (plus slack) to notice and register again
        rec = self.wait_public_contact(k, since=t_flush, timeout=KEEPALIVE + 6, other_than=first["ct"])
        self.assertIn("expires=0", rec["ct"], "the old Contact is removed with the new one\n"
                      + k.describe())
        self.assertLessEqual(rec["_t"] - t_flush, KEEPALIVE + 4, k.describe())
        after = self.status(cli)["public_address"]
        self.assertNotEqual(before, after, cli.describe())
        uac = self.pstn_caller(k, duration_ms=500)
        inc = self.wait_incoming(cli, 15)
        self.wait_call(cli, inc["call"], "answered")
        self.assert_sipp_ok(uac, 30)
        # the old binding was removed with the new REGISTER: one Contact only
        self.assertEqual(len(k.relayed_invites("in")), 1, k.describe())
        self.assert_quit_clean(cli)


class RegistrationTest(NatTestCase):
    def _registers_behind_nat(self, nat_fix):
        k = self.provider(nat_fix)
        cli = self.nat_cli(k)
        self.assertEqual(cli.started.get("bind"), "0.0.0.0", "every interface\n" + cli.describe())
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        # every interface, IPv4 and IPv6 (the namespace has ::1), one port
        bound = {(p, ip) for p, ip, port in bound_addresses(cli.proc.pid) if port == cli.started["udp_port"]}
        for want in (("udp", self.net.lan_host), ("tcp", self.net.lan_host), ("udp", "127.0.0.1"),
                     ("udp6", "::1")):
            self.assertIn(want, bound, bound)
        st = self.status(cli)
        self.assertTrue(st.get("nat"), cli.describe())
        self.assertTrue(st.get("local_address", "").startswith(self.net.lan_host + ":"), st)
        self.assertTrue(st.get("public_address", "").startswith(self.net.wan_router + ":"), st)
        self.assertIn("@%s:" % self.net.wan_router, st.get("contact", ""), st)
        self.assertEqual(st.get("keepalive"), 20, "default keepalive behind NAT\n" + cli.describe())
        self.assert_quit_clean(cli)

    def test_registers_without_bind_fixing_provider(self):
        """No --bind: listens on all interfaces, Contact with the LAN address first; the
        200 says received=router → registers again with the public address; status
        shows local/public address, nat true, the default keepalive."""
        self._registers_behind_nat(True)

    def test_registers_without_bind_keeping_provider(self):
        self._registers_behind_nat(False)


class InboundAfterIdleTest(NatTestCase):
    def test_without_keepalive_the_mapping_expires(self):
        """The control: with nat-options-ping=false and no ping, the same idle
        leaves the NAT without a mapping and the provider's INVITE is lost (so the
        tests below prove the keepalive, not a NAT that never forgets)."""
        k = self.provider(True)
        cli = self.nat_cli(k, cli_args=["--on-incoming", "answer"], nat_options_ping=False)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        self.assertEqual(self.status(cli).get("keepalive"), 0, cli.describe())
        time.sleep(UDP_TIMEOUT + 4)
        uac = self.pstn_caller(k, duration_ms=500)
        with self.assertRaises(AssertionError):
            self.wait_incoming(cli, 12)
        uac.stop()
        self.assertEqual(len(k.relayed_invites("in")), 1, k.describe())


    def test_inbound_after_idle_fixing_provider(self):
        self._inbound_after_idle(True)

    def test_inbound_after_idle_keeping_provider(self):
        self._inbound_after_idle(False)


class MediaAddressTest(NatTestCase):
    """With media and no --bind behind NAT, the answer's SDP names the public
    address SIP learned (FreeSWITCH's ext-rtp-ip auto-nat), not the LAN address
    nor loopback; ext-rtp-ip given as an address wins."""

    def answer_sdp_address(self, **gw):
        k = self.provider(True)
        cli = self.nat_cli(k, cli_args=["--on-incoming", "answer", "--media"], ping=KEEPALIVE, **gw)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        uac = self.pstn_caller(k, duration_ms=300)
        inc = self.wait_incoming(cli, 15)
        self.wait_call(cli, inc["call"], "answered")
        rec = self.wait_sipp_event(uac, "answered", 15)
        self.assert_sipp_ok(uac, 30)
        self.assert_quit_clean(cli)
        return rec.get("cip")

    def test_sdp_names_the_public_address(self):
        self.assertEqual(self.answer_sdp_address(), self.net.wan_router)

    def test_ext_rtp_ip_given_wins(self):
        self.assertEqual(self.answer_sdp_address(ext_rtp_ip="198.51.100.77"), "198.51.100.77")


class PacketLossTest(NatTestCase):
    """5 % random loss on the path, in the router's namespace: the PSTN caller's
    RTP (4 s of an 800 Hz G.711 tone) crosses a kernel rule that drops each
    packet with probability 0.05 (iptables statistic: this kernel has no
    sch_netem, and the rule loses packets at random as netem's loss does).
    The call goes on to the caller's BYE, the recording holds the tone less
    what was lost, and media_stats counts as lost what the router dropped."""

    LOSS = 0.05
    TONE_MS = 4000

    def setUp(self):
        CallTestCase.setUp(self)
        # the NAT keeps our RTP port: the caller (no symmetric RTP of its own)
        # sends to the port our SDP names, and the mapping our RTP made matches
        self.net = nat_for_test(self, udp_timeout=UDP_TIMEOUT, random_ports=False)

    def dropped(self, n):
        out = n.run(n.router, ["iptables", "-L", "FORWARD", "-v", "-n", "-x"]).stdout
        for line in out.splitlines():
            if "statistic" in line and "DROP" in line:
                return int(line.split()[0])
        self.fail("no loss rule in the router:\n" + out)

    def test_five_percent_loss_the_call_goes_on(self):
        n = self.net
        k = self.provider(True)
        cli = self.nat_cli(k, cli_args=["--on-incoming", "answer", "--media"], ping=KEEPALIVE)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        # only the caller's RTP crosses the router from INET_HOST2 (its SIP goes to the trunk next to it)
        n.run(n.router, ["iptables", "-A", "FORWARD", "-p", "udp", "-s", n.inet_host2, "-m", "statistic",
                         "--mode", "random", "--probability", str(self.LOSS), "-j", "DROP"])
        os.makedirs(os.path.join(self.tmp, "sipp"), exist_ok=True)
        audio.write_tone_ulaw(os.path.join(self.tmp, "sipp", "tone.ulaw"), 800, self.TONE_MS)
        rec = os.path.join(self.tmp, "lossy.wav")
        uac = self.pstn_caller(k, scenario="call_uac_rtp_stream", duration_ms=self.TONE_MS + 500)
        call = self.wait_incoming(cli, 15)["call"]
        cli.send("record %d %s" % (call, rec))
        cli.wait_for(match(event="media_state", call=call, state="up"), 10, after=0)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", timeout=30)
        self.assert_sipp_ok(uac, 30)
        stats = cli.wait_for(match(event="media_stats", call=call), 2, after=0)
        dropped = self.dropped(n)
        packets = self.TONE_MS // 20
        what = "router dropped %d of %d; stats %s" % (dropped, packets, stats)
        # 200 packets at p=0.05: 0 drops has probability 3e-5, over 25 about 1e-5
        self.assertGreaterEqual(dropped, 1, what)
        self.assertLessEqual(dropped, 25, what)
        # the jitter buffer counts a gap by sequence number: a drop among the
        # last packets (no later packet shows the gap) is not counted
        self.assertLessEqual(stats["packets_lost"], dropped, what)
        self.assertGreaterEqual(stats["packets_lost"], dropped - 3, what)
        self.assertGreaterEqual(stats["packets_received"], packets - dropped - 3, what)
        rate, samples = audio.read_wav(rec)
        heard = audio.tone_seconds(samples, rate, 800)
        what += "; " + audio.describe(samples, rate, 800)
        self.assertGreater(audio.dominance(samples, rate, 800), 10.0, what)
        self.assertGreater(heard, self.TONE_MS / 1000.0 * (1 - 3 * self.LOSS) - 0.2, what)
        self.assertLess(heard, self.TONE_MS / 1000.0 + 0.2, what)
        self.assert_quit_clean(cli)


class CrlfKeepaliveTest(NatTestCase):
    """tcp-keepalive (FreeSWITCH's name, milliseconds): CRLF keepalives alone
    hold the mapping open, with the keepalive OPTIONS off (nat-options-ping=false,
    no ping): the control above shows the same idle loses the call without them."""

    def setUp(self):
        CallTestCase.setUp(self)
        # TCP too: an established connection's mapping expires like a UDP one
        self.net = nat_for_test(self, udp_timeout=UDP_TIMEOUT, tcp_timeout=UDP_TIMEOUT)

    def _inbound_after_idle_crlf(self, transport):
        k = self.provider(False)
        cli = self.nat_cli(k, transport=transport, cli_args=["--on-incoming", "answer"],
                           nat_options_ping=False, tcp_keepalive=KEEPALIVE * 1000)
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        self.wait_public_contact(k)
        st = self.status(cli)
        self.assertEqual((st.get("keepalive"), st.get("keepalive_method")), (KEEPALIVE, "crlf"), st)
        time.sleep(3 * UDP_TIMEOUT)
        uac = self.pstn_caller(k, duration_ms=500)
        inc = self.wait_incoming(cli, 15)
        self.wait_call(cli, inc["call"], "answered")
        self.assert_sipp_ok(uac, 30)
        self.assertEqual(k.options(), [], "no OPTIONS reached the trunk: CRLF alone\n" + k.describe())
        self.assert_quit_clean(cli)

    def test_udp_crlf_holds_the_mapping(self):
        self._inbound_after_idle_crlf("udp")

    def test_tcp_crlf_holds_the_mapping(self):
        self._inbound_after_idle_crlf("tcp")


class DialOutTest(NatTestCase):
    def test_dial_out_fixing_provider(self):
        self._dial_out(True)

    def test_dial_out_keeping_provider(self):
        self._dial_out(False)


class RebindingTest(NatTestCase):
    def test_rebinding_fixing_provider(self):
        self._recovers_from_rebinding(True)

    def test_rebinding_keeping_provider(self):
        self._recovers_from_rebinding(False)


class TcpTest(NatTestCase):
    """The same over TCP: inbound calls come over the registration's own
    connection (the trunk reuses it for the public Contact); a flushed NAT
    breaks that connection, the keepalive opens a new one and we register again."""

    def test_tcp_registers_without_bind(self):
        k = self.provider(False)
        cli = self.nat_cli(k, transport="tcp")
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        rec = self.wait_public_contact(k)
        self.assertEqual(rec["proto"], "tcp", rec)
        self.assertIn("transport=tcp", rec["ct"], rec)
        self.assert_quit_clean(cli)

    def test_tcp_inbound_after_idle_fixing_provider(self):
        self._inbound_after_idle(True, "tcp")

    def test_tcp_inbound_after_idle_keeping_provider(self):
        self._inbound_after_idle(False, "tcp")

    def test_tcp_dial_out(self):
        self._dial_out(False, "tcp")

    def test_tcp_rebinding_keeping_provider(self):
        self._recovers_from_rebinding(False, "tcp")

    def test_tcp_register_proxy_for_a_udp_contact(self):
        """register-proxy ;transport=tcp with register-transport udp: the TCP
        connection's public port says nothing of a UDP mapping. The Contact gets the
        public address with our own UDP port (not the connection's, which nothing
        listens on over UDP), and the log names the mismatch and the way out."""
        n = self.net
        k = self.provider(False)
        cli = self.nat_cli(k, register_proxy="sip:%s:%d;transport=tcp" % (n.inet_host, k.port))
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        rec = self.wait_public_contact(k)
        self.assertEqual(rec["proto"], "tcp", rec)
        self.assertIn("@%s:%d;transport=udp" % (n.wan_router, cli.started["udp_port"]), rec["ct"].split(",")[0],
                      k.describe())
        self.assertIn("set register-transport to the register-proxy's transport", cli.stderr_tail(80))
        self.assert_quit_clean(cli)


def stun_server_binary():
    """tests/stun/sc_stun_server next to the command under test (build tree)."""
    cli = os.environ.get("SC_CLI", "")
    build = os.environ.get("SC_BUILD_DIR") or os.path.dirname(os.path.dirname(cli))
    return os.path.join(build, "tests", "stun", "sc_stun_server")


class ExtSipIpTest(NatTestCase):
    def stun_server(self):
        """Sofia's stun_mini on the internet side (tests/stun/sc_stun_server)."""
        exe = stun_server_binary()
        if not os.path.exists(exe):
            self.skipTest("%s not built" % exe)
        n = self.net
        stun = ManagedProcess(n.argv_in(n.inet, [exe, n.inet_host2, 3478, 120]), name="stun")
        self.addCleanup(stun.stop)
        self.assertIsNotNone(stun.wait_line(lambda t: t == "ready", 5), stun.tail())
        return stun

    def test_stun(self):
        """ext-sip-ip=stun:HOST:PORT: Sofia's STUN client asks a STUN server (Sofia's
        stun_mini) on the internet side; the Contact gets the router's address with
        our own port, as FreeSWITCH's ext-sip-ip=stun: does."""
        n = self.net
        stun = self.stun_server()
        k = self.provider(True)
        cli = self.nat_cli(k, ext_sip_ip="stun:%s:3478" % n.inet_host2)
        port = cli.started["udp_port"]
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        want = "<sip:%s@%s:%d;" % (ACCOUNT, n.wan_router, port)
        rec = k.wait_record(lambda r: r.get("result") == "saved" and r.get("ct", "").startswith(want), 10)
        self.assertIsNotNone(rec, "no REGISTER with %s\n%s\n%s" % (want, k.describe(), stun.tail()))
        self.assertIsNotNone(stun.wait_line(lambda t: t.startswith("request from %s:" % n.wan_router), 1),
                             stun.tail())
        self.assert_quit_clean(cli)

    def test_stun_server_by_name(self):
        """A STUN server given by name (here from the namespace's own hosts file):
        looked up off the stack thread, then asked as by address."""
        n = self.net
        stun = self.stun_server()
        n.hosts_entry(n.lan, "stun.sc-test", n.inet_host2)
        k = self.provider(True)
        cli = self.nat_cli(k, ext_sip_ip="stun:stun.sc-test:3478")
        port = cli.started["udp_port"]
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        want = "<sip:%s@%s:%d;" % (ACCOUNT, n.wan_router, port)
        rec = k.wait_record(lambda r: r.get("result") == "saved" and r.get("ct", "").startswith(want), 10)
        self.assertIsNotNone(rec, "no REGISTER with %s\n%s\n%s" % (want, k.describe(), stun.tail()))
        self.assert_quit_clean(cli)

    def test_slow_dns_does_not_hold_the_session(self):
        """A STUN server name that DNS takes long to answer (queries dropped: 15 s
        to fail) is looked up off the stack thread: the gateway registers
        meanwhile, before the lookup gives up (Sofia's own STUN client would
        have resolved it on the stack thread, holding everything for 15 s)."""
        n = self.net
        n.silent_dns(n.lan, timeout_s=5, attempts=3)
        k = self.provider(True)
        cli = self.nat_cli(k, ext_sip_ip="stun:stun.unanswered.sc-test:3478")
        cli.wait_for(match(gateway="skype", state="REGED"), 10, after=0)
        self.assertNotIn("stun.unanswered.sc-test", cli.stderr_tail(80),
                         "registered before the lookup ended\n" + cli.describe())
        st = self.status(cli)
        self.assertEqual(st.get("state"), "REGED", st)
        # the lookup ends in its own time and says so
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "host name does not resolve" not in cli.stderr_tail(80):
            time.sleep(0.5)
        self.assertIn("STUN server stun.unanswered.sc-test: host name does not resolve", cli.stderr_tail(80))
        self.assert_quit_clean(cli)

    def test_stun_notices_a_new_public_address(self):
        """The STUN query is made again every keepalive interval: when the router
        gets another public address, the gateway registers again with it within
        one interval (the old Contact removed), and inbound calls reach it."""
        n = self.net
        stun = self.stun_server()
        k = self.provider(False)
        cli = self.nat_cli(k, cli_args=["--on-incoming", "answer"],
                           ext_sip_ip="stun:%s:3478" % n.inet_host2, ping=KEEPALIVE)
        port = cli.started["udp_port"]
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        first = "<sip:%s@%s:%d;" % (ACCOUNT, n.wan_router, port)
        self.assertIsNotNone(k.wait_record(lambda r: r.get("result") == "saved"
                                           and r.get("ct", "").startswith(first), 10), k.describe())
        t_move = time.monotonic()
        n.renumber_wan(n.wan_router2)
        want = "<sip:%s@%s:%d;" % (ACCOUNT, n.wan_router2, port)
        rec = k.wait_record(lambda r: r.get("result") == "saved" and r.get("ct", "").startswith(want),
                            KEEPALIVE + 6, since=t_move)
        self.assertIsNotNone(rec, "no REGISTER with %s\n%s\n%s" % (want, k.describe(), stun.tail()))
        self.assertIn("expires=0", rec["ct"], "the old Contact is removed\n" + k.describe())
        self.assertLessEqual(rec["_t"] - t_move, KEEPALIVE + 4, k.describe())
        self.assertIsNotNone(stun.wait_line(lambda t: t.startswith("request from %s:" % n.wan_router2), 1),
                             stun.tail())
        uac = self.pstn_caller(k, duration_ms=500)
        inc = self.wait_incoming(cli, 15)
        self.wait_call(cli, inc["call"], "answered")
        self.assert_sipp_ok(uac, 30)
        self.assert_quit_clean(cli)

    def test_literal(self):
        """ext-sip-ip=ADDRESS: the Contact carries it (with our port) from the first
        REGISTER on, whatever the registrar says."""
        k = self.provider(True)
        cli = self.nat_cli(k, ext_sip_ip="198.51.100.7")
        cli.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        want = "<sip:%s@198.51.100.7:%d;" % (ACCOUNT, cli.started["udp_port"])
        regs = [r for r in k.wait_count(2, 5, result="saved")]
        self.assertTrue(regs and all(r["ct"].startswith(want) for r in regs), k.describe())
        self.assertTrue(self.status(cli).get("nat"), cli.describe())
        self.assert_quit_clean(cli)


class FailureCasesTest(NatTestCase):
    """A registration that cannot reach the trunk says which case it is."""

    def _failed(self, cli):
        ev = cli.wait_for(match(gateway="skype", state="FAILED"), 30, after=0)
        return ev

    def test_no_route(self):
        k = self.provider(True)
        self.net.run(self.net.lan, ["ip", "route", "del", "default"])
        cli = self.nat_cli(k)
        ev = self._failed(cli)
        self.assertEqual(ev["reason"], "network", cli.describe())
        self.assertIn("No route to %s" % self.net.inet_host, ev["phrase"], cli.describe())
        # Sofia has been seen spinning on "Network is unreachable" and never
        # finishing its shutdown: the command must still quit at once
        self.assert_quit_clean(cli, registered=False)

    def test_loopback_bind_cannot_reach(self):
        """The issue's first report: --bind 127.0.0.1 towards another host."""
        k = self.provider(True)
        n = self.net
        gwfile = self.gateway_file(skype_gateway(k.port, host=n.inet_host))
        cli = ScCli([gwfile], bind="127.0.0.1:0", workdir=self.tmp, prefix=n.argv_in(n.lan, []))
        self.addCleanup(cli.stop)
        cli.start()
        ev = self._failed(cli)
        self.assertEqual(ev["reason"], "network", cli.describe())
        self.assertIn("Local address 127.0.0.1 cannot reach %s" % n.inet_host, ev["phrase"],
                      cli.describe())
        self.assertIn("bind %s" % n.lan_host, ev["phrase"], cli.describe())

    def test_unreachable(self):
        """The router answers ICMP port unreachable: nothing listens there."""
        k = self.provider(True)
        n = self.net
        n.run(n.router, ["iptables", "-I", "FORWARD", "-p", "udp", "-d", n.inet_host, "-j", "REJECT",
                         "--reject-with", "icmp-port-unreachable"])
        cli = self.nat_cli(k)
        ev = self._failed(cli)
        self.assertEqual(ev["reason"], "network", cli.describe())
        self.assertEqual(ev["sip_code"], 503, cli.describe())
        self.assertIn("Unreachable: %s refused" % n.inet_host, ev["phrase"], cli.describe())

    def test_no_answer(self):
        """Everything dropped on the way: TIMEOUT 408, reason timeout, within timeout-seconds."""
        k = self.provider(True)
        self.net.block_wan(True)
        cli = self.nat_cli(k, timeout_seconds=5)
        ev = cli.wait_for(match(gateway="skype", state="TIMEOUT"), 15, after=0)
        self.assertEqual((ev["sip_code"], ev["reason"]), (408, "timeout"), cli.describe())


class BindTest(NatTestCase):
    """--bind with an address this host does not have, or no address at all:
    the command exits at once, naming the address and why."""

    def run_bind(self, addr):
        n = self.net
        gwfile = self.gateway_file(skype_gateway(5060, host=n.inet_host))
        cli = os.environ["SC_CLI"]
        p = n.run(n.lan, [cli, "run", "--bind", addr, "--gateway", gwfile], check=False, timeout=20)
        return p.returncode, p.stderr

    def test_address_of_another_host(self):
        """The internet host's address, from the LAN: not bindable here, reason network."""
        rc, err = self.run_bind(self.net.inet_host)
        self.assertEqual(rc, 2, err)
        self.assertIn("cannot listen on %s: address not bindable" % self.net.inet_host, err)
        self.assertIn("reason network", err)

    def test_address_of_another_host_with_port(self):
        rc, err = self.run_bind("%s:5060" % self.net.inet_host)
        self.assertEqual(rc, 2, err)
        self.assertIn("cannot listen on %s: address not bindable" % self.net.inet_host, err)

    def test_not_an_address(self):
        for addr, want in (("999.1.1.1", "'999.1.1.1' is not a numeric IPv4 address"),
                           ("::zz", "bind address '::zz' is not a numeric address"),
                           ("[::zz]:5060", "'::zz' is not a numeric IPv6 address"),
                           ("10.77.0.2:99999", "port '99999' is not a number")):
            rc, err = self.run_bind(addr)
            self.assertEqual(rc, 2, "%s: %s" % (addr, err))
            self.assertIn(want, err, addr)


class SlowDnsTest(NatTestCase):
    def test_proxy_name_does_not_hold_the_start(self):
        """The local address towards a proxy given by name is looked up off the
        stack thread: with DNS that never answers (15 s to fail), the session
        starts and answers at once, and the gateway waits for its lookup."""
        n = self.net
        n.silent_dns(n.lan, timeout_s=5, attempts=3)
        gwfile = self.gateway_file(skype_gateway(5060, host="trunk.unanswered.sc-test"))
        cli = ScCli([gwfile], bind=None, workdir=self.tmp, prefix=n.argv_in(n.lan, []))
        self.addCleanup(cli.stop)
        cli.start()
        cli.wait_started(10)
        st = self.status(cli)
        self.assertEqual(st.get("state"), "UNREGED", "the REGISTER waits for the lookup\n%s" % st)
        self.assertIsNone(st.get("local_address"), "not known yet\n%s" % st)
        cli.quit(20)


class ViaPerDestinationTest(NatTestCase):
    """Sofia-SIP 1.12 sends every request from its first address (Via and socket),
    whatever the route (docs/nat.md): the library cannot choose per request in this
    Sofia. With a second interface that Sofia lists first (a VPN's, here the direct
    link, which the NAT does not translate), requests to the trunk leave from it
    although the route goes through the NAT. The library says so, naming the
    interface to bind, and that bind puts requests on the routed interface."""

    def test_another_first_address_is_named(self):
        from sctest.netns import LINK2_LAN
        n = self.net
        k = self.provider(True)
        n.add_direct_link()  # the trunk stays routed through the NAT
        cli = self.nat_cli(k)
        cli.wait_for(lambda ev: ev.get("event") == "gateway_state" and ev.get("state") in ("REGED", "FAILED",
                                                                                          "TIMEOUT"), 20, after=0)
        st = self.status(cli)
        self.assertTrue(st.get("local_address", "").startswith(n.lan_host + ":"), st)
        self.assertTrue(st.get("via_address", "").startswith(LINK2_LAN + ":"), st)
        self.assertIn("requests leave from %s" % LINK2_LAN, cli.stderr_tail(80))
        self.assertIn("bind %s (--bind)" % n.lan_host, cli.stderr_tail(80))
        cli.stop()
        # the way out the warning names: requests through the NAT, our public Contact
        gwfile = self.gateway_file(skype_gateway(k.port, host=n.inet_host))
        bound = ScCli([gwfile], bind=n.lan_host + ":0", workdir=self.tmp, prefix=n.argv_in(n.lan, []))
        self.addCleanup(bound.stop)
        bound.start()
        bound.wait_for(match(gateway="skype", state="REGED"), 20, after=0)
        since = time.monotonic()
        self.wait_public_contact(k, since=since - 20)
        self.assertIsNone(self.status(bound).get("via_address"), "no check with an explicit bind")
        self.assertNotIn("requests leave from", bound.stderr_tail(80))
        self.assert_quit_clean(bound)


class LoopbackDefaultTest(CallTestCase):
    """No namespaces: with every gateway on loopback (the demo, the loopback
    trunk), no --bind still means 127.0.0.1 only; nothing else is bound."""

    def test_loopback_gateway_keeps_loopback_default(self):
        k = self.start_kamailio(users={ACCOUNT: PASSWORD})
        cli = ScCli([self.gateway_file(skype_gateway(k.port))], bind=None, workdir=self.tmp)
        self.addCleanup(cli.stop)
        cli.start()
        cli.wait_started(15)
        self.assertEqual(cli.started.get("bind"), "127.0.0.1", cli.describe())
        cli.wait_for(match(gateway="skype", state="REGED"), 15, after=0)
        self.assertEqual(non_loopback(cli.proc.pid), [], bound_addresses(cli.proc.pid))
        st = self.status_of(cli)
        self.assertFalse(st.get("nat"), st)
        self.assertTrue(st.get("local_address", "").startswith("127.0.0.1:"), st)
        self.assert_quit_clean(cli)

    def status_of(self, cli):
        mark = len(cli.events)
        cli.send("status")
        return cli.wait_for(match(event="gateway_status", gateway="skype"), 10, after=mark)


if __name__ == "__main__":
    unittest.main()
