package dcat

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle/passerelle/iso"
)

// CatalogInfo is a catalog's description from catalogs.toml.
type CatalogInfo struct {
	ID          string // catalog key, used in minted IRIs
	Title       string
	Description string
	Publisher   string // publisher organisation name
}

// Options are the configuration-derived inputs of the mapping.
type Options struct {
	PublicURL string // absolute base URL of passerelle, without trailing slash
	Catalog   CatalogInfo
	// Now returns the current time (dates after it are dropped); nil: time.Now.
	Now func() time.Time
}

// Input is one record to map.
type Input struct {
	Record         *iso.Record
	FileIdentifier string // "" → Record.FileIdentifier
	// Identifier is the served dct:identifier, decided by the caller (the
	// first value served is kept); "" → ResourceIdentifier(Record).
	Identifier   string
	Hash         string    // hash of the record's current content
	FirstStored  time.Time // when that content was first stored
	Producer     string    // display name of the first producer (publisher fallback)
	RecordURL    string    // upstream GetRecordById URL, when known
	ProducerSlug string    // producer slug for Item.Source, when known
}

// KindOf is the one rule deciding what a record is, used by the feed
// (Map) and by the udata items (BuildItem, and the proxy and push paths
// through PublishedAsDataset): "dataset" (dataset, nonGeographicDataset,
// or no level with an MD_DataIdentification), "series", "service", or
// "other" (map, staticMap, interactiveMap, application, tile… and records
// with neither). level is gmd:hierarchyLevel (or iso.Record.Type());
// identification is iso.Record.IdentificationKind ("data", "service", "").
// A service level over an MD_DataIdentification is a dataset.
func KindOf(level, identification string) string {
	switch strings.TrimSpace(level) {
	case "dataset", "nonGeographicDataset":
		return "dataset"
	case "series":
		return "series"
	case "service":
		if identification == "data" {
			return "dataset"
		}
		return "service"
	case "":
		switch identification {
		case "data":
			return "dataset"
		case "service":
			return "service"
		}
	}
	return "other"
}

// PublishedAsDataset reports whether records of a kind are datasets on
// data.gouv.fr: datasets and series are, in the feed (dcat:Dataset,
// dcat:DatasetSeries) and in push; services are dataservices (feeds only,
// when asked) and "other" records (maps…) are dcat:Resource, which udata
// ignores, so push must not create them either.
func PublishedAsDataset(kind string) bool {
	return kind == "dataset" || kind == "series"
}

// ResourceIdentifier is the dct:identifier rule of geodcat-mapping.md §3.3:
// the first citation identifier in document order (an Anchor gives its
// trimmed text, else trim(codeSpace) + "/" + trim(code), the "/" left out
// when codeSpace is empty or already ends with "/"), else the trimmed
// fileIdentifier.
func ResourceIdentifier(rec *iso.Record) string {
	if rec == nil {
		return ""
	}
	return rec.ResourceIdentifier()
}

type concept struct {
	IRI    string
	Labels [][2]string // {value, lang}
}

type agent struct {
	Name   string // organisation name, else individual
	Slug   string // producer slug, "" → iso.Slug(Name)
	Person bool
	Party  iso.Party
}

type service struct {
	Key      string
	Title    string
	Endpoint string
	Desc     string // GetCapabilities URL
	Standard string // OGC standard code: wms, wfs…
}

type dist struct {
	Title, Desc string
	AccessURL   string
	DownloadURL string
	Format      formatInfo
	HasFormat   bool
	Size        int64
	Service     *service
	Doc         bool // documentation-like (for udata type)
	// distributor is the MD_Distributor the link came from (-1: the
	// record's own transferOptions); fileNoEvidence marks a file link whose
	// format has no evidence of its own (see pairRecordFormats).
	distributor    int
	fileNoEvidence bool
	// layers are the names of the OGC layers served at this one URL
	// (merged into one distribution: one resource per URL).
	layers [][2]string // {name, description}
}

type period struct {
	Start, End *dateValue
}

// analysis is everything Map and BuildItem derive from a record.
type analysis struct {
	in       Input
	opt      Options
	rec      *iso.Record
	fileID   string
	kind     string
	level    string
	iri      string
	crIRI    string
	ident    string
	bprefix  string
	langEU   string
	langTag  string
	titles   [][2]string
	descs    [][2]string
	purpose  string
	keywords []string
	themes   []string // INSPIRE theme codes
	concepts []concept
	hvd      []concept
	legis    []string
	svcCats  []concept
	licence  *udataLicence
	// licenceHref/licenceLabel: a use-constraint Anchor that is not a
	// licence udata knows, emitted as dct:license when none is recognised.
	licenceHref, licenceLabel string
	rights                    string
	access                    string // INSPIRE LimitationsOnPublicAccess code written in the feed
	accessEU                  string // else the EU access-right code written in the feed
	accessKind                string // udata access_type: open, open_with_account, restricted
	accessWhy                 string // udata access_type_reason when not open
	freq                      string
	bboxes                    []iso.BoundingBox
	places                    []string // text geographic identifiers
	placeIRI                  []string
	temporal                  *period
	issued                    *dateValue
	modified                  *dateValue
	created                   *dateValue
	crMod                     *dateValue
	dists                     []dist
	pages                     []string
	landing                   []string
	services                  map[string]*service
	svcType                   string
	endpoint                  string
	endDesc                   string
	svcStd                    string
	pub                       *agent
	contacts                  []iso.Party
	roles                     map[string][]iso.Party
	links                     []Link
	notes                     []string
	resLangs                  []string
}

func (a *analysis) note(format string, args ...any) {
	a.notes = append(a.notes, fmt.Sprintf(format, args...))
}

func (a *analysis) now() time.Time {
	if a.opt.Now != nil {
		return a.opt.Now()
	}
	return time.Now()
}

func analyze(in Input, opt Options) (*analysis, error) {
	if in.Record == nil {
		return nil, fmt.Errorf("map record: no record: %w", ErrInvalid)
	}
	if r := checkIRI(opt.PublicURL); r != "" {
		return nil, fmt.Errorf("map record: public URL %q: %s: %w", opt.PublicURL, r, ErrInvalid)
	}
	if opt.Catalog.ID == "" {
		return nil, fmt.Errorf("map record: no catalog id: %w", ErrInvalid)
	}
	rec := in.Record
	a := &analysis{in: in, opt: opt, rec: rec, services: map[string]*service{}, roles: map[string][]iso.Party{}}
	a.fileID = strings.TrimSpace(in.FileIdentifier)
	if a.fileID == "" {
		a.fileID = strings.TrimSpace(rec.FileIdentifier)
	}
	if a.fileID == "" {
		return nil, fmt.Errorf("map record: no fileIdentifier: %w", ErrInvalid)
	}
	base := strings.TrimRight(opt.PublicURL, "/") + "/catalogs/" + url.PathEscape(opt.Catalog.ID)
	esc := url.PathEscape(a.fileID)
	a.crIRI = base + "/records/" + esc
	a.ident = strings.TrimSpace(in.Identifier)
	if a.ident == "" {
		a.ident = ResourceIdentifier(rec)
	}
	if validIRI(a.ident) {
		a.iri = a.ident
	} else {
		a.iri = base + "/datasets/" + esc
	}
	sum := sha256.Sum256([]byte(opt.Catalog.ID + "\x00" + a.fileID))
	a.bprefix = "r" + hex.EncodeToString(sum[:5])

	a.level = strings.TrimSpace(rec.HierarchyLevel)
	a.kind = KindOf(a.level, rec.IdentificationKind)
	if a.level == "" && a.kind != "other" {
		a.level = a.kind
	}
	if a.level == "service" && a.kind == "dataset" {
		a.note("hierarchyLevel service with MD_DataIdentification: mapped as a dataset")
	}

	if eu, tag, ok := language(rec.Language); ok {
		a.langEU, a.langTag = eu, tag
	} else if rec.Language != "" {
		a.note("metadata language %q not recognised", rec.Language)
	}
	a.titles = a.texts(rec.Title)
	if len(a.titles) == 0 {
		for _, alt := range rec.AlternateTitles {
			if a.titles = a.texts(alt); len(a.titles) > 0 {
				a.note("no title: first alternate title used")
				break
			}
		}
	}
	if len(a.titles) == 0 {
		// udata skips a dataset without dct:title and its API refuses one:
		// the fileIdentifier names it rather than nothing.
		a.note("no title: fileIdentifier used")
		a.titles = [][2]string{{a.fileID, ""}}
	}
	a.descs = a.texts(rec.Abstract)
	a.purpose = rec.Purpose.Value
	for _, l := range rec.ResourceLanguages {
		if eu, _, ok := language(l); ok {
			a.resLangs = appendUnique(a.resLangs, eu)
		}
	}
	if len(a.resLangs) == 0 && a.langEU != "" && a.kind != "service" {
		a.resLangs = []string{a.langEU}
	}
	// The maintenance code, else a non-standard code ("5annually") or the
	// userDefinedMaintenanceFrequency duration rounded to the nearest
	// frequency udata knows (issue 9 item 11).
	// A duration is more precise than "unknown" or "periodic" (OTHER).
	switch mf, md := strings.TrimSpace(rec.MaintenanceFrequency), strings.TrimSpace(rec.MaintenanceDuration); {
	case frequency(mf) != "" && (md == "" || (frequency(mf) != "UNKNOWN" && frequency(mf) != "OTHER") || nearestFrequency(durationDays(md)) == ""):
		a.freq = frequency(mf)
	case mf != "" && nonStandardFrequency(mf) != "":
		a.freq = nonStandardFrequency(mf)
		a.note("maintenance frequency %q read as %s", mf, a.freq)
	case md != "" && nearestFrequency(durationDays(md)) != "":
		a.freq = nearestFrequency(durationDays(md))
		a.note("maintenance duration %q read as %s", md, a.freq)
	case mf != "" || md != "":
		a.note("maintenance frequency %q / %q not recognised", mf, md)
	}
	a.keywordsAndThemes()
	a.constraints()
	a.extents()
	a.dates()
	a.parties()
	if a.kind == "service" {
		a.serviceInfo()
	} else {
		a.distributions()
	}
	if p := strings.TrimSpace(rec.ParentIdentifier); p != "" && p != a.fileID && a.kind != "service" {
		a.links = append(a.links, Link{Predicate: nsDCAT + "inSeries", TargetFileID: p})
	}
	return a, nil
}

// texts returns a Text's value and translations as {value, tag} pairs,
// one per language, main value first.
func (a *analysis) texts(t iso.Text) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	if v := strings.TrimSpace(t.Value); v != "" {
		out = append(out, [2]string{v, a.langTag})
		seen[a.langTag] = true
	}
	keys := make([]string, 0, len(t.Translations))
	for k := range t.Translations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(t.Translations[k])
		tag := a.localeTag(k)
		if v == "" || tag == "" || seen[tag] {
			continue
		}
		seen[tag] = true
		out = append(out, [2]string{v, tag})
	}
	return out
}

func (a *analysis) localeTag(k string) string {
	if tag := langTag(k); tag != "" {
		return tag
	}
	for _, l := range a.rec.Locales {
		if l.ID == k || "#"+l.ID == k {
			return langTag(l.LanguageCode)
		}
	}
	return ""
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (a *analysis) keywordsAndThemes() {
	seenKw := map[string]bool{}
	seenConcept := map[string]bool{}
	for _, g := range a.rec.Keywords {
		thesaurus := ""
		thesHref := ""
		if g.Thesaurus != nil {
			thesaurus = strings.ToLower(g.Thesaurus.Title.Value)
			thesHref = g.Thesaurus.Title.Href
		}
		inspireThes := strings.Contains(thesaurus, "inspire") && (strings.Contains(thesaurus, "them") || strings.Contains(thesaurus, "gemet"))
		hvdThes := strings.Contains(thesHref, "data.europa.eu/bna/asd487ae75")
		for _, k := range g.Keywords {
			label := strings.TrimSpace(k.Value)
			href := strings.TrimSpace(k.Href)
			if code := themeFromIRI(href); code != "" {
				a.themes = appendUnique(a.themes, code)
				continue
			}
			if inspireThes && label != "" {
				if code := themeFromLabel(label); code != "" {
					a.themes = appendUnique(a.themes, code)
					continue
				}
			}
			if href != "" && validIRI(href) {
				switch {
				case strings.Contains(href, "data.europa.eu/eli/reg_impl/2023/138/oj"):
					a.legis = appendUnique(a.legis, href)
					continue
				case hvdThes || strings.HasPrefix(href, "http://data.europa.eu/bna/c_"):
					a.hvd = append(a.hvd, concept{IRI: href, Labels: [][2]string{{orDefault(label, href), a.langTag}}})
					continue
				case strings.Contains(href, "/SpatialDataServiceCategory/"):
					a.svcCats = append(a.svcCats, concept{IRI: href, Labels: [][2]string{{orDefault(label, href), a.langTag}}})
					continue
				}
				if !seenConcept[href] && label != "" {
					seenConcept[href] = true
					a.concepts = append(a.concepts, concept{IRI: href, Labels: [][2]string{{label, a.langTag}}})
				}
				continue
			}
			if label == "" {
				continue
			}
			// Free text: one keyword per label, case-insensitively.
			key := strings.ToLower(label)
			if !seenKw[key] {
				seenKw[key] = true
				a.keywords = append(a.keywords, label)
			}
		}
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (a *analysis) constraints() {
	var acc accessEvidence
	var texts []string
	seen := map[string]bool{}
	addText := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		texts = append(texts, s)
	}
	for _, c := range a.rec.Constraints {
		for _, t := range c.UseLimitations {
			a.offerLicence(t.Href + " " + t.Value)
			addText(t.Value)
		}
		for _, t := range c.OtherConstraints {
			// Access rights come from access-constraint blocks, or from any
			// block when the value is a LimitationsOnPublicAccess Anchor; a
			// restriction wins over noLimitations.
			accessBlock := len(c.AccessConstraints) > 0 || strings.Contains(t.Href, "LimitationsOnPublicAccess")
			if acc := accessRight(t.Value, t.Href); acc != "" && accessBlock && (a.access == "" || a.access == "noLimitations") {
				a.access = acc
			}
			a.offerLicence(t.Href + " " + t.Value)
			if a.licenceHref == "" && len(c.UseConstraints) > 0 && t.Href != "" && !strings.Contains(t.Href, "LimitationsOnPublicAccess") && validIRI(t.Href) {
				a.licenceHref, a.licenceLabel = t.Href, orDefault(strings.TrimSpace(t.Value), t.Href)
			}
			if accessBlock {
				acc.texts = appendUnique(acc.texts, strings.TrimSpace(t.Value))
				switch accessPhrase(t.Value) {
				case "restricted":
					acc.restricted = orDefault(acc.restricted, strings.TrimSpace(t.Value))
				case "open_with_account":
					acc.account = orDefault(acc.account, strings.TrimSpace(t.Value))
				}
			}
			addText(t.Value)
		}
		for _, code := range c.AccessConstraints {
			if restrictiveCodes[strings.ToLower(strings.TrimSpace(code))] {
				acc.restricted = orDefault(acc.restricted, "Contrainte d'accès : "+strings.TrimSpace(code))
			}
		}
		if cl := strings.TrimSpace(c.Classification); restrictiveClassifications[strings.ToLower(cl)] {
			acc.restricted = orDefault(acc.restricted, "Classification de sécurité : "+cl)
		}
	}
	a.rights = strings.Join(texts, "\n")
	a.accessType(acc)
}

// offerLicence keeps the licence a constraint text names when it ranks
// better than the one found so far: a named licence (Licence Ouverte, ODbL,
// CC…) wins over other-at/other-pd, which win over "no conditions apply"
// (other-open); within a rank the first found wins.
func (a *analysis) offerLicence(text string) {
	l, ok := detectLicence(text)
	if ok && (a.licence == nil || l.rank < a.licence.rank) {
		a.licence = &l
	}
}

// accessEvidence is what the access constraints say beyond the INSPIRE
// LimitationsOnPublicAccess code (a.access).
type accessEvidence struct {
	texts      []string // otherConstraints texts of access blocks
	restricted string   // first evidence of a restriction (text, code, classification)
	account    string   // first text asking for an account or registration
}

// accessType decides udata's access_type and access_type_reason
// (udata.md §A.8, §C.5) and the feed's dct:accessRights, one rule for both
// (issue 9 item 4):
//   - an INSPIRE Article 13 limitation (Anchor or text): restricted, the
//     reason is udata's French label of it; the feed keeps the INSPIRE
//     IRI, which udata's harvester reads as restricted;
//   - else a restrictive MD_RestrictionCode (restricted, confidential,
//     private, sensitive, statutory, inConfidence), a security
//     classification above unclassified, or an access text saying so:
//     restricted, the reason is the access texts; the feed says EU
//     access-right NON_PUBLIC (udata's own export of restricted);
//   - else, unless "no limitations" is stated, an access text asking for
//     an account or registration: open_with_account; the feed says EU
//     access-right RESTRICTED ("available under conditions");
//   - else open (noLimitations keeps its INSPIRE IRI in the feed).
//
// A restriction wins over "no limitations" stated elsewhere.
func (a *analysis) accessType(acc accessEvidence) {
	reason := func(fallback string) string {
		var keep []string
		for _, t := range acc.texts {
			if t != "" && accessRight(t, "") != "noLimitations" {
				keep = append(keep, t)
			}
		}
		if len(keep) == 0 {
			return fallback
		}
		return truncateRunes(strings.Join(keep, " ; "), 1000)
	}
	switch {
	case strings.HasPrefix(a.access, "INSPIRE_Directive_Article13"):
		a.accessKind, a.accessWhy = "restricted", udataArticle13Label[strings.TrimPrefix(a.access, "INSPIRE_Directive_Article13_1")]
	case acc.restricted != "":
		a.accessKind, a.accessWhy = "restricted", reason(acc.restricted)
		a.access, a.accessEU = "", "NON_PUBLIC"
	case acc.account != "" && a.access != "noLimitations":
		a.accessKind, a.accessWhy = "open_with_account", reason(acc.account)
		a.accessEU = "RESTRICTED"
	default:
		a.accessKind = "open"
	}
}

func (a *analysis) extents() {
	for _, b := range a.rec.BoundingBoxes {
		// One repair rule for feeds, CSW output and CSW filters
		// (iso.BoundingBox.Repaired).
		fixed, lon, lat, ok := b.Repaired()
		if lon {
			a.note("bounding box west %v > east %v: swapped", b.West, b.East)
		}
		if lat {
			a.note("bounding box south %v > north %v: swapped", b.South, b.North)
		}
		if !ok {
			a.note("bounding box %v out of range: dropped", fixed)
			continue
		}
		a.bboxes = append(a.bboxes, fixed)
	}
	for _, g := range a.rec.GeographicIdentifiers {
		code := strings.TrimSpace(g.Code)
		if code == "" {
			continue
		}
		if validIRI(code) {
			a.placeIRI = appendUnique(a.placeIRI, code)
		} else {
			a.places = appendUnique(a.places, code)
		}
	}
	for _, te := range a.rec.TemporalExtents {
		var p period
		if d, ok := parseDate(te.Begin); ok {
			p.Start = &d
		}
		if te.Instant {
			p.End = p.Start
		} else if d, ok := parseDate(te.End); ok && te.EndIndeterminate == "" {
			p.End = &d
		}
		if p.Start == nil && p.End == nil {
			if te.Begin != "" || te.End != "" {
				a.note("temporal extent %q/%q not parsable", te.Begin, te.End)
			}
			continue
		}
		// udata stores days and fails on a period mixing xsd:date and
		// xsd:dateTime, or naive and zoned date-times (udata.md §G), and
		// rdflib gives no date for xsd:gYear: both ends become xsd:date, a
		// partial date its first (start) or last (end) day.
		if p.Start != nil {
			s := dayValue(p.Start.day(true))
			p.Start = &s
		}
		if p.End != nil {
			e := dayValue(p.End.day(false))
			p.End = &e
		}
		if p.Start != nil && p.End != nil && p.End.T.Before(p.Start.T) {
			a.note("temporal extent ends (%s) before it starts (%s): end dropped", p.End.Lex, p.Start.Lex)
			p.End = nil
		}
		a.temporal = &p
		break
	}
}

// dayValue is the xsd:date value of a YYYY-MM-DD string.
func dayValue(s string) dateValue {
	t, _ := time.Parse("2006-01-02", s)
	return dateValue{T: t, Kind: "date", Lex: s}
}

func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func wkt(b iso.BoundingBox) string {
	w, e, s, n := fnum(b.West), fnum(b.East), fnum(b.South), fnum(b.North)
	return "POLYGON((" + w + " " + s + ", " + e + " " + s + ", " + e + " " + n + ", " + w + " " + n + ", " + w + " " + s + "))"
}

func (a *analysis) dates() {
	now := a.now()
	for _, d := range a.rec.Dates {
		v, ok := parseDate(d.Value)
		if !ok {
			if d.Value != "" {
				a.note("date %q (%s) not parsable", d.Value, d.Type)
			}
			continue
		}
		if v.T.After(now) {
			a.note("%s date %s in the future: dropped", d.Type, d.Value)
			continue
		}
		vv := v
		switch d.Type {
		case "publication":
			if a.issued == nil || vv.T.Before(a.issued.T) {
				a.issued = &vv
			}
		case "revision":
			if a.modified == nil || vv.T.After(a.modified.T) {
				a.modified = &vv
			}
		case "creation":
			if a.created == nil || vv.T.Before(a.created.T) {
				a.created = &vv
			}
		}
	}
	if v, ok := parseDate(a.rec.DateStamp); ok && !v.T.After(now) {
		a.crMod = &v
	} else if !a.in.FirstStored.IsZero() {
		v := dateValue{T: a.in.FirstStored.UTC(), Kind: "dateTime", Lex: a.in.FirstStored.UTC().Format("2006-01-02T15:04:05Z"), Zoned: true}
		a.crMod = &v
		a.note("dateStamp %q unusable: record modified = first stored", a.rec.DateStamp)
	}
}

func partyName(p iso.Party) (string, bool) {
	if o := strings.TrimSpace(p.Organisation.Value); o != "" {
		return o, false
	}
	if i := strings.TrimSpace(p.Individual.Value); i != "" {
		return i, true
	}
	return "", false
}

func (a *analysis) parties() {
	for _, p := range a.rec.Parties {
		role := strings.TrimSpace(p.Role)
		if role == "" {
			role = "pointOfContact"
		}
		if !isoRoles[role] {
			a.note("party role %q is not an ISO role code: treated as other", role)
			role = "other"
		}
		a.roles[role] = append(a.roles[role], p)
	}
	a.contacts = a.roles["pointOfContact"]
	// The caller's first producer is the same chain with configured
	// aliases applied: prefer it, so the publisher IRI is the producer's.
	if slug, name := strings.TrimSpace(a.in.ProducerSlug), strings.TrimSpace(a.in.Producer); slug != "" && !strings.HasPrefix(slug, "_") && name != "" {
		a.pub = &agent{Name: name, Slug: slug}
		return
	}
	for _, role := range []string{"publisher", "owner", "custodian", "pointOfContact"} {
		for _, p := range a.roles[role] {
			if name := strings.TrimSpace(p.Organisation.Value); name != "" {
				a.pub = &agent{Name: name, Party: p}
				return
			}
		}
	}
	if name := strings.TrimSpace(a.in.Producer); name != "" {
		a.pub = &agent{Name: name}
		return
	}
	if name := strings.TrimSpace(a.opt.Catalog.Publisher); name != "" {
		a.pub = &agent{Name: name}
	}
}

var (
	reOGCProto   = regexp.MustCompile(`(?i)^OGC:(WMS|WFS|WMTS|WCS|CSW|SOS|WPS)`)
	reOGCTypeIRI = regexp.MustCompile(`(?i)opengis\.net/def/serviceType/ogc/(wms|wfs|wmts|wcs|csw|sos|wps)`)
	reServiceQ   = regexp.MustCompile(`(?i)[?&]service=(WMS|WFS|WMTS|WCS|CSW|SOS|WPS)\b`)
)

// serviceOf recognises an OGC (or OGC API / ESRI REST) service link.
// fileExts are the URL path extensions that make a link a file download.
var fileExts = map[string]bool{
	".zip": true, ".csv": true, ".json": true, ".geojson": true, ".gpkg": true, ".shp": true, ".xls": true,
	".xlsx": true, ".ods": true, ".gml": true, ".kml": true, ".kmz": true, ".tif": true, ".tiff": true,
	".gz": true, ".7z": true, ".tar": true, ".xml": true, ".pdf": true, ".txt": true, ".las": true,
	".laz": true, ".asc": true, ".ecw": true, ".jp2": true, ".parquet": true, ".fgb": true,
}

func isFileURL(u string) bool {
	return fileExts[strings.ToLower(path.Ext(pathOf(u)))]
}

// isRecordPage recognises a catalog's own page of the record.
func isRecordPage(u string) bool {
	low := strings.ToLower(u)
	return strings.Contains(low, "catalog.search#/metadata/") || strings.Contains(low, "/api/records/") || strings.Contains(low, "/metadata.show")
}

// isGetRecord recognises a CSW GetRecordById link (the record's XML).
func isGetRecord(u string) bool {
	low := strings.ToLower(u)
	return strings.Contains(low, "request=getrecordbyid")
}

func serviceOf(o iso.OnlineResource) string {
	proto := strings.TrimSpace(o.Protocol)
	if len(proto) >= 4 && strings.EqualFold(proto[:4], "OGC:") {
		if m := reOGCProto.FindStringSubmatch(proto); m != nil {
			return strings.ToLower(m[1])
		}
	}
	if strings.Contains(o.ProtocolHref+proto, "serviceType") {
		if m := reOGCTypeIRI.FindStringSubmatch(o.ProtocolHref + " " + proto); m != nil {
			return strings.ToLower(m[1])
		}
	}
	low := strings.ToLower(proto)
	if strings.HasPrefix(low, "ogc api") || strings.HasPrefix(low, "ogc:api") || strings.Contains(low, "17-069r3") {
		return "ogcapi"
	}
	if strings.HasPrefix(low, "esri:rest") || strings.HasPrefix(low, "esri rest") {
		return "esrirest"
	}
	if !strings.Contains(strings.ToLower(o.URL), "service=") {
		return ""
	}
	if m := reServiceQ.FindStringSubmatch(o.URL); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// splitEndpoint removes the OGC request parameters (request, service,
// version, acceptversions) from a service URL and builds its
// GetCapabilities URL. The other parameters are kept as the publisher
// wrote them, in their order and encoding: re-encoding them
// (map=/opt/… → map=%2Fopt%2F…) gives another URL (issue 9 item 8).
func splitEndpoint(raw, std string) (endpoint, caps string) {
	base, query := raw, ""
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	if i := strings.IndexByte(base, '?'); i >= 0 {
		base, query = base[:i], base[i+1:]
	}
	var kept []string
	for _, p := range strings.Split(query, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if ku, err := url.QueryUnescape(k); err == nil {
			k = ku
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "request", "service", "version", "acceptversions":
			continue
		}
		kept = append(kept, p)
	}
	endpoint = base
	if len(kept) > 0 {
		endpoint += "?" + strings.Join(kept, "&")
	}
	switch std {
	case "wms", "wfs", "wmts", "wcs", "csw", "sos", "wps":
		sep := "?"
		if len(kept) > 0 {
			sep = "&"
		}
		caps = endpoint + sep + "service=" + strings.ToUpper(std) + "&request=GetCapabilities"
	}
	return endpoint, caps
}

// cleanURL is a URL as its publisher wrote it, trimmed, with only the
// characters an IRI cannot carry percent-encoded (spaces and controls,
// <>"{}|\^` and a "%" that starts no escape); everything else, query
// included, is kept byte for byte (issue 9 item 8).
func cleanURL(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = !needsEscape(s, i)
	}
	if clean {
		return s
	}
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; needsEscape(s, i) {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(s string, i int) bool {
	c := s[i]
	switch {
	case c <= 0x20 || c == 0x7f:
		return true
	case strings.IndexByte("<>\"{}|\\^`", c) >= 0:
		return true
	case c == '%':
		return i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

var serviceFileType = map[string]string{"wms": "WMS_SRVC", "wfs": "WFS_SRVC", "wcs": "WCS_SRVC"}

// serviceFormatLabel labels the format of services that have no
// http://www.opengeospatial.org/standards/ IRI.
var serviceFormatLabel = map[string]string{"ogcapi": "OGC API", "esrirest": "ESRI REST"}

// ownFormat is a file link's format from its own evidence (issue 9 item
// 6), first match wins: a media type or format name given as protocol, a
// format= or outputFormat= query parameter, the URL path's extension.
// Never the record's format list: that one is paired afterwards, only when
// unambiguous (pairRecordFormats).
func ownFormat(o iso.OnlineResource, u string) (formatInfo, bool) {
	if f, ok := formatFromProtocol(o.Protocol); ok {
		return f, true
	}
	if f, ok := formatFromQuery(u); ok {
		return f, true
	}
	return formatFromURL(u)
}

// formatFromProtocol reads a protocol that names a format or media type
// ("application/zip", "text/csv", "GeoJSON"); the usual protocol families
// (WWW:, OGC:, ESRI:, FILE…) name none.
func formatFromProtocol(proto string) (formatInfo, bool) {
	p := strings.TrimSpace(proto)
	if p == "" || len(p) > 80 {
		return formatInfo{}, false
	}
	low := strings.ToLower(p)
	for _, family := range []string{"www:", "ogc", "esri", "file", "http", "ftp", "link", "download", "inspire", "atom", "api"} {
		if strings.HasPrefix(low, family) {
			return formatInfo{}, false
		}
	}
	return lookupFormat(p, "")
}

// queryFormats are values of format=/outputFormat= that the vocabulary
// does not name (GeoServer and MapServer output format names).
var queryFormats = map[string]string{
	"shape-zip": "SHP", "shapezip": "SHP", "shp": "SHP", "shapefile": "SHP", "application/zip": "ZIP",
	"gml2": "GML", "gml3": "GML", "gml32": "GML", "application/gml+xml": "GML", "kml": "KML",
	"application/vnd.google-earth.kml+xml": "KML", "excel": "XLS", "excel2007": "XLSX", "geopackage": "GPKG", "gpkg": "GPKG",
}

// formatFromQuery reads a format= or outputFormat= query parameter.
func formatFromQuery(u string) (formatInfo, bool) {
	i := strings.IndexByte(u, '?')
	if i < 0 {
		return formatInfo{}, false
	}
	q, err := url.ParseQuery(strings.SplitN(u[i+1:], "#", 2)[0])
	if err != nil && len(q) == 0 {
		return formatInfo{}, false
	}
	for k, vs := range q {
		if lk := strings.ToLower(k); lk != "format" && lk != "outputformat" || len(vs) == 0 {
			continue
		}
		v := strings.TrimSpace(vs[0])
		if v == "" {
			continue
		}
		if code, ok := queryFormats[strings.ToLower(v)]; ok {
			if f, ok := lookupFormat(code, ""); ok {
				return f, true
			}
			return formatInfo{EU: code, Label: code}, true
		}
		if mt, _, ok := strings.Cut(v, ";"); ok {
			v = strings.TrimSpace(mt) // "text/xml; subtype=gml/3.1.1"
		}
		if f, ok := lookupFormat(v, ""); ok {
			return f, true
		}
	}
	return formatInfo{}, false
}

// serviceFormat recognises a listed format that names a service, not a
// file ("WMS", "WMTS", "OGC Webservice (WFS)", EU *_SRVC codes): a record's
// format list citing one says nothing about its files.
func serviceFormat(f formatInfo) bool {
	if strings.HasSuffix(f.EU, "_SRVC") {
		return true
	}
	low := strings.ToLower(f.Label)
	switch low {
	case "wms", "wfs", "wmts", "wcs", "wps", "csw", "sos", "tms", "wms-c":
		return true
	}
	return strings.Contains(low, "service") || strings.Contains(low, "ogc")
}

// pairRecordFormats gives a file link without evidence of its own the
// format its distributor (or else the record) lists, only when that pairing
// is unambiguous: the list names exactly one file format, exactly one file
// link of that distributor has no evidence of its own, and no link already
// carries that format by its own evidence. Otherwise the link has no
// format: none is better than a wrong one (udata's open-format criterion
// reads it).
func (a *analysis) pairRecordFormats() {
	groups := map[int][]int{} // distributor → indices of links without evidence
	own := map[string]bool{}  // labels given by own evidence
	for i, d := range a.dists {
		if d.fileNoEvidence {
			groups[d.distributor] = append(groups[d.distributor], i)
		} else if d.HasFormat {
			own[strings.ToLower(d.Format.Label)] = true
		}
	}
	keys := make([]int, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, distributor := range keys {
		idx := groups[distributor]
		formats := a.rec.DistributionFormats
		if distributor >= 0 && distributor < len(a.rec.Distributors) && len(a.rec.Distributors[distributor].Formats) > 0 {
			formats = a.rec.Distributors[distributor].Formats
		}
		var cands []formatInfo
		seen := map[string]bool{}
		for _, f := range formats {
			fi, ok := lookupFormat(f.Name, f.Href)
			if !ok {
				n := strings.TrimSpace(f.Name)
				if n == "" || isJunkFormat(n) {
					continue
				}
				fi = formatInfo{Label: n}
			}
			if serviceFormat(fi) || seen[strings.ToLower(fi.Label)] {
				continue
			}
			seen[strings.ToLower(fi.Label)] = true
			cands = append(cands, fi)
		}
		if len(cands) != 1 || len(idx) != 1 || own[strings.ToLower(cands[0].Label)] {
			if len(cands) > 0 {
				a.note("%d file links without format evidence, %d listed formats: not paired", len(idx), len(cands))
			}
			continue
		}
		d := &a.dists[idx[0]]
		d.Format, d.HasFormat = cands[0], true
		if d.Title == "Download" || d.Title == "" {
			d.Title = titleFromURL(d.AccessURL, d.Format)
		}
	}
}

func isJunkFormat(n string) bool {
	l := strings.ToLower(n)
	return l == "unknown" || l == "inconnu" || l == "n/a" || l == "-" || strings.Contains(l, "missing")
}

func (a *analysis) distributions() {
	byURL := map[string]int{} // URL → index in a.dists: one distribution per URL
	for _, o := range a.rec.OnlineResources {
		u := cleanURL(o.URL)
		if u == "" {
			continue
		}
		if r := checkURL(u); r != "" || badLocalInFixedNamespace(u) {
			a.note("online resource %q dropped: %s", u, orDefault(r, "unsafe IRI"))
			continue
		}
		proto := strings.ToLower(o.Protocol)
		fn := strings.ToLower(o.Function)
		title := strings.TrimSpace(o.Name)
		desc := strings.TrimSpace(o.Description)
		if isRecordPage(u) {
			a.landing = appendUnique(a.landing, u)
			continue
		}
		if isGetRecord(u) {
			a.pages = appendUnique(a.pages, u) // the record's XML: documentation, not a service
			continue
		}
		std := serviceOf(o)
		guessed := false
		if std == "" && strings.TrimSpace(proto) == "" {
			// A service endpoint given without a protocol (a
			// …?request=GetCapabilities URL, MapServer's wxs?map=…) is a
			// distribution too, not a page (issue 9 item 11).
			std, guessed = guessService(o, u)
		}
		if std != "" || guessed {
			a.serviceLink(o, u, std, title, desc, byURL)
			continue
		}
		atom := strings.Contains(proto, "atom") || strings.Contains(strings.ToLower(o.ApplicationProfile), "atom") ||
			strings.HasSuffix(strings.ToLower(u), ".atom") || strings.Contains(strings.ToLower(u), "atom.xml")
		_, protoFormat := formatFromProtocol(o.Protocol)
		file := strings.HasPrefix(proto, "www:download") || strings.Contains(proto, "download") || proto == "file" || fn == "download" || isFileURL(u) ||
			(protoFormat && !strings.HasPrefix(proto, "text/html"))
		if atom || file {
			if _, dup := byURL[u]; dup {
				continue // one resource per URL
			}
			byURL[u] = len(a.dists)
			d := dist{Title: title, Desc: desc, AccessURL: u, Size: byteSize(o.TransferSizeMB), distributor: o.Distributor}
			if atom {
				d.Format, d.HasFormat = formatInfo{EU: "ATOM", Media: "application/atom+xml", Label: "ATOM"}, true
			} else {
				d.DownloadURL = u
				d.Format, d.HasFormat = ownFormat(o, u)
				d.fileNoEvidence = !d.HasFormat
			}
			if d.Title == "" {
				d.Title = titleFromURL(u, d.Format)
			}
			a.dists = append(a.dists, d)
			continue
		}
		if isRecordPage(u) {
			a.landing = appendUnique(a.landing, u)
			continue
		}
		a.pages = appendUnique(a.pages, u)
	}
	a.mergeLayers()
	a.pairRecordFormats()
	if ds := cleanURL(a.rec.DataSetURI); ds != "" && validURL(ds) && len(a.landing) == 0 {
		a.landing = append(a.landing, ds)
	}
}

// serviceLink adds an OGC (or unidentified, std "") service link: one
// DataService per endpoint and standard, one distribution per URL; the
// layers of links sharing a URL are merged into it (mergeLayers).
func (a *analysis) serviceLink(o iso.OnlineResource, u, std, title, desc string, byURL map[string]int) {
	endpoint, caps := splitEndpoint(u, std)
	if !validURL(endpoint) {
		a.note("service endpoint %q dropped", endpoint)
		return
	}
	name := orDefault(title, desc)
	if i, dup := byURL[u]; dup {
		if d := &a.dists[i]; d.Service != nil && name != "" {
			for _, l := range d.layers {
				if l[0] == name {
					return
				}
			}
			d.layers = append(d.layers, [2]string{name, desc})
		}
		return
	}
	// One DataService per endpoint and standard: a WMS and a WFS on one
	// shared /ows endpoint are two services (issue 9 item 6).
	key := endpoint + "\x00" + std
	s := a.services[key]
	if s == nil {
		s = &service{Key: key, Endpoint: endpoint, Desc: caps, Standard: std, Title: serviceName(std) + " " + hostOf(endpoint)}
		a.services[key] = s
	}
	dt := name
	up := serviceName(std)
	if dt == "" {
		dt = up
	} else if std != "" && !strings.Contains(strings.ToUpper(dt), strings.ToUpper(std)) {
		dt += " (" + up + ")"
	}
	d := dist{Title: dt, Desc: desc, AccessURL: u, Service: s, Size: byteSize(o.TransferSizeMB), distributor: o.Distributor}
	if name != "" {
		d.layers = [][2]string{{name, desc}}
	}
	if code, ok := serviceFileType[std]; ok {
		d.Format, d.HasFormat = formatInfo{EU: code, Label: strings.ToUpper(std)}, true
	} else if l, ok := serviceFormatLabel[std]; ok {
		// No OGC standard IRI for udata to read the format from: a
		// labelled format node gives it one (udata.md §A.9).
		d.Format, d.HasFormat = formatInfo{Label: l}, true
	}
	byURL[u] = len(a.dists)
	a.dists = append(a.dists, d)
}

func serviceName(std string) string {
	if std == "" {
		return "Service"
	}
	return strings.ToUpper(std)
}

// mergeLayers titles a distribution serving several layers at one URL:
// the standard and the first layer names, every layer listed in the
// description. udata keys OGC resources by (URL, title): IGNF_RPG sent 80
// resources for 14 URLs.
func (a *analysis) mergeLayers() {
	for i := range a.dists {
		d := &a.dists[i]
		if len(d.layers) < 2 {
			continue
		}
		names := make([]string, 0, 3)
		var lines []string
		for j, l := range d.layers {
			if j < 3 {
				names = append(names, l[0])
			}
			line := "- " + l[0]
			if l[1] != "" && l[1] != l[0] {
				line += " : " + l[1]
			}
			lines = append(lines, line)
		}
		t := serviceName(d.Service.Standard) + " — " + strings.Join(names, ", ")
		if len(d.layers) > 3 {
			t += ", … (" + strconv.Itoa(len(d.layers)) + ")"
		}
		d.Title = truncateRunes(t, 300)
		d.Desc = truncateRunes(strings.Join(lines, "\n"), 20000)
	}
}

var (
	reStdWord = regexp.MustCompile(`(?i)\b(wms|wfs|wmts|wcs)\b`)
	// serviceScripts are the last path segments of map servers' endpoints.
	serviceScripts = map[string]bool{
		"wxs": true, "ows": true, "mapserv": true, "mapserv.fcgi": true, "qgis_mapserv.fcgi": true,
		"mapserver": true, "wmsserver": true, "mapserv.exe": true,
	}
)

// guessService recognises a service endpoint given without a protocol: a
// GetCapabilities request, or a path ending in wms, wfs, wmts, wcs, csw or
// a map server script (wxs, ows, mapserv…), or a map= parameter. The
// standard comes from that path, else from the one OGC standard the link's
// name or description mentions; "" (an unidentified service, no format)
// when none or several.
func guessService(o iso.OnlineResource, u string) (string, bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	caps := strings.Contains(strings.ToLower(pu.RawQuery), "request=getcapabilities")
	seg := strings.ToLower(path.Base(strings.TrimRight(pu.Path, "/")))
	std := ""
	switch seg {
	case "wms", "wfs", "wmts", "wcs", "csw":
		std = seg
	}
	mapParam := false
	for k := range pu.Query() {
		mapParam = mapParam || strings.EqualFold(k, "map")
	}
	if !caps && std == "" && !serviceScripts[seg] && !mapParam {
		return "", false
	}
	if std == "" {
		found := map[string]bool{}
		for _, m := range reStdWord.FindAllString(o.Name+" "+o.Description, -1) {
			found[strings.ToLower(m)] = true
		}
		if len(found) == 1 {
			for k := range found {
				std = k
			}
		}
	}
	return std, true
}

func byteSize(mb float64) int64 {
	if mb <= 0 || math.IsNaN(mb) || math.IsInf(mb, 0) || mb > 1e12 {
		return 0
	}
	return int64(math.Round(mb * 1e6))
}

func hostOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return pu.Host
}

func pathOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	return pu.Path
}

func titleFromURL(u string, f formatInfo) string {
	p := pathOf(u)
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if p != "" && strings.Contains(p, ".") {
		if s, err := url.PathUnescape(p); err == nil {
			return s
		}
		return p
	}
	if f.Label != "" {
		return f.Label + " file"
	}
	return "Download"
}

func (a *analysis) serviceInfo() {
	s := a.rec.Service
	if s != nil {
		a.svcType = serviceType(s.Type)
		for _, op := range s.OperatesOn {
			target := strings.TrimSpace(op.UUIDRef)
			if target == "" && op.Href != "" {
				if pu, err := url.Parse(strings.TrimSpace(op.Href)); err == nil {
					for k, v := range pu.Query() {
						if strings.EqualFold(k, "id") && len(v) > 0 {
							target = strings.TrimSpace(v[0])
						}
					}
					if target == "" && pu.Fragment != "" {
						target = pu.Fragment
					}
				}
			}
			if target == "" {
				a.note("operatesOn without uuidref or id: not linked")
				continue
			}
			l := Link{Predicate: nsDCAT + "servesDataset", TargetFileID: target}
			dup := false
			for _, x := range a.links {
				dup = dup || x == l
			}
			if !dup {
				a.links = append(a.links, l)
			}
		}
	}
	var candidates []iso.OnlineResource
	if s != nil {
		for _, op := range s.Operations {
			for _, u := range op.URLs {
				candidates = append(candidates, iso.OnlineResource{URL: u})
			}
		}
	}
	candidates = append(a.rec.OnlineResources, candidates...)
	for _, o := range candidates {
		u := cleanURL(o.URL)
		if u == "" || checkURL(u) != "" || badLocalInFixedNamespace(u) {
			if u != "" {
				a.note("service URL %q dropped", u)
			}
			continue
		}
		std := serviceOf(o)
		endpoint, caps := splitEndpoint(u, std)
		if std == "" && a.svcStd == "" && s != nil {
			if st := serviceOf(iso.OnlineResource{Protocol: "OGC:" + strings.TrimPrefix(strings.ToUpper(s.Type), "OGC:")}); st != "" {
				std = st
				endpoint, caps = splitEndpoint(u, std)
			}
		}
		if !validURL(endpoint) {
			continue
		}
		if a.endpoint == "" || (a.svcStd == "" && std != "") {
			a.endpoint, a.endDesc, a.svcStd = endpoint, caps, std
		}
		if isRecordPage(u) {
			a.landing = appendUnique(a.landing, u)
		}
	}
	if a.endpoint == "" {
		a.note("service without a usable endpoint URL")
	}
}
