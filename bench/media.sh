#!/usr/bin/env bash
# Concurrent bridged calls through one gateway, all real, in a network namespace (needs root for ip netns):
#   bench/media.sh [call counts, default "10,50,100,200"] [steady seconds, default 20] [calls per second, default 10]
#                  [room codecs, default "auto,opus": the same counts with each spec.media.roomCodec, side by side]
# GATEWAY_JARS="before=/path/a.jar after=/path/b.jar" runs the same load against each build, one after the other
# (default: this tree's gateway jar), to compare two builds in one run.
# Per count N: sipp sets up N calls playing 440 Hz PCMU, one Python LiveKit client joins every call's room and
# publishes 1 kHz, a UDP sink receives every call's audio; with all N up it prints the gateway's CPU and RSS, loss
# and jitter into the rooms and to the phones, the gateway's own per-call media figures, where the machine's CPU
# went, and mouth-to-ear latency measured by one more call beside the load (BENCH lines).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-10,50,100,200}
seconds=${2:-20}
rate=${3:-10}
codecs=${4:-auto,opus}
"$root/scripts/install-test-tools.sh" >/dev/null
cd "$root"
mvn -B -q install -DskipTests -pl api,gateway -am
for labelled in ${GATEWAY_JARS:-this=$root/gateway/target/dialtone-gateway.jar}; do
  echo "gateway ${labelled%%=*}: ${labelled#*=}"
  mvn -B -pl e2e verify -Dsurefire.skip=true -Dit.test=MediaLoadBenchmark -Ddialtone.bench.calls="$calls" \
    -Ddialtone.bench.seconds="$seconds" -Ddialtone.bench.rate="$rate" -Ddialtone.bench.roomCodecs="$codecs" \
    -Ddialtone.gateway.jar="${labelled#*=}" -Dfailsafe.failIfNoSpecifiedTests=false 2>&1 \
    | grep -E 'BENCH|Tests run:|FAIL|ERROR\]' | sed 's/^.*BENCH //'
done
