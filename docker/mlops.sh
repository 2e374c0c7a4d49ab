#!/bin/sh
# The `mlops` CLI inside an image (the bundled apps/cli), e.g. `mlops train` or `mlops models list`.
exec node /app/dist/apps/cli/main.js "$@"
