#!/usr/bin/env bash
# Call setup under sipp load against the standalone gateway and a real livekit-server --dev, all on 127.0.0.1.
#   bench/sip-load.sh [calls per rate, default 500] [rates of accepted calls, default "20 50 100"] [rejection rates, default "200 500 1000"]
# Accepted calls: INVITE -> 200 (a new room per call, created through LiveKit's API) -> ACK -> 1 s -> BYE.
# Rejections: INVITE to a number no rule takes -> 404 -> ACK.
# Prints, per rate, calls attempted, failed, INVITE-to-final-response latency p50/p99, and the gateway's CPU time per
# call (user + system, from /proc). GATEWAY_JARS="before=/path/a.jar after=/path/b.jar" runs the same load against
# each build in turn, against the same livekit-server (default: this tree's gateway jar).
# FLOOD="5000 10000 60" adds a flood: new INVITEs at 5,000/s from 10,000 loopback addresses no trunk admits
# (bench/sip-flood.py) for 60 s, while sipp places 10 accepted calls a second from the trunk's address; prints
# the calls' failures and setup latency, answers sent to the flood (there must be none), and the gateway's memory
# (RSS, and heap after a full GC) before and after.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${1:-500}
rates=${2-"20 50 100"}
reject_rates=${3-"200 500 1000"}
tools=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
[ -x "$tools/bin/livekit-server" ] || "$root/scripts/install-test-tools.sh"
(cd "$root" && mvn -B -q -pl gateway -am package -DskipTests)

work=$(mktemp -d)
cleanup() { kill "${gw:-}" "${lk:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
cat >"$work/livekit.yaml" <<YAML
port: 17890
bind_addresses: ["127.0.0.1"]
rtc: {tcp_port: 17891, port_range_start: 52000, port_range_end: 52100, use_external_ip: false, node_ip: 127.0.0.1}
YAML
cat >"$work/gateway.yaml" <<YAML
apiVersion: dialtone.io/v1alpha1
kind: SipGateway
metadata: {name: bench}
spec:
  livekit: {url: "http://127.0.0.1:17890", apiKey: devkey, apiSecret: secret}
  sip: {port: 15560}
  media: {rtpPortRange: {min: 34000, max: 39998}, bridgeAudio: false}
---
apiVersion: dialtone.io/v1alpha1
kind: SipTrunk
metadata: {name: carrier}
spec: {numbers: ["+15550199", "+15550404"], allowedAddresses: [127.0.0.1]}
---
apiVersion: dialtone.io/v1alpha1
kind: DispatchRule
metadata: {name: per-caller}
spec:
  numbers: ["+15550199"]
  individual: {roomPrefix: bench}
  room: {emptyTimeout: 10s}
YAML
"$tools/bin/livekit-server" --dev --config "$work/livekit.yaml" >"$work/livekit.log" 2>&1 &
lk=$!
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); sipp, gateway and livekit-server share it"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$gw/stat"; }
run() { # name rate scenario-args...
  local name=$1 rate=$2; shift 2
  local dir="$work/$label/$name-$rate"; mkdir -p "$dir"
  local before; before=$(cpu_ticks)
  (cd "$dir" && sipp 127.0.0.1:15560 "$@" -i 127.0.0.1 -r "$rate" -m "$calls" -l $((rate * 3)) \
     -timeout $((calls / rate + 60))s -nostdin -trace_rtt -rtt_freq 1 -trace_stat -fd 1 >sipp.out 2>&1 || true)
  sleep 2  # the last calls' BYEs and room cleanup count too
  python3 - "$dir" "$name" "$rate" "$calls" "$label" "$(( $(cpu_ticks) - before ))" "$(getconf CLK_TCK)" <<'PY'
import csv, glob, sys
d, name, rate, calls, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
cpu_ms = int(sys.argv[6]) * 1000.0 / int(sys.argv[7])
rtts = []
for f in glob.glob(d + "/*_rtt.csv"):
    for row in csv.DictReader(open(f), delimiter=";"):
        rtts.append(float(row["response_time_ms"]))
stat = sorted(glob.glob(d + "/*_.csv"))
ok = failed = 0
if stat:
    rows = list(csv.DictReader(open(stat[-1]), delimiter=";"))
    ok, failed = int(rows[-1]["SuccessfulCall(C)"]), int(rows[-1]["FailedCall(C)"])
rtts.sort()
q = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))] if rtts else float("nan")
print(f"{label:8} {name:9} {rate:5d}/s  attempted {ok + failed:5d}  failed {failed:4d} "
      f"({100.0 * failed / max(1, ok + failed):.2f} %)  latency p50 {q(0.5):7.1f} ms  p99 {q(0.99):7.1f} ms"
      f"  gateway CPU {cpu_ms / max(1, ok + failed):6.2f} ms/call")
PY
}
memory() { # RSS and heap after a full collection, in MB
  jcmd "$gw" GC.run >/dev/null
  local heap; heap=$(jcmd "$gw" GC.heap_info | awk '/(heap|generation) +total/ {for (i = 1; i <= NF; i++) if ($i == "used") {sub(/K,?$/, "", $(i + 1)); kib += $(i + 1)}} END {print int(kib / 1024)}')
  echo "rss $(( $(awk '/VmRSS/ {print $2}' "/proc/$gw/status") / 1024 )) MB, heap ${heap} MB"
}
flood() { # invites-per-second sources seconds
  local before after
  before=$(memory)
  python3 "$root/bench/sip-flood.py" --target 127.0.0.1:15560 --rate "$1" --sources "$2" --seconds "$3" \
    >"$work/$label/flood.json" &
  local flooder=$!
  local all_calls=$calls
  calls=$((10 * $3))
  run flooded 10 -sn uac -s +15550199 -d 1000
  calls=$all_calls
  wait "$flooder"
  after=$(memory)
  echo "$label flood: $(cat "$work/$label/flood.json"); gateway memory before: $before; after: $after"
  grep -c "event=dropped" "$work/$label/gateway.log" | sed "s/^/$label dropped INVITEs logged: /"
}
for labelled in ${GATEWAY_JARS:-this=$root/gateway/target/dialtone-gateway.jar}; do
  label=${labelled%%=*}
  mkdir -p "$work/$label"
  # GATEWAY_JAVA_OPTS, e.g. -XX:StartFlightRecording=filename=gw.jfr, profiles the gateway under load.
  java ${GATEWAY_JAVA_OPTS:-} -XX:+UseSerialGC -jar "${labelled#*=}" gateway -c "$work/gateway.yaml" \
    --bind 127.0.0.1 --admin-bind 127.0.0.1 --admin-port 18590 --invites-per-second 0 --media-timeout 60s \
    >"$work/$label/gateway.log" 2>&1 &
  gw=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18590/readyz >/dev/null && break; sleep 0.2; done
  # Warm-up (JIT, connection pools), not reported.
  (cd "$work/$label" && sipp 127.0.0.1:15560 -sn uac -s +15550199 -d 100 -i 127.0.0.1 -r 20 -m 200 -timeout 60s \
    -nostdin >/dev/null 2>&1 || true)
  if [ -n "${FLOOD:-}" ]; then flood $FLOOD; fi
  for rate in $rates; do run accepted "$rate" -sn uac -s +15550199 -d 1000; done
  for rate in $reject_rates; do run rejected "$rate" -sf "$root/bench/sipp/reject-404.xml" -s +15550404; done
  kill "$gw"; wait "$gw" 2>/dev/null || true
done
echo "gateway logs: $work/*/gateway.log (kept until exit)"
