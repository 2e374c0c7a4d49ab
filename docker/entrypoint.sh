#!/bin/sh
# Starts the app this image was built for (APP is baked in at build time). With arguments it runs
# them instead, e.g. `mlops train` for the trainer CronJob. `exec` makes node PID 1, so SIGTERM
# reaches the app's own shutdown handler (stop intake, drain, disconnect).
set -eu
if [ "$#" -gt 0 ]; then
  exec "$@"
fi
exec node "/app/dist/apps/${APP}/main.js"
