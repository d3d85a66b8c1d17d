"""The Skype Connect page's dialplan, end to end, with real peers.

`skypeconnect run --gateway GW --dialplan DIR --internal 127.0.0.1:0` runs the
three snippets of FreeSWITCH's "Skype Connect" page with their placeholders
filled in (the gateway: sctest.cli.skype_gateway(); DIR/public/01_skype.xml;
DIR/default/01_skype.xml) plus our own DIR/default/00_local.xml (extension
1000 = a local SIPp UAS behind the internal side). The library is a
signalling B2BUA between the two legs of every bridge.

    PSTN SIPp UAC -> Kamailio (trunk.cfg: usrloc lookup) -> the command (public:
    transfer 1000 XML default; default: bridge sofia/internal/1000@UAS) -> UAS
    local SIPp UAC -> the command's internal port (default: ^(00\\d+)$ ->
    bridge sofia/gateway/skype/$1) -> Kamailio (407, relay) -> PSTN SIPp UAS

What each peer received is read from SIPp's message traces (-trace_msg) and
Kamailio's SCLOG lines; what the command decided from its JSON events
(call_routed, call_state, dial_refused, inbound_refused).

Each test starts its own Kamailio, SIPps and command; everything is killed by PID.
"""
import os
import re
import unittest

from sctest.calls import CallTestCase, ACCOUNT
from sctest.cli import match, run_command, skype_gateway
from sctest.ports import free_port

PREFIX = "00"
LOCAL_EXT = "1000"
NUMBER = "004930123456"

# The page's snippets, verbatim but for the placeholders (and the closing tags
# the page leaves out).
PAGE_PUBLIC = """<include>
<extension name="skype_inbound">
<condition field="destination_number" expression="YOUR_SKYPE_SIP_USERNAME">
<action application="transfer" data="YOU_LOCAL_NUMBER_WHERE_YOU_Want_TRANSFER_SKYPE_CALL XML default"/>
</condition>
</extension>
</include>
"""
PAGE_DEFAULT = """<include>
<extension name="skype_outbound">
<condition field="destination_number" expression="^(YOURPREFIX\\d+)$">
<action application="bridge" data="sofia/gateway/skype/$1"/>
</condition>
</extension>
</include>
"""

# Ours: extension 1000 (the local UAS) and, for the emergency test, a rule
# that would bridge emergency numbers to the trunk. Line numbers matter to
# test_check_reports_unsupported_application (LOCAL_PLAYBACK_LINE).
LOCAL = """<include>
  <extension name="local_1000">
    <condition field="destination_number" expression="^({ext})$">
      <action application="bridge" data="sofia/internal/$1@127.0.0.1:{uas_port}"/>
    </condition>
  </extension>
{extra}</include>
"""
EMERGENCY_RULE = """  <extension name="emergency_via_skype">
    <condition field="destination_number" expression="^(112|911|999)$">
      <action application="bridge" data="sofia/gateway/skype/$1"/>
    </condition>
  </extension>
"""
PLAYBACK_RULE = """  <extension name="announcement">
    <condition field="destination_number" expression="^(2000)$">
      <action application="answer"/>
      <action application="playback" data="/tmp/welcome.wav"/>
    </condition>
  </extension>
"""
LOCAL_PLAYBACK_LINE = 10   # line of the playback action in 00_local.xml

SDP_LINE = re.compile(r"^[mc]=.*$", re.M)


def norm(body):
    """A SIP body as text with CRLF line ends (SIPp's trace may show either)."""
    return "\r\n".join(l.rstrip("\r") for l in body.strip("\r\n").split("\n"))


def mc_lines(body):
    return SDP_LINE.findall(body.replace("\r", ""))


def uri_user(value):
    m = re.search(r"<?sips?:([^@>;]+)@", value or "")
    return m.group(1) if m else None


class DialplanE2ETest(CallTestCase):

    # ---- set-up ----
    def write_dialplan(self, uas_port, extra=""):
        """DIR laid out as FreeSWITCH's conf/dialplan; returns DIR."""
        d = os.path.join(self.tmp, "dialplan")
        os.makedirs(os.path.join(d, "public"), exist_ok=True)
        os.makedirs(os.path.join(d, "default"), exist_ok=True)
        files = {
            "public/01_skype.xml": PAGE_PUBLIC.replace("YOUR_SKYPE_SIP_USERNAME", ACCOUNT).replace(
                "YOU_LOCAL_NUMBER_WHERE_YOU_Want_TRANSFER_SKYPE_CALL", LOCAL_EXT),
            "default/01_skype.xml": PAGE_DEFAULT.replace("YOURPREFIX", PREFIX),
            "default/00_local.xml": LOCAL.format(ext=LOCAL_EXT, uas_port=uas_port, extra=extra),
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        return d

    def start_all(self, uas_port=None, extra="", internal_acl=None):
        """Kamailio, then the command with the page's gateway, the dialplan and the
        internal side; waits for REGED. Returns (kamailio, cli, internal_port, uas_port)."""
        uas_port = uas_port or free_port(udp=True, tcp=False)
        dp = self.write_dialplan(uas_port, extra)
        k = self.start_kamailio(users={ACCOUNT: "secret"})
        gw = self.gateway_file(skype_gateway(k.port))
        args = ["--dialplan", dp, "--internal", "127.0.0.1:0"]
        if internal_acl:
            args += ["--internal-acl", internal_acl]
        cli = self.start_cli([gw], extra_args=args)
        port = cli.started.get("internal_port")
        self.assertIsInstance(port, int, cli.describe())
        self.assertNotIn(port, (0, cli.started["udp_port"]), cli.describe())
        cli.wait_for(match(gateway="skype", state="REGED"), 15, after=0)
        self.assertTrue(k.wait_count(1, 5, result="saved"), k.describe())
        return k, cli, port, uas_port

    def local_uas(self, scenario, port, **kw):
        kw.setdefault("max_calls", 1)
        return self.start_sipp(scenario, port=port, timeout=60, **kw)

    def pstn_caller(self, scenario, k, **kw):
        """A SIPp "PSTN" UAC calling the SIP username through Kamailio."""
        return self.caller(scenario, k.port, **kw)

    def local_caller(self, scenario, internal_port, number, caller=LOCAL_EXT, caller_name="Bob", **kw):
        """A SIPp UAC on the internal side (a local phone) dialling `number`."""
        return self.caller(scenario, internal_port, service=number, caller=caller,
                           caller_name=caller_name, **kw)

    # ---- events ----
    def routed(self, cli, n, timeout=10):
        """The first n call_routed events (waits for them)."""
        cli.wait_for(lambda e: len([x for x in cli.events_since(0) if x.get("event") == "call_routed"]) >= n,
                     timeout, after=0, what="%d call_routed events" % n)
        return [e for e in cli.events_since(0) if e.get("event") == "call_routed"][:n]

    def calls_of(self, cli):
        """{call id: [states]} of every call_state event."""
        out = {}
        for e in cli.events_since(0):
            if e.get("event") == "call_state":
                out.setdefault(e["call"], []).append(e["state"])
        return out

    def b_leg(self, cli, a_call, timeout=10):
        """The id of the other leg: the first call other than a_call that went "calling"."""
        ev = cli.wait_for(lambda e: e.get("event") == "call_state" and e.get("state") == "calling"
                          and e.get("call") != a_call, timeout, after=0, what="the B leg")
        self.assertEqual(ev["direction"], "outbound", cli.describe())
        return ev["call"]

    def assert_route(self, ev, context, destination, app, data, cli):
        self.assertEqual(ev["context"], context, cli.describe())
        self.assertEqual(ev["destination_number"], destination, cli.describe())
        route = ev.get("route")
        self.assertIsInstance(route, dict, "route of %s\n%s" % (ev, cli.describe()))
        text = repr(route)
        self.assertIn(app, text, "route %s lacks %s\n%s" % (route, app, cli.describe()))
        self.assertIn(data, text, "route %s lacks %s\n%s" % (route, data, cli.describe()))

    # ---- SIP ----
    def one(self, msgs, what, sipp):
        self.assertEqual(len(msgs), 1, "%s: %d\n%s\n%s" % (what, len(msgs), sipp.describe(),
                                                          sipp.messages()[-4000:]))
        return msgs[0]

    def responses(self, sipp, code, method="INVITE"):
        return [m for m in sipp.sip_messages("received")
                if m.code == code and method in (m.header("CSeq") or "")]

    def sent_responses(self, sipp, code, method="INVITE"):
        out = [m for m in sipp.sip_messages("sent")
               if m.code == code and method in (m.header("CSeq") or "")]
        # retransmissions of the same response are the same message
        seen, uniq = set(), []
        for m in out:
            if m.text() not in seen:
                seen.add(m.text())
                uniq.append(m)
        return uniq

    def assert_same_sdp(self, sent, received, what):
        """The body `received` is the body `sent`: m=/c= lines byte for byte, and the
        whole SDP the same."""
        self.assertTrue(mc_lines(sent.body), "%s: no m=/c= lines in what was sent:\n%s" % (what, sent.text()))
        self.assertEqual(mc_lines(received.body), mc_lines(sent.body),
                         "%s: m=/c= lines changed\nsent:\n%s\nreceived:\n%s" % (what, sent.text(), received.text()))
        self.assertEqual(norm(received.body), norm(sent.body),
                         "%s: SDP changed\nsent:\n%s\nreceived:\n%s" % (what, sent.text(), received.text()))
        self.assertEqual((received.header("Content-Type") or "").lower(), "application/sdp", received.text())

    def assert_offer_passed(self, uac, uas, what):
        offer = self.one([m for m in uac.sip_messages("sent") if m.method == "INVITE"][:1], "INVITE sent", uac)
        got = self.one(uas.received_requests("INVITE"), "INVITEs at the callee", uas)
        self.assert_same_sdp(offer, got, what + " (offer)")
        return got

    def assert_answer_passed(self, uas, uac, what, early=True):
        ok_sent = self.one(self.sent_responses(uas, 200), "200 sent by the callee", uas)
        ok_got = self.one(self.responses(uac, 200)[:1], "200 at the caller", uac)
        self.assert_same_sdp(ok_sent, ok_got, what + " (answer)")
        if early:
            e_sent = self.one(self.sent_responses(uas, 183), "183 sent by the callee", uas)
            e_got = self.responses(uac, 183)
            self.assertTrue(e_got, "%s: no 183 reached the caller\n%s" % (what, uac.messages()[-4000:]))
            self.assert_same_sdp(e_sent, e_got[0], what + " (early media)")
            # 180 travelled too, before the 183 and the 200
            self.assertTrue(self.responses(uac, 180), "%s: no 180 reached the caller\n%s"
                            % (what, uac.messages()[-4000:]))

    def wait_both_ended(self, cli, a, b, timeout=15):
        ea = self.wait_call(cli, a, "ended", timeout)
        eb = self.wait_call(cli, b, "ended", timeout)
        for c in (a, b):
            n = len([e for e in cli.events_since(0) if e.get("event") == "call_state"
                     and e.get("call") == c and e.get("state") == "ended"])
            self.assertEqual(n, 1, "call %s ended %d times\n%s" % (c, n, cli.describe()))
        return ea, eb

    # ------------------------------------------------------------------ tests
    def _pstn_to_1000(self, uac_scenario, uas_scenario, duration_ms):
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port)
        uas = self.local_uas(uas_scenario, uas_port, duration_ms=duration_ms)
        uac = self.pstn_caller(uac_scenario, k, duration_ms=duration_ms)
        r1, r2 = self.routed(cli, 2)
        a = r1["call"]
        # public: the SIP username -> transfer 1000 XML default; default: 1000 -> bridge
        self.assert_route(r1, "public", ACCOUNT, "transfer", "%s XML default" % LOCAL_EXT, cli)
        self.assert_route(r2, "default", LOCAL_EXT, "bridge",
                          "sofia/internal/%s@127.0.0.1:%d" % (LOCAL_EXT, uas_port), cli)
        self.assertEqual(r2["call"], a, cli.describe())
        self.assertIsNone(cli.find(match(event="incoming_call")),
                          "the dialplan handled it: no incoming_call for the application\n" + cli.describe())
        b = self.b_leg(cli, a)
        self.wait_call(cli, a, "answered")
        self.wait_call(cli, b, "answered")
        self.wait_sipp_event(uas, "answered")
        self.wait_sipp_event(uac, "answered")
        # the callee got extension 1000, from the PSTN caller
        inv = self.assert_offer_passed(uac, uas, "PSTN -> 1000")
        self.assertEqual(uri_user(inv.ruri), LOCAL_EXT, inv.text())
        self.assertTrue(inv.ruri.startswith("sip:%s@127.0.0.1:%d" % (LOCAL_EXT, uas_port)), inv.text())
        self.assertEqual(uri_user(inv.header("From")), "4930111", inv.text())
        self.assertIn('"Alice"', inv.header("From"), inv.text())
        self.assert_answer_passed(uas, uac, "1000 -> PSTN")
        # the trunk relayed the call to the registered Contact, and the answer back
        self.assertEqual(len(k.relayed_invites("in")), 1, k.describe())
        self.assertTrue(k.wait_count(1, 5, method="REPLY", code="200"), k.describe())
        states = self.calls_of(cli)
        self.assertEqual(set(states), {a, b}, cli.describe())
        return k, cli, uac, uas, a, b

    def test_pstn_call_to_username_reaches_1000_caller_hangs_up(self):
        """PSTN caller (through Kamailio) -> the SIP username: public context transfers to
        1000 XML default, which bridges to the local UAS. The UAS gets INVITE
        sip:1000@127.0.0.1:PORT from the caller (4930111, "Alice") with the caller's
        SDP unchanged; its 180 and 183 (early media, SDP) and 200 reach the caller, SDP
        byte for byte. The caller's BYE (after 1 s) reaches the UAS; both legs end
        NORMAL_CLEARING (A remote, B local); no call left; quit clean."""
        k, cli, uac, uas, a, b = self._pstn_to_1000("dp_uac", "dp_uas_answer", 1000)
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((ea["cause"], ea["hangup"], ea["direction"]), ("NORMAL_CLEARING", "remote", "inbound"),
                         cli.describe())
        self.assertEqual((eb["cause"], eb["hangup"], eb["direction"]), ("NORMAL_CLEARING", "local", "outbound"),
                         cli.describe())
        self.wait_sipp_event(uas, "bye")
        self.wait_sipp_event(uac, "bye_ok")
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(uas)
        # A went through ringing/early before answered
        sa = self.calls_of(cli)[a]
        self.assertIn("early", sa, cli.describe())
        self.assertLess(sa.index("early"), sa.index("answered"), cli.describe())
        self.assertEqual(len(k.in_dialog("BYE")), 1, k.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_pstn_call_to_1000_local_side_hangs_up(self):
        """The same call, but extension 1000 hangs up (BYE 1 s after the answer): the
        PSTN caller gets BYE through the trunk (loose-routed by Kamailio, from the
        command's port); both legs end NORMAL_CLEARING (B remote, A local)."""
        k, cli, uac, uas, a, b = self._pstn_to_1000("dp_uac_wait_bye", "dp_uas_answer_bye", 1000)
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((eb["cause"], eb["hangup"]), ("NORMAL_CLEARING", "remote"), cli.describe())
        self.assertEqual((ea["cause"], ea["hangup"]), ("NORMAL_CLEARING", "local"), cli.describe())
        self.wait_sipp_event(uac, "bye")
        self.wait_sipp_event(uas, "bye_ok")
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(uas)
        byes = k.wait_count(1, 5, method="BYE")
        self.assertEqual(len(byes), 1, k.describe())
        self.assertEqual(byes[0]["src"], "127.0.0.1:%d" % cli.started["udp_port"], k.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_info_dtmf_reaches_the_bridged_leg(self):
        """DTMF by SIP INFO on a bridged call: the PSTN caller's INFO digits (1 as
        dtmf-relay, 5 as application/dtmf, #, then a bad Signal=X and a text/plain
        INFO, then 9) go on to extension 1000 in order, each with the Content-Type
        and body it was sent with; the two refused INFOs (400, 415) stop at us. The
        A leg reports each digit as a dtmf event (method info); the call goes on."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port)
        uas = self.local_uas("dp_uas_answer_info", uas_port)
        uac = self.pstn_caller("call_uac_info_dtmf", k, duration_ms=500)
        a = self.routed(cli, 2)[0]["call"]
        b = self.b_leg(cli, a)
        self.wait_sipp_event(uac, "bye_ok", timeout=20)
        self.wait_sipp_event(uas, "bye", timeout=10)
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(uas)
        got = [(r.get("type"), r.get("first")) for r in self.sipp_events(uas, "info")]
        self.assertEqual(got, [("application/dtmf-relay", "Signal=1"), ("application/dtmf", "5"),
                               ("application/dtmf-relay", "Signal=#"), ("application/dtmf-relay", "Signal=9")],
                         uas.describe())
        dtmf = [e for e in cli.events_since(0) if e.get("event") == "dtmf"]
        self.assertEqual([(e["call"], e["digit"], e["method"]) for e in dtmf],
                         [(a, d, "info") for d in "15#9"], cli.describe())
        self.wait_both_ended(cli, a, b)
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_pstn_cancel_before_answer_reaches_1000_as_cancel(self):
        """The PSTN caller CANCELs while 1000 rings: the local UAS receives CANCEL (and
        answers 200 + 487), the caller gets 487 for its INVITE; A ends ORIGINATOR_CANCEL
        (487, hangup remote), B ends 487, hangup local; nothing answered."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port)
        uas = self.local_uas("dp_uas_noanswer", uas_port)
        uac = self.pstn_caller("dp_uac_cancel", k, duration_ms=1000)
        a = self.routed(cli, 2)[0]["call"]
        b = self.b_leg(cli, a)
        self.wait_call(cli, a, "ringing")
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((ea["cause"], ea["hangup"], ea["sip_code"]), ("ORIGINATOR_CANCEL", "remote", 487),
                         cli.describe())
        self.assertEqual((eb["sip_code"], eb["hangup"]), (487, "local"), cli.describe())
        self.wait_sipp_event(uas, "cancel")
        self.wait_sipp_event(uas, "acked")
        self.wait_sipp_event(uac, "cancel_ok")
        self.wait_sipp_event(uac, "terminated")
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(uas)
        cancels = uas.received_requests("CANCEL")
        self.assertEqual(len(cancels), 1, uas.messages()[-4000:])
        inv = uas.received_requests("INVITE")[0]
        self.assertEqual(cancels[0].header("Call-ID"), inv.header("Call-ID"), uas.messages()[-4000:])
        for c in (a, b):
            self.assertNotIn("answered", self.calls_of(cli)[c], cli.describe())
        self.assertEqual(len(k.wait_count(1, 5, method="CANCEL", result="relayed")), 1, k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_busy_1000_gives_pstn_caller_486(self):
        """Extension 1000 answers 486 Busy Here: the PSTN caller gets 486 (relayed by the
        trunk as 486); the B leg ends USER_BUSY (486, remote), the A leg ends with 486
        too; nothing answered."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port)
        uas = self.local_uas("dp_uas_busy", uas_port)
        uac = self.pstn_caller("dp_uac", k)
        a = self.routed(cli, 2)[0]["call"]
        b = self.b_leg(cli, a)
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((eb["cause"], eb["hangup"], eb["sip_code"]), ("USER_BUSY", "remote", 486), cli.describe())
        self.assertEqual((ea["sip_code"], ea["hangup"]), (486, "local"), cli.describe())
        self.assertEqual(ea["cause"], "USER_BUSY", cli.describe())
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=486)
        self.wait_sipp_event(uas, "acked")
        self.assertTrue(k.wait_count(1, 5, method="REPLY", code="486"), k.describe())
        self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_pstn_reinvite_reaches_1000_unchanged(self):
        """Bridged PSTN -> 1000 call; the PSTN caller re-INVITEs (new c=/m=, a=sendonly):
        the re-INVITE's SDP reaches extension 1000 unchanged (a second INVITE at the
        UAS), and 1000's answer (a=recvonly) reaches the caller unchanged: the
        library relays the offer/answer instead of answering it itself, so both
        ends keep sending media where the other now listens."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port)
        uas = self.local_uas("dp_uas_answer", uas_port)
        uac = self.pstn_caller("dp_uac_reinvite", k, duration_ms=700)
        a = self.routed(cli, 2)[0]["call"]
        b = self.b_leg(cli, a)
        self.wait_sipp_event(uac, "reinvite_ok")
        self.wait_both_ended(cli, a, b)
        self.assert_sipp_ok(uac)
        reoffer = [m for m in uac.sip_messages("sent") if m.method == "INVITE"]
        self.assertEqual(len(reoffer), 2, uac.messages()[-4000:])
        invs = uas.received_requests("INVITE")
        self.assertEqual(len(invs), 2, "the re-INVITE did not reach extension 1000\nUAS:\n%s\nUAC:\n%s"
                         % (uas.messages()[-3000:], uac.messages()[-5000:]))
        self.assert_same_sdp(reoffer[1], invs[1], "re-INVITE offer")
        ok_sent = [m for m in self.sent_responses(uas, 200) if "a=recvonly" in m.body]
        ok_got = [m for m in self.responses(uac, 200) if "2 INVITE" in m.header("CSeq")]
        self.assert_same_sdp(self.one(ok_sent, "re-INVITE 200 sent", uas), ok_got[0], "re-INVITE answer")
        self.assert_sipp_ok(uas)
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_1000_unreachable_pstn_caller_gets_error_fast(self):
        """Extension 1000's address has nobody listening (ICMP port unreachable on
        loopback): the PSTN caller gets a final error (5xx/480, not a 2xx) within
        10 s, both legs end, no call left."""
        k, cli, internal, uas_port = self.start_all()
        uac = self.pstn_caller("dp_uac", k)
        a = self.routed(cli, 2)[0]["call"]
        b = self.b_leg(cli, a)
        ea, eb = self.wait_both_ended(cli, a, b, timeout=10)
        self.assertGreaterEqual(ea["sip_code"], 400, cli.describe())
        self.assert_sipp_ok(uac)
        finals = self.sipp_events(uac, "final")
        self.assertEqual(len(finals), 1, uac.describe())
        self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_local_call_with_prefix_goes_out_through_trunk(self):
        """A local phone (SIPp UAC, From 1000 "Bob") dials 004930123456 on the internal
        port: default context, the page's ^(00\\d+)$ rule bridges sofia/gateway/skype/$1.
        The trunk challenges (407) and relays it to the PSTN UAS with Request-URI user
        004930123456 and From carrying the SIP username (skype), the caller in
        P-Asserted-Identity; SDP passes both ways unchanged (offer, 183, 200); 180 and 183
        reach the phone; the phone's BYE reaches the PSTN UAS through the trunk."""
        k, cli, internal, _ = self.start_all()
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        uac = self.local_caller("dp_uac", internal, NUMBER, duration_ms=1000)
        r = self.routed(cli, 1)[0]
        a = r["call"]
        self.assert_route(r, "default", NUMBER, "bridge", "sofia/gateway/skype/%s" % NUMBER, cli)
        b = self.b_leg(cli, a)
        self.wait_call(cli, b, "answered")
        self.wait_call(cli, a, "answered")
        self.wait_sipp_event(uac, "answered")
        self.wait_sipp_event(pstn, "answered")
        relayed = k.wait_count(1, 10, method="INVITE", result="relayed", direction="out")
        self.assertEqual(len(relayed), 1, k.describe())
        rec = relayed[0]
        self.assertEqual((rec["rusr"], rec["auth"], rec["user"]), (NUMBER, "yes", ACCOUNT), k.describe())
        self.assertEqual(len(k.invites(callid=rec["callid"], result="challenge")), 1, k.describe())
        inv = self.assert_offer_passed(uac, pstn, "local -> PSTN")
        self.assertEqual(uri_user(inv.ruri), NUMBER, inv.text())
        self.assertEqual(uri_user(inv.header("From")), ACCOUNT,
                         "From must carry the SIP username (caller-id-in-from false)\n" + inv.text())
        self.assertEqual(uri_user(inv.header("P-Asserted-Identity")), LOCAL_EXT, inv.text())
        self.assert_answer_passed(pstn, uac, "PSTN -> local")
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((ea["hangup"], eb["hangup"]), ("remote", "local"), cli.describe())
        self.assertEqual(eb["cause"], "NORMAL_CLEARING", cli.describe())
        self.wait_sipp_event(pstn, "bye")
        self.wait_sipp_event(uac, "bye_ok")
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(pstn)
        self.assertEqual(len(k.in_dialog("BYE")), 1, k.describe())
        self.assertIsNone(cli.find(match(event="dial_refused")), cli.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_local_call_pstn_busy_gives_phone_486(self):
        """A local phone dials 004930123456 and the PSTN side answers 486: the phone
        gets 486 (the other direction of the busy case); both legs end, the trunk leg
        USER_BUSY (486, remote)."""
        k, cli, internal, _ = self.start_all()
        pstn = self.pstn("dp_uas_busy", k, timeout=60, max_calls=1)
        uac = self.local_caller("dp_uac", internal, NUMBER)
        a = self.routed(cli, 1)[0]["call"]
        b = self.b_leg(cli, a)
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((eb["cause"], eb["sip_code"], eb["hangup"]), ("USER_BUSY", 486, "remote"), cli.describe())
        self.assertEqual(ea["sip_code"], 486, cli.describe())
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=486)
        self.wait_sipp_event(pstn, "acked")
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_local_phone_cancels_dial_out(self):
        """A local phone dials 004930123456 and CANCELs while the PSTN side rings: the
        CANCEL reaches the PSTN UAS through the trunk (Kamailio relays a CANCEL), the
        phone gets 487; nothing answered, no call left."""
        k, cli, internal, _ = self.start_all()
        pstn = self.pstn("dp_uas_noanswer", k, timeout=60, max_calls=1)
        uac = self.local_caller("dp_uac_cancel", internal, NUMBER, duration_ms=1000)
        a = self.routed(cli, 1)[0]["call"]
        b = self.b_leg(cli, a)
        self.wait_call(cli, a, "ringing")
        ea, eb = self.wait_both_ended(cli, a, b)
        self.assertEqual((ea["cause"], ea["sip_code"], ea["hangup"]), ("ORIGINATOR_CANCEL", 487, "remote"),
                         cli.describe())
        self.assertEqual((eb["sip_code"], eb["hangup"]), (487, "local"), cli.describe())
        self.wait_sipp_event(pstn, "cancel")
        self.wait_sipp_event(pstn, "acked")
        self.wait_sipp_event(uac, "terminated")
        self.assert_sipp_ok(uac)
        self.assert_sipp_ok(pstn)
        self.assertEqual(len(k.wait_count(1, 5, method="CANCEL", result="relayed")), 1, k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_local_call_without_prefix_refused_404(self):
        """A local phone dials 4930123456 (no 00 prefix): no extension matches, the phone
        gets 404 from the command itself; no INVITE reaches the trunk or the PSTN UAS."""
        k, cli, internal, _ = self.start_all()
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        uac = self.local_caller("dp_uac", internal, NUMBER[2:])
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=404)
        self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        final = self.one([m for m in uac.sip_messages("received") if m.code and m.code >= 300], "final", uac)
        self.assertNotIn("sctest-kamailio", final.text(), "the 404 is the command's, not the trunk's")
        ended = cli.wait_for(match(event="call_state", state="ended"), 10, after=0)
        self.assertEqual(ended["sip_code"], 404, cli.describe())
        self.assertEqual(len(self.calls_of(cli)), 1, "no B leg\n" + cli.describe())
        self.assertFalse(k.invites(), k.describe())
        self.assertFalse(pstn.received_requests(), pstn.messages())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_local_emergency_call_refused_though_dialplan_bridges_it(self):
        """00_local.xml bridges ^(112|911|999)$ to sofia/gateway/skype/$1; a local phone
        dialling 112, then 911: the rule is routed (call_routed shows the bridge), yet
        each is refused (dial_refused reason emergency; the phone gets a 4xx, 403), no
        B leg, and no INVITE reaches the trunk."""
        k, cli, internal, _ = self.start_all(extra=EMERGENCY_RULE)
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        for number in ("112", "911"):
            mark = len(cli.events)
            uac = self.local_caller("dp_uac", internal, number)
            r = cli.wait_for(match(event="call_routed"), 10, after=mark)
            self.assert_route(r, "default", number, "bridge", "sofia/gateway/skype/%s" % number, cli)
            ref = cli.wait_for(match(event="dial_refused"), 10, after=mark)
            self.assertEqual((ref["number"], ref["gateway"]), (number, "skype"), cli.describe())
            self.assertEqual(ref["reason"], "emergency", cli.describe())
            ended = cli.wait_for(match(event="call_state", call=r["call"], state="ended"), 10, after=mark)
            self.assert_sipp_ok(uac)
            finals = [x for x in self.sipp_events(uac, "final")]
            self.assertEqual(len(finals), 1, uac.describe())
            self.assertEqual(finals[0]["code"], "403", uac.describe())
            self.assertEqual(ended["sip_code"], 403, cli.describe())
            self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        self.assertEqual(len(self.calls_of(cli)), 2, "no B legs\n" + cli.describe())
        self.assertFalse(k.invites(), "an emergency call reached the trunk\n" + k.describe())
        self.assertFalse(pstn.received_requests(), pstn.messages())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_caller_not_on_internal_acl_refused(self):
        """--internal-acl 127.0.0.1: a phone on 127.0.0.3 dialling 1000 gets 403
        (inbound_refused reason not_internal, its source), the dialplan never runs and
        extension 1000 gets nothing; the same call from 127.0.0.1 reaches 1000."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal, _ = self.start_all(uas_port, internal_acl="127.0.0.1")
        uas = self.local_uas("dp_uas_answer", uas_port)
        stranger = self.local_caller("dp_uac", internal, LOCAL_EXT, local_ip="127.0.0.3")
        ref = cli.wait_for(match(event="inbound_refused"), 10, after=0)
        self.assertEqual((ref["sip_code"], ref["reason"]), (403, "not_internal"), cli.describe())
        self.assertEqual(ref["source"], "127.0.0.3:%d" % stranger.port, cli.describe())
        self.assertEqual(ref["destination_number"], LOCAL_EXT, cli.describe())
        self.assert_sipp_ok(stranger)
        self.wait_sipp_event(stranger, "final", code=403)
        self.assertIsNone(cli.find(match(event="call_routed")), cli.describe())
        self.assertIsNone(cli.find(match(event="call_state")), cli.describe())
        self.assertFalse(uas.received_requests(), uas.messages())
        # the counterpart: on the ACL, the same call goes through
        friend = self.local_caller("dp_uac", internal, LOCAL_EXT, duration_ms=300)
        a = self.routed(cli, 1)[0]["call"]
        self.wait_call(cli, a, "answered")
        self.assert_sipp_ok(friend)
        self.wait_sipp_event(friend, "bye_ok")
        self.wait_sipp_event(uas, "bye")
        self.assertFalse(k.invites(), k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_check_reports_unsupported_application(self):
        """`skypeconnect check DIR` on the page's dialplan folder: exit 0; with an
        extension using playback in 00_local.xml: exit 1 and a FILE:LINE diagnostic
        naming playback at its line; `run --dialplan DIR` refuses to start (exit 2)."""
        good = self.write_dialplan(5090)
        r = run_command(["check", good])
        self.assertEqual(r.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr))
        bad = self.write_dialplan(5090, extra=PLAYBACK_RULE)
        with open(os.path.join(bad, "default", "00_local.xml")) as f:
            self.assertIn("playback", f.read().split("\n")[LOCAL_PLAYBACK_LINE - 1])
        r = run_command(["check", bad])
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        diags = re.findall(r"^(\S*00_local\.xml):(\d+)(?::\d+)?: (error|warning): (.*)$", out, re.M)
        self.assertTrue(diags, "no 00_local.xml:LINE diagnostic in:\n" + out)
        hits = [d for d in diags if "playback" in d[3]]
        self.assertTrue(hits, out)
        self.assertEqual(hits[0][2], "error", out)
        self.assertEqual(int(hits[0][1]), LOCAL_PLAYBACK_LINE, out)
        k_port = free_port()
        gw = self.gateway_file(skype_gateway(k_port))
        r = run_command(["run", "--gateway", gw, "--dialplan", bad, "--internal", "127.0.0.1:0",
                         "--bind", "127.0.0.1:0", "--json"], timeout=20, input_text="")
        self.assertEqual(r.returncode, 2, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr))
        self.assertNotIn('"started"', r.stdout)
        self.assertIn("playback", r.stderr)


if __name__ == "__main__":
    unittest.main()
