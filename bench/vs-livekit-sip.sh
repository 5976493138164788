#!/usr/bin/env bash
# Dialtone's gateway beside LiveKit's own SIP service in one run (needs root for ip netns):
#   bench/vs-livekit-sip.sh LIVEKIT_SIP_BINARY [setup rates, default "5,10,25"] [calls up at once, default "10,25,50"]
# LIVEKIT_SIP_BINARY is a livekit-sip built from github.com/livekit/sip (docs/benchmarks.md says how it was built
# here). Both gateways run in one network namespace against one livekit-server with Redis, take the same sipp calls
# and meet the same room participant (bench/room-agent, built here with Go); they take turns at each step.
# Prints, per gateway: CPU per call set up and INVITE-to-200 p50/p99 at each rate; CPU, RSS, loss and jitter both
# ways with N calls up; idle RSS; then a table of Dialtone / livekit-sip ratios (BENCH lines).
# GATEWAY_JAVA_OPTS replaces the gateway JVM's options (default: those of images/gateway/Dockerfile, sized for a
# pod with a 1 GiB memory limit); GATEWAY_ENV adds environment variables to its process ("NAME=value ...").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
livekit_sip=${1:?usage: bench/vs-livekit-sip.sh LIVEKIT_SIP_BINARY [rates] [counts]}
rates=${2:-5,10,25}
counts=${3:-10,25,50}
[ -x "$livekit_sip" ] || { echo "not an executable: $livekit_sip" >&2; exit 2; }
livekit_sip=$(cd "$(dirname "$livekit_sip")" && pwd)/$(basename "$livekit_sip")
"$root/scripts/install-test-tools.sh" >/dev/null
agent=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}/bin/room-agent
echo "building bench/room-agent -> $agent" >&2
(cd "$root/bench/room-agent" && PATH=/usr/local/go/bin:$PATH GOFLAGS=-buildvcs=false go build -trimpath -o "$agent" .)
cd "$root"
mvn -B -q install -DskipTests -pl api,gateway -am
props=(-Ddialtone.bench.livekitSip="$livekit_sip" -Ddialtone.bench.roomAgent="$agent"
       -Ddialtone.bench.rates="$rates" -Ddialtone.bench.counts="$counts")
[ -n "${GATEWAY_JAVA_OPTS:-}" ] && props+=(-Ddialtone.bench.gatewayJavaOpts="$GATEWAY_JAVA_OPTS")
[ -n "${GATEWAY_ENV:-}" ] && props+=(-Ddialtone.bench.gatewayEnv="$GATEWAY_ENV")
mvn -B -pl e2e verify -Dsurefire.skip=true -Dit.test=VsLiveKitSipBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  "${props[@]}" 2>&1 | grep -E 'BENCH|Tests run:|FAIL|ERROR\]' | sed 's/^.*BENCH //'
