#!/usr/bin/env bash
# A real Argo CD (its application controller and repo server, with Redis) on this machine, driving a cluster
# through a kubeconfig as an Argo CD installed in that cluster would; for the GitOps test and for trying
# examples/argocd/ by hand:
#   scripts/argocd.sh up KUBECONFIG   starts Redis, the repo server and the application controller on free
#                                     ports (stopping what an earlier `up` left running); installs Argo CD's CRDs, the argocd namespace, argocd-cm patched with
#                                     examples/argocd/argocd-cm-health.yaml (as docs/gitops.md says), argocd-secret
#                                     and the default AppProject
#   scripts/argocd.sh down            stops what `up` started (the objects stay in the cluster)
#   scripts/argocd.sh status
# Argo CD is built from its Go module by scripts/install-test-tools.sh; Redis and git come from Debian. There is no
# API server or UI: Applications are objects in the argocd namespace, and their status is where Argo CD reports.
# Environment: DIALTONE_ARGOCD_DIR (default /tmp/dialtone-argocd: logs, pids, Redis's and git's scratch space).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
TOOLS=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
ARGOCD_VERSION=$(sed -n 's/^ARGOCD_VERSION=//p' "$here/install-test-tools.sh")
KUBERNETES_VERSION=$(sed -n 's/^KUBERNETES_VERSION=//p' "$here/install-test-tools.sh")
ARGOCD=$TOOLS/bin/argocd
CRDS=$TOOLS/argocd-$ARGOCD_VERSION/crds
KUBECTL=$TOOLS/kube-api-test/k8s/$KUBERNETES_VERSION-linux-amd64/kubectl
STATE=${DIALTONE_ARGOCD_DIR:-/tmp/dialtone-argocd}
COMPONENTS=(redis repo-server application-controller)

log() { printf '[argocd] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
PID_DIR=$STATE
LOG_DIR=$STATE/logs
# shellcheck source=lib/processes.sh
. "$here/lib/processes.sh"

# N distinct free loopback ports, all held at once while they are chosen.
free_ports() {
  python3 -c '
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))' "$1"
}

# The component is alive and accepts connections on its port: another program on that port is not taken for it.
serving() { running "$1" && (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; }

established() {
  local kubeconfig=$1 crd; shift
  for crd in "$@"; do
    [ "$("$KUBECTL" --kubeconfig "$kubeconfig" get crd "$crd" \
      -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" = True ] || return 1
  done
}

# What an Argo CD install creates besides its workloads, minus the API server's and Dex's parts.
install_objects() {
  local kube=("$KUBECTL" --kubeconfig "$1")
  "${kube[@]}" apply --server-side -f "$CRDS/application-crd.yaml" -f "$CRDS/appproject-crd.yaml" >/dev/null
  # Not `kubectl wait`: it fails outright on a CRD whose status has no conditions yet.
  wait_for "Argo CD's CRDs established" 60 established "$1" applications.argoproj.io appprojects.argoproj.io
  "${kube[@]}" apply --server-side -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
  labels: {app.kubernetes.io/name: argocd-cm, app.kubernetes.io/part-of: argocd}
---
apiVersion: v1
kind: Secret
metadata:
  name: argocd-secret
  namespace: argocd
  labels: {app.kubernetes.io/name: argocd-secret, app.kubernetes.io/part-of: argocd}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: argocd}
spec:
  sourceRepos: ["*"]
  destinations: [{server: "*", namespace: "*"}]
  clusterResourceWhitelist: [{group: "*", kind: "*"}]
YAML
  "${kube[@]}" -n argocd patch configmap argocd-cm --patch-file "$root/examples/argocd/argocd-cm-health.yaml" >/dev/null
}

up() {
  local kubeconfig=${1:?usage: scripts/argocd.sh up KUBECONFIG}
  [ -f "$kubeconfig" ] || die "no kubeconfig at $kubeconfig"
  kubeconfig=$(cd "$(dirname "$kubeconfig")" && pwd)/$(basename "$kubeconfig")
  [ -x "$ARGOCD" ] && [ -d "$CRDS" ] || die "Argo CD $ARGOCD_VERSION is not installed: run scripts/install-test-tools.sh"
  command -v redis-server >/dev/null || die "redis-server is missing: run scripts/install-test-tools.sh"
  command -v git >/dev/null || die "git is missing: run scripts/install-test-tools.sh"
  mkdir -p "$LOG_DIR" "$STATE/tmp" "$STATE/tls" "$STATE/ssh" "$STATE/gpg"
  # A run that was killed before its `down` leaves its processes; they would hold stale ports and state.
  down
  trap 'rc=$?; if [ $rc -ne 0 ]; then log "up failed; stopping what it started"; down; fi' EXIT
  log "Argo CD $ARGOCD_VERSION against $kubeconfig; logs in $LOG_DIR"
  install_objects "$kubeconfig"

  local redis repo metrics_repo metrics_controller
  read -r redis repo metrics_repo metrics_controller <<<"$(free_ports 4)"
  start redis redis-server --bind 127.0.0.1 --port "$redis" --save '' --appendonly no --dir "$STATE/tmp"
  wait_for "Redis on 127.0.0.1:$redis" 30 serving redis "$redis"

  # The repo server runs git and helm (on PATH) in its own temporary directory; GnuPG verification is off, as
  # nothing here is signed. Its gRPC is plaintext on loopback.
  start repo-server env ARGOCD_BINARY_NAME=argocd-repo-server ARGOCD_GPG_ENABLED=false \
    ARGOCD_TLS_DATA_PATH="$STATE/tls" ARGOCD_SSH_DATA_PATH="$STATE/ssh" ARGOCD_GNUPGHOME="$STATE/gpg" \
    ARGOCD_ASK_PASS_SOCK="$STATE/ask-pass.sock" TMPDIR="$STATE/tmp" PATH="$TOOLS/bin:$PATH" \
    "$ARGOCD" --address 127.0.0.1 --port "$repo" --metrics-address 127.0.0.1 --metrics-port "$metrics_repo" \
    --disable-tls --redis "127.0.0.1:$redis" --logformat text --parallelismlimit 2
  wait_for "repo server on 127.0.0.1:$repo" 60 serving repo-server "$repo"

  # ARGOCD_FAKE_IN_CLUSTER: the in-cluster destination (https://kubernetes.default.svc) is the kubeconfig's cluster.
  # --persist-resource-health: each resource's health in the Application's status, where kubectl can read it; Argo
  # CD's API server, which would otherwise serve it, does not run here. The controller's metrics port listens on
  # every address (Argo CD fixes 0.0.0.0); only the readiness check below connects to it.
  start application-controller env ARGOCD_BINARY_NAME=argocd-application-controller ARGOCD_FAKE_IN_CLUSTER=true \
    KUBECONFIG="$kubeconfig" TMPDIR="$STATE/tmp" \
    "$ARGOCD" --namespace argocd --redis "127.0.0.1:$redis" --repo-server "127.0.0.1:$repo" \
    --repo-server-plaintext --metrics-port "$metrics_controller" --logformat text --status-processors 4 \
    --operation-processors 2 --persist-resource-health
  wait_for "application controller metrics on port $metrics_controller" 60 serving application-controller \
    "$metrics_controller"
  log "up: repo server 127.0.0.1:$repo, Redis 127.0.0.1:$redis, controller metrics port $metrics_controller"
}

down() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${COMPONENTS[i]}"
  done
}

status() {
  for name in "${COMPONENTS[@]}"; do
    if running "$name"; then echo "$name: running ($(pid_of "$name"))"; else echo "$name: stopped"; fi
  done
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) die "usage: scripts/argocd.sh up KUBECONFIG | down | status" ;;
esac
