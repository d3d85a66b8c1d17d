#!/usr/bin/env python3
"""An IVR with the library's own media: answers, plays a greeting, collects
digits until '#', then records a message to a WAV file.

usage: ivr.py [--greeting FILE] [--out FILE]
Runs two sessions over loopback: the IVR, and a caller that dials it with
media, presses 42# and speaks (a 1 kHz tone) for 1.5 s.
"""
import argparse
import os
import shutil
import tempfile
import threading
import time
import wave

import skypeconnect as sc


def ivr_events(greeting, out, done):
    digits = []

    def on_event(ev):
        if ev.type == sc.EventType.INCOMING_CALL:
            ev.call.answer_media()                  # our SDP, our RTP
        elif ev.type == sc.EventType.MEDIA_STATE and ev.to_dict()["state"] == "up":
            if greeting:
                ev.call.play(greeting)
            else:
                ev.call.play_tone(440, 800)         # no file given: a beep
        elif ev.type == sc.EventType.DTMF:
            digits.append(ev.digit)
            if ev.digit == "#":
                print("IVR: digits %s (%s); recording the message" % ("".join(digits), ev.dtmf_method))
                ev.call.record(out)
        elif ev.type == sc.EventType.MEDIA_STATS:
            print("IVR: media ended: %s" % ev.json)
        elif ev.type == sc.EventType.CALL_STATE and ev.call_state == sc.CallState.ENDED:
            done.set()
    return on_event


def main(args):
    tmp = None if args.out else tempfile.mkdtemp()
    out = args.out or os.path.join(tmp, "message.wav")
    done = threading.Event()
    with sc.Session(on_event=ivr_events(args.greeting, out, done)) as ivr, sc.Session() as caller:
        ivr.enable_media()
        caller.enable_media()
        ivr.start()
        caller.start()
        ivr.add_gateway(sc.Gateway("trunk", register=False, proxy="127.0.0.1:%d" % caller.port))
        caller.add_gateway(sc.Gateway("out", register=False, proxy="127.0.0.1:%d" % ivr.port, dial_prefix="00"))
        caller.wait_state("out", sc.RegState.NOREG, timeout=5)
        call = caller.dial("out", "0049301234567", media=True)
        caller.wait_for(lambda e: e.type == sc.EventType.MEDIA_STATE, timeout=10)
        time.sleep(1.0)                             # hear the greeting
        call.send_dtmf("42#")
        time.sleep(1.6)                             # the digits take about 0.45 s each
        call.play_tone(1000, 1500)
        caller.wait_for(lambda e: e.type == sc.EventType.MEDIA_NOTICE, timeout=10)
        time.sleep(0.5)                             # its last packets on their way
        call.hangup()
        done.wait(10)
    with wave.open(out, "rb") as w:
        print("recorded a %.1f s message in %s" % (w.getnframes() / w.getframerate(), out))
    if tmp:
        shutil.rmtree(tmp)


ap = argparse.ArgumentParser()
ap.add_argument("--greeting")
ap.add_argument("--out")
args = ap.parse_args()
if args.greeting and not os.access(args.greeting, os.R_OK):
    ap.error("cannot read the greeting '%s'" % args.greeting)
main(args)
