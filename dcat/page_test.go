package dcat

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/iso"
)

func mustMap(t *testing.T, rec *iso.Record) *Fragment {
	t.Helper()
	f, err := Map(Input{Record: rec}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func seriesFixture(t *testing.T) (series, member, svc *Fragment) {
	series = mustMap(t, &iso.Record{FileIdentifier: "series-1", HierarchyLevel: "series", Title: iso.Text{Value: "Series"}, Abstract: iso.Text{Value: "A series"}})
	m := handRecord()
	member = mustMap(t, m)
	svc = mustMap(t, &iso.Record{FileIdentifier: "svc-1", HierarchyLevel: "service", IdentificationKind: "service", Title: iso.Text{Value: "WMS"},
		Service:         &iso.Service{Type: "view", OperatesOn: []iso.OperatesOn{{Href: "https://cat.example.org/csw?service=CSW&request=GetRecordById&id=fr-123%2Fabc%20def"}}},
		OnlineResources: []iso.OnlineResource{{URL: "https://geo.example.fr/wms?request=GetCapabilities&service=WMS", Protocol: "OGC:WMS", Distributor: -1}}})
	return series, member, svc
}

func TestOrderForPage(t *testing.T) {
	series, member, svc := seriesFixture(t)
	other := mustMap(t, &iso.Record{FileIdentifier: "lonely", HierarchyLevel: "dataset", Title: iso.Text{Value: "Lonely"}})
	got := OrderForPage([]*Fragment{svc, member, other, series})
	var ids []string
	for _, f := range got {
		ids = append(ids, f.FileIdentifier())
	}
	if want := "lonely series-1 fr-123/abc def svc-1"; strings.Join(ids, " ") != want {
		t.Errorf("order = %q, want %q", strings.Join(ids, " "), want)
	}
}

func TestWritePageLinks(t *testing.T) {
	series, member, svc := seriesFixture(t)
	page := func(frags ...*Fragment) string {
		var buf bytes.Buffer
		p := &Page{Options: handOptions, Fragments: frags, Total: 120, Page: 2, PageSize: 50,
			BaseURL: "https://p.example.org/catalogs/demo/catalog", Ext: ".ttl", Query: url.Values{"modified_since": {"2024-01-01"}, "page": {"2"}}}
		if err := WritePage(&buf, NTriples, p); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	all := page(series, member, svc)
	inSeries := "<" + member.IRI() + "> <" + nsDCAT + "inSeries> <" + series.IRI() + ">"
	serves := "<" + svc.IRI() + "> <" + nsDCAT + "servesDataset> <" + member.IRI() + ">"
	if !strings.Contains(all, inSeries) || !strings.Contains(all, serves) {
		t.Errorf("links missing from a page holding their targets:\n%s", all)
	}
	alone := page(member, svc)
	if strings.Contains(alone, nsDCAT+"inSeries") {
		t.Error("inSeries written although the series is not on the page")
	}
	// member + its record + svc + its record: no stub of the absent series.
	if n := strings.Count(alone, "<"+nsDCT+"identifier>"); n != 4 {
		t.Errorf("dct:identifier count %d, want 4", n)
	}
	for _, want := range []string{
		"<https://p.example.org/catalogs/demo/catalog> <" + nsRDF + "type> <" + nsDCAT + "Catalog>", // one catalog IRI for every format
		"<" + nsHydra + "next> <https://p.example.org/catalogs/demo/catalog.ttl?modified_since=2024-01-01&page=3&page_size=50>",
		"<" + nsHydra + "previous> <https://p.example.org/catalogs/demo/catalog.ttl?modified_since=2024-01-01&page=1&page_size=50>",
		"<" + nsHydra + "last> <https://p.example.org/catalogs/demo/catalog.ttl?modified_since=2024-01-01&page=3&page_size=50>",
		"<" + nsHydra + "nextPage>",
		"\"120\"^^<" + nsXSD + "integer>",
		"<" + nsDCAT + "service> <" + svc.IRI() + ">",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	aliased := mustMap(t, &iso.Record{FileIdentifier: "svc-2", HierarchyLevel: "service", IdentificationKind: "service", Title: iso.Text{Value: "WFS"},
		Service: &iso.Service{Type: "download", OperatesOn: []iso.OperatesOn{{UUIDRef: "alias-of-member"}}}})
	var pb bytes.Buffer
	p := &Page{Options: handOptions, Fragments: []*Fragment{member, aliased}, Total: 2, Page: 1, PageSize: 50, BaseURL: "https://p.example.org/c/catalog.nt",
		Resolve: func(id string) *Fragment {
			if id == "alias-of-member" {
				return member
			}
			return nil
		}}
	if err := WritePage(&pb, NTriples, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pb.String(), "<"+aliased.IRI()+"> <"+nsDCAT+"servesDataset> <"+member.IRI()+">") {
		t.Error("link through Resolve not written")
	}
	var buf bytes.Buffer
	last := &Page{Options: handOptions, Fragments: []*Fragment{member}, Total: 1, Page: 1, PageSize: 50, BaseURL: "https://p.example.org/c/catalog.ttl"}
	if err := WritePage(&buf, NTriples, last); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), nsHydra+"next") || strings.Contains(buf.String(), nsHydra+"previous") {
		t.Error("single page has next/previous links")
	}
	if err := WritePage(&buf, Turtle, &Page{BaseURL: "not a url"}); err == nil {
		t.Error("bad base URL accepted")
	}
}

func TestWriteDatasetStubs(t *testing.T) {
	series, member, svc := seriesFixture(t)
	idx := map[string]*Fragment{series.FileIdentifier(): series, member.FileIdentifier(): member, svc.FileIdentifier(): svc}
	resolve := func(id string) *Fragment { return idx[id] }
	var buf bytes.Buffer
	if err := WriteDataset(&buf, NTriples, svc, resolve); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "<"+svc.IRI()+"> <"+nsDCAT+"servesDataset> <"+member.IRI()+">") {
		t.Error("servesDataset missing")
	}
	if !strings.Contains(out, "<"+member.IRI()+"> <"+nsRDF+"type> <"+nsDCAT+"Dataset>") || !strings.Contains(out, "<"+member.IRI()+"> <"+nsDCT+"identifier> \"FR-120066022/ABC-1\"") {
		t.Errorf("typed stub of the served dataset missing:\n%s", out)
	}
	if strings.Contains(out, "<"+member.IRI()+"> <"+nsDCAT+"distribution>") {
		t.Error("stub carries more than type, identifier, title and description")
	}
	buf.Reset()
	if err := WriteDataset(&buf, Turtle, member, func(string) *Fragment { return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "inSeries") {
		t.Error("unresolved link written")
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		ext  string
		want Format
	}{{"ttl", Turtle}, {".rdf", RDFXML}, {"xml", RDFXML}, {"jsonld", JSONLD}, {"nt", NTriples}} {
		if got, ok := FormatFromExt(tt.ext); !ok || got != tt.want {
			t.Errorf("FormatFromExt(%q) = %v, %v", tt.ext, got, ok)
		}
		if got, ok := FormatFromMediaType(tt.want.MediaType() + "; charset=utf-8"); !ok || got != tt.want {
			t.Errorf("FormatFromMediaType(%q) = %v", tt.want.MediaType(), got)
		}
	}
	if _, ok := FormatFromExt("json"); ok {
		t.Error(".json is the udata item view, not JSON-LD")
	}
}

func TestBuildItem(t *testing.T) {
	in := Input{Record: handRecord(), RecordURL: "https://cat.example.org/csw?id=1", ProducerSlug: "ddt-59"}
	it, err := BuildItem(in, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	if it.Title != "Occupation des sols" || it.License != "lov2" || it.Frequency != "annual" {
		t.Errorf("title/licence/frequency = %q %q %q", it.Title, it.License, it.Frequency)
	}
	if it.Extras[ExtraRemoteID] != "FR-120066022/ABC-1" || it.Extras[ExtraCatalog] != "demo" {
		t.Errorf("extras = %v", it.Extras)
	}
	for _, tag := range it.Tags {
		if len([]rune(tag)) < 3 || tag != strings.ToLower(tag) || strings.ContainsAny(tag, " _/") {
			t.Errorf("bad tag %q", tag)
		}
	}
	if !contains(it.Tags, "inspire") || !contains(it.Tags, "urbanisme") || contains(it.Tags, "ab") {
		t.Errorf("tags = %v", it.Tags)
	}
	if it.TemporalCoverage == nil || it.TemporalCoverage.Start != "2010-01-01" || it.TemporalCoverage.End != "2012-12-31" {
		t.Errorf("temporal = %+v", it.TemporalCoverage)
	}
	if it.Spatial == nil || it.Spatial.Geom["type"] != "MultiPolygon" {
		t.Errorf("spatial = %+v", it.Spatial)
	}
	var types, formats []string
	for _, r := range it.Resources {
		if r.Filetype != "remote" {
			t.Errorf("resource filetype %q", r.Filetype)
		}
		types = append(types, r.Type)
		formats = append(formats, r.Format)
	}
	if strings.Join(types, ",") != "main,api" || strings.Join(formats, ",") != "zip,wms" {
		t.Errorf("resources types %v formats %v", types, formats)
	}
	h := it.Extras[ExtraHash].(string)
	if h != ItemHash(it) || len(h) != 64 {
		t.Errorf("hash %q does not match ItemHash %q", h, ItemHash(it))
	}
	it2, _ := BuildItem(in, handOptions)
	if it2.Extras[ExtraHash] != h {
		t.Error("hash not stable")
	}
	it2.Quality, it2.Source = nil, nil
	if ItemHash(it2) != h {
		t.Error("hash depends on quality or source")
	}
	it2.Title = "changed"
	if ItemHash(it2) == h {
		t.Error("hash ignores the title")
	}
	q := *it.Quality
	for k, want := range map[string]bool{"license": true, "temporal_coverage": true, "spatial": true, "update_frequency": true,
		"update_fulfilled_in_time": false /* annual, last revised 2023-06-30, now 2025 */, "dataset_description_quality": true, "has_resources": true, "has_open_format": true,
		"all_resources_available": true, "resources_documentation": true /* the WMS resource lists its two layers */} {
		if q[k] != want {
			t.Errorf("quality[%s] = %v, want %v", k, q[k], want)
		}
	}
	if it.Source.Catalog != "demo" || it.Source.FileIdentifier != "fr-123/abc def" || it.Source.Producer != "ddt-59" {
		t.Errorf("source = %+v", it.Source)
	}
	if _, err := json.Marshal(it); err != nil {
		t.Fatal(err)
	}
	restricted := handRecord()
	restricted.Constraints[0].OtherConstraints[0].Value = "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)"
	it3, _ := BuildItem(Input{Record: restricted}, handOptions)
	if it3.License != "" {
		t.Errorf("restricted dataset keeps licence %q", it3.License)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestCorpusItems builds the udata item of every corpus record: every
// resource URL must pass udata's URL rules, every tag its length rule.
func TestCorpusItems(t *testing.T) {
	recs := loadCorpus(t)
	withLicence, withResources := 0, 0
	for _, cr := range recs {
		it, err := BuildItem(Input{Record: cr.rec}, testOptions)
		if err != nil {
			t.Errorf("%s: %v", cr.name, err)
			continue
		}
		if it.License != "" {
			withLicence++
		}
		if len(it.Resources) > 0 {
			withResources++
		}
		for _, r := range it.Resources {
			if reason := checkURL(r.URL); reason != "" {
				t.Errorf("%s: resource URL %q: %s", cr.name, r.URL, reason)
			}
		}
		for _, tag := range it.Tags {
			if n := len([]rune(tag)); n < 3 || n > 96 {
				t.Errorf("%s: tag %q", cr.name, tag)
			}
		}
	}
	t.Logf("%d items, %d with a udata licence, %d with resources", len(recs), withLicence, withResources)
}

// TestPageIRIsSameInEveryFormat: a page describes the same nodes whatever
// its serialization (the publisher was …/catalog.ttl#publisher in Turtle
// and …/catalog.rdf#publisher in RDF/XML); only the Hydra paging links keep
// the extension they were asked with.
func TestPageIRIsSameInEveryFormat(t *testing.T) {
	series, member, svc := seriesFixture(t)
	iris := func(ext string) map[string]bool {
		p := &Page{Options: handOptions, Fragments: []*Fragment{series, member, svc}, Total: 120, Page: 2, PageSize: 50,
			BaseURL: "https://p.example.org/catalogs/demo/catalog", Ext: ext, Query: url.Values{"page": {"2"}}}
		ts, err := pageTriples(p)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, tr := range ts {
			for _, term := range []Term{tr.S, tr.O} {
				if term.Kind != kindIRI {
					continue
				}
				if strings.HasPrefix(term.Value, "https://p.example.org/catalogs/demo/catalog"+ext+"?") {
					continue // a paging link: keeps its extension
				}
				out[term.Value] = true
			}
		}
		return out
	}
	want := iris("")
	if !want["https://p.example.org/catalogs/demo/catalog#publisher"] {
		t.Errorf("publisher IRI missing: %v", want)
	}
	for _, ext := range []string{".ttl", ".rdf", ".jsonld", ".nt"} {
		got := iris(ext)
		for k := range got {
			if !want[k] {
				t.Errorf("%s page has IRI %s that the negotiated page lacks", ext, k)
			}
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s page lacks IRI %s", ext, k)
			}
		}
	}
}
