#!/usr/bin/env bash
# Bounded HTTP load benchmarks (make bench; not part of make test): a
# catalog of 5 000 generated records is harvested from the test CSW server
# into a fresh embedded store, served by passerelle, and loaded with wrk
# (50 connections, 10 s each) on:
#   - a DCAT feed page of 50 datasets in Turtle, beside the same bytes from
#     a static file server (target: at least half its requests/s);
#   - a CSW GetRecords of 50 full ISO records;
#   - an organization feed page of 50 datasets (the organization claims
#     every producer of the catalog).
# pycsw is not compared here: Debian has no python3-pycsw package to run it
# from (apt-cache policy python3-pycsw: none).
# Only loopback addresses are used; every process started here is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }
DURATION=${DURATION:-10s}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/passerelle" ./cmd/passerelle
go build -o "$work/cswserve" ./internal/cswtest/cmd/cswserve
go build -o "$work/staticserve" ./internal/staticserve

"$work/cswserve" -addr 127.0.0.1:18090 -generate 5000 2>/dev/null & pids+=($!)
cat > "$work/catalogs.toml" <<TOML
[server]
public_url = "http://127.0.0.1:18080"

[[catalog]]
id = "bench"
title = "Benchmark"
url = "http://127.0.0.1:18090/csw"
page_size = 100

[[organization]]
id = "bench-org"
title = "Benchmark organization"
datagouv_id = "65a0de0000000000000000b9"
mode = "harvest"
  [[organization.source]]
  catalog = "bench"
  producers = ["*"]
TOML
for _ in $(seq 50); do curl -sf "http://127.0.0.1:18090/csw?service=CSW&request=GetCapabilities" >/dev/null && break; sleep 0.1; done
/usr/bin/time -f "harvest 5000: %e s wall, %U s user, %S s sys, peak RSS %M KiB" \
  "$work/passerelle" harvest --config "$work/catalogs.toml" --cache "$work/data" --json | head -c 300; echo
/usr/bin/time -f "second harvest (unchanged): %e s wall, %U s user, %S s sys, peak RSS %M KiB" \
  "$work/passerelle" harvest --config "$work/catalogs.toml" --cache "$work/data" --json | head -c 300; echo

PASSERELLE_LOG_LEVEL=error "$work/passerelle" serve --config "$work/catalogs.toml" --cache "$work/data" --addr 127.0.0.1:18080 2>/dev/null & pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done

feed="http://127.0.0.1:18080/catalogs/bench/catalog.ttl?page=3&page_size=50"
csw="http://127.0.0.1:18080/catalogs/bench/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results&startPosition=101&maxRecords=50"
mkdir -p "$work/static"
curl -sf "$feed" -o "$work/static/page.ttl"
"$work/staticserve" -addr 127.0.0.1:18091 -dir "$work/static" & pids+=($!)
sleep 0.3
curl -sf "$csw" -o /dev/null

echo "== Turtle feed page of 50 datasets ($(wc -c <"$work/static/page.ttl") bytes)"
wrk -t2 -c50 -d"$DURATION" --latency "$feed" | grep -E "Requests/sec|99%|Transfer"
echo "== the same bytes from a static file server"
wrk -t2 -c50 -d"$DURATION" --latency "http://127.0.0.1:18091/page.ttl" | grep -E "Requests/sec|99%|Transfer"
echo "== CSW GetRecords, 50 full ISO records"
wrk -t2 -c50 -d"$DURATION" --latency "$csw" | grep -E "Requests/sec|99%|Transfer"
org="http://127.0.0.1:18080/organizations/bench-org/catalog.ttl?page=3&page_size=50"
curl -sf "$org" -o /dev/null
echo "== organization feed page of 50 datasets over the 5 000-record catalog"
wrk -t2 -c50 -d"$DURATION" --latency "$org" | grep -E "Requests/sec|99%|Transfer"
echo "== passerelle serve memory after the runs (5 000 records loaded)"
grep -E "VmRSS|VmHWM" "/proc/$(pgrep -f "passerelle serve --config $work/catalogs.toml" | head -1)/status" || true
