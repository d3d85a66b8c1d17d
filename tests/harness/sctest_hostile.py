"""Helpers for tests/integration/test_hostile.py and test_recovery.py.

Standard library only; everything on loopback (127.0.0.0/8) or inside network
namespaces the tests create themselves.

  RawSip            a UDP or TCP socket bound to a chosen loopback address that
                    sends arbitrary bytes and collects whatever comes back
  sip_request()     a SIP request as text (any method, extra headers, body)
  options_code()    one OPTIONS to the session: the final code, or None
  MiniRegistrar     a scripted UDP registrar in a thread: answers every REGISTER
                    with a fresh 401/407 challenge, 503 (with or without
                    Retry-After) or 200, switchable at run time; logs each one
  Netns             two namespaces joined by a veth pair (link-local addresses
                    the test chooses), deleted in cleanup even on failure
  NsKamailio, NsSipp, NsCli
                    the harness's Kamailio / SIPp / command run inside a
                    namespace with `ip netns exec` (which execs: the PID is
                    the process's own, so stopping by PID still works)
  cpu_seconds(), rss_kb(), fd_count()
                    /proc readings of a process
  udp_drops()       datagrams the kernel dropped at a UDP port's sockets
                    (their receive buffer was full): what overload cost,
                    told apart from a datagram the process read and ignored
"""
import os
import random
import re
import socket
import subprocess
import threading
import time

from sctest.cli import ScCli
from sctest.kamailio import Kamailio, KamailioError
from sctest.sipp import Sipp

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))


def _rand(n=10):
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


# ---------------------------------------------------------------- /proc
def proc_field(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_kb(pid):
    return proc_field(pid, "VmRSS")


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def cpu_seconds(pid):
    """utime + stime of the process (all threads), in seconds."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def udp_drops(port, ip="127.0.0.1"):
    """Datagrams the kernel dropped, since each socket was opened, at the IPv4
    UDP sockets bound to ip:port or to the wildcard address on that port (the
    last column of /proc/net/udp). None when no such socket is open."""
    wanted = {"%08X:%04X" % (int.from_bytes(socket.inet_aton(a), "little"), port)
              for a in (ip, "0.0.0.0")}
    total, seen = 0, False
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                cols = line.split()
                if len(cols) >= 13 and cols[1] in wanted:
                    total += int(cols[-1])
                    seen = True
    except (OSError, ValueError, StopIteration):
        return None
    return total if seen else None


# ---------------------------------------------------------------- SIP text
def sip_request(method, ruri, local, callid=None, branch=None, cseq=1, from_uri=None,
                to_uri=None, extra=(), body="", transport="UDP", content_length=None,
                from_tag=None, to_tag=None):
    """A request as text. local = (ip, port) for the Via; content_length overrides
    the real body length (to lie about it)."""
    callid = callid or (_rand(16) + "@hostile")
    branch = branch or ("z9hG4bK" + _rand(12))
    from_uri = from_uri or "sip:hostile@%s" % local[0]
    to_uri = to_uri or ruri
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/%s %s:%d;branch=%s;rport" % (transport, local[0], local[1], branch),
             "Max-Forwards: 70",
             "From: <%s>;tag=%s" % (from_uri, from_tag or _rand(8)),
             "To: <%s>%s" % (to_uri, ";tag=" + to_tag if to_tag else ""),
             "Call-ID: %s" % callid,
             "CSeq: %d %s" % (cseq, method),
             "Contact: <sip:hostile@%s:%d>" % local]
    lines += list(extra)
    blen = len(body.encode("utf-8", "surrogateescape")) if isinstance(body, str) else len(body)
    lines.append("Content-Length: %d" % (blen if content_length is None else content_length))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return head + (body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body)


SDP = ("v=0\r\no=hostile 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")


def invite(session_port, local, user="skype", params=";gw=skype", callid=None, **kw):
    """An INVITE dressed as the trunk's call to the account, with SDP."""
    ruri = "sip:%s@127.0.0.1:%d%s" % (user, session_port, params)
    return sip_request("INVITE", ruri, local, callid=callid,
                       extra=["Content-Type: application/sdp"] + list(kw.pop("extra", ())),
                       body=kw.pop("body", SDP.format(ip=local[0])), **kw)


def first_line(data):
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def status_code(data):
    m = re.match(rb"SIP/2\.0 (\d{3})", data)
    return int(m.group(1)) if m else None


def header(data, name):
    m = re.search(rb"(?im)^" + re.escape(name.encode()) + rb"\s*:\s*(.*?)\r?$", data)
    return m.group(1).decode("latin-1") if m else None


# ---------------------------------------------------------------- sockets
class RawSip:
    """One socket on a loopback address of our choice ("127.0.0.2"), UDP by default.

    send() pushes bytes as they are; collect() gathers what comes back."""

    def __init__(self, local_ip="127.0.0.2", transport="udp", rcvbuf=4 << 20):
        self.transport = transport
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.bind((local_ip, 0))
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind((local_ip, 0))
        self.local = self.sock.getsockname()
        self.received = []          # (monotonic time, bytes)

    def connect(self, port, host="127.0.0.1", timeout=5.0):
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        return self

    def send(self, data, port=None, host="127.0.0.1"):
        if self.transport == "udp":
            self.sock.sendto(data, (host, port))
        else:
            self.sock.sendall(data)

    def collect(self, seconds, until=None):
        """Read for up to `seconds` (or until until(received) is true); returns the
        messages read now (UDP: one per datagram; TCP: raw chunks, '' on close)."""
        got = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (until and until(self.received)):
                break
            self.sock.settimeout(min(left, 0.2))
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError as e:          # ECONNREFUSED from ICMP, ECONNRESET...
                got.append((time.monotonic(), ("<%s>" % e.__class__.__name__).encode()))
                if self.transport != "udp":
                    break
                continue
            got.append((time.monotonic(), data))
            self.received.append((time.monotonic(), data))
            if self.transport != "udp" and not data:
                break
        return [d for _, d in got]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def options_code(port, local_ip="127.0.0.2", host="127.0.0.1", transport="udp", timeout=3.0):
    """Send one OPTIONS to host:port (resent over UDP until answered); the final
    status code, or None when nothing final came back within timeout."""
    try:
        raw = RawSip(local_ip, transport)
    except OSError:
        return None
    with raw:
        try:
            if transport != "udp":
                raw.connect(port, host, timeout)
        except OSError:
            return None
        cid = _rand(16) + "@probe"
        req = sip_request("OPTIONS", "sip:%s:%d" % (host, port), raw.local, callid=cid,
                          transport=transport.upper(), extra=["Accept: application/sdp"])
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            try:
                raw.send(req, port, host)
            except OSError:
                return None
            for data in raw.collect(min(0.5, max(0.0, deadline - time.monotonic()))):
                buf = data if transport == "udp" else buf + data
                if cid.encode() in buf:
                    code = status_code(buf[buf.find(b"SIP/2.0"):])
                    if code and code >= 200:
                        return code
            if transport != "udp" and time.monotonic() < deadline:
                continue
        return None


# ---------------------------------------------------------------- a scripted registrar
class MiniRegistrar(threading.Thread):
    """A UDP registrar on local_ip:port driven by `mode` (changeable at any time):

      "401" / "407"   challenge every REGISTER with a fresh nonce (never accepts)
      "503"           503 Service Unavailable (retry_after: add Retry-After: N)
      "bogus"         the next of self.bogus, a list of (code, [header lines])
      "ok"            200 OK echoing the Contact with ;expires=EXPIRES
      "silent"        no answer

    OPTIONS get 200. Every REGISTER is logged in self.log as a dict
    (t, callid, cseq, auth (bool), expires, answer)."""

    def __init__(self, local_ip="127.0.0.3", port=0, mode="401", retry_after=None, expires=60,
                 realm="hostile.invalid"):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((local_ip, port))
        self.sock.settimeout(0.2)
        self.addr = self.sock.getsockname()
        self.port = self.addr[1]
        self.mode = mode
        self.retry_after = retry_after
        self.expires = expires
        self.realm = realm
        self.bogus = []
        self.log = []
        self.options = 0
        self._halt = threading.Event()
        self._n = 0
        self._lock = threading.Lock()

    def stop(self):
        self._halt.set()
        if self.is_alive():
            self.join(2)
        try:
            self.sock.close()
        except OSError:
            pass

    def registers(self, since=None):
        with self._lock:
            return [r for r in self.log if since is None or r["t"] >= since]

    def wait_count(self, n, timeout, since=None):
        deadline = time.monotonic() + timeout
        while len(self.registers(since)) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.registers(since)

    def run(self):
        while not self._halt.is_set():
            try:
                data, src = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                break
            try:
                self._handle(data, src)
            except Exception:          # a scripted peer must not die on odd input
                continue

    def _reply(self, data, src, code, phrase, extra=()):
        hdrs = []
        for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            name = line.split(b":", 1)[0].strip().lower()
            if name in (b"via", b"v"):
                v = line.decode("latin-1")
                if ";rport" in v and ";rport=" not in v:
                    v = v.replace(";rport", ";rport=%d;received=%s" % (src[1], src[0]), 1)
                hdrs.append(v)
            elif name in (b"from", b"f", b"call-id", b"i", b"cseq"):
                hdrs.append(line.decode("latin-1"))
            elif name in (b"to", b"t"):
                t = line.decode("latin-1")
                hdrs.append(t if ";tag=" in t else t + ";tag=mini" + _rand(6))
        resp = "SIP/2.0 %d %s\r\n%s\r\n%sServer: sctest-mini-registrar\r\nContent-Length: 0\r\n\r\n" % (
            code, phrase, "\r\n".join(hdrs), "".join(h + "\r\n" for h in extra))
        self.sock.sendto(resp.encode(), src)

    def _handle(self, data, src):
        if data.startswith(b"OPTIONS "):
            self.options += 1
            self._reply(data, src, 200, "OK")
            return
        if not data.startswith(b"REGISTER "):
            return
        mode = self.mode
        auth = header(data, "Authorization") or header(data, "Proxy-Authorization")
        exp = header(data, "Expires")
        rec = {"t": time.monotonic(), "callid": header(data, "Call-ID"), "cseq": header(data, "CSeq"),
               "auth": auth is not None, "authorization": auth, "expires": exp, "answer": mode, "src": "%s:%d" % src}
        with self._lock:
            self._n += 1
            n = self._n
            self.log.append(rec)
        if mode in ("401", "407"):
            name = "WWW-Authenticate" if mode == "401" else "Proxy-Authenticate"
            nonce = "hostile-%d-%s" % (n, _rand(12))
            self._reply(data, src, int(mode), "Unauthorized" if mode == "401" else
                        "Proxy Authentication Required",
                        ['%s: Digest realm="%s", nonce="%s", qop="auth", algorithm=MD5'
                         % (name, self.realm, nonce)])
        elif mode == "bogus":
            # the next of self.bogus: (code, [raw header lines]) — broken challenges
            code, extra = self.bogus[(n - 1) % len(self.bogus)]
            self._reply(data, src, code, "Unauthorized", extra)
        elif mode == "503":
            extra = ["Retry-After: %d" % self.retry_after] if self.retry_after else []
            self._reply(data, src, 503, "Service Unavailable", extra)
        elif mode == "ok":
            ct = header(data, "Contact") or header(data, "m") or ""
            if exp == "0" or "expires=0" in ct:
                self._reply(data, src, 200, "OK")
            else:
                self._reply(data, src, 200, "OK", ["Contact: %s;expires=%d" % (ct, self.expires)])


# ---------------------------------------------------------------- network namespaces
def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=15,
                          check=check)


def netns_available():
    """(True, "") when this process may create namespaces and veth pairs, else (False, why)."""
    if os.geteuid() != 0:
        return False, "network namespaces need root"
    name = "sct-probe-%d" % os.getpid()
    try:
        r = _ip("netns", "add", name, check=False)
        if r.returncode != 0:
            return False, "ip netns add failed: %s" % r.stderr.strip()
        r = _ip("-n", name, "link", "add", "sctpa%d" % (os.getpid() % 100000), "type", "veth",
                "peer", "name", "sctpb%d" % (os.getpid() % 100000), check=False)
        if r.returncode != 0:
            return False, "veth pairs cannot be created: %s" % r.stderr.strip()
        return True, ""
    except (OSError, subprocess.SubprocessError) as e:
        return False, "ip: %s" % e
    finally:
        _ip("netns", "del", name, check=False)


class Netns:
    """Two namespaces ("k": the trunk's side, "c": the command's side) joined by
    a veth pair with link-local addresses; both namespaces have lo up.

        n = Netns(); n.create()
        n.link("c", up=False)      # take the command's end down
        n.destroy()                # namespaces, and with them the veth pair

    Nothing outside these namespaces is touched or addressed."""

    def __init__(self, tag=None, subnet="169.254.77"):
        tag = tag or "%d" % (os.getpid() % 100000)
        self.ns = {"k": "sct-k-%s" % tag, "c": "sct-c-%s" % tag}
        self.dev = {"k": "sctk%s" % tag, "c": "sctc%s" % tag}
        self.addr = {"k": "%s.1" % subnet, "c": "%s.2" % subnet}
        self.created = False

    def create(self):
        self.destroy()                       # leftovers of an earlier crashed run
        self.created = True
        for side in ("k", "c"):
            _ip("netns", "add", self.ns[side])
            _ip("-n", self.ns[side], "link", "set", "lo", "up")
        _ip("-n", self.ns["k"], "link", "add", self.dev["k"], "type", "veth",
            "peer", "name", self.dev["c"], "netns", self.ns["c"])
        for side in ("k", "c"):
            _ip("-n", self.ns[side], "addr", "add", "%s/30" % self.addr[side], "dev", self.dev[side])
            _ip("-n", self.ns[side], "link", "set", self.dev[side], "up")
        return self

    def link(self, side, up):
        _ip("-n", self.ns[side], "link", "set", self.dev[side], "up" if up else "down")

    def exec_prefix(self, side):
        return ["ip", "netns", "exec", self.ns[side]]

    def run(self, side, argv, timeout=15):
        return subprocess.run(self.exec_prefix(side) + list(argv), capture_output=True, text=True,
                              timeout=timeout)

    def destroy(self):
        for side in ("k", "c"):
            _ip("netns", "del", self.ns[side], check=False)
        self.created = False

    def exists(self):
        out = _ip("netns", "list", check=False).stdout
        return any(ns in out for ns in self.ns.values())


_PROBE = r"""
import sys
sys.path.insert(0, %r)
from sctest_hostile import options_code
print(options_code(%d, local_ip=%r, host=%r, transport=%r, timeout=1.0))
"""


def ns_options_code(netns, side, port, host, transport="udp", local_ip=None):
    """options_code() run inside a namespace (a short python3 child)."""
    r = netns.run(side, ["python3", "-c", _PROBE % (HARNESS_DIR, port, local_ip or host, host, transport)],
                  timeout=10)
    try:
        return int(r.stdout.strip())
    except ValueError:
        return None


class NsKamailio(Kamailio):
    """The harness's Kamailio (tests/kamailio/trunk.cfg) inside netns side "k",
    listening on the namespace's veth address."""

    def __init__(self, workdir, netns, **kw):
        self.netns = netns
        self.addr = netns.addr["k"]
        super().__init__(workdir, **kw)

    def argv(self):
        a = super().argv()
        a = [x.replace("SC_ADDR=127.0.0.1", "SC_ADDR=%s" % self.addr) for x in a]
        return self.netns.exec_prefix("k") + a

    def start(self, timeout=15.0):
        # the parent's readiness probe runs in our namespace; ours runs in "k"
        from sctest.procs import ManagedProcess
        if self.proc and self.proc.alive():
            raise KamailioError("already running")
        self.runs += 1
        log = os.path.join(self.workdir, "kamailio-%d.log" % self.runs)
        self.proc = ManagedProcess(self.argv(), name="kamailio", cwd=self.workdir,
                                   on_line=self._on_line, log_path=log)
        self.log_path = log
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.proc.alive():
                self.proc.wait(2)
                text = self.proc.tail(40)
                self.proc.stop()
                raise KamailioError("kamailio exited with %s during startup:\n%s"
                                    % (self.proc.returncode, text))
            if ns_options_code(self.netns, "k", self.port, self.addr) == 200:
                return self
            time.sleep(0.2)
        text = self.proc.tail(40)
        self.proc.stop()
        raise KamailioError("kamailio did not answer OPTIONS within %.0f s:\n%s" % (timeout, text))


class NsSipp(Sipp):
    """A SIPp UAC inside netns side "k" (bound to that namespace's own 127.0.0.1;
    the kernel routes to the veth address locally)."""

    def __init__(self, scenario, workdir, netns, **kw):
        self.netns = netns
        super().__init__(scenario, workdir, **kw)

    def argv(self):
        return self.netns.exec_prefix("k") + super().argv()


class NsCli(ScCli):
    """The command inside netns side "c", bound to that side's veth address."""

    def __init__(self, gateways, netns, **kw):
        self.netns = netns
        kw.setdefault("bind", "%s:0" % netns.addr["c"])
        super().__init__(gateways, **kw)

    def argv(self):
        return self.netns.exec_prefix("c") + super().argv()
