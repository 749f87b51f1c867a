// Package dcat maps iso.Record values to DCAT-AP 3 / GeoDCAT-AP graphs and
// serializes them (Turtle and N-Triples through knakk/rdf, RDF/XML and
// JSON-LD written here). It also builds the udata dataset payload (Item) and
// udata's quality criteria. It does no I/O.
//
// Specifications: DCAT-AP 3.0.1 (https://semiceu.github.io/DCAT-AP/releases/3.0.1/),
// GeoDCAT-AP (https://semiceu.github.io/GeoDCAT-AP/).
package dcat
