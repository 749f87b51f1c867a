package dcat

import "strings"

// Format is an RDF serialization.
type Format int

// The four serializations; all write isomorphic graphs.
const (
	Turtle Format = iota
	NTriples
	RDFXML
	JSONLD
)

// FormatFromExt maps a file extension (with or without the dot: "ttl",
// ".rdf", "xml", "jsonld", "nt", "n3"…) to a Format.
func FormatFromExt(ext string) (Format, bool) {
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "ttl", "turtle", "n3":
		return Turtle, true
	case "nt", "ntriples":
		return NTriples, true
	case "rdf", "xml", "owl":
		return RDFXML, true
	case "jsonld", "json-ld":
		return JSONLD, true
	}
	return 0, false
}

// FormatFromMediaType maps a media type (parameters ignored) to a Format.
func FormatFromMediaType(mt string) (Format, bool) {
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/turtle", "application/x-turtle", "text/n3":
		return Turtle, true
	case "application/n-triples":
		return NTriples, true
	case "application/rdf+xml", "application/xml", "text/xml":
		return RDFXML, true
	case "application/ld+json":
		return JSONLD, true
	}
	return 0, false
}

// MediaType is the format's media type, without parameters.
func (f Format) MediaType() string {
	switch f {
	case NTriples:
		return "application/n-triples"
	case RDFXML:
		return "application/rdf+xml"
	case JSONLD:
		return "application/ld+json"
	}
	return "text/turtle"
}

// Ext is the format's canonical file extension, with its dot.
func (f Format) Ext() string {
	switch f {
	case NTriples:
		return ".nt"
	case RDFXML:
		return ".rdf"
	case JSONLD:
		return ".jsonld"
	}
	return ".ttl"
}

// String names the format.
func (f Format) String() string {
	switch f {
	case NTriples:
		return "N-Triples"
	case RDFXML:
		return "RDF/XML"
	case JSONLD:
		return "JSON-LD"
	}
	return "Turtle"
}
