#!/usr/bin/env bash
# Dialtone's whole test suite, from a fresh machine:
#   1. installs the pinned real components (scripts/install-test-tools.sh; cached in ~/.cache/dialtone),
#   2. mvn verify: unit tests, the crds/ freshness check, and the integration tests against a real
#      livekit-server, kube-apiserver + etcd, sipp and the Python LiveKit SDK,
#   3. a short run of the routing benchmark, so it keeps building (figures: docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  log "installing Java 17 and Maven (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >/dev/null
fi
if ! command -v go >/dev/null 2>&1; then
  log "Go is needed to build livekit-server and kube-apiserver (go 1.26 or newer); install it and run again"
  exit 1
fi

started=$(date +%s)
scripts/install-test-tools.sh
log "toolchain ready after $(( $(date +%s) - started )) s"

mvn -B verify
log "mvn verify done after $(( $(date +%s) - started )) s"

bench/routing.sh 0.5
log "all done in $(( $(date +%s) - started )) s"
