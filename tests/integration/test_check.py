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

    MEDIA_BAD = [  # (param, value, what the error says); one gateway per row
        ("rtp-start-port", "0", "value '0' is not a whole number in 1024..65534"),
        ("rtp-end-port", "70000", "value '70000' is not a whole number in 1025..65535"),
        ("codec-prefs", "PCMU,G279", "names codec 'G279', which is no codec FreeSWITCH"),
        ("codec-prefs", "G729,GSM", "names no codec libskypeconnect carries"),
        ("rtp-timeout-sec", "-5", "value '-5' is not a whole number in 0..86400"),
        ("rtp-hold-timeout-sec", "soon", "value 'soon'"),
        ("rtp-secure-media", "sometimes", "value 'sometimes' is not true, false, mandatory"),
        ("dtmf-type", "smoke", "value 'smoke' is not rfc2833, info or none"),
        ("rfc2833-pt", "13", "value '13' is not a whole number in 96..127"),
        ("rtp-ip", "example.com", "value 'example.com' is not an IP address"),
    ]

    def media_file(self, name="media.xml"):
        """One gateway per bad media value (line 2 + 5*i is each bad param's line),
        then one whose rtp-start-port 30000 is not below rtp-end-port 20000."""
        text = "<include>\n"
        for i, (param, value, _) in enumerate(self.MEDIA_BAD):
            text += ('  <gateway name="g%d">\n'
                     '    <param name="%s" value="%s"/>\n'
                     '    <param name="register" value="false"/>\n'
                     '    <param name="proxy" value="127.0.0.1:5070"/>\n'
                     '  </gateway>\n' % (i, param, value))
        text += ('  <gateway name="range">\n'
                 '    <param name="register" value="false"/>\n'
                 '    <param name="rtp-start-port" value="30000"/>\n'
                 '    <param name="rtp-end-port" value="20000"/>\n'
                 '  </gateway>\n</include>\n')
        path = self.tmp + "/" + name
        with open(path, "w") as f:
            f.write(text)
        return path, 2 + 5 * len(self.MEDIA_BAD) + 3

    def test_check_bad_media_params_at_their_lines(self):
        """Media parameters are checked when the gateway is loaded: `check` names
        FILE:LINE of each bad value (port 0, 70000, unknown codec, negative
        timeout, ...) and of an rtp-end-port not above rtp-start-port; exit 1."""
        path, range_line = self.media_file()
        r = run_command(["check", path])
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        errors = {int(m[0]): m[1] for m in re.findall(r"^.*media\.xml:(\d+):(?:\d+:)? error: (.*)$", out, re.M)}
        for i, (param, value, what) in enumerate(self.MEDIA_BAD):
            line = 3 + 5 * i
            self.assertIn(line, errors, "%s=%s: no error at line %d\n%s" % (param, value, line, out))
            self.assertIn(param, errors[line], out)
            self.assertIn(what, errors[line], out)
        self.assertIn(range_line, errors, out)
        self.assertIn("rtp-start-port 30000 is not below rtp-end-port 20000", errors[range_line], out)
        # good media values load clean
        good = self.gateway_file(skype_gateway(5070, codec_prefs="PCMA@20i,PCMU", rtp_start_port=20000,
                                               rtp_end_port=20100, rtp_timeout_sec=30, rtp_hold_timeout_sec=0,
                                               rtp_secure_media="mandatory", dtmf_type="info"),
                                 filename="goodmedia.xml")
        r = run_command(["check", good])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_run_with_bad_media_param_exits_2(self):
        """`run` refuses the same file before it starts: FILE:LINE on stderr, exit 2."""
        path, _ = self.media_file()
        cli = ScCli([path], workdir=self.tmp)
        self.addCleanup(cli.stop)
        cli.start()
        self.assertEqual(cli.wait_exit(15), 2, cli.describe())
        self.assertFalse([e for e in cli.events if e.get("event") == "started"], cli.describe())
        self.assertRegex(cli.stderr_tail(), r"media\.xml:3:\d+: error: .*rtp-start-port", cli.describe())

    def test_run_with_missing_file_exits_2(self):
        """13b. A gateway file that does not exist is a configuration error too."""
        cli = ScCli([self.tmp + "/nope.xml"], workdir=self.tmp)
        self.addCleanup(cli.stop)
        cli.start()
        self.assertEqual(cli.wait_exit(15), 2, cli.describe())
        self.assertFalse(cli.events, cli.describe())


if __name__ == "__main__":
    unittest.main()
