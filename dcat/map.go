package dcat

import (
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// Map builds one record's fragment (geodcat-mapping.md §3, "Go mapper"
// column). Errors wrap ErrInvalid: no record, no fileIdentifier, bad options.
func Map(in Input, opt Options) (*Fragment, error) {
	a, err := analyze(in, opt)
	if err != nil {
		return nil, err
	}
	b := &builder{a: a}
	b.g.unique = [2]string{a.iri, a.crIRI}
	b.g.triples = make([]Triple, 0, 128)
	b.build()
	title := ""
	if len(a.titles) > 0 {
		title = a.titles[0][0]
	}
	f := &Fragment{d: fragmentData{
		Version: MapperVersion, IRI: a.iri, RecordIRI: a.crIRI, Kind: a.kind, FileID: a.fileID,
		Identifier: a.ident, Title: title, Triples: groupBySubject(b.g.triples), Links: a.links, Notes: a.notes,
	}}
	f.d.Stub = stubTriples(a)
	return f, nil
}

// stubTriples is what another document shows of this resource: type,
// identifier, title and description.
func stubTriples(a *analysis) []Triple {
	var g graph
	head(&g, a)
	return g.triples
}

// head writes what every view of the resource starts with: its type,
// identifier, titles and descriptions.
func head(g *graph, a *analysis) Term {
	r := iri(a.iri)
	g.typ(r, classFor(a.kind))
	g.add(r, nsDCT+"identifier", lit(a.ident, ""))
	for _, t := range a.titles {
		g.add(r, nsDCT+"title", lit(t[0], t[1]))
	}
	for _, t := range a.descs {
		g.add(r, nsDCT+"description", lit(t[0], t[1]))
	}
	return r
}

type builder struct {
	a *analysis
	g graph
	n int
}

func (b *builder) bnode() Term {
	b.n++
	return blank(b.a.bprefix + "b" + strconv.Itoa(b.n))
}

func (b *builder) build() {
	a, g := b.a, &b.g
	r := head(g, a)
	if a.purpose != "" {
		g.add(r, nsGeoDCATAP+"purpose", lit(a.purpose, a.langTag))
	}
	if a.level != "" && plainLocal(a.level) {
		g.add(r, nsGeoDCATAP+"resourceType", iri(inspireCL+"ResourceType/"+a.level))
	}
	for _, id := range a.rec.Identifiers[min(1, len(a.rec.Identifiers)):] {
		b.admsIdentifier(r, id)
	}
	if a.kind != "service" {
		for _, l := range a.resLangs {
			b.language(r, l)
		}
	}
	if a.freq != "" {
		f := iri(euFrequency + a.freq)
		g.add(r, nsDCT+"accrualPeriodicity", f)
		g.typ(f, nsDCT+"Frequency")
		if l, ok := vocabFrequencyLabel[a.freq]; ok {
			b.labels(f, nsSKOS+"prefLabel", l)
		}
	}
	for _, tc := range a.rec.TopicCategories {
		tc = strings.TrimSpace(tc)
		if plainLocal(tc) {
			c := iri(inspireCL + "TopicCategory/" + tc)
			g.add(r, nsGeoDCATAP+"topicCategory", c)
			g.typ(c, nsSKOS+"Concept")
			if l, ok := vocabTopicLabel[tc]; ok {
				b.labels(c, nsSKOS+"prefLabel", l)
			} else {
				g.add(c, nsSKOS+"prefLabel", lit(tc, ""))
			}
		}
	}
	if v := strings.TrimSpace(a.rec.Edition); v != "" {
		g.add(r, nsDCAT+"version", lit(v, ""))
	}
	for _, o := range a.rec.Overviews {
		if u := cleanURL(o.URL); validURL(u) {
			g.add(r, nsFOAF+"depiction", iri(u))
		}
	}
	b.themes(r)
	for _, k := range a.keywords {
		g.add(r, nsDCAT+"keyword", lit(k, a.langTag))
	}
	b.spatial(r)
	if p := a.temporal; p != nil {
		n := b.bnode()
		g.add(r, nsDCT+"temporal", n)
		g.typ(n, nsDCT+"PeriodOfTime")
		if p.Start != nil {
			g.add(n, nsDCAT+"startDate", p.Start.term())
		}
		if p.End != nil {
			g.add(n, nsDCAT+"endDate", p.End.term())
		}
	}
	if a.issued != nil {
		g.add(r, nsDCT+"issued", a.issued.term())
	}
	if a.modified != nil {
		g.add(r, nsDCT+"modified", a.modified.term())
	}
	if a.created != nil {
		g.add(r, nsDCT+"created", a.created.term())
	}
	b.resolution(r)
	b.referenceSystems(r)
	if l := strings.TrimSpace(a.rec.Lineage.Value); l != "" && a.kind != "service" {
		n := b.bnode()
		g.add(r, nsDCT+"provenance", n)
		g.typ(n, nsDCT+"ProvenanceStatement")
		g.add(n, nsDCT+"description", lit(l, a.langTag))
	}
	b.conformity(r)
	lic := b.licence()
	if lic.Kind != 0 {
		g.add(r, nsDCT+"license", lic)
	}
	if a.access != "" {
		acc := iri(inspireCL + "LimitationsOnPublicAccess/" + a.access)
		g.add(r, nsDCT+"accessRights", acc)
		g.typ(acc, nsDCT+"RightsStatement")
		if l, ok := vocabAccessLabel[a.access]; ok {
			b.labels(acc, nsSKOS+"prefLabel", l)
		}
	} else if a.accessEU != "" {
		// No rdfs:label: udata reads a labelled dct:accessRights by its
		// label only.
		acc := iri(euAccessRight + a.accessEU)
		g.add(r, nsDCT+"accessRights", acc)
		g.typ(acc, nsDCT+"RightsStatement")
		if l, ok := euAccessRightLabel[a.accessEU]; ok {
			b.labels(acc, nsSKOS+"prefLabel", l)
		}
	}
	var rights Term
	if a.rights != "" {
		rights = b.bnode()
		g.typ(rights, nsDCT+"RightsStatement")
		g.add(rights, nsDCT+"description", lit(a.rights, a.langTag))
	}
	if a.kind == "service" {
		if rights.Kind != 0 {
			g.add(r, nsDCT+"rights", rights)
		}
		b.service(r)
	} else {
		if len(a.dists) == 0 && rights.Kind != 0 {
			g.add(r, nsDCT+"rights", rights)
		}
		b.distributions(r, lic, rights)
	}
	for _, u := range a.landing {
		p := iri(u)
		g.add(r, nsDCAT+"landingPage", p)
		g.typ(p, nsFOAF+"Document")
	}
	for _, u := range a.pages {
		p := iri(u)
		g.add(r, nsFOAF+"page", p)
		g.typ(p, nsFOAF+"Document")
	}
	b.agents(r)

	// Catalog record.
	cr := iri(a.crIRI)
	g.add(r, nsFOAF+"isPrimaryTopicOf", cr)
	g.typ(cr, nsDCAT+"CatalogRecord")
	g.add(cr, nsFOAF+"primaryTopic", r)
	g.add(cr, nsDCT+"identifier", lit(a.fileID, ""))
	std := iri(nsGeoDCATAP)
	g.add(cr, nsDCT+"conformsTo", std)
	g.typ(std, nsDCT+"Standard")
	if a.crMod != nil {
		g.add(cr, nsDCT+"modified", a.crMod.term())
	}
	if a.langEU != "" {
		b.language(cr, a.langEU)
	}
	if u := strings.TrimSpace(a.in.RecordURL); u != "" && validIRI(u) {
		d := iri(u)
		g.add(cr, nsRDFS+"seeAlso", d)
		g.typ(d, nsFOAF+"Document")
		g.add(d, nsDCT+"format", lit("application/xml", ""))
	}
}

func (b *builder) labels(s Term, p string, l [2]string) {
	if l[0] != "" {
		b.g.add(s, p, lit(l[0], "en"))
	}
	if l[1] != "" {
		b.g.add(s, p, lit(l[1], "fr"))
	}
}

func (b *builder) language(s Term, eu string) {
	l := iri(euLanguage + eu)
	b.g.add(s, nsDCT+"language", l)
	b.g.typ(l, nsDCT+"LinguisticSystem")
}

func (b *builder) admsIdentifier(r Term, id iso.Identifier) {
	code := strings.TrimSpace(id.Code)
	if code == "" {
		return
	}
	n := b.bnode()
	b.g.add(r, nsADMS+"identifier", n)
	b.g.typ(n, nsADMS+"Identifier")
	b.g.add(n, nsSKOS+"notation", lit(code, ""))
	if cs := strings.TrimSpace(id.CodeSpace); cs != "" {
		b.g.add(n, nsADMS+"schemaAgency", lit(cs, ""))
	}
}

func (b *builder) themes(r Term) {
	a, g := b.a, &b.g
	for _, code := range a.themes {
		t := iri(inspireTh + code)
		g.add(r, nsDCAT+"theme", t)
		g.typ(t, nsSKOS+"Concept")
		g.add(t, nsSKOS+"inScheme", iri("http://inspire.ec.europa.eu/theme"))
		b.themeLabels(t, code, vocabThemeLabel)
		for _, dt := range vocabThemeDataThemes[code] {
			d := iri(euDataTheme + dt)
			g.add(r, nsDCAT+"theme", d)
			g.typ(d, nsSKOS+"Concept")
			g.add(d, nsSKOS+"inScheme", iri("http://publications.europa.eu/resource/authority/data-theme"))
			if l, ok := vocabDataThemeLabel[dt]; ok {
				b.labels(d, nsSKOS+"prefLabel", l)
			}
		}
	}
	for _, c := range a.concepts {
		t := iri(c.IRI)
		g.add(r, nsDCAT+"theme", t)
		b.concept(t, c)
	}
	for _, c := range a.hvd {
		t := iri(c.IRI)
		g.add(r, nsDCATAP+"hvdCategory", t)
		// udata reads HVD categories from dcat:theme only (tag "hvd" and
		// the category's label, udata.md §A.8).
		g.add(r, nsDCAT+"theme", t)
		b.concept(t, c)
	}
	for _, c := range a.svcCats {
		t := iri(c.IRI)
		g.add(r, nsGeoDCATAP+"serviceCategory", t)
		b.concept(t, c)
	}
	for _, l := range a.legis {
		t := iri(l)
		g.add(r, nsDCATAP+"applicableLegislation", t)
		g.typ(t, nsELI+"LegalResource")
	}
}

func (b *builder) themeLabels(t Term, code string, table map[string]string) {
	seen := map[string]bool{}
	for _, lang := range []string{"en", "fr", b.a.langTag} {
		if lang == "" || seen[lang] {
			continue
		}
		seen[lang] = true
		if l, ok := table[code+"|"+lang]; ok {
			b.g.add(t, nsSKOS+"prefLabel", lit(l, lang))
		}
	}
}

func (b *builder) concept(t Term, c concept) {
	b.g.typ(t, nsSKOS+"Concept")
	for _, l := range c.Labels {
		b.g.add(t, nsSKOS+"prefLabel", lit(l[0], l[1]))
	}
}

func (b *builder) spatial(r Term) {
	a, g := b.a, &b.g
	for _, bb := range a.bboxes {
		n := b.bnode()
		g.add(r, nsDCT+"spatial", n)
		g.typ(n, nsDCT+"Location")
		g.add(n, nsDCAT+"bbox", typed(wkt(bb), nsGSP+"wktLiteral"))
		// No locn:geometry literal: DCAT-AP 3.0.1 SHACL wants a locn:Geometry node there.
	}
	for _, p := range a.placeIRI {
		t := iri(p)
		g.add(r, nsDCT+"spatial", t)
		g.typ(t, nsDCT+"Location")
	}
	for _, p := range a.places {
		n := b.bnode()
		g.add(r, nsDCT+"spatial", n)
		g.typ(n, nsDCT+"Location")
		g.add(n, nsSKOS+"prefLabel", lit(p, ""))
	}
}

var unitToMetres = map[string]float64{
	"m": 1, "metre": 1, "meter": 1, "metres": 1, "meters": 1, "km": 1000, "cm": 0.01, "mm": 0.001,
	"ft": 0.3048, "foot": 0.3048, "feet": 0.3048, "dm": 0.1,
	// EPSG unit-of-measure codes (urn:ogc:def:uom:EPSG::9001 …).
	"9001": 1, "9036": 1000, "9002": 0.3048, "9003": 0.3048006096012192,
}

func (b *builder) resolution(r Term) {
	for _, res := range b.a.rec.Resolutions {
		if res.Distance > 0 {
			unit := strings.ToLower(strings.TrimSpace(res.Unit))
			if i := strings.LastIndexAny(unit, "#/:"); i >= 0 {
				unit = unit[i+1:]
			}
			if unit == "" {
				unit = "m"
			}
			f, ok := unitToMetres[unit]
			if !ok {
				b.a.note("spatial resolution unit %q not convertible", res.Unit)
				continue
			}
			v := strconv.FormatFloat(res.Distance*f, 'f', -1, 64)
			if !strings.Contains(v, ".") {
				v += ".0"
			}
			b.g.add(r, nsDCAT+"spatialResolutionInMeters", typed(v, nsXSD+"decimal"))
		}
		if res.Denominator > 0 {
			n := b.bnode()
			b.g.add(r, nsDQV+"hasQualityMeasurement", n)
			b.g.typ(n, nsDQV+"QualityMeasurement")
			metric := iri(nsGeoDCATAP + "spatialResolutionAsScale")
			b.g.add(n, nsDQV+"isMeasurementOf", metric)
			b.g.typ(metric, nsDQV+"Metric")
			v := strconv.FormatFloat(1/float64(res.Denominator), 'E', -1, 64) // exponent form: Turtle reads it back as xsd:double
			b.g.add(n, nsDQV+"value", typed(v, nsXSD+"double"))
		}
	}
}

var reEPSG = regexp.MustCompile(`(?i)EPSG(?:/\d+/|:+|\s+)(\d{4,6})\b`)

// epsgCode finds an EPSG code in an RS_Identifier (Anchor href, code text
// such as "WGS 84 (EPSG:4326)", or a bare number with an EPSG codeSpace).
func epsgCode(rs iso.Identifier) string {
	code := strings.TrimSpace(rs.Code)
	for _, s := range []string{rs.Href, code} {
		if m := reEPSG.FindStringSubmatch(s); m != nil {
			return m[1]
		}
	}
	if _, err := strconv.Atoi(code); err == nil && len(code) >= 4 && len(code) <= 6 {
		return code
	}
	return ""
}

func (b *builder) referenceSystems(r Term) {
	seen := map[string]bool{}
	for _, rs := range b.a.rec.ReferenceSystems {
		epsg := epsgCode(rs)
		if epsg == "" || seen[epsg] {
			continue
		}
		seen[epsg] = true
		t := iri("http://www.opengis.net/def/crs/EPSG/0/" + epsg)
		b.g.add(r, nsGeoDCATAP+"referenceSystem", t)
		b.g.typ(t, nsDCT+"Standard")
		b.g.typ(t, nsSKOS+"Concept")
		b.g.add(t, nsSKOS+"prefLabel", lit("EPSG:"+epsg, ""))
		b.g.add(t, nsSKOS+"notation", lit("EPSG:"+epsg, ""))
	}
}

func (b *builder) conformity(r Term) {
	for _, c := range b.a.rec.Conformity {
		title := strings.TrimSpace(c.Specification.Title.Value)
		if title == "" {
			continue
		}
		act := b.bnode()
		b.g.add(r, nsPROV+"wasUsedBy", act)
		b.g.typ(act, nsPROV+"Activity")
		assoc := b.bnode()
		b.g.add(act, nsPROV+"qualifiedAssociation", assoc)
		b.g.typ(assoc, nsPROV+"Association")
		plan := b.bnode()
		b.g.add(assoc, nsPROV+"hadPlan", plan)
		b.g.typ(plan, nsPROV+"Plan")
		b.g.add(plan, nsDCT+"title", lit(title, b.a.langTag))
		if eli := eliRegulation(title, c.Specification.Title.Href); eli != "" && validIRI(eli) {
			b.g.add(plan, nsPROV+"wasDerivedFrom", iri(eli))
		}
		res := b.bnode()
		b.g.add(act, nsPROV+"generated", res)
		b.g.typ(res, nsPROV+"Entity")
		degree := "notEvaluated"
		if c.Pass != nil {
			if *c.Pass {
				degree = "conformant"
			} else {
				degree = "notConformant"
			}
		}
		b.g.add(res, nsDCT+"type", iri(inspireCL+"DegreeOfConformity/"+degree))
		if e := strings.TrimSpace(c.Explanation); e != "" {
			b.g.add(res, nsDCT+"description", lit(e, b.a.langTag))
		}
	}
}

func (b *builder) licence() Term {
	l := b.a.licence
	if l == nil {
		if b.a.licenceHref == "" {
			return Term{}
		}
		t := iri(b.a.licenceHref)
		b.g.typ(t, nsDCT+"LicenseDocument")
		b.g.add(t, nsRDFS+"label", lit(b.a.licenceLabel, ""))
		return t
	}
	t := iri(l.iri())
	b.g.typ(t, nsDCT+"LicenseDocument")
	// udata matches the bare IRI exactly against its licence URLs; a label
	// would be matched instead, through fuzzy slugs (see udataLicence).
	// Licences without a URL are labelled with udata's id, which it
	// matches exactly too; dct:title carries udata's title for people.
	b.g.add(t, nsDCT+"title", lit(l.Title, ""))
	if l.URL == "" {
		b.g.add(t, nsRDFS+"label", lit(l.ID, ""))
	}
	return t
}

func (b *builder) format(d Term, f formatInfo) {
	g := &b.g
	switch {
	case f.EU != "":
		t := iri(euFileType + f.EU)
		g.add(d, nsDCT+"format", t)
		g.typ(t, nsDCT+"MediaTypeOrExtent")
		g.add(t, nsRDFS+"label", lit(f.Label, ""))
	case f.Label != "":
		n := b.bnode()
		g.add(d, nsDCT+"format", n)
		g.typ(n, nsDCT+"MediaTypeOrExtent")
		g.add(n, nsRDFS+"label", lit(f.Label, ""))
	}
	if f.Media != "" {
		if _, ok := vocabMediaType[f.Media]; ok && validIRI(ianaMedia+f.Media) {
			t := iri(ianaMedia + f.Media)
			g.add(d, nsDCAT+"mediaType", t)
			g.typ(t, nsDCT+"MediaType")
		}
	}
}

func (b *builder) distributions(r, lic, rights Term) {
	g := &b.g
	svcNodes := map[string]Term{}
	for _, d := range b.a.dists {
		n := b.bnode()
		g.add(r, nsDCAT+"distribution", n)
		g.typ(n, nsDCAT+"Distribution")
		g.add(n, nsDCT+"title", lit(d.Title, b.a.langTag))
		g.add(n, nsDCT+"description", lit(d.Desc, b.a.langTag))
		g.add(n, nsDCAT+"accessURL", iri(d.AccessURL))
		if d.DownloadURL != "" {
			g.add(n, nsDCAT+"downloadURL", iri(d.DownloadURL))
		}
		if d.HasFormat {
			b.format(n, d.Format)
		}
		if d.Size > 0 {
			g.add(n, nsDCAT+"byteSize", typed(strconv.FormatInt(d.Size, 10), nsXSD+"nonNegativeInteger"))
		}
		if lic.Kind != 0 {
			g.add(n, nsDCT+"license", lic)
		}
		if rights.Kind != 0 {
			g.add(n, nsDCT+"rights", rights)
		}
		if s := d.Service; s != nil {
			sn, ok := svcNodes[s.Key]
			if !ok {
				sn = b.bnode()
				svcNodes[s.Key] = sn
				g.typ(sn, nsDCAT+"DataService")
				g.add(sn, nsDCT+"title", lit(s.Title, ""))
				g.add(sn, nsDCAT+"endpointURL", iri(s.Endpoint))
				g.typ(iri(s.Endpoint), nsRDFS+"Resource") // DCAT-AP range shapes want the class
				if s.Desc != "" && validIRI(s.Desc) {
					g.add(sn, nsDCAT+"endpointDescription", iri(s.Desc))
					g.typ(iri(s.Desc), nsRDFS+"Resource")
				}
				if std := ogcStandard(s.Standard); std != "" {
					t := iri(std)
					g.add(sn, nsDCT+"conformsTo", t)
					g.typ(t, nsDCT+"Standard")
				}
			}
			g.add(n, nsDCAT+"accessService", sn)
		}
	}
}

func ogcStandard(std string) string {
	switch std {
	case "wms", "wfs", "wmts", "wcs", "csw", "sos", "wps":
		return "http://www.opengeospatial.org/standards/" + std
	}
	return ""
}

func (b *builder) service(r Term) {
	a, g := b.a, &b.g
	if a.svcType != "" {
		t := iri(inspireCL + "SpatialDataServiceType/" + a.svcType)
		g.add(r, nsGeoDCATAP+"serviceType", t)
		g.typ(t, nsSKOS+"Concept")
		if l, ok := vocabServiceTypeLabel[a.svcType]; ok {
			b.labels(t, nsSKOS+"prefLabel", l)
		} else {
			g.add(t, nsSKOS+"prefLabel", lit(a.svcType, ""))
		}
	}
	if a.endpoint != "" {
		g.add(r, nsDCAT+"endpointURL", iri(a.endpoint))
		g.typ(iri(a.endpoint), nsRDFS+"Resource")
	}
	if a.endDesc != "" && validIRI(a.endDesc) {
		g.add(r, nsDCAT+"endpointDescription", iri(a.endDesc))
		g.typ(iri(a.endDesc), nsRDFS+"Resource")
	}
	if std := ogcStandard(a.svcStd); std != "" {
		t := iri(std)
		g.add(r, nsDCT+"conformsTo", t)
		g.typ(t, nsDCT+"Standard")
	}
}

var agentProperty = map[string]string{
	"author": nsDCT + "creator", "owner": nsDCT + "rightsHolder",
	"custodian": nsGeoDCATAP + "custodian", "distributor": nsGeoDCATAP + "distributor",
	"originator": nsGeoDCATAP + "originator", "resourceProvider": nsGeoDCATAP + "resourceProvider",
	"principalInvestigator": nsGeoDCATAP + "principalInvestigator", "processor": nsGeoDCATAP + "processor",
	"user": nsGeoDCATAP + "user",
}

var agentOrder = []string{"author", "owner", "custodian", "distributor", "originator", "resourceProvider", "principalInvestigator", "processor", "user"}

func (b *builder) agents(r Term) {
	a, g := b.a, &b.g
	seenContact := map[string]bool{}
	for _, p := range a.contacts {
		key := p.Organisation.Value + "\x00" + p.Individual.Value + "\x00" + strings.Join(p.Emails, ",")
		if seenContact[key] {
			continue
		}
		seenContact[key] = true
		if c := b.vcard(p); c.Kind != 0 {
			g.add(r, nsDCAT+"contactPoint", c)
		}
	}
	if a.pub != nil {
		t := iri(b.publisherIRI(a.pub))
		g.add(r, nsDCT+"publisher", t)
		g.typ(t, nsFOAF+"Organization")
		g.add(t, nsFOAF+"name", lit(a.pub.Name, ""))
	}
	for _, role := range agentOrder {
		prop := agentProperty[role]
		seen := map[string]bool{}
		for _, p := range a.roles[role] {
			name, person := partyName(p)
			if name == "" || seen[name] {
				continue
			}
			if role == "owner" && len(seen) > 0 {
				break // dct:rightsHolder: one value
			}
			seen[name] = true
			n := b.bnode()
			g.add(r, prop, n)
			if person {
				g.typ(n, nsFOAF+"Person")
			} else {
				g.typ(n, nsFOAF+"Organization")
			}
			g.add(n, nsFOAF+"name", lit(name, ""))
			for _, e := range p.Emails {
				if m := mailto(e); m != "" {
					g.add(n, nsFOAF+"mbox", iri(m))
					break
				}
			}
		}
	}
}

// publisherIRI is the IRI of the publisher's producer view in the catalog:
// {public}/catalogs/{catalog}/producers/{slug}.
func (b *builder) publisherIRI(ag *agent) string {
	base := strings.TrimRight(b.a.opt.PublicURL, "/") + "/catalogs/" + url.PathEscape(b.a.opt.Catalog.ID)
	slug := ag.Slug
	if slug == "" {
		slug = iso.Slug(ag.Name)
	}
	if slug == "" {
		slug = "unnamed"
	}
	return base + "/producers/" + slug
}

func mailto(e string) string {
	e = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(e), "mailto:"))
	if e == "" || strings.ContainsAny(e, " \t\n<>\"") {
		return ""
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || !strings.Contains(e[strings.IndexByte(e, '@'):], ".") {
		return ""
	}
	m := "mailto:" + e
	if checkIRIChars(m) {
		return m
	}
	return ""
}

func tel(p string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(p) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/':
		default:
			return ""
		}
	}
	if n := b.Len(); n < 4 || n > 20 {
		return ""
	}
	return "tel:" + b.String()
}

// checkIRIChars checks only the characters of a non-http IRI (mailto:, tel:).
func checkIRIChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c == 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0 {
			return false
		}
	}
	return true
}

func (b *builder) vcard(p iso.Party) Term {
	g := &b.g
	org := strings.TrimSpace(p.Organisation.Value)
	ind := strings.TrimSpace(p.Individual.Value)
	if org == "" && ind == "" && len(p.Emails) == 0 {
		return Term{}
	}
	n := b.bnode()
	switch {
	case org != "":
		// vcard:fn only: udata shows a contact as "fn (organization-name)",
		// so writing the name twice gives "X (X)" on data.gouv.fr.
		g.typ(n, nsVCard+"Organization")
		g.add(n, nsVCard+"fn", lit(org, ""))
	case ind != "":
		g.typ(n, nsVCard+"Individual")
		g.add(n, nsVCard+"fn", lit(ind, ""))
	default:
		g.typ(n, nsVCard+"Kind")
		g.add(n, nsVCard+"fn", lit(p.Emails[0], ""))
	}
	for _, e := range p.Emails {
		if m := mailto(e); m != "" {
			g.add(n, nsVCard+"hasEmail", iri(m))
		}
	}
	for _, ph := range p.Phones {
		if t := tel(ph); t != "" {
			g.add(n, nsVCard+"hasTelephone", iri(t))
		}
	}
	if u := cleanURL(p.URL); u != "" && validURL(u) {
		g.add(n, nsVCard+"hasURL", iri(u))
	}
	if p.DeliveryPoint != "" || p.City != "" || p.PostalCode != "" || p.Country != "" {
		ad := b.bnode()
		g.add(n, nsVCard+"hasAddress", ad)
		g.typ(ad, nsVCard+"Address")
		g.add(ad, nsVCard+"street-address", lit(p.DeliveryPoint, ""))
		g.add(ad, nsVCard+"locality", lit(p.City, ""))
		g.add(ad, nsVCard+"postal-code", lit(p.PostalCode, ""))
		g.add(ad, nsVCard+"region", lit(p.AdministrativeArea, ""))
		g.add(ad, nsVCard+"country-name", lit(p.Country, ""))
	}
	return n
}
