#!/usr/bin/env bash
# Dialtone's whole inbound path on this machine, in a private network namespace of its own (scripts/netns-run: no
# root needed; WebRTC takes no candidates on loopback, so the namespace adds a network only it sees):
#   a LiveKit dev server, etcd and a kube-apiserver, the operator, and one gateway process standing in for the
#   gateway pod (nothing here runs containers, so the script plays the kubelet: it creates the Pod object the
#   Deployment asks for, runs the gateway locally with that pod's identity, and marks the pod Running and Ready).
# It applies examples/quickstart/, places a call with sipp whose caller speaks a 440 Hz tone while a participant in
# the room speaks 1 kHz, prints what each side heard, shows the room and `kubectl get sip` with the call counted,
# then keeps everything running until Ctrl-C, which stops all of it.
#   scripts/demo.sh            # installs the pinned tools and builds the jars first when needed
#   scripts/demo.sh --once     # the same, but stops after the call instead of waiting for Ctrl-C
# Environment: DIALTONE_DEMO_DIR (default: a new temporary directory) keeps logs and the kubeconfig.
# Ports (fixed, so the quickstart YAML works unchanged): LiveKit 7880-7881, SIP 5060, gateway admin 8080,
# operator 8081, kube-apiserver 6443, etcd 23790-23791.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
once=false
for arg in "$@"; do
  case $arg in
    --once) once=true ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $arg (expected --once)" >&2; exit 2 ;;
  esac
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
say() { printf '    %s\n' "$*" >&2; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

tools=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
gateway_jar=$root/gateway/target/dialtone-gateway.jar
operator_jar=$root/operator/target/dialtone-operator.jar
if [ -z "${DIALTONE_NETNS:-}" ]; then
  step "Installing the pinned tools (cached in ~/.cache/dialtone) and building the jars"
  "$root/scripts/install-test-tools.sh" >/dev/null
  if [ ! -f "$gateway_jar" ] || [ ! -f "$operator_jar" ] || [ -n "$(find "$root/api/src/main" "$root/gateway/src/main" \
      "$root/operator/src/main" "$root/pom.xml" -newer "$gateway_jar" -type f -print -quit)" ]; then
    (cd "$root" && mvn -B -q -pl gateway,operator -am package -DskipTests 2>&1 | grep -v '^SLF4J' >&2 || true)
    [ -f "$gateway_jar" ] && [ -f "$operator_jar" ] || fail "the build failed (mvn -pl gateway,operator -am package)"
  fi
  say "jars: gateway/target/dialtone-gateway.jar, operator/target/dialtone-operator.jar"
  step "Entering a private network namespace (scripts/netns-run): its 127.0.0.1 and 10.77.0.1-2 are the demo's own"
  exec "$root/scripts/netns-run" "$0" "$@"
fi
# shellcheck disable=SC1091
source "$tools/env"
K8S_BIN=$(dirname "$DIALTONE_KUBECTL")

work=${DIALTONE_DEMO_DIR:-$(mktemp -d -t dialtone-demo.XXXXXX)}
mkdir -p "$work"
# A fresh cluster every time: state from an earlier run in the same directory would collide.
rm -rf "$work/etcd" "$work/apiserver-certs"
pids=()
cleanup() {
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    step "Stopping everything the demo started"
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  say "logs are in $work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS DESCRIPTION LOG COMMAND...
  local seconds=$1 what=$2 log=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "demo: $what did not happen within $seconds s; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
}
kubectl() { "$DIALTONE_KUBECTL" --kubeconfig "$work/kubeconfig" "$@"; }
http_ok() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3 && head -1 <&3 | grep -q ' 200 '); }

step "LiveKit dev server (livekit-server --dev, API key devkey / secret) on 127.0.0.1:7880"
"$DIALTONE_LIVEKIT_SERVER" --dev --config "$root/scripts/livekit-dev.yaml" >"$work/livekit-server.log" 2>&1 &
pids+=($!)
wait_for 30 "LiveKit answering" "$work/livekit-server.log" http_ok 7880 /

step "Kubernetes API: etcd on 127.0.0.1:23790 and kube-apiserver on 127.0.0.1:6443"
"$K8S_BIN/etcd" --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:23790 \
  --advertise-client-urls http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23791 \
  --initial-advertise-peer-urls http://127.0.0.1:23791 --initial-cluster default=http://127.0.0.1:23791 \
  >"$work/etcd.log" 2>&1 &
pids+=($!)
openssl genrsa -out "$work/service-account.key" 2048 2>/dev/null
openssl rsa -in "$work/service-account.key" -pubout -out "$work/service-account.pub" 2>/dev/null
token=$(openssl rand -hex 16)
echo "$token,demo-admin,demo-admin,system:masters" >"$work/tokens.csv"
"$K8S_BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:23790 --bind-address=127.0.0.1 --secure-port=6443 \
  --cert-dir="$work/apiserver-certs" --token-auth-file="$work/tokens.csv" --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$work/service-account.pub" \
  --service-account-signing-key-file="$work/service-account.key" --service-cluster-ip-range=10.96.0.0/16 \
  --disable-admission-plugins=ServiceAccount >"$work/kube-apiserver.log" 2>&1 &
pids+=($!)
cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: demo
    cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
  - name: demo-admin
    user: {token: "$token"}
contexts:
  - name: demo
    context: {cluster: demo, user: demo-admin, namespace: default}
current-context: demo
YAML
wait_for 90 "kube-apiserver ready" "$work/kube-apiserver.log" kubectl get --raw /readyz
wait_for 30 "the default namespace" "$work/kube-apiserver.log" kubectl get namespace default
say "kubeconfig: $work/kubeconfig"

step "CRDs: kubectl apply --server-side -f crds/"
kubectl apply --server-side -f "$root/crds/" >&2
kubectl wait --for=condition=Established --timeout=60s crd/sipgateways.dialtone.io crd/siptrunks.dialtone.io \
  crd/dispatchrules.dialtone.io >/dev/null

step "Operator (java -jar operator/target/dialtone-operator.jar), health and metrics on 127.0.0.1:8081"
KUBECONFIG=$work/kubeconfig java -jar "$operator_jar" --health-port 8081 --stats-interval 2s \
  >"$work/operator.log" 2>&1 &
pids+=($!)
wait_for 60 "the operator healthy" "$work/operator.log" http_ok 8081 /healthz

step "The quickstart: kubectl apply --server-side -f examples/quickstart/"
kubectl apply --server-side -f "$root/examples/quickstart/" >&2
wait_for 60 "the operator creating Deployment dialtone-gateway" "$work/operator.log" \
  kubectl get deployment dialtone-gateway
say "the operator made: $(kubectl get deployment,service,secret,serviceaccount,role,rolebinding,poddisruptionbudget \
  -l app.kubernetes.io/instance=dialtone -o name | tr '\n' ' ')"

step "Gateway pod dialtone-gateway-local: the Pod object, and the gateway process running as that pod"
labels=$(kubectl get deployment dialtone-gateway -o 'jsonpath={.spec.template.metadata.labels}')
image=$(kubectl get deployment dialtone-gateway -o 'jsonpath={.spec.template.spec.containers[0].image}')
kubectl create -f - >/dev/null <<JSON
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "dialtone-gateway-local", "labels": $labels},
 "spec": {"containers": [{"name": "gateway", "image": "$image",
          "ports": [{"name": "admin", "containerPort": 8080}]}]}}
JSON
pod_uid=$(kubectl get pod dialtone-gateway-local -o 'jsonpath={.metadata.uid}')
KUBECONFIG=$work/kubeconfig POD_NAME=dialtone-gateway-local POD_NAMESPACE=default POD_UID=$pod_uid \
  java -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -jar "$gateway_jar" gateway --routing-secret dialtone-routing --namespace default \
  --bind 127.0.0.1 --advertise 127.0.0.1 --admin-bind 127.0.0.1 --admin-port 8080 >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for 60 "the gateway ready" "$work/gateway.log" http_ok 8080 /readyz
kubectl patch pod dialtone-gateway-local --subresource=status --type=merge -p '{"status": {"phase": "Running",
  "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}], "conditions": [{"type": "Ready", "status": "True"}]}}' \
  >/dev/null
say "SIP on 127.0.0.1:5060 (udp, tcp), admin on 127.0.0.1:8080 (/metrics, /stats)"
wait_for 60 "the trunk and the rule live on the gateway (Propagated)" "$work/operator.log" kubectl wait \
  --for=condition=Propagated --timeout=1s siptrunk/any-caller dispatchrule/room-per-caller
kubectl get sip >&2

step "A call with audio both ways: +15550100 dials +15550199 and speaks a 440 Hz tone; in the room, a participant speaks 1 kHz"
"$root/scripts/demo/audio-call.sh" "$work" "$work/gateway.log" || fail "the call with audio failed (logs: $work)"

step "kubectl get sip: the call counted on the gateway, the trunk and the rule"
counted() {
  [ "$(kubectl get siptrunk any-caller -o 'jsonpath={.status.totalCalls}/{.status.activeCalls}')" = "1/0" ]
}
wait_for 30 "the finished call counted on the trunk's status" "$work/operator.log" counted
kubectl get sip >&2
say "the call from +15550100 went to LiveKit room $(grep -m1 -o 'room=[^ ]*' "$work/gateway.log" | cut -d= -f2)"

if $once; then
  exit 0
fi
step "Everything keeps running; Ctrl-C stops it all"
say "Everything runs in the demo's own network namespace; enter it from another terminal with"
say "  nsenter --preserve-credentials --user --net --target ${pids[0]} bash"
say "then: export KUBECONFIG=$work/kubeconfig               # kubectl get sip, kubectl describe siptrunk any-caller"
say "      sipp -sf examples/sipp/call.xml -s +15550199 -d 2000 -m 1 -i 127.0.0.1 127.0.0.1:5060   # another call"
say "      curl -s 127.0.0.1:8080/stats                     # the gateway's counters; /metrics for Prometheus"
wait "${pids[0]}"
