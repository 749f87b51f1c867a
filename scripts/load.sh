#!/usr/bin/env bash
# make load: faults survived under load, on loopback only, bounded in time
# (about 3 minutes with the defaults). Every check prints PASS or FAIL with
# its figures; the script exits 1 when one failed. Every process it starts
# (test CSW servers, a private redis-server on a free port, passerelle) is
# stopped on exit; the machine's own Redis is never touched.
#
#  1. Load held: wrk on a Turtle feed page, a CSW GetRecords of full ISO
#     records and a JSON page, at once, for LOAD_DURATION seconds, while
#     `passerelle harvest` runs again and again on the same catalog (on the
#     private Redis, alternating two upstreams whose content differs, so
#     every run rewrites every record): 0 errors, every harvest ok; p99 and
#     requests/s printed.
#  2. Redis killed (SIGKILL) in the middle of a harvest, under load, then
#     restarted: meanwhile every answer is the last good snapshot (200) or
#     503, quickly; the harvest ends `failed`; after the restart the same
#     `serve` answers again and the next harvest is served.
#  3. On the embedded store, `harvest` then `serve` killed with SIGKILL in
#     the middle of a harvest: the next start serves the last complete
#     snapshot (same generation, same content) and the next harvest works.
#  4. data.gouv.fr answering 429, 500, timeouts and dropped connections
#     during `push apply`: the Go tests proving that re-runs converge with
#     0 duplicates.
#
# Knobs: LOAD_DURATION (s, default 60), LOAD_RECORDS (default 5000),
# LOAD_CONNECTIONS (per wrk run, default 16); LOAD_KEEP=1 keeps the logs.
set -uo pipefail
cd "$(dirname "$0")/.."
DURATION=${LOAD_DURATION:-60}
RECORDS=${LOAD_RECORDS:-5000}
CONNS=${LOAD_CONNECTIONS:-16}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v redis-server >/dev/null || need+=(redis-server)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "load: installing ${need[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/passerelle-load.XXXXXX")
pids=()
redis_pid=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$redis_pid" ]; then kill -9 "$redis_pid" 2>/dev/null || true; fi
  wait 2>/dev/null
  if [ -n "${LOAD_KEEP:-}" ]; then echo "load: logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
note() { printf '      %s\n' "$*"; }
# check NAME CMD...: PASS when CMD succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_ok URL [TRIES]: until URL answers 2xx, 0.1 s apart.
wait_ok() { for _ in $(seq "${2:-100}"); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get(sys.argv[1],""))' "$1" 2>/dev/null; }
status_of() { grep -o '"status":"[a-z]*"' | head -1 | cut -d'"' -f4; }
# pages_seen LOG: GetRecords requests an upstream logged so far.
pages_seen() { grep -c 'GetRecords startPosition=[0-9]' "$1" 2>/dev/null || true; }
# wait_pages LOG N: until the upstream has answered N more pages (a harvest
# is then in its middle), 30 s at most.
wait_pages() {
  local want=$(($(pages_seen "$1") + $2))
  for _ in $(seq 300); do [ "$(pages_seen "$1")" -ge "$want" ] && return 0; sleep 0.1; done
  return 1
}

echo "== building"
go build -o bin/passerelle ./cmd/passerelle || exit 1
go build -o "$work/cswserve" ./internal/cswtest/cmd/cswserve || exit 1
P=bin/passerelle

CA=$(free_port); CB=$(free_port); CS=$(free_port); RP=$(free_port); SP=$(free_port)
U="http://127.0.0.1:$SP"
# Three upstreams with the same identifiers: A, B (other content) and a
# slow one (other content again, 100 ms a page: a harvest of it lasts
# several seconds, long enough to be interrupted in its middle).
"$work/cswserve" -addr "127.0.0.1:$CA" -generate "$RECORDS" 2>"$work/csw-a.log" & pids+=($!)
"$work/cswserve" -addr "127.0.0.1:$CB" -generate "$RECORDS" -shift 1 2>"$work/csw-b.log" & pids+=($!)
"$work/cswserve" -addr "127.0.0.1:$CS" -generate "$RECORDS" -shift 2 -delay 100ms -log-requests 2>"$work/csw-slow.log" & pids+=($!)
for p in "$CA" "$CB" "$CS"; do
  wait_ok "http://127.0.0.1:$p/csw?service=CSW&request=GetCapabilities" || { echo "load: test CSW server on $p did not start"; exit 1; }
done

# config FILE UPSTREAM_PORT [EVERY]
config() {
  {
    printf '[server]\npublic_url = "%s"\n\n[[catalog]]\nid = "load"\ntitle = "Load"\n' "$U"
    printf 'url = "http://127.0.0.1:%s/csw"\npage_size = 100\n' "$2"
    [ -n "${3:-}" ] && printf 'every = "%s"\n' "$3"
  } >"$1"
}
config "$work/a.toml" "$CA"; config "$work/b.toml" "$CB"; config "$work/slow.toml" "$CS"
config "$work/slow-every.toml" "$CS" 1m

mkdir -p "$work/redis"
start_redis() {
  redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec \
    --dir "$work/redis" --daemonize yes --pidfile "$work/redis/redis.pid" --logfile "$work/redis/redis.log" || return 1
  for _ in $(seq 100); do
    redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && { redis_pid=$(cat "$work/redis/redis.pid"); return 0; }
    sleep 0.1
  done
  return 1
}
start_redis || { echo "load: private redis-server on $RP did not start"; exit 1; }
REDIS="redis://127.0.0.1:$RP/0"
BOLT="$work/bolt"

# harvest CONFIG STORE: one harvest, its JSON line on stdout.
harvest() { "$P" harvest --config "$1" --cache "$2" --json --accept-drop 2>>"$work/harvest.err"; }
# serve CONFIG STORE LOG [flags…]: starts serve in the background; its pid
# in serve_pid.
serve() {
  local cfg=$1 store=$2 log=$3; shift 3
  PASSERELLE_LOG_LEVEL=warn "$P" serve --config "$cfg" --cache "$store" --addr "127.0.0.1:$SP" --reload 0 "$@" 2>"$log" &
  serve_pid=$!
  pids+=("$serve_pid")
}
stop_serve() { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }

FEED="$U/catalogs/load/catalog.ttl?page=3&page_size=50"
CSWQ="$U/catalogs/load/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results&startPosition=101&maxRecords=50"
JSON="$U/catalogs/load/datasets.json?page=4&page_size=50"
REPORTS="$U/catalogs/load/reports.json"
ONE="$U/catalogs/load/datasets/passerelle-test-000001.json"

# The embedded store's first snapshot, made now so that it is over a
# minute old (the shortest interval) when part 3 needs serve to harvest.
bolt_first=$(harvest "$work/a.toml" "$BOLT")
bolt_t0=$SECONDS

echo "== 1. load held: wrk for ${DURATION}s (feed, CSW, JSON; ${CONNS} connections each) while the catalog is harvested again and again"
first=$(harvest "$work/a.toml" "$REDIS")
check "first harvest of $RECORDS records into Redis: $(status_of <<<"$first")" test "$(status_of <<<"$first")" = ok
serve "$work/a.toml" "$REDIS" "$work/serve-redis.log" --harvest=false
wait_ok "$JSON" 200 || { fail "serve on Redis did not answer"; exit 1; }
for u in "$FEED" "$CSWQ" "$JSON"; do curl -sf -o /dev/null "$u"; done # warm
wrk_pids=()
for name in feed csw json; do
  case $name in feed) url=$FEED ;; csw) url=$CSWQ ;; json) url=$JSON ;; esac
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "$url" >"$work/wrk-$name.txt" 2>&1 &
  wrk_pids+=($!)
done
runs=0; runs_ok=0; durations=()
end=$((SECONDS + DURATION))
src=b
while [ $SECONDS -lt $end ] && [ $runs -lt 200 ]; do
  out=$(harvest "$work/$src.toml" "$REDIS")
  runs=$((runs + 1))
  [ "$(status_of <<<"$out")" = ok ] && runs_ok=$((runs_ok + 1))
  durations+=("$(json_field duration_ms <<<"$out")")
  if [ $src = b ]; then src=a; else src=b; fi
done
wait "${wrk_pids[@]}"
# wrk_figures FILE: "requests errors p99 req/s detail max" (wrk runs with a
# 10 s timeout: a slow answer shows in p99 and max, a failed one in errors)
wrk_figures() {
  local f=$1 reqs non2xx sock p99 rps max
  reqs=$(grep -oE '[0-9]+ requests in' "$f" | awk '{print $1}')
  non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$f" | awk '{print $NF}')
  sock=$(grep -oE 'Socket errors: .*' "$f" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  p99=$(grep -E '^ +99%' "$f" | awk '{print $2}')
  rps=$(grep 'Requests/sec' "$f" | awk '{print $2}')
  max=$(grep -E '^ +Latency ' "$f" | awk '{print $4}')
  echo "${reqs:-0} $((${non2xx:-0} + ${sock:-0})) ${p99:-?} ${rps:-0} ${non2xx:-0}-non-2xx/${sock:-0}-socket ${max:-?}"
}
for name in feed csw json; do
  read -r reqs errs p99 rps detail max < <(wrk_figures "$work/wrk-$name.txt")
  check "$name under harvests: $reqs requests, $errs errors ($detail), p99 $p99, max $max, $rps requests/s" test "$reqs" -gt 0 -a "$errs" -eq 0
done
check "harvests during the load: $runs_ok of $runs ok (durations ms: ${durations[*]})" test "$runs" -gt 0 -a "$runs_ok" -eq "$runs"

echo "== 2. Redis killed with SIGKILL in the middle of a harvest, under load, then restarted"
gen_before=$(curl -sf "$U/catalogs.json" | json_field generation)
wrk -t1 -c"$CONNS" -d20s --timeout 10s --latency "$JSON" >"$work/wrk-outage.txt" 2>&1 &
outage_wrk=$!
(harvest "$work/slow.toml" "$REDIS" >"$work/h-outage.json"; echo $? >"$work/h-outage.rc") &
outage_h=$!
if wait_pages "$work/csw-slow.log" 3 && kill -0 "$outage_h" 2>/dev/null; then
  kill -9 "$redis_pid"
  pass "Redis killed while a harvest was reading its pages"
else
  fail "no harvest in its middle to interrupt"
  kill -9 "$redis_pid"
fi
redis_pid=""
n200=0; n503=0; nother=0; slow200=0; slow503=0; slow200_url=""
for _ in $(seq 10); do
  for u in "$JSON" "$FEED" "$CSWQ" "$REPORTS"; do
    read -r code secs < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' "$u")
    case $code in
      200) n200=$((n200 + 1))
        if python3 -c "import sys; sys.exit(0 if $secs > $slow200 else 1)"; then slow200=$secs; slow200_url=${u#"$U"}; slow200_url=${slow200_url%%\?*}; fi ;;
      503) n503=$((n503 + 1)); slow503=$(python3 -c "print(max($slow503, $secs))") ;;
      *) nother=$((nother + 1)) ;;
    esac
  done
  sleep 0.2
done
check "during the outage: $n200 answers 200 (the last good snapshot, slowest ${slow200} s: $slow200_url), $n503 answers 503, $nother others" test "$nother" -eq 0 -a "$n200" -gt 0
check "during the outage every 503 came fast: slowest ${slow503} s (under 1 s)" python3 -c "import sys; sys.exit(0 if $slow503 < 1 else 1)"
wait "$outage_h"
outage_status=$(status_of <"$work/h-outage.json")
check "the harvest running meanwhile ended '${outage_status:-no report}' (exit $(cat "$work/h-outage.rc"))" test "$outage_status" = failed
restart_at=$SECONDS
start_redis || fail "redis-server did not restart"
recovered=""
for _ in $(seq 300); do
  ok=1
  for u in "$JSON" "$FEED" "$CSWQ" "$REPORTS"; do curl -sf -o /dev/null "$u" || ok=0; done
  [ $ok = 1 ] && { recovered=$((SECONDS - restart_at)); break; }
  sleep 0.1
done
check "after the restart every route answers again within ${recovered:-30+} s, serve not restarted (pid $serve_pid alive)" \
  test -n "$recovered" -a -d "/proc/$serve_pid"
# The interrupted run could not release its lease (Redis was down): the
# next harvest can only run once that lease has expired (a minute).
lease_wait=0
for _ in $(seq 20); do
  after=$(harvest "$work/b.toml" "$REDIS")
  grep -q 'lease is held' <<<"$after" || break
  sleep 5; lease_wait=$((lease_wait + 5))
done
note "the next harvest waited ${lease_wait} s for the interrupted run's lease to expire"
gen_after=""
for _ in $(seq 50); do
  gen_after=$(curl -sf "$U/catalogs.json" | json_field generation)
  [ "${gen_after:-0}" -gt "${gen_before:-0}" ] && break
  sleep 0.1
done
check "the next harvest is $(status_of <<<"$after") and served (generation $gen_before -> $gen_after)" \
  test "$(status_of <<<"$after")" = ok -a "${gen_after:-0}" -gt "${gen_before:-0}"
wait "$outage_wrk"
read -r reqs errs p99 rps detail max < <(wrk_figures "$work/wrk-outage.txt")
note "JSON load across the outage: $reqs requests, $errs errors ($detail: 503s count as non-2xx), p99 $p99, max $max"
stop_serve

echo "== 3. SIGKILL in the middle of a harvest on the embedded store"
check "first harvest into the embedded store: $(status_of <<<"$bolt_first")" test "$(status_of <<<"$bolt_first")" = ok
# served_state: "generation total title-of-record-1" from a serve that does not harvest.
served_state() {
  serve "$work/a.toml" "$BOLT" "$work/serve-bolt.log" --harvest=false
  wait_ok "$JSON" 100 || { stop_serve; echo "- - -"; return; }
  local gen total title
  gen=$(curl -sf "$U/catalogs.json" | json_field generation)
  total=$(curl -sf "$JSON" | json_field total)
  title=$(curl -sf "$ONE" | json_field title | tr ' ' '_')
  stop_serve
  echo "$gen $total $title"
}
read -r gen0 total0 title0 < <(served_state)
note "last complete snapshot: generation $gen0, $total0 datasets, record 1 titled '${title0//_/ }'"

"$P" harvest --config "$work/slow.toml" --cache "$BOLT" --json >/dev/null 2>&1 &
hpid=$!
mid=0
if wait_pages "$work/csw-slow.log" 3 && kill -0 "$hpid" 2>/dev/null; then mid=1; fi
kill -9 "$hpid" 2>/dev/null
{ wait "$hpid"; } 2>/dev/null; hrc=$?
check "the harvest was reading its pages when killed" test $mid = 1
check "harvest killed with SIGKILL in its middle (exit $hrc)" test "$hrc" -eq 137
read -r gen1 total1 title1 < <(served_state)
check "next start serves the last complete snapshot: generation $gen1, $total1 datasets, same record 1" \
  test "$gen1" = "$gen0" -a "$total1" = "$total0" -a "$title1" = "$title0"

# serve harvests a catalog at start when its snapshot is older than the
# catalog's interval (1 minute at least): wait until it is.
while [ $((SECONDS - bolt_t0)) -lt 62 ]; do sleep 1; done
PASSERELLE_LOG_LEVEL=warn "$P" serve --config "$work/slow-every.toml" --cache "$BOLT" --addr "127.0.0.1:$SP" --reload 0 2>"$work/serve-kill.log" &
spid=$!
pids+=("$spid")
mid=0
if wait_pages "$work/csw-slow.log" 3 && kill -0 "$spid" 2>/dev/null; then mid=1; fi
kill -9 "$spid" 2>/dev/null
{ wait "$spid"; } 2>/dev/null; src=$?
check "serve was harvesting (reading pages) when killed" test $mid = 1
check "serve killed with SIGKILL in the middle of its scheduled harvest (exit $src)" test "$src" -eq 137
read -r gen2 total2 title2 < <(served_state)
check "next start serves the last complete snapshot: generation $gen2, $total2 datasets, same record 1" \
  test "$gen2" = "$gen0" -a "$total2" = "$total0" -a "$title2" = "$title0"
again=$(harvest "$work/b.toml" "$BOLT")
read -r gen3 total3 title3 < <(served_state)
check "the next harvest is $(status_of <<<"$again") and served: generation $gen3, record 1 now '${title3//_/ }'" \
  test "$(status_of <<<"$again")" = ok -a "$gen3" = $((gen0 + 1)) -a "$title3" != "$title0"

echo "== 4. push faults (429, 500, timeouts, dropped connections): re-runs converge, 0 duplicates"
if go test -count=1 -run '^(TestFaultsThenRerun|TestIntentPreventsDuplicate|TestCancelledApplyThenRerun)$' ./push/ >"$work/push.txt" 2>&1; then
  pass "push: $(tail -1 "$work/push.txt")"
else
  cat "$work/push.txt"
  fail "push fault tests"
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "load: $failures check(s) FAILED"
  exit 1
fi
echo "load: every check passed"
