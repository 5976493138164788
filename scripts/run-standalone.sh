#!/usr/bin/env bash
# Runs the gateway standalone (no Kubernetes) from YAML files, with a local LiveKit dev server, and places one call
# whose audio crosses both ways (scripts/demo/audio-call.sh), then keeps both running until Ctrl-C:
#   scripts/run-standalone.sh [config path, default examples/quickstart/] [more dialtone gateway options]
# Both run in a private network namespace of their own (scripts/netns-run, no root): WebRTC takes no candidates on
# loopback, so the namespace adds a network only it sees. The script prints how to enter it for more calls.
# Ctrl-C stops both; the gateway drains first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
if [ -z "${DIALTONE_NETNS:-}" ]; then
  "$root/scripts/install-test-tools.sh" >/dev/null
  jar=$root/gateway/target/dialtone-gateway.jar
  if [ ! -f "$jar" ] || [ -n "$(find "$root/api/src/main" "$root/gateway/src/main" "$root/pom.xml" -newer "$jar" \
      -type f -print -quit)" ]; then
    (cd "$root" && mvn -B -q -pl gateway -am package -DskipTests)
  fi
  exec "$root/scripts/netns-run" "$0" "$@"
fi
config=${1:-$root/examples/quickstart/}
shift || true
workdir=$(mktemp -d -t dialtone-standalone.XXXXXX)
"$tools/bin/livekit-server" --dev --config "$root/scripts/livekit-dev.yaml" >"$workdir/livekit-server.log" 2>&1 &
livekit=$!
"$root/scripts/dialtone" gateway --config "$config" --bind 127.0.0.1 --advertise 127.0.0.1 \
  --admin-bind 127.0.0.1 --admin-port 8080 "$@" >"$workdir/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; kill $livekit 2>/dev/null; wait $livekit 2>/dev/null' EXIT
trap 'exit 130' INT TERM
echo "livekit-server --dev on 127.0.0.1:7880, the gateway on 127.0.0.1:5060 (logs: $workdir)" >&2
for _ in $(seq 120); do
  curl -sf http://127.0.0.1:8080/readyz >/dev/null 2>&1 && break
  kill -0 $gateway 2>/dev/null || { tail -n 20 "$workdir/gateway.log" >&2; exit 1; }
  sleep 0.5
done
echo "==> A call with audio both ways" >&2
"$root/scripts/demo/audio-call.sh" "$workdir" "$workdir/gateway.log" || echo "the call with audio failed (logs: $workdir)" >&2
cat >&2 <<TEXT
==> Both keep running; Ctrl-C stops them. From another terminal, enter their network namespace and call:
    nsenter --preserve-credentials --user --net --target $gateway bash
    sipp -sf examples/sipp/call.xml -s +15550199 -d 2000 -m 1 -i 127.0.0.1 127.0.0.1:5060
TEXT
tail -f "$workdir/gateway.log" &
tailer=$!
trap 'kill $tailer $gateway 2>/dev/null; wait $gateway 2>/dev/null; kill $livekit 2>/dev/null; wait $livekit 2>/dev/null' EXIT
wait $gateway
