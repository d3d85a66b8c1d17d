#!/bin/sh
# The layering check: lib/ is built as one object library per folder, and a
# folder may use only the folders below it (lib/CMakeLists.txt lists them).
# This fails when an object file needs a symbol that only a folder it may not
# use defines (a call up the stack, or into the loopback trunk), and when the
# object files of lib/ call each other in a loop.
#
#   check_layers.sh NM @FOLDER=BELOW,BELOW OBJ... @FOLDER=... OBJ...
set -eu
nm_tool=$1; shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

layer=""
: > "$work/allowed"
: > "$work/syms"
for arg in "$@"; do
  case $arg in
    @*)
      spec=${arg#@}
      layer=${spec%%=*}
      below=${spec#*=}
      echo "$layer $layer" >> "$work/allowed"
      for b in $(echo "$below" | tr ',' ' '); do echo "$layer $b" >> "$work/allowed"; done
      ;;
    *)
      [ -n "$layer" ] || { echo "check_layers.sh: object $arg before any @FOLDER" >&2; exit 2; }
      file=$(basename "$arg" .o)
      file=${file%.c}
      # POSIX format: NAME TYPE [VALUE SIZE]; U is undefined, w/v weak.
      "$nm_tool" -P -g "$arg" | awk -v l="$layer" -v f="$file" \
        '$2 != "w" && $2 != "v" { print ($2 == "U" ? "need" : "def"), $1, l, l "/" f }' >> "$work/syms"
      ;;
  esac
done

awk '
  FILENAME == ARGV[1] { ok[$1 " " $2] = 1; next }
  $1 == "def" { where[$2] = $3; file[$2] = $4; next }
  $1 == "need" { n++; sym[n] = $2; layer[n] = $3; user[n] = $4 }
  END {
    bad = 0
    for (i = 1; i <= n; i++) {
      s = sym[i]
      if (!(s in where)) continue              # GLib, Sofia-SIP, libc
      if (file[s] != user[i]) print user[i], file[s] > "'"$work/edges"'"
      if (!((layer[i] " " where[s]) in ok)) {
        printf "layering: %s needs %s from %s, but %s/ may not use %s/\n", user[i], s, file[s], layer[i], where[s]
        bad = 1
      }
    }
    exit bad
  }' "$work/allowed" "$work/syms" || status=1

# A loop between files, even inside one folder, means neither can be read
# (or changed) without the other: tsort names it.
sort -u "$work/edges" > "$work/pairs"
if ! tsort "$work/pairs" > /dev/null 2> "$work/loops"; then
  echo "layering: files of lib/ call each other in a loop:"
  grep -v "input contains a loop" "$work/loops" | sed 's/^tsort: /  /'
  status=1
fi

if [ "${status:-0}" = 0 ]; then
  echo "layering: $(sort -u "$work/pairs" | wc -l) file-to-file uses, all pointing down, no loop"
fi
exit "${status:-0}"
