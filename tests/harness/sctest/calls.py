"""Calls through the Kamailio trunk: the base class of tests/integration/test_calls*.py.

    class T(CallTestCase):
        def test_x(self):
            k, cli = self.trunk(dial_prefix="00")              # Kamailio + command, REGED
            uas = self.pstn("call_uas_answer", k)               # SIPp "PSTN" UAS for dial-outs
            call = self.dial(cli, "004930123456", "4930999")    # -> call id (after "calling")
            ...
            uac = self.caller("call_uac_bye", k, duration_ms=500)   # SIPp UAC: inbound call

Dial-outs: the command -> Kamailio (407, then relayed, record-routed) -> the
UAS on 127.0.0.1:k.pstn_port. Inbound calls: the UAC -> Kamailio (lookup in
usrloc) -> the registered Contact (;gw=NAME). Kamailio logs every INVITE
(k.invites(), k.relayed_invites()), in-dialog request and final reply; SIPp
logs its steps (SIPPLOG) and every message (Sipp.sip_messages()).
"""
import os
import time

from .cli import match, skype_gateway
from .ports import LOOPBACK
from .testcase import ScTestCase

ACCOUNT = "skype"
PASSWORD = "secret"


def proc_status(pid, field):
    """A numeric field of /proc/PID/status in kB (VmRSS, VmHWM...), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def thread_count(pid):
    return proc_status(pid, "Threads")


class CallTestCase(ScTestCase):

    # ---- peers ----
    def trunk(self, cli_args=(), gw_name="skype", wait_reged=True, kamailio_kw=None, **gw):
        """Kamailio (account skype/secret) and the command with the wiki's Skype Connect
        gateway plus `gw` overrides (underscores for dashes; None removes a param);
        waits for REGED. Returns (kamailio, cli)."""
        k = self.start_kamailio(users={ACCOUNT: PASSWORD}, **(kamailio_kw or {}))
        gwfile = self.gateway_file(skype_gateway(k.port, **gw), name=gw_name)
        cli = self.start_cli([gwfile], extra_args=list(cli_args))
        if wait_reged:
            cli.wait_for(match(gateway=gw_name, state="REGED"), 15, after=0)
            # the trunk logs after it answered: make sure usrloc has the Contact
            self.assertTrue(k.wait_count(1, 5, result="saved"), k.describe())
        return k, cli

    def pstn(self, scenario, k, timeout=120, **kw):
        """The SIPp "PSTN" UAS the trunk relays dial-outs to (port k.pstn_port)."""
        k.release_pstn_port()
        return self.start_sipp(scenario, port=k.pstn_port, timeout=timeout, **kw)

    def caller(self, scenario, target_port, caller="4930111", caller_name="Alice",
               service=ACCOUNT, max_calls=1, timeout=60, keys=None, host=LOOPBACK, **kw):
        """A SIPp UAC calling `service` at host:target_port (Kamailio's port for calls
        from the PSTN side; the session's own port for direct attempts)."""
        allkeys = {"caller": caller, "caller_name": caller_name}
        allkeys.update(keys or {})
        return self.start_sipp(scenario, remote="%s:%d" % (host, target_port), keys=allkeys,
                               service=service, max_calls=max_calls, timeout=timeout, **kw)

    # ---- the command ----
    def dial(self, cli, number, caller=None, gateway="skype", timeout=10):
        """`dial GATEWAY NUMBER [CALLER]`; returns the call id from its "calling" event."""
        mark = len(cli.events)
        cli.send("dial %s %s%s" % (gateway, number, " " + caller if caller else ""))
        ev = cli.wait_for(lambda e: e.get("event") in ("call_state", "dial_refused", "error"),
                          timeout, after=mark, what="the answer to dial %s" % number)
        self.assertEqual((ev.get("event"), ev.get("state")), ("call_state", "calling"),
                         "dial %s was not placed\n%s" % (number, cli.describe()))
        self.assertEqual(ev.get("direction"), "outbound", cli.describe())
        self.assertEqual(ev.get("destination_number"), number, cli.describe())
        return ev["call"]

    def refused_dial(self, cli, number, reason, caller=None, gateway="skype", timeout=10):
        """`dial` that must be refused with a dial_refused event of `reason`; returns it."""
        mark = len(cli.events)
        cli.send("dial %s %s%s" % (gateway, number, " " + caller if caller else ""))
        ev = cli.wait_for(lambda e: e.get("event") in ("call_state", "dial_refused", "error"),
                          timeout, after=mark, what="the answer to dial %r" % number)
        self.assertEqual(ev.get("event"), "dial_refused",
                         "dial %r was not refused\n%s" % (number, cli.describe()))
        self.assertEqual(ev.get("reason"), reason,
                         "dial %r refused for the wrong reason\n%s" % (number, cli.describe()))
        self.assertEqual(ev.get("number"), number, cli.describe())
        self.assertEqual(ev.get("gateway"), gateway, cli.describe())
        self.assertTrue(ev.get("message"), cli.describe())
        return ev

    def wait_call(self, cli, call, state, timeout=15, **fields):
        return cli.wait_for(match(event="call_state", call=call, state=state, **fields), timeout,
                            after=0, what="call %s %s %s" % (call, state, fields or ""))

    def wait_incoming(self, cli, timeout=15, **fields):
        return cli.wait_for(match(event="incoming_call", **fields), timeout, after=0)

    def call_states(self, cli, call):
        return [e["state"] for e in cli.events_since(0)
                if e.get("event") == "call_state" and e.get("call") == call]

    def assert_ended(self, cli, call, cause, hangup, sip_code=None, timeout=15, direction=None):
        ev = self.wait_call(cli, call, "ended", timeout)
        self.assertEqual(ev.get("cause"), cause, "cause of call %s\n%s" % (call, cli.describe()))
        self.assertEqual(ev.get("hangup"), hangup, "hangup side of call %s\n%s" % (call, cli.describe()))
        if sip_code is not None:
            self.assertEqual(ev.get("sip_code"), sip_code, "sip_code of call %s\n%s" % (call, cli.describe()))
        if direction:
            self.assertEqual(ev.get("direction"), direction, cli.describe())
        ended = [e for e in cli.events_since(0) if e.get("event") == "call_state"
                 and e.get("call") == call and e.get("state") == "ended"]
        self.assertEqual(len(ended), 1, "call %s ended more than once\n%s" % (call, cli.describe()))
        return ev

    def live_calls(self, cli, timeout=10):
        """`calls`, then `status` as a fence: the lines `calls` printed (dicts with "call")."""
        mark = len(cli.events)
        cli.send("calls")
        cli.send("status")
        fence = cli.wait_for(match(event="gateway_status"), timeout, after=mark,
                             what="the status after calls")
        return [e for e in cli.events_since(mark)[: fence["_idx"] - mark]
                if e.get("event") == "call"]

    def assert_no_live_calls(self, cli, timeout=5):
        """No call object left: `calls` lists none (polled briefly: an ended event
        is printed before the session drops its reference)."""
        deadline = time.monotonic() + timeout
        while True:
            live = self.live_calls(cli)
            if not live or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(live, [], "calls still live\n" + cli.describe())

    def assert_no_errors(self, cli):
        errs = [e for e in cli.events_since(0) if e.get("event") == "error"]
        self.assertEqual(errs, [], "command errors\n" + cli.describe())

    def assert_sipp_ok(self, sipp, timeout=20, codes=(0,)):
        rc = sipp.wait_exit(timeout)
        self.assertIn(rc, codes, "SIPp %s exit code %s\n%s" % (sipp.name, rc, sipp.describe()))
        return rc

    def sipp_events(self, sipp, event):
        return [r for r in sipp.log_records() if r.get("event") == event]

    def wait_sipp_event(self, sipp, event, timeout=10, **fields):
        rec = sipp.wait_log(lambda r: r.get("event") == event and
                            all(r.get(k) == str(v) for k, v in fields.items()), timeout)
        self.assertIsNotNone(rec, "SIPp never logged %s %s\n%s" % (event, fields, sipp.describe()))
        return rec
