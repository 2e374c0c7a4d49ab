#!/usr/bin/env bash
# Builds a pinned Go command from its module into <repo>/.cache/<name>/<version>/ (git-ignored) the
# first time, and prints the binary's path; later calls return at once. Concurrent callers wait on
# one lock instead of building twice. Used by ensure-helm.sh and ensure-actionlint.sh.
#
#   tools/helm/ensure-go-tool.sh NAME MODULE_PATH VERSION [LDFLAGS]
set -euo pipefail

name="$1" module="$2" version="$3" ldflags="${4:-}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="${repo_root}/.cache/${name}/${version}"
bin="${bin_dir}/${name}"
# The build recipe beside the binary: a changed pin or ldflags rebuilds it.
recipe="${module}@${version} ${ldflags}"
stamp="${bin_dir}/.recipe"

built() { [[ -x "${bin}" && -f "${stamp}" && "$(cat "${stamp}")" == "${recipe}" ]]; }

if built; then
  echo "${bin}"
  exit 0
fi

command -v go >/dev/null || { echo "ensure-go-tool: go is not installed; cannot build ${name} ${version}" >&2; exit 1; }
mkdir -p "${bin_dir}"
exec 9>"${bin_dir}.lock"
flock 9
if ! built; then
  echo "ensure-go-tool: building ${name} ${version} into ${bin_dir} (first time only)" >&2
  # -p 2 and nice: the machine has 2 cores shared with other work.
  GOBIN="${bin_dir}" GOFLAGS="-buildvcs=false" nice -n 10 go install -p 2 -ldflags "-s -w ${ldflags}" \
    "${module}@${version}" >&2
  echo "${recipe}" > "${stamp}"
fi
echo "${bin}"
