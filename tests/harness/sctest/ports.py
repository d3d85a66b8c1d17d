"""Free loopback ports: bind to port 0 and read the port back."""
import socket

LOOPBACK = "127.0.0.1"


def free_tcp_port(host=LOOPBACK):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_port(host=LOOPBACK):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port, host=LOOPBACK, udp=True, tcp=True):
    """True when the port can be bound now for the given transports."""
    socks = []
    try:
        if tcp:
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(t)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((host, port))
        if udp:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(u)
            u.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port(host=LOOPBACK, udp=True, tcp=True, tries=200, exclude=()):
    """A port free for both UDP and TCP (by default) on the loopback address.

    Binds TCP to port 0, reads the port back, then checks UDP on the same number.
    """
    for _ in range(tries):
        port = free_tcp_port(host) if tcp else free_udp_port(host)
        if port in exclude:
            continue
        if port_is_free(port, host, udp=udp, tcp=tcp):
            return port
    raise RuntimeError("no free UDP+TCP port pair found on %s" % host)


def free_ports(n, **kw):
    """n distinct free ports."""
    got = []
    while len(got) < n:
        got.append(free_port(exclude=tuple(got), **kw))
    return got
