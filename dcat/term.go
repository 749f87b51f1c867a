package dcat

import (
	"strings"
	"unicode/utf8"
)

// Namespaces of the fixed prefix map shared by every serialization.
const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRDFS      = "http://www.w3.org/2000/01/rdf-schema#"
	nsXSD       = "http://www.w3.org/2001/XMLSchema#"
	nsDCAT      = "http://www.w3.org/ns/dcat#"
	nsDCT       = "http://purl.org/dc/terms/"
	nsFOAF      = "http://xmlns.com/foaf/0.1/"
	nsVCard     = "http://www.w3.org/2006/vcard/ns#"
	nsSKOS      = "http://www.w3.org/2004/02/skos/core#"
	nsLOCN      = "http://www.w3.org/ns/locn#"
	nsPROV      = "http://www.w3.org/ns/prov#"
	nsADMS      = "http://www.w3.org/ns/adms#"
	nsDQV       = "http://www.w3.org/ns/dqv#"
	nsGeoDCATAP = "http://data.europa.eu/930/"
	nsDCATAP    = "http://data.europa.eu/r5r/"
	nsGSP       = "http://www.opengis.net/ont/geosparql#"
	nsHydra     = "http://www.w3.org/ns/hydra/core#"
	nsELI       = "http://data.europa.eu/eli/ontology#"
)

// prefixes is the fixed prefix map, in the order serializations declare it.
var prefixes = [][2]string{
	{"rdf", nsRDF}, {"rdfs", nsRDFS}, {"xsd", nsXSD}, {"dcat", nsDCAT}, {"dct", nsDCT},
	{"foaf", nsFOAF}, {"vcard", nsVCard}, {"skos", nsSKOS}, {"locn", nsLOCN}, {"prov", nsPROV},
	{"adms", nsADMS}, {"dqv", nsDQV}, {"geodcatap", nsGeoDCATAP}, {"dcatap", nsDCATAP},
	{"gsp", nsGSP}, {"hydra", nsHydra}, {"eli", nsELI},
}

// termKind says what a Term is.
type termKind uint8

const (
	kindIRI termKind = iota + 1
	kindBlank
	kindLiteral
)

// Term is an RDF term: an IRI, a blank node (Value is the label without
// "_:") or a literal with an optional language tag or datatype IRI.
type Term struct {
	Kind     termKind `json:"k"`
	Value    string   `json:"v"`
	Lang     string   `json:"l,omitempty"`
	Datatype string   `json:"d,omitempty"`
}

// Triple is one statement; P is always an IRI.
type Triple struct {
	S Term `json:"s"`
	P Term `json:"p"`
	O Term `json:"o"`
}

func iri(s string) Term   { return Term{Kind: kindIRI, Value: s} }
func blank(s string) Term { return Term{Kind: kindBlank, Value: s} }

// lit returns a plain literal, tagged when lang is not empty.
func lit(s, lang string) Term { return Term{Kind: kindLiteral, Value: cleanText(s), Lang: lang} }

// typed returns a typed literal.
func typed(s, dt string) Term { return Term{Kind: kindLiteral, Value: cleanText(s), Datatype: dt} }

// cleanText drops what no serialization can carry: invalid UTF-8 and control
// characters other than tab, newline and carriage return (not allowed in XML 1.0).
func cleanText(s string) string {
	if textOK(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r == 0x7f, r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0xFFFE, r == 0xFFFF:
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// textOK reports whether s is valid UTF-8 without forbidden characters.
func textOK(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			if !utf8.ValidString(s[i:]) || strings.Contains(s[i:], "\uFFFE") || strings.Contains(s[i:], "\uFFFF") {
				return false
			}
			for j := i; j < len(s); j++ {
				if c := s[j]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
					return false
				}
			}
			return true
		}
	}
	return true
}

// graph accumulates triples with helpers that skip empty values and
// repeated triples about IRI subjects (shared vocabulary nodes).
type graph struct {
	triples []Triple
	seen    map[Triple]struct{}
	// unique are subjects whose literal-valued triples are unique by
	// construction (the resource and its catalog record): those are not
	// deduplicated, which saves hashing long descriptions.
	unique [2]string
}

func (g *graph) add(s Term, p string, o Term) {
	if o.Kind == 0 || (o.Kind != kindLiteral && o.Value == "") {
		return
	}
	if o.Kind == kindLiteral && strings.TrimSpace(o.Value) == "" {
		return
	}
	t := Triple{S: s, P: iri(p), O: o}
	if s.Kind == kindIRI && (o.Kind != kindLiteral || s.Value != g.unique[0] && s.Value != g.unique[1]) {
		if g.seen == nil {
			g.seen = make(map[Triple]struct{}, 64)
		}
		if _, dup := g.seen[t]; dup {
			return
		}
		g.seen[t] = struct{}{}
	}
	g.triples = append(g.triples, t)
}

func (g *graph) typ(s Term, class string) { g.add(s, nsRDF+"type", iri(class)) }
