#!/usr/bin/env bash
# Serves the bundled demo with bin/passerelle (or $PASSERELLE_BIN), opens 500
# loopback connections each declaring a request body of CL bytes (default
# 4 000 000, then 1 000 000) and sending one byte, and prints the server's RSS
# before and while they are held (README#Reliability). Bounded: ~10 s per run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PASSERELLE_BIN:-bin/passerelle}
[ -x "$bin" ] || go build -o bin/passerelle ./cmd/passerelle
go build -o bin/slowbody ./internal/slowbody
port=${PORT:-18080}
pid="" dir=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$dir" ] && rm -rf "$dir"' EXIT
for cl in ${CL:-4000000 1000000}; do
  dir=$(mktemp -d)
  sed "s#dir = \"testdata/demo\"#dir = \"$PWD/testdata/demo\"#" catalogs.toml >"$dir/catalogs.toml"
  "$bin" serve --addr "127.0.0.1:$port" --config "$dir/catalogs.toml" --cache "$dir/data" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  before=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  bin/slowbody -addr "127.0.0.1:$port" -n 500 -cl "$cl" -hold 4s &
  sp=$!
  sleep 3
  during=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  wait "$sp"
  echo "Content-Length $cl × 500 connections: serve RSS ${before} kB before, ${during} kB while held"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  pid="" dir=""
done
