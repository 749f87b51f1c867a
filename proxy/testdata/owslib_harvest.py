"""Harvest a passerelle CSW facade with OWSLib, the way QGIS MetaSearch and
pycsw's harvester do, and print what was seen as JSON.

usage: owslib_harvest.py URL SCHEMA [skip_caps] [page_size]
SCHEMA: iso | dc
Prints {"matched", "ids": [...sorted...], "children": N, "pages": N}.
Exits non-zero on an exception, a duplicate, or a count mismatch.
"""
import json
import sys
import re

from owslib.catalogue.csw2 import CatalogueServiceWeb

url, schema = sys.argv[1], sys.argv[2]
skip_caps = len(sys.argv) > 3 and sys.argv[3] == "skip_caps"
page_size = int(sys.argv[4]) if len(sys.argv) > 4 else 7

csw = CatalogueServiceWeb(url, timeout=60, skip_caps=skip_caps)
if not skip_caps:
    ops = [op.name for op in csw.operations]
    for need in ("GetCapabilities", "GetRecords", "GetRecordById"):
        assert need in ops, (need, ops)

if schema == "iso":
    kw = dict(outputschema="http://www.isotc211.org/2005/gmd", typenames="gmd:MD_Metadata")
    child = re.compile(rb"<(gmd:MD_Metadata|gmi:MI_Metadata)[\s>]")
else:
    kw = dict(outputschema="http://www.opengis.net/cat/csw/2.0.2", typenames="csw:Record")
    child = re.compile(rb"<csw:Record[\s>]")

start, ids, children, pages, matched = 1, [], 0, 0, None
while True:
    csw.getrecords2(esn="full", startposition=start, maxrecords=page_size, **kw)
    pages += 1
    res = csw.results
    matched = res["matches"]
    children += len(child.findall(csw.response))
    ids.extend(csw.records.keys())
    if res["nextrecord"] == 0 or res["returned"] == 0:
        break
    assert res["nextrecord"] == start + res["returned"], res
    start = res["nextrecord"]
    assert pages < 1000, "paging does not end"

if len(ids) != len(set(ids)):
    sys.exit("duplicate identifiers: %d ids, %d unique" % (len(ids), len(set(ids))))
if children != matched:
    sys.exit("children %d != matched %d" % (children, matched))
print(json.dumps({"matched": matched, "ids": sorted(ids), "children": children, "pages": pages}))
