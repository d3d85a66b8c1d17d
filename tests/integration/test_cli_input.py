"""Hostile standard input to `skypeconnect run` and hostile files to `check`
and `run --sdp` (issue 11, items 7, 8, 9, 10, 11).

The gateway points at a UDP socket of the test (no REGISTER: register=false),
so whatever the command puts on the wire is seen directly: a refused line
must send no INVITE. Every test also runs the same command in a form that
is accepted, so that it can fail: the wire socket does see that INVITE.
No Kamailio or SIPp needed; loopback only; every process stopped by PID.
"""
import json
import os
import random
import socket
import subprocess
import threading
import time
import unittest

from sctest.cli import cli_available, cli_path, run_command, skype_gateway
from sctest.testcase import ScTestCase

NUMBER = "004930123456"


class WireSocket:
    """The gateway's proxy: a UDP socket that records every request line and,
    with busy=True, answers each INVITE 486 at once (calls end as they start)."""

    def __init__(self):
        self.busy = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop:
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            if self.busy and data.startswith(b"INVITE "):
                self.sock.sendto(self._busy_reply(data), _)

    @staticmethod
    def _busy_reply(data):
        keep = []
        for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            name = line.split(b":", 1)[0].strip().lower()
            if name in (b"via", b"v", b"from", b"f", b"call-id", b"i", b"cseq"):
                keep.append(line)
            elif name in (b"to", b"t"):
                keep.append(line + b";tag=busy1")
        return b"\r\n".join([b"SIP/2.0 486 Busy Here"] + keep + [b"Content-Length: 0", b"", b""])

    def invites(self):
        return [r for r in self.requests if r.startswith("INVITE ")]

    def close(self):
        self._stop = True
        self._t.join(2)
        self.sock.close()


class RawRun:
    """`skypeconnect run --json` with stdin and stdout as raw bytes: the test
    checks the bytes the command prints, not a decoded copy of them."""

    def __init__(self, argv, cwd):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.lines = []
        self.stderr = []
        self.cond = threading.Condition()
        for stream, sink in ((self.proc.stdout, self.lines), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    def _read(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.cond:
                sink.append(raw.rstrip(b"\n"))
                self.cond.notify_all()

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def events(self):
        """Every stdout line parsed (fails the caller on a line that does not parse)."""
        with self.cond:
            raw = list(self.lines)
        return [json.loads(l.decode("utf-8", errors="strict")) for l in raw]

    def wait(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for l in self.lines:
                    try:
                        ev = json.loads(l.decode("utf-8"))
                    except ValueError:
                        continue
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.2))

    def fence(self, timeout=10):
        """Sends `status` and waits for its answer: every line before it has run."""
        mark = len(self.lines)
        self.send(b"status\n")
        deadline = time.monotonic() + timeout
        with self.cond:
            while time.monotonic() < deadline:
                if any(l.startswith(b'{"event":"gateway_status"') for l in self.lines[mark:]):
                    return True
                self.cond.wait(0.2)
        return False

    def describe(self):
        with self.cond:
            return "stdout:\n  %s\nstderr:\n  %s" % (
                "\n  ".join(repr(l) for l in self.lines[-30:]), "\n  ".join(repr(l) for l in self.stderr[-30:]))

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


class CliInputTest(ScTestCase):

    def setUp(self):
        super().setUp()
        ok, why = cli_available()
        if not ok:
            self.skipTest(why)
        self.wire = WireSocket()
        self.addCleanup(self.wire.close)
        self.gw = self.gateway_file(skype_gateway(self.wire.port, register="false", dial_prefix="0049"))

    def start(self, *extra):
        r = RawRun([cli_path(), "run", "--gateway", self.gw, "--bind", "127.0.0.1:0", "--json"] + list(extra),
                   self.tmp)
        self.addCleanup(r.stop)
        self.assertTrue(r.wait(lambda e: e.get("event") == "started", 15), r.describe())
        return r

    def assert_quits(self, r):
        r.send(b"quit\n")
        try:
            rc = r.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.fail("quit did not end the command\n" + r.describe())
        self.assertEqual(rc, 0, r.describe())

    def errors(self, r):
        return [e for e in r.events() if e.get("event") == "error"]

    def wait_invite(self, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.wire.invites():
            time.sleep(0.05)
        return self.wire.invites()

    # ------------------------------------------------------------ item 7
    def test_overlong_line_is_refused_whole(self):
        """7. A line over 4,095 bytes whose tail is a dial command dials nothing and says so."""
        r = self.start()
        for size in (4096, 5000, 20000):
            padded = b" " * (size - len("dial skype " + NUMBER)) + b"dial skype " + NUMBER.encode()
            self.assertEqual(len(padded), size)
            r.send(padded + b"\n")
        self.assertTrue(r.fence(), r.describe())
        time.sleep(0.5)
        self.assertEqual(self.wire.invites(), [], "a refused line reached the wire\n" + r.describe())
        self.assertFalse([e for e in r.events() if e.get("event", "").startswith("call")], r.describe())
        errs = self.errors(r)
        self.assertEqual(len(errs), 3, r.describe())
        self.assertTrue(all("longer than 4095 bytes" in e["message"] for e in errs), r.describe())
        # The longest line allowed still runs: the test can see a dial.
        ok = b" " * (4095 - len("dial skype " + NUMBER)) + b"dial skype " + NUMBER.encode()
        r.send(ok + b"\n")
        self.assertTrue(self.wait_invite(), "a 4,095-byte dial line sent no INVITE\n" + r.describe())
        self.assert_quits(r)

    def test_overlong_line_in_pieces(self):
        """7b. The same when the long line arrives in many writes."""
        r = self.start()
        line = b"x" * 3000 + b" " * 2000 + b"dial skype " + NUMBER.encode() + b"\n"
        for i in range(0, len(line), 700):
            r.send(line[i:i + 700])
            time.sleep(0.01)
        self.assertTrue(r.fence(), r.describe())
        time.sleep(0.5)
        self.assertEqual(self.wire.invites(), [], r.describe())
        self.assertEqual(len(self.errors(r)), 1, r.describe())
        self.assert_quits(r)

    # ------------------------------------------------------------ item 8
    def test_nul_byte_is_refused_and_later_commands_run(self):
        """8. A line with a NUL is refused with an error; status and quit still run."""
        r = self.start()
        r.send(b"dial skype " + NUMBER.encode() + b"\x00junk\n")
        r.send(b"\x00\n")
        self.assertTrue(r.fence(), "status after a NUL line got no answer\n" + r.describe())
        time.sleep(0.3)
        self.assertEqual(self.wire.invites(), [], r.describe())
        errs = self.errors(r)
        self.assertEqual(len(errs), 2, r.describe())
        self.assertTrue(all("NUL" in e["message"] and e["code"] == "SC_EINVAL" for e in errs), r.describe())
        self.assert_quits(r)

    # ------------------------------------------------------------ item 10
    def test_json_lines_parse_whatever_came_in(self):
        """10. Random bytes on stdin: every line --json prints is valid UTF-8 JSON."""
        r = self.start()
        rnd = random.Random(11)
        specials = [b'"', b"\\", b"\x01", b"\x1b[31m", b"\x7f", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\t"]
        for i in range(200):
            cmd = rnd.choice([b"register ", b"unregister ", b"hangup ", b"dial ", b"ring ", b"", b"dtmf 1 "])
            junk = b"".join(rnd.choice(specials) if rnd.random() < 0.5 else bytes([rnd.randrange(1, 256)])
                            for _ in range(rnd.randrange(1, 12)))
            r.send(cmd + junk.replace(b"\n", b"") + b"\n")
        self.assertTrue(r.fence(30), r.describe())
        with r.cond:
            raw = list(r.lines)
        for line in raw:
            try:
                ev = json.loads(line.decode("utf-8", errors="strict"))
            except ValueError as e:
                self.fail("--json printed a line that does not parse (%s): %r" % (e, line))
            self.assertIsInstance(ev, dict, line)
        self.assertTrue(self.errors(r), "no error line was printed\n" + r.describe())
        self.assert_quits(r)

    def test_error_line_escapes_the_command(self):
        """10b. An error naming what was typed: quotes, backslash and an ESC come back escaped."""
        r = self.start()
        r.send(b'register sk"y\\pe\x1b\xff\n')
        self.assertTrue(r.fence(), r.describe())
        errs = self.errors(r)
        self.assertEqual(len(errs), 1, r.describe())
        self.assertEqual(errs[0]["command"], "register", r.describe())
        self.assertIn('sk"y\\pe\x1b\ufffd', errs[0]["message"], r.describe())
        self.assert_quits(r)

    # ------------------------------------------------------------ item 9
    def test_calls_lists_live_calls_quickly(self):
        """9. `calls` lists the live calls (ids far apart) and answers at once."""
        r = self.start()
        r.send(("dial skype %s\n" % NUMBER).encode())
        self.assertTrue(self.wait_invite(), r.describe())
        self.assertTrue(r.fence(), r.describe())
        mark = len(r.lines)
        t0 = time.monotonic()
        r.send(b"calls\nstatus\n")
        self.assertTrue(r.fence(), r.describe())
        self.assertLess(time.monotonic() - t0, 10, r.describe())
        with r.cond:
            listed = [json.loads(l) for l in r.lines[mark:] if b'"destination_number"' in l]
        self.assertTrue(listed, "calls listed nothing\n" + r.describe())
        self.assertEqual(listed[0].get("destination_number"), NUMBER, r.describe())
        self.assert_quits(r)

    def test_calls_while_calls_end(self):
        """9b. `calls` right after dials that the trunk refuses at once: calls end while
        `calls` looks, and it still answers at once (it walked ids up to 1,000,000)."""
        self.wire.busy = True
        r = self.start()
        batch = b"".join(b"dial skype %s\ncalls\n" % NUMBER.encode() for _ in range(60))
        t0 = time.monotonic()
        r.send(batch)
        self.assertTrue(r.fence(40), "status got no answer after dials and calls\n" + r.describe())
        self.assertLess(time.monotonic() - t0, 15, "calls froze the command\n" + r.describe())
        # The INVITEs went out (they may still be on their way at the fence).
        deadline = time.monotonic() + 5
        while len(self.wire.invites()) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(len(self.wire.invites()), 60, r.describe())
        self.assert_quits(r)

    # ------------------------------------------------------------ item 11
    def run_measured(self, *args):
        """Runs the command under a 1 GB address-space cap (a runaway read
        fails there instead of eating the machine); returns (result, peak RSS in MB)."""
        if os.environ.get("SC_SANITIZED"):
            self.skipTest("ASan reserves terabytes of address space: memory bounds are checked in the plain build")
        if not os.path.exists("/usr/bin/time"):
            self.skipTest("/usr/bin/time is needed to measure the peak RSS")
        res = subprocess.run(["sh", "-c", 'ulimit -v 1048576; exec /usr/bin/time -f "maxrss_kb=%M" "$@"', "sh",
                              cli_path()] + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        rss = [int(l.split("=")[1]) for l in res.stderr.splitlines() if l.startswith("maxrss_kb=")]
        self.assertTrue(rss, res.stderr)
        return res, rss[-1] / 1024.0

    def test_sdp_file_is_bounded_while_reading(self):
        """11. --sdp /dev/zero: refused as too large, after reading no more than the limit."""
        res, mb = self.run_measured("run", "--gateway", self.gw, "--sdp", "/dev/zero", "--json")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("/dev/zero", res.stderr)
        self.assertIn("larger than", res.stderr)
        self.assertLess(mb, 64, "--sdp /dev/zero grew to %.0f MB" % mb)

    def test_check_dev_zero_is_bounded(self):
        """11b. check /dev/zero: a clear error, exit 1; memory stays near the 64 MiB file limit."""
        res, mb = self.run_measured("check", "/dev/zero")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("/dev/zero", res.stdout)
        self.assertRegex(res.stdout, r"too large|larger than")
        self.assertLess(mb, 200, "check /dev/zero grew to %.0f MB" % mb)


if __name__ == "__main__":
    unittest.main()
