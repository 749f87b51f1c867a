package dcat

import (
	"encoding/json"
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

// TestAccessType: INSPIRE access constraints give udata's access_type and
// access_type_reason in the item, and the matching dct:accessRights in the
// feed (issue 9 item 4).
func TestAccessType(t *testing.T) {
	lic := iso.Constraint{Kind: "legal", UseConstraints: []string{"otherRestrictions"}, OtherConstraints: []iso.Text{{Value: "Licence Ouverte version 2.0"}}}
	access := func(codes []string, texts ...iso.Text) iso.Constraint {
		return iso.Constraint{Kind: "legal", AccessConstraints: codes, OtherConstraints: texts}
	}
	other := []string{"otherRestrictions"}
	art13d := iso.Text{Value: "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)"}
	for _, c := range []struct {
		name       string
		cons       []iso.Constraint
		accessType string
		reason     string // substring of access_type_reason
		feed       string // dct:accessRights IRI, "" none
	}{
		{"no constraint", nil, "open", "", ""},
		{"noLimitations anchor", []iso.Constraint{access(other, iso.Text{Value: "No limitations to public access", Href: inspireCL + "LimitationsOnPublicAccess/noLimitations"})}, "open", "", inspireCL + "LimitationsOnPublicAccess/noLimitations"},
		{"French no-limitation phrase", []iso.Constraint{access(other, iso.Text{Value: "Pas de restriction d'accès public selon INSPIRE"})}, "open", "", inspireCL + "LimitationsOnPublicAccess/noLimitations"},
		{"English no-restriction phrase", []iso.Constraint{access(other, iso.Text{Value: "No restriction on public access"})}, "open", "", inspireCL + "LimitationsOnPublicAccess/noLimitations"},
		{"Article 13 anchor", []iso.Constraint{access(other, iso.Text{Value: "Public access limited", Href: inspireCL + "LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1e"})}, "restricted", "Article 13.1.e", inspireCL + "LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1e"},
		{"Article 13 French label", []iso.Constraint{access(other, art13d)}, "restricted", "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)", inspireCL + "LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1d"},
		{"restriction code", []iso.Constraint{access([]string{"restricted"})}, "restricted", "restricted", euAccessRight + "NON_PUBLIC"},
		{"classification", []iso.Constraint{{Kind: "security", Classification: "confidential"}}, "restricted", "confidential", euAccessRight + "NON_PUBLIC"},
		{"restriction text", []iso.Constraint{access(other, iso.Text{Value: "Diffusion restreinte aux services de l'État"})}, "restricted", "Diffusion restreinte", euAccessRight + "NON_PUBLIC"},
		{"restriction beats noLimitations", []iso.Constraint{access(other, iso.Text{Value: "no limitations"}), {Kind: "security", Classification: "secret"}}, "restricted", "secret", euAccessRight + "NON_PUBLIC"},
		{"account text", []iso.Constraint{access(other, iso.Text{Value: "Accès après inscription sur le portail"})}, "open_with_account", "inscription", euAccessRight + "RESTRICTED"},
		{"copyright is about use", []iso.Constraint{access([]string{"copyright"}, iso.Text{Value: "© IGN"})}, "open", "", ""},
	} {
		rec := &iso.Record{FileIdentifier: "acc", HierarchyLevel: "dataset", Title: iso.Text{Value: "Accès"}, Constraints: append([]iso.Constraint{lic}, c.cons...)}
		it, err := BuildItem(Input{Record: rec}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		if it.AccessType != c.accessType || !strings.Contains(it.AccessTypeReason, c.reason) || (c.accessType == "open") != (it.AccessTypeReason == "") {
			t.Errorf("%s: access_type %q reason %q, want %q with %q", c.name, it.AccessType, it.AccessTypeReason, c.accessType, c.reason)
		}
		if wantLic := map[bool]string{true: "lov2", false: ""}[c.accessType == "open"]; it.License != wantLic {
			t.Errorf("%s: licence %q, want %q", c.name, it.License, wantLic)
		}
		f, err := Map(Input{Record: rec}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		got := objects(f, f.IRI(), nsDCT+"accessRights")
		if (c.feed == "" && len(got) != 0) || (c.feed != "" && (len(got) != 1 || got[0].Value != c.feed)) {
			t.Errorf("%s: dct:accessRights %v, want %q", c.name, got, c.feed)
		}
		b, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"access_type":"`+c.accessType+`"`) {
			t.Errorf("%s: JSON %s lacks access_type", c.name, b)
		}
	}
}
