#!/bin/sh
# Checks every demo record: well-formed, fileIdentifier = file name, and valid
# against the offline ISO 19139 schemas (gmd + srv + gmx) of ../shared/xsd.
# gmi:MI_Metadata has no offline schema: its body is validated as gmd:MD_Metadata
# (root renamed, gmi:acquisitionInformation removed, GML 3.2 namespace read as GML 3.1.1).
# Usage: sh testdata/demo/check.sh [shared-dir]   (default: $PASSERELLE_SHARED or ../shared)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${PASSERELLE_SHARED:-$dir/../../../shared}}
xsd=$(cd "$shared/xsd/iso19139/20060504" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# srv.xsd cannot be compiled on its own (circular gmd/srv imports): a wrapper imports gmd first.
cat >"$tmp/iso.xsd" <<XSD
<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-passerelle-demo-check">
  <xs:import namespace="http://www.isotc211.org/2005/gmd" schemaLocation="file://$xsd/gmd/gmd.xsd"/>
  <xs:import namespace="http://www.isotc211.org/2005/srv" schemaLocation="file://$xsd/srv/srv.xsd"/>
  <xs:import namespace="http://www.isotc211.org/2005/gmx" schemaLocation="file://$xsd/gmx/gmx.xsd"/>
</xs:schema>
XSD
fail=0
n=0
for f in "$dir"/*.xml; do
  n=$((n + 1))
  base=$(basename "$f" .xml)
  if ! xmllint --nonet --noout "$f"; then fail=1; continue; fi
  id=$(xmllint --nonet --xpath 'string(/*/*[local-name()="fileIdentifier"]/*)' "$f")
  if [ "$id" != "$base" ]; then echo "$f: fileIdentifier \"$id\" does not match the file name"; fail=1; fi
  target=$f
  if grep -q '<gmi:MI_Metadata' "$f"; then
    target="$tmp/$base.gmd.xml"
    sed -e 's/gmi:MI_Metadata/gmd:MD_Metadata/g' -e 's|http://www.opengis.net/gml/3.2|http://www.opengis.net/gml|' "$f" |
      xmllint --nonet --format - |
      awk '/<gmi:acquisitionInformation>/{skip=1} !skip{print} /<\/gmi:acquisitionInformation>/{skip=0}' >"$target"
  fi
  if ! xmllint --nonet --noout --schema "$tmp/iso.xsd" "$target" 2>"$tmp/err"; then
    grep -v 'parser warning\|Skipping import' "$tmp/err" >&2 || true
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "$n records: well-formed, named after their fileIdentifier, schema-valid"
exit "$fail"
