package dcat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle/passerelle/dcat/internal/vocabnorm"
	"github.com/passerelle/passerelle/iso"
)

// Extras keys written by BuildItem.
const (
	ExtraRemoteID = "passerelle:remote_id"
	ExtraCatalog  = "passerelle:catalog"
	ExtraHash     = "passerelle:hash"
)

// BuildItem builds the udata dataset payload of a record (the body a push
// would POST, plus Quality and Source). Services and "other" records get an
// item too (the catalog JSON views show them); push and the organization
// views keep only PublishedAsDataset kinds, like the feed. Resources are the feed's distributions,
// as udata's harvester would make them (documentation pages, which the feed
// writes as foaf:page, are not resources there either).
func BuildItem(in Input, opt Options) (*Item, error) {
	a, err := analyze(in, opt)
	if err != nil {
		return nil, err
	}
	title := pick(a.titles)
	if title == "" {
		title = a.fileID // the API requires a title; the feed has none (udata skips it)
	}
	it := &Item{
		Title:       truncateRunes(title, 350),
		Description: truncateRunes(itemDescription(a), 100000),
		Tags:        a.tags(),
		Extras:      map[string]any{ExtraRemoteID: a.ident, ExtraCatalog: opt.Catalog.ID},
		Resources:   []Resource{},
	}
	if a.licence != nil {
		it.License = a.licence.ID
	}
	it.AccessType = a.accessKind
	if a.accessKind != "open" {
		// udata forces the licence of a non-open dataset to null (udata.md
		// §C.5); the reason says why access is limited.
		it.License = ""
		it.AccessTypeReason = truncateRunes(a.accessWhy, 1000)
	}
	if a.freq != "" {
		it.Frequency = udataFrequency[a.freq]
	}
	if p := a.temporal; p != nil && p.Start != nil {
		tc := &TemporalCoverage{Start: p.Start.day(true)}
		if p.End != nil {
			tc.End = p.End.day(false)
		}
		it.TemporalCoverage = tc
	}
	if len(a.bboxes) > 0 {
		var polys []any
		for _, b := range a.bboxes {
			polys = append(polys, []any{[]any{
				[]float64{b.West, b.South}, []float64{b.East, b.South}, []float64{b.East, b.North},
				[]float64{b.West, b.North}, []float64{b.West, b.South},
			}})
		}
		it.Spatial = &Spatial{Geom: map[string]any{"type": "MultiPolygon", "coordinates": polys}, Granularity: "other"}
	}
	seenRes := map[string]bool{}
	for _, d := range a.dists {
		r := Resource{Title: d.Title, Description: d.Desc, URL: d.AccessURL, Filetype: "remote", Type: "main", Filesize: d.Size}
		if d.DownloadURL != "" {
			r.URL = d.DownloadURL
		}
		if r.Title == "" {
			r.Title = titleFromURL(r.URL, d.Format)
		}
		r.Title = truncateRunes(r.Title, 350)
		switch {
		case d.Service != nil:
			// udata takes the format from the service's OGC standard IRI,
			// else from the distribution's format label.
			r.Type = "api"
			r.Format = d.Service.Standard
			if ogcStandard(d.Service.Standard) == "" {
				r.Format = strings.ToLower(d.Format.Label)
			}
		case d.HasFormat:
			r.Format = strings.ToLower(d.Format.Label)
			if _, ok := vocabMediaType[d.Format.Media]; ok {
				r.Mime = d.Format.Media // the feed writes known IANA types only
			}
		}
		if !seenRes[r.URL] {
			seenRes[r.URL] = true // one resource per URL (the analysis merges layers)
			it.Resources = append(it.Resources, r)
		}
	}
	it.Extras[ExtraHash] = ItemHash(it)
	it.Quality = quality(it, a)
	it.Source = &Source{Catalog: opt.Catalog.ID, Producer: in.ProducerSlug, FileIdentifier: a.fileID, RecordURL: in.RecordURL}
	return it, nil
}

// truncateRunes cuts s to at most n characters (udata's API limits:
// title 350, description 100000), ending with "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// itemDescription is the record's abstract. udata's API requires a
// description (udata.md §C.5) while ISO brief records have none: then the
// purpose, else a sentence naming what the item is and where it comes from
// (title, publisher, catalog, fileIdentifier), in French like
// data.gouv.fr. The feed keeps no description in that case (we do not put
// invented text in the RDF; udata harvests it with an empty one).
func itemDescription(a *analysis) string {
	if d := pick(a.descs); d != "" {
		return d
	}
	if p := strings.TrimSpace(a.purpose); p != "" {
		return p
	}
	var b strings.Builder
	kind := "Jeu de données"
	if a.kind == "series" {
		kind = "Série de données"
	} else if a.kind == "service" {
		kind = "Service"
	}
	b.WriteString(kind)
	if t := pick(a.titles); t != "" {
		b.WriteString(" « " + t + " »")
	}
	if a.pub != nil && strings.TrimSpace(a.pub.Name) != "" {
		verb := " publié par "
		if a.kind == "series" {
			verb = " publiée par "
		}
		b.WriteString(verb + strings.TrimSpace(a.pub.Name))
	}
	b.WriteString(". Sa fiche de métadonnées (identifiant " + a.fileID + ")")
	if c := strings.TrimSpace(orDefault(a.opt.Catalog.Title, a.opt.Catalog.ID)); c != "" {
		b.WriteString(", issue du catalogue « " + c + " »,")
	}
	b.WriteString(" ne contient pas de résumé.")
	return b.String()
}

// pick returns the French value, else the untagged one, else the first.
func pick(vs [][2]string) string {
	for _, v := range vs {
		if v[1] == "fr" {
			return v[0]
		}
	}
	for _, v := range vs {
		if v[1] == "" {
			return v[0]
		}
	}
	if len(vs) > 0 {
		return vs[0][0]
	}
	return ""
}

// tags are udata tags: keywords and theme labels slugified (lower case,
// 3 to 96 characters), "inspire" for INSPIRE themes, sorted, deduplicated.
func (a *analysis) tags() []string {
	set := map[string]bool{}
	add := func(s string) {
		t := tagSlug(s)
		if n := utf8.RuneCountInString(t); n >= 3 {
			if n > 96 {
				t = string([]rune(t)[:96])
				t = strings.TrimRight(t, "-")
			}
			set[t] = true
		}
	}
	for _, k := range a.keywords {
		add(k)
	}
	for _, code := range a.themes {
		if l, ok := vocabThemeLabel[code+"|fr"]; ok {
			add(l)
		}
		// The feed also carries the EU data themes aligned with the
		// INSPIRE theme, labelled: udata makes tags of them too.
		for _, dt := range vocabThemeDataThemes[code] {
			if l, ok := vocabDataThemeLabel[dt]; ok {
				add(orDefault(l[1], l[0]))
			}
		}
		set["inspire"] = true
	}
	for _, c := range a.concepts {
		for _, l := range c.Labels {
			add(l[0])
		}
	}
	for _, c := range a.hvd {
		for _, l := range c.Labels {
			add(l[0])
		}
		if strings.HasPrefix(c.IRI, "http://data.europa.eu/bna/c_") {
			set["hvd"] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// tagSlug is udata's tag normalisation: lower case, accents removed,
// anything else than letters and digits turned into single dashes.
func tagSlug(s string) string {
	return iso.Slug(vocabnorm.Label(s))
}

// ItemHash is the sha256 (hex) of the canonical JSON of the item without
// extras[passerelle:hash], Quality and Source. Canonical: encoding/json's
// output, which sorts map keys.
func ItemHash(it *Item) string {
	if it == nil {
		return ""
	}
	c := *it
	c.Quality, c.Source = nil, nil
	c.Extras = make(map[string]any, len(it.Extras))
	for k, v := range it.Extras {
		if k != ExtraHash {
			c.Extras[k] = v
		}
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// closedFormats are udata's closed formats (udata.md §E).
var closedFormats = map[string]bool{"pdf": true, "doc": true, "docx": true, "word": true, "xls": true, "excel": true, "xlsx": true}

// frequencyDelta are the update deltas of udata's quality score
// (udata.md §E); frequencies without a delta (continuous, punctual,
// irregular, never, notPlanned, other) always count as fulfilled.
var frequencyDelta = map[string]time.Duration{
	"oneMinute": time.Minute, "fiveMinutes": 5 * time.Minute, "tenMinutes": 10 * time.Minute,
	"fifteenMinutes": 15 * time.Minute, "thirtyMinutes": 30 * time.Minute, "hourly": time.Hour,
	"bihourly": 2 * time.Hour, "trihourly": 3 * time.Hour, "twelveHours": 12 * time.Hour,
	"severalTimesADay": oneDay, "threeTimesADay": oneDay, "semidaily": oneDay, "daily": oneDay,
	"fiveTimesAWeek": 7 * oneDay, "threeTimesAWeek": 7 * oneDay, "semiweekly": 7 * oneDay, "weekly": 7 * oneDay,
	"biweekly": 14 * oneDay, "threeTimesAMonth": 31 * oneDay, "semimonthly": 31 * oneDay, "monthly": 31 * oneDay,
	"bimonthly": 62 * oneDay, "quarterly": 93 * oneDay, "threeTimesAYear": 365 * oneDay, "semiannual": 365 * oneDay,
	"annual": 365 * oneDay, "biennial": 2 * 365 * oneDay, "triennial": 3 * 365 * oneDay, "quadrennial": 4 * 365 * oneDay,
	"quinquennial": 5 * 365 * oneDay, "decennial": 10 * 365 * oneDay, "bidecennial": 20 * 365 * oneDay,
	"tridecennial": 30 * 365 * oneDay,
}

const oneDay = 24 * time.Hour

// quality computes udata's criteria (udata.md §E) as data.gouv.fr would
// see the item once harvested: last_update is the record's latest revision
// date (dct:modified), else the ingestion time.
func quality(it *Item, a *analysis) *Quality {
	q := Quality{
		// A dataset without a recognised licence is stored with
		// notspecified, which counts; only a non-open one (licence nulled,
		// udata.md §A.8, §C.5) misses the criterion.
		"license":                     a.accessKind == "open",
		"temporal_coverage":           it.TemporalCoverage != nil,
		"spatial":                     it.Spatial != nil,
		"update_frequency":            it.Frequency != "" && it.Frequency != "unknown",
		"dataset_description_quality": utf8.RuneCountInString(it.Description) > 100,
	}
	if q["update_frequency"] {
		// last_update is the dataset's dct:modified once harvested; without
		// one, udata falls back to its own modification time (the harvest
		// or push), so the criterion is met.
		fulfilled := true
		if delta, ok := frequencyDelta[it.Frequency]; ok && a.modified != nil {
			fulfilled = a.modified.T.Add(delta).Sub(a.now()) >= -oneDay // Python: (next - now).days >= -1
		}
		q["update_fulfilled_in_time"] = fulfilled
	}
	if len(it.Resources) > 0 {
		q["has_resources"] = true
		open := false
		doc := false
		for _, r := range it.Resources {
			if r.Format != "" && !closedFormats[r.Format] {
				open = true
			}
			if r.Type == "documentation" || r.Description != "" {
				doc = true
			}
		}
		q["has_open_format"] = open
		q["all_resources_available"] = true // no check:available yet: "unknown" counts as available
		q["resources_documentation"] = doc
	}
	return &q
}

// Score is udata's quality score: true criteria (has_resources excluded)
// divided by 9.
func (q Quality) Score() float64 {
	n := 0
	for k, v := range q {
		if v && k != "has_resources" {
			n++
		}
	}
	return float64(n) / 9
}
