#!/usr/bin/env bash
# make test: install missing test tools, make sure a Redis answers (starting
# one on a free port when none does, stopped again on exit), then go vet and
# go test -race over every package. The Redis tests are never skipped here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-deps.sh
if [ -f .test-env ]; then
  # shellcheck disable=SC1091
  source .test-env
  trap 'kill "$(cat "$PASSERELLE_TEST_REDIS_PIDFILE")" 2>/dev/null || true; rm -f .test-env' EXIT
fi
go vet ./...
go test -race -shuffle=on -count=1 -timeout 40m "$@" ./...
