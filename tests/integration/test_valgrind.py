"""The command under valgrind memcheck, against real peers: register with digest
(Kamailio), take an inbound call and dial out through the trunk (SIPp on both
sides), refuse an emergency number, then quit (hang-ups, un-REGISTER, Sofia
shutdown). Memcheck must report no error and no definitely or possibly lost
block: nothing in the library leaks or touches freed memory on these paths.

Valgrind slows the command ~20x, so waits here are generous.
"""
import os
import re
import shutil
import stat
import unittest

from sctest.calls import CallTestCase, ACCOUNT, PASSWORD
from sctest.cli import ScCli, skype_gateway, cli_path

VALGRIND = shutil.which("valgrind")


@unittest.skipUnless(VALGRIND, "valgrind is not installed")
@unittest.skipIf(os.environ.get("SC_SANITIZED"), "the command is built with ASan: memcheck cannot run it")
class ValgrindTest(CallTestCase):

    def wrapper(self):
        """A script that runs the command under memcheck, its report in a file."""
        self.report = os.path.join(self.tmp, "memcheck.txt")
        path = os.path.join(self.tmp, "skypeconnect-memcheck")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexec %s --tool=memcheck --leak-check=full --show-leak-kinds=definite,possible "
                    "--errors-for-leak-kinds=definite,possible --track-fds=no --num-callers=30 "
                    "--log-file=%s %s \"$@\"\n" % (VALGRIND, self.report, cli_path()))
        os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
        return path

    def test_register_calls_and_quit_are_memcheck_clean(self):
        k = self.start_kamailio(users={ACCOUNT: PASSWORD})
        gwfile = self.gateway_file(skype_gateway(k.port, dial_prefix="00"), name="skype")
        cli = ScCli([gwfile], workdir=self.tmp, cli=self.wrapper(), extra_args=["--on-incoming", "answer"])
        self.addCleanup(cli.stop)
        cli.start()
        cli.wait_started(timeout=90)
        cli.wait_state("REGED", 90)

        # an inbound call from the PSTN side, answered, the caller hangs up
        uac = self.caller("call_uac_bye", k.port, duration_ms=1500, timeout=120)
        inc = cli.wait_for(lambda e: e.get("event") == "incoming_call", 60, what="the inbound call")
        cli.wait_for(lambda e: e.get("event") == "call_state" and e.get("call") == inc["call"]
                     and e.get("state") == "ended", 90, what="the inbound call to end")

        # a dial-out through the trunk to the PSTN UAS, hung up by the PSTN side
        self.pstn("call_uas_answer_bye", k, duration_ms=1500, timeout=120)
        cli.send("dial skype 004930123450")
        out = cli.wait_for(lambda e: e.get("event") == "call_state" and e.get("state") == "answered"
                           and e.get("direction") == "outbound", 90, what="the dial-out answered")
        cli.wait_for(lambda e: e.get("event") == "call_state" and e.get("call") == out["call"]
                     and e.get("state") == "ended", 90, what="the dial-out to end")

        # a refused number costs nothing either
        cli.send("dial skype 112")
        cli.wait_for(lambda e: e.get("event") == "dial_refused", 60, what="the refusal")

        cli.quit(timeout=180)
        self.assertEqual(cli.proc.returncode, 0, cli.describe())
        with open(self.report) as f:
            report = f.read()
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", report)
        self.assertTrue(summary, "no memcheck summary:\n" + report[-3000:])
        self.assertEqual(summary.group(1), "0", "memcheck found errors:\n" + report[-12000:])
        for kind in ("definitely lost", "possibly lost"):
            m = re.search(kind + r": ([\d,]+) bytes", report)
            if m:
                self.assertEqual(m.group(1), "0", "%s:\n%s" % (kind, report[-12000:]))
        del uac


if __name__ == "__main__":
    unittest.main()
