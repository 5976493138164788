#!/usr/bin/env bash
# Builds the operator and gateway container images from images/*/Dockerfile, with podman or buildah (no daemon)
# or docker, whichever is installed first in that order; with --push, pushes them.
#   scripts/build-images.sh [--registry registry.example.com/team] [--tag 0.1.0] [--push]
# Images: REGISTRY/operator:TAG and REGISTRY/gateway:TAG (default: dialtone/operator:0.1.0, dialtone/gateway:0.1.0,
# the names the chart and the operator use by default).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
registry=dialtone
tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/charts/dialtone/Chart.yaml")
push=false
while [ $# -gt 0 ]; do
  case $1 in
    --registry) registry=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --push) push=true; shift ;;
    *) echo "build-images: unknown argument $1 (expected --registry R, --tag T, --push)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-images] %s\n' "$*" >&2; }

if command -v podman >/dev/null 2>&1; then build=(podman build); pusher=(podman push)
elif command -v buildah >/dev/null 2>&1; then build=(buildah bud); pusher=(buildah push)
elif command -v docker >/dev/null 2>&1; then build=(docker build); pusher=(docker push)
else
  log "none of podman, buildah or docker is installed; install one (podman and buildah need no daemon)"
  exit 1
fi

log "mvn package (operator and gateway jars with their dependencies)"
(cd "$root" && mvn -B -q -pl operator,gateway -am package -DskipTests)

for component in operator gateway; do
  image=$registry/$component:$tag
  log "${build[0]}: $image"
  "${build[@]}" -f "$root/images/$component/Dockerfile" -t "$image" "$root"
  if $push; then
    log "push $image"
    "${pusher[@]}" "$image"
  fi
done
log "done; install the chart with --set image.registry=$registry --set image.tag=$tag"
