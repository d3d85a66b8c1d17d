"""A minimal SIP client (UDP, TCP, TLS) with digest authentication.

Only what the harness needs: OPTIONS probes (is Kamailio up?) and REGISTER with
digest, to prove Kamailio's and SIPp's scenarios work without the command
under test. Not a general SIP stack: no retransmissions beyond a simple resend
timer over UDP, one request at a time.
"""
import hashlib
import random
import re
import socket
import ssl
import time

LOOPBACK = "127.0.0.1"


class Response:
    def __init__(self, raw):
        self.raw = raw
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        m = re.match(r"SIP/2\.0 (\d{3}) ?(.*)", lines[0])
        if not m:
            raise ValueError("not a SIP response: %r" % lines[0])
        self.code = int(m.group(1))
        self.reason = m.group(2)
        self.headers = []
        for l in lines[1:]:
            if ":" in l:
                k, v = l.split(":", 1)
                self.headers.append((k.strip(), v.strip()))

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def headers_named(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def __repr__(self):
        return "<SIP %d %s>" % (self.code, self.reason)


def _rand(n=10):
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def parse_challenge(value):
    """Params of a `Digest k=v, ...` challenge as a dict (keys lower-case)."""
    scheme, _, rest = value.partition(" ")
    params = {"scheme": scheme}
    for m in re.finditer(r'(\w+)\s*=\s*("([^"]*)"|[^,\s]+)', rest):
        params[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return params


def digest_authorization(method, uri, user, password, chal, nc=1, cnonce=None):
    realm = chal.get("realm", "")
    nonce = chal.get("nonce", "")
    ha1 = hashlib.md5(("%s:%s:%s" % (user, realm, password)).encode()).hexdigest()
    ha2 = hashlib.md5(("%s:%s" % (method, uri)).encode()).hexdigest()
    qop = chal.get("qop")
    parts = ['username="%s"' % user, 'realm="%s"' % realm, 'nonce="%s"' % nonce, 'uri="%s"' % uri]
    if qop:
        qop = "auth" if "auth" in [q.strip() for q in qop.split(",")] else qop.split(",")[0].strip()
        cnonce = cnonce or _rand(12)
        ncs = "%08x" % nc
        resp = hashlib.md5(("%s:%s:%s:%s:%s:%s" % (ha1, nonce, ncs, cnonce, qop, ha2)).encode()).hexdigest()
        parts += ['response="%s"' % resp, "qop=%s" % qop, 'cnonce="%s"' % cnonce, "nc=%s" % ncs]
    else:
        resp = hashlib.md5(("%s:%s:%s" % (ha1, nonce, ha2)).encode()).hexdigest()
        parts.append('response="%s"' % resp)
    parts.append("algorithm=MD5")
    if "opaque" in chal:
        parts.append('opaque="%s"' % chal["opaque"])
    return "Digest " + ", ".join(parts)


class SipClient:
    """One socket to one server. transport: udp, tcp or tls."""

    def __init__(self, server_port, server_host=LOOPBACK, transport="udp", ssl_context=None,
                 local_host=LOOPBACK, timeout=5.0):
        self.server = (server_host, server_port)
        self.transport = transport
        self.timeout = timeout
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((local_host, 0))
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((local_host, 0))
            s.settimeout(timeout)
            s.connect(self.server)
            if transport == "tls":
                ctx = ssl_context
                if ctx is None:
                    ctx = ssl.create_default_context()
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                s = ctx.wrap_socket(s, server_hostname=None)
            self.sock = s
        self.local = self.sock.getsockname()
        self.call_id = _rand(16) + "@sctest"
        self.from_tag = _rand(8)
        self.cseq = 0
        self._buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def _via_proto(self):
        return {"udp": "UDP", "tcp": "TCP", "tls": "TLS"}[self.transport]

    def build(self, method, ruri, from_uri, to_uri, extra=(), body=""):
        self.cseq += 1
        branch = "z9hG4bK" + _rand(12)
        lines = [
            "%s %s SIP/2.0" % (method, ruri),
            "Via: SIP/2.0/%s %s:%d;branch=%s;rport" % (self._via_proto(), self.local[0], self.local[1], branch),
            "Max-Forwards: 70",
            "From: <%s>;tag=%s" % (from_uri, self.from_tag),
            "To: <%s>" % to_uri,
            "Call-ID: %s" % self.call_id,
            "CSeq: %d %s" % (self.cseq, method),
            "User-Agent: sctest-sipclient",
        ]
        lines += list(extra)
        lines.append("Content-Length: %d" % len(body.encode()))
        return "\r\n".join(lines) + "\r\n\r\n" + body

    def _send(self, data):
        if self.transport == "udp":
            self.sock.sendto(data.encode(), self.server)
        else:
            self.sock.sendall(data.encode())

    def _recv_message(self, deadline):
        if self.transport == "udp":
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
            data, _ = self.sock.recvfrom(65535)
            return data.decode("utf-8", errors="replace")
        while True:
            if b"\r\n\r\n" in self._buf:
                head, _, rest = self._buf.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                clen = int(m.group(1)) if m else 0
                if len(rest) >= clen:
                    msg = head + b"\r\n\r\n" + rest[:clen]
                    self._buf = rest[clen:]
                    return msg.decode("utf-8", errors="replace")
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
            chunk = self.sock.recv(65535)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self._buf += chunk

    def transact(self, data, timeout=None):
        """Send a request; return its final Response, or None on timeout."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        cseq_line = re.search(r"(?m)^CSeq: (.*)$", data).group(1).strip()
        self._send(data)
        resend = time.monotonic() + 0.5
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            try:
                wait_until = min(deadline, resend) if self.transport == "udp" else deadline
                raw = self._recv_message(wait_until)
            except socket.timeout:
                if self.transport == "udp" and time.monotonic() >= resend and time.monotonic() < deadline:
                    self._send(data)
                    resend = time.monotonic() + 1.0
                continue
            try:
                resp = Response(raw)
            except ValueError:
                continue
            if (resp.header("CSeq") or "").strip() != cseq_line:
                continue
            if resp.code >= 200:
                return resp

    # ---- requests ----
    def options(self, ruri=None, timeout=None):
        ruri = ruri or "sip:%s:%d" % self.server
        req = self.build("OPTIONS", ruri, "sip:sctest@%s" % self.local[0], ruri, ["Accept: application/sdp"])
        return self.transact(req, timeout)

    def register(self, user, password=None, domain=None, expires=60, contact_user=None,
                 contact_params="", timeout=None, max_auth=2):
        """REGISTER user@domain, answering up to max_auth challenges.

        Returns (final Response or None, list of all final responses seen).
        """
        domain = domain or "%s:%d" % self.server
        ruri = "sip:%s" % domain
        aor = "sip:%s@%s" % (user, domain)
        tp = "" if self.transport == "udp" else ";transport=%s" % self.transport
        contact = "<sip:%s@%s:%d%s%s>" % (contact_user or user, self.local[0], self.local[1], tp, contact_params)
        seen = []
        auth = None
        for _ in range(max_auth + 1):
            extra = ["Contact: %s" % contact, "Expires: %d" % expires]
            if auth:
                extra.append("Authorization: %s" % auth)
            resp = self.transact(self.build("REGISTER", ruri, aor, aor, extra), timeout)
            if resp is None:
                return None, seen
            seen.append(resp)
            if resp.code in (401, 407) and password is not None:
                chal = parse_challenge(resp.header("WWW-Authenticate") or resp.header("Proxy-Authenticate") or "")
                auth = digest_authorization("REGISTER", ruri, user, password, chal)
                continue
            return resp, seen
        return seen[-1] if seen else None, seen


def options_ok(port, host=LOOPBACK, transport="udp", timeout=1.0):
    """True when an OPTIONS to host:port gets a final answer with code 200."""
    try:
        with SipClient(port, host, transport=transport, timeout=timeout) as c:
            r = c.options(timeout=timeout)
            return r is not None and r.code == 200
    except OSError:
        return False
