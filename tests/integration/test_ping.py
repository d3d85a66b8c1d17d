"""OPTIONS pings (param ping) on a gateway that does not register (IP authentication)."""
import time
import unittest

from sctest.cli import match
from sctest.testcase import ScTestCase


class PingTest(ScTestCase):

    def test_noreg_ping_down_and_up(self):
        """9. register=false, ping=5: NOREG status UP; OPTIONS reach the trunk; trunk
        killed -> status DOWN within 40 s; restarted on the same port -> UP again."""
        k = self.start_kamailio()
        hp = "127.0.0.1:%d" % k.port
        gw = self.gateway_file({"realm": hp, "proxy": hp, "register": "false", "ping": "5",
                                "retry-seconds": "5"})
        cli = self.start_cli([gw])
        noreg = cli.wait_for(match(gateway="skype", state="NOREG"), 10)
        self.assert_event_fields(noreg, cli)
        self.assertEqual(noreg["status"], "UP", cli.describe())
        opts = k.wait_count(1, 12, method="OPTIONS")
        self.assertTrue(opts, "no OPTIONS ping reached the trunk\n" + k.describe())
        self.assertFalse(k.registers(), "register=false must not REGISTER\n" + k.describe())
        self.assertEqual(opts[0]["proto"], "udp")
        # ping interval is about 5 s
        two = k.wait_count(2, 12, method="OPTIONS")
        self.assertGreaterEqual(len(two), 2, k.describe())
        gap = two[1]["_t"] - two[0]["_t"]
        self.assertTrue(3.5 <= gap <= 8, "OPTIONS every ~5 s, got %.1f s\n%s" % (gap, k.describe()))

        k.kill()
        t_kill = time.monotonic()
        down = cli.wait_for(match(gateway="skype", status="DOWN"), 40,
                            what="status DOWN after the trunk died")
        self.assertLessEqual(down["_t"] - t_kill, 40)
        self.assertIn(down["reason"], ("timeout", "network", "server"), cli.describe())

        k.start()
        t_up = time.monotonic()
        up = cli.wait_for(match(gateway="skype", status="UP"), 25,
                          what="status UP after the trunk came back")
        self.assertLessEqual(up["_t"] - t_up, 25)
        self.assertTrue(k.options(since=t_up), k.describe())
        cli.send("status")
        st = cli.wait_for(match(event="gateway_status", gateway="skype"), 5)
        self.assertEqual(st["status"], "UP", cli.describe())
        # quit: NOREG -> DOWN (reason request), stopped, exit 0
        self.assert_quit_clean(cli, registered=False)
        self.assert_last_state_down(cli)


if __name__ == "__main__":
    unittest.main()
