#!/usr/bin/env bash
# Prints the path of the pinned actionlint binary (the GitHub Actions workflow checker), building
# it from its Go module the first time. The workflow integration spec calls this.
set -euo pipefail
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
exec "$(dirname "${BASH_SOURCE[0]}")/ensure-go-tool.sh" actionlint github.com/rhysd/actionlint/cmd/actionlint \
  "${ACTIONLINT_VERSION}" "-X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}"
