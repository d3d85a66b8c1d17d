"""PEP 517 build backend of the skypeconnect Python package (pyproject.toml).

``pip install .`` (or ``pip wheel .``) runs CMake on the source tree, builds
the extension (target sc_python) and with it libskypeconnect, and packs both
into one wheel: the library sits next to the extension, which finds it
through its RUNPATH ``$ORIGIN`` (CMake option SC_PYTHON_WHEEL). It needs no
Python package beyond the standard library, so it builds offline, with or
without build isolation; the system needs what the CMake build needs
(cmake, swig, a C compiler, Sofia-SIP, GLib, the Python headers).

Config settings (``pip ... --config-settings KEY=VALUE``):
  build-dir    CMake build directory to use and keep (default: a temporary one)
  cmake-args   extra CMake arguments, separated by spaces
Environment: CMAKE_BUILD_PARALLEL_LEVEL (default 2) sets the build jobs.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

__all__ = ["build_wheel", "get_requires_for_build_wheel", "build_sdist", "get_requires_for_build_sdist"]

_NAME = "skypeconnect"
_SUMMARY = "Connect an application to a SIP trunk the way FreeSWITCH's Skype Connect gateway does"


def _source_dir() -> str:
    return os.path.abspath(os.getcwd())


def _version(src: str) -> str:
    with open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*skypeconnect\s+VERSION\s+([0-9.]+)", f.read())
    if not m:
        raise RuntimeError("skypeconnect: no project(... VERSION x.y.z) in CMakeLists.txt")
    return m.group(1)


def _tag() -> str:
    impl = "cp%d%d" % sys.version_info[:2]
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "%s-%s-%s" % (impl, impl, plat)


def _run(cmd: list, **kw) -> None:
    print("skypeconnect build:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def _needed(path: str) -> list:
    """The DT_NEEDED entries of an ELF file (readelf, from binutils)."""
    out = subprocess.run(["readelf", "-d", path], check=True, capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _build(src: str, bdir: str, extra: list) -> str:
    """Configures and builds; returns the directory of the built package."""
    _run(["cmake", "-S", src, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release",
          "-DSC_BUILD_TESTS=OFF", "-DSC_BUILD_LUA=OFF", "-DSC_BUILD_BENCH=OFF", "-DSC_BUILD_PYTHON=ON",
          "-DSC_PYTHON_WHEEL=ON", "-DPython3_EXECUTABLE=" + sys.executable] + extra)
    env = dict(os.environ)
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    _run(["cmake", "--build", bdir, "--target", "sc_python"], env=env)
    pkg = os.path.join(bdir, "python", _NAME)
    if not os.path.isfile(os.path.join(pkg, "core.py")):
        raise RuntimeError("skypeconnect: the build made no Python package in " + pkg)
    return pkg


def _files(pkg: str, bdir: str) -> dict:
    """{path in the wheel: file on disk}: the package, and every shared
    library of the build tree that the extension needs (transitively)."""
    files = {}
    for name in sorted(os.listdir(pkg)):
        full = os.path.join(pkg, name)
        if os.path.isfile(full) and not name.endswith(".pyc"):
            files[_NAME + "/" + name] = full
    built = {}
    for root, _dirs, names in os.walk(bdir):
        for name in names:
            if ".so" in name and not root.startswith(pkg):
                built.setdefault(name, os.path.join(root, name))
    todo = [f for f in files.values() if f.endswith(".so")]
    while todo:
        for lib in _needed(todo.pop()):
            if lib in built and _NAME + "/" + lib not in files:
                files[_NAME + "/" + lib] = os.path.realpath(built[lib])
                todo.append(built[lib])
    return files


def _metadata(version: str) -> str:
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: >=3.8\n"
            "License: see the source repository\n" % (_NAME, version, _SUMMARY))


def _record_line(arc: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arc, digest, len(data))


def get_requires_for_build_wheel(config_settings=None) -> list:
    return []


def get_requires_for_build_sdist(config_settings=None) -> list:
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    settings = config_settings or {}
    src = _source_dir()
    version = _version(src)
    keep = settings.get("build-dir")
    bdir = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="skypeconnect-wheel-")
    try:
        pkg = _build(src, bdir, str(settings.get("cmake-args", "")).split())
        files = _files(pkg, bdir)
        dist_info = "%s-%s.dist-info" % (_NAME, version)
        meta = {
            dist_info + "/METADATA": _metadata(version).encode(),
            dist_info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: skypeconnect build_backend\n"
                                   "Root-Is-Purelib: false\nTag: %s\n" % _tag()).encode(),
            dist_info + "/top_level.txt": (_NAME + "\n").encode(),
        }
        wheel_name = "%s-%s-%s.whl" % (_NAME, version, _tag())
        os.makedirs(wheel_directory, exist_ok=True)
        record = []
        with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
            for arc, path in sorted(files.items()):
                with open(path, "rb") as f:
                    data = f.read()
                info = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if arc.endswith(".so") or ".so." in arc else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
                record.append(_record_line(arc, data))
            for arc, data in meta.items():
                z.writestr(arc, data)
                record.append(_record_line(arc, data))
            record.append(dist_info + "/RECORD,,")
            z.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
        return wheel_name
    finally:
        if not keep:
            shutil.rmtree(bdir, ignore_errors=True)


def build_sdist(sdist_directory, config_settings=None) -> str:
    """The tracked source files (git ls-files) as NAME-VERSION.tar.gz."""
    import tarfile
    src = _source_dir()
    version = _version(src)
    names = subprocess.run(["git", "ls-files", "-z"], cwd=src, check=True, capture_output=True).stdout
    base = "%s-%s" % (_NAME, version)
    out = base + ".tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(os.path.join(sdist_directory, out), "w:gz") as tar:
        for name in filter(None, names.decode().split("\0")):
            tar.add(os.path.join(src, name), arcname=base + "/" + name, recursive=False)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = _metadata(version).encode()
        info.size = len(data)
        import io
        tar.addfile(info, io.BytesIO(data))
    return out
