"""Parse every serialization written by the dcat tests and check that the
four serializations of each document are isomorphic.

Usage: /usr/bin/python3 isomorphic.py DIR
DIR holds NAME.ttl, NAME.nt, NAME.rdf and NAME.jsonld for each document.
Prints one line per failure and a summary; exit 1 on any failure.

Isomorphism is decided by colour refinement: blank nodes are labelled by
iterated hashes of their neighbourhoods, then the triple multisets are
compared. rdflib.compare.isomorphic is exact but far too slow on pages
with thousands of blank nodes.
N-Triples files are read with rdflib's Turtle parser (N-Triples is a subset
of Turtle): rdflib 6.1's own N-Triples parser decodes "\\\\f" as a form feed.
Strict N-Triples syntax is checked separately with serdi.
"""
import collections
import hashlib
import os
import sys
import warnings

from rdflib import BNode, Graph

FORMATS = {".ttl": "turtle", ".nt": "turtle", ".rdf": "xml", ".jsonld": "json-ld"}


def h(*parts):
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()


def term_key(t, colour):
    if isinstance(t, BNode):
        return "B" + colour[t]
    return t.n3()


def canonical(g, rounds=4):
    colour = {b: "" for t in g for b in (t[0], t[2]) if isinstance(b, BNode)}
    for _ in range(rounds):
        sig = collections.defaultdict(list)
        for s, p, o in g:
            if isinstance(s, BNode):
                sig[s].append("o" + p.n3() + term_key(o, colour))
            if isinstance(o, BNode):
                sig[o].append("i" + p.n3() + term_key(s, colour))
        colour = {b: h(colour[b], *sorted(sig[b])) for b in colour}
    return collections.Counter((term_key(s, colour), p.n3(), term_key(o, colour)) for s, p, o in g)


def main(root):
    warnings.simplefilter("error")
    names = sorted({os.path.splitext(f)[0] for f in os.listdir(root) if os.path.splitext(f)[1] in FORMATS})
    failures = 0
    for name in names:
        canon = {}
        for ext, fmt in FORMATS.items():
            path = os.path.join(root, name + ext)
            if not os.path.exists(path):
                print(f"{name}{ext}: missing")
                failures += 1
                continue
            g = Graph()
            try:
                g.parse(path, format=fmt)
            except Exception as e:  # noqa: BLE001 - report every parser error
                print(f"{name}{ext}: parse error: {e}")
                failures += 1
                continue
            canon[ext] = canonical(g)
        ref = canon.get(".ttl")
        if ref is None:
            continue
        for ext, c in canon.items():
            if ext != ".ttl" and c != ref:
                print(f"{name}: {ext} not isomorphic with .ttl ({sum(ref.values())} vs {sum(c.values())} triples)")
                for t in list((ref - c).keys())[:3]:
                    print(f"  only in .ttl: {t}")
                for t in list((c - ref).keys())[:3]:
                    print(f"  only in {ext}: {t}")
                failures += 1
    print(f"checked {len(names)} documents in 4 formats, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
