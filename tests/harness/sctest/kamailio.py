"""Kamailio 5.6 as the SIP trunk (registrar with digest auth), config tests/kamailio/trunk.cfg.

    k = Kamailio(workdir, users={"skype": "secret"})
    k.start()                 # bounded wait until it answers OPTIONS on UDP and TCP
    k.registers()             # parsed SCLOG records of REGISTERs received
    k.invites()               # ... of INVITEs (dial-outs go to 127.0.0.1:k.pstn_port)
    k.stop(); k.start()       # restart on the same port(s)

    # in a namespace of a NatNet (sctest.netns), on a non-loopback address,
    # as a provider that fixes NATed Contacts (nathelper) or keeps them as sent
    k = Kamailio(workdir, net=net, netns=net.inet, addr=net.inet_host, nat_fix=True)

Runs in the foreground (-DD -E) as a child of the test, stopped by PID.
"""
import os
import shutil
import socket
import threading
import time

from . import KAMAILIO_DIR
from .certs import make_certs
from .ports import free_port, port_is_free, LOOPBACK
from .procs import ManagedProcess
from .sipclient import options_ok

CONFIG = os.path.join(KAMAILIO_DIR, "trunk.cfg")


class KamailioError(RuntimeError):
    pass


class KamailioTlsUnavailable(KamailioError):
    """Kamailio's tls module could not be loaded/initialised: TLS tests should skip."""


def kamailio_binary():
    exe = os.environ.get("SC_KAMAILIO") or shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not os.path.exists(exe):
        raise KamailioError("kamailio not found (install the Debian package 'kamailio')")
    return exe


def parse_sclog(text):
    """Fields of a 'SCLOG k=v|k=v...' line as a dict, or None if the line is not one."""
    i = text.find("SCLOG ")
    if i < 0:
        return None
    rec = {}
    for part in text[i + 6:].split("|"):
        k, sep, v = part.partition("=")
        if sep:
            rec[k.strip()] = v.strip()
    return rec


class Kamailio:
    def __init__(self, workdir, users=None, port=None, tls=False, tls_port=None,
                 min_expires=10, max_expires=3600, bad_auth_reply=401, options_reply=200,
                 realm="127.0.0.1", auth_checks=1, pstn_port=None, net=None, netns=None,
                 addr=None, nat_fix=False, pstn_host=None):
        """net/netns: run inside that namespace of a sctest.netns.NatNet (addr is then
        an address of it); nat_fix: a provider that fixes NATed Contacts from the
        source address (fix_nated_register/fix_nated_contact), else it keeps the
        Contact exactly as sent. pstn_host: where dial-outs go (default addr)."""
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.net = net
        self.in_netns = netns if net else None
        # (a subclass may have set its own address before calling us)
        self.addr = addr or getattr(self, "addr", None) or LOOPBACK
        self.nat_fix = nat_fix
        self.pstn_host = pstn_host or (self.addr if self.in_netns else LOOPBACK)
        self.users = dict(users or {"skype": "secret"})
        for u, p in self.users.items():
            for ch in " ;=\"'|":
                if ch in u or ch in p:
                    raise ValueError("user names/passwords must not contain %r" % ch)
        self.port = port or free_port()
        self._auto_port = port is None   # ours to change if another process takes it first
        self.tls = tls
        self.tls_port = (tls_port or free_port(udp=False, exclude=(self.port,))) if tls else None
        self.min_expires = min_expires
        self.max_expires = max_expires
        self.bad_auth_reply = bad_auth_reply
        self.options_reply = options_reply
        self.realm = realm
        self.auth_checks = auth_checks
        # where dial-outs are relayed: a SIPp "PSTN" UAS the test starts on this port
        # (any time; Kamailio only needs it when an INVITE comes)
        self.pstn_port = pstn_port or free_port(udp=True, tcp=False,
                                                exclude=(self.port, self.tls_port or 0))
        # A port chosen here stays bound until the PSTN side starts
        # (release_pstn_port): else the command under test, binding port 0
        # meanwhile, may get it and receive its own dial-outs.
        self._pstn_hold = None
        if not pstn_port:
            try:
                self._pstn_hold = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._pstn_hold.bind((LOOPBACK, self.pstn_port))
            except OSError:
                self.release_pstn_port()
        self.rundir = os.path.join(self.workdir, "run")
        os.makedirs(self.rundir, exist_ok=True)
        self.pidfile = os.path.join(self.rundir, "kamailio.pid")
        self.certs = None
        self.tls_cfg = None
        self.proc = None
        self.runs = 0
        self.records = []          # parsed SCLOG records, across restarts
        self._lock = threading.Condition()

    # ---- configuration ----
    def _prepare_tls(self):
        if self.certs is None:
            self.certs = make_certs(os.path.join(self.workdir, "certs"))
        self.tls_cfg = os.path.join(self.workdir, "tls.cfg")
        with open(self.tls_cfg, "w") as f:
            f.write("[server:default]\n"
                    "method = TLSv1.2+\n"
                    "verify_certificate = no\n"
                    "require_certificate = no\n"
                    "private_key = %s\n"
                    "certificate = %s\n"
                    "ca_list = %s\n\n"
                    "[client:default]\n"
                    "method = TLSv1.2+\n"
                    "verify_certificate = no\n"
                    "require_certificate = no\n"
                    % (self.certs["server_key"], self.certs["server_crt"], self.certs["ca_crt"]))

    def argv(self):
        users = ";".join("%s=%s" % kv for kv in self.users.items())
        a = [kamailio_binary(), "-DD", "-E", "-f", CONFIG, "-Y", self.rundir, "-P", self.pidfile,
             "-m", "64", "-M", "8",
             "-A", "SC_ADDR=%s" % self.addr,
             "-A", "SC_PORT=%d" % self.port,
             "-A", 'SC_USERS="%s"' % users,
             "-A", 'SC_REALM="%s"' % self.realm,
             "-A", "SC_MIN_EXPIRES=%d" % self.min_expires,
             "-A", "SC_MAX_EXPIRES=%d" % self.max_expires,
             "-A", "SC_AUTH_CHECKS=%d" % self.auth_checks,
             "-A", "SC_BAD_AUTH_REPLY=%d" % self.bad_auth_reply,
             "-A", "SC_OPTIONS_REPLY=%d" % self.options_reply,
             "-A", 'SC_PSTN_ADDR="sip:%s:%d"' % (self.pstn_host, self.pstn_port)]
        if self.nat_fix:
            a += ["-A", "WITH_NATFIX"]
        if self.tls:
            a += ["-A", "WITH_TLS", "-A", "SC_TLS_PORT=%d" % self.tls_port,
                  "-A", 'SC_TLS_CFG="%s"' % self.tls_cfg]
        if self.in_netns:
            a = self.net.argv_in(self.in_netns, a)
        return a

    def _options_ok(self, transport):
        if self.in_netns:
            return self.net.call_in(self.in_netns, options_ok, self.port, host=self.addr,
                                    transport=transport, timeout=0.5)
        return options_ok(self.port, host=self.addr, transport=transport, timeout=0.5)

    # ---- lifetime ----
    def _on_line(self, line):
        rec = parse_sclog(line.text)
        if rec is not None:
            # the harness's own readiness probes (sipclient OPTIONS) are kept apart
            rec["_probe"] = rec.get("method") == "OPTIONS" and rec.get("callid", "").endswith("@sctest")
            rec["_t"] = line.t
            rec["_run"] = self.runs
            with self._lock:
                self.records.append(rec)
                self._lock.notify_all()

    def start(self, timeout=15.0):
        if self.proc and self.proc.alive():
            raise KamailioError("already running")
        if self.tls:
            self._prepare_tls()
        # a restart must get the same port back: wait (bounded) until it is free
        deadline = time.monotonic() + 10
        while not self.in_netns and not port_is_free(self.port, host=self.addr) and \
                time.monotonic() < deadline:
            time.sleep(0.2)
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
                # free_port() cannot hold the port: a process started in between
                # (a parallel test) may bind it first. Before the first successful
                # start nobody knows the port yet, so another one will do.
                if "Address already in use" in text and self._auto_port and self.runs == 1 \
                        and not self.in_netns and getattr(self, "_port_retries", 0) < 3:
                    self._port_retries = getattr(self, "_port_retries", 0) + 1
                    self.port = free_port()
                    self.runs = 0
                    return self.start(timeout)
                if self.tls and ("tls" in text.lower()):
                    raise KamailioTlsUnavailable("kamailio with TLS did not start:\n" + text)
                raise KamailioError("kamailio exited with %s during startup:\n%s"
                                    % (self.proc.returncode, text))
            if self._options_ok("udp") and self._options_ok("tcp") and \
                    (not self.tls or self._tls_answers()):
                return self
            time.sleep(0.1)
        text = self.proc.tail(40)
        self.proc.stop()
        raise KamailioError("kamailio did not answer OPTIONS within %.0f s:\n%s" % (timeout, text))

    def _tls_answers(self):
        import ssl
        from .sipclient import SipClient
        try:
            ctx = ssl.create_default_context(cafile=self.certs["ca_crt"])
            ctx.check_hostname = False
            with SipClient(self.tls_port, transport="tls", ssl_context=ctx, timeout=1.0) as c:
                r = c.options(timeout=1.0)
                return r is not None and r.code == 200
        except OSError:
            return False

    def release_pstn_port(self):
        """Frees pstn_port for the PSTN side's SIPp (a no-op the second time)."""
        if self._pstn_hold:
            self._pstn_hold.close()
            self._pstn_hold = None

    def stop(self):
        """SIGTERM, SIGKILL after 3 s. Returns the exit code (None if not running)."""
        self.release_pstn_port()
        if not self.proc:
            return None
        return self.proc.stop(grace=3.0)

    def kill(self):
        """Abrupt death (SIGKILL to the main process and its children)."""
        if self.proc:
            self.proc.kill_hard()

    def restart(self, timeout=15.0):
        self.stop()
        return self.start(timeout)

    def alive(self):
        return bool(self.proc and self.proc.alive())

    # ---- inspection ----
    def records_where(self, method=None, since=None, until=None, probes=False, **fields):
        """SCLOG records (dicts) filtered by method, monotonic time window and exact field
        values; the harness's own OPTIONS probes are left out unless probes=True."""
        with self._lock:
            recs = list(self.records)
        out = []
        for r in recs:
            if r["_probe"] and not probes:
                continue
            if method and r.get("method") != method:
                continue
            if since is not None and r["_t"] < since:
                continue
            if until is not None and r["_t"] > until:
                continue
            if any(r.get(k) != v for k, v in fields.items()):
                continue
            out.append(r)
        return out

    def registers(self, since=None, until=None, **fields):
        return self.records_where("REGISTER", since, until, **fields)

    def options(self, since=None, until=None, **fields):
        return self.records_where("OPTIONS", since, until, **fields)

    def invites(self, since=None, until=None, **fields):
        """Initial INVITEs (fields: direction=in|out, result=challenge|relayed|
        auth_failed(rc)|notfound|relay_failed, ruri, rusr, from, fu, to, pai, rpid,
        callid, auth, user, dst, src)."""
        return [r for r in self.records_where("INVITE", since, until, **fields)
                if r.get("indialog") != "yes"]

    def relayed_invites(self, direction=None, since=None):
        """INVITEs the trunk relayed (direction "out": dial-outs sent to the PSTN UAS;
        "in": calls from the PSTN side sent to a registered Contact)."""
        kw = {"result": "relayed"}
        if direction:
            kw["direction"] = direction
        return self.invites(since=since, **kw)

    def replies(self, callid=None, since=None):
        """Final replies to relayed INVITEs (code, cseq, rm, callid, src)."""
        kw = {"callid": callid} if callid else {}
        return self.records_where("REPLY", since, None, **kw)

    def in_dialog(self, method=None, callid=None, since=None):
        """Logged in-dialog requests (BYE, re-INVITE, INFO...; not ACK) and CANCELs."""
        out = []
        for r in self.records_where(method, since, None):
            if r.get("indialog") is None or r.get("method") in ("REGISTER", "OPTIONS"):
                continue
            if callid and r.get("callid") != callid:
                continue
            out.append(r)
        return out

    def wait_record(self, predicate, timeout, since=None):
        """First record r (at or after monotonic time `since`) with predicate(r), or None."""
        deadline = time.monotonic() + timeout
        idx = 0
        with self._lock:
            while True:
                while idx < len(self.records):
                    r = self.records[idx]
                    idx += 1
                    if (since is None or r["_t"] >= since) and not r["_probe"] and predicate(r):
                        return r
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._lock.wait(min(left, 0.2))

    def wait_count(self, n, timeout, method="REGISTER", since=None, **fields):
        """Wait (bounded) until at least n matching records exist; returns them.

        Kamailio answers before it logs (save() replies first), so after an answer
        or an event of the command the log line may still be on its way: wait
        instead of counting at once."""
        deadline = time.monotonic() + timeout
        while True:
            recs = self.records_where(method, since, None, **fields)
            if len(recs) >= n or time.monotonic() >= deadline:
                return recs
            with self._lock:
                self._lock.wait(0.1)

    def log_text(self):
        return self.proc.text() if self.proc else ""

    def describe(self, n=30):
        """Recent records, for assertion messages."""
        with self._lock:
            recs = self.records[-n:]
        return "\n".join("  %+.1fs %s" % (r["_t"] - time.monotonic(),
                                           {k: v for k, v in r.items() if not k.startswith("_")})
                         for r in recs)
