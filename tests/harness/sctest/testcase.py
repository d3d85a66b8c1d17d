"""unittest base class: temp dir, started peers and the command, all cleaned up by PID."""
import os
import shutil
import tempfile
import time
import unittest

from .cli import ScCli, cli_available, write_gateway, write_gateways, skype_gateway, match
from .kamailio import Kamailio, KamailioTlsUnavailable
from .sipp import Sipp


class ScTestCase(unittest.TestCase):
    """setUp makes self.tmp; helpers start Kamailio/SIPp/the command and register
    their cleanup (kill by PID) so they are stopped even when the test fails.
    Set SC_KEEP_TMP=1 to keep the temp dirs (logs of every process are there),
    SC_TRACE=1 to print every event the command printed after each test."""

    needs_cli = True
    maxDiff = None

    def setUp(self):
        if self.needs_cli:
            ok, why = cli_available()
            if not ok:
                self.skipTest(why)
        self.tmp = tempfile.mkdtemp(prefix="sctest-%s-" % self._testMethodName)
        self.addCleanup(self._rm_tmp)

    def _rm_tmp(self):
        if os.environ.get("SC_KEEP_TMP"):
            print("\n[sctest] kept %s" % self.tmp)
            return
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- peers ----
    def start_kamailio(self, **kw):
        k = Kamailio(os.path.join(self.tmp, "kamailio"), **kw)
        self.addCleanup(k.stop)
        k.start()
        return k

    def start_tls_kamailio(self, **kw):
        """Kamailio with TLS; the test is skipped (not failed) only when Kamailio's
        tls module cannot load here."""
        k = Kamailio(os.path.join(self.tmp, "kamailio"), tls=True, **kw)
        self.addCleanup(k.stop)
        try:
            k.start()
        except KamailioTlsUnavailable as e:
            self.skipTest("Kamailio's tls module cannot load here: %s" % str(e)[:300])
        return k

    def start_sipp(self, scenario, **kw):
        s = Sipp(scenario, os.path.join(self.tmp, "sipp"), **kw)
        self.addCleanup(s.stop)
        s.start()
        return s

    # ---- the command ----
    def gateway_file(self, params, name="skype", filename=None):
        return write_gateway(self.tmp, name, params, filename)

    def gateways_file(self, gateways, filename="gateways.xml"):
        return write_gateways(os.path.join(self.tmp, filename), gateways)

    def start_cli(self, gateway_files, wait_started=True, **kw):
        cli = ScCli(gateway_files, workdir=self.tmp, **kw)
        self.addCleanup(cli.stop)
        if os.environ.get("SC_TRACE"):
            self.addCleanup(lambda: print("\n[sctest] %s\n%s" % (self.id(), cli.describe())))
        cli.start()
        if wait_started:
            ev = cli.wait_started(15)
            self.assertEqual(ev.get("bind"), "127.0.0.1", cli.describe())
            self.assertIsInstance(ev.get("udp_port"), int, cli.describe())
        return cli

    # ---- common assertions ----
    def assert_quit_clean(self, cli, gateways=("skype",), timeout=45, registered=True):
        """`quit`: every registered gateway goes UNREGISTER -> DOWN (reason request),
        then {"event":"stopped"} and exit code 0."""
        mark = len(cli.events)
        rc = cli.quit(timeout)
        for gw in gateways:
            if registered:
                cli.wait_for(match(gateway=gw, state="UNREGISTER"), 1, after=mark)
            down = cli.wait_for(match(gateway=gw, state="DOWN"), 1, after=mark)
            self.assertEqual(down.get("status"), "DOWN", cli.describe())
            self.assertEqual(down.get("reason"), "request", cli.describe())
        stopped = cli.wait_for(match(event="stopped"), 1, after=mark)
        self.assertEqual(rc, 0, "exit code after quit\n" + cli.describe())
        self.assertIsNotNone(stopped)
        self.assert_timely(cli)
        return rc

    def assert_timely(self, cli, max_lag=2.0):
        """Every JSON line reached us within max_lag s of its "time" (flushed at once)."""
        late = cli.late_events(max_lag)
        self.assertFalse(late, "events printed late (stdout not flushed?): %s\n%s"
                         % (["#%d %.1fs late" % (e["_idx"], e["_wall"] - e["time"]) for e in late],
                            cli.describe()))

    def assert_last_state_down(self, cli, gateways=("skype",)):
        """After quit, each gateway's last gateway_state event is DOWN: sc_event.h defines
        DOWN as "unregistered on request; nothing more is sent", whatever state the
        gateway was in (TRYING, FAIL_WAIT, NOREG...) when asked to stop."""
        for gw in gateways:
            evs = cli.gateway_events(gw)
            self.assertTrue(evs, cli.describe())
            self.assertEqual(evs[-1]["state"], "DOWN",
                             "last state of %s after quit\n%s" % (gw, cli.describe()))

    def assert_event_fields(self, ev, cli):
        """The documented JSON fields of a gateway_state event are present and typed."""
        types = {"gateway": str, "state": str, "prev": str, "status": str, "sip_code": int,
                 "phrase": str, "reason": str, "expires": int, "next_retry": int,
                 "failures": int, "time": (int, float)}
        for k, t in types.items():
            self.assertIn(k, ev, "field %s missing in %s\n%s" % (k, ev, cli.describe()))
            self.assertIsInstance(ev[k], t, "field %s of %s\n%s" % (k, ev, cli.describe()))
        self.assertIn(ev["status"], ("UP", "DOWN"))
        self.assertIn(ev["reason"], ("none", "auth", "timeout", "network", "dns", "tls",
                                     "server", "config", "request"))
        self.assertIn(ev["state"], STATES)
        self.assertIn(ev["prev"], STATES)
        self.assertLess(abs(ev["time"] - time.time()), 300, "time is not Unix time: %s" % ev)


STATES = ("UNREGED", "TRYING", "REGISTER", "REGED", "UNREGISTER", "FAILED", "FAIL_WAIT",
          "EXPIRED", "NOREG", "DOWN", "TIMEOUT")
