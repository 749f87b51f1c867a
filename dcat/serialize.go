package dcat

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"
)

// writeTriples serializes ts in format f.
// Callers pass triples grouped by subject where it matters (fragments are
// grouped by Map, pages are built grouped).
func writeTriples(w io.Writer, f Format, ts []Triple) error {
	switch f {
	case Turtle:
		return writeTurtle(w, ts)
	case NTriples:
		return writeKnakk(w, f, ts)
	case RDFXML:
		return writeRDFXML(w, ts)
	case JSONLD:
		return writeJSONLD(w, ts)
	}
	return fmt.Errorf("write graph: unknown format %d: %w", f, ErrInvalid)
}

// groupBySubject reorders triples so that each subject's triples are
// contiguous, subjects in order of first appearance, triples of a subject in
// their original order.
func groupBySubject(ts []Triple) []Triple {
	type subjKey struct {
		blank bool
		value string
	}
	order := make(map[subjKey]int, len(ts)/3)
	var subjects []subjKey
	sorted := true
	last := -1
	key := func(t Term) subjKey { return subjKey{t.Kind == kindBlank, t.Value} }
	for _, t := range ts {
		k := key(t.S)
		i, ok := order[k]
		if !ok {
			i = len(subjects)
			order[k] = i
			subjects = append(subjects, k)
		}
		if i < last {
			sorted = false
		}
		last = i
	}
	if sorted {
		return ts
	}
	counts := make([]int, len(subjects)+1)
	idx := make([]int, len(ts))
	for j, t := range ts {
		idx[j] = order[key(t.S)]
		counts[idx[j]+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	out := make([]Triple, len(ts))
	for j, t := range ts {
		i := idx[j]
		out[counts[i]] = t
		counts[i]++
	}
	return out
}

func knakkTerm(t Term) (rdf.Term, error) {
	switch t.Kind {
	case kindIRI:
		return rdf.NewIRI(t.Value)
	case kindBlank:
		return rdf.NewBlank(t.Value)
	case kindLiteral:
		if t.Lang != "" {
			return rdf.NewLangLiteral(t.Value, t.Lang)
		}
		if t.Datatype != "" {
			dt, err := rdf.NewIRI(t.Datatype)
			if err != nil {
				return nil, err
			}
			return rdf.NewTypedLiteral(t.Value, dt), nil
		}
		return rdf.NewLiteral(t.Value)
	}
	return nil, fmt.Errorf("term kind %d", t.Kind)
}

// writeKnakk writes N-Triples with knakk/rdf's encoder.
func writeKnakk(w io.Writer, f Format, ts []Triple) error {
	enc := rdf.NewTripleEncoder(w, rdf.NTriples)
	for _, t := range ts {
		s, err := knakkTerm(t.S)
		if err != nil {
			return fmt.Errorf("write %s: subject %q: %w", f, t.S.Value, err)
		}
		p, err := knakkTerm(t.P)
		if err != nil {
			return fmt.Errorf("write %s: predicate %q: %w", f, t.P.Value, err)
		}
		o, err := knakkTerm(t.O)
		if err != nil {
			return fmt.Errorf("write %s: object %q: %w", f, t.O.Value, err)
		}
		if err := enc.Encode(rdf.Triple{Subj: s.(rdf.Subject), Pred: p.(rdf.Predicate), Obj: o.(rdf.Object)}); err != nil {
			return fmt.Errorf("write %s: %w", f, err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f, err)
	}
	return nil
}

// qname splits a predicate or class IRI into a known prefix and an XML local
// name; ok is false when it cannot.
func qname(s string) (prefix, local string, ok bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p[1]) {
			local = s[len(p[1]):]
			if xmlName(local) {
				return p[0], local, true
			}
		}
	}
	return "", "", false
}

func xmlName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && r != utf8.RuneError:
		case i > 0 && (r == '-' || r == '.' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// splitForXML splits an IRI at its last '#' or '/' into a namespace and a
// local name usable as an XML element name.
func splitForXML(s string) (ns, local string, ok bool) {
	i := strings.LastIndexAny(s, "#/")
	if i < 0 || i == len(s)-1 {
		return "", "", false
	}
	ns, local = s[:i+1], s[i+1:]
	return ns, local, xmlName(local)
}

func writeRDFXML(w io.Writer, ts []Triple) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF")
	for _, p := range prefixes {
		bw.WriteString("\n  xmlns:" + p[0] + "=\"")
		xmlAttr(bw, p[1])
		bw.WriteString("\"")
	}
	bw.WriteString(">\n")
	var cur Term
	open := false
	for _, t := range ts {
		if !open || t.S != cur {
			if open {
				bw.WriteString("  </rdf:Description>\n")
			}
			cur, open = t.S, true
			if t.S.Kind == kindBlank {
				bw.WriteString("  <rdf:Description rdf:nodeID=\"")
			} else {
				bw.WriteString("  <rdf:Description rdf:about=\"")
			}
			xmlAttr(bw, t.S.Value)
			bw.WriteString("\">\n")
		}
		name, decl := "", ""
		if p, l, ok := qname(t.P.Value); ok {
			name = p + ":" + l
		} else if ns, l, ok := splitForXML(t.P.Value); ok {
			name, decl = "ns0:"+l, ns
		} else {
			bw.Flush()
			return fmt.Errorf("write RDF/XML: predicate %q has no XML name: %w", t.P.Value, ErrInvalid)
		}
		bw.WriteString("    <" + name)
		if decl != "" {
			bw.WriteString(" xmlns:ns0=\"")
			xmlAttr(bw, decl)
			bw.WriteString("\"")
		}
		switch t.O.Kind {
		case kindIRI:
			bw.WriteString(" rdf:resource=\"")
			xmlAttr(bw, t.O.Value)
			bw.WriteString("\"/>\n")
		case kindBlank:
			bw.WriteString(" rdf:nodeID=\"")
			xmlAttr(bw, t.O.Value)
			bw.WriteString("\"/>\n")
		default:
			if t.O.Lang != "" {
				bw.WriteString(" xml:lang=\"" + t.O.Lang + "\"")
			} else if t.O.Datatype != "" {
				bw.WriteString(" rdf:datatype=\"")
				xmlAttr(bw, t.O.Datatype)
				bw.WriteString("\"")
			}
			bw.WriteString(">")
			xml.EscapeText(bw, []byte(t.O.Value))
			bw.WriteString("</" + name + ">\n")
		}
	}
	if open {
		bw.WriteString("  </rdf:Description>\n")
	}
	bw.WriteString("</rdf:RDF>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write RDF/XML: %w", err)
	}
	return nil
}

func xmlAttr(w *bufio.Writer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			w.WriteString("&amp;")
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		case '"':
			w.WriteString("&quot;")
		case '\n':
			w.WriteString("&#xA;")
		case '\r':
			w.WriteString("&#xD;")
		case '\t':
			w.WriteString("&#x9;")
		default:
			w.WriteByte(c)
		}
	}
}

// compactIRI writes an IRI with a context prefix when its local part is a
// plain name, else in full.
func compactIRI(s string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p[1]) && plainLocal(s[len(p[1]):]) {
			return p[0] + ":" + s[len(p[1]):]
		}
	}
	return s
}

func writeJSONLD(w io.Writer, ts []Triple) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{\n  \"@context\": {")
	for i, p := range prefixes {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		jsonString(bw, p[0])
		bw.WriteString(": ")
		jsonString(bw, p[1])
	}
	bw.WriteString("\n  },\n  \"@graph\": [")
	// One node object per run of triples with the same subject (a subject
	// seen again later gets another node object: JSON-LD merges them), its
	// predicates grouped within the run, in order of first appearance.
	type group struct {
		pred string
		objs []Term
	}
	first := true
	var types []string
	var groups []group
	flush := func(s Term) {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n    {\n      \"@id\": ")
		jsonString(bw, nodeID(s))
		if len(types) > 0 {
			bw.WriteString(",\n      \"@type\": [")
			for j, ty := range types {
				if j > 0 {
					bw.WriteString(", ")
				}
				jsonString(bw, compactIRI(ty))
			}
			bw.WriteString("]")
		}
		for _, g := range groups {
			bw.WriteString(",\n      ")
			jsonString(bw, compactIRI(g.pred))
			bw.WriteString(": [")
			for j, o := range g.objs {
				if j > 0 {
					bw.WriteString(", ")
				}
				switch o.Kind {
				case kindIRI, kindBlank:
					bw.WriteString("{\"@id\": ")
					jsonString(bw, nodeID(o))
					bw.WriteString("}")
				default:
					bw.WriteString("{\"@value\": ")
					jsonString(bw, o.Value)
					if o.Lang != "" {
						bw.WriteString(", \"@language\": ")
						jsonString(bw, o.Lang)
					} else if o.Datatype != "" {
						bw.WriteString(", \"@type\": ")
						jsonString(bw, compactIRI(o.Datatype))
					}
					bw.WriteString("}")
				}
			}
			bw.WriteString("]")
		}
		bw.WriteString("\n    }")
		types, groups = types[:0], groups[:0]
	}
	for i, t := range ts {
		if i > 0 && t.S != ts[i-1].S {
			flush(ts[i-1].S)
		}
		if t.P.Value == nsRDF+"type" && t.O.Kind == kindIRI {
			types = append(types, t.O.Value)
			continue
		}
		found := false
		for j := range groups {
			if groups[j].pred == t.P.Value {
				groups[j].objs = append(groups[j].objs, t.O)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{pred: t.P.Value, objs: []Term{t.O}})
		}
	}
	if len(ts) > 0 {
		flush(ts[len(ts)-1].S)
	}
	bw.WriteString("\n  ]\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write JSON-LD: %w", err)
	}
	return nil
}

func nodeID(t Term) string {
	if t.Kind == kindBlank {
		return "_:" + t.Value
	}
	return t.Value
}

const hexDigits = "0123456789abcdef"

func jsonString(w *bufio.Writer, s string) {
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			w.WriteString(`\"`)
		case c == '\\':
			w.WriteString(`\\`)
		case c == '\n':
			w.WriteString(`\n`)
		case c == '\r':
			w.WriteString(`\r`)
		case c == '\t':
			w.WriteString(`\t`)
		case c < 0x20:
			w.WriteString(`\u00`)
			w.WriteByte(hexDigits[c>>4])
			w.WriteByte(hexDigits[c&0xf])
		default:
			w.WriteByte(c)
		}
	}
	w.WriteByte('"')
}
