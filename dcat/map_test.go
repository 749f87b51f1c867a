package dcat

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/passerelle/passerelle/iso"
)

func boolp(b bool) *bool { return &b }

// handRecord is a small French dataset exercising most rules.
func handRecord() *iso.Record {
	return &iso.Record{
		FileIdentifier:     "fr-123/abc def",
		Language:           "fre",
		HierarchyLevel:     "dataset",
		IdentificationKind: "data",
		DateStamp:          "2024-05-02T10:00:00",
		Title:              iso.Text{Value: "Occupation des sols", Translations: map[string]string{"eng": "Land use"}},
		Abstract:           iso.Text{Value: strings.Repeat("Description longue. ", 8)},
		Identifiers:        []iso.Identifier{{Code: "ABC-1", CodeSpace: " FR-120066022 \n "}, {Code: "10.1234/xyz", CodeSpace: "doi"}},
		Dates: []iso.Date{
			{Value: "2020-01-01", Type: "revision"}, {Value: "2023-06-30", Type: "revision"},
			{Value: "2099-01-01", Type: "revision"}, {Value: "2019-03-01", Type: "publication"},
		},
		MaintenanceFrequency: "annually",
		Keywords: []iso.KeywordGroup{
			{Thesaurus: &iso.Citation{Title: iso.Text{Value: "GEMET - INSPIRE themes, version 1.0"}}, Keywords: []iso.Text{{Value: "Usage des sols"}}},
			{Keywords: []iso.Text{{Value: "PLU"}, {Value: "urbanisme"}, {Value: "ab"}}},
		},
		Constraints: []iso.Constraint{
			{Kind: "legal", AccessConstraints: []string{"otherRestrictions"}, OtherConstraints: []iso.Text{{Value: "Pas de restriction d'accès public selon INSPIRE"}}},
			{Kind: "legal", UseConstraints: []string{"otherRestrictions"}, OtherConstraints: []iso.Text{{Value: "Licence Ouverte / Open Licence Version 2.0"}}},
		},
		BoundingBoxes:   []iso.BoundingBox{{West: -5.2, East: 9.6, South: 41.3, North: 51.1}, {West: 200, East: 10, South: 0, North: 1}},
		TemporalExtents: []iso.TemporalExtent{{Begin: "2010-01-01T00:00:00Z", End: "2012-12-31"}},
		Conformity:      []iso.Conformity{{Specification: iso.Citation{Title: iso.Text{Value: "Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010"}}, Pass: boolp(true)}},
		Parties: []iso.Party{
			{Place: "pointOfContact", Role: "pointOfContact", Organisation: iso.Text{Value: "DDT 59"}, Emails: []string{"ddt@nord.gouv.fr", "niet beschikbaar"}},
			{Place: "pointOfContact", Role: "owner", Organisation: iso.Text{Value: "Préfecture du Nord"}},
		},
		DistributionFormats: []iso.Format{{Name: "ESRI Shapefile"}},
		OnlineResources: []iso.OnlineResource{
			{URL: "https://data.example.fr/plu.zip", Protocol: "WWW:DOWNLOAD-1.0-http--download", Name: "Archive", TransferSizeMB: 1.5, Distributor: -1},
			{URL: "https://geo.example.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities", Protocol: "OGC:WMS", Name: "plu_zonage", Distributor: -1},
			{URL: "https://geo.example.fr/wms?SERVICE=WMS&REQUEST=GetCapabilities", Protocol: "OGC:WMS", Name: "plu_prescriptions", Distributor: -1},
			{URL: "URL of the Spatial Data Service access point", Protocol: "OGC:WFS", Distributor: -1},
			{URL: "http://192.168.1.10/data.csv", Distributor: -1},
			{URL: "https://www.example.fr/page.html", Protocol: "WWW:LINK-1.0-http--link", Distributor: -1},
			{URL: "https://geo.example.fr/geonetwork/srv/fre/catalog.search#/metadata/fr-123", Distributor: -1},
		},
		ParentIdentifier: "series-1",
	}
}

var handOptions = Options{
	PublicURL: "https://p.example.org",
	Catalog:   CatalogInfo{ID: "demo", Title: "Demo", Description: "Demo catalog", Publisher: "Demo org"},
	Now:       func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
}

// objects returns the objects of (s, p) in the fragment.
func objects(f *Fragment, s, p string) []Term {
	var out []Term
	for _, t := range f.d.Triples {
		if t.S.Value == s && t.P.Value == p {
			out = append(out, t.O)
		}
	}
	return out
}

func subjectsOfType(f *Fragment, class string) []Term {
	var out []Term
	for _, t := range f.d.Triples {
		if t.P.Value == nsRDF+"type" && t.O.Value == class {
			out = append(out, t.S)
		}
	}
	return out
}

func TestMapHandRecord(t *testing.T) {
	f, err := Map(Input{Record: handRecord()}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	r := f.IRI()
	if want := "https://p.example.org/catalogs/demo/datasets/fr-123%2Fabc%20def"; r != want {
		t.Errorf("IRI = %q, want %q (identifier FR-120066022/ABC-1 is not an IRI)", r, want)
	}
	if f.Identifier() != "FR-120066022/ABC-1" {
		t.Errorf("identifier = %q", f.Identifier())
	}
	if got := objects(f, r, nsDCT+"identifier"); len(got) != 1 {
		t.Errorf("dct:identifier: %v, want exactly one", got)
	}
	if got := objects(f, r, nsDCT+"conformsTo"); len(got) != 0 {
		t.Errorf("dataset-level dct:conformsTo: %v", got)
	}
	if got := objects(f, r, nsDCT+"modified"); len(got) != 1 || got[0].Value != "2023-06-30" || got[0].Datatype != nsXSD+"date" {
		t.Errorf("dct:modified = %v, want the latest past revision 2023-06-30", got)
	}
	if got := objects(f, r, nsDCT+"language"); len(got) != 1 || got[0].Value != euLanguage+"FRA" {
		t.Errorf("dct:language = %v", got)
	}
	titles := objects(f, r, nsDCT+"title")
	if len(titles) != 2 || titles[0].Lang != "fr" || titles[1].Lang != "en" {
		t.Errorf("titles = %v, want @fr and @en", titles)
	}
	themes := map[string]bool{}
	for _, o := range objects(f, r, nsDCAT+"theme") {
		themes[o.Value] = true
		if len(objects(f, o.Value, nsSKOS+"prefLabel")) == 0 {
			t.Errorf("theme %s without skos:prefLabel", o.Value)
		}
	}
	dataThemes := 0
	for th := range themes {
		if strings.HasPrefix(th, euDataTheme) {
			dataThemes++
		}
	}
	if !themes[inspireTh+"lu"] || dataThemes == 0 {
		t.Errorf("themes = %v, want INSPIRE lu and its EU data theme", themes)
	}
	kws := objects(f, r, nsDCAT+"keyword")
	if len(kws) != 3 {
		t.Errorf("keywords = %v", kws)
	}
	if got := objects(f, r, nsDCT+"license"); len(got) != 1 || got[0].Value != licLOv2.URL {
		t.Errorf("dataset licence = %v", got)
	}
	if got := objects(f, r, nsDCT+"accessRights"); len(got) != 1 || !strings.HasSuffix(got[0].Value, "/noLimitations") {
		t.Errorf("accessRights = %v", got)
	}
	locs := objects(f, r, nsDCT+"spatial")
	if len(locs) != 1 {
		t.Fatalf("spatial = %v, want one valid bbox (the second is out of range)", locs)
	}
	bbox := objects(f, locs[0].Value, nsDCAT+"bbox")
	if len(bbox) != 1 || bbox[0].Value != "POLYGON((-5.2 41.3, 9.6 41.3, 9.6 51.1, -5.2 51.1, -5.2 41.3))" || bbox[0].Datatype != nsGSP+"wktLiteral" {
		t.Errorf("bbox = %v", bbox)
	}
	per := objects(f, r, nsDCT+"temporal")
	if len(per) != 1 {
		t.Fatalf("temporal = %v", per)
	}
	s, e := objects(f, per[0].Value, nsDCAT+"startDate"), objects(f, per[0].Value, nsDCAT+"endDate")
	if len(s) != 1 || len(e) != 1 || s[0].Datatype != e[0].Datatype || s[0].Value != "2010-01-01" {
		t.Errorf("period %v / %v: both ends must be typed the same way", s, e)
	}
	dists := objects(f, r, nsDCAT+"distribution")
	if len(dists) != 2 {
		t.Fatalf("distributions = %d, want 2 (zip + one WMS URL serving 2 layers; placeholder and private URLs dropped)", len(dists))
	}
	var services []Term
	for _, d := range dists {
		if n := len(objects(f, d.Value, nsDCT+"format")); n > 1 {
			t.Errorf("distribution %s has %d formats", d.Value, n)
		}
		if n := len(objects(f, d.Value, nsDCT+"license")); n != 1 {
			t.Errorf("distribution %s has %d licences", d.Value, n)
		}
		services = append(services, objects(f, d.Value, nsDCAT+"accessService")...)
	}
	if len(services) != 1 {
		t.Errorf("access services %v: want one DataService for the WMS URL", services)
	} else if ws := dists[1].Value; len(objects(f, ws, nsDCT+"title")) != 1 || objects(f, ws, nsDCT+"title")[0].Value != "WMS — plu_zonage, plu_prescriptions" {
		t.Errorf("merged WMS title %v", objects(f, ws, nsDCT+"title"))
	} else if ep := objects(f, services[0].Value, nsDCAT+"endpointURL"); len(ep) != 1 || ep[0].Value != "https://geo.example.fr/wms" {
		t.Errorf("endpointURL = %v", ep)
	}
	zip := dists[0].Value
	if got := objects(f, zip, nsDCAT+"downloadURL"); len(got) != 1 {
		t.Errorf("zip downloadURL = %v", got)
	}
	if got := objects(f, zip, nsDCAT+"byteSize"); len(got) != 1 || got[0].Value != "1500000" {
		t.Errorf("byteSize = %v", got)
	}
	// The link's own evidence (.zip) wins over the record's format list
	// (issue 9 item 6).
	if got := objects(f, zip, nsDCT+"format"); len(got) != 1 || got[0].Value != euFileType+"ZIP" {
		t.Errorf("zip format = %v", got)
	}
	if got := objects(f, r, nsDCAT+"landingPage"); len(got) != 1 {
		t.Errorf("landingPage = %v", got)
	}
	pub := objects(f, r, nsDCT+"publisher")
	if len(pub) != 1 || pub[0].Value != "https://p.example.org/catalogs/demo/producers/prefecture-du-nord" {
		t.Errorf("publisher = %v, want the owner (no publisher role)", pub)
	}
	cps := objects(f, r, nsDCAT+"contactPoint")
	if len(cps) != 1 {
		t.Fatalf("contact points = %v", cps)
	}
	if mails := objects(f, cps[0].Value, nsVCard+"hasEmail"); len(mails) != 1 || mails[0].Value != "mailto:ddt@nord.gouv.fr" {
		t.Errorf("emails = %v", mails)
	}
	act := objects(f, r, nsPROV+"wasUsedBy")
	if len(act) != 1 {
		t.Errorf("wasUsedBy = %v", act)
	}
	found := false
	for _, tr := range f.d.Triples {
		if tr.P.Value == nsPROV+"wasDerivedFrom" && tr.O.Value == "http://data.europa.eu/eli/reg/2010/1089/oj" {
			found = true
		}
	}
	if !found {
		t.Error("conformity plan not derived from the ELI of regulation 1089/2010")
	}
	cr := objects(f, r, nsFOAF+"isPrimaryTopicOf")
	if len(cr) != 1 || cr[0].Value != "https://p.example.org/catalogs/demo/records/fr-123%2Fabc%20def" {
		t.Errorf("catalog record = %v", cr)
	}
	if pt := objects(f, cr[0].Value, nsFOAF+"primaryTopic"); len(pt) != 1 || pt[0].Value != r {
		t.Errorf("primaryTopic = %v", pt)
	}
	if links := f.Links(); len(links) != 1 || links[0].Predicate != nsDCAT+"inSeries" || links[0].TargetFileID != "series-1" {
		t.Errorf("links = %v", links)
	}
	prefix := ""
	for _, tr := range f.d.Triples {
		if tr.S.Kind != kindBlank {
			continue
		}
		if prefix == "" {
			prefix = tr.S.Value[:11]
		}
		if !strings.HasPrefix(tr.S.Value, prefix) {
			t.Errorf("blank label %q lacks the record prefix %q", tr.S.Value, prefix)
		}
	}
	other, _ := Map(Input{Record: &iso.Record{FileIdentifier: "other", HierarchyLevel: "dataset", TemporalExtents: handRecord().TemporalExtents}}, handOptions)
	for _, tr := range other.d.Triples {
		if tr.S.Kind == kindBlank && strings.HasPrefix(tr.S.Value, prefix) {
			t.Errorf("two records share blank prefix %q", prefix)
		}
	}
	if len(subjectsOfType(f, nsDCAT+"Dataset")) != 1 {
		t.Error("want exactly one dcat:Dataset")
	}
}

func TestMapErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		opt  Options
	}{
		{"no record", Input{}, handOptions},
		{"no fileIdentifier", Input{Record: &iso.Record{}}, handOptions},
		{"bad public URL", Input{Record: handRecord()}, Options{PublicURL: "p.example.org", Catalog: handOptions.Catalog}},
		{"no catalog", Input{Record: handRecord()}, Options{PublicURL: "https://p.example.org"}},
	}
	for _, tt := range tests {
		if _, err := Map(tt.in, tt.opt); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestResourceIdentifier(t *testing.T) {
	tests := []struct {
		ids  []iso.Identifier
		fid  string
		want string
	}{
		{[]iso.Identifier{{Code: " abc ", CodeSpace: " http://x.org/ "}}, "f", "http://x.org/abc"},
		{[]iso.Identifier{{Code: "abc", CodeSpace: "FR-1\n   "}}, "f", "FR-1/abc"},
		{[]iso.Identifier{{Code: "abc"}}, "f", "abc"},
		{[]iso.Identifier{{Code: " https://id.example/1 ", Anchor: true, Href: "https://other", CodeSpace: "cs"}}, "f", "https://id.example/1"},
		{[]iso.Identifier{{Code: ""}, {Code: "second"}}, "f", "second"},
		{nil, " fid ", "fid"},
	}
	for _, tt := range tests {
		if got := ResourceIdentifier(&iso.Record{Identifiers: tt.ids, FileIdentifier: tt.fid}); got != tt.want {
			t.Errorf("ResourceIdentifier(%v) = %q, want %q", tt.ids, got, tt.want)
		}
	}
}

func TestIdentifierIRI(t *testing.T) {
	rec := handRecord()
	rec.Identifiers = []iso.Identifier{{Code: "e88b", CodeSpace: "http://catalogue.example.fr/"}}
	f, err := Map(Input{Record: rec}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	if f.IRI() != "http://catalogue.example.fr/e88b" {
		t.Errorf("IRI = %q, want the identifier", f.IRI())
	}
	f, _ = Map(Input{Record: rec, Identifier: "kept-from-before"}, handOptions)
	if f.Identifier() != "kept-from-before" {
		t.Errorf("caller's identifier not kept: %q", f.Identifier())
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://data.example.fr/a.zip", true},
		{"ftp://ftp.example.org/x", true},
		{"http://localhost:8080/x", false},
		{"http://192.168.0.1/x", false},
		{"http://intranet/x", false},
		{"URL of the Spatial Data Service access point", false},
		{"https://exa mple.org/", false},
		{"mailto:a@b.org", false},
		{"https://user:pw@example.org/", false},
		{"https://atom.geo-ide.e2.rie.gouv.fr/x", false},
		{"https://8.8.8.8/x", true},
		{"http://gis.agency.lan/wms", false},
		{"http://srv.corp/x", false},
	}
	for _, tt := range tests {
		if got := checkURL(tt.in) == ""; got != tt.ok {
			t.Errorf("checkURL(%q) ok = %v, want %v (%s)", tt.in, got, tt.ok, checkURL(tt.in))
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, kind, lex string }{
		{"2020", "gYear", "2020"},
		{"2020-05", "gYearMonth", "2020-05"},
		{" 2020-05-06 ", "date", "2020-05-06"},
		{"2020-05-06Z", "date", "2020-05-06"},
		{"2020-05-06T10:11:12", "dateTime", "2020-05-06T10:11:12"},
		{"2020-05-06T10:11:12Z", "dateTime", "2020-05-06T10:11:12Z"},
		{"2022-08-23T14:37:39.946+02:00", "dateTime", "2022-08-23T14:37:39.946+02:00"},
		{"23/08/2022", "", ""},
		{"now", "", ""},
	}
	for _, tt := range tests {
		d, ok := parseDate(tt.in)
		if tt.kind == "" {
			if ok {
				t.Errorf("parseDate(%q) = %v, want failure", tt.in, d)
			}
			continue
		}
		if !ok || d.Kind != tt.kind || d.Lex != tt.lex {
			t.Errorf("parseDate(%q) = %+v, %v; want %s %s", tt.in, d, ok, tt.kind, tt.lex)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020", "2020-01", "2020-01-02", "2020-01-02T03:04:05Z", "2020-01-02+01:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if !ok {
			return
		}
		// The lexical form must parse again to the same kind.
		d2, ok2 := parseDate(d.Lex)
		if !ok2 || d2.Kind != d.Kind || d2.Lex != d.Lex {
			t.Errorf("parseDate(%q) = %+v; reparse %+v %v", s, d, d2, ok2)
		}
	})
}

func TestVocabularies(t *testing.T) {
	langs := []struct{ in, eu, tag string }{{"fre", "FRA", "fr"}, {"FRA", "FRA", "fr"}, {"fr", "FRA", "fr"}, {"rum", "RON", "ro"}, {"ger", "DEU", "de"}, {"roh", "ROH", "rm"}, {"eng; CAN", "", ""}}
	for _, l := range langs {
		eu, tag, _ := language(l.in)
		if eu != l.eu || tag != l.tag {
			t.Errorf("language(%q) = %s %s, want %s %s", l.in, eu, tag, l.eu, l.tag)
		}
	}
	freqs := map[string]string{"continual": "CONT", "annually": "ANNUAL", "biannually": "ANNUAL_2", "asNeeded": "AS_NEEDED", "nope": ""}
	for iso, want := range freqs {
		if got := frequency(iso); got != want {
			t.Errorf("frequency(%q) = %q, want %q", iso, got, want)
		}
	}
	if udataFrequency["CONT"] != "severalTimesADay" {
		t.Error("CONT must map to severalTimesADay")
	}
	themes := map[string]string{"Usage des sols": "lu", "Répartition de la population - démographie": "pd", "Hydrography": "hy", "Services d’utilité publique et services publics": "us", "Bodennutzung": "lu", "random": ""}
	for label, want := range themes {
		if got := themeFromLabel(label); got != want {
			t.Errorf("themeFromLabel(%q) = %q, want %q", label, got, want)
		}
	}
	iris := map[string]string{"http://inspire.ec.europa.eu/theme/hy": "hy", "https://inspire.ec.europa.eu/theme/lu/": "lu", "http://rdfdata.eionet.europa.eu/inspirethemes/themes/1": "rs", "https://example.org/theme/hy": ""}
	for href, want := range iris {
		if got := themeFromIRI(href); got != want {
			t.Errorf("themeFromIRI(%q) = %q, want %q", href, got, want)
		}
	}
	lics := map[string]string{
		"Licence Ouverte / Open Licence Version 2.0": "lov2", "etalab-2.0": "lov2", "https://www.etalab.gouv.fr/licence-ouverte-open-licence": "lov2",
		"Licence ouverte v1.0": "fr-lo", "ODbL": "odc-odbl", "CC-BY 4.0": "cc-by", "https://creativecommons.org/licenses/by-sa/4.0/": "cc-by-sa",
		"CC0": "cc-zero", "Pas de restriction": "",
	}
	for text, want := range lics {
		l, _ := detectLicence(text)
		if l.ID != want {
			t.Errorf("detectLicence(%q) = %q, want %q", text, l.ID, want)
		}
	}
	access := map[string]string{"Pas de restriction d'accès public selon INSPIRE": "noLimitations", "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)": "INSPIRE_Directive_Article13_1d", "Article 13(1)(e)": "INSPIRE_Directive_Article13_1e", "whatever": ""}
	for text, want := range access {
		if got := accessRight(text, ""); got != want {
			t.Errorf("accessRight(%q) = %q, want %q", text, got, want)
		}
	}
	if f, ok := lookupFormat("ESRI Shapefile", ""); !ok || f.EU != "SHP" {
		t.Errorf("lookupFormat(ESRI Shapefile) = %+v", f)
	}
	if f, ok := formatFromURL("https://x.org/a/b.csv?x=1"); !ok || f.EU != "CSV" || f.Media != "text/csv" {
		t.Errorf("formatFromURL(csv) = %+v", f)
	}
}

func TestFragmentRoundTrip(t *testing.T) {
	f, err := Map(Input{Record: handRecord()}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	g, err := UnmarshalFragment(b)
	if err != nil {
		t.Fatal(err)
	}
	var w1, w2 bytes.Buffer
	if err := WriteDataset(&w1, NTriples, f, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteDataset(&w2, NTriples, g, nil); err != nil {
		t.Fatal(err)
	}
	if w1.String() != w2.String() || g.Kind() != f.Kind() || g.IRI() != f.IRI() {
		t.Error("fragment changed through MarshalBinary/UnmarshalFragment")
	}
	old := f.d
	old.Version = MapperVersion + 1
	if _, err := UnmarshalFragment(encodeFragment(&old)); err == nil {
		t.Error("other mapper version accepted")
	}
	for i := 0; i < len(b); i++ { // every truncation is refused, never a panic
		if _, err := UnmarshalFragment(b[:i]); err == nil {
			t.Fatalf("fragment cut at %d of %d bytes accepted", i, len(b))
		}
	}
	if _, err := UnmarshalFragment([]byte(`not json`)); err == nil {
		t.Error("garbage accepted")
	}
}

func TestPublisherFromProducer(t *testing.T) {
	tests := []struct {
		slug, name, want string
	}{
		{"ddt-nord", "DDT du Nord", "https://p.example.org/catalogs/demo/producers/ddt-nord"},
		{"_none", "", "https://p.example.org/catalogs/demo/producers/prefecture-du-nord"}, // record chain: owner
		{"", "", "https://p.example.org/catalogs/demo/producers/prefecture-du-nord"},
	}
	for _, tt := range tests {
		f, err := Map(Input{Record: handRecord(), ProducerSlug: tt.slug, Producer: tt.name}, handOptions)
		if err != nil {
			t.Fatal(err)
		}
		if got := objects(f, f.IRI(), nsDCT+"publisher"); len(got) != 1 || got[0].Value != tt.want {
			t.Errorf("producer %q: publisher = %v, want %s", tt.slug, got, tt.want)
		}
	}
	rec := &iso.Record{FileIdentifier: "x", HierarchyLevel: "dataset", Title: iso.Text{Value: "x"}}
	f, _ := Map(Input{Record: rec}, handOptions)
	if got := objects(f, f.IRI(), nsDCT+"publisher"); len(got) != 1 || got[0].Value != "https://p.example.org/catalogs/demo/producers/demo-org" {
		t.Errorf("catalog fallback: publisher = %v", got)
	}
}
