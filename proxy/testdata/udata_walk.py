"""Walk a passerelle DCAT feed the way data.gouv.fr's DCAT harvester does
(udata.md §A): format from the extension, follow hydra:next (or the legacy
hydra:nextPage) until absent, take every dcat:Dataset / dcat:DatasetSeries
node, require one dct:identifier and a dct:title each, no identifier twice,
and resource URLs udata's validator accepts.

usage: udata_walk.py FEED_URL
Prints {"pages", "datasets": [identifiers], "resources", "bad_urls": [...], "problems": [...]}.
"""
import json
import re
import sys
import urllib.request
from urllib.parse import urlparse

from rdflib import Graph, Namespace, RDF, URIRef

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt"}


def url_ok(u):
    """udata/uris.py in short: http(s)/ftp(s), a host, no whitespace."""
    p = urlparse(u)
    return p.scheme in ("http", "https", "ftp", "ftps") and bool(p.hostname) and not re.search(r"\s", u)


url = sys.argv[1]
fmt = next((f for ext, f in FORMATS.items() if urlparse(url).path.endswith(ext)), "turtle")
seen, ids, problems, bad, resources, pages = set(), [], [], [], 0, 0
while url:
    pages += 1
    if pages > 1000:
        sys.exit("paging does not end")
    if url in seen:
        sys.exit("page visited twice: " + url)
    seen.add(url)
    body = urllib.request.urlopen(url, timeout=60).read()
    g = Graph()
    g.parse(data=body, format=fmt)
    nodes = set(g.subjects(RDF.type, DCAT.Dataset)) | set(g.subjects(RDF.type, DCAT.DatasetSeries))
    for n in sorted(nodes):
        idents = list(g.objects(n, DCT.identifier))
        titles = list(g.objects(n, DCT.title))
        if len(idents) != 1:
            problems.append("%s: %d dct:identifier" % (n, len(idents)))
            continue
        if not titles:
            problems.append("%s: no dct:title" % n)
        ids.append(str(idents[0]))
        for d in g.objects(n, DCAT.distribution):
            resources += 1
            urls = [str(u) for p in (DCAT.downloadURL, DCAT.accessURL) for u in g.objects(d, p)]
            if not urls:
                problems.append("%s: distribution without URL" % n)
            for u in urls:
                if not url_ok(u):
                    bad.append(u)
    nxt = [str(o) for view in g.objects(None, HYDRA.view) for o in g.objects(view, HYDRA.next)]
    nxt += [str(o) for o in g.objects(None, HYDRA.nextPage)]
    url = nxt[0] if nxt else None

dups = sorted({i for i in ids if ids.count(i) > 1})
if dups:
    problems.append("identifiers seen twice: %s" % dups)
print(json.dumps({"pages": pages, "datasets": sorted(ids), "resources": resources, "bad_urls": bad, "problems": problems}))
