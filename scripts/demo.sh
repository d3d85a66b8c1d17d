#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs `skypeconnect demo`,
# the Skype Connect setup end to end on the built-in loopback trunk.
# Extra arguments go to the demo (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --demo >&2
# The command alone: no bindings, tests or benchmarks (their tools are not
# installed), in a build folder of its own so that build/ keeps its options.
# Media on, said outright: the default follows GStreamer being found, and a
# build-demo configured before install-deps.sh had it would keep OFF cached.
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSC_BUILD_TESTS=OFF -DSC_BUILD_PYTHON=OFF \
      -DSC_BUILD_LUA=OFF -DSC_BUILD_BENCH=OFF -DSC_WITH_MEDIA=ON >/dev/null
cmake --build build-demo -j"$(nproc)" --target skypeconnect_cli >&2
exec ./build-demo/cli/skypeconnect demo "$@"
