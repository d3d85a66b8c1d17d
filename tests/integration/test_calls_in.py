"""Inbound calls through a real trunk: a SIPp "PSTN" UAC (tests/sipp/call_uac_*.xml)
calls the account at Kamailio, which looks the account up in usrloc and relays
the INVITE (record-routed) to the Contact the command registered (;gw=skype).
The command reports incoming_call / call_state events and acts on them
(--on-incoming ring|answer|reject:CODE, stdin commands).

Each test starts its own Kamailio, command and SIPp; everything is killed by PID.
"""
import time
import unittest

from sctest.calls import CallTestCase, ACCOUNT
from sctest.cli import match


class InboundCallTest(CallTestCase):

    def assert_incoming(self, cli, k, uac, caller="4930111", caller_name="Alice", tcp=False):
        """The incoming_call event describes the call the UAC placed, as the trunk relayed it."""
        inc = self.wait_incoming(cli)
        relayed = k.wait_count(1, 5, method="INVITE", direction="in", result="relayed")
        self.assertTrue(relayed, k.describe())
        r = relayed[-1]
        self.assertEqual(inc["gateway"], "skype", cli.describe())
        self.assertEqual(inc["matched_by"], "gw_param", cli.describe())
        # the wiki's gateway has extension=skype: FreeSWITCH's destination is the extension
        self.assertEqual(inc["destination_number"], ACCOUNT, cli.describe())
        self.assertEqual(inc["caller_id_number"], caller, cli.describe())
        self.assertEqual(inc["caller_id_name"], caller_name, cli.describe())
        if tcp:  # the trunk's TCP connection comes from an ephemeral port
            self.assertRegex(inc["source"], r"^127\.0\.0\.1:\d+$", cli.describe())
        else:
            self.assertEqual(inc["source"], "127.0.0.1:%d" % k.port, "the trunk relayed it\n" + cli.describe())
        self.assertEqual(inc["sip_call_id"], r["callid"], cli.describe())
        self.assertIn(";gw=skype", r["dst"], "relayed to the registered Contact\n" + k.describe())
        self.assertEqual(r["src"].split(":")[0], "127.0.0.1")
        self.assertEqual(r["src"].split(":")[1], str(uac.port), k.describe())
        return inc

    def test_answered_caller_hangs_up(self):
        """--on-incoming answer: incoming_call (caller id, gw_param, source = trunk),
        answered with SDP (a=sendrecv seen by the caller); the caller's BYE after 1 s
        ends the call NORMAL_CLEARING, hangup remote; SIPp call successful."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"])
        uac = self.caller("call_uac_bye", k.port, duration_ms=1000)
        inc = self.assert_incoming(cli, k, uac)
        call = inc["call"]
        ans = self.wait_call(cli, call, "answered")
        self.assertEqual(ans["direction"], "inbound", cli.describe())
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", 200, direction="inbound")
        self.assert_sipp_ok(uac)
        self.assertEqual(self.sipp_events(uac, "answered")[0]["dir"], "sendrecv", uac.describe())
        self.wait_sipp_event(uac, "bye_ok")
        answer = [m for m in uac.sip_messages("received") if m.code == 200 and "INVITE" in m.header("CSeq")]
        self.assertTrue(answer and "m=audio" in answer[0].body, "200 without SDP\n" + uac.messages()[-3000:])
        # a caller that offers no session timer gets none at the defaults
        self.assertIsNone(answer[0].header("Session-Expires"), uac.messages()[-3000:])
        self.assertEqual(len(k.in_dialog("BYE")), 1, k.describe())
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_answer_carries_the_gateways_session_timer(self):
        """session-timeout 600 on the gateway. A caller that offers session timers
        (Supported: timer, Session-Expires: 1800) gets 600 in our 200, the caller to
        refresh (Session-Expires: 600;refresher=uac, Require: timer). One that offers
        none gets none: it would make us the refresher of a call we did not open,
        whose refresh Sofia sends without an offer."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"], session_timeout="600")
        for scenario, expires, require in (("call_uac_bye_timer", "600;refresher=uac", "timer"),
                                           ("call_uac_bye", None, None)):
            mark = len(cli.events)
            uac = self.caller(scenario, k.port, duration_ms=300)
            call = cli.wait_for(match(event="incoming_call"), 15, after=mark)["call"]
            self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", 200, direction="inbound")
            self.assert_sipp_ok(uac)
            answer = [m for m in uac.sip_messages("received") if m.code == 200 and "INVITE" in m.header("CSeq")]
            self.assertTrue(answer, uac.messages()[-3000:])
            self.assertEqual(answer[0].header("Session-Expires"), expires, uac.messages()[-3000:])
            self.assertEqual(answer[0].header("Require"), require, uac.messages()[-3000:])
        self.assert_quit_clean(cli)

    def test_ring_answer_dtmf_and_local_hangup(self):
        """--on-incoming ring: 180 reaches the caller (state ringing); `answer CALL` ->
        answered; `dtmf CALL 5*` -> INFO at the caller; `hangup CALL` -> BYE at the caller,
        ended NORMAL_CLEARING, hangup local."""
        k, cli = self.trunk(cli_args=["--on-incoming", "ring"])
        uac = self.caller("call_uac_wait_bye", k.port)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.wait_call(cli, call, "ringing")
        self.wait_sipp_event(uac, "ringing")
        cli.send("answer %d" % call)
        self.wait_call(cli, call, "answered")
        self.wait_sipp_event(uac, "answered")
        cli.send("dtmf %d 5*" % call)
        deadline = time.monotonic() + 10
        while len(self.sipp_events(uac, "info")) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual([r["signal"] for r in self.sipp_events(uac, "info")], ["5", "*"], uac.describe())
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local", 200, direction="inbound")
        self.wait_sipp_event(uac, "bye")
        self.assert_sipp_ok(uac)
        self.assert_no_live_calls(cli)
        self.assert_no_errors(cli)
        self.assert_quit_clean(cli)

    def test_caller_cancels_before_answer(self):
        """The caller CANCELs while ringing: 200 to the CANCEL, 487 to the INVITE (relayed
        by the trunk); ended ORIGINATOR_CANCEL, sip_code 487, hangup remote; `answer`
        afterwards is an error, not a crash."""
        k, cli = self.trunk(cli_args=["--on-incoming", "ring"])
        uac = self.caller("call_uac_cancel", k.port, duration_ms=700)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.wait_call(cli, call, "ringing")
        self.assert_ended(cli, call, "ORIGINATOR_CANCEL", "remote", 487, direction="inbound")
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "cancel_ok")
        self.wait_sipp_event(uac, "terminated")
        self.assertEqual(len(k.wait_count(1, 5, method="CANCEL", result="relayed")), 1, k.describe())
        mark = len(cli.events)
        cli.send("answer %d" % call)
        err = cli.wait_for(match(event="error", command="answer"), 5, after=mark)
        self.assertTrue(err["code"].startswith("SC_E"), cli.describe())
        self.assertNotIn("answered", self.call_states(cli, call), cli.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_reinvite_hold_and_resume(self):
        """The caller re-INVITEs with a=sendonly: the call goes "held" and our answer says
        a=recvonly; a re-INVITE with a=sendrecv brings it back to "answered" (a=sendrecv);
        then the caller's BYE ends it (hangup remote)."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"])
        uac = self.caller("call_uac_reinvite", k.port, duration_ms=1500)
        call = self.assert_incoming(cli, k, uac)["call"]
        a1 = self.wait_call(cli, call, "answered")
        held = self.wait_call(cli, call, "held")
        # while the caller holds (1.5 s until its sendrecv re-INVITE), the call is held
        self.wait_sipp_event(uac, "reinvite_ok", cseq=2)
        live = self.live_calls(cli)
        self.assertEqual([(c["call"], c["state"]) for c in live], [(call, "held")],
                         "`calls` during the hold\n" + cli.describe())
        self.assertFalse(self.sipp_events(uac, "reinvite_sent")[1:], "test too slow: resumed already")
        a2 = cli.wait_for(match(event="call_state", call=call, state="answered"), 10, after=held["_idx"])
        self.assertLess(a1["_idx"], held["_idx"])
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", direction="inbound")
        self.assert_sipp_ok(uac)
        ok = {r["cseq"]: r["dir"] for r in self.sipp_events(uac, "reinvite_ok")}
        self.assertEqual(ok, {"2": "recvonly", "3": "sendrecv"}, uac.describe())
        states = self.call_states(cli, call)
        self.assertEqual(states, ["answered", "held", "answered", "ended"], cli.describe())
        self.assertEqual(len(k.in_dialog("INVITE")), 2, "re-INVITEs follow the Route\n" + k.describe())
        self.assertLess(a2["_idx"], len(cli.events))
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_direct_invite_from_non_trunk_address_refused(self):
        """An INVITE sent straight to the session's port from 127.0.0.2 (the trunk is
        127.0.0.1), dressed as the trunk's (R-URI user skype with ;gw=skype, with
        gw+skype, and plain): 403 each time, inbound_refused reason not_trunk with the
        source, no incoming_call, no ringing, nothing answered, though --on-incoming is
        answer."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"])
        port = cli.started["udp_port"]
        for service, params, by in ((ACCOUNT, ";gw=skype", "gw_param"), ("gw+skype", "", "gw_user"),
                                    (ACCOUNT, "", "contact_user")):
            mark = len(cli.events)
            uac = self.caller("call_uac_direct", port, local_ip="127.0.0.2", service=service,
                              keys={"ruri_params": params})
            ev = cli.wait_for(match(event="inbound_refused"), 10, after=mark)
            self.assertEqual(ev["sip_code"], 403, cli.describe())
            self.assertEqual(ev["reason"], "not_trunk", cli.describe())
            self.assertEqual(ev["source"], "127.0.0.2:%d" % uac.port, cli.describe())
            self.assertIn("127.0.0.2", ev["message"], cli.describe())
            self.assert_sipp_ok(uac)
            self.wait_sipp_event(uac, "final", code=403)
            self.assertFalse(self.sipp_events(uac, "ringing"), uac.describe())
            self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        self.assertIsNone(cli.find(match(event="incoming_call")), cli.describe())
        self.assertIsNone(cli.find(match(event="call_state")), cli.describe())
        # the trunk saw none of it
        self.assertFalse(k.invites(), k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_direct_invite_from_trunk_address_accepted(self):
        """The counterpart of the 403 test: the same direct INVITE, but from the trunk's
        address (127.0.0.1, any port: an IP-authenticated trunk delivering a DID) is taken,
        matched by source_address, destination = the Request-URI user, answered."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"])
        uac = self.caller("call_uac_bye", cli.started["udp_port"], service="+4930555",
                          duration_ms=300)
        inc = self.wait_incoming(cli)
        self.assertEqual((inc["matched_by"], inc["destination_number"]), ("source_address", "+4930555"),
                         cli.describe())
        self.assertEqual(inc["source"], "127.0.0.1:%d" % uac.port, cli.describe())
        self.assert_ended(cli, inc["call"], "NORMAL_CLEARING", "remote")
        self.assert_sipp_ok(uac)
        self.assert_quit_clean(cli)

    def test_inbound_acl_admits_other_address(self):
        """--inbound-acl 127.0.0.2/32: the direct INVITE from 127.0.0.2 that was refused
        403 without the ACL is now taken (matched by gw_param) and answered."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer", "--inbound-acl", "127.0.0.2/32"])
        uac = self.caller("call_uac_bye", cli.started["udp_port"], local_ip="127.0.0.2",
                          duration_ms=300)
        inc = self.wait_incoming(cli)
        self.assertEqual(inc["source"], "127.0.0.2:%d" % uac.port, cli.describe())
        self.assertIn(inc["matched_by"], ("contact_user", "acl", "gw_param"), cli.describe())
        self.assert_ended(cli, inc["call"], "NORMAL_CLEARING", "remote")
        self.assert_sipp_ok(uac)
        self.assertIsNone(cli.find(match(event="inbound_refused")), cli.describe())
        self.assert_quit_clean(cli)

    def test_answer_timeout(self):
        """--on-incoming ring --answer-timeout 3: nobody answers, the caller gets 480 about
        3 s after the INVITE; ended NO_ANSWER, sip_code 480, hangup local."""
        k, cli = self.trunk(cli_args=["--on-incoming", "ring", "--answer-timeout", "3"])
        uac = self.caller("call_uac_rejected", k.port)
        inc = self.assert_incoming(cli, k, uac)
        call = inc["call"]
        self.wait_call(cli, call, "ringing")
        end = self.assert_ended(cli, call, "NO_ANSWER", "local", 480, timeout=10, direction="inbound")
        took = end["_t"] - inc["_t"]
        self.assertTrue(2.5 <= took <= 5.0, "ended %.1f s after the INVITE\n%s" % (took, cli.describe()))
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=480)
        self.assertTrue(k.wait_count(1, 5, method="REPLY", code="480"), k.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_reject_486(self):
        """--on-incoming reject:486: the caller gets 486; ended USER_BUSY, sip_code 486,
        hangup local; never answered."""
        k, cli = self.trunk(cli_args=["--on-incoming", "reject:486"])
        uac = self.caller("call_uac_rejected", k.port)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.assert_ended(cli, call, "USER_BUSY", "local", 486, direction="inbound")
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=486)
        self.assertNotIn("answered", self.call_states(cli, call), cli.describe())
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_max_channels_second_inbound_and_dial_refused(self):
        """max-channels 1 with one inbound call up: a second inbound call gets 486
        (inbound_refused reason channels, sip_code 486, no incoming_call for it) and a
        dial-out is refused (dial_refused reason channels, no INVITE reaches the trunk)."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"], dial_prefix="00", max_channels=1)
        first = self.caller("call_uac_wait_bye", k.port)
        call = self.assert_incoming(cli, k, first)["call"]
        self.wait_call(cli, call, "answered")
        mark = len(cli.events)
        second = self.caller("call_uac_rejected", k.port, caller="4930222", caller_name="Bob")
        ref = cli.wait_for(match(event="inbound_refused"), 10, after=mark)
        self.assertEqual((ref["sip_code"], ref["reason"]), (486, "channels"), cli.describe())
        self.assertEqual(ref["gateway"], "skype", cli.describe())
        self.assertEqual(ref["destination_number"], ACCOUNT, cli.describe())
        self.assertEqual(ref["source"], "127.0.0.1:%d" % k.port, cli.describe())
        self.assert_sipp_ok(second)
        self.wait_sipp_event(second, "final", code=486)
        self.assertEqual(len([e for e in cli.events_since(0) if e.get("event") == "incoming_call"]), 1,
                         cli.describe())
        n_inv = len(k.invites())
        self.refused_dial(cli, "004930123456", "channels")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(first)
        self.assert_no_live_calls(cli)
        self.assertEqual(len(k.invites()), n_inv, "the refused dial-out reached the trunk\n" + k.describe())
        self.assert_quit_clean(cli)

    def test_channels_busy_code_503(self):
        """max-channels 1, channels-busy-code 503: the second inbound call is answered 503
        (seen by the trunk; Kamailio, as a proxy must, turns it into 500 for the caller)."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"], max_channels=1,
                            channels_busy_code=503)
        first = self.caller("call_uac_wait_bye", k.port)
        call = self.assert_incoming(cli, k, first)["call"]
        self.wait_call(cli, call, "answered")
        mark = len(cli.events)
        second = self.caller("call_uac_rejected", k.port)
        ref = cli.wait_for(match(event="inbound_refused"), 10, after=mark)
        self.assertEqual((ref["sip_code"], ref["reason"]), (503, "channels"), cli.describe())
        self.assertTrue(k.wait_count(1, 5, method="REPLY", code="503"), k.describe())
        self.assert_sipp_ok(second)
        self.wait_sipp_event(second, "final", code=500)
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_quit_clean(cli)

    def test_reject_command(self):
        """`reject CALL 603` on a ringing call: the caller gets 603; ended CALL_REJECTED,
        sip_code 603, hangup local. A reject with a code outside 400..699 is an error."""
        k, cli = self.trunk(cli_args=["--on-incoming", "ring"])
        uac = self.caller("call_uac_rejected", k.port)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.wait_call(cli, call, "ringing")
        mark = len(cli.events)
        cli.send("reject %d 200" % call)
        err = cli.wait_for(match(event="error", command="reject"), 5, after=mark)
        self.assertEqual(err["code"], "SC_EINVAL", cli.describe())
        cli.send("reject %d 603" % call)
        self.assert_ended(cli, call, "CALL_REJECTED", "local", 603, direction="inbound")
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=603)
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_quit_while_inbound_call_rings(self):
        """`quit` while an inbound call is still ringing: the caller gets a final error
        (480), the call ends (hangup local) before `stopped`; exit 0."""
        k, cli = self.trunk(cli_args=["--on-incoming", "ring"])
        uac = self.caller("call_uac_rejected", k.port)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.wait_call(cli, call, "ringing")
        mark = len(cli.events)
        self.assertEqual(cli.quit(45), 0, cli.describe())
        ended = cli.wait_for(match(event="call_state", call=call, state="ended"), 1, after=mark)
        stopped = cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertLess(ended["_idx"], stopped["_idx"], cli.describe())
        self.assertEqual(ended["hangup"], "local", cli.describe())
        self.assertIn(ended["cause"], ("SYSTEM_SHUTDOWN", "NORMAL_CLEARING"), cli.describe())
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "final", code=480)

    def test_inbound_over_tcp(self):
        """register-transport tcp: the Contact asks for TCP, so the trunk delivers the
        inbound call over TCP; answered, the caller's BYE (relayed over TCP) ends it."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"], register_transport="tcp")
        uac = self.caller("call_uac_bye", k.port, duration_ms=500)
        call = self.assert_incoming(cli, k, uac, tcp=True)["call"]
        self.assertIn("transport=tcp", k.relayed_invites("in")[0]["dst"], k.describe())
        self.wait_call(cli, call, "answered")
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", 200)
        self.assert_sipp_ok(uac)
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_quit_with_inbound_call_up(self):
        """`quit` with an answered inbound call: the caller gets BYE, the call ends (cause
        SYSTEM_SHUTDOWN or NORMAL_CLEARING, hangup local) before `stopped`; exit 0."""
        k, cli = self.trunk(cli_args=["--on-incoming", "answer"])
        uac = self.caller("call_uac_wait_bye", k.port)
        call = self.assert_incoming(cli, k, uac)["call"]
        self.wait_call(cli, call, "answered")
        self.wait_sipp_event(uac, "answered")
        mark = len(cli.events)
        rc = cli.quit(45)
        self.assertEqual(rc, 0, cli.describe())
        ended = cli.wait_for(match(event="call_state", call=call, state="ended"), 1, after=mark)
        stopped = cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertLess(ended["_idx"], stopped["_idx"], cli.describe())
        self.assertIn(ended["cause"], ("SYSTEM_SHUTDOWN", "NORMAL_CLEARING"), cli.describe())
        self.assertEqual(ended["hangup"], "local", cli.describe())
        self.wait_sipp_event(uac, "bye", timeout=5)
        self.assert_sipp_ok(uac)
        self.assert_last_state_down(cli)


if __name__ == "__main__":
    unittest.main()
