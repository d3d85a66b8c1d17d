#!/bin/sh
# packaging.exported_symbols: every dynamic symbol the shared library defines
# is an sc_* function or variable declared in a public header, and the SONAME
# is the expected one.
# Usage: check_symbols.sh LIBRARY EXPECTED_SONAME PUBLIC_HEADER_DIR [NM] [READELF]
set -u
lib=$1 soname_want=$2 hdrdir=$3
nm=${4:-nm}; [ -n "$nm" ] || nm=nm
readelf=${5:-readelf}; [ -n "$readelf" ] || readelf=readelf
fail=0

if [ ! -f "$lib" ]; then
  echo "FAIL: $lib does not exist (build the 'skypeconnect' target first)"
  exit 1
fi
echo "library: $lib"

# --- SONAME -------------------------------------------------------------------
soname=$("$readelf" -d "$lib" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ -z "$soname" ] && command -v objdump >/dev/null 2>&1; then
  soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
fi
if [ "$soname" != "$soname_want" ]; then
  echo "FAIL: SONAME is '${soname}', expected '${soname_want}'"
  fail=1
else
  echo "ok: SONAME $soname"
fi

# --- exported symbols ---------------------------------------------------------
# nm -D prints "ADDR TYPE NAME[@@VERSION]". Absolute symbols (type A) are the
# version nodes of the version script (SC_0), not code or data.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! "$nm" -D --defined-only "$lib" >"$tmp/nm.out" 2>"$tmp/nm.err"; then
  echo "FAIL: $nm -D --defined-only failed:"; cat "$tmp/nm.err"
  exit 1
fi
awk 'NF >= 2 { t = $(NF-1); n = $NF; if (t == "A") next; sub(/@.*/, "", n); print n }' \
  "$tmp/nm.out" | sort -u >"$tmp/exported"
count=$(wc -l <"$tmp/exported")
if [ "$count" -eq 0 ]; then
  echo "FAIL: the library exports no symbol at all"
  fail=1
fi

grep -v '^sc_' "$tmp/exported" >"$tmp/bad_prefix"
if [ -s "$tmp/bad_prefix" ]; then
  echo "FAIL: exported symbols without the sc_ prefix:"
  sed 's/^/  /' "$tmp/bad_prefix"
  fail=1
else
  echo "ok: all $count exported symbols start with sc_"
fi

# Functions the public headers declare with SC_API.
cat "$hdrdir"/*.h | tr '\n' ' ' | tr ';' '\n' |
  sed -n 's/.*SC_API[^(]*[^A-Za-z0-9_]\(sc_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' |
  sort -u >"$tmp/declared"

# Exported but not in any public header: internal code leaking out.
comm -23 "$tmp/exported" "$tmp/declared" | grep '^sc_' >"$tmp/undeclared"
if [ -s "$tmp/undeclared" ]; then
  echo "FAIL: exported sc_ symbols that no public header declares (make them static,"
  echo "      or drop SC_API from their definition):"
  sed 's/^/  /' "$tmp/undeclared"
  fail=1
else
  echo "ok: every exported symbol is declared in include/skypeconnect/"
fi

# Declared but not (yet) exported: a consumer calling them would not link.
comm -13 "$tmp/exported" "$tmp/declared" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
  echo "warning: $(wc -l <"$tmp/missing") declared function(s) not exported by the library (not implemented yet?):"
  sed 's/^/  /' "$tmp/missing"
fi

for s in sc_version sc_strerror; do
  if ! grep -qx "$s" "$tmp/exported"; then
    echo "FAIL: $s is not exported"
    fail=1
  fi
done

[ $fail -eq 0 ] && echo "packaging.exported_symbols: PASS" || echo "packaging.exported_symbols: FAIL"
exit $fail
