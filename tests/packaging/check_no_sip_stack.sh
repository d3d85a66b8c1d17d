#!/bin/sh
# packaging.policy_no_sofia: the policy library and each policy-only Lua
# module need no SIP stack: no NEEDED entry (readelf -d) names Sofia-SIP,
# OpenSSL (ssl, crypto) or GStreamer, and neither does any library they load
# (ldd, where it exists). FreeSWITCH loads its own Sofia-SIP under the same
# soname as Debian's; these files must not pull either in.
# Usage: check_no_sip_stack.sh READELF FILE...
set -u
readelf=${1:-readelf}; [ -n "$readelf" ] || readelf=readelf
shift
bad='sofia|ssl|crypto|gst'
fail=0
[ $# -gt 0 ] || { echo "FAIL: no file to check"; exit 1; }
for f in "$@"; do
  if [ ! -f "$f" ]; then
    echo "FAIL: $f does not exist"; fail=1; continue
  fi
  needed=$("$readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
  echo "$f: NEEDED $(echo $needed)"
  hits=$(echo "$needed" | grep -Ei "$bad")
  if [ -n "$hits" ]; then
    echo "FAIL: $f needs $(echo $hits)"; fail=1
  fi
  if command -v ldd >/dev/null 2>&1; then
    hits=$(ldd "$f" | awk '{ print $1 }' | grep -Ei "$bad")
    if [ -n "$hits" ]; then
      echo "FAIL: $f loads $(echo $hits) (ldd)"; fail=1
    fi
  fi
done
[ $fail -eq 0 ] && echo "packaging.policy_no_sofia: PASS" || echo "packaging.policy_no_sofia: FAIL"
exit $fail
