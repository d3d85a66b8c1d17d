"""Subprocesses with line-reader threads, stopped by PID.

Every process is started in its own session (so its process group id is its
PID); stop() sends SIGTERM to the PID, SIGKILL after a grace period, and then
cleans up any leftover members of that process group (Kamailio's children).
All live processes are also stopped at interpreter exit.
"""
import atexit
import os
import signal
import subprocess
import threading
import time

_LIVE = set()
_LIVE_LOCK = threading.Lock()


def _stop_all():
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for p in procs:
        try:
            p.stop(grace=1.0)
        except Exception:
            pass


atexit.register(_stop_all)


class Line:
    __slots__ = ("t", "stream", "text")

    def __init__(self, t, stream, text):
        self.t = t            # time.monotonic() when read
        self.stream = stream  # "stdout" or "stderr"
        self.text = text

    def __repr__(self):
        return "Line(%.3f, %s, %r)" % (self.t, self.stream, self.text)


class ManagedProcess:
    """A subprocess whose stdout/stderr lines are collected by threads.

    on_line(Line) is called from the reader threads for every line.
    """

    def __init__(self, argv, name=None, cwd=None, env=None, stdin=False,
                 on_line=None, log_path=None):
        self.argv = [str(a) for a in argv]
        self.name = name or os.path.basename(self.argv[0])
        self.lines = []
        self.cond = threading.Condition()
        self._on_line = on_line
        self._log = open(log_path, "a", encoding="utf-8", errors="replace") if log_path else None
        self.start_time = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv, cwd=cwd, env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        self.pid = self.proc.pid
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._threads = []
        for stream_name, stream in (("stdout", self.proc.stdout), ("stderr", self.proc.stderr)):
            t = threading.Thread(target=self._reader, args=(stream_name, stream),
                                 name="%s-%s-%d" % (self.name, stream_name, self.pid), daemon=True)
            t.start()
            self._threads.append(t)

    # ---- reading ----
    def _reader(self, stream_name, stream):
        try:
            for raw in iter(stream.readline, b""):
                text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                line = Line(time.monotonic(), stream_name, text)
                if self._log:
                    try:
                        self._log.write("%s %.3f %s\n" % (stream_name[3], line.t - self.start_time, text))
                        self._log.flush()
                    except ValueError:
                        pass
                if self._on_line:
                    try:
                        self._on_line(line)
                    except Exception as e:  # never kill the reader
                        print("sctest: on_line handler failed: %r" % e)
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
        finally:
            with self.cond:
                self.cond.notify_all()

    def text(self, stream=None):
        with self.cond:
            return "\n".join(l.text for l in self.lines if stream is None or l.stream == stream)

    def tail(self, n=60, stream=None):
        with self.cond:
            sel = [l.text for l in self.lines if stream is None or l.stream == stream]
        return "\n".join(sel[-n:])

    def wait_line(self, predicate, timeout):
        """First collected line (any stream) for which predicate(text) is true, or None."""
        deadline = time.monotonic() + timeout
        idx = 0
        with self.cond:
            while True:
                while idx < len(self.lines):
                    if predicate(self.lines[idx].text):
                        return self.lines[idx]
                    idx += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._readers_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def _readers_alive(self):
        return any(t.is_alive() for t in self._threads)

    # ---- stdin ----
    def write_line(self, text):
        if self.proc.stdin is None:
            raise RuntimeError("%s was started without stdin" % self.name)
        self.proc.stdin.write((text + "\n").encode())
        self.proc.stdin.flush()

    def close_stdin(self):
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    # ---- lifetime ----
    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """Exit code, or None if still running after timeout seconds."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._join_readers(2.0)
        return rc

    def _join_readers(self, timeout):
        end = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))

    def signal(self, sig):
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def _group_alive(self):
        try:
            os.killpg(self.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def kill_hard(self):
        """SIGKILL the process and the rest of its process group at once."""
        self.signal(signal.SIGKILL)
        if self._group_alive():
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self._finish()

    def stop(self, grace=3.0):
        """SIGTERM the PID, SIGKILL after `grace` seconds; returns the exit code."""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait()
        # leftovers of the process group (e.g. Kamailio children): TERM, then KILL
        if self._group_alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            end = time.monotonic() + grace
            while self._group_alive() and time.monotonic() < end:
                time.sleep(0.05)
            if self._group_alive():
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._finish()
        return self.proc.returncode

    def _finish(self):
        self.close_stdin()
        self._join_readers(2.0)
        for s in (self.proc.stdout, self.proc.stderr):
            try:
                s.close()
            except Exception:
                pass
        if self._log:
            try:
                self._log.close()
            except Exception:
                pass
        with _LIVE_LOCK:
            _LIVE.discard(self)

    @property
    def returncode(self):
        return self.proc.poll()
