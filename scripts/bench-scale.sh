#!/usr/bin/env bash
# Scale benchmark (make bench-scale N=…; not part of make test):
#   scripts/bench-scale.sh N
# generates N real-size ISO 19139 records from the shared corpus (varied
# identifiers, titles, producers and boxes; internal/scalegen), then for each
# store (STORES, default "bolt redis"):
#   - harvests them from a folder catalog (peak RSS, wall time), then again
#     unchanged; with CSW=1 (default when N <= 20000) also from the test CSW
#     server (cswserve -dir, pages of 100) into a fresh store;
#   - serves them and prints the time to ready (first /healthz answer), the
#     first answer and the p95 of SAMPLES requests per route (random pages),
#     then RssAnon / VmRSS / VmHWM of the serve process after that mixed load.
# Redis runs as a private redis-server on a free loopback port (no
# persistence), stopped at the end. Only loopback addresses are used; every
# process started here is stopped; the generated records live in a temporary
# folder (about 36 KB per record) removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-5000}}
STORES=${STORES:-"bolt redis"}
SAMPLES=${SAMPLES:-40}
CSW=${CSW:-$([ "$N" -le 20000 ] && echo 1 || echo 0)}
export PASSERELLE_SHARED=${PASSERELLE_SHARED:-$(cd .. && pwd)/shared}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-scale.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

go build -o "$work/passerelle" ./cmd/passerelle
go build -o "$work/scalegen" ./internal/scalegen/cmd/scalegen
go build -o "$work/cswserve" ./internal/cswtest/cmd/cswserve

echo "== bench-scale: $N records, stores: $STORES, $(nproc) cores, $(date -u +%FT%TZ), commit $(git describe --always --dirty)"
"$work/scalegen" -n "$N" -out "$work/recs" -corpus "$PASSERELLE_SHARED/corpus"

port=$(freeport)
cat >"$work/catalogs.toml" <<TOML
[server]
public_url = "http://127.0.0.1:$port"

[[catalog]]
id = "scale"
title = "Scale benchmark"
dir = "$work/recs"

[[organization]]
id = "scale-org"
title = "Scale organization"
datagouv_id = "0123456789abcdef01234567"
mode = "harvest"
  [[organization.source]]
  catalog = "scale"
  producers = ["*"]
TOML

# run LABEL CMD…: runs a command under /usr/bin/time, prints wall time and peak RSS.
run() {
	local label=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { echo "$label: FAILED"; tail -5 "$work/err"; return 1; }
	read -r wall rss user sys <"$work/time"
	printf '%-34s %8.1f s wall  %6.2f ms/record  %6.1f s CPU  peak RSS %6d MiB  %s\n' "$label" "$wall" \
		"$(echo "$wall * 1000 / $N" | bc -l)" "$(echo "$user + $sys" | bc -l)" $((rss / 1024)) "$(python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print("status %s, %d records, %d parsed" % (r["status"], r["records"], r["parsed"]))' <"$work/out" 2>/dev/null || head -c 100 "$work/out")"
}

# latency URL: seconds for one request (fails on a non-2xx answer).
latency() { curl -s -o /dev/null -f -w '%{time_total}' --max-time 120 "$1"; }

# route NAME URL-with-%PAGE%: first answer, then the p95 of SAMPLES requests on random pages.
route() {
	local name=$1 url=$2 pages=$3 first p95 t
	local u1=${url//%PAGE%/1}
	u1=${u1//%ID%/$(head -1 "$work/recs/ids.txt")}
	first=$(latency "$u1") || first="fail"
	: >"$work/lat"
	for _ in $(seq "$SAMPLES"); do
		local n=$(((RANDOM * 32768 + RANDOM) % pages + 1)) u
		u=${url//%PAGE%/$n}
		[[ $u == *%ID%* ]] && u=${u//%ID%/$(sed -n "${n}p" "$work/recs/ids.txt")}
		t=$(latency "$u") || t=999
		echo "$t" >>"$work/lat"
	done
	p95=$(sort -n "$work/lat" | awk -v n="$SAMPLES" '{a[NR]=$1} END {i=int(n*0.95+0.999); print a[i]}')
	printf '  %-28s first %7.0f ms   p95 %7.0f ms\n' "$name" "$(echo "${first/fail/-0.001} * 1000" | bc -l)" "$(echo "$p95 * 1000" | bc -l)"
}

serve_and_measure() {
	local cache=$1 label=$2
	local base="http://127.0.0.1:$port"
	local start=$(date +%s.%N)
	PASSERELLE_LOG_LEVEL=error "$work/passerelle" serve --config "$work/catalogs.toml" --cache "$cache" --addr "127.0.0.1:$port" --harvest=false --reload 0 2>"$work/serve.err" &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 600); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.05; done
	printf '%-34s %8.2f s to ready (/healthz)\n' "serve ($label)" "$(echo "$(date +%s.%N) - $start" | bc -l)"
	local pages=$(((N + 49) / 50))
	local producer
	producer=$(curl -sf --max-time 120 "$base/catalogs/scale/producers.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d, key=lambda p: -p["count"])[0]["slug"])' 2>/dev/null || echo "_none")
	local csw="$base/catalogs/scale/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results"
	route "catalog.ttl?page=N" "$base/catalogs/scale/catalog.ttl?page=%PAGE%" "$pages"
	route "datasets.json?page=N" "$base/catalogs/scale/datasets.json?page=%PAGE%" "$pages"
	route "producer catalog.ttl" "$base/catalogs/scale/producers/$producer/catalog.ttl?page=1" 1
	route "organization catalog.ttl" "$base/organizations/scale-org/catalog.ttl?page=%PAGE%" "$((pages / 2))"
	route "dataset document .ttl" "$base/catalogs/scale/datasets/%ID%.ttl" "$N"
	route "csw GetRecords 50 full ISO" "$csw&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&maxRecords=50&startPosition=%PAGE%" "$((N > 50 ? N - 50 : 1))"
	route "csw AnyText filter" "$csw&elementSetName=brief&maxRecords=10&constraintLanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=AnyText%20LIKE%20%27%25lot%20%PAGE%%25%27" "$N"
	route "csw BBOX filter" "$csw&elementSetName=brief&maxRecords=10&constraintLanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=BBOX(ows:BoundingBox,%202,46,2.%PAGE%,47)" 9
	grep -E "^(RssAnon|VmRSS|VmHWM)" "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ' | sed 's/^/  serve memory after the load: /'
	echo
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

redis_pid=""
for store in $STORES; do
	case $store in
	bolt)
		cache="$work/data-bolt"
		;;
	redis)
		if [ -z "$redis_pid" ]; then
			rport=$(freeport)
			redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
			redis_pid=$!
			pids+=("$redis_pid")
			for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
		fi
		cache="redis://127.0.0.1:$rport/0"
		;;
	*)
		echo "unknown store $store" >&2
		exit 2
		;;
	esac
	echo "-- store: $store"
	run "harvest folder ($store)" "$work/passerelle" harvest --config "$work/catalogs.toml" --cache "$cache" --json
	run "harvest folder unchanged ($store)" "$work/passerelle" harvest --config "$work/catalogs.toml" --cache "$cache" --json
	serve_and_measure "$cache" "$store"
	if [ "$store" = redis ]; then
		echo "  redis used_memory: $(redis-cli -p "$rport" info memory | grep -E '^used_memory_human' | cut -d: -f2 | tr -d '\r')"
	fi
	if [ "$CSW" = 1 ]; then
		cport=$(freeport)
		"$work/cswserve" -addr "127.0.0.1:$cport" -dir "$work/recs" 2>/dev/null &
		cpid=$!
		pids+=("$cpid")
		for _ in $(seq 200); do curl -sf "http://127.0.0.1:$cport/csw?service=CSW&request=GetCapabilities" >/dev/null && break; sleep 0.1; done
		sed -e "s|^dir = .*|url = \"http://127.0.0.1:$cport/csw\"\npage_size = 100|" "$work/catalogs.toml" >"$work/catalogs-csw.toml"
		ccache="$work/data-csw-bolt"
		[ "$store" = redis ] && ccache="redis://127.0.0.1:$rport/1"
		# The same pages one after the other, as a floor for the CSW harvest.
		dl_start=$(date +%s.%N)
		for ((s = 1; s <= N; s += 100)); do
			curl -sf -o /dev/null "http://127.0.0.1:$cport/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results&startPosition=$s&maxRecords=100"
		done
		printf '%-34s %8.1f s wall (curl, pages of 100 in sequence)\n' "download the same pages" "$(echo "$(date +%s.%N) - $dl_start" | bc -l)"
		run "harvest CSW ($store)" "$work/passerelle" harvest --config "$work/catalogs-csw.toml" --cache "$ccache" --json
		kill "$cpid" 2>/dev/null || true
		wait "$cpid" 2>/dev/null || true
	fi
done
echo "disk: $(du -sh "$work/recs" | cut -f1) of generated records; bolt store $(du -sh "$work/data-bolt" 2>/dev/null | cut -f1)"
