"""--tls-verify against a registrar whose certificate does not verify: FAILED at
once, reason tls, with the verification error (Sofia-SIP alone would wait for
the transaction timeout and report 408)."""
import os
import shutil
import time
import unittest

from sctest.certs import client_tls_dir, make_certs
from sctest.cli import match, skype_gateway
from sctest.testcase import ScTestCase


class TlsVerifyTest(ScTestCase):

    def test_untrusted_certificate_fails_at_once(self):
        k = self.start_tls_kamailio()
        tls_dir = client_tls_dir(k.certs, os.path.join(self.tmp, "tls"))
        # a CA that did not sign the trunk's certificate
        other = make_certs(os.path.join(self.tmp, "other"))
        shutil.copyfile(other["cafile_pem"], os.path.join(tls_dir, "cafile.pem"))
        gw = self.gateway_file(skype_gateway(k.tls_port, register_transport="tls"))
        cli = self.start_cli([gw], tls_dir=tls_dir, extra_args=["--tls-verify"])
        ev = cli.wait_for(match(gateway="skype", state="FAILED"), 15)
        self.assertEqual(ev["reason"], "tls", cli.describe())
        self.assertIn("does not verify", ev["phrase"], cli.describe())
        self.assertIn("certificate", ev["phrase"], cli.describe())
        tried = cli.wait_for(match(gateway="skype", state="TRYING"), 1, after=0)
        self.assertLess(ev["_t"] - tried["_t"], 3.0, "not at once\n" + cli.describe())
        self.assertFalse(k.registers(result="saved"), k.describe())
        self.assert_quit_clean(cli, registered=False)

    def test_trusted_certificate_still_registers(self):
        """The check does not get in the way of a certificate that verifies."""
        k = self.start_tls_kamailio()
        tls_dir = client_tls_dir(k.certs, os.path.join(self.tmp, "tls"))
        gw = self.gateway_file(skype_gateway(k.tls_port, register_transport="tls"))
        cli = self.start_cli([gw], tls_dir=tls_dir, extra_args=["--tls-verify"])
        cli.wait_for(match(gateway="skype", state="REGED"), 20)
        time.sleep(1.0)
        self.assertNotIn("FAILED", cli.states("skype"), cli.describe())
        self.assert_quit_clean(cli)


if __name__ == "__main__":
    unittest.main()
