#!/usr/bin/env bash
# Builds libskypeconnect and runs every test: the README's test command.
#
# 1. installs the Debian packages the build and tests need (scripts/install-deps.sh);
# 2. builds with -Werror into build/ and runs the whole ctest suite
#    (unit, packaging, and integration tests against Kamailio and SIPp);
# 3. builds again with AddressSanitizer and UndefinedBehaviorSanitizer into
#    build-asan/ and runs the whole C suite once more under them (unit,
#    integration with the instrumented command, packaging, mod_lua host);
# 4. builds the libFuzzer targets with clang and runs each for a short while.
#
# SC_SKIP_ASAN=1 skips step 3; SC_JOBS sets parallelism (default: cores).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=${SC_JOBS:-$(nproc)}

run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DSC_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900)
}

echo "== build and test (build/)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo

if [ "${SC_SKIP_ASAN:-0}" != 1 ]; then
  echo "== build and test under ASan+UBSan (build-asan/)"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # The Python and Lua bindings are left out here: an ASan-built module
  # cannot load into interpreters built without ASan. They run in step 2.
  # SC_SANITIZED tells tests that RSS figures include ASan's quarantine.
  export SC_SANITIZED=1
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSC_SANITIZE=ON \
    -DSC_BUILD_PYTHON=OFF -DSC_BUILD_LUA=OFF -DSC_BUILD_BENCH=OFF
fi
echo "== fuzz smoke runs (libFuzzer, clang: gateway XML, dial rules, dialplan)"
CC=clang cmake -S . -B build-fuzz -DSC_FUZZ=ON -DSC_BUILD_PYTHON=OFF -DSC_BUILD_LUA=OFF \
  -DSC_BUILD_BENCH=OFF -DSC_FUZZ_SECONDS="${SC_FUZZ_SECONDS:-20}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_gateway fuzz_dialrule fuzz_dialplan
(cd build-fuzz && ctest -L fuzz --output-on-failure)

echo "== all tests passed"
