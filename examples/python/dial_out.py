#!/usr/bin/env python3
"""Dial a number out through a gateway; refused numbers raise DialRefused.

usage: dial_out.py NUMBER [GATEWAY_XML GATEWAY_NAME]
Without a file it dials through the built-in loopback trunk (dial-prefix 00):
try 0044201234561 (answered), 0044201234566 (busy), 00112 (refused).
"""
import sys
import skypeconnect as sc

number = sys.argv[1] if len(sys.argv) > 1 else "0044201234561"
trunk = None
if len(sys.argv) > 2:
    gateway = sc.Config(sys.argv[2]).find_gateway(sys.argv[3] if len(sys.argv) > 3 else "skype")
else:
    trunk = sc.Trunk("127.0.0.1:0", "alice", "secret")
    gateway = sc.Gateway("skype", proxy=trunk.address, username="alice", password="secret", dial_prefix="00",
                         emergency_country="GB")

with sc.Session() as session:
    session.add_gateway(gateway)
    session.start()
    try:
        session.wait_state(gateway.name, sc.RegState.REGED, sc.RegState.NOREG, timeout=10)
    except (sc.GatewayFailed, sc.Timeout) as e:
        sys.exit("gateway %s did not come up: %s" % (gateway.name, e))
    try:
        call = session.dial(gateway.name, number)
    except sc.DialRefused as e:
        print("refused (%s): %s" % (e.refusal, e))
        sys.exit(0)
    ev = session.wait_for(lambda e: e.call and e.call == call and e.call_state in
                          (sc.CallState.ANSWERED, sc.CallState.ENDED), timeout=15)
    print("call %d: %s %s" % (call.id, call.state.name, call.cause))
    call.hangup()
if trunk:
    trunk.close()
