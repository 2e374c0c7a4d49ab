#!/usr/bin/env bash
# Prints the path of the pinned helm binary, building it from its Go module the first time
# (about two minutes on 2 cores with a warm module cache, longer cold). Tests and CI call this.
set -euo pipefail
# v3.21.4: the newest helm 3 patch the Go module proxy serves that builds with Go 1.26.
HELM_VERSION="${HELM_VERSION:-v3.21.4}"
# The version string is stamped so `helm version` reports the pin, as a release binary does.
exec "$(dirname "${BASH_SOURCE[0]}")/ensure-go-tool.sh" helm helm.sh/helm/v3/cmd/helm "${HELM_VERSION}" \
  "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
