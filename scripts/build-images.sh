#!/usr/bin/env bash
# Builds the operator and gateway container images from images/*/Dockerfile, with podman or buildah (no daemon)
# or docker, whichever is installed first in that order; with --push, pushes them.
#   scripts/build-images.sh [--registry registry.example.com/team] [--tag 0.1.0] [--push] [--local-base]
# Images: REGISTRY/operator:TAG and REGISTRY/gateway:TAG (default: dialtone/operator:0.1.0, dialtone/gateway:0.1.0,
# the names the chart and the operator use by default).
# Where the upstream base image cannot be pulled (no registry reachable), or with --local-base, a base is made here:
# Debian bookworm with its Java 17 runtime and the libraries the gateway's WebRTC needs (debootstrap from the
# machine's Debian mirror, about 5 minutes once; cached as a tar under ~/.cache/dialtone/images). With Docker, the
# legacy builder is used (DOCKER_BUILDKIT=0): Debian's Docker has no BuildKit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
registry=dialtone
tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/charts/dialtone/Chart.yaml")
push=false
local_base=false
UPSTREAM_BASE=eclipse-temurin:17.0.17_10-jre-noble
LOCAL_BASE=dialtone/base-jre:17-bookworm
CACHE=${DIALTONE_CACHE:-$HOME/.cache/dialtone}/images
while [ $# -gt 0 ]; do
  case $1 in
    --registry) registry=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --push) push=true; shift ;;
    --local-base) local_base=true; shift ;;
    *) echo "build-images: unknown argument $1 (expected --registry R, --tag T, --push, --local-base)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-images] %s\n' "$*" >&2; }

if command -v podman >/dev/null 2>&1; then build=(podman build); pusher=(podman push)
elif command -v buildah >/dev/null 2>&1; then build=(buildah bud); pusher=(buildah push)
elif command -v docker >/dev/null 2>&1; then build=(docker build); pusher=(docker push); export DOCKER_BUILDKIT=0
else
  log "none of podman, buildah or docker is installed; install one (podman and buildah need no daemon)"
  exit 1
fi

# The base of both images: the upstream one if it is here or can be pulled, else one made from Debian packages.
pullable() {
  "${build[0]}" image inspect "$UPSTREAM_BASE" >/dev/null 2>&1 \
    || timeout 60 "${build[0]}" pull -q "$UPSTREAM_BASE" >/dev/null 2>&1
}

make_local_base() {
  if "${build[0]}" image inspect "$LOCAL_BASE" >/dev/null 2>&1; then return; fi
  local tar=$CACHE/base-jre-17-bookworm.tar
  if [ -f "$tar" ]; then
    log "loading $LOCAL_BASE from $tar"
    "${build[0]}" load -i "$tar" >/dev/null
    return
  fi
  command -v debootstrap >/dev/null 2>&1 || { log "debootstrap is needed to make $LOCAL_BASE (apt-get install debootstrap)"; exit 1; }
  local mirror
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  local root; root=$(mktemp -d)
  log "debootstrap bookworm with Java 17 from $mirror into $root (about 5 minutes)"
  debootstrap --variant=minbase \
    --include=openjdk-17-jre-headless \
    bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -rf "$root"; exit 1; }
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -c . | "${build[0]}" import - "$LOCAL_BASE" >/dev/null
  rm -rf "$root" "$root.log"
  mkdir -p "$CACHE"
  "${build[0]}" save -o "$tar" "$LOCAL_BASE"
  log "made $LOCAL_BASE ($(du -m "$tar" | cut -f1) MiB, cached in $tar)"
}

build_args=()
if $local_base || ! pullable; then
  $local_base || log "$UPSTREAM_BASE cannot be pulled: building on a base made here from Debian packages"
  make_local_base
  # The local base has every package: the build needs no network.
  build_args=(--build-arg "BASE=$LOCAL_BASE" --network=none)
fi

log "mvn package (operator and gateway jars with their dependencies)"
(cd "$root" && mvn -B -q -pl operator,gateway -am package -DskipTests)

for component in operator gateway; do
  image=$registry/$component:$tag
  log "${build[0]}: $image"
  "${build[@]}" "${build_args[@]}" -f "$root/images/$component/Dockerfile" -t "$image" "$root"
  if $push; then
    log "push $image"
    "${pusher[@]}" "$image"
  fi
done
log "done; install the chart with --set image.registry=$registry --set image.tag=$tag"
