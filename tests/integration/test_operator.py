"""What an operator sees of `run` (issue 14, Operators): the status table, `status GW`,
`calls` with and without calls, the metrics endpoint scraped during a real call through
Kamailio, the SIP message trace of `--log sip`, timestamps on log lines, and log lines
sent to syslog and journald sockets (`--log-to`, on sockets of the test's own)."""
import os
import re
import socket
import time
import unittest
import urllib.request

from sctest.calls import CallTestCase
from sctest.cli import match

NUMBER = "004930123456"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z skypeconnect (error|warning|info|debug): ")


def scrape(address):
    with urllib.request.urlopen("http://%s/metrics" % address, timeout=5) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        body = r.read().decode()
    values = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


class OperatorTest(CallTestCase):

    def test_metrics_status_calls_during_a_call(self):
        """--metrics 127.0.0.1:0 --log sip: the metrics event names the address; during an
        answered dial-out the page shows the gateway UP and REGED, one registration, one
        outbound call, 1 of 2 channels; a refused 112 counts under reason emergency; after
        the hangup the call ended NORMAL_CLEARING and no channel is in use. `calls` lines
        carry "event":"call", an empty list is one "calls" event with count 0, `status`
        carries the counters, `status nope` is an error. stderr holds every SIP message."""
        k, cli = self.trunk(cli_args=["--metrics", "127.0.0.1:0", "--log", "sip"], dial_prefix="00",
                            max_channels="2")
        where = cli.wait_for(match(event="metrics"), 5, after=0)
        self.assertEqual(where["path"], "/metrics")
        addr = where["address"]
        self.assertTrue(addr.startswith("127.0.0.1:") and not addr.endswith(":0"), addr)
        m = scrape(addr)
        self.assertEqual(m['skypeconnect_gateway_up{gateway="skype"}'], 1, m)
        self.assertEqual(m['skypeconnect_gateway_state{gateway="skype",state="REGED"}'], 1, m)
        self.assertEqual(m['skypeconnect_gateway_state{gateway="skype",state="TRYING"}'], 0, m)
        self.assertEqual(m['skypeconnect_registrations_total{gateway="skype"}'], 1, m)
        self.assertEqual(m['skypeconnect_channels_max{gateway="skype"}'], 2, m)
        self.assertEqual(m['skypeconnect_calls_total{gateway="skype",direction="outbound"}'], 0, m)

        mark = len(cli.events)
        cli.send("calls")
        empty = cli.wait_for(match(event="calls"), 5, after=mark)
        self.assertEqual(empty["count"], 0, cli.describe())

        uas = self.pstn("call_uas_answer", k)
        call = self.dial(cli, NUMBER)
        self.wait_call(cli, call, "answered")
        m = scrape(addr)
        self.assertEqual(m['skypeconnect_calls_total{gateway="skype",direction="outbound"}'], 1, m)
        self.assertEqual(m['skypeconnect_calls_total{gateway="skype",direction="inbound"}'], 0, m)
        self.assertEqual(m['skypeconnect_channels_in_use{gateway="skype"}'], 1, m)
        self.assertEqual(m["skypeconnect_calls_active"], 1, m)
        live = self.live_calls(cli)
        self.assertEqual([c["call"] for c in live], [call], cli.describe())
        self.assertEqual(live[0]["event"], "call")
        mark = len(cli.events)
        cli.send("status skype")
        st = cli.wait_for(match(event="gateway_status"), 5, after=mark)
        self.assertEqual((st["calls_out"], st["calls_in"], st["channels_in_use"], st["max_channels"]),
                         (1, 0, 1, 2), cli.describe())

        self.refused_dial(cli, "112", "emergency")
        m = scrape(addr)
        self.assertEqual(m['skypeconnect_refusals_total{gateway="skype",direction="outbound",reason="emergency"}'],
                         1, m)

        cli.send("hangup %d" % call)
        self.assert_ended(cli, call, "NORMAL_CLEARING", "local")
        self.assert_no_live_calls(cli)
        m = scrape(addr)
        self.assertEqual(m['skypeconnect_calls_ended_total{gateway="skype",direction="outbound",'
                           'cause="NORMAL_CLEARING"}'], 1, m)
        self.assertEqual(m['skypeconnect_channels_in_use{gateway="skype"}'], 0, m)
        self.assertEqual(m['skypeconnect_calls_failed_total{gateway="skype"}'], 0, m)

        mark = len(cli.events)
        cli.send("status nope")
        err = cli.wait_for(match(event="error"), 5, after=mark)
        self.assertEqual((err["command"], err["code"]), ("status", "SC_ENOTFOUND"), cli.describe())
        self.assertIn("nope", err["message"])
        self.assertFalse([e for e in cli.events_since(mark) if e.get("event") == "gateway_status"],
                         "an unknown gateway must not list the others\n" + cli.describe())
        for ev in cli.events_since(0):
            self.assertIn("event", ev, "a JSON line without an event key: %s" % ev)

        # --log sip: both directions of the call's INVITE and the REGISTERs, timestamped
        err_text = cli.proc.text("stderr")
        self.assertRegex(err_text, r"sofia: send \d+ bytes to udp/\[127\.0\.0\.1\]:%d" % k.port)
        self.assertRegex(err_text, r"sofia: recv \d+ bytes from udp/\[127\.0\.0\.1\]:%d" % k.port)
        self.assertRegex(err_text, r"sofia:\s+INVITE sip:%s@" % NUMBER)
        self.assertRegex(err_text, r"sofia:\s+REGISTER sip:")
        self.assertRegex(err_text, r"sofia:\s+SIP/2.0 407 ")
        for line in err_text.splitlines():
            if "skypeconnect" in line:
                self.assertRegex(line, STAMP)
        self.wait_sipp_event(uas, "bye", call=1)
        self.assert_quit_clean(cli)

    def test_status_table_text_and_log_sockets(self):
        """Text mode: `status` is a table with every row the issue names; `calls` says
        "no calls"; `status nope` names the gateway on stderr and prints no table. With
        --log-to syslog:S --log-to journald:J --log-to stderr --log info, the REGED line
        reaches a syslog datagram socket (RFC 3164, facility daemon, severity info), a
        journald one (MESSAGE=, PRIORITY=6) and stderr with a timestamp."""
        sys_path = os.path.join(self.tmp, "syslog.sock")
        jou_path = os.path.join(self.tmp, "journal.sock")
        socks = []
        for path in (sys_path, jou_path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(path)
            s.settimeout(0.2)
            self.addCleanup(s.close)
            socks.append(s)
        k = self.start_kamailio(users={"skype": "secret"})
        from sctest.cli import skype_gateway
        gw = self.gateway_file(skype_gateway(k.port, max_channels="3"))
        cli = self.start_cli([gw], wait_started=False, json_output=False,
                             extra_args=["--log", "info", "--log-to", "syslog:" + sys_path,
                                         "--log-to", "journald:" + jou_path, "--log-to", "stderr"])
        cli.proc.wait_line(lambda t: "-> REGED" in t, 15)
        mark = len(cli.other_stdout)
        cli.send("status")
        cli.send("calls")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "no calls" not in cli.other_stdout[mark:]:
            time.sleep(0.05)
        out = cli.other_stdout[mark:]
        self.assertIn("no calls", out, "\n".join(cli.other_stdout))
        rows = {}
        for line in out:
            m = re.match(r"(\S[\w -]*?)\s{2,}(.*)$", line)
            if m:
                rows[m.group(1)] = m.group(2)
        self.assertIn("Gateway skype", out)
        self.assertRegex(rows.get("State", ""), r"^REGED \(UP\) for \d+s$", rows)
        self.assertEqual(rows.get("Username"), "skype", rows)
        self.assertEqual(rows.get("Realm"), "127.0.0.1:%d" % k.port, rows)
        self.assertEqual(rows.get("Proxy"), "127.0.0.1:%d" % k.port, rows)
        self.assertTrue(rows.get("From-Domain"), rows)
        self.assertEqual(rows.get("Context"), "public", rows)
        self.assertEqual(rows.get("Calls"), "in 0, out 0, failed 0", rows)
        self.assertEqual(rows.get("Channels"), "0 of 3 in use", rows)
        self.assertEqual(rows.get("Last failure"), "none", rows)
        self.assertRegex(rows.get("Next retry", ""), r"^refresh in \d+ s$", rows)
        self.assertRegex(rows.get("Local address", ""), r"^127\.0\.0\.1:\d+$", rows)
        self.assertIn("Public address", rows)

        n = len(cli.other_stdout)
        cli.send("status nope")
        cli.proc.wait_line(lambda t: "no gateway 'nope'" in t, 5)
        time.sleep(0.3)
        self.assertFalse([l for l in cli.other_stdout[n:] if l.startswith("Gateway")], cli.other_stdout[n:])

        got = {}
        for name, s in zip(("syslog", "journald"), socks):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and name not in got:
                try:
                    d = s.recv(65536).decode()
                except socket.timeout:
                    continue
                if "-> REGED" in d:
                    got[name] = d
        pid = cli.proc.pid
        self.assertRegex(got.get("syslog", ""),
                         r"^<30>\w{3} [ \d]\d \d\d:\d\d:\d\d skypeconnect\[\d+\]: info: gateway skype: .*-> REGED", got)
        j = got.get("journald", "")
        self.assertIn("PRIORITY=6\n", j)
        self.assertIn("SYSLOG_IDENTIFIER=skypeconnect\n", j)
        self.assertRegex(j, r"MESSAGE=gateway skype: .*-> REGED")
        if pid:
            self.assertIn("SYSLOG_PID=%d\n" % pid, j)
        reged = [l for l in cli.proc.text("stderr").splitlines() if "-> REGED" in l]
        self.assertTrue(reged and STAMP.match(reged[0]), cli.proc.text("stderr"))
        cli.send("quit")
        self.assertEqual(cli.proc.wait(45), 0, cli.describe())

    def test_bad_log_options(self):
        """Bad --log, --log-to, --metrics and --udp-receive-buffer values are refused before anything starts,
        naming the value; --log lists its levels."""
        from sctest.cli import run_command, skype_gateway
        gw = self.gateway_file(skype_gateway(5060))
        for args, text in ((["--log", "loud"], "'loud' is not error, warning, info, debug or sip"),
                           (["--log-to", "file:/x"], "'file:/x' is not stderr, syslog[:SOCKET] or journald"),
                           (["--log-to", "syslog:" + os.path.join(self.tmp, "none.sock")], "none.sock"),
                           (["--metrics", "localhost:9"], "'localhost:9' is not HOST:PORT"),
                           (["--udp-receive-buffer", "1M"], "'1M' is not a number of bytes"),
                           (["--udp-receive-buffer", "-1"], "'-1' is not a number of bytes"),
                           (["--udp-receive-buffer", "4096"], "bytes 4096 is out of range")):
            r = run_command(["run", "--gateway", gw] + args, timeout=20)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(text, r.stderr, args)
            self.assertNotIn("started", r.stdout, args)


    def test_trunk_log_sip(self):
        """`trunk --log sip` traces every SIP message the loopback trunk sends and
        receives, as `run --log sip` does: an OPTIONS sent to it shows as received and
        its 200 as sent."""
        from sctest.cli import cli_path
        from sctest.ports import free_port
        from sctest.procs import ManagedProcess
        from sctest.sipclient import SipClient
        port = free_port()
        trunk = ManagedProcess([cli_path(), "trunk", "--listen", "127.0.0.1:%d" % port, "--log", "sip"],
                               name="trunk", stdin=True)
        self.addCleanup(trunk.stop)
        deadline = time.monotonic() + 10
        answer = None
        while answer is None and time.monotonic() < deadline:
            try:
                with SipClient(port) as c:
                    answer = c.options(timeout=1)
            except OSError:
                time.sleep(0.2)
        self.assertIsNotNone(answer, trunk.tail())
        # the trace prints a message's lines after its "send N bytes" line: wait for
        # the last thing expected before reading the whole
        line = trunk.wait_line(lambda t: re.search(r"sofia:\s+SIP/2.0 200", t), 5)
        self.assertIsNotNone(line, trunk.tail())
        err = trunk.text("stderr")
        self.assertRegex(err, r"sofia: recv \d+ bytes from udp/\[127\.0\.0\.1\]")
        self.assertRegex(err, r"sofia:\s+OPTIONS sip:")
        self.assertRegex(err, r"sofia: send \d+ bytes to udp/")

    def test_help_of_every_subcommand(self):
        """`SUB --help` prints that subcommand's usage on stdout and exits 0 (also after
        other arguments); `--help` lists every subcommand's usage in full, the --log
        levels and the default --on-incoming."""
        from sctest.cli import run_command
        top = run_command(["--help"])
        self.assertEqual(top.returncode, 0, top.stderr)
        for sub in ("run", "check", "demo", "trunk"):
            for args in ([sub, "--help"], [sub, "-h"], [sub, "--json", "--help"]):
                r = run_command(args)
                self.assertEqual(r.returncode, 0, (args, r.stderr))
                self.assertTrue(r.stdout.startswith("usage: skypeconnect %s" % sub), (args, r.stdout))
                self.assertIn(r.stdout, top.stdout, "%s's help is missing from --help" % sub)
        self.assertIn("error, warning (default), info, debug, sip", top.stdout)
        self.assertIn("--on-incoming defaults to ring", top.stdout)
        for opt in ("--log-to", "--metrics", "--keep", "--listen", "--expires", "--internal-acl"):
            self.assertIn(opt, top.stdout)
        self.assertIn("end of standard input does not", top.stdout.replace("\n  ", " "))

    def test_demo_keep(self):
        """`demo --keep DIR` leaves the generated configuration in DIR, and `check`
        accepts it; a missing value is a usage error."""
        from sctest.cli import run_command
        keep = os.path.join(self.tmp, "kept", "conf")
        r = run_command(["demo", "--keep", keep], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("The configuration stays in %s." % keep, r.stdout)
        for f in ("skype.xml", "dialplan/public/01_skype.xml"):
            self.assertTrue(os.path.isfile(os.path.join(keep, f)), f)
        c = run_command(["check", os.path.join(keep, "skype.xml"), os.path.join(keep, "dialplan")])
        self.assertEqual(c.returncode, 0, c.stdout)
        bad = run_command(["demo", "--keep"])
        self.assertEqual(bad.returncode, 2)
        self.assertIn("missing value for '--keep'", bad.stderr)


if __name__ == "__main__":
    unittest.main()
