"""Throw-away certificates for TLS tests, made with the openssl command.

make_certs(dir) writes:
  ca.key, ca.crt           a test CA
  server.key, server.crt   the trunk's certificate (CN and SAN IP 127.0.0.1, DNS localhost), signed by the CA
  client.key, client.crt   a client certificate signed by the CA
  agent.pem                client certificate + key (Sofia's NUTAG_CERTIFICATE_DIR layout)
  cafile.pem               the CA certificate (Sofia verifies the server with it)
and returns a dict of those paths.
"""
import os
import shutil
import subprocess


class CertError(RuntimeError):
    pass


def _openssl(args, cwd):
    exe = shutil.which("openssl")
    if not exe:
        raise CertError("openssl is not installed")
    r = subprocess.run([exe] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if r.returncode != 0:
        raise CertError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))


def make_certs(directory, days=2):
    os.makedirs(directory, exist_ok=True)
    d = directory
    p = lambda n: os.path.join(d, n)
    with open(p("server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth,clientAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    with open(p("client.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth,serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
              "-days", str(days), "-subj", "/CN=sctest CA",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], d)
    for name, cn in (("server", "127.0.0.1"), ("client", "sctest client")):
        _openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                  "-out", name + ".csr", "-subj", "/CN=%s" % cn], d)
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                  "-CAcreateserial", "-out", name + ".crt", "-days", str(days),
                  "-extfile", name + ".ext"], d)
    with open(p("agent.pem"), "w") as out:
        for n in ("client.crt", "client.key"):
            with open(p(n)) as f:
                out.write(f.read())
    shutil.copyfile(p("ca.crt"), p("cafile.pem"))
    for n in ("ca.key", "server.key", "client.key", "agent.pem"):
        os.chmod(p(n), 0o600)
    return {n.replace(".", "_"): p(n) for n in
            ("ca.key", "ca.crt", "server.key", "server.crt", "client.key", "client.crt",
             "agent.pem", "cafile.pem")} | {"dir": d}


def client_tls_dir(certs, directory):
    """A directory holding only agent.pem and cafile.pem, for `skypeconnect run --tls-dir`."""
    os.makedirs(directory, exist_ok=True)
    shutil.copyfile(certs["agent_pem"], os.path.join(directory, "agent.pem"))
    shutil.copyfile(certs["cafile_pem"], os.path.join(directory, "cafile.pem"))
    os.chmod(os.path.join(directory, "agent.pem"), 0o600)
    return directory
