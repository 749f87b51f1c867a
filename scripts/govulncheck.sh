#!/usr/bin/env bash
# make lint's vulnerability check: govulncheck at a pinned version, run
# through the Go module proxy, against the Go vulnerability database
# (https://vuln.go.dev, or GOVULNDB, e.g. file:///srv/vulndb for a mirror).
# Exit 1 when a vulnerability reaches the code (or govulncheck fails).
# When the database (or the module proxy) cannot be reached — machines
# without Internet — the check is SKIPPED, saying so, and the rest of
# make lint goes on; GOVULNCHECK_REQUIRED=1 makes that a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
VERSION=v1.10.0
db=${GOVULNDB:-https://vuln.go.dev}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
${GO:-go} run "golang.org/x/vuln/cmd/govulncheck@$VERSION" -db "$db" ./... >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
  echo "govulncheck $VERSION: $(tail -n 1 "$out")"
  exit 0
fi
reason=$(grep -E 'fetching vulnerabilities|dial tcp|no such host|connection refused|i/o timeout|TLS handshake' "$out" | head -1)
if [ -n "$reason" ]; then
  echo "govulncheck $VERSION: SKIPPED — the vulnerability database ($db) or the Go module proxy cannot be reached:"
  echo "  $reason"
  echo "  (set GOVULNDB=file:///path/to/a/mirror, or run make lint with network; GOVULNCHECK_REQUIRED=1 makes this an error)"
  [ -n "${GOVULNCHECK_REQUIRED:-}" ] && exit 1
  exit 0
fi
cat "$out"
exit 1
