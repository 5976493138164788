#!/usr/bin/env bash
# Fuzzes each target of the gateway's fuzz tests (gateway/src/test/.../fuzz/WireFormatFuzzTest, the SIP side, and
# .../webrtc/PeerWireFuzzTest, the media engine toward LiveKit) with Jazzer as far as its annotation sets (10 million
# executions, or 2 hours if that comes first), one after another, and prints executions, rate and findings.
#   bench/fuzz.sh [target ...]      default: every target; WireFormatFuzzTest's by name, others as Class#target
# A finding fails the run; Jazzer writes the input that found it under gateway/src/test/resources/.../
# <Class>Inputs/<target>/, where the unit tests replay it from then on (commit it with the fix).
# The corpus Jazzer grows is kept in gateway/.cifuzz-corpus/ (not committed), so later runs go on from it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sdpOffers rtpOnACallsPort sipMessages digestCredentials routingYaml
  PeerWireFuzzTest#stunOnAPeerSocket PeerWireFuzzTest#sctpOutOfDtls PeerWireFuzzTest#sdpFromLiveKit)
mvn -B -q -pl api install -DskipTests
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
status=0
for target in "${targets[@]}"; do
  log=$(mktemp)
  echo "fuzzing $target ..."
  test=$target
  [[ $target == *#* ]] || test="WireFormatFuzzTest#$target"
  if JAZZER_FUZZ=1 mvn -B -pl gateway test -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    verdict="no finding"
  else
    verdict="FINDING (see $log)"
    status=1
  fi
  # libFuzzer's last line: "Done N runs in S second(s)".
  done_line=$(grep -ho "Done [0-9]* runs in [0-9]* second(s)" "$log" gateway/target/surefire-reports/*FuzzTest*-output.txt 2>/dev/null | tail -1 || true)
  runs=$(echo "$done_line" | awk '{print $2}')
  seconds=$(echo "$done_line" | awk '{print $5}')
  if [ -n "$runs" ] && [ "${seconds:-0}" -gt 0 ]; then
    echo "$target: $runs executions in $seconds s ($((runs / seconds))/s), $verdict"
  else
    echo "$target: $verdict; executions not found in the output ($log)"
  fi
  [ $status -ne 0 ] || rm -f "$log"
done
exit $status
