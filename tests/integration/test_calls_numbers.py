"""The number path against real peers (issue #11 items 1-5): whatever rewrites a
number before it leaves (destination-prefix, dial-format, the dialplan's expansion,
a direct bridge target), no emergency number and no number outside the gateway's
rule reaches the trunk.

What reached the wire is read from Kamailio's SCLOG lines (it logs every INVITE,
even the unauthenticated first one it challenges) and the "PSTN" SIPp UAS's
message trace. Each test ends with an allowed call as a fence: once its INVITE has
arrived, an INVITE sent for an earlier refused one would have too.

    direct dials:  the command `dial skype N` -> Kamailio -> PSTN UAS
    dialplan:      local SIPp UAC -> the command's internal port (default context)
                   -> bridge ... -> Kamailio -> PSTN UAS
"""
import os
import re
import unittest

from sctest.calls import CallTestCase, ACCOUNT
from sctest.cli import match, skype_gateway
from sctest.ports import free_port


def uri_user(value):
    m = re.search(r"<?sips?:([^@>;]+)@", value or "")
    return m.group(1) if m else None


def bridge_extension(name, expression, data):
    """A default-context extension: destination_number =~ expression -> bridge data."""
    return ('  <extension name="%s">\n'
            '    <condition field="destination_number" expression="%s">\n'
            '      <action application="bridge" data="%s"/>\n'
            '    </condition>\n'
            '  </extension>\n' % (name, expression, data))


class NumberPathTest(CallTestCase):

    # ---- direct dials ----
    def fence(self, cli, k, uas, number, wire):
        """An allowed dial after the refusals: the trunk and the PSTN saw exactly its
        INVITE, with `wire` as the Request-URI user."""
        call = self.dial(cli, number)
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_wire(k, uas, [wire])

    def assert_wire(self, k, uas, users):
        invs = uas.received_requests("INVITE")
        self.assertEqual([uri_user(i.ruri) for i in invs], users,
                         "the PSTN side saw other INVITEs\n" + uas.messages()[-4000:])
        seen = {r["rusr"] for r in k.invites()}
        self.assertEqual(seen, set(users), "the trunk saw other INVITEs\n" + k.describe())

    def refused_then_fence(self, gw, refused, fence, wire, message=None):
        """A trunk with gateway overrides `gw`: every number of `refused` is refused as
        emergency (its message containing `message`), then `fence` leaves as `wire`."""
        k, cli = self.trunk(**gw)
        uas = self.pstn("call_uas_answer", k)
        for number in refused:
            ev = self.refused_dial(cli, number, "emergency")
            if message:
                self.assertIn(message, ev["message"], cli.describe())
        self.fence(cli, k, uas, fence, wire)
        self.assert_quit_clean(cli)

    def test_destination_prefix_plus_cannot_make_an_emergency_number(self):
        """dial-prefix 44 and destination-prefix '+': 44999 used to leave as
        INVITE sip:+44999 (the check ran before the prefix). Now refused as emergency,
        like 44112; 441234567890 still leaves as +441234567890."""
        self.refused_then_fence(dict(dial_prefix="44", destination_prefix="+"),
                                ("44999", "44112", "440999", "4400112"),
                                "441234567890", "+441234567890", message="on the wire as +")

    def test_destination_prefix_1_cannot_make_112(self):
        """destination-prefix 1 with a rule allowing any digits: 12 used to leave as
        sip:112. Refused as emergency, and so is 11 (111 is on NZ's list, the gateway's
        emergency-country); 4930123456 leaves as 14930123456."""
        self.refused_then_fence(dict(dial_pattern="^(\\d+)$", destination_prefix="1", emergency_country="NZ"),
                                ("12", "11", "0112"), "4930123456", "14930123456")

    def test_dial_format_result_checked_with_destination_prefix(self):
        """dial-pattern ^9(\\d+)$ -> dial-format $1 and destination-prefix 1: 912 passed
        the rule (its result 12 is no emergency number) and left as 112. Refused now;
        94930123456 leaves as 14930123456."""
        self.refused_then_fence(dict(dial_pattern="^9(\\d+)$", dial_format="$1", destination_prefix="1"),
                                ("912", "9112", "90112"), "94930123456", "14930123456")

    def test_any_number_of_leading_zeros(self):
        """000000112 and 00000000911 used to go out (one prefix was stripped, not
        several). Refused as emergency; 0000441234567 is fine."""
        self.refused_then_fence(dict(dial_prefix="00"),
                                ("000000112", "00000000911", "0000999", "000044999", "0044000112"),
                                "0000441234567", "0000441234567")

    # ---- dialplan ----
    def start_dialplan(self, extensions, kamailio_port=None, wait_reged=True, **gw):
        """Kamailio, then the command with the Skype gateway (plus `gw` overrides), a
        default context holding `extensions`, and the internal side. Returns
        (kamailio, cli, internal_port)."""
        d = os.path.join(self.tmp, "dialplan")
        os.makedirs(os.path.join(d, "default"), exist_ok=True)
        with open(os.path.join(d, "default", "00_numbers.xml"), "w") as f:
            f.write("<include>\n%s</include>\n" % extensions)
        k = self.start_kamailio(users={ACCOUNT: "secret"}, port=kamailio_port)
        gwfile = self.gateway_file(skype_gateway(k.port, **gw))
        cli = self.start_cli([gwfile], extra_args=["--dialplan", d, "--internal", "127.0.0.1:0"])
        port = cli.started.get("internal_port")
        self.assertIsInstance(port, int, cli.describe())
        if wait_reged:
            cli.wait_for(match(gateway="skype", state="REGED"), 15, after=0)
            self.assertTrue(k.wait_count(1, 5, result="saved"), k.describe())
        return k, cli, port

    def phone(self, internal, number, **kw):
        return self.caller("dp_uac", internal, service=number, caller="1000", caller_name="Bob", **kw)

    def refused_call(self, cli, internal, number, code=403):
        """A local phone dials `number`: it is routed, then refused with `code`."""
        mark = len(cli.events)
        uac = self.phone(internal, number)
        r = cli.wait_for(match(event="call_routed"), 10, after=mark)
        ended = cli.wait_for(match(event="call_state", call=r["call"], state="ended"), 10, after=mark)
        self.assert_sipp_ok(uac)
        self.assertEqual(ended["sip_code"], code, cli.describe())
        self.assertFalse(self.sipp_events(uac, "answered"), uac.describe())
        return r

    def allowed_call(self, cli, internal, number):
        mark = len(cli.events)
        uac = self.phone(internal, number, duration_ms=300)
        r = cli.wait_for(match(event="call_routed"), 10, after=mark)
        self.wait_call(cli, r["call"], "answered")
        self.assert_sipp_ok(uac)
        self.wait_sipp_event(uac, "bye_ok")

    def test_dialplan_bridge_keeps_a_long_dial_prefix(self):
        """dial-prefix 004930123 (9 characters: the configuration took 16, the rule
        builder 8, so dialplan bridges fell back to any number): a phone dialling
        0090555123456 through ^(\\d+)$ -> sofia/gateway/skype/$1 used to go out. Now the
        gateway's rule applies: refused no_match; 00493012345 goes out."""
        k, cli, internal = self.start_dialplan(
            bridge_extension("out", "^(\\d+)$", "sofia/gateway/skype/$1"), dial_prefix="004930123")
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        mark = len(cli.events)
        self.refused_call(cli, internal, "0090555123456")
        ref = cli.wait_for(match(event="dial_refused"), 10, after=mark)
        self.assertEqual(ref["reason"], "no_match", cli.describe())
        self.allowed_call(cli, internal, "00493012345")
        self.assert_wire(k, pstn, ["00493012345"])
        self.assert_quit_clean(cli)

    def test_sofia_external_to_the_trunk_gets_the_gateway_rules(self):
        """^9(\\d+)$ -> sofia/external/$1@<trunk>: 9112 used to send INVITE sip:112 to
        the trunk. The target is the trunk's address, so it is dialled as gateway
        skype (dial-prefix 00): 9112 refused emergency, 94930123456 refused no_match,
        9004930123456 goes out as 004930123456 (through the gateway: challenged and
        relayed)."""
        kport = free_port()
        k, cli, internal = self.start_dialplan(
            bridge_extension("external", "^9(\\d+)$", "sofia/external/$1@127.0.0.1:%d" % kport),
            kamailio_port=kport, dial_prefix="00")
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        for number, reason in (("9112", "emergency"), ("94930123456", "no_match"),
                               ("9000112", "emergency")):
            mark = len(cli.events)
            self.refused_call(cli, internal, number)
            ref = cli.wait_for(match(event="dial_refused"), 10, after=mark)
            self.assertEqual((ref["reason"], ref["gateway"]), (reason, "skype"), cli.describe())
        self.allowed_call(cli, internal, "9004930123456")
        self.assert_wire(k, pstn, ["004930123456"])
        self.assert_quit_clean(cli)

    def test_ip_auth_trunk_on_another_port_gets_the_gateway_rules(self):
        """A gateway without registration (the provider knows us by address) takes
        our calls on any port of its host: ^9(\\d+)$ -> sip:$1@<trunk host>:<another
        port> is dialled as gateway skype too. 94930123456 is refused no_match (it
        went to that port past dial-prefix 00) and the other port hears nothing."""
        other = free_port(udp=True, tcp=False)
        k, cli, internal = self.start_dialplan(
            bridge_extension("other-port", "^9(\\d+)$", "sip:$1@127.0.0.1:%d" % other),
            wait_reged=False, register="false", dial_prefix="00")
        uas = self.start_sipp("dp_uas_answer", port=other, timeout=60, max_calls=1)
        for number, reason in (("94930123456", "no_match"), ("9112", "emergency")):
            mark = len(cli.events)
            self.refused_call(cli, internal, number)
            ref = cli.wait_for(match(event="dial_refused"), 10, after=mark)
            self.assertEqual((ref["reason"], ref["gateway"]), (reason, "skype"), cli.describe())
        self.assertEqual(uas.received_requests("INVITE"), [], uas.messages()[-4000:])
        self.assert_quit_clean(cli, registered=False)

    def test_sip_target_elsewhere_still_refuses_emergency(self):
        """A sip: target that is not the trunk (a local UAS) gets the emergency refusal:
        ^7(\\+?\\d+)$ -> sip:$1@127.0.0.1:UAS; 7112 and 7000911 are refused 403 and the UAS
        gets nothing; 71000 reaches it."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal = self.start_dialplan(
            bridge_extension("direct", "^7(\\+?\\d+)$", "sip:$1@127.0.0.1:%d" % uas_port))
        uas = self.start_sipp("dp_uas_answer", port=uas_port, timeout=60, max_calls=1)
        for number in ("7112", "7000911", "7+44999"):
            self.refused_call(cli, internal, number)
        self.allowed_call(cli, internal, "71000")
        self.assertEqual([uri_user(i.ruri) for i in uas.received_requests("INVITE")], ["1000"],
                         uas.messages()[-4000:])
        self.assertFalse(k.invites(), k.describe())
        self.assert_quit_clean(cli)

    # ---- redirects: a 3xx names a new number, and nothing sends it ----
    def test_a_redirect_ends_a_dial_out(self):
        """The PSTN side answers a dial-out with 302, Contact sip:112@<the trunk>.
        Sofia-SIP followed it on its own: the INVITE went again, to 112 at the trunk,
        past the dial rule and the emergency check, with the gateway's credentials for
        the trunk's challenge. Now the call ends with the 302 and the trunk and the
        PSTN side saw only the dialled number."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_redirect", k, max_calls=4, timeout=30,
                        keys={"redirect_to": "sip:112@127.0.0.1:%d" % k.port})
        call = self.dial(cli, "004930123456")
        ev = self.wait_call(cli, call, "ended")
        self.assertEqual((ev.get("sip_code"), ev.get("hangup")), (302, "remote"), cli.describe())
        self.assertNotIn("calling", self.call_states(cli, call)[1:], cli.describe())
        self.assert_wire(k, uas, ["004930123456"])
        self.assert_quit_clean(cli)

    def test_a_challenged_bye_is_answered(self):
        """The far end challenges our BYE (407). The dial-out's INVITE was answered
        by our own credentials header, not by Sofia's cache, so only the library can
        answer it: the second BYE carries the gateway's credentials and the call
        ends at both ends (a BYE left unanswered keeps the call up, and billed)."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_bye_challenge", k, max_calls=1, timeout=30)
        call = self.dial(cli, "004930123456")
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        self.assertEqual([e.get("user") for e in self.sipp_events(uas, "bye_auth")], ["skype"], uas.describe())
        self.assert_quit_clean(cli)

    def answered_call_then(self, scenario, command, media=False):
        """A call dialled out to the PSTN side playing @scenario (with our media or
        not), answered, then `command % call` sent; returns (cli, uas, call, mark) with
        mark the event index before the command."""
        k, cli = self.trunk(cli_args=["--media"] if media else [], dial_prefix="00")
        uas = self.pstn(scenario, k, max_calls=1, timeout=30)
        call = self.dial(cli, "004930123456")
        self.wait_call(cli, call, "answered")
        mark = len(cli.events)
        cli.send(command % call)
        return cli, uas, call, mark

    def hold_media_call(self, scenario):
        return self.answered_call_then(scenario, "hold %d", media=True)

    def test_a_challenged_reinvite_is_answered(self):
        """The far end challenges our hold re-INVITE (407). Sofia answers nothing inside a
        call by itself (the count that would let it also follows a 302 to a re-INVITE as a
        new call), so the library sends the re-INVITE again with the gateway's credentials;
        the digest names that re-INVITE's own Request-URI (the far end's Contact), the hold
        takes effect and the call goes on to its BYE."""
        cli, uas, call, mark = self.hold_media_call("call_uas_reinvite_challenge")
        cli.wait_for(match(event="media_state", call=call, state="held"), 10, after=mark)
        self.assertEqual([e for e in cli.events_since(mark) if e.get("event") == "media_error"], [],
                         cli.describe())
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        auth = self.sipp_events(uas, "reinvite_auth")
        self.assertEqual([(r.get("user"), r.get("dir")) for r in auth], [("skype", "sendonly")], uas.describe())
        self.assertTrue(auth[0].get("ruri", "").startswith("sip:pstn@"), uas.describe())
        self.assertEqual(auth[0].get("uri"), auth[0].get("ruri"), uas.describe())
        self.assert_quit_clean(cli)

    def test_a_refused_reinvite_challenge_is_not_a_loop(self):
        """The far end challenges our hold re-INVITE, then challenges the one with
        credentials again (the same nonce, not stale: the credentials are refused).
        The library answers once and stops: the hold fails with the 407 as a
        media_error, the call stays answered and ends by our BYE; a third re-INVITE
        would fail the PSTN side's scenario. The BYE, challenged too, still gets its own
        answer: the re-INVITE's rounds are not the BYE's."""
        cli, uas, call, mark = self.hold_media_call("call_uas_reinvite_refused")
        err = cli.wait_for(match(event="media_error", call=call), 10, after=mark)
        self.assertIn("407", err.get("message", ""), cli.describe())
        self.assertNotIn("held", [e.get("state") for e in cli.events_since(mark)
                                  if e.get("event") == "call_state" and e.get("call") == call], cli.describe())
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        self.assertEqual([r.get("user") for r in self.sipp_events(uas, "reinvite_auth")], ["skype"], uas.describe())
        self.assertEqual([r.get("user") for r in self.sipp_events(uas, "bye_auth")], ["skype"], uas.describe())
        self.assert_quit_clean(cli)

    def test_a_challenged_info_is_answered_in_order(self):
        """DTMF by INFO (no media of ours) to a far end that challenges the first INFO
        (407): the library sends that digit again with the gateway's credentials (the
        digest's uri the far end's Contact) before the next one; the far end hears
        4, 4 with credentials, then 7: no digit lost, none out of order. Sofia sent
        every INFO at once and a challenged one failed alone."""
        cli, uas, call, mark = self.answered_call_then("call_uas_info_challenge", "dtmf %d 47")
        self.wait_sipp_event(uas, "info", signal="7")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        infos = self.sipp_events(uas, "info")
        self.assertEqual([(r.get("signal"), r.get("user")) for r in infos],
                         [("4", "none"), ("4", "skype"), ("7", "none")], uas.describe())
        self.assertTrue(infos[1].get("uri", "").startswith("sip:pstn@"), uas.describe())
        self.assertEqual([e for e in cli.events_since(mark) if e.get("event") == "media_error"], [], cli.describe())
        self.assert_quit_clean(cli)

    def test_a_refused_info_is_told_and_the_next_digit_goes(self):
        """The far end answers our first DTMF INFO with 501: a media_error names the
        status and the digit, and the next digit still goes (the queue moves on)."""
        cli, uas, call, mark = self.answered_call_then("call_uas_info_refused", "dtmf %d 47")
        err = cli.wait_for(match(event="media_error", call=call), 10, after=mark)
        self.assertIn("501", err.get("message", ""), cli.describe())
        self.assertIn("Signal=4", err.get("message", ""), cli.describe())
        self.wait_sipp_event(uas, "info", signal="7")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        self.assertEqual([r.get("signal") for r in self.sipp_events(uas, "info")], ["4", "7"], uas.describe())
        self.assert_quit_clean(cli)

    def test_a_refused_session_refresh_does_not_end_the_call(self):
        """The gateway's session timers (session-timeout and minimum-session-expires
        90, RFC 4028's least) go out in our INVITE; the far end picks 90 s with us
        as refresher. Our refresh re-INVITE (Sofia's own, 40 to 50 s in) gets 488.
        Only a 408 or 481 ends a call there (RFC 3261 14.1, RFC 4028 10): the call
        stays answered, a hold still works (and renews the session) and the call
        ends by our BYE, as ours, with NORMAL_CLEARING, not as the far end's 488."""
        k, cli = self.trunk(cli_args=["--media"], dial_prefix="00", session_timeout="90",
                            minimum_session_expires="90")
        uas = self.pstn("call_uas_refresh_refused", k, max_calls=1, timeout=90)
        call = self.dial(cli, "004930123456")
        self.wait_call(cli, call, "answered")
        invite = self.wait_sipp_event(uas, "invite")
        self.assertEqual((invite.get("se"), invite.get("min_se")), ("90", "90"), uas.describe())
        self.assertEqual(self.wait_sipp_event(uas, "refresh", timeout=60).get("dir"), "sendrecv", uas.describe())
        mark = len(cli.events)
        cli.send("hold %d" % call)
        cli.wait_for(match(event="media_state", call=call, state="held"), 10, after=mark)
        self.assertEqual(self.call_states(cli, call)[-1:], ["answered"], cli.describe())
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_sipp_ok(uas)
        self.assertEqual([r.get("dir") for r in self.sipp_events(uas, "hold")], ["sendonly"], uas.describe())
        self.assert_quit_clean(cli)

    def test_a_bridge_legs_redirect_is_not_followed(self):
        """A dialplan bridge to a local UAS (not the trunk) that answers 302, Contact
        sip:0900123456@<the trunk>: the redirect would have sent a premium-rate number
        to the trunk with no dial rule at all. Now the B leg ends with the 302, the
        phone's call ends, and the trunk sees no INVITE."""
        uas_port = free_port(udp=True, tcp=False)
        k, cli, internal = self.start_dialplan(
            bridge_extension("direct", "^7(\\d+)$", "sip:$1@127.0.0.1:%d" % uas_port))
        uas = self.start_sipp("call_uas_redirect", port=uas_port, timeout=30, max_calls=4,
                              keys={"redirect_to": "sip:0900123456@127.0.0.1:%d" % k.port})
        mark = len(cli.events)
        uac = self.phone(internal, "71000")
        r = cli.wait_for(match(event="call_routed"), 10, after=mark)
        a_end = self.wait_call(cli, r["call"], "ended")
        legs = [e for e in cli.events_since(mark) if e.get("event") == "call_state" and e.get("state") == "ended"
                and e.get("call") != r["call"]]
        self.assertEqual([e.get("sip_code") for e in legs], [302], cli.describe())
        self.assertGreaterEqual(a_end.get("sip_code") or 0, 300, cli.describe())
        self.assert_sipp_ok(uac)
        self.assertEqual([uri_user(i.ruri) for i in uas.received_requests("INVITE")], ["1000"],
                         uas.messages()[-4000:])
        self.assertFalse(k.invites(), k.describe())
        self.assert_quit_clean(cli)

    def test_dialled_separator_cannot_add_a_bridge_target(self):
        """Condition ^00, bridge sofia/gateway/skype/${destination_number}: dialling
        00x,sofia/gateway/skype/4930123456 used to call 4930123456 (the ',' split the
        expansion into two targets). Refused 403 with nothing sent; so are '|' and a
        '/' that would move the gateway; 004930123456 goes out."""
        k, cli, internal = self.start_dialplan(
            bridge_extension("out", "^00", "sofia/gateway/skype/${destination_number}"))
        pstn = self.pstn("dp_uas_answer", k, timeout=60, max_calls=1)
        for number in ("00x,sofia/gateway/skype/4930123456", "00x|sofia/gateway/skype/4930123456",
                       "00/../skype/4930123456"):
            self.refused_call(cli, internal, number)
        self.allowed_call(cli, internal, "004930123456")
        self.assert_wire(k, pstn, ["004930123456"])
        self.assert_quit_clean(cli)


if __name__ == "__main__":
    unittest.main()
