"""Self-test of the NAT test network (sctest.netns) and of Kamailio inside it.

Needs root (network namespaces); says so and skips otherwise. No skypeconnect
command needed. Proves what tests/integration/test_nat.py relies on: the LAN
reaches the internet side only through the router's MASQUERADE (the trunk
sees the router's address and a mapped port), an idle mapping expires after
the short conntrack timeout (an inbound packet then no longer arrives), a
flush gives the next packet a new public port (a rebinding), Kamailio runs in
the internet namespace as a provider that fixes NATed Contacts or keeps them,
and teardown leaves no namespace behind.
"""
import os
import socket
import time
import unittest

from sctest.kamailio import Kamailio
from sctest.netns import nat_for_test
from sctest.sipclient import SipClient
from sctest.testcase import ScTestCase

UDP_TIMEOUT = 3


def _udp(host, port=0, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    s.settimeout(timeout)
    return s


class NetnsTest(ScTestCase):
    needs_cli = False

    def setUp(self):
        super().setUp()
        self.net = nat_for_test(self, udp_timeout=UDP_TIMEOUT)

    def test_masquerade_expiry_and_rebinding(self):
        n = self.net
        server = n.call_in(n.inet, _udp, n.inet_host, 0)
        self.addCleanup(server.close)
        sport = server.getsockname()[1]
        client = n.call_in(n.lan, _udp, "0.0.0.0", 0)
        self.addCleanup(client.close)
        client.sendto(b"one", (n.inet_host, sport))
        data, public = server.recvfrom(100)
        self.assertEqual(data, b"one")
        self.assertEqual(public[0], n.wan_router, "the trunk must see the router, not the LAN")
        # the mapping works inbound while it lives
        server.sendto(b"back", public)
        self.assertEqual(client.recvfrom(100)[0], b"back")
        self.assertTrue(any("sport=%d" % client.getsockname()[1] in l for l in n.conntrack_entries()))
        # ... and is gone after the timeout: an inbound packet no longer arrives
        time.sleep(UDP_TIMEOUT + 2)
        server.sendto(b"late", public)
        client.settimeout(1.0)
        with self.assertRaises(socket.timeout):
            client.recvfrom(100)
        # a flush makes the next packet out come from another public port
        client.sendto(b"two", (n.inet_host, sport))
        first = server.recvfrom(100)[1]
        n.flush_conntrack()
        client.sendto(b"three", (n.inet_host, sport))
        second = server.recvfrom(100)[1]
        self.assertNotEqual(first[1], second[1], "no rebinding after conntrack -F")

    def test_kamailio_fixing_and_keeping_contacts(self):
        n = self.net
        for fix in (True, False):
            k = Kamailio(os.path.join(self.tmp, "k%d" % fix), net=n, netns=n.inet,
                         addr=n.inet_host, realm=n.inet_host, nat_fix=fix)
            self.addCleanup(k.stop)
            k.start()

            def reg():
                with SipClient(k.port, n.inet_host, local_host=n.lan_host) as c:
                    return c.register("skype", "secret", domain=n.inet_host)[0]
            resp = n.call_in(n.lan, reg)
            self.assertIsNotNone(resp)
            self.assertEqual(resp.code, 200, k.describe())
            rec = k.wait_record(lambda r: r.get("result") == "saved", 5)
            self.assertIsNotNone(rec, k.describe())
            self.assertTrue(rec["src"].startswith(n.wan_router + ":"), rec)
            self.assertIn(n.lan_host, rec["ct"], "Contact as the client sent it")
            # what the registrar hands back: the binding, with received= only when fixing
            contacts = " ".join(resp.headers_named("Contact"))
            self.assertEqual("received=" in contacts, fix, contacts)
            k.stop()

    def test_teardown_removes_namespaces(self):
        self.assertTrue(self.net.exists())
        self.net.teardown()
        self.assertFalse(self.net.exists())


if __name__ == "__main__":
    unittest.main()
