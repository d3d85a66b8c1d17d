"""A Kamailio edge from `skypeconnect edge-config`, in front of several instances.

    e = Edge(workdir, gateway_file, instances=["127.0.0.2:5070", ...], host="127.0.0.5")
    e.generate()              # runs edge-config; e.config_path, e.config_text
    e.start()                 # kamailio -DD -E from that file; bounded wait for OPTIONS
    e.records("inbound")      # its "EDGE ..." log lines, with arrival times

The generated configuration logs one "EDGE ..." line per decision (inbound
call to an instance, failover, refusal); the harness keeps them with their
arrival times. Stopped by PID like every other process.
"""
import os
import threading
import time

from .cli import run_command
from .kamailio import kamailio_binary
from .ports import free_port
from .procs import ManagedProcess
from .sipclient import options_ok


class EdgeError(RuntimeError):
    pass


class Edge:
    def __init__(self, workdir, gateway_file, instances, host="127.0.0.5", port=None,
                 probe_interval=1, extra_args=(), shm_mb=64, advertise=True):
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.gateway_file = gateway_file
        self.instances = list(instances)
        self.host = host
        self.port = port or free_port(host=host)
        self.probe_interval = probe_interval
        self.extra_args = list(extra_args)
        self.advertise = advertise  # False: let edge-config pick the Contact address
        self.shm_mb = shm_mb        # Kamailio's shared memory (-m): transactions and dialogs live there
        self.config_path = os.path.join(self.workdir, "edge.cfg")
        self.rundir = os.path.join(self.workdir, "edge-run")
        os.makedirs(self.rundir, exist_ok=True)
        self.config_text = None
        self.proc = None
        self.lines = []             # (t, text) of "EDGE" lines
        self._cond = threading.Condition()

    def argv_generate(self):
        a = ["edge-config", "--gateway", self.gateway_file,
             "--listen", "%s:%d" % (self.host, self.port)]
        if self.advertise:
            a += ["--advertise", "%s:%d" % (self.host, self.port)]
        a += ["--probe-interval", str(self.probe_interval),
              "--control", "unix:%s" % os.path.join(self.rundir, "ctl.sock")]
        for i in self.instances:
            a += ["--instance", i]
        return a + self.extra_args

    def generate(self):
        r = run_command(self.argv_generate())
        if r.returncode != 0:
            raise EdgeError("edge-config exited %d:\n%s" % (r.returncode, r.stderr))
        self.config_text = r.stdout
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(r.stdout)
        os.chmod(self.config_path, 0o600)
        return self

    def _on_line(self, line):
        i = line.text.find("EDGE ")
        if i >= 0:
            with self._cond:
                self.lines.append((line.t, line.text[i + 5:].strip()))
                self._cond.notify_all()

    def start(self, timeout=15.0):
        if self.config_text is None:
            self.generate()
        argv = [kamailio_binary(), "-DD", "-E", "-f", self.config_path, "-Y", self.rundir,
                "-P", os.path.join(self.rundir, "kamailio.pid"), "-m", str(self.shm_mb), "-M", "8"]
        self.proc = ManagedProcess(argv, name="kamailio-edge", cwd=self.workdir, on_line=self._on_line,
                                   log_path=os.path.join(self.workdir, "edge.log"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.proc.alive():
                self.proc.wait(2)
                raise EdgeError("the edge exited with %s during startup:\n%s"
                                % (self.proc.returncode, self.proc.tail(40)))
            if options_ok(self.port, host=self.host, timeout=0.5):
                return self
            time.sleep(0.1)
        text = self.proc.tail(40)
        self.proc.stop()
        raise EdgeError("the edge did not answer OPTIONS within %.0f s:\n%s" % (timeout, text))

    def stop(self):
        if self.proc:
            self.proc.stop()

    def records(self, word=None, since=None):
        """(t, text) of the EDGE lines containing word, arrived after since."""
        with self._cond:
            return [(t, s) for t, s in self.lines
                    if (word is None or word in s) and (since is None or t >= since)]

    def wait_line(self, word, timeout, since=None):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hits = [(t, s) for t, s in self.lines if word in s and (since is None or t >= since)]
                if hits:
                    return hits[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def errors(self):
        """Kamailio's own ERROR/CRITICAL/ALERT lines (a lock that does not exist, an RPC
        that failed at start-up): a generated configuration must produce none."""
        if not self.proc:
            return []
        return [ln for ln in self.proc.text().splitlines()
                if " ERROR: " in ln or " CRITICAL: " in ln or " ALERT: " in ln]

    def describe(self, n=40):
        return "edge %s:%d log tail:\n%s" % (self.host, self.port, self.proc.tail(n) if self.proc else "(not started)")
