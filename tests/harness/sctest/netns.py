"""A real NAT built from network namespaces, for tests that must leave loopback.

    net = NatNet(udp_timeout=10)      # needs root; NatUnavailable says why not
    net.setup()                        # three namespaces, two veth links, MASQUERADE
    try:
        p = net.popen(net.lan, ["skypeconnect", "run", ...])   # argv prefixed by ip netns exec
        net.flush_conntrack()          # the router forgets every mapping: a rebinding
    finally:
        net.teardown()                 # also after a failure; idempotent

Layout (the addresses exist only inside these namespaces):

    LAN ns                 router ns                          internet ns
    10.77.0.2/24 --veth-- 10.77.0.1 | 203.0.113.1 --veth-- 203.0.113.10/24
    default via 10.77.0.1          MASQUERADE to the WAN side

Namespace names carry the PID and a counter, so parallel runs never collide;
the veth ends are created directly inside the namespaces, so nothing appears
in the host's own namespace. The router's conntrack UDP timeouts (plain and
"stream", i.e. seen both ways) are set short so an idle mapping expires within
the test; MASQUERADE uses --random so a flushed mapping comes back on another
public port (a rebinding), as many real NATs do.
"""
import ctypes
import itertools
import os
import shutil
import subprocess
import threading

LAN_NET = "10.77.0.0/24"
LAN_HOST = "10.77.0.2"
LAN_GW = "10.77.0.1"
WAN_ROUTER = "203.0.113.1"
INET_HOST = "203.0.113.10"
# a second internet-side address (an extra PSTN caller or peer that is not the trunk)
INET_HOST2 = "203.0.113.11"
# the router's public address after renumber_wan() in a test
WAN_ROUTER2 = "203.0.113.2"
# a second, direct link LAN <-> internet (a VPN's interface), by add_direct_link()
LINK2_LAN = "198.51.100.2"
LINK2_INET = "198.51.100.1"

_COUNTER = itertools.count(1)
_CLONE_NEWNET = 0x40000000
_LIVE = set()
_LIVE_LOCK = threading.Lock()


class NatUnavailable(RuntimeError):
    """This host cannot build the test network (not root, no iproute2/iptables...)."""


def _run(argv, check=True, timeout=15):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), p.returncode,
                                                   (p.stderr or p.stdout).strip()))
    return p


def unavailable_reason():
    """None when namespaces can be built here, else why not (for skipTest)."""
    if os.geteuid() != 0:
        return "not root: the NAT tests build network namespaces and need root"
    for tool in ("ip", "iptables", "conntrack"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            return "%s not installed (scripts/install-deps.sh installs it)" % tool
    return None


def _tool(name):
    return shutil.which(name) or "/usr/sbin/" + name


class NatNet:
    def __init__(self, udp_timeout=10, random_ports=True, tag=None, tcp_timeout=None):
        self.udp_timeout = int(udp_timeout)
        # an established TCP mapping lives 5 days by default: a short one lets a
        # test show what holds a TCP registration's mapping open
        self.tcp_timeout = int(tcp_timeout) if tcp_timeout else None
        self.random_ports = random_ports
        tag = tag or "%d-%d" % (os.getpid(), next(_COUNTER))
        self.lan = "sclan-" + tag
        self.router = "scrtr-" + tag
        self.inet = "scnet-" + tag
        self.created = []
        self.etc_dirs = []
        self.lan_host, self.lan_gw = LAN_HOST, LAN_GW
        self.wan_router, self.inet_host, self.inet_host2 = WAN_ROUTER, INET_HOST, INET_HOST2
        self.wan_router2 = WAN_ROUTER2

    # ---- building ----
    def _ns(self, ns, *argv, check=True):
        return _run([_tool("ip"), "netns", "exec", ns] + list(argv), check=check)

    def setup(self):
        why = unavailable_reason()
        if why:
            raise NatUnavailable(why)
        with _LIVE_LOCK:
            _LIVE.add(self)
        try:
            self._build()
        except Exception:
            self.teardown()
            raise
        return self

    def _build(self):
        ip = _tool("ip")
        for ns in (self.lan, self.router, self.inet):
            _run([ip, "netns", "add", ns])
            self.created.append(ns)
            self._ns(ns, ip, "link", "set", "lo", "up")
        # veth pairs created straight inside the namespaces: no name in the host's namespace
        _run([ip, "link", "add", "name", "eth0", "netns", self.lan, "type", "veth",
              "peer", "name", "lan0", "netns", self.router])
        _run([ip, "link", "add", "name", "wan0", "netns", self.router, "type", "veth",
              "peer", "name", "eth0", "netns", self.inet])
        self._ns(self.lan, ip, "addr", "add", LAN_HOST + "/24", "dev", "eth0")
        self._ns(self.lan, ip, "link", "set", "eth0", "up")
        self._ns(self.lan, ip, "route", "add", "default", "via", LAN_GW)
        self._ns(self.router, ip, "addr", "add", LAN_GW + "/24", "dev", "lan0")
        self._ns(self.router, ip, "addr", "add", WAN_ROUTER + "/24", "dev", "wan0")
        self._ns(self.router, ip, "link", "set", "lan0", "up")
        self._ns(self.router, ip, "link", "set", "wan0", "up")
        self._ns(self.inet, ip, "addr", "add", INET_HOST + "/24", "dev", "eth0")
        self._ns(self.inet, ip, "addr", "add", INET_HOST2 + "/24", "dev", "eth0")
        self._ns(self.inet, ip, "link", "set", "eth0", "up")
        self._ns(self.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        rule = [_tool("iptables"), "-t", "nat", "-A", "POSTROUTING", "-s", LAN_NET, "-o", "wan0",
                "-j", "MASQUERADE"]
        if self.random_ports:
            rule.append("--random")
        self._ns(self.router, *rule)
        # the rule loaded conntrack; its timeouts are per namespace
        for key in ("nf_conntrack_udp_timeout", "nf_conntrack_udp_timeout_stream"):
            self._ns(self.router, "sysctl", "-q", "-w",
                     "net.netfilter.%s=%d" % (key, self.udp_timeout))
        if self.tcp_timeout:
            self._ns(self.router, "sysctl", "-q", "-w",
                     "net.netfilter.nf_conntrack_tcp_timeout_established=%d" % self.tcp_timeout)
        # the internet side never routes back into the LAN: only the NAT's mappings do
        self._ns(self.lan, ip, "-6", "addr", "show")  # smoke: the namespace answers

    # ---- using ----
    def argv_in(self, ns, argv):
        """argv run inside namespace ns (ip netns exec execs it: the PID is the command's)."""
        return [_tool("ip"), "netns", "exec", ns] + [str(a) for a in argv]

    def run(self, ns, argv, check=True, timeout=15):
        return self._ns(ns, *argv, check=check) if timeout == 15 else \
            _run(self.argv_in(ns, argv), check=check, timeout=timeout)

    def call_in(self, ns, fn, *args, **kw):
        """fn(*args) run on a fresh thread that has entered namespace ns: sockets it
        opens live there (e.g. harness SIP probes). Returns fn's result or raises."""
        out = {}

        def body():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open("/run/netns/" + ns, os.O_RDONLY)
                try:
                    if libc.setns(fd, _CLONE_NEWNET) != 0:
                        e = ctypes.get_errno()
                        raise OSError(e, "setns(%s): %s" % (ns, os.strerror(e)))
                finally:
                    os.close(fd)
                out["v"] = fn(*args, **kw)
            except BaseException as e:  # handed to the caller
                out["e"] = e

        t = threading.Thread(target=body, name="netns-" + ns, daemon=True)
        t.start()
        t.join()
        if "e" in out:
            raise out["e"]
        return out.get("v")

    def conntrack_entries(self, proto="udp"):
        """The router's conntrack table as text lines (mappings the NAT holds now)."""
        p = self._ns(self.router, _tool("conntrack"), "-L", "-p", proto, check=False)
        return [l for l in p.stdout.splitlines() if l.strip()]

    def flush_conntrack(self):
        """The router forgets every mapping: the next packet out gets a new public port."""
        self._ns(self.router, _tool("conntrack"), "-F", check=False)

    def renumber_wan(self, new_addr):
        """The router gets another public address (a DSL reconnect): MASQUERADE
        is replaced by SNAT to new_addr and every mapping is forgotten."""
        ipt = _tool("iptables")
        self._ns(self.router, _tool("ip"), "addr", "add", new_addr + "/24", "dev", "wan0")
        self._ns(self.router, ipt, "-t", "nat", "-F", "POSTROUTING")
        self._ns(self.router, ipt, "-t", "nat", "-A", "POSTROUTING", "-s", LAN_NET, "-o", "wan0",
                 "-j", "SNAT", "--to-source", new_addr)
        self.flush_conntrack()

    def add_direct_link(self, route_to=None):
        """A second interface in the LAN (eth1, LINK2_LAN) straight to the internet
        namespace (LINK2_INET), like a VPN; route_to (a host) is then routed
        through it instead of the NAT. The internet side has no route back to
        the LAN's first network: only answers to LINK2_LAN come back this way."""
        ip = _tool("ip")
        _run([ip, "link", "add", "name", "eth1", "netns", self.lan, "type", "veth",
              "peer", "name", "vpn0", "netns", self.inet])
        self._ns(self.lan, ip, "addr", "add", LINK2_LAN + "/24", "dev", "eth1")
        self._ns(self.lan, ip, "link", "set", "eth1", "up")
        self._ns(self.inet, ip, "addr", "add", LINK2_INET + "/24", "dev", "vpn0")
        self._ns(self.inet, ip, "link", "set", "vpn0", "up")
        if route_to:
            self._ns(self.lan, ip, "route", "add", route_to + "/32", "via", LINK2_INET, "dev", "eth1")

    def hosts_entry(self, ns, name, addr):
        """name resolves to addr for programs run in ns through `ip netns exec`
        (it mounts /etc/netns/NS/hosts over /etc/hosts): a host name without DNS."""
        d = os.path.join("/etc/netns", ns)
        os.makedirs(d, exist_ok=True)
        if d not in self.etc_dirs:
            self.etc_dirs.append(d)
        with open(os.path.join(d, "hosts"), "a") as f:
            f.write("127.0.0.1 localhost\n%s %s\n" % (addr, name))

    def silent_dns(self, ns, timeout_s=5, attempts=3):
        """Programs run in ns through `ip netns exec` ask DNS at the router,
        which drops the queries: a name not in hosts takes timeout_s x attempts
        to fail, as with a DNS server that is down."""
        d = os.path.join("/etc/netns", ns)
        os.makedirs(d, exist_ok=True)
        if d not in self.etc_dirs:
            self.etc_dirs.append(d)
        with open(os.path.join(d, "resolv.conf"), "w") as f:
            f.write("nameserver %s\noptions timeout:%d attempts:%d\n" % (LAN_GW, timeout_s, attempts))
        self._ns(self.router, _tool("iptables"), "-I", "INPUT", "-p", "udp", "--dport", "53", "-j", "DROP")

    def block_wan(self, on=True):
        """Drop everything the router forwards (an outage) or allow it again."""
        self._ns(self.router, _tool("iptables"), "-I" if on else "-D", "FORWARD", "-j", "DROP",
                 check=on)

    # ---- removing ----
    def teardown(self):
        """Deletes every namespace this object made (their veths go with them)."""
        for ns in reversed(self.created):
            _run([_tool("ip"), "netns", "del", ns], check=False)
        self.created = []
        for d in self.etc_dirs:
            shutil.rmtree(d, ignore_errors=True)
        self.etc_dirs = []
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def exists(self):
        names = _run([_tool("ip"), "netns", "list"], check=False).stdout.split()
        return any(n in names for n in (self.lan, self.router, self.inet))


def nat_for_test(testcase, udp_timeout=10, **kw):
    """A NatNet set up for a unittest.TestCase: skips the test (saying why) when
    this host cannot build it; torn down by the test's cleanups, which run
    last-in first-out: call this before starting the processes that live in it,
    so the namespaces go after them."""
    why = unavailable_reason()
    if why:
        testcase.skipTest(why)
    net = NatNet(udp_timeout=udp_timeout, **kw)
    testcase.addCleanup(net.teardown)
    net.setup()
    return net


def _teardown_all():
    with _LIVE_LOCK:
        nets = list(_LIVE)
    for n in nets:
        try:
            n.teardown()
        except Exception:
            pass


import atexit  # noqa: E402  (registered after the class so teardown exists)
atexit.register(_teardown_all)
