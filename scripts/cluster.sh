#!/usr/bin/env bash
# A real one-node Kubernetes cluster on this machine, for the cluster tests and for trying Dialtone as in production:
#   scripts/cluster.sh up      etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#                              containerd + runc + CNI, the node Ready; prints the kubeconfig's path
#   scripts/cluster.sh load IMAGE...   copies images from the Docker engine into the node (no registry needed)
#   scripts/cluster.sh down    stops what `up` started and removes everything it made
#   scripts/cluster.sh control-plane stop|start   API server, controller manager and scheduler, for outage tests
#   scripts/cluster.sh status | kubeconfig
# Binaries come from scripts/install-test-tools.sh (Kubernetes built from Go modules, containerd, runc and the CNI
# plugins from Debian). Needs root. The node lives on a bridge of its own, dtk0 (10.88.0.1/16; pods 10.88.1.0 and
# up; Services 10.89.0.0/16), and nothing a pod sends may leave the machine: packets forwarded to or from the
# external interface are dropped for as long as the cluster is up (docs/testing.md, "Running the cluster tests").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
TOOLS=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
KUBERNETES_VERSION=$(sed -n 's/^KUBERNETES_VERSION=//p' "$here/install-test-tools.sh")
K8S=$TOOLS/kube-api-test/k8s/$KUBERNETES_VERSION-linux-amd64
STATE=${DIALTONE_CLUSTER_DIR:-/var/lib/dialtone-cluster}
RUN=/run/dialtone-cluster
BRIDGE=dtk0
NODE_IP=10.88.0.1
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.89.0.0/16
API_SERVICE_IP=10.89.0.1
NODE_NAME=dialtone-node
PAUSE_IMAGE=dialtone/pause:1
CONTAINERD_SOCKET=$RUN/containerd.sock
KUBECONFIG_FILE=$STATE/admin.kubeconfig
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
kubectl() { "$K8S/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

external_interface() {
  ip -o route get 192.0.2.255 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1
}

PID_DIR=$RUN
LOG_DIR=$STATE/logs
# shellcheck source=lib/processes.sh
. "$here/lib/processes.sh"

check_binaries() {
  local missing=()
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [ -x "$K8S/$b" ] || missing+=("$K8S/$b")
  done
  for b in etcd containerd runc iptables docker; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  [ -x /usr/lib/cni/bridge ] || missing+=(/usr/lib/cni/bridge)
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (run scripts/install-test-tools.sh --cluster)"
}

# The bridge's subnets must be this machine's alone: routed nowhere else.
check_subnets() {
  local external; external=$(external_interface)
  for address in $NODE_IP $API_SERVICE_IP; do
    if ! ip link show "$BRIDGE" >/dev/null 2>&1 && [ -n "$external" ] \
        && ip -o route get "$address" | grep -q "dev $external"; then
      # Only the default route may point there; a route of its own means the subnet is in use outside.
      if ip -o route show match "$address" | grep -v '^default' | grep -q "dev $external"; then
        die "$address is routed to $external on this machine: the cluster's subnets would not be its own"
      fi
    fi
  done
}

start_apiserver() {
  local pki=$STATE/pki
  start kube-apiserver "$K8S/kube-apiserver" --etcd-servers=http://127.0.0.1:2479 \
    --bind-address=$NODE_IP --advertise-address=$NODE_IP --secure-port=6443 \
    --service-cluster-ip-range=$SERVICE_CIDR --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc --authorization-mode=RBAC \
    --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/admin.crt" --kubelet-client-key="$pki/admin.key" \
    --allow-privileged=true --enable-aggregator-routing=true \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key"
}

network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "bridge $BRIDGE with $NODE_IP/16"
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/16" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  # The value before the first `up`, which `down` puts back.
  [ -f "$STATE/ip_forward.before" ] || cat /proc/sys/net/ipv4/ip_forward >"$STATE/ip_forward.before"
  local external; external=$(external_interface)
  if [ -n "$external" ]; then
    # Mangle runs before kube-proxy's filter rules: no pod packet is forwarded to or from the outside.
    iptables -t mangle -C FORWARD -i "$external" -j DROP 2>/dev/null || iptables -t mangle -I FORWARD -i "$external" -j DROP
    iptables -t mangle -C FORWARD -o "$external" -j DROP 2>/dev/null || iptables -t mangle -I FORWARD -o "$external" -j DROP
    echo "$external" >"$STATE/external_interface"
  fi
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
  sysctl -qw net.ipv4.ip_forward=1
}

# The API server proxies to aggregated APIs (the operator's custom.metrics.k8s.io) with a client certificate of its
# own CA, as kubeadm sets it up, so that no other client certificate can pass for it.
front_proxy_certificates() {
  local pki=$STATE/pki
  [ -f "$pki/front-proxy-client.crt" ] && return
  (
    cd "$pki"
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req -x509 -newkey rsa:2048 -nodes -keyout front-proxy-ca.key -out front-proxy-ca.crt -days 30 \
      -subj "/CN=dialtone-front-proxy-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout front-proxy-client.key -out front-proxy-client.csr \
      -subj "/CN=front-proxy-client" 2>/dev/null
    openssl x509 -req -in front-proxy-client.csr -CA front-proxy-ca.crt -CAkey front-proxy-ca.key -CAcreateserial \
      -out front-proxy-client.crt -days 30 -extfile client.ext 2>/dev/null
  )
}

certificates() {
  local pki=$STATE/pki
  [ -f "$pki/admin.crt" ] && { front_proxy_certificates; return; }
  log "certificates"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=dialtone-cluster-ca" 2>/dev/null
    cat >apiserver.ext <<EOF
subjectAltName=IP:$NODE_IP,IP:127.0.0.1,IP:$API_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EOF
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 30 -extfile apiserver.ext 2>/dev/null
    printf 'subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth\n' "$NODE_IP" "$NODE_NAME" >kubelet.ext
    openssl req -newkey rsa:2048 -nodes -keyout kubelet.key -out kubelet.csr -subj "/CN=$NODE_NAME" 2>/dev/null
    openssl x509 -req -in kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out kubelet.crt -days 30 -extfile kubelet.ext 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=dialtone-admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 30 -extfile client.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  front_proxy_certificates
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dialtone
  cluster: {server: "https://$NODE_IP:6443", certificate-authority: $pki/ca.crt}
users:
- name: admin
  user: {client-certificate: $pki/admin.crt, client-key: $pki/admin.key}
contexts:
- name: dialtone
  context: {cluster: dialtone, user: admin}
current-context: dialtone
EOF
}

containerd_config() {
  mkdir -p "$STATE/cni" "$STATE/containerd"
  cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$CONTAINERD_SOCKET"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
EOF
  cat >"$STATE/cni/10-dialtone.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "dialtone",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "10.88.1.1",
              "rangeEnd": "10.88.255.254", "gateway": "$NODE_IP"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$STATE/cni-ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "loopback"}
  ]
}
EOF
}

kubelet_config() {
  # The cluster runs no DNS (nothing in it resolves a name), and the machine's resolver is out of the pods' reach:
  # a resolver on the pod's own loopback, where nothing listens, makes a lookup (a JDK server's reverse lookup of
  # its client) fail at once instead of after seconds of timeouts.
  echo "nameserver 127.0.0.1" >"$STATE/resolv.conf"
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CONTAINERD_SOCKET
failSwapOn: false
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  x509: {clientCAFile: $STATE/pki/ca.crt}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
tlsCertFile: $STATE/pki/kubelet.crt
tlsPrivateKeyFile: $STATE/pki/kubelet.key
# No registry can be reached here: an image collected could not be pulled back.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
resolvConf: $STATE/resolv.conf
serializeImagePulls: false
EOF
}

# The API server, then the controller manager and the scheduler: at `up`, and again after an outage.
start_control_plane() {
  start_apiserver
  wait_for "kube-apiserver" 90 kubectl get --raw /readyz
  start_controllers
}

start_controllers() {
  local pki=$STATE/pki
  start kube-controller-manager "$K8S/kube-controller-manager" --kubeconfig="$KUBECONFIG_FILE" \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --use-service-account-credentials=true --leader-elect=false --bind-address=127.0.0.1 --secure-port=10257 \
    --allocate-node-cidrs=false --controllers='*'
  start kube-scheduler "$K8S/kube-scheduler" --kubeconfig="$KUBECONFIG_FILE" --leader-elect=false \
    --bind-address=127.0.0.1 --secure-port=10259
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root"
  check_binaries
  mkdir -p "$STATE/logs" "$RUN"
  check_subnets
  network_up
  certificates
  containerd_config
  kubelet_config
  local started=$SECONDS
  start containerd containerd --config "$STATE/containerd.toml"
  start etcd etcd --name dialtone --data-dir "$STATE/etcd" --listen-client-urls http://127.0.0.1:2479 \
    --advertise-client-urls http://127.0.0.1:2479 --listen-peer-urls http://127.0.0.1:2480 \
    --initial-advertise-peer-urls http://127.0.0.1:2480 --initial-cluster dialtone=http://127.0.0.1:2480
  start_control_plane
  wait_for "containerd" 30 ctr --address "$CONTAINERD_SOCKET" version
  pause_image
  start kubelet "$K8S/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$KUBECONFIG_FILE" \
    --hostname-override=$NODE_NAME --node-ip=$NODE_IP --root-dir="$STATE/kubelet"
  start kube-proxy "$K8S/kube-proxy" --kubeconfig="$KUBECONFIG_FILE" --hostname-override=$NODE_NAME \
    --bind-address=$NODE_IP --cluster-cidr=$POD_CIDR --proxy-mode=iptables --conntrack-max-per-core=0 \
    --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256
  wait_for "node $NODE_NAME Ready" 120 sh -c "'$K8S/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node $NODE_NAME \
    -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"
  wait_for "the not-ready taint lifted" 60 sh -c "! '$K8S/kubectl' --kubeconfig '$KUBECONFIG_FILE' get node \
    $NODE_NAME -o jsonpath='{.spec.taints}' | grep -q not-ready"
  wait_for "ServiceAccount default" 60 kubectl get serviceaccount default -n default
  log "node $NODE_NAME Ready in $((SECONDS - started)) s; KUBECONFIG=$KUBECONFIG_FILE"
  echo "$KUBECONFIG_FILE"
}

# The sandbox image: a static program that waits for signals and reaps children, as Kubernetes' pause does.
pause_image() {
  if ctr --address "$CONTAINERD_SOCKET" -n k8s.io images ls -q | grep -qx "docker.io/$PAUSE_IMAGE"; then return; fi
  ensure_docker
  if ! docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1; then
    log "building $PAUSE_IMAGE"
    local dir; dir=$(mktemp -d)
    cat >"$dir/pause.c" <<'EOF'
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void reap(int sig) { (void) sig; while (waitpid(-1, 0, WNOHANG) > 0) { } }
static void stop(int sig) { (void) sig; _exit(0); }
int main(void) {
  signal(SIGCHLD, reap);
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  for (;;) pause();
}
EOF
    gcc -static -O2 -o "$dir/pause" "$dir/pause.c"
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$dir/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "$PAUSE_IMAGE" "$dir" >/dev/null
    rm -rf "$dir"
  fi
  load "$PAUSE_IMAGE"
}

ensure_docker() {
  if docker info >/dev/null 2>&1; then return; fi
  mkdir -p "$STATE/logs" "$RUN"
  start dockerd dockerd --ip-masq=false --ip-forward=false --storage-driver=overlay2 --iptables=false \
    --bridge=none --pidfile "$RUN/dockerd.docker.pid"
  wait_for "dockerd" 60 docker info
}

load() {
  for image in "$@"; do
    log "loading $image into the node"
    docker save "$image" | ctr --address "$CONTAINERD_SOCKET" -n k8s.io images import - >/dev/null
  done
}

down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  if [ -f "$KUBECONFIG_FILE" ] && running kube-apiserver; then
    # Workloads first: their controllers would otherwise start their pods again.
    kubectl delete namespaces --all --wait=false >/dev/null 2>&1 || true
  fi
  for name in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop "$name"
  done
  if running containerd; then
    for id in $(ctr --address "$CONTAINERD_SOCKET" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$CONTAINERD_SOCKET" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    sleep 1
    for id in $(ctr --address "$CONTAINERD_SOCKET" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$CONTAINERD_SOCKET" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr --address "$CONTAINERD_SOCKET" -n k8s.io containers ls -q 2>/dev/null); do
      ctr --address "$CONTAINERD_SOCKET" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
    done
  fi
  stop containerd
  stop dockerd
  # What the node mounted and made.
  { grep -E " ($STATE|$RUN)/" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r mount; do
    umount -l "$mount" 2>/dev/null || true
  done
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/{print $1}' || true); do ip netns del "$ns" 2>/dev/null || true; done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
  remove_kube_chains
  if [ -f "$STATE/external_interface" ]; then
    local external; external=$(cat "$STATE/external_interface")
    iptables -t mangle -D FORWARD -i "$external" -j DROP 2>/dev/null || true
    iptables -t mangle -D FORWARD -o "$external" -j DROP 2>/dev/null || true
  fi
  if [ -f "$STATE/ip_forward.before" ]; then sysctl -qw net.ipv4.ip_forward="$(cat "$STATE/ip_forward.before")"; fi
  for controller in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/k8s.io; do
    [ -d "$controller" ] && find "$controller" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$STATE" "$RUN"
  log "down: nothing left"
}

# kube-proxy's chains and the kubelet's (KUBE-FIREWALL, the canaries), in every table, IPv4 and IPv6: first the
# rules of the built-in chains that jump to them, then the chains.
remove_kube_chains() {
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null 2>&1 || continue
    for table in filter nat mangle; do
      "$tool" -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' \
        | sed 's/^-A/-D/' | while read -r rule; do eval "$tool -t $table $rule" 2>/dev/null || true; done || true
      local chains; chains=$("$tool" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p')
      for chain in $chains; do "$tool" -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $chains; do "$tool" -t "$table" -X "$chain" 2>/dev/null || true; done
    done
  done
}

status() {
  for name in "${COMPONENTS[@]}" dockerd; do
    if running "$name"; then echo "$name: running ($(pid_of "$name"))"; else echo "$name: stopped"; fi
  done
  if running kube-apiserver; then kubectl get nodes -o wide; fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  load) shift; mkdir -p "$STATE/logs" "$RUN"; ensure_docker; load "$@" ;;
  status) status ;;
  control-plane)
    # For outage tests: the control plane stopped, as when its machine goes down, then started again as `up` starts
    # it. The node, its pods and kube-proxy keep running. (Stopping the API server alone would leave the controller
    # manager watching a node lease that cannot be renewed: when the API server returns, it marks the node and every
    # pod NotReady for some seconds, which takes the pods out of their Services.)
    [ "$(id -u)" = 0 ] || die "needs root"
    case ${2:-} in
      stop) for name in kube-scheduler kube-controller-manager kube-apiserver; do stop "$name"; done
            log "control plane stopped" ;;
      start) start_control_plane; log "control plane running" ;;
      *) die "usage: $0 control-plane stop|start" ;;
    esac ;;
  kubeconfig) echo "$KUBECONFIG_FILE" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
