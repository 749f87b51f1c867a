package dcat

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"testing"

	"github.com/knakk/rdf"
	"github.com/passerelle/passerelle/iso"
)

// FuzzWriters feeds arbitrary text into literals, keywords, identifiers and
// URLs of a record and checks that every serialization stays well-formed:
// Turtle and N-Triples parse with knakk/rdf to the same number of triples,
// JSON-LD is valid JSON, RDF/XML is well-formed XML.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{"plain", "quote \" and \\ backslash", "line\nbreak\r\ttab", "\x00\x01\x7f ctrl", "é€😀", "\xff\xfe bad utf8", "]]> <tag> &amp;", "http://x.org/a b", "https://x.org/ok"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, text, link string) {
		rec := &iso.Record{
			FileIdentifier: "fuzz-" + text, HierarchyLevel: "dataset", Language: "fre",
			Title: iso.Text{Value: text}, Abstract: iso.Text{Value: text},
			Identifiers:     []iso.Identifier{{Code: text}},
			Keywords:        []iso.KeywordGroup{{Keywords: []iso.Text{{Value: text, Href: link}}}},
			Parties:         []iso.Party{{Role: "pointOfContact", Organisation: iso.Text{Value: text}, Emails: []string{link}}},
			OnlineResources: []iso.OnlineResource{{URL: link, Name: text, Protocol: "WWW:DOWNLOAD", Distributor: -1}},
		}
		frag, err := Map(Input{Record: rec}, handOptions)
		if err != nil {
			return // no fileIdentifier after trimming: refused, fine
		}
		var out [4]bytes.Buffer
		for i, ft := range []Format{Turtle, NTriples, RDFXML, JSONLD} {
			if err := WriteDataset(&out[i], ft, frag, nil); err != nil {
				t.Fatalf("%s: %v", ft, err)
			}
		}
		ttl, err := rdf.NewTripleDecoder(bytes.NewReader(out[0].Bytes()), rdf.Turtle).DecodeAll()
		if err != nil {
			t.Fatalf("Turtle does not parse: %v\n%s", err, out[0].String())
		}
		nt, err := rdf.NewTripleDecoder(bytes.NewReader(out[1].Bytes()), rdf.NTriples).DecodeAll()
		if err != nil {
			t.Fatalf("N-Triples do not parse: %v\n%s", err, out[1].String())
		}
		if len(ttl) != len(nt) || len(nt) != frag.Len() {
			t.Fatalf("triples: Turtle %d, N-Triples %d, fragment %d", len(ttl), len(nt), frag.Len())
		}
		if !json.Valid(out[3].Bytes()) {
			t.Fatalf("JSON-LD is not JSON:\n%s", out[3].String())
		}
		d := xml.NewDecoder(bytes.NewReader(out[2].Bytes()))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("RDF/XML not well-formed: %v\n%s", err, out[2].String())
			}
		}
	})
}

// FuzzUnmarshalFragment: bad cached bytes give an error, never a panic, and
// whatever decodes re-encodes to the same bytes.
func FuzzUnmarshalFragment(f *testing.F) {
	frag, err := Map(Input{Record: handRecord()}, handOptions)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := frag.MarshalBinary()
	f.Add(b)
	f.Add([]byte("PDF"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := UnmarshalFragment(b)
		if err != nil {
			return
		}
		b2, _ := g.MarshalBinary()
		g2, err := UnmarshalFragment(b2)
		if err != nil {
			t.Fatalf("re-encoded fragment refused: %v", err)
		}
		if len(g2.d.Triples) != len(g.d.Triples) || g2.IRI() != g.IRI() {
			t.Fatal("fragment changed through a second round trip")
		}
	})
}
