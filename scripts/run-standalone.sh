#!/usr/bin/env bash
# Runs the gateway standalone against a local LiveKit dev server, both on 127.0.0.1:
#   scripts/run-standalone.sh [config path, default examples/quickstart/] [more dialtone gateway options]
# Then call it, e.g.: sipp -sf examples/sipp/call.xml -s +15550199 -d 2000 -m 1 -i 127.0.0.1 127.0.0.1:5060
# Ctrl-C stops both; the gateway drains first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-$root/examples/quickstart/}
shift || true
tools=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
if [ ! -x "$tools/bin/livekit-server" ]; then
  "$root/scripts/install-test-tools.sh"
fi
workdir=$(mktemp -d)
"$tools/bin/livekit-server" --dev --config "$root/scripts/livekit-dev.yaml" >"$workdir/livekit-server.log" 2>&1 &
livekit=$!
trap 'kill $livekit 2>/dev/null; wait $livekit 2>/dev/null; rm -rf "$workdir"' EXIT
echo "livekit-server --dev on 127.0.0.1:7880 (log: $workdir/livekit-server.log)" >&2
"$root/scripts/dialtone" gateway --config "$config" --bind 127.0.0.1 --advertise 127.0.0.1 \
  --admin-bind 127.0.0.1 --admin-port 8080 "$@"
