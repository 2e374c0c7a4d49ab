#!/usr/bin/env bash
# Builds (and with --push, pushes) the image of one app from docker/Dockerfile, tagged by commit.
#
#   docker/build-image.sh <app> [--push]
#   env IMAGE_REGISTRY  registry and namespace, default `mlops` (e.g. ghcr.io/acme/mlops)
#       IMAGE_TAG       default: the current commit's short sha
#
# The apps and their ports are listed once, in docker/apps.json.
set -euo pipefail

app="${1:?usage: docker/build-image.sh <app> [--push]}"
push="${2:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="$(node -e 'const apps = require(process.argv[1]); const app = apps[process.argv[2]];
  if (!app) { console.error(`unknown app "${process.argv[2]}"; one of: ${Object.keys(apps).join(", ")}`); process.exit(2); }
  console.log(app.port);' "${root}/docker/apps.json" "${app}")"
git_sha="$(git -C "${root}" rev-parse HEAD 2>/dev/null || echo unknown)"
tag="${IMAGE_TAG:-${git_sha:0:12}}"
image="${IMAGE_REGISTRY:-mlops}/${app}:${tag}"

docker build -f "${root}/docker/Dockerfile" \
  --build-arg "APP=${app}" --build-arg "PORT=${port}" --build-arg "GIT_SHA=${git_sha}" \
  --label "org.opencontainers.image.version=${tag}" \
  -t "${image}" "${root}"
if [[ "${push}" == "--push" ]]; then
  docker push "${image}"
fi
echo "${image}"
