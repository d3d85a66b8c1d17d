#!/bin/sh
# packaging.headers: each public header compiles on its own, as strict C11 and
# as C++11, with nothing but the library's own include directories (no GLib or
# Sofia-SIP include path), and no public header names a GLib or Sofia-SIP type.
# Usage: check_headers.sh CC CXX SRC_INCLUDE_DIR BUILD_INCLUDE_DIR WORK_DIR
set -u
cc=$1 cxx=$2 srcinc=$3 bininc=$4 work=$5
fail=0
rm -rf "$work" && mkdir -p "$work" || exit 1

# Public headers: the source tree's plus the generated ones (sc_version.h).
headers=$( (cd "$srcinc/skypeconnect" && ls *.h; cd "$bininc/skypeconnect" 2>/dev/null && ls *.h) | sort -u)
if [ -z "$headers" ]; then
  echo "FAIL: no public header found in $srcinc/skypeconnect"
  exit 1
fi

# Lay the headers out as `cmake --install` does (include/skypeconnect/*.h, the
# generated sc_version.h beside the others) and compile against that alone.
mkdir -p "$work/include/skypeconnect" || exit 1
for h in $headers; do
  if [ -f "$bininc/skypeconnect/$h" ]; then
    cp "$bininc/skypeconnect/$h" "$work/include/skypeconnect/"
  else
    cp "$srcinc/skypeconnect/$h" "$work/include/skypeconnect/"
  fi
done

cflags="-std=c11 -Wall -Wextra -Werror -pedantic -pedantic-errors -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef"
cxxflags="-std=c++11 -Wall -Wextra -Werror -pedantic -Wundef"
# -nostdinc would also drop libc; instead no -I but ours is given, and the
# compiler's default search path holds no GLib/Sofia headers (they live in
# /usr/include/glib-2.0 and /usr/include/sofia-sip-1.12).
incs="-I$work/include"

if [ -z "$cxx" ] || ! command -v "$cxx" >/dev/null 2>&1; then
  echo "FAIL: no C++ compiler found (install g++); the C++ check cannot run"
  fail=1
  cxx=
fi

for h in $headers; do
  base=${h%.h}
  # Twice in a row: the include guard must work.
  printf '#include <skypeconnect/%s>\n#include <skypeconnect/%s>\nint sc_hdr_check_%s(void);\nint sc_hdr_check_%s(void) { return 0; }\n' \
    "$h" "$h" "$base" "$base" >"$work/$base.c"
  if "$cc" $cflags $incs -c "$work/$base.c" -o "$work/$base.o" >"$work/$base.c.log" 2>&1; then
    echo "ok: $h compiles alone as C11"
  else
    echo "FAIL: $h does not compile alone as C11 ($cc $cflags):"
    sed 's/^/  /' "$work/$base.c.log"
    fail=1
  fi
  if [ -n "$cxx" ]; then
    cp "$work/$base.c" "$work/$base.cpp"
    if "$cxx" $cxxflags $incs -c "$work/$base.cpp" -o "$work/$base.cpp.o" >"$work/$base.cpp.log" 2>&1; then
      echo "ok: $h compiles alone as C++11"
    else
      echo "FAIL: $h does not compile alone as C++11 ($cxx $cxxflags):"
      sed 's/^/  /' "$work/$base.cpp.log"
      fail=1
    fi
  fi
done

# The umbrella header (every header, in one unit) under C99 as well: C11 is
# what the library is built with, but a consumer on -std=c99 -pedantic
# -Werror must not trip over a typedef declared twice (sc_session).
printf '#include <skypeconnect/skypeconnect.h>\nint sc_hdr_c99(void);\nint sc_hdr_c99(void) { return 0; }\n' >"$work/c99.c"
for std in c99 c11; do
  if "$cc" -std=$std -pedantic -Wall -Wextra -Werror $incs -c "$work/c99.c" -o "$work/$std.o" >"$work/$std.log" 2>&1; then
    echo "ok: skypeconnect.h compiles as -std=$std -pedantic -Werror"
  else
    echo "FAIL: skypeconnect.h does not compile as -std=$std -pedantic -Werror:"
    sed 's/^/  /' "$work/$std.log"
    fail=1
  fi
done

# C++: declarations must have C linkage (extern "C"), or a C++ program would
# look for mangled names the library does not export.
if [ -n "$cxx" ] && [ -n "$(ls "$work"/*.cpp.o 2>/dev/null)" ]; then
  umb="$work/linkage.cpp"
  printf '#include <skypeconnect/skypeconnect.h>\nextern "C" const char *(*volatile sc_probe)(void);\nconst char *(*volatile sc_probe)(void) = &sc_version;\n' >"$umb"
  if "$cxx" $cxxflags $incs -c "$umb" -o "$umb.o" >"$umb.log" 2>&1; then
    if nm "$umb.o" 2>/dev/null | grep -q ' U _Z.*sc_version'; then
      echo "FAIL: sc_version is declared with C++ linkage in C++ (missing extern \"C\")"
      fail=1
    else
      echo "ok: C++ sees the declarations with C linkage"
    fi
  else
    echo "FAIL: linkage probe does not compile:"; sed 's/^/  /' "$umb.log"; fail=1
  fi
fi

# Names of the private dependencies must not appear in the code of a public
# header (comments may mention them). Comments are removed by the
# preprocessor in -fpreprocessed mode, which expands nothing.
pattern='(\<su_|\<nua_|\<nta_|\<sip_t\>|\<sip_[a-z_]*_t\>|\<url_t\>|\<msg_t\>|GMainContext|GMainLoop|GSource|\<g(char|int|uint|boolean|pointer|size)\>|glib\.h|glib-object\.h|<sofia-sip/|\<sofia)'
for h in $headers; do
  f="$work/include/skypeconnect/$h"
  "$cc" -fpreprocessed -dD -E -P -x c "$f" >"$work/$h.nocomments" 2>/dev/null ||
    sed 's://.*$::' "$f" >"$work/$h.nocomments"
  if grep -nE "$pattern" "$work/$h.nocomments" >"$work/$h.leaks"; then
    echo "FAIL: $h names GLib/Sofia-SIP things outside comments:"
    sed 's/^/  /' "$work/$h.leaks"
    fail=1
  fi
  # Includes: only standard C headers or the library's own.
  grep -E '^[[:space:]]*#[[:space:]]*include' "$work/$h.nocomments" |
    sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//' >"$work/$h.includes"
  while read -r inc; do
    case "$inc" in
      \"sc_*.h\"|\"skypeconnect.h\"|\<skypeconnect/*.h\>) ;;
      \<stddef.h\>|\<stdint.h\>|\<stdbool.h\>|\<stdarg.h\>|\<stdio.h\>|\<time.h\>|\<limits.h\>|\<sys/types.h\>) ;;
      *) echo "FAIL: $h includes $inc (public headers include only standard C headers and their own)"
         fail=1 ;;
    esac
  done <"$work/$h.includes"
done
[ $fail -eq 0 ] && echo "ok: no public header names GLib/Sofia-SIP types or headers"

[ $fail -eq 0 ] && echo "packaging.headers: PASS" || echo "packaging.headers: FAIL"
exit $fail
