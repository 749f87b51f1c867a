// Package dcat maps iso.Record values to DCAT-AP 3 / GeoDCAT-AP graphs and
// serializes them (Turtle written here, N-Triples through knakk/rdf, RDF/XML
// and JSON-LD written here, all isomorphic). It also builds the udata
// dataset payload (Item) and udata's quality criteria. It does no I/O.
//
// Flow: at harvest time Map turns one record into a Fragment (its triples,
// blank-node labels prefixed by a hash of catalog and fileIdentifier, plus
// the cross-record Links it wants); callers cache it with MarshalBinary,
// keyed by record hash, MapperVersion and configuration. At request time
// WritePage assembles a feed page (catalog node, Hydra paging, fragments in
// OrderForPage order, links written only between fragments of the page) and
// WriteDataset a per-record document (links resolved with typed stubs).
// BuildItem gives the JSON view / push payload of the same record.
//
// The mapping follows ../shared/reference/geodcat-mapping.md ("Go mapper"
// column); DEVIATIONS.md lists where it departs from SEMIC's XSLT. The
// vocabulary tables in vocab_gen.go are generated from ../shared/vocab by
// internal/gen (go generate).
//
// Specifications: DCAT-AP 3.0.1 (https://semiceu.github.io/DCAT-AP/releases/3.0.1/),
// GeoDCAT-AP (https://semiceu.github.io/GeoDCAT-AP/).
package dcat
