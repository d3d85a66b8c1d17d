#!/bin/sh
# packaging.policy_symbols: every symbol the policy library exports is
# exported by the main library too (the same functions, one API), and the
# policy library exports sc_policy_load.
# Usage: check_symbol_subset.sh SUBSET_LIBRARY LIBRARY [NM]
set -u
sub=$1 lib=$2
nm=${3:-nm}; [ -n "$nm" ] || nm=nm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
exports() {
  "$nm" -D --defined-only "$1" |
    awk 'NF >= 2 { t = $(NF-1); n = $NF; if (t == "A") next; sub(/@.*/, "", n); print n }' | sort -u
}
exports "$sub" > "$tmp/sub" && exports "$lib" > "$tmp/lib" || exit 1
extra=$(comm -23 "$tmp/sub" "$tmp/lib")
fail=0
if [ -n "$extra" ]; then
  echo "FAIL: exported by $(basename "$sub") but not by $(basename "$lib"):"
  echo "$extra" | sed 's/^/  /'
  fail=1
fi
grep -qx sc_policy_load "$tmp/sub" || { echo "FAIL: $(basename "$sub") does not export sc_policy_load"; fail=1; }
[ $fail -eq 0 ] && echo "ok: all $(wc -l < "$tmp/sub") symbols of $(basename "$sub") are exported by $(basename "$lib")"
exit $fail
