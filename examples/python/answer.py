#!/usr/bin/env python3
"""Answer inbound calls from the trunk, with asyncio.

usage: answer.py [GATEWAY_XML GATEWAY_NAME] [--seconds N]
Without a file, the built-in loopback trunk registers us and places one call.
"""
import argparse
import asyncio
import skypeconnect as sc

SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


async def main(args):
    trunk = None
    if args.xml:
        gateway = sc.Config(args.xml).find_gateway(args.gateway)
    else:
        trunk = sc.Trunk("127.0.0.1:0", "alice", "secret")
        gateway = sc.Gateway(args.gateway, proxy=trunk.address, username="alice", password="secret")
    answered = 0
    with sc.Session(dispatch=sc.Dispatch.QUEUE) as session:   # events dispatched on the asyncio loop
        session.add_gateway(gateway)
        session.start()
        try:
            async with session.events() as events:
                while True:
                    ev = await events.get(timeout=args.seconds)
                    if ev.type == sc.EventType.GATEWAY_STATE:
                        print("gateway %s: %s" % (ev.gateway, ev.state.name))
                        if trunk and ev.state == sc.RegState.REGED:
                            trunk.place_call("alice", "+4930123456")
                    elif ev.type == sc.EventType.INCOMING_CALL:
                        print("incoming call %d from %s to %s" % (ev.call.id, ev.call.caller_number, ev.call.destination))
                        ev.call.answer(SDP)
                    elif ev.type == sc.EventType.CALL_STATE:
                        print("call %d: %s" % (ev.call_id, ev.call_state.name))
                        if ev.call_state == sc.CallState.ANSWERED:
                            answered += 1
                            if trunk:
                                ev.call.hangup()
                                return answered
        except asyncio.TimeoutError:
            return answered
    if trunk:
        trunk.close()


ap = argparse.ArgumentParser()
ap.add_argument("xml", nargs="?")
ap.add_argument("gateway", nargs="?", default="skype")
ap.add_argument("--seconds", type=float, default=10.0)
n = asyncio.run(main(ap.parse_args()))
print("answered %d call(s)" % (n or 0))
