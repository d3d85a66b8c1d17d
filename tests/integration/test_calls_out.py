"""Dial-outs through a real trunk: the command registers with Kamailio, `dial`s,
Kamailio challenges the INVITE with 407, then relays it (record-routed) to a
SIPp "PSTN" UAS (tests/sipp/call_uas_*.xml). What the PSTN side received is
read from SIPp's message trace; what the trunk saw from Kamailio's SCLOG lines.

Each test starts its own Kamailio, UAS and command; everything is killed by PID.
"""
import re
import time
import unittest

from sctest.calls import CallTestCase, ACCOUNT
from sctest.cli import match
from sctest.ports import free_port

NUMBER = "004930123456"


def uri_user(value):
    m = re.search(r"<?sips?:([^@>;]+)@", value or "")
    return m.group(1) if m else None


class DialOutTest(CallTestCase):

    def assert_challenged_then_relayed(self, k, number, n=1):
        """The trunk challenged the dial-out (auth=no -> 407) and relayed the
        authenticated retry (auth=yes, user=skype) to the PSTN UAS."""
        relayed = k.wait_count(n, 10, method="INVITE", result="relayed", direction="out")
        self.assertEqual(len(relayed), n, k.describe())
        for r in relayed:
            self.assertEqual(r["rusr"], number, k.describe())
            self.assertEqual((r["auth"], r["user"]), ("yes", ACCOUNT), k.describe())
            self.assertEqual(r["dst"], "sip:127.0.0.1:%d" % k.pstn_port, k.describe())
            ch = k.invites(callid=r["callid"], result="challenge")
            self.assertEqual(len(ch), 1, "one 407 per dial-out\n" + k.describe())
            self.assertEqual(ch[0]["auth"], "no", k.describe())
        return relayed

    def test_answered_call_hung_up_locally(self):
        """Dial-out answered by the PSTN (180, 200 + SDP): calling -> ringing -> answered
        (200); `hangup` sends BYE through the trunk (loose-routed), the UAS gets it;
        ended NORMAL_CLEARING, hangup local; no call left; quit clean."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER, "4930999")
        self.wait_call(cli, call, "ringing")
        ans = self.wait_call(cli, call, "answered")
        self.assertEqual(ans["sip_code"], 200, cli.describe())
        self.assertEqual(ans["direction"], "outbound", cli.describe())
        states = self.call_states(cli, call)
        self.assertEqual(states[0], "calling", cli.describe())
        self.assertLess(states.index("ringing"), states.index("answered"), cli.describe())
        self.assert_challenged_then_relayed(k, NUMBER)
        inv = uas.received_requests("INVITE")
        self.assertEqual(len(inv), 1, uas.describe())
        self.assertEqual(uri_user(inv[0].ruri), NUMBER, "Request-URI the PSTN got: %s" % inv[0].ruri)
        self.assertIn("m=audio", inv[0].body, "the offer reached the PSTN side")
        self.assertEqual(inv[0].header("Content-Type"), "application/sdp")
        # session timers offered as FreeSWITCH does (session-timeout 1800, Min-SE 120):
        # a far end that vanishes ends the call at the next refresh, freeing the channel
        self.assertEqual((inv[0].header("Session-Expires"), inv[0].header("Min-SE")), ("1800", "120"),
                         inv[0].text())
        self.wait_sipp_event(uas, "answered")
        live = self.live_calls(cli)
        self.assertEqual(len(live), 1, cli.describe())
        self.assertEqual({k_: live[0].get(k_) for k_ in ("call", "direction", "state", "gateway",
                                                         "destination_number", "caller_id_number")},
                         {"call": call, "direction": "outbound", "state": "answered", "gateway": "skype",
                          "destination_number": NUMBER, "caller_id_number": "4930999"}, cli.describe())
        self.assertEqual(live[0]["sip_call_id"], inv[0].header("Call-ID"), cli.describe())

        t_hang = time.monotonic()
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local", 200, direction="outbound")
        self.wait_sipp_event(uas, "bye", call=1)
        bye = k.in_dialog("BYE", callid=inv[0].header("Call-ID"), since=t_hang)
        self.assertEqual(len(bye), 1, k.describe())
        self.assertEqual(bye[0]["result"], "relayed", k.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_pstn_hangs_up(self):
        """The PSTN side answers and sends BYE itself after 1 s (through the trunk's
        Route): the call ends NORMAL_CLEARING, hangup remote; the UAS gets 200 to its BYE."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer_bye", k, duration_ms=1000)
        call = self.dial(cli, NUMBER)
        ans = self.wait_call(cli, call, "answered")
        end = self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", 200)
        self.assertGreaterEqual(end["_t"] - ans["_t"], 0.8, cli.describe())
        self.wait_sipp_event(uas, "bye_ok")
        self.assertEqual(len(k.in_dialog("BYE")), 1, k.describe())
        self.assertEqual(k.in_dialog("BYE")[0]["src"], "127.0.0.1:%d" % k.pstn_port, k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def _refused_by_pstn(self, scenario, code, cause):
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn(scenario, k)
        call = self.dial(cli, NUMBER)
        self.assert_ended(cli, call, cause, "remote", code, direction="outbound")
        self.assertNotIn("answered", self.call_states(cli, call), cli.describe())
        self.assert_challenged_then_relayed(k, NUMBER)
        # the trunk relayed the PSTN's answer, and the PSTN got its ACK
        self.assertTrue(k.wait_count(1, 5, method="REPLY", code=str(code)), k.describe())
        self.wait_sipp_event(uas, "acked")
        self.assertEqual(len(uas.received_requests("INVITE")), 1, uas.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_busy(self):
        """486 Busy Here from the PSTN: ended USER_BUSY, sip_code 486, hangup remote."""
        self._refused_by_pstn("call_uas_busy", 486, "USER_BUSY")

    def test_404_from_trunk(self):
        """404 from the trunk's PSTN side: ended UNALLOCATED_NUMBER, sip_code 404."""
        self._refused_by_pstn("call_uas_404", 404, "UNALLOCATED_NUMBER")

    def test_484_from_trunk(self):
        """484 Address Incomplete: ended INVALID_NUMBER_FORMAT, sip_code 484."""
        self._refused_by_pstn("call_uas_484", 484, "INVALID_NUMBER_FORMAT")

    def test_no_answer_then_cancel(self):
        """The PSTN rings and never answers; `hangup` while ringing sends CANCEL
        (relayed by the trunk), the UAS answers 200 + 487: ended ORIGINATOR_CANCEL,
        sip_code 487, hangup local."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_noanswer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "ringing")
        time.sleep(1.0)
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "ORIGINATOR_CANCEL", "local", 487)
        self.wait_sipp_event(uas, "cancel")
        self.wait_sipp_event(uas, "acked")
        cancels = k.wait_count(1, 5, method="CANCEL", result="relayed")
        self.assertEqual(len(cancels), 1, k.describe())
        self.assertNotIn("answered", self.call_states(cli, call), cli.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_caller_id_not_in_from(self):
        """caller-id-in-from=false (Skype Connect): the INVITE the PSTN side received has
        From = the SIP username (from-user) at from-domain, and the caller's number in
        P-Asserted-Identity and Remote-Party-ID (party=calling). Without a caller
        number, PAI carries the from-user."""
        k, cli = self.trunk(dial_prefix="00", caller_id_in_from=False)
        uas = self.pstn("call_uas_answer", k)
        for n, (caller, want) in enumerate((("4930999", "4930999"), (None, ACCOUNT)), 1):
            call = self.dial(cli, NUMBER, caller)
            self.wait_call(cli, call, "answered")
            cli.send("hangup %d" % call)
            self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
            self.wait_sipp_event(uas, "bye", call=n)
        invs = uas.received_requests("INVITE")
        self.assertEqual(len(invs), 2, uas.describe())
        dom = "127.0.0.1:%d" % k.port
        for inv, (caller, want) in zip(invs, (("4930999", "4930999"), (None, ACCOUNT))):
            frm, pai, rpid = inv.header("From"), inv.header("P-Asserted-Identity"), \
                inv.header("Remote-Party-ID")
            self.assertEqual(uri_user(frm), ACCOUNT, "From: %s" % frm)
            self.assertIn("@%s" % dom, frm, "From host = from-domain: %s" % frm)
            self.assertIsNotNone(pai, "no P-Asserted-Identity in\n%s" % inv.text())
            self.assertEqual(uri_user(pai), want, "P-Asserted-Identity: %s" % pai)
            self.assertIsNotNone(rpid, "no Remote-Party-ID in\n%s" % inv.text())
            self.assertEqual(uri_user(rpid), want, "Remote-Party-ID: %s" % rpid)
            self.assertIn("party=calling", rpid)
        # Kamailio's view agrees (it relayed them unchanged)
        relayed = k.relayed_invites("out")
        self.assertEqual([uri_user(r["pai"]) for r in relayed], ["4930999", ACCOUNT], k.describe())
        self.assert_quit_clean(cli)

    def test_caller_id_in_from(self):
        """caller-id-in-from=true: the From the PSTN side received carries the caller
        number (at from-domain); the trunk still authenticates the account (407 -> the
        SIP username in Proxy-Authorization)."""
        k, cli = self.trunk(dial_prefix="00", caller_id_in_from=True)
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER, "+4930999")
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        inv = uas.received_requests("INVITE")
        self.assertEqual(len(inv), 1, uas.describe())
        frm = inv[0].header("From")
        self.assertEqual(uri_user(frm), "+4930999", "From the PSTN side received: %s" % frm)
        self.assertIn("@127.0.0.1:%d" % k.port, frm)
        for h in ("P-Asserted-Identity", "Remote-Party-ID"):
            v = inv[0].header(h)
            if v is not None:  # optional here, but must not contradict From
                self.assertEqual(uri_user(v), "+4930999", "%s: %s" % (h, v))
        self.assert_challenged_then_relayed(k, NUMBER)
        self.assert_quit_clean(cli)

    def test_dtmf_info_reaches_pstn(self):
        """`dtmf CALL 12#` on an answered dial-out: three INFO requests
        (application/dtmf-relay, Signal=1, 2, #, in order) reach the UAS through
        the trunk, each answered 200; the call stays answered."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        self.wait_sipp_event(uas, "answered")
        cli.send("dtmf %d 12#" % call)
        deadline = time.monotonic() + 10
        while len(self.sipp_events(uas, "info")) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual([r["signal"] for r in self.sipp_events(uas, "info")], ["1", "2", "#"],
                         uas.describe())
        infos = uas.received_requests("INFO")
        self.assertEqual(len(infos), 3, uas.describe())
        for i in infos:
            self.assertEqual(i.header("Content-Type"), "application/dtmf-relay", i.text())
        self.assertEqual(len(k.in_dialog("INFO")), 3, k.describe())
        self.assertNotIn("ended", self.call_states(cli, call), cli.describe())
        self.assert_no_errors(cli)
        # DTMF on a call that is not up is an error, not a crash
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        mark = len(cli.events)
        cli.send("dtmf %d 5" % call)
        err = cli.wait_for(match(event="error", command="dtmf"), 5, after=mark)
        self.assertTrue(err["code"].startswith("SC_E"), cli.describe())
        self.assert_quit_clean(cli)

    def test_quit_with_call_up(self):
        """`quit` with an answered dial-out: BYE reaches the PSTN, the call ends (cause
        SYSTEM_SHUTDOWN or NORMAL_CLEARING, hangup local) before `stopped`; exit 0."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        mark = len(cli.events)
        rc = cli.quit(45)
        self.assertEqual(rc, 0, cli.describe())
        ended = cli.wait_for(match(event="call_state", call=call, state="ended"), 1, after=mark)
        stopped = cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertLess(ended["_idx"], stopped["_idx"], cli.describe())
        self.assertIn(ended["cause"], ("SYSTEM_SHUTDOWN", "NORMAL_CLEARING"), cli.describe())
        self.assertEqual(ended["hangup"], "local", cli.describe())
        self.wait_sipp_event(uas, "bye", timeout=5)
        self.assertEqual(len(k.in_dialog("BYE")), 1, k.describe())
        self.assert_last_state_down(cli)

    def test_quit_while_dial_out_rings(self):
        """`quit` while a dial-out rings: CANCEL reaches the PSTN (200 + 487), the call ends
        (hangup local) before `stopped`; exit 0."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_noanswer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "ringing")
        mark = len(cli.events)
        self.assertEqual(cli.quit(45), 0, cli.describe())
        ended = cli.wait_for(match(event="call_state", call=call, state="ended"), 1, after=mark)
        stopped = cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertLess(ended["_idx"], stopped["_idx"], cli.describe())
        self.assertEqual(ended["hangup"], "local", cli.describe())
        self.assertIn(ended["cause"], ("SYSTEM_SHUTDOWN", "ORIGINATOR_CANCEL", "NORMAL_CLEARING"),
                      cli.describe())
        self.wait_sipp_event(uas, "cancel", timeout=5)
        self.wait_sipp_event(uas, "acked", timeout=5)
        # the 487 came back before the session stopped: it did not wait out a timer
        self.assertLess(stopped["_t"] - ended["_t"], 3, cli.describe())

    def test_dial_out_over_tcp(self):
        """register-transport tcp: the dial-out (and its BYE) goes to the trunk over TCP."""
        k, cli = self.trunk(dial_prefix="00", register_transport="tcp")
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local", 200)
        self.wait_sipp_event(uas, "bye")
        relayed = self.assert_challenged_then_relayed(k, NUMBER)
        self.assertEqual(relayed[0]["proto"], "tcp", k.describe())
        # Kamailio may log the BYE a moment after SIPp has it (a loaded machine).
        k.wait_record(lambda r: r.get("method") == "BYE" and r.get("indialog") is not None, 5)
        self.assertEqual([r["proto"] for r in k.in_dialog("BYE")], ["tcp"], k.describe())
        self.assert_quit_clean(cli)

    def test_dial_out_through_outbound_proxy(self):
        """outbound-proxy sip:<trunk>;transport=tcp with the registration over UDP: the
        dial-out's INVITE goes to the outbound proxy as Sofia's proxy tag on its handle
        says, so the trunk receives it over TCP, and the call is answered."""
        port = free_port(udp=True, tcp=True)
        k, cli = self.trunk(dial_prefix="00", outbound_proxy="sip:127.0.0.1:%d;transport=tcp" % port,
                            kamailio_kw={"port": port})
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local", 200)
        relayed = self.assert_challenged_then_relayed(k, NUMBER)
        self.assertEqual(relayed[0]["proto"], "tcp", k.describe())
        self.assertEqual([r["proto"] for r in k.records_where("REGISTER")][:1], ["udp"], k.describe())
        self.assert_quit_clean(cli)

    def test_destination_prefix(self):
        """destination-prefix 1010: the Request-URI and To the PSTN side received carry
        1010 + the number; the event's destination_number is the dialled number."""
        k, cli = self.trunk(dial_prefix="00", destination_prefix="1010")
        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        inv = uas.received_requests("INVITE")[0]
        self.assertEqual(uri_user(inv.ruri), "1010" + NUMBER, inv.text())
        self.assertEqual(uri_user(inv.header("To")), "1010" + NUMBER, inv.text())
        self.assert_quit_clean(cli)

    def test_wrong_call_credentials_do_not_loop(self):
        """register=false (an IP-authenticated gateway) with a wrong password: the trunk
        challenges the dial-out, the retry fails and is challenged again; the call ends
        (407, CALL_REJECTED, hangup remote) after at most 2 authenticated tries, and the
        PSTN side never sees it."""
        k, cli = self.trunk(dial_prefix="00", register=False, password="wrong", wait_reged=False)
        uas = self.pstn("call_uas_answer", k)
        cli.wait_for(match(gateway="skype", status="UP"), 10, after=0)
        call = self.dial(cli, NUMBER)
        self.assert_ended(cli, call, "CALL_REJECTED", "remote", 407)
        k.wait_count(2, 5, method="INVITE")
        time.sleep(1.0)  # no further tries may come
        invs = k.invites()
        self.assertTrue(2 <= len(invs) <= 3, "INVITEs the trunk got\n" + k.describe())
        self.assertTrue(all(r["result"] == "challenge" or r["result"].startswith("auth_failed")
                            for r in invs), k.describe())
        self.assertEqual(uas.received_requests("INVITE"), [], uas.describe())
        self.assert_no_live_calls(cli)
        self.assertEqual(cli.quit(30), 0, cli.describe())

    def test_max_channels_refuses_second_dial(self):
        """max-channels 1: with one dial-out up, a second `dial` is refused (dial_refused
        reason channels) and nothing reaches the trunk; once the first ends, a new dial
        goes out."""
        k, cli = self.trunk(dial_prefix="00", max_channels=1)
        uas = self.pstn("call_uas_answer", k)
        first = self.dial(cli, NUMBER)
        self.wait_call(cli, first, "answered")
        n_inv = len(k.invites())
        self.refused_dial(cli, "00441234567", "channels")
        # a fence: the next relayed INVITE shows that nothing was sent for the refusal
        cli.send("hangup %d" % first)
        self.assert_ended(cli, first, "NORMAL_CLEARING", "local")
        self.assert_no_live_calls(cli)
        second = self.dial(cli, "00339876543")
        self.wait_call(cli, second, "answered")
        self.assertEqual([uri_user(i.ruri) for i in uas.received_requests("INVITE")],
                         [NUMBER, "00339876543"], uas.describe())
        self.assertFalse([r for r in k.invites() if r["rusr"] == "00441234567"], k.describe())
        self.assertEqual(len(k.invites()), n_inv + 2, "only the fence's 407 + relay\n" + k.describe())
        cli.send("hangup %d" % second)
        self.assert_ended(cli, second, "NORMAL_CLEARING", "local")
        self.assert_quit_clean(cli)


if __name__ == "__main__":
    unittest.main()
