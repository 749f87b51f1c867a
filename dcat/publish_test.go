package dcat

import (
	"strings"
	"testing"

	"github.com/passerelle/passerelle/iso"
)

// This file checks what reaches data.gouv.fr (issue 9): the same facts in
// the feed (as udata's harvester reads it) and in the udata item.

// TestContactNameOnce: a contact point never carries the same value as
// vcard:fn and vcard:organization-name, which data.gouv.fr shows "X (X)".
func TestContactNameOnce(t *testing.T) {
	check := func(name string, f *Fragment) int {
		n := 0
		for _, c := range objects(f, f.IRI(), nsDCAT+"contactPoint") {
			n++
			fns := objects(f, c.Value, nsVCard+"fn")
			for _, on := range objects(f, c.Value, nsVCard+"organization-name") {
				for _, fn := range fns {
					if fn.Value == on.Value {
						t.Errorf("%s: contact %s has %q as name and organisation name", name, c.Value, fn.Value)
					}
				}
			}
		}
		return n
	}
	f, err := Map(Input{Record: handRecord()}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	if check("hand record", f) == 0 {
		t.Fatal("hand record: no contact point")
	}
	recs, frags := mapCorpus(t)
	total := 0
	for i, f := range frags {
		total += check(recs[i].name, f)
	}
	if total < 25 {
		t.Errorf("%d contact points in the corpus, want ≥ 25", total)
	}
}

// TestURLsAsPublished: URLs keep the publisher's bytes, only trimmed and
// with invalid characters percent-encoded; endpoints lose only the OGC
// request parameters, the rest of the query is not re-encoded.
func TestURLsAsPublished(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"  https://ogc.example.fr/wxs?map=/opt/data/a.map&x=1 \n", "https://ogc.example.fr/wxs?map=/opt/data/a.map&x=1"},
		{"https://example.fr/a b.zip", "https://example.fr/a%20b.zip"},
		{"https://example.fr/q?a=%2F&b=c%zz", "https://example.fr/q?a=%2F&b=c%25zz"},
		{"https://example.fr/{x}|y", "https://example.fr/%7Bx%7D%7Cy"},
		{"https://example.fr/é?q=ü", "https://example.fr/é?q=ü"},
	} {
		if got := cleanURL(c.in); got != c.want {
			t.Errorf("cleanURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, std, endpoint, caps string }{
		{"https://ogc.example.fr/wxs?map=/opt/data/a.map&SERVICE=WMS&REQUEST=GetCapabilities", "wms",
			"https://ogc.example.fr/wxs?map=/opt/data/a.map", "https://ogc.example.fr/wxs?map=/opt/data/a.map&service=WMS&request=GetCapabilities"},
		{"https://geo.example.fr/ows?request=GetCapabilities&service=WFS&version=2.0.0", "wfs",
			"https://geo.example.fr/ows", "https://geo.example.fr/ows?service=WFS&request=GetCapabilities"},
		{"https://geo.example.fr/ows?z=2&a=%2Fb#frag", "wmts", "https://geo.example.fr/ows?z=2&a=%2Fb", "https://geo.example.fr/ows?z=2&a=%2Fb&service=WMTS&request=GetCapabilities"},
		{"https://geo.example.fr/api/collections", "ogcapi", "https://geo.example.fr/api/collections", ""},
	} {
		e, cp := splitEndpoint(c.in, c.std)
		if e != c.endpoint || cp != c.caps {
			t.Errorf("splitEndpoint(%q) = %q, %q; want %q, %q", c.in, e, cp, c.endpoint, c.caps)
		}
	}
	// The Géo-IDE record's WMS/WFS endpoint keeps its map= path.
	recs, frags := mapCorpus(t)
	found := false
	for i, f := range frags {
		if recs[i].name != "udata__geoide-iso19139-single-dataset-1" {
			continue
		}
		for _, tr := range f.d.Triples {
			if tr.P.Value == nsDCAT+"endpointURL" {
				found = true
				if !strings.Contains(tr.O.Value, "wxs?map=/opt/data/") {
					t.Errorf("Géo-IDE endpoint %q re-encoded", tr.O.Value)
				}
			}
		}
	}
	if !found {
		t.Error("Géo-IDE record: no endpoint")
	}
}

// TestKindOf: one rule for what a record is, in the feed and in push.
func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		level, ident, kind string
		dataset            bool
	}{
		{"dataset", "data", "dataset", true}, {"nonGeographicDataset", "", "dataset", true},
		{"series", "data", "series", true}, {"service", "service", "service", false},
		{"service", "data", "dataset", true}, {"", "data", "dataset", true}, {"", "service", "service", false},
		{"", "", "other", false}, {"map", "data", "other", false}, {"staticMap", "", "other", false},
		{"interactiveMap", "data", "other", false}, {"application", "", "other", false}, {"tile", "data", "other", false},
	} {
		if k := KindOf(c.level, c.ident); k != c.kind || PublishedAsDataset(k) != c.dataset {
			t.Errorf("KindOf(%q, %q) = %q (dataset %v), want %q (%v)", c.level, c.ident, k, PublishedAsDataset(k), c.kind, c.dataset)
		}
		f, err := Map(Input{Record: &iso.Record{FileIdentifier: "k", HierarchyLevel: c.level, IdentificationKind: c.ident}}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind() != c.kind {
			t.Errorf("Map kind %q for level %q, want %q", f.Kind(), c.level, c.kind)
		}
	}
}
