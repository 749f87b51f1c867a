package dcat

import (
	"encoding/json"
	"net/url"
	"path"
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
	// Every URL of a record goes through the same rule: links, overviews,
	// contact URLs.
	rec := &iso.Record{FileIdentifier: "u", HierarchyLevel: "dataset",
		Overviews:       []iso.Overview{{URL: " https://img.example.fr/vue aérienne.png "}},
		Parties:         []iso.Party{{Role: "pointOfContact", Organisation: iso.Text{Value: "DDT"}, URL: "https://ddt.example.fr/contact us"}},
		OnlineResources: []iso.OnlineResource{{URL: "https://data.example.fr/jeu de données.csv ", Distributor: -1}}}
	f, err := Map(Input{Record: rec}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, tr := range f.d.Triples {
		all[tr.O.Value] = true
	}
	for _, want := range []string{"https://img.example.fr/vue%20aérienne.png", "https://ddt.example.fr/contact%20us", "https://data.example.fr/jeu%20de%20données.csv"} {
		if !all[want] {
			t.Errorf("URL %s not published", want)
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

// urlEvidence is what a URL alone says of its format, independently of
// the mapper's tables: a format=/outputFormat= parameter, else the path's
// extension ("" when neither says anything).
func urlEvidence(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	for k, v := range pu.Query() {
		if lk := strings.ToLower(k); (lk == "format" || lk == "outputformat") && len(v) > 0 && v[0] != "" {
			return strings.ToLower(v[0])
		}
	}
	ext := strings.ToLower(path.Ext(pu.Path))
	return map[string]string{".pdf": "pdf", ".csv": "csv", ".geojson": "geojson", ".json": "json", ".zip": "zip",
		".xlsx": "xlsx", ".xls": "xls", ".gpkg": "gpkg", ".kml": "kml", ".tif": "tiff", ".tiff": "tiff",
		".html": "html", ".htm": "html", ".shp": "shp", ".ods": "ods", ".txt": "txt", ".atom": "atom"}[ext]
}

// TestDistributionFormatsFromOwnEvidence checks every corpus distribution's
// format against its own evidence (issue 9 item 6): a URL that names its
// format gets that format; one that does not gets the record's listed
// format only when exactly one file format is listed and exactly one link
// lacks evidence, else none; an OGC distribution's service has the
// standard of its own URL (a WFS on a shared endpoint is not a WMS).
func TestDistributionFormatsFromOwnEvidence(t *testing.T) {
	named := map[string][2]string{ // hand-reviewed: URL → format (issue 9 examples)
		"http://my-org.net/download/1.zip":                                                         {"gnui__generic-dataset.iso19139", "zip"},
		"https://my-org.net/docs/1234.pdf":                                                         {"gnui__generic-dataset.iso19139", "pdf"},
		"http://my-org.net/download/2.geojson":                                                     {"gnui__generic-dataset.iso19139", "geojson"},
		"https://data.geopf.fr/annexes/ressources/documentation/REF_CULTURES_2023.csv":             {"udata__geoplateforme-iso19139-IGNF_RPG-1", "csv"},
		"https://data.geopf.fr/annexes/ressources/documentation/SE_RPG.pdf":                        {"udata__geoplateforme-iso19139-IGNF_RPG-1", "pdf"},
		"https://data.geopf.fr/telechargement/resource/RPG":                                        {"udata__geoplateforme-iso19139-IGNF_RPG-1", "gpkg"},
		"http://cs2007.ceh.ac.uk/sites/default/files/LCM2007%20Final%20Report%20-%20vCS%20Web.pdf": {"ckanspatial__gemini_04_Dataset_Valid", "pdf"},
	}
	seenNamed := 0
	checked := 0
	for _, cr := range loadCorpus(t) {
		it, err := BuildItem(Input{Record: cr.rec}, testOptions)
		if err != nil {
			continue
		}
		proto := map[string]string{}
		for _, o := range cr.rec.OnlineResources {
			proto[cleanURL(o.URL)] = o.Protocol
		}
		var noEvidence []Resource
		for _, r := range it.Resources {
			if want, ok := named[r.URL]; ok && want[0] == cr.name {
				seenNamed++
				if r.Format != want[1] {
					t.Errorf("%s: %s format %q, want %q", cr.name, r.URL, r.Format, want[1])
				}
			}
			if r.Type == "api" {
				continue
			}
			checked++
			ev := urlEvidence(r.URL)
			if ev == "" && strings.Contains(strings.ToLower(proto[r.URL]), "atom") {
				ev = "atom"
			}
			switch {
			case ev != "":
				if r.Format != ev && !(ev == "json" && r.Format == "geojson") && !strings.Contains(ev, r.Format) {
					t.Errorf("%s: %s format %q, its own evidence says %q", cr.name, r.URL, r.Format, ev)
				}
			default:
				noEvidence = append(noEvidence, r)
			}
		}
		// Links without evidence: their distributor's (else the record's)
		// one listed file format, only for a single such link; else none.
		group := map[string]int{}
		for _, o := range cr.rec.OnlineResources {
			group[cleanURL(o.URL)] = o.Distributor
		}
		perGroup := map[int]int{}
		for _, r := range noEvidence {
			perGroup[group[r.URL]]++
		}
		for _, r := range noEvidence {
			if r.Format == "" {
				continue
			}
			g := group[r.URL]
			formats := cr.rec.DistributionFormats
			if g >= 0 && g < len(cr.rec.Distributors) && len(cr.rec.Distributors[g].Formats) > 0 {
				formats = cr.rec.Distributors[g].Formats
			}
			var listed []string
			for _, f := range formats {
				fi, ok := lookupFormat(f.Name, f.Href)
				if !ok {
					fi = formatInfo{Label: strings.TrimSpace(f.Name)}
				}
				if !serviceFormat(fi) && !isJunkFormat(fi.Label) && fi.Label != "" {
					listed = appendUnique(listed, strings.ToLower(fi.Label))
				}
			}
			if perGroup[g] != 1 {
				t.Errorf("%s: %s format %q paired although %d links lack evidence", cr.name, r.URL, r.Format, perGroup[g])
			}
			if len(listed) != 1 || listed[0] != r.Format {
				t.Errorf("%s: %s format %q paired from listed formats %v", cr.name, r.URL, r.Format, listed)
			}
		}
		// Services: a distribution's service has its own URL's standard.
		f, err := Map(Input{Record: cr.rec}, testOptions)
		if err != nil {
			continue
		}
		for _, d := range objects(f, f.IRI(), nsDCAT+"distribution") {
			acc := objects(f, d.Value, nsDCAT+"accessURL")
			if len(acc) == 0 {
				continue
			}
			m := reServiceQ.FindStringSubmatch(acc[0].Value)
			if m == nil {
				continue
			}
			for _, svc := range objects(f, d.Value, nsDCAT+"accessService") {
				for _, std := range objects(f, svc.Value, nsDCT+"conformsTo") {
					if !strings.EqualFold(path.Base(std.Value), m[1]) {
						t.Errorf("%s: %s (service=%s) served by a %s service", cr.name, acc[0].Value, m[1], std.Value)
					}
				}
			}
		}
	}
	t.Logf("%d non-service distributions checked against their own evidence, %d hand-reviewed", checked, seenNamed)
	if seenNamed != len(named) {
		t.Errorf("%d of %d hand-reviewed distributions found", seenNamed, len(named))
	}
	if checked < 40 {
		t.Errorf("%d file distributions checked, want ≥ 40", checked)
	}
}

// TestFormatEvidence: the examples on one record.
func TestFormatEvidence(t *testing.T) {
	rec := &iso.Record{FileIdentifier: "fmt", HierarchyLevel: "dataset", Title: iso.Text{Value: "Formats"},
		DistributionFormats: []iso.Format{{Name: "CSV"}},
		OnlineResources: []iso.OnlineResource{
			{URL: "https://data.example.fr/files/lycees_publics.geojson", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1},
			{URL: "https://data.example.fr/explore/dataset/lycees/download/?format=geojson", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1},
			{URL: "https://data.example.fr/export?outputFormat=shape-zip", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1},
			{URL: "https://data.example.fr/doc/notice.pdf", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1},
			{URL: "https://data.example.fr/get?id=1", Protocol: "application/vnd.oasis.opendocument.spreadsheet", Distributor: -1},
			{URL: "https://geo.example.fr/ows?SERVICE=WMS&REQUEST=GetCapabilities", Protocol: "OGC:WMS", Name: "lycees", Distributor: -1},
			{URL: "https://geo.example.fr/ows?SERVICE=WFS&REQUEST=GetCapabilities", Protocol: "OGC:WFS", Name: "lycees", Distributor: -1},
		}}
	it, err := BuildItem(Input{Record: rec}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range it.Resources {
		got = append(got, r.Format)
	}
	if want := "geojson geojson shp pdf ods wms wfs"; strings.Join(got, " ") != want {
		t.Errorf("formats %q, want %q", strings.Join(got, " "), want)
	}
	// The record lists CSV but no link lacks evidence: CSV is nobody's format.
	for _, r := range it.Resources {
		if r.Format == "csv" {
			t.Errorf("%s labelled csv from the record's list", r.URL)
		}
	}
	// One download without evidence and one listed format: paired.
	rec.OnlineResources = append(rec.OnlineResources, iso.OnlineResource{URL: "https://data.example.fr/telechargement/lycees", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1})
	if it, _ = BuildItem(Input{Record: rec}, testOptions); it.Resources[len(it.Resources)-1].Format != "csv" {
		t.Errorf("single link without evidence: format %q, want csv", it.Resources[len(it.Resources)-1].Format)
	}
	// Two: ambiguous, no format.
	rec.OnlineResources = append(rec.OnlineResources, iso.OnlineResource{URL: "https://data.example.fr/telechargement/lycees-2", Protocol: "WWW:DOWNLOAD-1.0-http--download", Distributor: -1})
	it, _ = BuildItem(Input{Record: rec}, testOptions)
	for _, r := range it.Resources[len(it.Resources)-2:] {
		if r.Format != "" {
			t.Errorf("%s: format %q from an ambiguous list", r.URL, r.Format)
		}
	}
}

// TestOneResourcePerURL: layers served at one URL make one resource
// (IGNF_RPG sent 80 resources for 14 URLs), and service endpoints given
// without a protocol are resources, not pages (issue 9 item 11).
func TestOneResourcePerURL(t *testing.T) {
	items := map[string]*Item{}
	for _, cr := range loadCorpus(t) {
		it, err := BuildItem(Input{Record: cr.rec}, testOptions)
		if err != nil {
			continue
		}
		items[cr.name] = it
		seen := map[string]bool{}
		for _, r := range it.Resources {
			if seen[r.URL] {
				t.Errorf("%s: two resources for %s", cr.name, r.URL)
			}
			seen[r.URL] = true
		}
	}
	rpg := items["udata__geoplateforme-iso19139-IGNF_RPG-1"]
	if rpg == nil || len(rpg.Resources) != 14 {
		t.Fatalf("IGNF_RPG: %v resources, want 14 (one per URL)", rpg)
	}
	for name, want := range map[string]struct{ url, format string }{
		"inspiremif__IACS_dataset_metadata_2.0_example": {"https://inspire.lfrz.gv.at/009501/wms?version=1.3.0&request=GetCapabilities", "wms"},
		"ckanspatial__wales1":                           {"http://inspire.wales.gov.uk/maps/Protected_sites/wms?request=getCapabilities", "wms"},
		"gnui__geoide.iso19139.dataset":                 {"https://ogc.geo-ide.developpement-durable.gouv.fr/wxs?map=/opt/data/carto/geoide-catalogue/1.4/org_38114/e88b2e8c-8c0e-4296-8ceb-57c8f779432a.internet.map", ""},
	} {
		found := false
		for _, r := range items[name].Resources {
			if r.URL == want.url {
				found = true
				if r.Type != "api" || r.Format != want.format {
					t.Errorf("%s: %s type %q format %q, want api %q", name, r.URL, r.Type, r.Format, want.format)
				}
			}
		}
		if !found {
			t.Errorf("%s: endpoint without protocol %s is not a resource", name, want.url)
		}
	}
	// A page that is no service stays a page.
	rec := &iso.Record{FileIdentifier: "p", HierarchyLevel: "dataset", OnlineResources: []iso.OnlineResource{
		{URL: "https://www.example.fr/about.html", Distributor: -1}, {URL: "https://www.example.fr/carte?id=3", Distributor: -1}}}
	if it, _ := BuildItem(Input{Record: rec}, testOptions); len(it.Resources) != 0 {
		t.Errorf("plain pages became resources: %+v", it.Resources)
	}
}

// openLicenceRecords are the corpus datasets and series that state an
// open licence or "no conditions apply" and no access restriction, with
// the udata licence each must get (hand-reviewed from the records'
// constraints, issue 9 item 11).
var openLicenceRecords = map[string]string{
	"geodcatpilot__dk_50b921ea":                     "cc-by",      // "CC BY 4.0" Anchor
	"gnui__geo2france.iso19139.plu":                 "lov2",       // "Licence Ouverte 2.0" (beside "Aucune condition ne s'applique")
	"gnui__geoide.iso19139.dataset":                 "lov2",       // "Licence Ouverte / Open Licence Version 2.0"
	"gnui__metadata-for-i18n.dataset":               "other-at",   // opendata.swiss "Opendata BY" (#terms_by)
	"owslib__csw_iso_identifier":                    "other-pd",   // Public Domain Mark Anchor (+ noConditionsApply)
	"owslib__iso_keywords_anchor":                   "cc-by",      // "CC-By 4.0"
	"pycsw__apiso_test":                             "other-open", // "no conditions apply"
	"pycsw__gr_T_aerfo_RAS_1991_GR800P001800000012": "other-open",
	"pycsw__gr_T_ortho_RAS_1998_284404":             "other-open",
	"pycsw__gr_T_pmoed_DTM_1996_276395":             "other-open",
	"pycsw__apiso_GetRecordById-full-1":             "other-open",
	"pycsw__apiso_GetRecords-all-2":                 "other-open",
	"pycsw__apiso_GetRecords-all-3":                 "other-open",
	"pycsw__apiso_GetRecords-all-4":                 "other-open",
	"pycsw__apiso_GetRecords-all-5":                 "other-open",
	"owslib__csw_dov_getrecordbyid-1":               "other-open", // noConditionsApply Anchor over https
	"semic__multilingual-resource-description":      "lov2",
	"udata__geoide-iso19139-single-dataset-1":       "fr-lo", // "Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence."
	"udata__geonetwork-iso19139-page-1-2":           "fr-lo",
	"udata__geonetwork-iso19139-page-3-1":           "lov2",
	"udata__geonetwork-iso19139-page-3-2":           "fr-lo",
	"udata__geonetwork-iso19139-page-5-1":           "fr-lo",
	"udata__geonetwork-iso19139-page-5-2":           "fr-lo",
	"udata__geoplateforme-iso19139-IGNF_RPG-1":      "lov2", // "Licence Ouverte / Open License", etalab 2018 PDF
}

// TestOpenLicencesReachUdata walks every corpus dataset's feed document
// the way udata's harvester reads it (checkFeedDataset, guessLicence): the
// records of openLicenceRecords get their licence, by an exact match; no
// other record gets one (no invented licence; restricted ones are nulled
// by udata); and the item pushed says the same.
func TestOpenLicencesReachUdata(t *testing.T) {
	got := 0
	for _, cr := range loadCorpus(t) {
		f, err := Map(Input{Record: cr.rec}, testOptions)
		if err != nil || !PublishedAsDataset(f.Kind()) {
			continue
		}
		fail := func(format string, args ...any) { t.Errorf("%s: "+format, append([]any{cr.name}, args...)...) }
		v := checkFeedDataset(newRDFGraph(f.d.Triples), f.IRI(), testOptions.Now(), fail)
		harvested := v.licence
		if v.restrict {
			harvested = "" // udata nulls the licence of a restricted dataset
		}
		want := openLicenceRecords[cr.name]
		switch {
		case want != "" && harvested == want:
			got++
		case want != "":
			fail("licence on data.gouv.fr %q, want %q", harvested, want)
		case v.access == "open" && harvested != "":
			fail("licence %q on data.gouv.fr: invented", harvested)
		}
		// (A record restricted otherwise than by INSPIRE Article 13 keeps
		// its stated licence when harvested: udata reads only Article 13;
		// push sends it as restricted, without licence.)
		it, err := BuildItem(Input{Record: cr.rec}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		if it.AccessType == "open" && it.License != want {
			fail("item licence %q, want %q", it.License, want)
		}
		if it.AccessType != "open" && it.License != "" {
			fail("item licence %q with access_type %q", it.License, it.AccessType)
		}
	}
	t.Logf("%d of %d records stating an open licence or no conditions get the right udata licence", got, len(openLicenceRecords))
	if got != len(openLicenceRecords) {
		t.Errorf("%d of %d open-licence records found with their licence", got, len(openLicenceRecords))
	}
}

// TestFrequencies: non-standard maintenance codes and
// userDefinedMaintenanceFrequency durations give the nearest frequency
// udata knows, in the feed and the item alike (issue 9 item 11).
func TestFrequencies(t *testing.T) {
	for _, c := range []struct {
		code, duration, eu, udata string
	}{
		{"annually", "", "ANNUAL", "annual"},
		{"5annually", "", "QUINQUENNIAL", "quinquennial"},
		{"2-yearly", "", "BIENNIAL", "biennial"},
		{"3monthly", "", "QUARTERLY", "quarterly"},
		{"mensuel", "", "MONTHLY", "monthly"},
		{"", "P0Y0M10D", "MONTHLY_3", "threeTimesAMonth"},
		{"", "P1Y", "ANNUAL", "annual"},
		{"", "P0Y6M0D", "ANNUAL_2", "semiannual"},
		{"", "P7D", "WEEKLY", "weekly"},
		{"", "PT1H", "HOURLY", "hourly"},
		{"", "P5Y", "QUINQUENNIAL", "quinquennial"},
		{"unknown", "P1M", "MONTHLY", "monthly"},
		{"daily", "P1Y", "DAILY", "daily"}, // a standard code wins
		{"", "P0D", "", ""},
		{"", "pas une durée", "", ""},
		{"sometimes", "", "", ""},
	} {
		rec := &iso.Record{FileIdentifier: "f", HierarchyLevel: "dataset", MaintenanceFrequency: c.code, MaintenanceDuration: c.duration}
		it, err := BuildItem(Input{Record: rec}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := Map(Input{Record: rec}, testOptions)
		var eu string
		if o := objects(f, f.IRI(), nsDCT+"accrualPeriodicity"); len(o) == 1 {
			eu = strings.TrimPrefix(o[0].Value, euFrequency)
		}
		if it.Frequency != c.udata || eu != c.eu || udataFromEUFrequency(eu) != c.udata && eu != "" {
			t.Errorf("%q/%q: item %q feed %q, want %q / %q", c.code, c.duration, it.Frequency, eu, c.udata, c.eu)
		}
	}
	// The corpus cases of the issue.
	for _, cr := range loadCorpus(t) {
		want := map[string]string{"owslib__csw_iso_identifier": "quinquennial", "gnui__generic-dataset.iso19139": "threeTimesAMonth"}[cr.name]
		if want == "" {
			continue
		}
		if it, _ := BuildItem(Input{Record: cr.rec}, testOptions); it.Frequency != want {
			t.Errorf("%s: frequency %q, want %q", cr.name, it.Frequency, want)
		}
	}
}
