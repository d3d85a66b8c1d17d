"""`check` and `run` accept exactly the same dial-rule configurations (issue #11 item 2).

A corpus of gateway files, each with one dial setting, goes through both
`skypeconnect check FILE` and `skypeconnect run --gateway FILE`. For every file
both must agree: accepted by both (check exits 0, run starts), or refused by both
(check exits 1, run exits 2 before "started") with a FILE:LINE diagnostic at the
line of the parameter at fault, naming it. A rule the library cannot build (a
dial-prefix longer than the builder took, a dial-format with letters...) used to
pass `check` and `run`, and left dialplan bridges with the any-number rule.
"""
import os
import re
import unittest

from sctest.cli import run_command
from sctest.ports import free_port
from sctest.testcase import ScTestCase

# (name, [(param, value)...], the param at fault or None when valid)
CORPUS = [
    ("prefix_00", [("dial-prefix", "00")], None),
    ("prefix_9", [("dial-prefix", "004930123")], None),
    ("prefix_16", [("dial-prefix", "0049301234567890")], None),
    ("prefix_plus", [("dial-prefix", "+44")], None),
    ("prefix_17", [("dial-prefix", "00493012345678901")], "dial-prefix"),
    ("prefix_bare_plus", [("dial-prefix", "+")], "dial-prefix"),
    ("pattern_format", [("dial-pattern", "^9(\\d+)$"), ("dial-format", "$1")], None),
    ("pattern_no_format", [("dial-pattern", "^(00\\d+)$")], None),
    ("format_digits_only", [("dial-pattern", "^0$"), ("dial-format", "004930123456")], None),
    ("format_plus", [("dial-pattern", "^9(\\d+)$"), ("dial-format", "+$1")], None),
    ("format_letters", [("dial-pattern", "^9(\\d+)$"), ("dial-format", "abc$1")], "dial-format"),
    ("format_group_missing", [("dial-pattern", "^9(\\d+)$"), ("dial-format", "$2")], "dial-format"),
    ("format_dollar", [("dial-pattern", "^9(\\d+)$"), ("dial-format", "$x")], "dial-format"),
    ("pattern_broken", [("dial-pattern", "^(9\\d+$")], "dial-pattern"),
    ("pattern_escapes_anchor", [("dial-pattern", "a)|(b")], "dial-pattern"),
    ("format_without_pattern", [("dial-prefix", "00"), ("dial-format", "$1")], "dial-format"),
    ("dest_plus", [("dial-prefix", "44"), ("destination-prefix", "+")], None),
    ("dest_digits", [("dial-prefix", "00"), ("destination-prefix", "1010")], None),
    ("dest_letters", [("dial-prefix", "00"), ("destination-prefix", "sip")], "destination-prefix"),
    ("dest_hash", [("dial-prefix", "00"), ("destination-prefix", "*31#")], "destination-prefix"),
    ("country_ok", [("dial-prefix", "00"), ("emergency-country", "GB")], None),
    ("country_unknown", [("dial-prefix", "00"), ("emergency-country", "XX")], "emergency-country"),
    ("numbers_ok", [("dial-prefix", "00"), ("emergency-numbers", "15,17")], None),
    ("numbers_bad", [("dial-prefix", "00"), ("emergency-numbers", "15,1a")], "emergency-numbers"),
    ("no_rule", [], None),
]

HEADER = 7   # lines before the first corpus param (see write())


class CheckRunAgreeTest(ScTestCase):

    def write(self, name, params, port):
        path = os.path.join(self.tmp, name + ".xml")
        lines = ['<include>',
                 '  <gateway name="skype">',
                 '    <param name="register" value="false"/>',
                 '    <param name="proxy" value="127.0.0.1:%d"/>' % port,
                 '    <param name="username" value="skype"/>',
                 '    <param name="password" value="secret"/>',
                 '    <param name="ping" value="0"/>']
        assert len(lines) == HEADER
        lines += ['    <param name="%s" value="%s"/>' % (p, v.replace("&", "&amp;").replace('"', "&quot;"))
                  for p, v in params]
        lines += ['  </gateway>', '</include>', '']
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def test_check_and_run_accept_the_same_configurations(self):
        port = free_port()
        disagree = []
        for name, params, fault in CORPUS:
            with self.subTest(name=name):
                path = self.write(name, params, port)
                chk = run_command(["check", path])
                run = run_command(["run", "--gateway", path, "--bind", "127.0.0.1:0", "--json"],
                                  timeout=20, input_text="quit\n")
                check_ok = chk.returncode == 0
                run_ok = '"started"' in run.stdout
                out = "check:\n%s%s\nrun (exit %s):\n%s%s" % (chk.stdout, chk.stderr, run.returncode,
                                                              run.stdout, run.stderr)
                if check_ok != run_ok:
                    disagree.append(name)
                self.assertEqual(check_ok, run_ok, "check and run disagree on %s\n%s" % (name, out))
                self.assertEqual(check_ok, fault is None, "%s: expected %s\n%s"
                                 % (name, "accepted" if fault is None else "a %s error" % fault, out))
                if fault is None:
                    self.assertEqual(chk.returncode, 0, out)
                    continue
                self.assertEqual((chk.returncode, run.returncode), (1, 2), out)
                line = HEADER + 1 + [p for p, _ in params].index(fault)
                for what, text in (("check", chk.stdout + chk.stderr), ("run", run.stderr)):
                    hits = re.findall(r"^(\S*%s\.xml):(\d+)(?::\d+)?: error: (.*)$" % re.escape(name),
                                      text, re.M)
                    self.assertTrue(hits, "%s: no FILE:LINE error from %s\n%s" % (name, what, out))
                    self.assertIn(line, [int(h[1]) for h in hits],
                                  "%s: %s must point at line %d (%s)\n%s" % (name, what, line, fault, out))
                    self.assertTrue(any(fault in h[2] for h in hits),
                                    "%s: %s must name %s\n%s" % (name, what, fault, out))
        self.assertEqual(disagree, [])


if __name__ == "__main__":
    unittest.main()
