#!/bin/sh
# Starts one service of the image: `docker run bazaar orders`, or BAZAAR_SERVICE=orders.
set -eu
# The image's /app (the script sits beside dist/ and node_modules/).
cd "$(dirname "$0")"
service="${1:-${BAZAAR_SERVICE:-}}"
main="dist/services/${service}/src/main.js"
if [ -z "$service" ] || [ ! -f "$main" ]; then
  echo "name the service to run, one of: $(ls dist/services | tr '\n' ' ')" >&2
  exit 64
fi
# exec: node is PID 1 and receives SIGTERM itself, so the service drains and stops cleanly.
exec node --enable-source-maps --import ./dist/telemetry.js "$main"
