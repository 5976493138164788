#!/usr/bin/env bash
# What a bridged G.711 call's media costs in plain Java without libwebrtc (the media engine decision in
# docs/benchmarks.md):
#   bench/lean-media.sh [calls, default 50] [seconds of media, default 20]
# One thread moves every call's packets both ways through real loopback sockets (SRTP with jitsi-srtp, Opus
# decoded by Concentus straight to 8 kHz, G.711, RTP) as fast as it can, pinned to one CPU, and prints the
# process's CPU time per call and second of media (BENCH lines); compare with bench/vs-livekit-sip.sh's gateway
# CPU per bridged call.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -q install -DskipTests -pl api,gateway -am
mvn -B -q -pl gateway test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath \
  -Dmdep.includeScope=test
taskset -c 1 java -XX:+UseG1GC -cp "gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/test.classpath)" \
  io.dialtone.gateway.media.LeanMediaPathBenchmark "${1:-50}" "${2:-20}" | grep BENCH | sed 's/^BENCH //'
