"""`skypeconnect check` and configuration errors of `skypeconnect run`."""
import re
import unittest

from sctest.cli import run_command, skype_gateway, ScCli
from sctest.testcase import ScTestCase


class CheckTest(ScTestCase):

    def test_check_good_file(self):
        """12a. A valid Skype Connect gateway file: exit 0, no errors."""
        gw = self.gateway_file(skype_gateway(5070))
        r = run_command(["check", gw])
        self.assertEqual(r.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr))
        self.assertNotIn(": error:", r.stdout + r.stderr)

    def test_check_broken_file(self):
        """12b. Bad retry-seconds and an unknown param: exit 1, FILE:LINE:COL: error: ... ."""
        path = self.tmp + "/broken.xml"
        with open(path, "w") as f:
            f.write('<include>\n'                                              # line 1
                    '  <gateway name="skype">\n'                               # 2
                    '    <param name="realm" value="127.0.0.1:5070"/>\n'       # 3
                    '    <param name="username" value="skype"/>\n'             # 4
                    '    <param name="password" value="secret"/>\n'            # 5
                    '    <param name="retry-seconds" value="soon"/>\n'         # 6
                    '    <param name="no-such-param" value="1"/>\n'            # 7
                    '  </gateway>\n'
                    '</include>\n')
        r = run_command(["check", path])
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        diags = re.findall(r"^(.*?):(\d+):(\d+): (error|warning): (.*)$", out, re.M)
        self.assertTrue(diags, "no FILE:LINE:COL diagnostics in:\n" + out)
        for d in diags:
            self.assertTrue(d[0].endswith("broken.xml"), out)
        lines = {int(d[1]) for d in diags if d[3] == "error"}
        self.assertIn(6, lines, "retry-seconds error must point at line 6\n" + out)
        self.assertTrue(any(int(d[1]) == 7 for d in diags),
                        "unknown param must be reported at line 7\n" + out)
        self.assertTrue(any("retry-seconds" in d[4] for d in diags), out)
        self.assertTrue(any("no-such-param" in d[4] for d in diags), out)

    def test_check_good_and_broken_together(self):
        """12c. Several files: one broken file makes the exit status 1."""
        good = self.gateway_file(skype_gateway(5070), filename="good.xml")
        bad = self.tmp + "/bad.xml"
        with open(bad, "w") as f:
            f.write('<include>\n  <gateway name="x">\n    <param name="retry-seconds" value="-3x"/>\n')
        r = run_command(["check", good, bad])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, r"bad\.xml:\d+:\d+: error:")

    def test_run_with_config_error_exits_2(self):
        """13. `run` with a broken gateway file: diagnostics on stderr, exit 2, no "started"."""
        path = self.tmp + "/broken.xml"
        with open(path, "w") as f:
            f.write('<include>\n  <gateway name="skype">\n'
                    '    <param name="realm" value="127.0.0.1:5070"/>\n'
                    '    <param name="username" value="skype"/>\n'
                    '    <param name="password" value="secret"/>\n'
                    '    <param name="retry-seconds" value="soon"/>\n'
                    '  </gateway>\n</include>\n')
        cli = ScCli([path], workdir=self.tmp)
        self.addCleanup(cli.stop)
        cli.start()
        rc = cli.wait_exit(15)
        self.assertEqual(rc, 2, cli.describe())
        self.assertFalse([e for e in cli.events if e.get("event") == "started"], cli.describe())
        self.assertRegex(cli.stderr_tail(), r"broken\.xml:6:\d+: error:", cli.describe())

    def test_run_with_missing_file_exits_2(self):
        """13b. A gateway file that does not exist is a configuration error too."""
        cli = ScCli([self.tmp + "/nope.xml"], workdir=self.tmp)
        self.addCleanup(cli.stop)
        cli.start()
        self.assertEqual(cli.wait_exit(15), 2, cli.describe())
        self.assertFalse(cli.events, cli.describe())


if __name__ == "__main__":
    unittest.main()
