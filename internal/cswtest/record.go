package cswtest

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// RecordRoot parses a record delivered on its own (by csw.SplitRecords or
// a client walk), failing t when it is not namespace-complete, and returns
// its root as {namespace}local and its fileIdentifier.
func RecordRoot(t testing.TB, raw []byte) (root, id string) {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatalf("record does not parse on its own: %v", err)
	}
	r := doc.Root()
	if r == nil {
		t.Fatalf("record has no root element")
	}
	for _, el := range r.ChildElements() {
		if el.Tag == "fileIdentifier" {
			if cs := el.SelectElement("CharacterString"); cs != nil {
				id = strings.TrimSpace(cs.Text())
			}
		}
	}
	// every prefix used anywhere must resolve to a URI on the record itself
	var check func(e *etree.Element)
	check = func(e *etree.Element) {
		if e.Space != "" && e.NamespaceURI() == "" {
			t.Errorf("prefix %q of <%s> undeclared", e.Space, e.FullTag())
		}
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" && a.NamespaceURI() == "" {
				t.Errorf("attribute prefix %q undeclared on <%s>", a.Space, e.FullTag())
			}
		}
		for _, c := range e.ChildElements() {
			check(c)
		}
	}
	check(r)
	return "{" + r.NamespaceURI() + "}" + r.Tag, id
}
