#!/bin/sh
# packaging.install: install the build tree to a staging prefix, then build
# and run a consumer program against the staged install, once through
# pkg-config and once through find_package(skypeconnect).
# Usage: check_install.sh CMAKE BUILD_DIR WORK_DIR CONSUMER_SRC_DIR CC [PKG_CONFIG] [GENERATOR] [EXTRA_FLAGS]
#   EXTRA_FLAGS: compiler and linker flags for the consumer (e.g. -fsanitize=...)
set -u
cmake=$1 build=$2 work=$3 consumer=$4 cc=$5
pkgconfig=${6:-pkg-config}; [ -n "$pkgconfig" ] || pkgconfig=pkg-config
generator=${7:-}
xflags=${8:-}
stage=$work/stage
fail=0

step() { echo; echo "== $*"; }
die() { echo "FAIL: $*"; echo "packaging.install: FAIL"; exit 1; }

rm -rf "$work" && mkdir -p "$work" || die "cannot create $work"

# --- install --------------------------------------------------------------------
step "cmake --install $build --prefix $stage"
"$cmake" --install "$build" --prefix "$stage" >"$work/install.log" 2>&1 || {
  cat "$work/install.log"; die "cmake --install failed"; }
cat "$work/install.log"

# Every file must land inside the prefix (an absolute DESTINATION would
# write into the system instead).
if [ -f "$build/install_manifest.txt" ]; then
  outside=$(grep -v "^$stage/" "$build/install_manifest.txt" || true)
  if [ -n "$outside" ]; then
    echo "FAIL: files installed outside the --prefix (absolute install destinations):"
    echo "$outside" | sed 's/^/  /'
    fail=1
  fi
fi

pc=$(find "$stage" -name skypeconnect.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || die "no skypeconnect.pc installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
cfgdir=$(find "$stage" -name skypeconnectConfig.cmake | head -n 1)
[ -n "$cfgdir" ] || die "no skypeconnectConfig.cmake installed"
for f in "$stage/include/skypeconnect/skypeconnect.h" "$stage/include/skypeconnect/sc_version.h"; do
  [ -f "$f" ] || die "$f not installed"
done
ls "$libdir"/libskypeconnect.so* >/dev/null 2>&1 || die "libskypeconnect.so not installed in $libdir"
[ -L "$libdir/libskypeconnect.so" ] || { echo "FAIL: $libdir/libskypeconnect.so (dev symlink) missing"; fail=1; }
[ -e "$libdir/libskypeconnect.so.0" ] || { echo "FAIL: $libdir/libskypeconnect.so.0 (SONAME link) missing"; fail=1; }
# The policy library, and the policy-only Lua modules finding it through
# their RUNPATH ($ORIGIN/../../) with no Sofia-SIP anywhere (FreeSWITCH).
[ -e "$libdir/libskypeconnect-policy.so.0" ] || { echo "FAIL: $libdir/libskypeconnect-policy.so.0 missing"; fail=1; }
policy_libs=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" "$pkgconfig" --libs skypeconnect-policy 2>&1)
case "$policy_libs" in
  *"-lskypeconnect-policy"*) echo "pkg-config --libs skypeconnect-policy: $policy_libs" ;;
  *) echo "FAIL: pkg-config --libs skypeconnect-policy: $policy_libs"; fail=1 ;;
esac
for m in "$libdir"/lua/*/skypeconnect_policy.so; do
  [ -f "$m" ] || continue
  command -v ldd >/dev/null 2>&1 || break
  deps=$(env -u LD_LIBRARY_PATH ldd "$m")
  echo "$deps" | grep -q "libskypeconnect-policy.so.0 => $stage/" ||
    { echo "FAIL: $m does not resolve libskypeconnect-policy.so.0 inside the prefix:"; echo "$deps"; fail=1; }
  if echo "$deps" | grep -qi sofia; then echo "FAIL: $m loads Sofia-SIP:"; echo "$deps"; fail=1; fi
  echo "ok: $m"
done
echo "installed .pc: $pc"; sed 's/^/  /' "$pc"

# --- the installed command ------------------------------------------------------
# bin/skypeconnect finds the library through its RUNPATH $ORIGIN/../LIBDIR, with
# no LD_LIBRARY_PATH, and still does once the whole prefix is moved elsewhere.
step "installed bin/skypeconnect starts (and after moving the prefix)"
exe_cli="$stage/bin/skypeconnect"
if [ ! -x "$exe_cli" ]; then
  echo "FAIL: $exe_cli not installed"; fail=1
else
  moved=$work/moved
  rm -rf "$moved" && cp -a "$stage" "$moved" || die "cannot copy the prefix"
  for p in "$stage" "$moved"; do
    out=$(env -u LD_LIBRARY_PATH "$p/bin/skypeconnect" --version 2>&1)
    rc=$?
    echo "$p/bin/skypeconnect --version: $out"
    case "$rc:$out" in
      "0:skypeconnect "[0-9]*) ;;
      *) echo "FAIL: the installed command does not start from $p (exit $rc)"; fail=1 ;;
    esac
    if command -v ldd >/dev/null 2>&1; then
      lib=$(env -u LD_LIBRARY_PATH ldd "$p/bin/skypeconnect" | grep 'libskypeconnect.so.0')
      case "$lib" in
        *"=> $p/"*) ;;
        *) echo "FAIL: $p/bin/skypeconnect resolves libskypeconnect elsewhere: $lib"; fail=1 ;;
      esac
    fi
    out=$(env -u LD_LIBRARY_PATH "$p/bin/skypeconnect" run --help 2>&1) ||
      { echo "FAIL: $p/bin/skypeconnect run --help exited $?"; fail=1; }
  done
  rm -rf "$moved"
fi

# --- pkg-config -----------------------------------------------------------------
step "consumer via pkg-config"
# PKG_CONFIG_LIBDIR replaces the default search path: the staged .pc must work
# without the system's sofia-sip / glib .pc files.
flags=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" "$pkgconfig" --cflags --libs skypeconnect 2>"$work/pkgconfig.err")
if [ $? -ne 0 ]; then
  cat "$work/pkgconfig.err"
  echo "FAIL: pkg-config --cflags --libs skypeconnect failed on the staged install"
  fail=1
else
  echo "pkg-config --cflags --libs skypeconnect: $flags"
  case "$flags" in
    *"$stage"*) ;;
    *) echo "FAIL: pkg-config flags do not point into the staged prefix $stage"; fail=1 ;;
  esac
  case "$flags" in
    *glib*|*sofia*) echo "FAIL: pkg-config flags carry GLib/Sofia-SIP: $flags"; fail=1 ;;
  esac
  modver=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" "$pkgconfig" --modversion skypeconnect)
  echo "pkg-config --modversion: $modver"
  # shellcheck disable=SC2086
  if "$cc" -std=c11 -Wall -Wextra -Werror $xflags -o "$work/consumer-pc" "$consumer/consumer.c" $flags \
      >"$work/consumer-pc.log" 2>&1; then
    out=$(LD_LIBRARY_PATH="$libdir" "$work/consumer-pc" 2>&1)
    rc=$?
    echo "$out"
    if [ $rc -ne 0 ] || [ "$(echo "$out" | tail -n 1)" != "OK" ]; then
      echo "FAIL: pkg-config consumer exited $rc"
      fail=1
    fi
    # It must have run against the staged library, not some other copy.
    if command -v ldd >/dev/null 2>&1; then
      LD_LIBRARY_PATH="$libdir" ldd "$work/consumer-pc" | grep -q "$libdir/libskypeconnect.so.0" || {
        echo "FAIL: pkg-config consumer did not resolve libskypeconnect from $libdir:"
        LD_LIBRARY_PATH="$libdir" ldd "$work/consumer-pc" | sed 's/^/  /'
        fail=1; }
    fi
  else
    cat "$work/consumer-pc.log"
    echo "FAIL: pkg-config consumer does not build"
    fail=1
  fi
fi

# --- find_package ---------------------------------------------------------------
step "consumer via find_package(skypeconnect)"
set -- -S "$consumer" -B "$work/consumer-cmake" -DCMAKE_PREFIX_PATH="$stage" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
[ -n "$generator" ] && set -- "$@" -G "$generator"
[ -n "$xflags" ] && set -- "$@" -DCMAKE_C_FLAGS="$xflags" -DCMAKE_EXE_LINKER_FLAGS="$xflags"
if "$cmake" "$@" >"$work/consumer-cmake.log" 2>&1 &&
   "$cmake" --build "$work/consumer-cmake" >>"$work/consumer-cmake.log" 2>&1; then
  grep -i 'skypeconnect' "$work/consumer-cmake.log" | grep -v '^\[' | head -n 3
  exe="$work/consumer-cmake/consumer"
  out=$(LD_LIBRARY_PATH="$libdir" "$exe" 2>&1)
  rc=$?
  echo "$out"
  if [ $rc -ne 0 ] || [ "$(echo "$out" | tail -n 1)" != "OK" ]; then
    echo "FAIL: find_package consumer exited $rc"
    fail=1
  fi
  grep -q "skypeconnect_DIR:PATH=$stage/" "$work/consumer-cmake/CMakeCache.txt" || {
    echo "FAIL: find_package did not pick the staged package:"
    grep skypeconnect_DIR "$work/consumer-cmake/CMakeCache.txt" | sed 's/^/  /'
    fail=1; }
else
  cat "$work/consumer-cmake.log"
  echo "FAIL: find_package consumer does not configure or build"
  fail=1
fi

echo
[ $fail -eq 0 ] && echo "packaging.install: PASS" || echo "packaging.install: FAIL"
exit $fail
