#!/usr/bin/env bash
# Native memory over many sequential bridged calls (needs root for ip netns):
#   bench/media-soak.sh [calls, default 2000] [calls per sample, default 250]
# sipp makes short calls one at a time through a gateway with a fixed, pre-touched heap, each joining a real
# livekit-server room and bridging audio both ways; RSS, threads and descriptors are printed after every batch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-2000}
batch=${2:-250}
"$root/scripts/install-test-tools.sh" >/dev/null
cd "$root"
mvn -B -q install -DskipTests -pl api,gateway -am
mvn -B -pl e2e verify -Dsurefire.skip=true -Dit.test=MediaSoakBenchmark -Ddialtone.bench.calls="$calls" \
  -Ddialtone.bench.batch="$batch" -Dfailsafe.failIfNoSpecifiedTests=false 2>&1 \
  | grep -E 'BENCH|Tests run:|FAIL|ERROR\]' | sed 's/^.*BENCH //'
