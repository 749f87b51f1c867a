package iso

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ModelVersion is the version of Record's meaning. Bump it whenever Parse
// fills a field differently, so that caches keyed on it are rebuilt.
const ModelVersion = 2 // 2: MaintenanceDuration

// Parse parses one self-contained ISO 19139 document: root gmd:MD_Metadata,
// gmi:MI_Metadata or any element with gco:isoType="gmd:MD_Metadata", matched
// by namespace URI. It never panics and never resolves DTDs or external
// entities. Anything else gives a *RecordError wrapping ErrMalformed or
// ErrNotISO.
func Parse(raw []byte) (*Record, error) {
	root, err := parseTree(raw)
	if err != nil {
		return nil, err
	}
	r := &Record{}
	switch {
	case root.space == nsGMD && root.local == "MD_Metadata":
		r.RootName = "gmd:MD_Metadata"
	case root.space == nsGMI && root.local == "MI_Metadata":
		r.RootName = "gmi:MI_Metadata"
	case isoTypeIs(root, "MD_Metadata") || isoTypeIs(root, "MI_Metadata"):
		r.RootName = root.local
	default:
		reason := fmt.Sprintf("root element <%s> in namespace %q is not an ISO 19139 metadata record", rawName2(root), root.space)
		if root.space == "" {
			reason = fmt.Sprintf("root element <%s> (no namespace) is not an ISO 19139 metadata record", rawName2(root))
		}
		return nil, &RecordError{Reason: reason, Kind: ErrNotISO}
	}
	p := parser{r: r}
	p.metadata(root)
	return r, nil
}

func rawName2(n *node) string {
	if n.prefix == "" {
		return n.local
	}
	return n.prefix + ":" + n.local
}

// isoTypeIs reports whether n carries gco:isoType naming the gmd/gmi type.
func isoTypeIs(n *node, local string) bool {
	t := n.attr(nsGCO, "isoType")
	if t == "" {
		return false
	}
	if i := strings.IndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimSpace(t) == local
}

type parser struct {
	r       *Record
	locales map[string]string // PT_Locale id ("FR") → its language code ("fre")
}

func (p *parser) metadata(md *node) {
	r := p.r
	// Locales first: PT_FreeText everywhere resolves against them.
	md.each(nsGMD, "locale", func(l *node) {
		pl := l.elem()
		if pl == nil {
			return
		}
		loc := Locale{
			ID:           strings.TrimSpace(pl.attr("", "id")),
			LanguageCode: code(pl.child(nsGMD, "languageCode")),
			Country:      code(pl.child(nsGMD, "country")),
			CharacterSet: code(pl.child(nsGMD, "characterEncoding")),
		}
		r.Locales = append(r.Locales, loc)
	})
	if len(r.Locales) > 0 {
		p.locales = make(map[string]string, len(r.Locales))
		for _, l := range r.Locales {
			if l.ID != "" && l.LanguageCode != "" {
				if _, dup := p.locales[l.ID]; !dup {
					p.locales[l.ID] = l.LanguageCode
				}
			}
		}
	}

	r.FileIdentifier = str(md.child(nsGMD, "fileIdentifier"))
	r.ParentIdentifier = str(md.child(nsGMD, "parentIdentifier"))
	r.Language = code(md.child(nsGMD, "language"))
	r.CharacterSet = code(md.child(nsGMD, "characterSet"))
	r.HierarchyLevel = code(md.child(nsGMD, "hierarchyLevel"))
	r.HierarchyLevelName = str(md.child(nsGMD, "hierarchyLevelName"))
	r.DateStamp = str(md.child(nsGMD, "dateStamp"))
	r.StandardName = str(md.child(nsGMD, "metadataStandardName"))
	r.StandardVersion = str(md.child(nsGMD, "metadataStandardVersion"))
	r.DataSetURI = str(md.child(nsGMD, "dataSetURI"))
	md.each(nsGMD, "contact", func(c *node) {
		if pt, ok := p.party(c, "contact"); ok {
			r.Contacts = append(r.Contacts, pt)
		}
	})
	md.each(nsGMD, "referenceSystemInfo", func(c *node) {
		if id, ok := identifier(c.elem().child(nsGMD, "referenceSystemIdentifier")); ok {
			r.ReferenceSystems = append(r.ReferenceSystems, id)
		}
	})

	// The first identificationInfo holding an object (an empty or
	// xlink-only property is skipped).
	for c := md.first; c != nil; c = c.next {
		if c.space == nsGMD && c.local == "identificationInfo" && c.elem() != nil {
			p.identification(c.elem())
			break
		}
	}
	md.each(nsGMD, "distributionInfo", func(d *node) { p.distribution(d.elem()) })
	md.each(nsGMD, "dataQualityInfo", func(d *node) { p.quality(d.elem()) })
}

func (p *parser) identification(ii *node) {
	r := p.r
	switch t := ii.typeName(); {
	case t == "SV_ServiceIdentification" || (ii.space == nsSRV && strings.HasSuffix(ii.local, "ServiceIdentification")):
		r.IdentificationKind = "service"
	case strings.HasSuffix(t, "DataIdentification"):
		r.IdentificationKind = "data"
	}
	cit := ii.child(nsGMD, "citation").elem()
	r.Title = p.line(cit.child(nsGMD, "title"))
	cit.each(nsGMD, "alternateTitle", func(n *node) {
		if t := p.line(n); !t.empty() {
			r.AlternateTitles = append(r.AlternateTitles, t)
		}
	})
	cit.each(nsGMD, "identifier", func(n *node) {
		if id, ok := identifier(n); ok {
			r.Identifiers = append(r.Identifiers, id)
		}
	})
	r.Dates = dates(cit)
	r.Edition = str(cit.child(nsGMD, "edition"))
	r.Abstract = p.text(ii.child(nsGMD, "abstract"))
	r.Purpose = p.text(ii.child(nsGMD, "purpose"))
	ii.each(nsGMD, "status", func(n *node) { r.Status = appendNonEmpty(r.Status, code(n)) })

	ii.each(nsGMD, "pointOfContact", func(n *node) {
		if pt, ok := p.party(n, "pointOfContact"); ok {
			r.Parties = append(r.Parties, pt)
		}
	})
	cit.each(nsGMD, "citedResponsibleParty", func(n *node) {
		if pt, ok := p.party(n, "citedResponsibleParty"); ok {
			r.Parties = append(r.Parties, pt)
		}
	})

	ii.each(nsGMD, "resourceMaintenance", func(n *node) {
		if r.MaintenanceFrequency == "" {
			r.MaintenanceFrequency = code(n.elem().child(nsGMD, "maintenanceAndUpdateFrequency"))
		}
		if r.MaintenanceDuration == "" {
			r.MaintenanceDuration = code(n.elem().child(nsGMD, "userDefinedMaintenanceFrequency"))
		}
	})
	ii.each(nsGMD, "graphicOverview", func(n *node) {
		g := n.elem()
		o := Overview{
			URL:         url(g.child(nsGMD, "fileName")),
			Description: str(g.child(nsGMD, "fileDescription")),
			Type:        str(g.child(nsGMD, "fileType")),
		}
		if o.URL != "" || o.Description != "" {
			r.Overviews = append(r.Overviews, o)
		}
	})
	ii.each(nsGMD, "resourceFormat", func(n *node) {
		if f, ok := format(n); ok {
			r.ResourceFormats = append(r.ResourceFormats, f)
		}
	})
	ii.each(nsGMD, "descriptiveKeywords", func(n *node) {
		if g, ok := p.keywords(n.elem()); ok {
			r.Keywords = append(r.Keywords, g)
		}
	})
	ii.each(nsGMD, "resourceConstraints", func(n *node) {
		if c, ok := p.constraint(n.elem()); ok {
			r.Constraints = append(r.Constraints, c)
		}
	})
	ii.each(nsGMD, "aggregationInfo", func(n *node) {
		a := n.elem()
		ag := Aggregation{
			Title:       collapse(str(a.path("aggregateDataSetName", "title"))),
			Association: code(a.child(nsGMD, "associationType")),
			Initiative:  code(a.child(nsGMD, "initiativeType")),
		}
		ag.Identifier, _ = identifier(a.child(nsGMD, "aggregateDataSetIdentifier"))
		if ag.Identifier.Code == "" {
			// Some writers put the identifier inside the cited name.
			ag.Identifier, _ = identifier(a.path("aggregateDataSetName", "identifier"))
		}
		if ag != (Aggregation{}) {
			r.Aggregations = append(r.Aggregations, ag)
		}
	})
	ii.each(nsGMD, "spatialRepresentationType", func(n *node) {
		r.SpatialRepresentations = appendNonEmpty(r.SpatialRepresentations, code(n))
	})
	ii.each(nsGMD, "spatialResolution", func(n *node) {
		if res, ok := resolution(n.elem()); ok {
			r.Resolutions = append(r.Resolutions, res)
		}
	})
	ii.each(nsGMD, "language", func(n *node) { r.ResourceLanguages = appendNonEmpty(r.ResourceLanguages, code(n)) })
	ii.each(nsGMD, "topicCategory", func(n *node) { r.TopicCategories = appendNonEmpty(r.TopicCategories, code(n)) })

	// Extents: gmd:extent (datasets, and services written against the
	// schema) and srv:extent, in document order.
	for c := ii.first; c != nil; c = c.next {
		if c.local == "extent" && (c.space == nsGMD || c.space == nsSRV) {
			p.extent(c.elem())
		}
	}

	if r.IdentificationKind == "service" {
		p.service(ii)
	}
}

func (p *parser) service(ii *node) {
	s := &Service{
		Type:         str(ii.child(nsSRV, "serviceType")),
		CouplingType: code(ii.child(nsSRV, "couplingType")),
	}
	ii.each(nsSRV, "serviceTypeVersion", func(n *node) { s.TypeVersions = appendNonEmpty(s.TypeVersions, str(n)) })
	ii.each(nsSRV, "operatesOn", func(n *node) {
		o := OperatesOn{
			UUIDRef: strings.TrimSpace(n.attr("", "uuidref")),
			Href:    strings.TrimSpace(n.attr(nsXLink, "href")),
			Title:   collapse(n.attr(nsXLink, "title")),
		}
		if o.UUIDRef == "" && o.Href == "" {
			// Inline MD_DataIdentification: take its first identifier code.
			if id, ok := identifier(n.elem().path("citation", "identifier")); ok {
				o.UUIDRef = id.Code
			}
			if o.Title == "" {
				o.Title = collapse(str(n.elem().path("citation", "title")))
			}
		}
		if o != (OperatesOn{}) {
			s.OperatesOn = append(s.OperatesOn, o)
		}
	})
	ii.each(nsSRV, "containsOperations", func(n *node) {
		om := n.elem()
		op := Operation{
			Name: str(om.child(nsSRV, "operationName")),
			DCP:  code(om.child(nsSRV, "DCP")),
		}
		om.each(nsSRV, "connectPoint", func(c *node) {
			op.URLs = appendNonEmpty(op.URLs, url(c.elem().child(nsGMD, "linkage")))
		})
		if op.Name != "" || op.DCP != "" || len(op.URLs) > 0 {
			s.Operations = append(s.Operations, op)
		}
	})
	p.r.Service = s
}

func (p *parser) extent(ex *node) {
	r := p.r
	ex.each(nsGMD, "geographicElement", func(g *node) {
		ge := g.elem()
		if ge == nil {
			return
		}
		if w := ge.child(nsGMD, "westBoundLongitude"); w != nil {
			west, ok1 := number(str(w))
			east, ok2 := number(str(ge.child(nsGMD, "eastBoundLongitude")))
			south, ok3 := number(str(ge.child(nsGMD, "southBoundLatitude")))
			north, ok4 := number(str(ge.child(nsGMD, "northBoundLatitude")))
			if ok1 && ok2 && ok3 && ok4 {
				r.BoundingBoxes = append(r.BoundingBoxes, BoundingBox{West: west, East: east, South: south, North: north})
			}
			return
		}
		if gi := ge.child(nsGMD, "geographicIdentifier"); gi != nil {
			if id, ok := identifier(gi); ok {
				r.GeographicIdentifiers = append(r.GeographicIdentifiers, id)
			}
		}
	})
	ex.each(nsGMD, "temporalElement", func(t *node) {
		if te, ok := temporal(t.elem().child(nsGMD, "extent").elem()); ok {
			r.TemporalExtents = append(r.TemporalExtents, te)
		}
	})
}

func isGML(n *node) bool { return n != nil && (n.space == nsGML || n.space == nsGML32) }

// gmlChild finds a child in either GML namespace.
func gmlChild(n *node, local string) *node {
	if n == nil {
		return nil
	}
	for c := n.first; c != nil; c = c.next {
		if c.local == local && (c.space == nsGML || c.space == nsGML32) {
			return c
		}
	}
	return nil
}

func temporal(g *node) (TemporalExtent, bool) {
	var te TemporalExtent
	if !isGML(g) {
		return te, false
	}
	switch g.local {
	case "TimeInstant":
		te.Instant = true
		te.Begin, te.BeginIndeterminate = position(gmlChild(g, "timePosition"))
	case "TimePeriod":
		if b := gmlChild(g, "beginPosition"); b != nil {
			te.Begin, te.BeginIndeterminate = position(b)
		} else if b := gmlChild(g, "begin"); b != nil {
			te.Begin, te.BeginIndeterminate = position(gmlChild(gmlChild(b, "TimeInstant"), "timePosition"))
		}
		if e := gmlChild(g, "endPosition"); e != nil {
			te.End, te.EndIndeterminate = position(e)
		} else if e := gmlChild(g, "end"); e != nil {
			te.End, te.EndIndeterminate = position(gmlChild(gmlChild(e, "TimeInstant"), "timePosition"))
		}
	default:
		return te, false
	}
	return te, te != TemporalExtent{Instant: te.Instant}
}

func position(n *node) (value, indeterminate string) {
	return n.trimmed(), strings.TrimSpace(n.attr("", "indeterminatePosition"))
}

func resolution(res *node) (Resolution, bool) {
	if d := res.child(nsGMD, "distance"); d != nil {
		dist := d.elem()
		v, ok := number(dist.trimmed())
		if !ok {
			return Resolution{}, false
		}
		return Resolution{Distance: v, Unit: strings.TrimSpace(dist.attr("", "uom"))}, true
	}
	if s := res.child(nsGMD, "equivalentScale"); s != nil {
		den := str(s.elem().child(nsGMD, "denominator"))
		v, ok := number(den)
		if !ok || v <= 0 || v > math.MaxInt64/2 {
			return Resolution{}, false
		}
		return Resolution{Denominator: int64(math.Round(v))}, true
	}
	return Resolution{}, false
}

func (p *parser) distribution(d *node) {
	if d == nil {
		return
	}
	r := p.r
	d.each(nsGMD, "distributionFormat", func(n *node) {
		if f, ok := format(n); ok {
			r.DistributionFormats = append(r.DistributionFormats, f)
		}
	})
	d.each(nsGMD, "transferOptions", func(n *node) {
		r.OnlineResources = transfer(r.OnlineResources, n.elem(), -1)
	})
	d.each(nsGMD, "distributor", func(n *node) {
		dist := n.elem()
		idx := len(r.Distributors)
		var ds Distributor
		dist.each(nsGMD, "distributorFormat", func(f *node) {
			if ff, ok := format(f); ok {
				ds.Formats = append(ds.Formats, ff)
			}
		})
		r.Distributors = append(r.Distributors, ds)
		dist.each(nsGMD, "distributorContact", func(c *node) {
			if pt, ok := p.party(c, "distributorContact"); ok {
				r.Parties = append(r.Parties, pt)
			}
		})
		dist.each(nsGMD, "distributorTransferOptions", func(t *node) {
			r.OnlineResources = transfer(r.OnlineResources, t.elem(), idx)
		})
	})
}

func transfer(out []OnlineResource, dto *node, distributor int) []OnlineResource {
	size, _ := number(str(dto.child(nsGMD, "transferSize")))
	if size < 0 {
		size = 0
	}
	dto.each(nsGMD, "onLine", func(n *node) {
		olr := n.elem()
		o := OnlineResource{
			URL:                url(olr.child(nsGMD, "linkage")),
			ApplicationProfile: str(olr.child(nsGMD, "applicationProfile")),
			Name:               collapse(str(olr.child(nsGMD, "name"))),
			Description:        str(olr.child(nsGMD, "description")),
			Function:           code(olr.child(nsGMD, "function")),
			TransferSizeMB:     size,
			Distributor:        distributor,
		}
		o.Protocol, o.ProtocolHref = anchor(olr.child(nsGMD, "protocol"))
		if o.URL != "" || o.Name != "" {
			out = append(out, o)
		}
	})
	return out
}

func (p *parser) quality(dq *node) {
	if dq == nil {
		return
	}
	r := p.r
	if r.Lineage.empty() {
		r.Lineage = p.text(dq.path("lineage", "statement"))
	}
	dq.each(nsGMD, "report", func(rep *node) {
		rep.elem().each(nsGMD, "result", func(res *node) {
			cr := res.elem()
			spec := cr.child(nsGMD, "specification")
			if spec == nil {
				return
			}
			c := Conformity{
				Specification: p.citation(spec.elem()),
				Explanation:   str(cr.child(nsGMD, "explanation")),
			}
			if b := cr.child(nsGMD, "pass").elem(); b != nil {
				switch b.trimmed() {
				case "true", "1":
					v := true
					c.Pass = &v
				case "false", "0":
					v := false
					c.Pass = &v
				}
			}
			r.Conformity = append(r.Conformity, c)
		})
	})
}

func (p *parser) keywords(mk *node) (KeywordGroup, bool) {
	var g KeywordGroup
	if mk == nil {
		return g, false
	}
	mk.each(nsGMD, "keyword", func(n *node) {
		if t := p.line(n); !t.empty() {
			g.Keywords = append(g.Keywords, t)
		}
	})
	g.Type = code(mk.child(nsGMD, "type"))
	if th := mk.child(nsGMD, "thesaurusName").elem(); th != nil {
		c := p.citation(th)
		g.Thesaurus = &c
	}
	return g, len(g.Keywords) > 0 || g.Thesaurus != nil
}

func (p *parser) citation(c *node) Citation {
	out := Citation{Title: p.line(c.child(nsGMD, "title")), Dates: dates(c)}
	c.each(nsGMD, "identifier", func(n *node) {
		if out.Identifier == "" {
			if id, ok := identifier(n); ok {
				out.Identifier = id.Code
			}
		}
	})
	return out
}

func (p *parser) constraint(c *node) (Constraint, bool) {
	var out Constraint
	if c == nil {
		return out, false
	}
	switch t := c.typeName(); {
	case strings.HasSuffix(t, "LegalConstraints"):
		out.Kind = "legal"
	case strings.HasSuffix(t, "SecurityConstraints"):
		out.Kind = "security"
	default:
		out.Kind = "basic"
	}
	c.each(nsGMD, "useLimitation", func(n *node) {
		if t := p.text(n); !t.empty() {
			out.UseLimitations = append(out.UseLimitations, t)
		}
	})
	c.each(nsGMD, "accessConstraints", func(n *node) { out.AccessConstraints = appendNonEmpty(out.AccessConstraints, code(n)) })
	c.each(nsGMD, "useConstraints", func(n *node) { out.UseConstraints = appendNonEmpty(out.UseConstraints, code(n)) })
	c.each(nsGMD, "otherConstraints", func(n *node) {
		if t := p.text(n); !t.empty() {
			out.OtherConstraints = append(out.OtherConstraints, t)
		}
	})
	out.Classification = code(c.child(nsGMD, "classification"))
	return out, true
}

func (p *parser) party(prop *node, place string) (Party, bool) {
	rp := prop.elem()
	if rp == nil {
		return Party{}, false
	}
	pt := Party{
		Place:        place,
		Role:         code(rp.child(nsGMD, "role")),
		Organisation: p.line(rp.child(nsGMD, "organisationName")),
		Individual:   p.line(rp.child(nsGMD, "individualName")),
		Position:     collapse(str(rp.child(nsGMD, "positionName"))),
	}
	ci := rp.child(nsGMD, "contactInfo").elem()
	ci.each(nsGMD, "phone", func(n *node) {
		n.elem().each(nsGMD, "voice", func(v *node) { pt.Phones = appendNonEmpty(pt.Phones, str(v)) })
	})
	addr := ci.child(nsGMD, "address").elem()
	addr.each(nsGMD, "deliveryPoint", func(n *node) {
		if s := str(n); s != "" {
			if pt.DeliveryPoint != "" {
				pt.DeliveryPoint += ", "
			}
			pt.DeliveryPoint += s
		}
	})
	pt.City = str(addr.child(nsGMD, "city"))
	pt.PostalCode = str(addr.child(nsGMD, "postalCode"))
	pt.AdministrativeArea = str(addr.child(nsGMD, "administrativeArea"))
	pt.Country = str(addr.child(nsGMD, "country"))
	addr.each(nsGMD, "electronicMailAddress", func(n *node) { pt.Emails = appendNonEmpty(pt.Emails, str(n)) })
	pt.URL = url(ci.path("onlineResource", "linkage"))
	return pt, true
}

// Value helpers.

// str is the trimmed value of a property element: the text of its first
// element child other than a PT_FreeText (gco:CharacterString, gmx:Anchor,
// gco:Date, gmd:URL, gco:LocalName…), or its own text when it has none.
func str(prop *node) string {
	if prop == nil {
		return ""
	}
	for c := prop.first; c != nil; c = c.next {
		if c.local == "PT_FreeText" {
			continue
		}
		return c.trimmed()
	}
	return prop.trimmed()
}

// anchor is str plus the xlink:href when the value is a gmx:Anchor.
func anchor(prop *node) (value, href string) {
	if prop == nil {
		return "", ""
	}
	for c := prop.first; c != nil; c = c.next {
		if c.local == "PT_FreeText" {
			continue
		}
		if c.space == nsGMX && c.local == "Anchor" {
			return c.trimmed(), strings.TrimSpace(c.attr(nsXLink, "href"))
		}
		return c.trimmed(), ""
	}
	return prop.trimmed(), ""
}

// code is the value of a codelist property: @codeListValue of its first
// element child, else that child's text, else the property's own text.
func code(prop *node) string {
	if prop == nil {
		return ""
	}
	c := prop.elem()
	if c == nil {
		return prop.trimmed()
	}
	if v := strings.TrimSpace(c.attr("", "codeListValue")); v != "" {
		return v
	}
	return c.trimmed()
}

// text reads a free-text property with its PT_FreeText translations, keyed
// by this record's PT_Locale language codes.
func (p *parser) text(prop *node) Text {
	var t Text
	if prop == nil {
		return t
	}
	t.Value, t.Href = anchor(prop)
	ft := prop.child(nsGMD, "PT_FreeText")
	if ft == nil {
		return t
	}
	ft.each(nsGMD, "textGroup", func(g *node) {
		g.each(nsGMD, "LocalisedCharacterString", func(l *node) {
			v := l.trimmed()
			if v == "" {
				return
			}
			id := strings.TrimSpace(l.attr("", "locale"))
			key := strings.TrimPrefix(id, "#")
			if lang, ok := p.locales[key]; ok {
				key = lang
			}
			if key == "" {
				return
			}
			if t.Translations == nil {
				t.Translations = make(map[string]string, 4)
			}
			if _, dup := t.Translations[key]; !dup {
				t.Translations[key] = v
			}
		})
	})
	return t
}

// line is text for one-line values (titles, keywords, names): runs of
// white space, newlines included, become one space.
func (p *parser) line(prop *node) Text {
	t := p.text(prop)
	t.Value = collapse(t.Value)
	for k, v := range t.Translations {
		t.Translations[k] = collapse(v)
	}
	return t
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\t\n\r") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// url is the value of a URL property (gmd:URL, gco:CharacterString,
// gmx:Anchor…); for the Swiss che:PT_FreeURL, the first non-empty
// che:LocalisedURL.
func url(prop *node) string {
	if v := prop.elem(); v != nil && v.local == "PT_FreeURL" {
		for g := v.first; g != nil; g = g.next {
			for l := g.first; l != nil; l = l.next {
				if s := l.trimmed(); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return str(prop)
}

func (t Text) empty() bool { return t.Value == "" && t.Href == "" && len(t.Translations) == 0 }

// identifier reads the MD_Identifier/RS_Identifier inside a property.
func identifier(prop *node) (Identifier, bool) {
	idn := prop.elem()
	if idn == nil {
		return Identifier{}, false
	}
	var id Identifier
	if c := idn.child(nsGMD, "code"); c != nil {
		id.Code, id.Href = anchor(c)
		if v := c.elem(); v != nil && v.space == nsGMX && v.local == "Anchor" {
			id.Anchor = true
		}
	}
	id.CodeSpace = str(idn.child(nsGMD, "codeSpace"))
	id.Version = str(idn.child(nsGMD, "version"))
	return id, id.Code != "" || id.Href != ""
}

func dates(cit *node) []Date {
	var out []Date
	cit.each(nsGMD, "date", func(n *node) {
		cd := n.elem()
		d := Date{Value: str(cd.child(nsGMD, "date")), Type: code(cd.child(nsGMD, "dateType"))}
		if d.Value != "" {
			out = append(out, d)
		}
	})
	return out
}

func format(prop *node) (Format, bool) {
	f := prop.elem()
	var out Format
	out.Name, out.Href = anchor(f.child(nsGMD, "name"))
	out.Version = str(f.child(nsGMD, "version"))
	return out, out.Name != "" || out.Href != ""
}

// number parses a decimal tolerantly: surrounding and inner whitespace
// dropped, a decimal comma accepted. Non-finite values are refused.
func number(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if strings.ContainsAny(s, " \t\n\r,") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\n', '\r':
				return -1
			case ',':
				return '.'
			}
			return r
		}, s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func appendNonEmpty(s []string, v string) []string {
	if v == "" {
		return s
	}
	return append(s, v)
}
