"""Integration-test harness for libskypeconnect (Python 3 standard library only).

Pieces:
  ports      free loopback ports (UDP+TCP pairs)
  procs      subprocesses with reader threads, stopped by PID (SIGTERM, SIGKILL after 3 s)
  kamailio   Kamailio as the SIP trunk (tests/kamailio/trunk.cfg)
  sipp       SIPp as a fault-injecting registrar, PSTN UAS or caller (tests/sipp/*.xml)
  certs      throw-away CA / server / client certificates made with openssl
  sipclient  a minimal SIP client (UDP/TCP/TLS, digest) used by the self-tests and probes
  cli        the `skypeconnect` command under test (SC_CLI), gateway XML writer
  calls      CallTestCase: calls through the Kamailio trunk (tests/integration/test_calls*.py)
"""
import os

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(os.path.dirname(HARNESS_DIR))
KAMAILIO_DIR = os.path.join(TESTS_DIR, "kamailio")
SIPP_DIR = os.path.join(TESTS_DIR, "sipp")
