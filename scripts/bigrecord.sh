#!/usr/bin/env bash
# Harvests, with bin/passerelle (or $PASSERELLE_BIN), a test CSW server serving
# the demo records plus one whose abstract is a 50 MB text node, and prints the
# harvest's status, its problem about that record and the command's peak RSS
# (README#Reliability). Loopback only; bounded (one harvest, ~10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PASSERELLE_BIN:-bin/passerelle}
[ -x "$bin" ] || go build -o bin/passerelle ./cmd/passerelle
go build -o bin/cswserve ./internal/cswtest/cmd/cswserve
port=${PORT:-18090}
dir=$(mktemp -d)
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/records"
cp testdata/demo/*.xml "$dir/records/"
{
  printf '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">'
  printf '<gmd:fileIdentifier><gco:CharacterString>big-record</gco:CharacterString></gmd:fileIdentifier>'
  printf '<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>Big</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation><gmd:abstract><gco:CharacterString>'
  head -c 50000000 < <(yes texte) | tr '\n' ' '
  printf '</gco:CharacterString></gmd:abstract></gmd:MD_DataIdentification></gmd:identificationInfo></gmd:MD_Metadata>\n'
} >"$dir/records/zz-big.xml"
bin/cswserve -addr "127.0.0.1:$port" -dir "$dir/records" 2>/dev/null &
srv=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/csw?service=CSW&request=GetCapabilities" && break; sleep 0.1; done
printf '[server]\npublic_url = "http://127.0.0.1:8080"\n[[catalog]]\nid = "big"\ntitle = "Big"\nurl = "http://127.0.0.1:%s/csw"\n' "$port" >"$dir/catalogs.toml"
/usr/bin/time -f '%M' -o "$dir/rss" "$bin" harvest --json --config "$dir/catalogs.toml" --cache "$dir/data" >"$dir/report.json" 2>/dev/null || true
status=$(grep -o '"status":"[a-z]*"' "$dir/report.json" | head -1)
problem=$(grep -o 'record at position [0-9]* skipped: [^"]*' "$dir/report.json" | head -1 || true)
echo "harvest with a 50 MB text node: $status; ${problem:-no problem about it}; peak RSS $(tail -n 1 "$dir/rss") kB"
