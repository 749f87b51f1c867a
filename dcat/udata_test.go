package dcat

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
)

// This file checks, on every record of the shared corpus (bare records and
// the records inside CSW envelopes) and of the demo catalog, what
// data.gouv.fr (udata) does with passerelle's output (udata.md §A, §C.5,
// §C.6, §D, §E, §G): the feed page through a model of udata's
// dataset_from_rdf, and BuildItem through the API's form rules.

// udataLicences are data.gouv.fr's licences (udata.md §D.2): id, title,
// url, alternate urls, alternate titles.
var udataLicences = []struct {
	id, title, url string
	altURLs        []string
	altTitles      []string
}{
	{"cc-by", "Creative Commons Attribution", "http://www.opendefinition.org/licenses/cc-by", nil, nil},
	{"cc-by-sa", "Creative Commons Attribution Share-Alike", "http://www.opendefinition.org/licenses/cc-by-sa", nil, nil},
	{"cc-zero", "Creative Commons CCZero", "http://www.opendefinition.org/licenses/cc-zero", nil, nil},
	{"fr-lo", "Licence Ouverte / Open Licence (v1)", "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
		[]string{"https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Open_Licence.pdf"}, []string{"LO/OL"}},
	{"lov2", "Licence Ouverte / Open Licence version 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
		[]string{"https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf", "https://github.com/etalab/Licence-Ouverte/blob/master/LO.md"},
		[]string{"License Etalab", "Licence Ouverte v2.0", "Open Licence v2.0", "Licence Ouverte / Open Licence v2.0", "etalab-2.0"}},
	{"notspecified", "License Not Specified", "", nil, nil},
	{"odc-by", "Open Data Commons Attribution License", "http://opendatacommons.org/licenses/by/summary/", nil, nil},
	{"odc-odbl", "Open Data Commons Open Database License (ODbL)", "http://opendatacommons.org/licenses/odbl/summary/",
		[]string{"https://opendefinition.org/licenses/odc-odbl"}, []string{"Open Database License (ODbL) 1.0", "Open Data Commons Open Database License 1.0", "Open Database License"}},
	{"odc-pddl", "Open Data Commons Public Domain Dedication and Licence (PDDL)", "http://opendatacommons.org/licenses/pddl/summary/", nil, nil},
	{"other-at", "Other (Attribution)", "", nil, nil},
	{"other-open", "Other (Open)", "", nil, nil},
	{"other-pd", "Other (Public Domain)", "", nil, nil},
}

var reFirstURL = regexp.MustCompile(`https?://[^\s<>"]+`)

// guessLicence models udata's License.guess (udata.md §D.2,
// udata/core/dataset/models.py @25b5a2d) on one candidate string: the
// first http(s) URL in it, then the remaining text, each through
// guessOne. The licence slugs are taken as the slugs of their titles.
func guessLicence(s string) string {
	id, _ := guessLicenceHow(s)
	return id
}

// guessLicenceHow also says which step of guess_one matched: "id",
// "slug", "url" (exact, case-insensitive, alternate URLs included),
// "url-contains" (host+path inside a licence URL) or "fuzzy"
// (Levenshtein ≤ 2 on slugs, titles or alternate titles, single
// candidate).
func guessLicenceHow(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	parts := []string{s}
	if u := reFirstURL.FindString(strings.TrimRight(s, ".")); u != "" {
		parts = []string{u, strings.TrimSpace(strings.Replace(s, u, "", 1))}
	}
	for _, p := range parts {
		if id, how := guessOne(p); id != "" {
			return id, how
		}
	}
	return "", ""
}

func guessOne(text string) (string, string) {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return "", ""
	}
	slug := iso.Slug(text)
	for _, l := range udataLicences {
		if l.id == text {
			return l.id, "id"
		}
		if iso.Slug(l.title) == slug {
			return l.id, "slug"
		}
		for _, u := range append([]string{l.url}, l.altURLs...) {
			if u != "" && strings.ToLower(u) == text {
				return l.id, "url"
			}
		}
	}
	if pu, err := url.Parse(text); err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "" {
		q := pu.Host + strings.TrimRight(pu.Path, "/")
		for _, l := range udataLicences {
			for _, u := range append([]string{l.url}, l.altURLs...) {
				if u != "" && strings.Contains(strings.ToLower(u), q) {
					return l.id, "url-contains"
				}
			}
		}
	}
	single := func(match func(l int) bool) string {
		var c []string
		for i, l := range udataLicences {
			if match(i) {
				c = appendUnique(c, l.id)
			}
		}
		if len(c) == 1 {
			return c[0]
		}
		return ""
	}
	if id := single(func(i int) bool { return levenshtein(iso.Slug(udataLicences[i].title), slug) <= 2 }); id != "" {
		return id, "fuzzy"
	}
	if id := single(func(i int) bool { return levenshtein(strings.ToLower(udataLicences[i].title), text) <= 2 }); id != "" {
		return id, "fuzzy"
	}
	if id := single(func(i int) bool {
		for _, t := range udataLicences[i].altTitles {
			if levenshtein(iso.Slug(t), slug) <= 2 {
				return true
			}
		}
		return false
	}); id != "" {
		return id, "fuzzy"
	}
	return "", ""
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// udataFrequencyIDs are the UpdateFrequency ids (udata.md §D.1).
var udataFrequencyIDs = strings.Fields(`continuous oneMinute fiveMinutes tenMinutes fifteenMinutes
	thirtyMinutes hourly bihourly trihourly twelveHours severalTimesADay threeTimesADay semidaily daily
	fiveTimesAWeek threeTimesAWeek semiweekly weekly biweekly threeTimesAMonth semimonthly monthly
	bimonthly quarterly threeTimesAYear semiannual annual biennial triennial quadrennial quinquennial
	decennial bidecennial tridecennial punctual irregular never notPlanned other unknown`)

// udataFromEUFrequency is udata's reading of an EU frequency IRI's code.
func udataFromEUFrequency(code string) string {
	special := map[string]string{
		"UPDATE_CONT": "continuous", "1MIN": "oneMinute", "5MIN": "fiveMinutes", "10MIN": "tenMinutes",
		"15MIN": "fifteenMinutes", "30MIN": "thirtyMinutes", "12HRS": "twelveHours", "CONT": "severalTimesADay",
		"DAILY_3": "threeTimesADay", "DAILY_2": "semidaily", "WEEKLY_5": "fiveTimesAWeek",
		"WEEKLY_3": "threeTimesAWeek", "WEEKLY_2": "semiweekly", "MONTHLY_3": "threeTimesAMonth",
		"MONTHLY_2": "semimonthly", "ANNUAL_3": "threeTimesAYear", "ANNUAL_2": "semiannual",
		"AS_NEEDED": "punctual", "IRREG": "irregular", "NOT_PLANNED": "notPlanned",
	}
	if id, ok := special[code]; ok {
		return id
	}
	for _, id := range udataFrequencyIDs {
		if strings.EqualFold(id, code) {
			return id
		}
	}
	return ""
}

type udataCase struct {
	name string
	in   Input
	opt  Options
}

// demoOptions are the options of the demo catalog.
var demoOptions = Options{
	PublicURL: "https://passerelle.example.org",
	Catalog:   CatalogInfo{ID: "demo", Title: "Démo", Description: "Demo catalog.", Publisher: "Démo"},
	Now:       func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) },
}

// udataCases are every corpus record and every demo record.
func udataCases(t *testing.T) [][]udataCase {
	t.Helper()
	var corpus []udataCase
	for _, cr := range loadCorpus(t) {
		fid := strings.TrimSpace(cr.rec.FileIdentifier)
		corpus = append(corpus, udataCase{cr.name, Input{Record: cr.rec, FirstStored: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC),
			RecordURL: "https://csw.example.org/csw?service=CSW&request=GetRecordById&id=" + urlQueryEscape(fid)}, testOptions})
	}
	files, err := filepath.Glob(filepath.Join(testenv.ModuleRoot(), "testdata", "demo", "*.xml"))
	if err != nil || len(files) < 20 {
		t.Fatalf("demo records: %d files (%v)", len(files), err)
	}
	sort.Strings(files)
	var demo []udataCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := iso.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		demo = append(demo, udataCase{"demo/" + strings.TrimSuffix(filepath.Base(f), ".xml"), Input{Record: rec, FirstStored: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}, demoOptions})
	}
	return [][]udataCase{corpus, demo}
}

// rdfGraph indexes a page's triples.
type rdfGraph struct {
	out map[string][]Triple // subject → triples
	in  map[string][]Triple // object (IRI or blank) → triples
}

func newRDFGraph(ts []Triple) *rdfGraph {
	g := &rdfGraph{out: map[string][]Triple{}, in: map[string][]Triple{}}
	for _, tr := range ts {
		g.out[tr.S.Value] = append(g.out[tr.S.Value], tr)
		if tr.O.Kind != kindLiteral {
			g.in[tr.O.Value] = append(g.in[tr.O.Value], tr)
		}
	}
	return g
}

func (g *rdfGraph) objs(s, p string) []Term {
	var out []Term
	for _, tr := range g.out[s] {
		if tr.P.Value == p {
			out = append(out, tr.O)
		}
	}
	return out
}

func (g *rdfGraph) typed(s, class string) bool {
	for _, o := range g.objs(s, nsRDF+"type") {
		if o.Value == class {
			return true
		}
	}
	return false
}

// udataLiteral is how udata picks one literal: the fr one, else the first.
func udataLiteral(ts []Term) string {
	for _, t := range ts {
		if t.Kind == kindLiteral && t.Lang == "fr" {
			return t.Value
		}
	}
	for _, t := range ts {
		if t.Kind == kindLiteral {
			return t.Value
		}
	}
	return ""
}

var reWKTPolygon = regexp.MustCompile(`^POLYGON\(\(([-0-9.eE]+ [-0-9.eE]+)(, [-0-9.eE]+ [-0-9.eE]+){3,}\)\)$`)

// checkRing checks a closed lon/lat ring of at least four positions.
func checkRing(ring [][2]float64) string {
	if len(ring) < 4 {
		return fmt.Sprintf("ring of %d positions", len(ring))
	}
	if ring[0] != ring[len(ring)-1] {
		return "ring not closed"
	}
	for _, p := range ring {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return fmt.Sprintf("position %v out of range", p)
		}
	}
	return ""
}

func parseWKTRing(s string) ([][2]float64, string) {
	if !reWKTPolygon.MatchString(s) {
		return nil, "not a plain WKT POLYGON"
	}
	var ring [][2]float64
	for _, pos := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "POLYGON(("), "))"), ", ") {
		xy := strings.Fields(pos)
		x, err1 := strconv.ParseFloat(xy[0], 64)
		y, err2 := strconv.ParseFloat(xy[1], 64)
		if err1 != nil || err2 != nil {
			return nil, "unparsable position " + pos
		}
		ring = append(ring, [2]float64{x, y})
	}
	return ring, ""
}

// feedView is what udata's dataset_from_rdf reads of one dataset node.
type feedView struct {
	licence   string // udata licence id guessed from the feed, "" none
	frequency string
	restrict  bool   // udata's harvester makes it restricted (INSPIRE Article 13)
	access    string // the access type the feed states: open, open_with_account, restricted
}

// checkFeedDataset checks one dcat:Dataset/DatasetSeries node of a page
// and returns what udata would read.
func checkFeedDataset(g *rdfGraph, node string, now time.Time, fail func(string, ...any)) feedView {
	var v feedView
	if ids := g.objs(node, nsDCT+"identifier"); len(ids) != 1 || ids[0].Kind != kindLiteral || strings.TrimSpace(ids[0].Value) == "" {
		fail("%d dct:identifier (want one literal)", len(ids))
	}
	if udataLiteral(g.objs(node, nsDCT+"title")) == "" {
		fail("no dct:title")
	}
	if n := len(g.objs(node, nsDCT+"conformsTo")); n > 0 {
		fail("dataset-level dct:conformsTo (%d)", n)
	}
	// Licence (§D.2): dataset dct:license, a labelled node matched by its label only.
	lics := g.objs(node, nsDCT+"license")
	if len(lics) > 1 {
		fail("%d dct:license", len(lics))
	}
	for _, l := range lics {
		if l.Kind != kindIRI {
			fail("licence %v is not an IRI", l)
			continue
		}
		// udata reads a node's rdfs:label, else its dct:description, else
		// its IRI. A licence it knows must match exactly (its URL, or for
		// the URL-less "Other" licences its id), never through slugs or
		// fuzzy title matching (issue 9 item 11).
		text := udataLiteral(g.objs(l.Value, nsRDFS+"label"))
		if text == "" {
			text = udataLiteral(g.objs(l.Value, nsDCT+"description"))
		}
		if text == "" {
			text = l.Value
			if len(g.objs(l.Value, nsDCT+"title")) == 0 {
				fail("licence %s has neither rdfs:label nor dct:title", l.Value)
			}
		}
		var how string
		v.licence, how = guessLicenceHow(text)
		if v.licence != "" && how != "url" && how != "id" {
			fail("licence %s (%q) matches udata's %s only by %s", l.Value, text, v.licence, how)
		}
	}
	// No dataset licence: udata tries the dataset's rights, else the
	// distributions' rights when they all agree, then any distribution
	// licence (§D.2 step 1); a node gives its label, else its description.
	nodeText := func(t Term) string {
		if l := udataLiteral(g.objs(t.Value, nsRDFS+"label")); l != "" {
			return l
		}
		if d := udataLiteral(g.objs(t.Value, nsDCT+"description")); d != "" {
			return d
		}
		return t.Value
	}
	if len(lics) == 0 {
		var cands []Term
		cands = append(cands, g.objs(node, nsDCT+"rights")...)
		if len(cands) == 0 {
			agree := map[string]Term{}
			dists := g.objs(node, nsDCAT+"distribution")
			n := 0
			for _, d := range dists {
				for _, r := range g.objs(d.Value, nsDCT+"rights") {
					agree[r.Value] = r
					n++
				}
			}
			if len(agree) == 1 && n == len(dists) {
				for _, r := range agree {
					cands = append(cands, r)
				}
			}
		}
		for _, d := range g.objs(node, nsDCAT+"distribution") {
			cands = append(cands, g.objs(d.Value, nsDCT+"license")...)
		}
		for _, c := range cands {
			if v.licence = guessLicence(nodeText(c)); v.licence != "" {
				break
			}
		}
	}
	for _, p := range []string{nsDCT + "title", nsDCT + "description"} {
		vals, fr := g.objs(node, p), false
		for _, t := range vals {
			fr = fr || t.Lang == "fr"
		}
		if len(vals) > 1 && !fr {
			fail("%d values of %s and none @fr: udata picks one at random", len(vals), compactIRI(p))
		}
	}
	// Access (§A.8): udata reads an INSPIRE Article 13 IRI as restricted
	// (licence nulled); passerelle writes the EU access-right NON_PUBLIC or
	// RESTRICTED for other restrictions, which udata's harvester ignores
	// but which say what push sends (access_type restricted or
	// open_with_account).
	v.access = "open"
	accs := g.objs(node, nsDCT+"accessRights")
	if len(accs) > 1 {
		fail("%d dct:accessRights", len(accs))
	}
	for _, a := range accs {
		if len(g.objs(a.Value, nsRDFS+"label")) > 0 {
			fail("dct:accessRights %s has an rdfs:label: udata would read the label, not the IRI", a.Value)
		}
		switch {
		case strings.Contains(a.Value, "LimitationsOnPublicAccess/INSPIRE_Directive_Article13"):
			v.restrict, v.access = true, "restricted"
		case a.Value == euAccessRight+"NON_PUBLIC":
			v.access = "restricted"
		case a.Value == euAccessRight+"RESTRICTED":
			v.access = "open_with_account"
		}
	}
	// Frequency (§D.1).
	freqs := g.objs(node, nsDCT+"accrualPeriodicity")
	if len(freqs) > 1 {
		fail("%d dct:accrualPeriodicity", len(freqs))
	}
	for _, f := range freqs {
		code, ok := strings.CutPrefix(f.Value, euFrequency)
		if f.Kind != kindIRI || !ok {
			fail("frequency %v is not an EU frequency IRI", f)
			continue
		}
		if v.frequency = udataFromEUFrequency(code); v.frequency == "" {
			fail("EU frequency %s unknown to udata", code)
		}
	}
	// Temporal (§A.8, §G): one blank node, both ends xsd:date.
	temps := g.objs(node, nsDCT+"temporal")
	if len(temps) > 1 {
		fail("%d dct:temporal (udata reads an arbitrary one)", len(temps))
	}
	for _, p := range temps {
		if p.Kind != kindBlank {
			fail("dct:temporal %v is not a blank node (an IRI is dereferenced)", p)
			continue
		}
		s, e := g.objs(p.Value, nsDCAT+"startDate"), g.objs(p.Value, nsDCAT+"endDate")
		if len(s) > 1 || len(e) > 1 {
			fail("period with %d starts, %d ends", len(s), len(e))
		}
		var days []time.Time
		for _, d := range append(s, e...) {
			if d.Datatype != nsXSD+"date" {
				fail("period bound %q typed %s, want xsd:date", d.Value, d.Datatype)
				continue
			}
			day, err := time.Parse("2006-01-02", d.Value)
			if err != nil {
				fail("period bound %q: %v", d.Value, err)
			}
			days = append(days, day)
		}
		if len(s) == 1 && len(e) == 1 && len(days) == 2 && days[1].Before(days[0]) {
			fail("period ends before it starts: %v", days)
		}
	}
	// Spatial (§A.8, §G): typed WKT polygons, in range, closed.
	for _, sp := range g.objs(node, nsDCT+"spatial") {
		if sp.Kind == kindLiteral {
			fail("dct:spatial literal %q", sp.Value)
			continue
		}
		for _, tr := range g.out[sp.Value] {
			if tr.O.Kind != kindLiteral {
				continue
			}
			if tr.P.Value == nsDCAT+"bbox" || tr.P.Value == nsLOCN+"geometry" {
				if tr.O.Datatype != nsGSP+"wktLiteral" {
					fail("geometry literal %q typed %q", tr.O.Value, tr.O.Datatype)
					continue
				}
				ring, why := parseWKTRing(tr.O.Value)
				if why == "" {
					why = checkRing(ring)
				}
				if why != "" {
					fail("bbox %q: %s", tr.O.Value, why)
				}
			}
		}
	}
	// Dates written on the dataset: one each, typed, not in the future.
	for _, p := range []string{"issued", "modified", "created"} {
		ds := g.objs(node, nsDCT+p)
		if len(ds) > 1 {
			fail("%d dct:%s", len(ds), p)
		}
		for _, d := range ds {
			dv, ok := parseDate(d.Value)
			if !ok || d.Datatype != nsXSD+dv.Kind {
				fail("dct:%s %q typed %s", p, d.Value, d.Datatype)
			} else if dv.T.After(now) {
				fail("dct:%s %q in the future", p, d.Value)
			}
		}
	}
	// Themes: labelled on the page (else no tag).
	for _, th := range g.objs(node, nsDCAT+"theme") {
		if th.Kind != kindIRI || udataLiteral(g.objs(th.Value, nsSKOS+"prefLabel")) == "" {
			fail("theme %v without IRI or prefLabel on the page", th)
		}
	}
	// Distributions (§A.9, §A.10, §G).
	seen := map[string]bool{}
	for _, d := range append(g.objs(node, nsDCAT+"distribution"), g.objs(node, nsDCAT+"distributions")...) {
		if d.Kind == kindLiteral {
			fail("literal %q as dcat:distribution", d.Value)
			continue
		}
		acc, dl := g.objs(d.Value, nsDCAT+"accessURL"), g.objs(d.Value, nsDCAT+"downloadURL")
		if len(acc)+len(dl) == 0 {
			fail("distribution %s without URL", d.Value)
		}
		for _, u := range append(acc, dl...) {
			if u.Kind != kindIRI {
				fail("distribution URL %v is not an IRI", u)
			} else if r := checkURL(u.Value); r != "" {
				fail("distribution URL %q refused by udata: %s", u.Value, r)
			}
		}
		url := ""
		if len(dl) > 0 {
			url = dl[0].Value
		} else if len(acc) > 0 {
			url = acc[0].Value
		}
		if seen[url] {
			fail("two distributions with URL %q (one resource per URL)", url)
		}
		seen[url] = true
		for _, cs := range g.objs(d.Value, "http://spdx.org/rdf/terms#checksum") {
			if len(g.objs(cs.Value, "http://spdx.org/rdf/terms#algorithm")) == 0 {
				fail("spdx:checksum without algorithm")
			}
		}
		for _, ct := range g.objs(d.Value, nsDCT+"conformsTo") {
			if ct.Kind != kindIRI || checkURL(ct.Value) != "" {
				fail("distribution dct:conformsTo %v is not a URL", ct)
			}
		}
		for _, bs := range g.objs(d.Value, nsDCAT+"byteSize") {
			if bs.Datatype != nsXSD+"nonNegativeInteger" && bs.Datatype != nsXSD+"integer" {
				fail("byteSize %q typed %s", bs.Value, bs.Datatype)
			}
		}
		for _, svc := range g.objs(d.Value, nsDCAT+"accessService") {
			for _, ep := range g.objs(svc.Value, nsDCAT+"endpointURL") {
				if checkURL(ep.Value) != "" {
					fail("service endpoint %q refused by udata", ep.Value)
				}
			}
		}
	}
	return v
}

// udataTags models udata's tags of a dataset node (udata.md §A.8): every
// dcat:keyword literal, each dcat:theme's label (fr, else the first),
// "inspire" for INSPIRE themes, "hvd" for HVD categories; slugified,
// < 3 characters dropped, > 96 truncated, sorted, deduplicated.
func udataTags(g *rdfGraph, node string) []string {
	set := map[string]bool{}
	add := func(s string) {
		t := tagSlug(s)
		if utf8.RuneCountInString(t) > 96 {
			t = strings.TrimRight(string([]rune(t)[:96]), "-")
		}
		if utf8.RuneCountInString(t) >= 3 {
			set[t] = true
		}
	}
	for _, k := range g.objs(node, nsDCAT+"keyword") {
		if k.Kind == kindLiteral {
			add(k.Value)
		}
	}
	for _, th := range g.objs(node, nsDCAT+"theme") {
		if strings.HasPrefix(th.Value, inspireTh) {
			set["inspire"] = true
		}
		if strings.HasPrefix(th.Value, "http://data.europa.eu/bna/c_") {
			set["hvd"] = true
		}
		add(udataLiteral(g.objs(th.Value, nsSKOS+"prefLabel")))
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// udataResources models udata's resource_from_rdf on a dataset node's
// distributions (udata.md §A.9): url, type, title, format, mime,
// description.
func udataResources(g *rdfGraph, node string) []Resource {
	var out []Resource
	for _, d := range g.objs(node, nsDCAT+"distribution") {
		r := Resource{Filetype: "remote", Type: "main"}
		if u := g.objs(d.Value, nsDCAT+"downloadURL"); len(u) > 0 {
			r.URL = u[0].Value
		} else if u := g.objs(d.Value, nsDCAT+"accessURL"); len(u) > 0 {
			r.URL = u[0].Value
		} else {
			continue
		}
		r.Title = udataLiteral(g.objs(d.Value, nsDCT+"title"))
		r.Description = udataLiteral(g.objs(d.Value, nsDCT+"description"))
		for _, svc := range g.objs(d.Value, nsDCAT+"accessService") {
			r.Type = "api"
			for _, p := range []string{nsGeoDCATAP + "serviceProtocol", nsDCT + "conformsTo"} {
				for _, std := range g.objs(svc.Value, p) {
					if rest, ok := strings.CutPrefix(std.Value, "http://www.opengeospatial.org/standards/"); ok && r.Format == "" {
						r.Format = strings.ToLower(rest[strings.LastIndexByte(rest, '/')+1:])
					}
				}
			}
		}
		if r.Format == "" {
			for _, f := range g.objs(d.Value, nsDCT+"format") {
				if l := udataLiteral(g.objs(f.Value, nsRDFS+"label")); l != "" {
					r.Format = strings.ToLower(l)
				} else if code, ok := strings.CutPrefix(f.Value, euFileType); ok {
					r.Format = strings.ToLower(code)
				} else if mt, ok := strings.CutPrefix(f.Value, ianaMedia); ok {
					r.Format = strings.ToLower(mt[strings.LastIndexByte(mt, '/')+1:])
				} else {
					r.Format = strings.ToLower(f.Value)
				}
				break
			}
		}
		for _, m := range g.objs(d.Value, nsDCAT+"mediaType") {
			r.Mime = strings.TrimPrefix(m.Value, ianaMedia)
			break
		}
		out = append(out, r)
	}
	return out
}

// checkItem checks a BuildItem result against udata's API rules (§C.5,
// §C.6) and the quality criteria (§E).
func checkItem(it *Item, fail func(string, ...any)) {
	if n := utf8.RuneCountInString(it.Title); strings.TrimSpace(it.Title) == "" || n > 350 {
		fail("title %q (%d characters)", it.Title, n)
	}
	if n := utf8.RuneCountInString(it.Description); strings.TrimSpace(it.Description) == "" || n > 100000 {
		fail("description empty or %d characters", n)
	}
	if it.License != "" && guessLicence(it.License) != it.License {
		fail("licence id %q unknown to udata", it.License)
	}
	if it.Frequency != "" {
		ok := false
		for _, id := range udataFrequencyIDs {
			ok = ok || id == it.Frequency
		}
		if !ok {
			fail("frequency %q is not an UpdateFrequency", it.Frequency)
		}
	}
	if !sort.StringsAreSorted(it.Tags) {
		fail("tags not sorted: %v", it.Tags)
	}
	for i, tag := range it.Tags {
		if n := utf8.RuneCountInString(tag); n < 3 || n > 96 || tagSlug(tag) != tag {
			fail("tag %q: %d characters or not a slug", tag, n)
		}
		if i > 0 && it.Tags[i-1] == tag {
			fail("duplicate tag %q", tag)
		}
	}
	if tc := it.TemporalCoverage; tc != nil {
		s, err := time.Parse("2006-01-02", tc.Start)
		if err != nil {
			fail("temporal start %q: %v", tc.Start, err)
		}
		if tc.End != "" {
			e, err := time.Parse("2006-01-02", tc.End)
			if err != nil {
				fail("temporal end %q: %v", tc.End, err)
			} else if e.Before(s) {
				fail("temporal coverage ends before it starts: %+v", tc)
			}
		}
	}
	if sp := it.Spatial; sp != nil {
		if sp.Geom["type"] != "MultiPolygon" || sp.Granularity != "other" {
			fail("spatial %v", sp)
		}
		polys, _ := sp.Geom["coordinates"].([]any)
		if len(polys) == 0 {
			fail("MultiPolygon without polygons")
		}
		for _, p := range polys {
			rings, _ := p.([]any)
			if len(rings) == 0 {
				fail("polygon without rings")
			}
			for _, r := range rings {
				pos, _ := r.([]any)
				var ring [][2]float64
				for _, xy := range pos {
					c, _ := xy.([]float64)
					if len(c) != 2 {
						fail("position %v", xy)
						continue
					}
					ring = append(ring, [2]float64{c[0], c[1]})
				}
				if why := checkRing(ring); why != "" {
					fail("spatial ring: %s", why)
				}
			}
		}
	}
	for k, v := range it.Extras {
		if strings.HasPrefix(k, "custom:") {
			fail("reserved extras key %q", k)
		}
		switch v.(type) {
		case string, int, int64, float64, bool:
		default:
			fail("extras %q of type %T", k, v)
		}
	}
	seen := map[string]bool{}
	resTypes := map[string]bool{"main": true, "documentation": true, "update": true, "api": true, "code": true, "other": true}
	for _, r := range it.Resources {
		if r.Filetype != "remote" || !resTypes[r.Type] {
			fail("resource %q filetype %q type %q", r.URL, r.Filetype, r.Type)
		}
		if n := utf8.RuneCountInString(r.Title); strings.TrimSpace(r.Title) == "" || n > 350 {
			fail("resource title %q", r.Title)
		}
		if why := checkURL(r.URL); why != "" {
			fail("resource URL %q: %s", r.URL, why)
		}
		if r.Format != strings.ToLower(strings.TrimSpace(r.Format)) {
			fail("resource format %q not lower case", r.Format)
		}
		if seen[r.URL+"\x00"+r.Title] {
			fail("duplicate resource %q %q", r.URL, r.Title)
		}
		seen[r.URL+"\x00"+r.Title] = true
	}
	checkQuality(it, fail)
}

// checkQuality recomputes udata's criteria from the item (§E).
func checkQuality(it *Item, fail func(string, ...any)) {
	if it.Quality == nil {
		fail("no quality")
		return
	}
	q := *it.Quality
	want := map[string]bool{
		"temporal_coverage":           it.TemporalCoverage != nil,
		"spatial":                     it.Spatial != nil,
		"update_frequency":            it.Frequency != "" && it.Frequency != "unknown",
		"dataset_description_quality": utf8.RuneCountInString(it.Description) > 100,
	}
	for k, w := range want {
		if got, ok := q[k]; !ok || got != w {
			fail("quality %s = %v (present %v), want %v", k, got, ok, w)
		}
	}
	if _, ok := q["license"]; !ok {
		fail("quality without license")
	}
	if _, ok := q["update_fulfilled_in_time"]; ok != want["update_frequency"] {
		fail("update_fulfilled_in_time present %v with frequency %q", ok, it.Frequency)
	}
	if len(it.Resources) == 0 {
		for _, k := range []string{"has_resources", "has_open_format", "all_resources_available", "resources_documentation"} {
			if _, ok := q[k]; ok {
				fail("quality %s without resources", k)
			}
		}
		if s := q.Score(); s > 6.0/9+1e-9 {
			fail("score %v above 6/9 without resources", s)
		}
		return
	}
	open, doc := false, false
	for _, r := range it.Resources {
		open = open || (r.Format != "" && !closedFormats[r.Format])
		doc = doc || r.Type == "documentation" || r.Description != ""
	}
	for k, w := range map[string]bool{"has_resources": true, "has_open_format": open, "all_resources_available": true, "resources_documentation": doc} {
		if q[k] != w {
			fail("quality %s = %v, want %v", k, q[k], w)
		}
	}
}

// TestUdataIngestion maps every corpus and demo record, writes each
// catalog as one feed page and checks, dataset by dataset, what udata's
// harvester would do with the page, then checks the BuildItem payloads and
// that both paths agree on licence and frequency.
func TestUdataIngestion(t *testing.T) {
	datasets, items := 0, 0
	for _, cases := range udataCases(t) {
		var frags []*Fragment
		byFrag := map[*Fragment]udataCase{}
		for _, c := range cases {
			f, err := Map(c.in, c.opt)
			if err != nil {
				t.Errorf("%s: Map: %v", c.name, err)
				continue
			}
			frags = append(frags, f)
			byFrag[f] = c
		}
		catalog := OrderForPage(catalogOf(frags))
		opt := cases[0].opt
		ts, err := pageTriples(&Page{Options: opt, Fragments: catalog, Resolve: resolver(catalog), Total: len(catalog), Page: 1,
			PageSize: len(catalog), BaseURL: opt.PublicURL + "/catalogs/" + opt.Catalog.ID + "/catalog", Ext: ".ttl"})
		if err != nil {
			t.Fatalf("%s page: %v", opt.Catalog.ID, err)
		}
		g := newRDFGraph(ts)
		for _, tr := range ts {
			if tr.O.Kind == kindLiteral && (tr.O.Datatype == nsGSP+"geoJSONLiteral") && !strings.Contains(tr.O.Value, `"type"`) {
				t.Errorf("%s: GeoJSON literal without type", opt.Catalog.ID)
			}
		}
		// Identifiers are unique on the page (a second one fails, §A.6).
		ids := map[string]string{}
		for _, f := range catalog {
			c := byFrag[f]
			fail := func(format string, args ...any) { t.Errorf("%s: feed: "+format, append([]any{c.name}, args...)...) }
			if prev, dup := ids[f.Identifier()]; dup {
				fail("identifier %q already served for %s", f.Identifier(), prev)
			}
			ids[f.Identifier()] = c.name
			// Services served on the page: every served dataset has an identifier there.
			for _, sd := range g.objs(f.IRI(), nsDCAT+"servesDataset") {
				if len(g.objs(sd.Value, nsDCT+"identifier")) != 1 {
					fail("servesDataset %s without one dct:identifier on the page", sd.Value)
				}
			}
			if f.Kind() == "dataset" || f.Kind() == "series" {
				if !g.typed(f.IRI(), nsDCAT+"Dataset") && !g.typed(f.IRI(), nsDCAT+"DatasetSeries") {
					fail("node %s not typed dcat:Dataset or dcat:DatasetSeries", f.IRI())
				}
				checkFeedDataset(g, f.IRI(), opt.Now(), fail)
				datasets++
			}
		}
		// udata makes one item per dcat:Dataset/DatasetSeries subject and one
		// dataservice per dcat:DataService not under a distribution (§A.5):
		// exactly the page's records, nothing more.
		wantDS, wantSvc := 0, 0
		for _, f := range catalog {
			switch f.Kind() {
			case "dataset", "series":
				wantDS++
			case "service":
				wantSvc++
			}
		}
		gotDS, gotSvc := map[string]bool{}, map[string]bool{}
		for _, tr := range ts {
			if tr.P.Value != nsRDF+"type" {
				continue
			}
			switch tr.O.Value {
			case nsDCAT + "Dataset", nsDCAT + "DatasetSeries":
				gotDS[tr.S.Value] = true
			case nsDCAT + "DataService":
				nested := false
				for _, in := range g.in[tr.S.Value] {
					nested = nested || in.P.Value == nsDCAT+"accessService"
				}
				if !nested {
					gotSvc[tr.S.Value] = true
				}
			}
		}
		if len(gotDS) != wantDS || len(gotSvc) != wantSvc {
			t.Errorf("%s page: %d dataset nodes and %d top-level services, want %d and %d", opt.Catalog.ID, len(gotDS), len(gotSvc), wantDS, wantSvc)
		}
		// Every record (duplicates included): its own document as udata
		// would read it, its item, and both paths agreeing.
		for _, f := range frags {
			if f.Kind() != "dataset" && f.Kind() != "series" {
				continue
			}
			c := byFrag[f]
			fail := func(format string, args ...any) { t.Errorf("%s: document: "+format, append([]any{c.name}, args...)...) }
			dg := newRDFGraph(f.d.Triples)
			v := checkFeedDataset(dg, f.IRI(), opt.Now(), fail)
			it, err := BuildItem(c.in, c.opt)
			if err != nil {
				t.Errorf("%s: BuildItem: %v", c.name, err)
				continue
			}
			items++
			ifail := func(format string, args ...any) { t.Errorf("%s: item: "+format, append([]any{c.name}, args...)...) }
			checkItem(it, ifail)
			// Both paths agree (udata.md §D.1: same dataset whichever path).
			// Access type: the item's is the feed's (issue 9 item 4), and a
			// non-open dataset has no licence (udata nulls it).
			if it.AccessType != v.access {
				ifail("access_type %q, feed states %q", it.AccessType, v.access)
			}
			if (it.AccessType == "open") != (it.AccessTypeReason == "") {
				ifail("access_type %q with reason %q", it.AccessType, it.AccessTypeReason)
			}
			wantLic := v.licence
			if v.access != "open" {
				wantLic = ""
			}
			if it.License != wantLic {
				ifail("licence %q, feed gives %q on data.gouv.fr", it.License, wantLic)
			}
			if q := *it.Quality; q["license"] != (v.access == "open") {
				ifail("quality license %v; data.gouv.fr stores notspecified unless not open (null)", q["license"])
			}
			// update_fulfilled_in_time from the feed's dct:modified (§E).
			if fi, ok := (*it.Quality)["update_fulfilled_in_time"]; ok {
				want := true
				deltaDays := map[string]float64{"severalTimesADay": 1, "threeTimesADay": 1, "semidaily": 1, "daily": 1,
					"fiveTimesAWeek": 7, "threeTimesAWeek": 7, "semiweekly": 7, "weekly": 7, "biweekly": 14,
					"threeTimesAMonth": 31, "semimonthly": 31, "monthly": 31, "bimonthly": 62, "quarterly": 93,
					"threeTimesAYear": 365, "semiannual": 365, "annual": 365, "biennial": 730, "triennial": 1095,
					"quadrennial": 1460, "quinquennial": 1825, "decennial": 3650, "bidecennial": 7300, "tridecennial": 10950}
				mods := dg.objs(f.IRI(), nsDCT+"modified")
				if d, ok := deltaDays[it.Frequency]; ok && len(mods) == 1 {
					m, _ := parseDate(mods[0].Value)
					next := m.T.Add(time.Duration(d * float64(24*time.Hour)))
					want = next.Sub(c.opt.Now()).Hours() >= -24
				}
				if fi != want {
					ifail("update_fulfilled_in_time %v, want %v (frequency %s, modified %v)", fi, want, it.Frequency, mods)
				}
			}
			if it.Frequency != v.frequency {
				ifail("frequency %q, feed gives %q", it.Frequency, v.frequency)
			}
			if wantTitle := truncateRunes(orDefault(udataLiteral(dg.objs(f.IRI(), nsDCT+"title")), f.FileIdentifier()), 350); it.Title != wantTitle {
				ifail("title %q, feed gives %q", it.Title, wantTitle)
			}
			if want := udataTags(dg, f.IRI()); strings.Join(want, " ") != strings.Join(it.Tags, " ") {
				ifail("tags %v, feed gives %v", it.Tags, want)
			}
			// Temporal and spatial coverage as udata reads them from the feed.
			var start, end string
			for _, p := range dg.objs(f.IRI(), nsDCT+"temporal") {
				if v := dg.objs(p.Value, nsDCAT+"startDate"); len(v) == 1 {
					start = v[0].Value
				}
				if v := dg.objs(p.Value, nsDCAT+"endDate"); len(v) == 1 {
					end = v[0].Value
				}
			}
			if start == "" {
				end = "" // no start: udata reads no period
			}
			var gotStart, gotEnd string
			if tc := it.TemporalCoverage; tc != nil {
				gotStart, gotEnd = tc.Start, tc.End
			}
			if gotStart != start || gotEnd != end {
				ifail("temporal coverage %s/%s, feed gives %s/%s", gotStart, gotEnd, start, end)
			}
			var rings []string
			for _, sp := range dg.objs(f.IRI(), nsDCT+"spatial") {
				for _, b := range dg.objs(sp.Value, nsDCAT+"bbox") {
					rings = append(rings, b.Value)
				}
			}
			var gotRings []string
			if it.Spatial != nil {
				polys, _ := it.Spatial.Geom["coordinates"].([]any)
				for _, p := range polys {
					ring := p.([]any)[0].([]any)
					var pos []string
					for _, xy := range ring {
						c := xy.([]float64)
						pos = append(pos, fnum(c[0])+" "+fnum(c[1]))
					}
					gotRings = append(gotRings, "POLYGON(("+strings.Join(pos, ", ")+"))")
				}
			}
			if strings.Join(gotRings, "|") != strings.Join(rings, "|") {
				ifail("spatial %v, feed gives %v", gotRings, rings)
			}
			feedRes := udataResources(dg, f.IRI())
			if len(feedRes) != len(it.Resources) {
				ifail("%d resources, feed gives %d", len(it.Resources), len(feedRes))
			} else {
				for i, fr := range feedRes {
					r := it.Resources[i]
					if r.URL != fr.URL || r.Type != fr.Type || r.Title != fr.Title || r.Format != fr.Format || r.Mime != fr.Mime || r.Description != fr.Description {
						ifail("resource %d: item {%s %s %q %q %q}, feed gives {%s %s %q %q %q}", i,
							r.URL, r.Type, r.Title, r.Format, r.Mime, fr.URL, fr.Type, fr.Title, fr.Format, fr.Mime)
					}
				}
			}
			if it.Extras[ExtraRemoteID] != f.Identifier() {
				ifail("remote id %v, feed identifier %q", it.Extras[ExtraRemoteID], f.Identifier())
			}
		}
	}
	if datasets < 50 || items < datasets {
		t.Errorf("checked %d datasets on feed pages and %d records, want ≥ 50", datasets, items)
	}
	t.Logf("checked %d datasets and series on feed pages, %d records as documents and items", datasets, items)
}

func TestTruncateRunes(t *testing.T) {
	long := strings.Repeat("é", 400)
	if got := truncateRunes(long, 350); utf8.RuneCountInString(got) != 350 || !strings.HasSuffix(got, "…") {
		t.Errorf("truncateRunes: %d characters", utf8.RuneCountInString(got))
	}
	if got := truncateRunes("court", 350); got != "court" {
		t.Errorf("truncateRunes(court) = %q", got)
	}
	rec := &iso.Record{FileIdentifier: "long", HierarchyLevel: "dataset", Title: iso.Text{Value: long}}
	it, err := BuildItem(Input{Record: rec}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	checkItem(it, func(format string, args ...any) { t.Errorf("long title: "+format, args...) })
	// No title, no abstract: the API still gets both.
	it, err = BuildItem(Input{Record: &iso.Record{FileIdentifier: "bare", HierarchyLevel: "dataset"}}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if it.Title != "bare" || !strings.Contains(it.Description, "bare") {
		t.Errorf("bare record: title %q, description %q", it.Title, it.Description)
	}
	checkItem(it, func(format string, args ...any) { t.Errorf("bare record: "+format, args...) })
	f, err := Map(Input{Record: &iso.Record{FileIdentifier: "bare", HierarchyLevel: "dataset"}}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	checkFeedDataset(newRDFGraph(f.d.Triples), f.IRI(), testOptions.Now(), func(format string, args ...any) { t.Errorf("bare record feed: "+format, args...) })
}

// TestUdataFacts checks hand-reviewed outcomes on named records.
func TestUdataFacts(t *testing.T) {
	items := map[string]*Item{}
	for _, cases := range udataCases(t) {
		for _, c := range cases {
			it, err := BuildItem(c.in, c.opt)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			items[c.name] = it
		}
	}
	// Géo-IDE swaps west and east: the box is kept (swapped), not dropped.
	for _, name := range []string{"gnui__geoide.iso19139.dataset", "udata__geonetwork-iso19139-page-1-1"} {
		it := items[name]
		if it == nil || it.Spatial == nil || !(*it.Quality)["spatial"] {
			t.Errorf("%s: no spatial coverage", name)
		}
	}
	// The brief record without abstract still gets a description.
	if it := items["pycsw__apiso_GetRecordById-brief-1"]; it == nil || !strings.Contains(it.Description, "ne contient pas de résumé") {
		t.Errorf("brief record description: %+v", it)
	}
	// Demo: every record but the table has a bbox in Brittany (testdata/demo/README.md).
	withSpatial := 0
	for name, it := range items {
		if strings.HasPrefix(name, "demo/") && it.Spatial != nil {
			withSpatial++
		}
	}
	if withSpatial < 18 {
		t.Errorf("%d demo records with spatial coverage, want ≥ 18", withSpatial)
	}
}

// TestUdataCrashPaths feeds records built to hit udata's failure paths
// (udata.md §A.10, §G) through Map and BuildItem and checks both outputs
// with the corpus invariants.
func TestUdataCrashPaths(t *testing.T) {
	base := func() *iso.Record {
		return &iso.Record{FileIdentifier: "crash", HierarchyLevel: "dataset", Language: "fre",
			Title: iso.Text{Value: "Jeu de test"}, Abstract: iso.Text{Value: "Résumé du jeu de test."}}
	}
	cases := []struct {
		name  string
		edit  func(r *iso.Record)
		check func(t *testing.T, f *Fragment, it *Item)
	}{
		{"mixed zoned and naive date-times", func(r *iso.Record) {
			r.TemporalExtents = []iso.TemporalExtent{{Begin: "2010-01-01T10:00:00Z", End: "2012-06-30T12:00:00"}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.TemporalCoverage == nil || it.TemporalCoverage.Start != "2010-01-01" || it.TemporalCoverage.End != "2012-06-30" {
				t.Errorf("temporal %+v", it.TemporalCoverage)
			}
		}},
		{"year bounds", func(r *iso.Record) {
			r.TemporalExtents = []iso.TemporalExtent{{Begin: "1998", End: "2010-05"}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.TemporalCoverage == nil || it.TemporalCoverage.Start != "1998-01-01" || it.TemporalCoverage.End != "2010-05-31" {
				t.Errorf("temporal %+v", it.TemporalCoverage)
			}
		}},
		{"end before start", func(r *iso.Record) {
			r.TemporalExtents = []iso.TemporalExtent{{Begin: "2012-01-01", End: "2010-01-01"}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.TemporalCoverage == nil || it.TemporalCoverage.End != "" {
				t.Errorf("temporal %+v", it.TemporalCoverage)
			}
		}},
		{"bad URLs", func(r *iso.Record) {
			for _, u := range []string{"http://10.0.0.1/data.zip", "http://srv-carto/data.zip", "http://sig.ddtm.intra/data.zip",
				"https://example.org/get?mail=a@b.fr", "http://127.0.0.1:8080/data.zip", "https://a.fr:8/data.zip",
				"URL of the Spatial Data Service access point", "https://data.example.org/ok.zip"} {
				r.OnlineResources = append(r.OnlineResources, iso.OnlineResource{URL: u, Protocol: "WWW:DOWNLOAD-1.0-http--download"})
			}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if len(it.Resources) != 1 || it.Resources[0].URL != "https://data.example.org/ok.zip" {
				t.Errorf("resources %+v", it.Resources)
			}
			if n := len(f.Notes()); n < 7 {
				t.Errorf("%d notes for 7 dropped URLs: %v", n, f.Notes())
			}
		}},
		{"swapped and antimeridian boxes", func(r *iso.Record) {
			r.BoundingBoxes = []iso.BoundingBox{{West: 1.9, East: 0.6, South: 46.4, North: 45.4}, {West: 177, East: -178, South: -20, North: -15}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.Spatial == nil || len(it.Spatial.Geom["coordinates"].([]any)) != 1 {
				t.Errorf("spatial %+v", it.Spatial)
			}
		}},
		{"INSPIRE restriction", func(r *iso.Record) {
			r.Constraints = []iso.Constraint{{Kind: "legal", AccessConstraints: []string{"otherRestrictions"}, UseConstraints: []string{"license"},
				OtherConstraints: []iso.Text{{Value: "L124-4-I-1 du code de l'environnement (Directive 2007/2/CE (INSPIRE), Article 13.1.d)"}, {Value: "Licence Ouverte 2.0"}}}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.License != "" || (*it.Quality)["license"] {
				t.Errorf("restricted: licence %q, quality %v", it.License, (*it.Quality)["license"])
			}
		}},
		{"open licence", func(r *iso.Record) {
			r.Constraints = []iso.Constraint{{Kind: "legal", UseConstraints: []string{"license"}, OtherConstraints: []iso.Text{{Value: "Licence Ouverte Etalab 2.0"}}}}
		}, func(t *testing.T, f *Fragment, it *Item) {
			if it.License != "lov2" {
				t.Errorf("licence %q", it.License)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := base()
			c.edit(rec)
			in := Input{Record: rec}
			f, err := Map(in, testOptions)
			if err != nil {
				t.Fatal(err)
			}
			it, err := BuildItem(in, testOptions)
			if err != nil {
				t.Fatal(err)
			}
			fail := func(format string, args ...any) { t.Errorf(format, args...) }
			v := checkFeedDataset(newRDFGraph(f.d.Triples), f.IRI(), testOptions.Now(), fail)
			checkItem(it, fail)
			if want := map[bool]string{true: "", false: v.licence}[v.restrict]; it.License != want {
				t.Errorf("item licence %q, feed gives %q", it.License, want)
			}
			c.check(t, f, it)
		})
	}
}
