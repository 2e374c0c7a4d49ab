#!/usr/bin/env bash
# Prints the path of the pinned helm binary, building it from its Go module the first time
# (about two minutes on 2 cores with a warm module cache, longer cold). Tests and CI call this.
set -euo pipefail
# v3.21.4: the newest helm 3 patch the Go module proxy serves that builds with Go 1.26.
HELM_VERSION="${HELM_VERSION:-v3.21.4}"
# The Kubernetes version helm assumes for `helm template`/`helm lint` (.Capabilities.KubeVersion).
# helm's Makefile derives it from its client-go (v0.36 in helm v3.21 -> Kubernetes 1.36); a plain
# `go install` would leave the fallback 1.20, too old for the chart's kubeVersion.
K8S_MINOR="${K8S_MINOR:-36}"
ldflags="-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in pkg/lint/rules pkg/chartutil; do
  ldflags+=" -X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${K8S_MINOR}"
done
exec "$(dirname "${BASH_SOURCE[0]}")/ensure-go-tool.sh" helm helm.sh/helm/v3/cmd/helm "${HELM_VERSION}" "${ldflags}"
