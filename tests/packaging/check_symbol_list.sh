#!/bin/sh
# packaging.symbol_list: the shared library still exports every symbol of
# the committed list (exported_symbols.txt): the ABI may grow, never shrink.
# A new public function is added to the list in the same change.
# Usage: check_symbol_list.sh LIBRARY LIST [NM]
set -u
lib=$1 list=$2
nm=${3:-nm}; [ -n "$nm" ] || nm=nm
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$nm" -D --defined-only "$lib" |
  awk 'NF >= 2 { t = $(NF-1); n = $NF; if (t == "A") next; sub(/@.*/, "", n); print n }' |
  sort -u > "$tmp/now"
sort -u "$list" > "$tmp/want"
missing=$(comm -23 "$tmp/want" "$tmp/now")
added=$(comm -13 "$tmp/want" "$tmp/now")
if [ -n "$added" ]; then
  echo "note: exported but not in $(basename "$list") (add them):"
  echo "$added" | sed 's/^/  /'
fi
if [ -n "$missing" ]; then
  echo "FAIL: no longer exported:"
  echo "$missing" | sed 's/^/  /'
  exit 1
fi
echo "ok: all $(wc -l < "$tmp/want") listed symbols exported"
