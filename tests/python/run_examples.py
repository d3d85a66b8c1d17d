"""Runs examples/python/*.py against the built-in loopback trunk and checks their output."""
import os
import subprocess
import sys

d = sys.argv[1]
runs = [
    (["register.py"], "registered"),
    (["answer.py"], "answered 1 call"),
    (["dial_out.py", "0044201234561"], "ANSWERED"),
    (["dial_out.py", "00999"], "refused (emergency)"),
]
# the IVR needs the library's own media (GStreamer)
sys.path.insert(0, os.environ.get("PYTHONPATH", "").split(os.pathsep)[0])
import skypeconnect  # noqa: E402
if skypeconnect.core.media_supported():
    runs.append((["ivr.py"], "digits 42# (rfc4733)"))
failed = 0
for argv, expect in runs:
    p = subprocess.run([sys.executable, os.path.join(d, argv[0])] + argv[1:], capture_output=True, text=True,
                       timeout=30)
    ok = p.returncode == 0 and expect in p.stdout
    print("%s %s" % ("ok  " if ok else "FAIL", " ".join(argv)))
    if not ok:
        failed += 1
        print(p.stdout, p.stderr)
sys.exit(1 if failed else 0)
