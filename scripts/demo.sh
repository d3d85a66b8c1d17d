#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs `skypeconnect demo`,
# the Skype Connect setup end to end on the built-in loopback trunk.
# Extra arguments go to the demo (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target skypeconnect_cli >&2
exec ./build/cli/skypeconnect demo "$@"
