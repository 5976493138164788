#!/usr/bin/env bash
# Installs the real components Dialtone's tests run against, at pinned versions, into a cache:
#   livekit-server (go install), kube-apiserver, kube-controller-manager and kubectl (built from Go modules,
#   see scripts/tools/kube-apiserver),
#   helm (go install), Argo CD's controller and repo server (built from its Go module, see scripts/tools/argocd),
#   redis-server and git for Argo CD, etcd, sipp, baresip, lua5.4 and iproute2 (Debian; the media tests make a
#   network namespace), and the Python LiveKit SDK in a virtualenv.
# Idempotent: what is already there at the right version is kept. Prints every version at the end.
# Environment: DIALTONE_TOOLS (default ~/.cache/dialtone/tools).
set -euo pipefail

LIVEKIT_SERVER_VERSION=v1.13.5
KUBERNETES_VERSION=1.33.13
HELM_VERSION=v3.19.2
PY_LIVEKIT_VERSION=1.2.0
PY_LIVEKIT_API_VERSION=1.2.2
PY_G722_VERSION=1.2.8
# The newest Argo CD whose module builds from the Go module proxy (v3.2.12's calls a function missing from it; 3.3
# and later take their gitops-engine from a path inside their repository) and whose supported Kubernetes versions
# (1.31-1.34) include KUBERNETES_VERSION.
ARGOCD_VERSION=v3.2.11
APT_PACKAGES=(etcd-server sip-tester baresip python3-venv openssl lua5.4 iproute2 nftables)
# Argo CD's cache and its repo server's tools (scripts/argocd.sh).
APT_PACKAGES+=(redis-server git)
# The one-node cluster (scripts/cluster.sh): a Docker engine to build images, containerd, runc and the CNI plugins
# to run them, iptables for kube-proxy, debootstrap for a base image when none can be pulled, gcc for the pause image.
APT_PACKAGES+=(docker.io containerd runc containernetworking-plugins iptables debootstrap gcc libc6-dev)

here=$(cd "$(dirname "$0")" && pwd)
TOOLS=${DIALTONE_TOOLS:-$HOME/.cache/dialtone/tools}
BIN=$TOOLS/bin
K8S_DIR=$TOOLS/kube-api-test/k8s/$KUBERNETES_VERSION-linux-amd64
mkdir -p "$BIN" "$K8S_DIR"

log() { printf '[install-test-tools] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_livekit_server() {
  local stamp=$TOOLS/.livekit-server-$LIVEKIT_SERVER_VERSION
  if [ -x "$BIN/livekit-server" ] && [ -f "$stamp" ]; then return; fi
  log "go install livekit-server $LIVEKIT_SERVER_VERSION (a few minutes on a cold cache)"
  local gobin
  gobin=$(mktemp -d)
  GOBIN=$gobin GOFLAGS=-buildvcs=false go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_SERVER_VERSION"
  mv "$gobin/server" "$BIN/livekit-server"
  rm -rf "$gobin"
  touch "$stamp"
}

# No Debian package serves helm 3; its own module installs it.
install_helm() {
  local stamp=$TOOLS/.helm-$HELM_VERSION
  if [ -x "$BIN/helm" ] && [ -f "$stamp" ]; then return; fi
  log "go install helm $HELM_VERSION (about two minutes on a cold cache)"
  # As helm's own release build: its version, and the Kubernetes version `helm template` assumes (its client-go's).
  local flags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  flags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=34"
  GOBIN=$BIN GOFLAGS=-buildvcs=false go install -ldflags "$flags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  touch "$stamp"
}

version_ldflags() {
  local minor=${KUBERNETES_VERSION#*.}
  minor=${minor%%.*}
  local pkg=k8s.io/component-base/version
  echo "-X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
}

# k8s.io/kubernetes cannot be go-installed (its staging modules are replaced by paths), so a wrapper
# module pins it and the published staging modules; the version is stamped in as the release build does.
# kubectl comes from the same module rather than from the machine, so client and server match;
# kube-controller-manager runs only its garbage collector in the tests, to delete what owners leave.
build_kubernetes_binary() {
  local name=$1
  local stamp=$TOOLS/.$name-$KUBERNETES_VERSION
  if [ -x "$K8S_DIR/$name" ] && [ -f "$stamp" ]; then return; fi
  log "go build $name v$KUBERNETES_VERSION (5-10 minutes on a cold cache)"
  (cd "$here/tools/kube-apiserver" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags "$(version_ldflags)" \
    -o "$K8S_DIR/$name" "k8s.io/kubernetes/cmd/$name")
  touch "$stamp"
}

# Argo CD's go.mod replaces modules, which `go install` refuses; a wrapper module repeats those lines. One binary
# serves every component (chosen by ARGOCD_BINARY_NAME). Its Application and AppProject CRDs come from the same module.
install_argocd() {
  local stamp=$TOOLS/.argocd-$ARGOCD_VERSION
  if [ -x "$BIN/argocd" ] && [ -d "$TOOLS/argocd-$ARGOCD_VERSION/crds" ] && [ -f "$stamp" ]; then return; fi
  log "go build argocd $ARGOCD_VERSION (5-10 minutes on a cold cache)"
  local pkg=github.com/argoproj/argo-cd/v3
  (cd "$here/tools/argocd" && GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-X $pkg/common.version=${ARGOCD_VERSION#v} -X $pkg/common.gitTreeState=clean" -o "$BIN/argocd" "$pkg/cmd")
  local module
  module=$(cd "$here/tools/argocd" && go list -m -f '{{.Dir}}' "$pkg")
  mkdir -p "$TOOLS/argocd-$ARGOCD_VERSION/crds"
  cp "$module/manifests/crds/application-crd.yaml" "$module/manifests/crds/appproject-crd.yaml" \
    "$TOOLS/argocd-$ARGOCD_VERSION/crds/"
  chmod -R u+w "$TOOLS/argocd-$ARGOCD_VERSION"
  touch "$stamp"
}

install_python_client() {
  local venv=$TOOLS/venv
  local stamp=$venv/.livekit-$PY_LIVEKIT_VERSION-$PY_LIVEKIT_API_VERSION-g722-$PY_G722_VERSION
  if [ -f "$stamp" ]; then return; fi
  # g722: an independent G.722 implementation the media tests check the gateway's codec against.
  log "pip install livekit==$PY_LIVEKIT_VERSION livekit-api==$PY_LIVEKIT_API_VERSION g722==$PY_G722_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "livekit==$PY_LIVEKIT_VERSION" "livekit-api==$PY_LIVEKIT_API_VERSION" \
    "g722==$PY_G722_VERSION"
  touch "$stamp"
}

install_apt_packages
install_livekit_server
install_helm
build_kubernetes_binary kube-apiserver
ln -sf "$(command -v etcd)" "$K8S_DIR/etcd"
build_kubernetes_binary kubectl
build_kubernetes_binary kube-controller-manager
build_kubernetes_binary kubelet
build_kubernetes_binary kube-scheduler
build_kubernetes_binary kube-proxy
install_argocd
install_python_client

cat >"$TOOLS/env" <<ENV
# Written by scripts/install-test-tools.sh; read by the tests.
DIALTONE_LIVEKIT_SERVER=$BIN/livekit-server
DIALTONE_KUBE_API_TEST_DIR=$TOOLS/kube-api-test
DIALTONE_KUBERNETES_VERSION=$KUBERNETES_VERSION
DIALTONE_KUBECTL=$K8S_DIR/kubectl
DIALTONE_KUBE_CONTROLLER_MANAGER=$K8S_DIR/kube-controller-manager
DIALTONE_PYTHON=$TOOLS/venv/bin/python
DIALTONE_HELM=$BIN/helm
DIALTONE_LUA=$(command -v lua5.4)
ENV

log "versions:"
echo "  livekit-server: $("$BIN/livekit-server" --version 2>&1 | head -1)"
echo "  kube-apiserver: $("$K8S_DIR/kube-apiserver" --version 2>&1 | head -1)"
echo "  etcd:           $("$K8S_DIR/etcd" --version 2>&1 | head -1)"
echo "  kubectl:        $("$K8S_DIR/kubectl" version --client 2>&1 | head -1)"
echo "  kube-controller-manager: $("$K8S_DIR/kube-controller-manager" --version 2>&1 | head -1)"
echo "  kubelet, kube-scheduler, kube-proxy: $("$K8S_DIR/kubelet" --version 2>&1 | head -1)"
echo "  containerd:     $(containerd --version 2>&1 | awk '{print $3}'), runc $(runc --version 2>&1 | awk 'NR==1{print $3}'), docker $(dpkg-query -W -f='${Version}' docker.io)"
echo "  helm:           $("$BIN/helm" version --short 2>&1 | head -1)"
echo "  argocd:         $("$BIN/argocd" version --client --short 2>&1 | head -1 || true)"
echo "  redis-server:   $(redis-server --version | awk '{print $3}'), git $(git --version | awk '{print $3}')"
echo "  lua:            $(lua5.4 -v 2>&1 | head -1)"
echo "  sipp:           $({ sipp -v 2>&1 || true; } | grep -m1 -o 'SIPp v[^ ,]*')"
echo "  baresip:        $(dpkg-query -W -f='${Version}' baresip)"
echo "  python livekit: $("$TOOLS/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("livekit"), "/ livekit-api", m.version("livekit-api"))')"
