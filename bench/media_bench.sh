#!/usr/bin/env bash
# Media cost: N two-way G.711 calls through the engine (media_bench), then the
# same GStreamer elements bare in one gst-launch-1.0 (per call and end:
# audiotestsrc ! mulawenc ! rtppcmupay ! udpsink, and
# udpsrc ! rtpjitterbuffer ! rtppcmudepay ! mulawdec ! fakesink), CPU taken
# from the child's rusage over the same seconds. Last, call set-up time with
# media against signalling only, through SIP between two sessions
# (bench/call_setup.py, the Python binding; CALLS of each kind).
#   bench/media_bench.sh BUILD_DIR [CALLS] [SECONDS]
set -euo pipefail
build=${1:?build dir}; calls=${2:-50}; seconds=${3:-10}
"$build/bench/media_bench" --calls "$calls" --seconds "$seconds"
python3 - "$calls" "$seconds" <<'PY'
import resource, subprocess, sys, time
calls, seconds = int(sys.argv[1]), int(sys.argv[2])
args = ["gst-launch-1.0", "-q"]
base = 42000
for i in range(2 * calls):               # both ends of every call
    port = base + 2 * i
    args += ["audiotestsrc", "is-live=true", "samplesperbuffer=160", "freq=1000", "!",
             "audio/x-raw,rate=8000,channels=1", "!", "mulawenc", "!", "rtppcmupay", "!",
             "udpsink", "host=127.0.0.1", f"port={port}", "sync=false", "async=false",
             "udpsrc", f"port={port}",
             "caps=application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0", "!",
             "rtpjitterbuffer", "latency=60", "!", "rtppcmudepay", "!", "mulawdec", "!",
             "fakesink", "sync=false", "async=false"]
p = subprocess.Popen(args)
time.sleep(1 + seconds)
p.terminate(); p.wait()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
# the bare run includes its 1 s start; scale to the measured seconds
print(f"bare_gst calls={calls} seconds={seconds} cpu_s={cpu:.2f} "
      f"cpu_ms_per_call_s={1000 * cpu / (calls * (seconds + 1)):.2f} rss_mb={ru.ru_maxrss / 1024:.1f}")
PY
SKYPECONNECT_LOG=error PYTHONPATH="$build/python" python3 "$(dirname "$0")/call_setup.py" --calls "$calls"
