"""Dial rules against a real trunk: every refused `dial` is reported (dial_refused
with its reason) and NOTHING is sent — proven by the trunk's log (Kamailio logs
every INVITE, even the unauthenticated first one it challenges) and the PSTN UAS
(SIPp's message trace). Each test ends with an allowed dial as a fence: once its
INVITE has arrived, an INVITE sent for an earlier refused dial would have too.
"""
import re
import unittest

from sctest.calls import CallTestCase
from sctest.cli import match


def uri_user(value):
    m = re.search(r"<?sips?:([^@>;]+)@", value or "")
    return m.group(1) if m else None


class DialRuleTest(CallTestCase):

    def fence(self, cli, k, uas, number, expect_user=None):
        """An allowed dial after the refusals: it is relayed to the PSTN, which then has
        seen exactly this one INVITE; returns after hanging it up."""
        call = self.dial(cli, number)
        self.wait_call(cli, call, "answered")
        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        invs = uas.received_requests("INVITE")
        self.assertEqual([uri_user(i.ruri) for i in invs], [expect_user or number],
                         "the PSTN side saw INVITEs for refused numbers\n" + uas.messages()[-4000:])
        seen = {r["rusr"] for r in k.invites()}
        self.assertEqual(seen, {expect_user or number},
                         "the trunk saw INVITEs for refused numbers\n" + k.describe())
        self.assertEqual(len(k.invites()), 2, "one challenge + one relay\n" + k.describe())
        return call

    def test_prefix_rule_accepts_and_refuses(self):
        """dial-prefix 00 (the Skype rule ^(00\\d+)$): 004930123456 goes out whole; numbers
        without the prefix, the bare prefix, '+' numbers and over-long numbers are refused
        (no_match / too_long) and never reach the trunk."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        for number, reason in (("4930123456", "no_match"), ("0", "no_match"), ("00", "no_match"),
                               ("+4930123456", "no_match"), ("0123456", "no_match"),
                               ("00" + "1" * 31, "too_long")):
            self.refused_dial(cli, number, reason)
        self.fence(cli, k, uas, "004930123456")
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def test_emergency_numbers_refused(self):
        """Emergency numbers never go through the trunk, prefixes do not hide them, and the
        gateway's emergency-country (GB: 999) and emergency-numbers (15,17) add to the
        defaults; a longer number that merely contains one is fine."""
        k, cli = self.trunk(dial_prefix="00", emergency_country="GB", emergency_numbers="15,17")
        uas = self.pstn("call_uas_answer", k)
        for number in ("112", "911", "999", "+112", "0112", "00112", "011911", "0044112", "+44999",
                       "001911", "0044999", "15", "0015", "17", "0033112"):
            self.refused_dial(cli, number, "emergency")
        self.fence(cli, k, uas, "00441121234567")
        self.assert_quit_clean(cli)

    def test_injection_attempts_refused(self):
        """Numbers that would change the SIP request (URI parameters, another host, header
        or escape characters, non-ASCII digits) are refused as bad_number; a caller number
        that is not digits is a command error (SC_EINVAL); none reaches the trunk."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        for number in ("0049301@evil.example", "004930;transport=tcp", "004930?Subject=x",
                       "00%3449", "004930>", "00<sip:1@2>", "sip:0049301@127.0.0.1",
                       "0049\u0663\u0664", "00\uff14\uff19", "004930,911", "00\"4930",
                       "0049\\30", "00-4930", "00*4930", "00#4930", "00.4930", "004930:5060"):
            self.refused_dial(cli, number, "bad_number")
        for caller in ("4930;evil", "4930@evil.example", "Alice", "49\"30", "+"):
            mark = len(cli.events)
            cli.send("dial skype 004930123456 %s" % caller)
            ev = cli.wait_for(lambda e: e.get("event") in ("call_state", "dial_refused", "error"), 10,
                              after=mark, what="the answer to dial with caller %r" % caller)
            self.assertEqual((ev.get("event"), ev.get("command"), ev.get("code")),
                             ("error", "dial", "SC_EINVAL"), cli.describe())
        self.fence(cli, k, uas, "004930123456")
        self.assert_quit_clean(cli)

    def test_no_rule_means_no_dial_out(self):
        """A gateway without dial-prefix or dial-pattern dials nothing (no_rule), not even
        a plain number; nothing reaches the trunk."""
        k, cli = self.trunk()
        uas = self.pstn("call_uas_answer", k)
        for number in ("004930123456", "4930123456", "1"):
            self.refused_dial(cli, number, "no_rule")
        # a fence: an un-REGISTER + REGISTER round trip reaches the trunk after the refusals
        cli.send("unregister skype")
        cli.wait_for(match(gateway="skype", state="DOWN"), 10)
        self.assertTrue(k.wait_count(1, 5, expires="0"), k.describe())
        self.assertEqual(k.invites(), [], k.describe())
        self.assertEqual(uas.received_requests(), [], uas.describe())
        self.assert_no_live_calls(cli)
        self.assertEqual(cli.quit(30), 0, cli.describe())

    def test_pattern_rule_and_format(self):
        """dial-pattern ^9(\\d+)$ with dial-format $1: 9004930123456 goes out as 004930123456;
        9112 is refused as emergency (the result is checked again), 8004930 no_match."""
        k, cli = self.trunk(dial_pattern="^9(\\d+)$", dial_format="$1")
        uas = self.pstn("call_uas_answer", k)
        self.refused_dial(cli, "9112", "emergency")
        self.refused_dial(cli, "8004930123456", "no_match")
        self.refused_dial(cli, "9004930@x", "bad_number")
        self.fence(cli, k, uas, "9004930123456", expect_user="004930123456")
        self.assert_quit_clean(cli)

    def test_gateway_down_refused(self):
        """After `unregister`, the gateway is DOWN: dial is refused (gateway_down) and the
        trunk sees no INVITE; after `register` the same number goes out."""
        k, cli = self.trunk(dial_prefix="00")
        uas = self.pstn("call_uas_answer", k)
        cli.send("unregister skype")
        cli.wait_for(match(gateway="skype", state="DOWN"), 10)
        self.refused_dial(cli, "004930123456", "gateway_down")
        cli.send("register skype")
        cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.fence(cli, k, uas, "004930123456")
        self.assert_quit_clean(cli)


if __name__ == "__main__":
    unittest.main()
