#!/usr/bin/env python3
"""Register a gateway and print its state changes.

usage: register.py [GATEWAY_XML GATEWAY_NAME] [--seconds N]
Without a file it registers against the built-in loopback trunk (sc.Trunk).
"""
import argparse
import skypeconnect as sc

ap = argparse.ArgumentParser()
ap.add_argument("xml", nargs="?")
ap.add_argument("gateway", nargs="?", default="skype")
ap.add_argument("--seconds", type=float, default=5.0)
args = ap.parse_args()

trunk = None
if args.xml:
    gateway = sc.Config(args.xml).find_gateway(args.gateway)
else:
    trunk = sc.Trunk("127.0.0.1:0", "alice", "secret")
    gateway = sc.Gateway(args.gateway, proxy=trunk.address, username="alice", password="secret")


def on_event(ev: sc.Event) -> None:          # runs on the library's thread
    if ev.type == sc.EventType.GATEWAY_STATE:
        print("%-10s %s -> %s (%s)%s" % (ev.gateway, ev.prev_state.name if ev.prev_state is not None else "-",
                                         ev.state.name, ev.status.name,
                                         " SIP %d %s" % (ev.sip_code, ev.phrase) if ev.sip_code else ""))


with sc.Session(on_event=on_event) as session:
    session.add_gateway(gateway)
    session.start()
    try:
        session.wait_state(gateway.name, sc.RegState.REGED, sc.RegState.NOREG, timeout=args.seconds)
        print("registered")
    except sc.GatewayFailed as e:
        print("not registered: %s" % e)        # e.reason: Reason.AUTH for a wrong password
    except sc.Timeout:
        print("not registered after %.0f s: %s" % (args.seconds, session.gateway_state(gateway.name).name))
if trunk:
    trunk.close()
