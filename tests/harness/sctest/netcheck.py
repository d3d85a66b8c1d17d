"""Which local addresses a process has bound (Linux /proc, standard library only)."""
import os
import socket
import struct


def _socket_inodes(pid):
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for n in names:
        try:
            target = os.readlink(os.path.join(fd_dir, n))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _parse_addr(hexaddr, v6):
    ip_hex, port_hex = hexaddr.split(":")
    port = int(port_hex, 16)
    raw = bytes.fromhex(ip_hex)
    if v6:
        # four little-endian 32-bit words
        raw = b"".join(struct.pack("<I", w) for w in struct.unpack(">4I", raw))
        return socket.inet_ntop(socket.AF_INET6, raw), port
    return socket.inet_ntop(socket.AF_INET, raw[::-1]), port


def bound_addresses(pid):
    """[(proto, ip, port)] of the UDP sockets and listening TCP sockets of pid."""
    inodes = _socket_inodes(pid)
    out = []
    for proto, v6 in (("udp", False), ("tcp", False), ("udp6", True), ("tcp6", True)):
        try:
            # the PID's own view: right also for a process in another network namespace
            with open("/proc/%d/net/%s" % (pid, proto)) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    local, state, inode = parts[1], parts[3], parts[9]
                    if inode not in inodes:
                        continue
                    if proto.startswith("tcp") and state != "0A":   # LISTEN only
                        continue
                    ip, port = _parse_addr(local, v6)
                    out.append((proto, ip, port))
        except OSError:
            continue
    return out


def non_loopback(pid):
    """Bound addresses of pid that are not 127.0.0.1 (or ::1)."""
    return [a for a in bound_addresses(pid) if a[1] not in ("127.0.0.1", "::1")]
