"""The command under test: `skypeconnect` (path in env SC_CLI).

    gw = write_gateway(tmpdir, "skype", {"realm": "127.0.0.1:5070", ...})
    with ScCli([gw]) as cli:          # runs `SC_CLI run --gateway gw --bind 127.0.0.1:0 --json`
        cli.wait_started()
        ev = cli.wait_for(match(state="REGED"), 20)
        cli.send("quit")
        rc = cli.wait_exit(40)

JSON lines on stdout become dicts in cli.events (each gets "_idx" and "_t", the
monotonic time it was read). wait_for() scans from a cursor (just after the last
match) and fails the test with every event seen so far and stderr's tail.
The process is killed by PID on exit from the `with`, or in stop().
"""
import json
import os
import subprocess
import threading
import time
from xml.sax.saxutils import quoteattr

from .procs import ManagedProcess

DEFAULT_CLI = "/work/main/build/cli/skypeconnect"


def cli_path():
    return os.environ.get("SC_CLI") or DEFAULT_CLI


def cli_available(path=None):
    """(True, path) when the command exists and is executable, else (False, reason)."""
    p = path or cli_path()
    if not os.path.isfile(p):
        return False, "skypeconnect command not found at %s (set SC_CLI or build it)" % p
    if not os.access(p, os.X_OK):
        return False, "%s is not executable" % p
    return True, p


# ---------------------------------------------------------------- gateway files
def _val(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def gateway_xml(name, params, variables=None, indent="  "):
    """One <gateway> element with <param name= value=/> children, in FreeSWITCH syntax."""
    lines = ["%s<gateway name=%s>" % (indent, quoteattr(name))]
    for k, v in params.items():
        lines.append("%s  <param name=%s value=%s/>" % (indent, quoteattr(k), quoteattr(_val(v))))
    if variables:
        lines.append("%s  <variables>" % indent)
        for k, v in variables.items():
            lines.append("%s    <variable name=%s value=%s/>" % (indent, quoteattr(k), quoteattr(_val(v))))
        lines.append("%s  </variables>" % indent)
    lines.append("%s</gateway>" % indent)
    return "\n".join(lines)


def write_gateways(path, gateways):
    """Write {name: params} as an <include> of gateways to path; returns path."""
    body = "\n".join(gateway_xml(n, p) for n, p in gateways.items())
    with open(path, "w", encoding="utf-8") as f:
        f.write("<include>\n%s\n</include>\n" % body)
    return path


def write_gateway(directory, name, params, filename=None):
    path = os.path.join(directory, filename or ("gw-%s.xml" % name))
    return write_gateways(path, {name: params})


def skype_gateway(proxy_port, user="skype", password="secret", host="127.0.0.1", **overrides):
    """Params of the FreeSWITCH wiki "Skype Connect" gateway, pointed at host:proxy_port.

    Keyword overrides use underscores for dashes (retry_seconds=5); None removes a param.
    """
    hp = "%s:%d" % (host, proxy_port)
    p = {
        "realm": hp,
        "proxy": hp,
        "from-domain": hp,
        "username": user,
        "from-user": user,
        "password": password,
        "extension": user,
        "extension-in-contact": "true",
        "retry-seconds": "30",
        "caller-id-in-from": "false",
        "contact-params": "",
    }
    for k, v in overrides.items():
        k = k.replace("_", "-")
        if v is None:
            p.pop(k, None)
        else:
            p[k] = _val(v)
    return p


# ---------------------------------------------------------------- event matching
def match(event="gateway_state", **fields):
    """A predicate on events: event type and exact field values.

    A field value may be a callable (tested with the field's value), e.g.
    match(state="FAIL_WAIT", next_retry=lambda v: v >= 60).
    """
    def pred(ev):
        if event is not None and ev.get("event") != event:
            return False
        for k, want in fields.items():
            have = ev.get(k, _MISSING)
            if callable(want):
                if have is _MISSING:
                    return False
                try:
                    if not want(have):
                        return False
                except TypeError:
                    return False
            elif have != want:
                return False
        return True
    pred.__doc__ = "event=%s %s" % (event, fields)
    return pred


_MISSING = object()


def fmt_event(ev):
    keys = ["event", "gateway", "prev", "state", "status", "sip_code", "phrase", "reason",
            "expires", "next_retry", "failures"]
    parts = ["%s=%s" % (k, ev[k]) for k in keys if k in ev]
    extra = {k: v for k, v in ev.items() if k not in keys and not k.startswith("_")}
    if extra:
        parts.append(json.dumps(extra, sort_keys=True))
    return "#%d +%.2fs %s" % (ev.get("_idx", -1), ev.get("_rel", 0.0), " ".join(parts))


class CliTimeout(AssertionError):
    pass


# ---------------------------------------------------------------- the running command
class ScCli:
    def __init__(self, gateways, bind="127.0.0.1:0", tls_dir=None, json_output=True,
                 extra_args=(), workdir=None, env=None, cli=None, prefix=()):
        """bind None: no --bind (the session's default). prefix: argv put in front,
        e.g. NatNet.argv_in(ns, []) to run the command inside a namespace."""
        self.prefix = list(prefix)
        self.cli = cli or cli_path()
        self.gateways = list(gateways)
        self.bind = bind
        self.tls_dir = tls_dir
        self.json_output = json_output
        self.extra_args = list(extra_args)
        self.workdir = workdir
        self.env = env
        self.events = []
        self.other_stdout = []
        self.cursor = 0
        self.proc = None
        self.started = None
        self._cond = threading.Condition()

    def argv(self):
        a = [self.cli, "run"]
        for g in self.gateways:
            a += ["--gateway", g]
        if self.bind:
            a += ["--bind", self.bind]
        if self.tls_dir:
            a += ["--tls-dir", self.tls_dir]
        if self.json_output:
            a.append("--json")
        return self.prefix + a + self.extra_args

    def start(self):
        ok, why = cli_available(self.cli)
        if not ok:
            raise RuntimeError(why)
        log = os.path.join(self.workdir, "skypeconnect.log") if self.workdir else None
        self.t0 = time.monotonic()
        self.proc = ManagedProcess(self.argv(), name="skypeconnect", stdin=True, cwd=self.workdir,
                                   env=self.process_env(), on_line=self._on_line, log_path=log)
        return self

    def process_env(self):
        """The command's environment (see media_env())."""
        return media_env(self.argv(), self.env)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _on_line(self, line):
        if line.stream != "stdout":
            return
        text = line.text.strip()
        if not text:
            return
        try:
            ev = json.loads(text)
            if not isinstance(ev, dict):
                raise ValueError
        except ValueError:
            with self._cond:
                self.other_stdout.append(text)
            return
        with self._cond:
            ev["_idx"] = len(self.events)
            ev["_t"] = line.t
            ev["_rel"] = line.t - self.t0
            ev["_wall"] = time.time()
            self.events.append(ev)
            self._cond.notify_all()

    # ---- inspection ----
    def stderr_tail(self, n=40):
        return self.proc.tail(n, stream="stderr") if self.proc else ""

    def describe(self):
        with self._cond:
            evs = list(self.events)
            other = list(self.other_stdout)
        s = "events seen (%d):\n  %s" % (len(evs), "\n  ".join(fmt_event(e) for e in evs) or "(none)")
        if other:
            s += "\nnon-JSON stdout:\n  " + "\n  ".join(other[-20:])
        rc = self.proc.returncode if self.proc else None
        s += "\nexit code: %s\nstderr tail:\n%s" % (rc, self.stderr_tail())
        return s

    def gateway_events(self, gateway=None, after=0):
        with self._cond:
            return [e for e in self.events[after:] if e.get("event") == "gateway_state"
                    and (gateway is None or e.get("gateway") == gateway)]

    def states(self, gateway=None, after=0):
        return [e.get("state") for e in self.gateway_events(gateway, after)]

    def late_events(self, max_lag=2.0):
        """Events read more than max_lag seconds after their own "time": the command
        did not flush its JSON line when it happened (consumers would see it late)."""
        with self._cond:
            return [e for e in self.events if isinstance(e.get("time"), (int, float))
                    and e["_wall"] - e["time"] > max_lag]

    # ---- waiting ----
    def find(self, predicate, after=0):
        with self._cond:
            for e in self.events[after:]:
                if predicate(e):
                    return e
        return None

    def wait_for(self, predicate, timeout, after=None, what=None):
        """The first event at index >= after (default: the cursor) with predicate(event).

        Advances the cursor past the match. Raises CliTimeout (an AssertionError)
        with every event seen if none matches within timeout seconds or the
        command exits first.
        """
        start = self.cursor if after is None else after
        deadline = time.monotonic() + timeout
        idx = start
        with self._cond:
            while True:
                while idx < len(self.events):
                    ev = self.events[idx]
                    idx += 1
                    if predicate(ev):
                        self.cursor = idx
                        return ev
                left = deadline - time.monotonic()
                exited = self.proc.returncode is not None and not self.proc._readers_alive()
                if left <= 0 or exited:
                    break
                self._cond.wait(min(left, 0.2))
        why = "exited" if exited else "timed out after %.1f s" % timeout
        raise CliTimeout("skypeconnect %s waiting for %s\n%s"
                         % (why, what or predicate.__doc__ or "event", self.describe()))

    def wait_state(self, state, timeout, gateway=None, after=None, **fields):
        if gateway is not None:
            fields["gateway"] = gateway
        return self.wait_for(match(state=state, **fields), timeout, after=after)

    def wait_started(self, timeout=15):
        self.started = self.wait_for(match(event="started"), timeout, after=0)
        return self.started

    def events_since(self, idx):
        with self._cond:
            return list(self.events[idx:])

    # ---- control ----
    def send(self, command):
        self.proc.write_line(command)

    def wait_exit(self, timeout):
        return self.proc.wait(timeout)

    def quit(self, timeout=45):
        """Send `quit`, wait for the exit code (None if it did not exit in time)."""
        try:
            self.send("quit")
        except (BrokenPipeError, OSError):
            pass
        return self.wait_exit(timeout)

    def stop(self):
        """Kill by PID (SIGTERM, SIGKILL after 3 s); safe to call more than once."""
        if self.proc:
            return self.proc.stop(grace=3.0)
        return None


def media_env(argv, env=None):
    """The environment for a command that runs media (`--media`, or `demo`,
    whose greeting step has audio). Under ASan, LeakSanitizer must then unwind
    fully on malloc: GLib's first quark block, left behind by design once
    GStreamer's quarks outgrow it, is seen to come from its load-time
    constructor, which tests/lsan.supp names (_dl_init). With the fast
    unwinder its stack stops at g_malloc and it reads as our leak."""
    if not os.environ.get("SC_SANITIZED") or not ("--media" in argv or "demo" in argv):
        return env
    env = dict(env if env is not None else os.environ)
    opts = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "fast_unwind_on_malloc=0"
    return env


def run_command(args, timeout=30, input_text=None, cli=None):
    """Run `SC_CLI args...` to completion (bounded); returns CompletedProcess (text)."""
    return subprocess.run([cli or cli_path()] + list(args), input=input_text, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, env=media_env(list(args)),
                          stdin=None if input_text is not None else subprocess.DEVNULL)
