#!/bin/sh
# packaging.readme_c: the README's C example compiles and links as written
# (strict C11, every warning an error) against the built library.
# Usage: check_readme_c.sh CC README SRC_INCLUDE_DIR BUILD_INCLUDE_DIR LIBRARY WORK_DIR
set -u
cc=$1 readme=$2 srcinc=$3 bininc=$4 lib=$5 work=$6
rm -rf "$work" && mkdir -p "$work" || exit 1
# The first ```c block.
awk '/^```c$/ { if (!done) { inside = 1; next } } /^```$/ { if (inside) { inside = 0; done = 1 } } inside' \
  "$readme" >"$work/readme.c"
if [ ! -s "$work/readme.c" ]; then
  echo "FAIL: no \`\`\`c block in $readme"
  exit 1
fi
if "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -I"$srcinc" -I"$bininc" -I"$bininc/skypeconnect" -o "$work/readme" "$work/readme.c" \
    "$lib" >"$work/readme.log" 2>&1; then
  echo "packaging.readme_c: PASS ($(wc -l <"$work/readme.c") lines)"
else
  sed 's/^/  /' "$work/readme.log"
  echo "packaging.readme_c: FAIL (the README's C example, as extracted to $work/readme.c)"
  exit 1
fi
