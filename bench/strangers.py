"""The "strangers" section of bench/run: what requests from a stranger cost.

A stranger (127.0.0.2: neither the trunk nor on an ACL) floods a running
session with out-of-dialog requests whose Contact and Refer-To name a victim
(127.0.0.4). Subjects, interleaved in the same run (the machine is shared):

  lib  unserved   sc_bench inbound, REFER/SUBSCRIBE/NOTIFY/MESSAGE/PUBLISH in turn
  lib  options    the same session, OPTIONS only: the floor, what any request
                  costs Sofia's transaction layer (reference)
  lib  invite     the same session, INVITEs dressed as the trunk's (403)
  nua  unserved   bare Sofia-SIP nua (nua_bench inbound) with Sofia's default
                  methods: REFER 202 and NOTIFYs, what the library did before

Each subject: `rounds` rounds of `n` requests paced at `rate`/s, each followed
by `idle_s` of quiet (Sofia keeps a server transaction T1x64 = 8 s). VmRSS
before, after the first round, after the last. Figures, KB per 1,000 requests:

  window   (after round 1 - before): transactions alive at once; allocator
           memory kept for reuse, a one-off for a given rate
  growth   (after last round - after round 1) / later requests: what stays
           per request once the window exists (0 when nothing is kept)

plus the answers by status code and the datagrams the victim received.
"""
import random
import socket
import statistics
import time

STRANGER = "127.0.0.2"
VICTIM = "127.0.0.4"
UNSERVED = ("REFER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "PUBLISH")

SIZES = {  # n per round, rounds, pace (requests/s), idle after a round, repetitions
    "default": dict(n=4000, rounds=4, rate=2000, idle_s=10.0, reps=3),
    "quick": dict(n=3000, rounds=3, rate=2000, idle_s=9.0, reps=1),
    "smoke": dict(n=100, rounds=2, rate=2000, idle_s=0.2, reps=1),
}


def _request(method, port, local, victim, i, tag):
    cid = "%s-%d-%08x@stranger" % (tag, i, random.getrandbits(32))
    ruri = ("sip:skype@127.0.0.1:%d;gw=skype" if method == "INVITE" else "sip:skype@127.0.0.1:%d") % port
    extra = {"REFER": ["Refer-To: <%s>" % victim],
             "SUBSCRIBE": ["Event: refer", "Expires: 3600"],
             "NOTIFY": ["Event: refer", "Subscription-State: active;expires=3600"]}.get(method, [])
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s%d;rport" % (local[0], local[1], tag, i),
             "Max-Forwards: 70",
             "From: <sip:stranger@%s>;tag=%d" % (local[0], i),
             "To: <%s>" % ruri,
             "Call-ID: %s" % cid,
             "CSeq: 1 %s" % method,
             "Contact: <%s>" % victim] + extra + ["Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _drain(sock, codes, seconds):
    """Reads what arrives for `seconds` (at least what is queued now); counts the
    first word of each answer (status code) or request (method) in codes."""
    deadline = time.monotonic() + seconds
    sock.setblocking(False)
    while True:
        try:
            data = sock.recv(65535)
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.005))
            continue
        except OSError:       # ICMP port unreachable and the like
            continue
        first = data.split(b"\r\n", 1)[0].decode("latin-1")
        key = first.split(" ")[1] if first.startswith("SIP/2.0 ") else first.split(" ")[0]
        codes[key] = codes.get(key, 0) + 1


def _flood(port, methods, n, rate, tag, victim_uri, codes, tail_s):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((STRANGER, 0))
    try:
        t0 = time.monotonic()
        for i in range(n):
            s.sendto(_request(methods[i % len(methods)], port, s.getsockname(), victim_uri, i, tag),
                     ("127.0.0.1", port))
            ahead = t0 + (i + 1) / rate - time.monotonic()
            if ahead > 0 or i % 100 == 99:
                _drain(s, codes, max(ahead, 0.0))
        _drain(s, codes, tail_s)
    finally:
        s.close()


def _subject(bench, driver_cls, impl, methods, label, sz):
    """One run of one subject; returns a dict of figures."""
    from sctest.ports import free_port, LOOPBACK
    d = bench.tmp("strangers-%s-%s" % (impl, label))
    victim = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    victim.bind((VICTIM, 0))
    victim_uri = "sip:victim@%s:%d" % victim.getsockname()
    # the gateway's proxy: a port nobody answers on 127.0.0.1 (the trunk is not the stranger)
    drv = driver_cls(bench.build, impl, "inbound", ["--peer", "%s:%d" % (LOOPBACK, free_port())], d,
                     dispatch=bench.args.dispatch)
    codes, reflected = {}, {}
    try:
        settle = min(1.0, sz["idle_s"])
        time.sleep(settle)
        rss = [drv.stats()["rss_kb"]]
        for r in range(sz["rounds"]):
            _flood(drv.port, methods, sz["n"], sz["rate"], "%s%d" % (label[:3], r), victim_uri, codes, settle)
            time.sleep(sz["idle_s"])
            _drain(victim, reflected, 0.0)
            rss.append(drv.stats()["rss_kb"])
        _drain(victim, reflected, min(0.5, settle))
    finally:
        drv.stop()
        victim.close()
    k = sz["n"] / 1000.0
    later = (sz["rounds"] - 1) * k
    return dict(rss=rss, window=(rss[1] - rss[0]) / k,
                growth=(rss[-1] - rss[1]) / later if later else None,
                codes=codes, reflected=sum(reflected.values()))


def run(bench, driver_cls, log, mode):
    """Runs the section; fills bench.results and bench.rows."""
    sz = SIZES[mode]
    subjects = [("lib", UNSERVED, "unserved"), ("lib", ("OPTIONS",), "options"),
                ("lib", ("INVITE",), "invite"), ("nua", UNSERVED, "unserved")]
    got = {(i, l): [] for i, _, l in subjects}
    for rep in range(sz["reps"]):
        for impl, methods, label in subjects:
            log("strangers: %s %s, %d x %d requests at %d/s (rep %d)" %
                      (impl, label, sz["rounds"], sz["n"], sz["rate"], rep + 1))
            r = _subject(bench, driver_cls, impl, methods, label, sz)
            log("  RSS kB %s; answers %s; victim got %d" % (r["rss"], r["codes"], r["reflected"]))
            got[(impl, label)].append(r)

    def med(key, impl, label):
        xs = [r[key] for r in got[(impl, label)] if r[key] is not None]
        return round(statistics.median(xs), 1) if xs else None

    res = bench.results
    for impl, _, label in subjects:
        sfx = "" if impl == "lib" else "_nua"
        res["stranger_%s_window_kb_per_1k%s" % (label, sfx)] = med("window", impl, label)
        res["stranger_%s_growth_kb_per_1k%s" % (label, sfx)] = med("growth", impl, label)
        res["stranger_%s_reflected%s" % (label, sfx)] = sum(r["reflected"] for r in got[(impl, label)])
        res["stranger_%s_answers%s" % (label, sfx)] = got[(impl, label)][-1]["codes"]
    wl, wo = res["stranger_unserved_window_kb_per_1k"], res["stranger_options_window_kb_per_1k"]
    res["stranger_unserved_window_ratio_options"] = round(wl / wo, 2) if wl is not None and wo else None
    gl, gn = res["stranger_unserved_growth_kb_per_1k"], res["stranger_unserved_growth_kb_per_1k_nua"]
    note = "%d x %d at %d/s" % (sz["rounds"], sz["n"], sz["rate"])
    rows = bench.rows
    rows.append(("strangers", "unserved (REFER...PUBLISH): window KB/1k requests", wl,
                 res["stranger_unserved_window_kb_per_1k_nua"], None,
                 "lib OPTIONS: %s; lib INVITE: %s" % (wo, res["stranger_invite_window_kb_per_1k"]),
                 "<= 1.2x OPTIONS", _verdict(res["stranger_unserved_window_ratio_options"], 1.2)))
    rows.append(("strangers", "unserved: growth KB/1k after the first round", gl, gn, None,
                 "lib OPTIONS: %s; lib INVITE: %s; %s" % (res["stranger_options_growth_kb_per_1k"],
                                                         res["stranger_invite_growth_kb_per_1k"], note),
                 "~0 (<= 64)", _verdict(gl, 64.0)))
    rows.append(("strangers", "datagrams reaching the victim (NOTIFY reflector)",
                 res["stranger_unserved_reflected"], res["stranger_unserved_reflected_nua"], None, "", "0",
                 "met" if res["stranger_unserved_reflected"] == 0 else "MISSED"))


def _verdict(v, limit):
    if v is None:
        return "-"
    return "met" if v <= limit else "MISSED"
