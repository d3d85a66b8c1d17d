"""SIPp 3.6 as a fault-injecting registrar (UAS), scenarios in tests/sipp/.

    s = Sipp("reg_503_retry_after", workdir, keys={"retry_after": 7})
    s.start()                     # bounded wait until it has bound its UDP port
    s.wait_log(lambda r: r["answer"] == "200", 30)
    s.stop()

Each scenario writes one "SIPPLOG k=v k=v ..." line per request via <log>
(-trace_logs -log_file); log_records() parses them. Always an explicit port
(-p 0 would bind 5060), -nd, its own -timeout and a wall-clock bound here; the
process is started as a child and stopped by PID.
"""
import os
import re
import shutil
import threading
import time

from . import SIPP_DIR
from .ports import free_port, port_is_free, LOOPBACK
from .procs import ManagedProcess


class SippError(RuntimeError):
    pass


def sipp_binary():
    exe = os.environ.get("SC_SIPP") or shutil.which("sipp") or "/usr/bin/sipp"
    if not os.path.exists(exe):
        raise SippError("sipp not found (install the Debian package 'sip-tester')")
    return exe


def scenario_path(name):
    p = name if name.endswith(".xml") else name + ".xml"
    if not os.path.isabs(p):
        p = os.path.join(SIPP_DIR, p)
    if not os.path.exists(p):
        raise SippError("no such scenario: %s" % p)
    return p


def _norm_value(v):
    # SIPp prints numeric variables as doubles: "1.000000" -> "1"
    if re.fullmatch(r"-?\d+\.0+", v):
        return v.split(".")[0]
    return v


def parse_sipplog(text):
    i = text.find("SIPPLOG ")
    if i < 0:
        return None
    rec = {}
    for m in re.finditer(r"(\w+)=(\S*)", text[i + 8:]):
        rec[m.group(1)] = _norm_value(m.group(2))
    return rec


def _free_media_port(exclude=(), host=LOOPBACK):
    """An even UDP port p with p..p+3 free (SIPp binds the RTP echo on p and p+2)."""
    for _ in range(100):
        p = free_port(host=host, udp=True, tcp=False, exclude=exclude)
        p -= p % 2
        if p + 3 < 65536 and all(q not in exclude and port_is_free(q, host=host, udp=True, tcp=False)
                                 for q in range(p, p + 4)):
            return p
    raise SippError("no free UDP port range for SIPp's media sockets")


class Sipp:
    def __init__(self, scenario, workdir, port=None, keys=None, timeout=180, max_calls=None,
                 transport="u1", extra_args=(), remote=None, users=None, local_ip=LOOPBACK,
                 service=None, duration_ms=None, rate=None, rate_period_ms=None, limit=None,
                 trace_msg=True, net=None, netns=None):
        """scenario: a name in tests/sipp/ (without .xml) or a path.
        keys: -key NAME VALUE pairs ([NAME] in the scenario).
        remote: "host:port" for client (UAC) scenarios; None for server scenarios.
        local_ip: the loopback address SIPp binds for SIP, control and media
        (e.g. "127.0.0.2" for a caller that must not look like the trunk).
        service: -s (the [service] user of UAC scenarios); duration_ms: -d (the
        length of a <pause/> without attributes); rate: -r calls per rate_period_ms
        (-rp, default 1000); limit: -l (simultaneous calls); trace_msg: keep every
        message in the -trace_msg file (turn off for soaks). net/netns: run inside
        that namespace of a sctest.netns.NatNet (local_ip an address of it; a fresh
        namespace has every port free, so fixed ones are used unless given).
        """
        self.net = net
        self.in_netns = netns if net else None
        self.scenario = scenario_path(scenario)
        self.name = os.path.splitext(os.path.basename(self.scenario))[0]
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.local_ip = local_ip
        self.port = port or (5090 if self.in_netns else free_port(host=local_ip))
        self.keys = dict(keys or {})
        self.timeout = int(timeout)
        self.max_calls = max_calls
        self.transport = transport
        self.extra_args = list(extra_args)
        self.remote = remote
        self.service = service
        self.duration_ms = duration_ms
        self.rate = rate
        self.rate_period_ms = rate_period_ms
        self.limit = limit
        self.trace_msg = trace_msg
        base = os.path.join(self.workdir, "sipp-%s-%d" % (self.name, self.port))
        self.log_file = base + "-logs.log"
        self.message_file = base + "-messages.log"
        self.error_file = base + "-errors.log"
        self.output_file = base + "-output.log"
        if self.in_netns:
            self.control_port = self.port + 1
            self.media_port = self.port + 10 - (self.port % 2)
        else:
            self.control_port = free_port(host=local_ip, udp=True, tcp=False, exclude=(self.port,))
            self.media_port = _free_media_port(exclude=(self.port, self.control_port), host=local_ip)
        self.proc = None

    def argv(self):
        # everything on loopback: SIP (-i), the remote-control socket (-ci/-cp; SIPp
        # would bind 0.0.0.0:8888 otherwise) and the RTP echo sockets (-mi/-mp)
        a = [sipp_binary(), "-sf", self.scenario, "-i", self.local_ip, "-p", str(self.port),
             "-ci", self.local_ip, "-cp", str(self.control_port),
             "-mi", self.local_ip, "-mp", str(self.media_port),
             "-t", self.transport, "-nd",
             "-trace_logs", "-log_file", self.log_file,
             "-trace_err", "-error_file", self.error_file,
             "-timeout", "%ds" % self.timeout, "-timeout_error"]
        if self.trace_msg:
            a += ["-trace_msg", "-message_file", self.message_file]
        if self.max_calls is not None:
            a += ["-m", str(self.max_calls)]
        if self.service is not None:
            a += ["-s", str(self.service)]
        if self.duration_ms is not None:
            a += ["-d", str(int(self.duration_ms))]
        if self.rate is not None:
            a += ["-r", str(self.rate)]
            if self.rate_period_ms is not None:
                a += ["-rp", str(int(self.rate_period_ms))]
        if self.limit is not None:
            a += ["-l", str(int(self.limit))]
        for k, v in self.keys.items():
            a += ["-key", str(k), str(v)]
        a += self.extra_args
        if self.remote:
            a.append(self.remote)
        if self.in_netns:
            a = self.net.argv_in(self.in_netns, a)
        return a

    def _bound(self):
        if self.in_netns:
            return not self.net.call_in(self.in_netns, port_is_free, self.port, host=self.local_ip,
                                        udp=True, tcp=False)
        return not port_is_free(self.port, host=self.local_ip, udp=True, tcp=False)

    def start(self, ready_timeout=10.0):
        for f in (self.log_file, self.message_file, self.error_file):
            if os.path.exists(f):
                os.unlink(f)
        self.start_time = time.monotonic()
        self.proc = ManagedProcess(self.argv(), name="sipp-" + self.name, cwd=self.workdir,
                                   log_path=self.output_file)
        # our own wall-clock bound on top of SIPp's -timeout
        self._watchdog = threading.Timer(self.timeout + 15, self.proc.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if not self.proc.alive():
                rc = self.proc.wait(2)
                raise SippError("sipp exited with %s at startup:\n%s" % (rc, self.proc.tail(40)))
            if self.remote or self._bound():
                return self
            time.sleep(0.05)
        self.proc.stop()
        raise SippError("sipp did not bind %s:%d within %.0f s:\n%s"
                        % (self.local_ip, self.port, ready_timeout, self.proc.tail(40)))

    def stop(self):
        if getattr(self, "_watchdog", None):
            self._watchdog.cancel()
        if self.proc:
            return self.proc.stop(grace=3.0)
        return None

    def wait_exit(self, timeout):
        """Exit code (0: all calls succeeded, 1: some failed, 99: no call, 255: -timeout hit...),
        None if still running."""
        return self.proc.wait(timeout)

    def alive(self):
        return bool(self.proc and self.proc.alive())

    # ---- logs ----
    def log_records(self):
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as f:
                return [r for r in (parse_sipplog(l) for l in f) if r is not None]
        except FileNotFoundError:
            return []

    def wait_log(self, predicate, timeout, poll=0.1):
        """First log record with predicate(record), or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for r in self.log_records():
                if predicate(r):
                    return r
            if time.monotonic() >= deadline:
                return None
            time.sleep(poll)

    def messages(self):
        try:
            with open(self.message_file, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def sip_messages(self, direction=None):
        """The SIP messages of the -trace_msg file as SipMessage objects, in order;
        direction "received" or "sent" selects one side."""
        out = []
        for block in re.split(r"^-{20,} [^\n]*\n", self.messages(), flags=re.M):
            m = re.match(r"(\w+) message (received|sent) [\[(]\s*(\d+)[\])]? ?bytes ?\)?\s*:?\s*\n\n?",
                         block)
            if not m:
                continue
            if direction and m.group(2) != direction:
                continue
            msg = SipMessage.parse(block[m.end():], m.group(2), m.group(1))
            if msg:
                out.append(msg)
        return out

    def received_requests(self, method=None):
        """Requests SIPp received (e.g. method="INVITE"), as SipMessage objects."""
        return [m for m in self.sip_messages("received")
                if m.is_request and (method is None or m.method == method)]

    def errors(self):
        try:
            with open(self.error_file, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def describe(self):
        recs = self.log_records()
        return ("sipp %s on port %d, log records:\n  %s\nerrors:\n%s\noutput tail:\n%s"
                % (self.name, self.port, "\n  ".join(map(str, recs)) or "(none)",
                   self.errors()[-2000:], self.proc.tail(15) if self.proc else ""))


class SipMessage:
    """One SIP message from SIPp's -trace_msg file."""

    def __init__(self, direction, transport, first_line, headers, body):
        self.direction = direction       # "received" or "sent"
        self.transport = transport       # "UDP", "TCP"
        self.first_line = first_line
        self.headers = headers           # [(name, value)] in order
        self.body = body
        parts = first_line.split(" ", 2)
        self.is_request = not first_line.startswith("SIP/2.0")
        self.method = parts[0] if self.is_request else None
        self.ruri = parts[1] if self.is_request and len(parts) > 1 else None
        self.code = int(parts[1]) if not self.is_request and len(parts) > 1 and parts[1].isdigit() else None

    _COMPACT = {"i": "call-id", "m": "contact", "f": "from", "t": "to", "v": "via",
                "c": "content-type", "l": "content-length", "k": "supported"}

    @classmethod
    def parse(cls, text, direction, transport):
        text = text.replace("\r\n", "\n")
        head, _, body = text.partition("\n\n")
        lines = [l for l in head.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            return None
        headers = []
        for l in lines[1:]:
            if l[:1] in (" ", "\t") and headers:
                headers[-1] = (headers[-1][0], headers[-1][1] + " " + l.strip())
            elif ":" in l:
                name, _, value = l.partition(":")
                headers.append((name.strip(), value.strip()))
        return cls(direction, transport, lines[0].strip(), headers, body.strip("\n"))

    def header(self, name):
        """The first value of a header (compact forms understood), or None."""
        vals = self.header_values(name)
        return vals[0] if vals else None

    def header_values(self, name):
        want = self._COMPACT.get(name.lower(), name.lower())
        return [v for n, v in self.headers if self._COMPACT.get(n.lower(), n.lower()) == want]

    def __repr__(self):
        return "<%s %s: %s>" % (self.direction, self.transport, self.first_line)

    def text(self):
        return "\n".join([self.first_line] + ["%s: %s" % h for h in self.headers]) + "\n\n" + self.body
