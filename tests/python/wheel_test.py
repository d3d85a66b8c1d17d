"""The pip package (pyproject.toml): builds a wheel of the source tree with
pip, installs it into a fresh directory, and runs a smoke test against the
built-in loopback trunk from there, with nothing of the build tree on the
path.

    wheel_test.py SOURCE_DIR WORK_DIR

WORK_DIR/build is kept between runs (an incremental CMake build)."""
import glob
import os
import shutil
import subprocess
import sys
import textwrap

SMOKE = textwrap.dedent("""
    import os, sys
    import skypeconnect as sc
    site = os.path.realpath(sys.argv[1])
    assert os.path.realpath(sc.__file__).startswith(site), sc.__file__
    assert os.path.isfile(os.path.join(os.path.dirname(sc.__file__), "py.typed"))
    with sc.Trunk() as t, sc.Session() as s:
        s.add_gateway("trunk", proxy=t.address, username="user", password="secret")
        s.start()
        ev = s.wait_state("trunk", sc.RegState.REGED, timeout=10)
        assert ev.state == sc.RegState.REGED
    try:
        sc.Config("/nonexistent/file.xml")
    except OSError:
        pass
    print("wheel smoke test: skypeconnect", sc.__version__, "from", os.path.dirname(sc.__file__))
""")


def main() -> int:
    src, work = (os.path.abspath(a) for a in sys.argv[1:3])
    dist, site = os.path.join(work, "dist"), os.path.join(work, "site")
    os.makedirs(work, exist_ok=True)
    for d in (dist, site):
        shutil.rmtree(d, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "-w", dist,
                    "--config-settings", "build-dir=" + os.path.join(work, "build"), src],
                   check=True, env=env, cwd=work)
    wheels = glob.glob(os.path.join(dist, "skypeconnect-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
                    "--target", site, wheels[0]], check=True, env=env, cwd=work)
    env["PYTHONPATH"] = site
    subprocess.run([sys.executable, "-c", SMOKE, site], check=True, env=env, cwd=work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
