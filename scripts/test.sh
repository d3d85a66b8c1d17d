#!/usr/bin/env bash
# Builds libskypeconnect and runs every test: the README's test command.
#
# 1. installs the Debian packages the build and tests need (scripts/install-deps.sh);
# 2. builds with -Werror into build/ and runs unit, packaging, binding
#    (Python, Lua, mod_lua emulation) and benchmark-smoke tests, and the
#    command under valgrind memcheck against Kamailio and SIPp;
# 3. builds with AddressSanitizer and UndefinedBehaviorSanitizer into
#    build-asan/ and runs the unit and integration tests (Kamailio, SIPp,
#    hostile SIP, faults, soak) under them;
# 4. builds the libFuzzer targets with clang and runs each for a short while.
#
# SC_SKIP_ASAN=1 skips step 3; SC_JOBS sets parallelism (default: cores).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=${SC_JOBS:-$(nproc)}

# The suite runs in full once: the integration tests (the command against
# Kamailio and SIPp) run under ASan+UBSan in step 3; step 2 runs everything
# else in the plain build: unit tests, packaging, the Python and Lua bindings
# (which cannot load an ASan-built module into plain interpreters), the
# benchmark smoke run, the integration test that runs the plain command
# under valgrind memcheck, and the call soak, whose memory bound means
# something only without ASan's quarantine.
echo "== build and test (build/): unit, packaging, bindings, valgrind"
cmake -S . -B build -DSC_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs" --timeout 900 -E '^integration\.' &&
             ctest --output-on-failure -j"$jobs" --timeout 900 -R '^integration\.(test_valgrind|test_calls_soak)$')

if [ "${SC_SKIP_ASAN:-0}" != 1 ]; then
  echo "== build and test under ASan+UBSan (build-asan/): unit and integration"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # SC_SANITIZED tells tests that RSS figures include ASan's quarantine.
  export SC_SANITIZED=1
  cmake -S . -B build-asan -DSC_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DSC_SANITIZE=ON \
    -DSC_BUILD_PYTHON=OFF -DSC_BUILD_LUA=OFF -DSC_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 900 -L 'unit|integration')
else
  echo "== integration tests without sanitizers (SC_SKIP_ASAN=1)"
  (cd build && ctest --output-on-failure -j"$jobs" --timeout 900 -R '^integration\.')
fi

echo "== fuzz smoke runs (libFuzzer, clang: gateway XML, dial rules, dialplan, number path, stdin reader)"
CC=clang cmake -S . -B build-fuzz -DSC_FUZZ=ON -DSC_BUILD_PYTHON=OFF -DSC_BUILD_LUA=OFF \
  -DSC_BUILD_BENCH=OFF -DSC_FUZZ_SECONDS="${SC_FUZZ_SECONDS:-20}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_gateway fuzz_dialrule fuzz_dialplan fuzz_numberpath fuzz_cli_lines
(cd build-fuzz && ctest -L fuzz --output-on-failure)

echo "== all tests passed"
