"""REGISTER over TLS to Kamailio with a certificate made at test time."""
import os
import unittest

from sctest.certs import client_tls_dir
from sctest.cli import match, skype_gateway
from sctest.netcheck import bound_addresses, non_loopback
from sctest.testcase import ScTestCase


class TlsTest(ScTestCase):

    def test_register_over_tls(self):
        """11. register-transport tls, --tls-dir with agent.pem/cafile.pem -> REGED, and the
        trunk saw the REGISTER over TLS. Skipped (not failed) only when Kamailio's tls
        module cannot load."""
        k = self.start_tls_kamailio()
        tls_dir = client_tls_dir(k.certs, os.path.join(self.tmp, "tls"))
        gw = self.gateway_file(skype_gateway(k.tls_port, register_transport="tls"))
        cli = self.start_cli([gw], tls_dir=tls_dir)
        self.assertIsInstance(cli.started.get("tls_port"), int, cli.describe())
        reged = cli.wait_for(match(gateway="skype", state="REGED"), 20)
        self.assertEqual(reged["sip_code"], 200, cli.describe())
        saved = k.wait_count(1, 5, result="saved")
        self.assertTrue(saved, k.describe())
        self.assertEqual(saved[0]["proto"], "tls", k.describe())
        self.assertTrue(all(r["proto"] == "tls" for r in k.registers()), k.describe())
        bound = bound_addresses(cli.proc.pid)
        self.assertFalse(non_loopback(cli.proc.pid), "sockets outside 127.0.0.1: %s" % bound)
        self.assertIn(("tcp", "127.0.0.1", cli.started["tls_port"]), bound)
        self.assert_quit_clean(cli)


if __name__ == "__main__":
    unittest.main()
