#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package that building and testing
# libskypeconnect needs. Idempotent: when everything is already installed it
# only runs dpkg-query and exits without touching apt.
#
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
#        scripts/install-deps.sh --demo     (only what building the command and
#                                            running `skypeconnect demo` needs)
#        SC_DEPS_EXTRA="pkg1 pkg2" scripts/install-deps.sh   (add packages)
set -euo pipefail

# The demo needs the toolchain and the library's dependencies; nothing else.
# Media (its step 3 plays and records audio): GStreamer's headers, and the
# elements the engine requires (rtpbin, udp, G.711, DTMF: good;
# audioconvert, audioresample, appsink, tones: base).
DEMO_PACKAGES=(
  build-essential cmake pkg-config
  libsofia-sip-ua-dev libsofia-sip-ua-glib-dev libglib2.0-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
)

PACKAGES=(
  # toolchain and build system
  build-essential g++ cmake pkg-config binutils
  # library dependencies
  libsofia-sip-ua-dev libsofia-sip-ua-glib-dev libglib2.0-dev
  # OpenSSL (Sofia's TLS library): the library's own certificate check
  libssl-dev
  # media (SC_WITH_MEDIA): GStreamer headers, and the elements used at run time:
  # rtpbin/udp/G.711/DTMF (good), srtp/dtmfdetect (bad), opus/appsrc/decodebin (base), G.722 (libav)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav gstreamer1.0-tools
  # integration tests: SIP server, SIP load generator, certificates
  kamailio kamailio-tls-modules kamailio-utils-modules sip-tester openssl
  python3 iproute2 procps
  # NAT integration tests: namespaces, MASQUERADE, conntrack flush
  iptables conntrack
  # memory checking and fuzzers
  valgrind clang
  # language bindings
  swig python3-dev python3-pip mypy liblua5.2-dev liblua5.3-dev liblua5.4-dev lua5.2 lua5.3 lua5.4
  luajit libluajit-5.1-dev
  # API reference (cmake --build build --target docs) and the man page check
  doxygen groff-base
)
case "${1:-}" in
  --demo) PACKAGES=("${DEMO_PACKAGES[@]}") ;;
  "") ;;
  *) echo "usage: install-deps.sh [--demo]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206
[ -n "${SC_DEPS_EXTRA:-}" ] && PACKAGES+=(${SC_DEPS_EXTRA})

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing: ${missing[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not running as root; using sudo" >&2
    SUDO=(sudo)
  else
    echo "install-deps: not running as root and sudo is not available;" \
         "run this script as root" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive

# Keep package maintainer scripts from starting services (kamailio would
# otherwise grab port 5060 on machines with a working init). Only when no
# policy is in place already; removed again on exit.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  added_policy=1
fi
cleanup() {
  if [ "$added_policy" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

echo "install-deps: done"
