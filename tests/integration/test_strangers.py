"""Requests from strangers, and methods the library does not serve (issue 11, item 6).

Each test starts Kamailio (the trunk, 127.0.0.1) and `skypeconnect run --json
--on-incoming answer --internal 127.0.0.1:0 --internal-acl 127.0.0.1/32`
registered to it. Strangers send from 127.0.0.2 (neither the trunk nor on the
internal ACL); a "victim" socket on 127.0.0.4 is what their Contact and
Refer-To name: a reflector would send it NOTIFYs.

What must hold:
- REFER, SUBSCRIBE, NOTIFY, MESSAGE, PUBLISH: 405 with an Allow that
  lists none of them, on both listeners, UDP and TCP, from anyone (the trunk
  too); never 2xx, no NOTIFY to anyone, no event.
- INFO (served inside calls, for DTMF) outside a call: 481, no event.
- INVITE from a stranger: 403 (trunk side and internal side), no call.
- OPTIONS: 200 from anyone (liveness probes; no state beyond the transaction).
- The trunk's own call still works, and REFER inside it gets 405 while
  the call stays up (a bodyless INFO inside it: 200) (SIPp call_uac_refer_in_dialog.xml through Kamailio).
- Thousands of stranger requests leave VmRSS where a third identical round
  finds it (loose bound; the figures: bench/run --only strangers).
"""
import os
import time
import unittest

from sctest.calls import CallTestCase
from sctest.cli import match
from sctest_hostile import RawSip, sip_request, invite, rss_kb, status_code, header, first_line

EVIL = "127.0.0.2"         # a stranger: not the trunk, not on the internal ACL
VICTIM = "127.0.0.4"       # the third party a reflector would flood
UNSERVED = ("REFER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "PUBLISH")
SERVED = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "PRACK", "UPDATE", "INFO"}
FLOOD = 4000               # stranger requests per round
RSS_SLACK_KB = 3 * 1024    # growth allowed over the last of three identical rounds

SANITIZED = bool(os.environ.get("SC_SANITIZED"))


class Victim:
    """A UDP socket on 127.0.0.4 that records every datagram sent to it."""

    def __init__(self):
        self.raw = RawSip(VICTIM)
        self.uri = "sip:victim@%s:%d" % self.raw.local

    def received(self, seconds):
        return [first_line(d) for d in self.raw.collect(seconds)]


class StrangersTest(CallTestCase):

    def session(self):
        k, cli = self.trunk(cli_args=["--on-incoming", "answer", "--internal", "127.0.0.1:0",
                                      "--internal-acl", "127.0.0.1/32"])
        st = cli.started
        self.ports = {"trunk": st["udp_port"], "internal": st["internal_port"]}
        self.tcp_port = st["tcp_port"]
        self.pid = cli.proc.pid
        self.victim = Victim()
        self.addCleanup(self.victim.raw.close)
        return k, cli

    def request(self, method, port, raw, **kw):
        """An out-of-dialog request whose Contact (and Refer-To) names the victim."""
        extra = {"REFER": ["Refer-To: <%s>" % self.victim.uri],
                 "SUBSCRIBE": ["Event: refer", "Expires: 3600"],
                 "NOTIFY": ["Event: refer", "Subscription-State: active;expires=3600"],
                 "PUBLISH": ["Event: presence", "Expires: 3600"],
                 "MESSAGE": ["Content-Type: text/plain"]}.get(method, [])
        transport = "TCP" if raw.transport == "tcp" else "UDP"
        data = sip_request(method, "sip:skype@127.0.0.1:%d" % port, raw.local, extra=extra,
                           body="hello" if method == "MESSAGE" else "", transport=transport, **kw)
        return data.replace(b"Contact: <sip:hostile@%s:%d>" % (raw.local[0].encode(), raw.local[1]),
                            b"Contact: <%s>" % self.victim.uri.encode())

    def final_answer(self, raw, data, port, timeout=3.0):
        """Sends data and returns the first final response (bytes) or None."""
        raw.send(data, port)
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            for d in raw.collect(0.2):
                if raw.transport == "tcp":
                    buf += d
                    d = buf
                code = status_code(d)
                if code and code >= 200:
                    return d
        return None

    def assert_405(self, answer, what, cli):
        self.assertIsNotNone(answer, "%s: no final answer\n%s" % (what, cli.describe()[-2000:]))
        self.assertEqual(status_code(answer), 405, "%s: %s" % (what, first_line(answer)))
        allow = {m.strip() for m in (header(answer, "Allow") or "").split(",") if m.strip()}
        self.assertEqual(allow, SERVED, "%s: Allow header %r" % (what, header(answer, "Allow")))

    def assert_no_reflection(self, cli, mark):
        got = self.victim.received(2.0)
        self.assertEqual(got, [], "the victim received SIP from the session: %s" % got)
        evs = [e for e in cli.events_since(mark) if e.get("event") in ("incoming_call", "call_state")]
        self.assertEqual(evs, [], cli.describe()[-2000:])

    # ---------------------------------------------------------------- tests
    def test_unserved_methods_get_405_on_both_listeners(self):
        """From a stranger over UDP to both listeners, and over TCP to the trunk side:
        every unserved method is refused 405 with Allow = the served methods; nothing
        reaches the victim named in Contact/Refer-To. (Before the fix: REFER got 202 and
        NOTIFYs went to the victim; SUBSCRIBE 403, NOTIFY 481, MESSAGE 403.)"""
        k, cli = self.session()
        mark = len(cli.events)
        raw = RawSip(EVIL)
        self.addCleanup(raw.close)
        for side, port in sorted(self.ports.items()):
            for m in UNSERVED:
                self.assert_405(self.final_answer(raw, self.request(m, port, raw), port),
                                "%s over UDP to the %s side" % (m, side), cli)
            # INFO is served inside calls only (DTMF): outside one, 481
            ans = self.final_answer(raw, self.request("INFO", port, raw), port)
            self.assertEqual(status_code(ans) if ans else None, 481, "INFO to the %s side: %r" % (side, ans))
        tcp = RawSip(EVIL, "tcp").connect(self.tcp_port)
        self.addCleanup(tcp.close)
        for m in ("REFER", "SUBSCRIBE"):
            self.assert_405(self.final_answer(tcp, self.request(m, self.tcp_port, tcp), self.tcp_port),
                            "%s over TCP to the trunk side" % m, cli)
        self.assert_no_reflection(cli, mark)
        self.assert_quit_clean(cli)

    def test_unserved_methods_refused_for_the_trunk_too(self):
        """The trunk's own address (127.0.0.1) gets the same 405 for an out-of-dialog
        REFER and SUBSCRIBE: what the library does not serve, it serves to no one."""
        k, cli = self.session()
        mark = len(cli.events)
        raw = RawSip("127.0.0.1")
        self.addCleanup(raw.close)
        for m in ("REFER", "SUBSCRIBE", "MESSAGE"):
            port = self.ports["trunk"]
            self.assert_405(self.final_answer(raw, self.request(m, port, raw), port),
                            "%s from the trunk's address" % m, cli)
        self.assert_no_reflection(cli, mark)
        self.assert_quit_clean(cli)

    def test_stranger_invite_and_options(self):
        """A stranger's INVITE is refused 403 on both listeners (no call, one
        inbound_refused each); OPTIONS is answered 200 on both."""
        k, cli = self.session()
        mark = len(cli.events)
        raw = RawSip(EVIL)
        self.addCleanup(raw.close)
        for side, port in sorted(self.ports.items()):
            ans = self.final_answer(raw, invite(port, raw.local), port)
            self.assertEqual(status_code(ans) if ans else None, 403, "INVITE to the %s side: %r" % (side, ans))
            raw.send(sip_request("ACK", "sip:skype@127.0.0.1:%d" % port, raw.local,
                                 callid=header(ans, "Call-ID"), cseq=1), port)
            ans = self.final_answer(raw, self.request("OPTIONS", port, raw), port)
            self.assertEqual(status_code(ans) if ans else None, 200, "OPTIONS to the %s side" % side)
        refused = [e for e in cli.events_since(mark) if e.get("event") == "inbound_refused"]
        self.assertEqual(sorted(e.get("reason") for e in refused), ["not_internal", "not_trunk"],
                         cli.describe()[-2000:])
        self.assert_no_reflection(cli, mark)
        self.assert_quit_clean(cli)

    def test_trunk_call_with_refer_and_info_inside(self):
        """A call from the trunk (SIPp through Kamailio) is answered; REFER
        inside it gets 405 with Allow (a bodyless INFO 200) and the call stays up until the caller's BYE
        (200, NORMAL_CLEARING). Before the fix the REFER got 202 and a NOTIFY."""
        k, cli = self.session()
        uac = self.caller("call_uac_refer_in_dialog", k.port, duration_ms=300, timeout=30,
                          keys={"refer_to": self.victim.uri})
        inc = cli.wait_for(match(event="incoming_call"), 15, after=0)
        ended = cli.wait_for(match(event="call_state", call=inc["call"], state="ended"), 20, after=0)
        self.assert_sipp_ok(uac)
        self.assertEqual(ended["cause"], "NORMAL_CLEARING", cli.describe())
        self.assertEqual(ended["hangup"], "remote", cli.describe())
        refused = {r["event"] for r in uac.log_records()}
        self.assertTrue({"refer_refused", "info_ok", "bye_ok"} <= refused, uac.describe())
        notifies = uac.received_requests("NOTIFY")
        self.assertEqual(notifies, [], uac.describe())
        self.assertEqual(self.victim.received(1.0), [])
        self.assert_no_live_calls(cli)
        self.assert_quit_clean(cli)

    def flood(self, raw, port, n, tag, methods=UNSERVED[:5]):
        """n stranger requests (methods in turn, fresh Call-IDs) in a few seconds;
        returns {status code: count} of the answers."""
        codes = {}
        tmpl = {m: self.request(m, port, raw, callid="@@CID@@", branch="z9hG4bK@@BR@@")
                for m in methods}
        for i in range(n):
            m = methods[i % len(methods)]
            raw.send(tmpl[m].replace(b"@@CID@@", b"%s-%d@stranger" % (tag.encode(), i))
                     .replace(b"@@BR@@", b"%s%d" % (tag.encode(), i)), port)
            if i % 50 == 49:
                for d in raw.collect(0.02):
                    codes[status_code(d)] = codes.get(status_code(d), 0) + 1
        for d in raw.collect(3.0):
            codes[status_code(d)] = codes.get(status_code(d), 0) + 1
        return codes

    def stranger_rounds(self, methods, code):
        """3 rounds of FLOOD requests from a stranger to the trunk side: every answer
        is `code` (or lost); returns VmRSS [start, after a, b, c] in kB, each taken
        once the round's server transactions lingered out (T1x64 = 8 s). The first
        rounds set the allocator's high-water mark (transactions alive at once);
        the last shows what each request leaves behind."""
        raw = RawSip(EVIL)
        self.addCleanup(raw.close)
        rss = [rss_kb(self.pid)]
        for rnd in ("a", "b", "c"):
            codes = self.flood(raw, self.ports["trunk"], FLOOD, rnd, methods)
            bad = {c: n for c, n in codes.items() if c != code}
            self.assertEqual(bad, {}, "answers other than %d: %s" % (code, codes))
            self.assertGreaterEqual(codes.get(code, 0), FLOOD // 2, codes)
            time.sleep(9)
            rss.append(rss_kb(self.pid))
        print("\n[strangers] %s: VmRSS kB start/after a/b/c: %s" % ("/".join(methods), rss))
        return rss

    def test_stranger_flood_leaves_memory_bounded(self):
        """3 x 4,000 unserved requests from a stranger: all answered 405 (or lost),
        never 2xx, nothing reaches the victim; VmRSS after the third round is within
        3 MB of the second's. Before the fix every REFER got 202 and left a handle, a
        dialog and a subscription behind (RSS grew 5-18 MB per round of 4,000)."""
        k, cli = self.session()
        mark = len(cli.events)
        rss = self.stranger_rounds(UNSERVED[:5], 405)
        self.assert_no_reflection(cli, mark)
        if not SANITIZED:
            self.assertLess(rss[3] - rss[2], RSS_SLACK_KB, "VmRSS grew over a third round: %s" % rss)
        self.assert_real_call(k, cli)
        self.assert_quit_clean(cli)

    def test_stranger_options_flood_leaves_memory_bounded(self):
        """3 x 4,000 OPTIONS from a stranger: all 200, and VmRSS after the third round
        within 3 MB of the second's. Before the fix each OPTIONS left its nua handle
        behind until the session stopped (1.5-2.5 KB each, 6-10 MB per round)."""
        k, cli = self.session()
        rss = self.stranger_rounds(("OPTIONS",), 200)
        if not SANITIZED:
            self.assertLess(rss[3] - rss[2], RSS_SLACK_KB, "VmRSS grew over a third round: %s" % rss)
        self.assert_quit_clean(cli)

    def assert_real_call(self, k, cli):
        mark = len(cli.events)
        uac = self.caller("call_uac_bye", k.port, duration_ms=300, timeout=30)
        inc = cli.wait_for(match(event="incoming_call"), 15, after=mark)
        ended = cli.wait_for(match(event="call_state", call=inc["call"], state="ended"), 15, after=mark)
        self.assertEqual(ended["cause"], "NORMAL_CLEARING", cli.describe())
        self.assert_sipp_ok(uac)


if __name__ == "__main__":
    unittest.main()
