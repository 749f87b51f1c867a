"""Filtered queries with OWSLib against a passerelle CSW facade.

usage: owslib_queries.py URL ORGANISATION WORD ID
Prints {"org": [ids], "like": [ids], "byid": [ids], "bbox": [ids]}.
"""
import json
import sys

from owslib.catalogue.csw2 import CatalogueServiceWeb
from owslib.fes import PropertyIsEqualTo, PropertyIsLike, BBox

url, org, word, rid = sys.argv[1:5]
csw = CatalogueServiceWeb(url, timeout=60)
iso = dict(outputschema="http://www.isotc211.org/2005/gmd", typenames="gmd:MD_Metadata", esn="full", maxrecords=100)

out = {}
csw.getrecords2(constraints=[PropertyIsEqualTo("apiso:OrganisationName", org)], **iso)
out["org"] = sorted(csw.records.keys())
csw.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%" + word + "%")], **iso)
out["like"] = sorted(csw.records.keys())
# No srsName: EPSG:4326 latitude first, as pycsw and the ISO AP read it.
csw.getrecords2(constraints=[BBox([47.9, -1.9, 48.2, -1.5])], **iso)
out["bbox"] = sorted(csw.records.keys())
csw.getrecords2(constraints=[BBox([47.9, -1.9, 48.2, -1.5], crs="urn:ogc:def:crs:EPSG::4326")], **iso)
out["bbox_urn"] = sorted(csw.records.keys())
# Longitude first when the CRS says so.
csw.getrecords2(constraints=[BBox([-1.9, 47.9, -1.5, 48.2], crs="urn:ogc:def:crs:OGC:1.3:CRS84")], **iso)
out["bbox_crs84"] = sorted(csw.records.keys())
csw.getrecordbyid(id=[rid], outputschema="http://www.isotc211.org/2005/gmd")
out["byid"] = sorted(csw.records.keys())
print(json.dumps(out))
