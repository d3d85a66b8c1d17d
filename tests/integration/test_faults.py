"""Registrar faults injected with SIPp (tests/sipp/*.xml): 423, 503 + Retry-After,
a silent registrar, and a challenged un-REGISTER."""
import time
import unittest

from sctest.cli import match, skype_gateway
from sctest.testcase import ScTestCase


class FaultsTest(ScTestCase):

    def sipp_gateway(self, sipp, **kw):
        kw.setdefault("retry_seconds", 5)
        return self.gateway_file(skype_gateway(sipp.port, **kw))

    def test_423_interval_too_brief(self):
        """5. 423 with Min-Expires: 120 -> the REGISTER is retried with >= 120 and the
        gateway ends REGED with expires 120."""
        s = self.start_sipp("reg_423", timeout=120)
        cli = self.start_cli([self.sipp_gateway(s, expire_seconds=60)])
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 25)
        self.assertEqual(reged["expires"], 120, cli.describe() + "\n" + s.describe())
        self.assertEqual(reged["status"], "UP")
        self.assertTrue(0 < reged["next_retry"] < 120, cli.describe())
        recs = s.log_records()
        self.assertEqual(recs[0]["answer"], "423", s.describe())
        self.assertEqual(recs[0]["expires"], "60", s.describe())
        ok = [r for r in recs if r["answer"] == "200"]
        self.assertTrue(ok, s.describe())
        self.assertGreaterEqual(int(ok[0]["expires"] or 0), 120,
                                "the retry after 423 must ask for at least Min-Expires\n" + s.describe())
        self.assertLessEqual(len(recs), 3, "no 423 loop\n" + s.describe())
        self.assert_quit_clean(cli)

    def test_503_retry_after(self):
        """6. 503 with Retry-After: 7 -> FAILED (503, reason server), FAIL_WAIT with
        next_retry 6..8, the retry comes after ~7 s, then REGED."""
        s = self.start_sipp("reg_503_retry_after", timeout=120, keys={"retry_after": 7, "expires": 60})
        cli = self.start_cli([self.sipp_gateway(s, expire_seconds=60)])
        failed = cli.wait_for(match(gateway="skype", state="FAILED"), 15)
        self.assertEqual(failed["sip_code"], 503, cli.describe())
        self.assertEqual(failed["reason"], "server", cli.describe())
        self.assertEqual(failed["failures"], 1, cli.describe())
        wait = cli.wait_for(match(gateway="skype", state="FAIL_WAIT"), 5)
        self.assertTrue(6 <= wait["next_retry"] <= 8, "next_retry should follow Retry-After: 7\n"
                        + cli.describe())
        self.assertEqual(wait["status"], "DOWN")
        retry = cli.wait_for(match(gateway="skype", state="TRYING"), 15)
        delay = retry["_t"] - failed["_t"]
        self.assertTrue(5.5 <= delay <= 10.0, "retry %.1f s after the 503\n%s" % (delay, cli.describe()))
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 10)
        self.assertEqual(reged["expires"], 60)
        self.assertEqual(reged["failures"], 0, cli.describe())
        self.assertEqual([r["answer"] for r in s.log_records()][:2], ["503", "200"], s.describe())
        self.assert_quit_clean(cli)

    def test_silent_registrar_times_out_and_retries(self):
        """7. No answer: TIMEOUT (408, reason timeout) within timeout-seconds (5) + slack,
        then FAILED, FAIL_WAIT, and another TRYING."""
        s = self.start_sipp("reg_silent", timeout=120)
        cli = self.start_cli([self.sipp_gateway(s, timeout_seconds=5, expire_seconds=60)])
        trying = cli.wait_for(match(gateway="skype", state="TRYING"), 10)
        tmo = cli.wait_for(match(gateway="skype", state="TIMEOUT"), 12)
        self.assertLessEqual(tmo["_t"] - trying["_t"], 5 + 3, cli.describe())
        self.assertGreaterEqual(tmo["_t"] - trying["_t"], 4, "TIMEOUT before timeout-seconds\n"
                                + cli.describe())
        self.assertEqual(tmo["reason"], "timeout", cli.describe())
        self.assertEqual(tmo["sip_code"], 408, cli.describe())
        failed = cli.wait_for(match(gateway="skype", state="FAILED"), 5)
        self.assertEqual(failed["reason"], "timeout", cli.describe())
        wait = cli.wait_for(match(gateway="skype", state="FAIL_WAIT"), 5)
        self.assertEqual(wait["status"], "DOWN")
        self.assertGreater(wait["next_retry"], 0, cli.describe())
        cli.wait_for(match(gateway="skype", state="TRYING"), max(wait["next_retry"], 5) + 10,
                     what="another TRYING after FAIL_WAIT")
        rec = s.wait_log(lambda r: r.get("method") == "REGISTER" and int(r.get("n", 0)) >= 2, 10)
        self.assertIsNotNone(rec, s.describe())
        self.assertIsNone(cli.find(match(state="REGED")), cli.describe())
        # quit with a REGISTER in flight must still end, the gateway's last state being
        # DOWN ("unregistered on request; nothing more is sent"), then stopped, exit 0
        self.assert_quit_clean(cli, registered=False)
        self.assert_last_state_down(cli)

    def test_challenged_unregister(self):
        """8. The un-REGISTER is challenged again: quit answers the challenge, the
        registrar accepts the authenticated un-REGISTER (scenario ends), DOWN, exit 0."""
        s = self.start_sipp("unreg_challenge", timeout=120,
                            keys={"username": "skype", "password": "secret", "expires": 300,
                                  "realm": "127.0.0.1"})
        cli = self.start_cli([self.sipp_gateway(s, expire_seconds=300)])
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 15)
        self.assertEqual(reged["expires"], 300, cli.describe())
        self.assert_quit_clean(cli)
        done = s.wait_log(lambda r: r.get("result") == "UNREG_AUTH_OK", 5)
        self.assertIsNotNone(done, "SIPp never saw the authenticated un-REGISTER\n" + s.describe())
        self.assertEqual(done["expires"], "0", s.describe())
        self.assertTrue(done["unregnonce"].startswith('nonce="unreg'), s.describe())
        self.assertIsNone(s.wait_log(lambda r: r.get("result") == "UNREG_AUTH_BAD", 0), s.describe())
        self.assertIn(s.wait_exit(10), (0, 97), "scenario did not complete\n" + s.describe())


if __name__ == "__main__":
    unittest.main()
