#!/usr/bin/env python3
"""Call set-up time with the library's media against signalling only.

Two sessions over loopback in this process (the Python binding): B dials A,
A answers from its event callback (the library's thread). Signalling only:
B offers the application's SDP and A answers with its own (no RTP). With
media: B dials with media=True, A answers with answer_media(), and the call
counts as set up when B's media is "up" (ports bound, offer/answer done,
pipelines playing). Calls are made one after the other, alternating the
two kinds so that both see the same machine; each is hung up before the next.

    PYTHONPATH=BUILD/python python3 bench/call_setup.py [--calls N]

Prints one line per kind: median, 90th percentile and max in ms.
"""
import argparse
import statistics
import sys
import time

import skypeconnect as sc

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"


def answer(ev):
    if ev.type == sc.EventType.INCOMING_CALL:
        if "m=audio 40000 " in (ev.call.remote_sdp or ""):   # ours: the library's offers use 16384..32767
            ev.call.answer(SDP)
        else:
            ev.call.answer_media()


def one_call(b, media):
    """Milliseconds from dial() to the call set up (events matched by call id: ids are never reused)."""
    t0 = time.monotonic()
    if media:
        call = b.dial("out", "0044201234567", media=True)
        cid = call.id
        ok = b.wait_for(lambda e: e.type == sc.EventType.MEDIA_STATE and e.call_id == cid, timeout=10)
    else:
        call = b.dial("out", "0044201234567", sdp=SDP)
        cid = call.id
        ok = b.wait_for(lambda e: e.call_id == cid and e.call_state == sc.CallState.ANSWERED, timeout=10)
    ms = (time.monotonic() - t0) * 1000
    if ok is None:
        sys.exit("call_setup: a %s call was not set up in 10 s" % ("media" if media else "signalling"))
    call.hangup()
    b.wait_for(lambda e: e.call_id == cid and e.call_state == sc.CallState.ENDED, timeout=10)
    return ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=50, help="calls of each kind (default 50)")
    args = ap.parse_args()
    if args.calls < 1:
        ap.error("--calls must be at least 1")
    if not sc.core.media_supported():
        sys.exit("call_setup: this libskypeconnect has no media")
    with sc.Session(on_event=answer) as a, sc.Session() as b:
        a.enable_media()
        b.enable_media()
        a.start()
        b.start()
        a.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % b.port))
        b.add_gateway(sc.Gateway("out", register=False, proxy="127.0.0.1:%d" % a.port, dial_prefix="00"))
        b.wait_state("out", sc.RegState.NOREG, timeout=5)
        one_call(b, True)    # warm-up: GStreamer's plugin registry, first pipelines
        one_call(b, False)
        times = {False: [], True: []}
        for _ in range(args.calls):
            for media in (False, True):
                times[media].append(one_call(b, media))
    for media in (False, True):
        t = sorted(times[media])
        print("call_setup kind=%s calls=%d median_ms=%.2f p90_ms=%.2f max_ms=%.2f"
              % ("media" if media else "signalling", len(t), statistics.median(t),
                 t[min(len(t) - 1, int(0.9 * len(t)))], t[-1]))


main()
