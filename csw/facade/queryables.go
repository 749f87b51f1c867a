package facade

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// field is one queryable the facade filters, sorts, projects and lists
// domains on: every core queryable of CSW 2.0.2 (the csw:Record elements,
// OGC 07-006r1 §6.3.2) and every queryable of the ISO Metadata Application
// Profile 1.0 (OGC 07-045 §7.2.3, apiso:), one field per meaning.
type field int

const (
	fieldAnyText field = iota
	fieldTitle
	fieldAbstract
	fieldSubject
	fieldIdentifier
	fieldType
	fieldModified
	fieldOrganisation
	fieldFormat
	fieldBoundingBox
	// Core (csw:Record) queryables without an ISO AP twin.
	fieldCreator
	fieldPublisher
	fieldContributor
	fieldDCDate
	fieldSource
	fieldLanguage
	fieldRelation
	fieldRights
	fieldSpatialRef
	fieldReferences
	// ISO AP 1.0 queryables.
	fieldAlternateTitle
	fieldRefSystem
	fieldResourceLanguage
	fieldRevisionDate
	fieldCreationDate
	fieldPublicationDate
	fieldHasSecurityConstraints
	fieldParentIdentifier
	fieldKeywordType
	fieldTopicCategory
	fieldResourceIdentifier
	fieldServiceType
	fieldServiceTypeVersion
	fieldOperationName
	fieldOperatesOn
	fieldOperatesOnIdentifier
	fieldOperatesOnName
	fieldCouplingType
	fieldDegree
	fieldAccessConstraints
	fieldOtherConstraints
	fieldClassification
	fieldConditionApplyingToAccessAndUse
	fieldLineage
	fieldResponsiblePartyRole
	fieldSpecificationTitle
	fieldSpecificationDate
	fieldSpecificationDateType
	fieldDenominator
	fieldDistanceValue
	fieldDistanceUOM
	fieldTempExtentBegin
	fieldTempExtentEnd
	numFields
)

// kind says how a field's values compare.
type kind uint8

const (
	kindText   kind = iota // case-insensitive text
	kindID                 // identifiers: case-sensitive
	kindDate               // ISO 8601 dates and date-times
	kindNumber             // decimal numbers
	kindBox                // geographic boxes: spatial operators only
	kindAny                // AnyText: "contains"
)

// queryable describes one field.
type queryable struct {
	name string // canonical local name: the ISO AP name, or the core element for core-only fields
	// iso is "supported" for SupportedISOQueryables, "additional" for the
	// INSPIRE AdditionalQueryables of the ISO AP, "" when not an apiso:
	// queryable.
	iso string
	dc  string // the core queryable ("dc:title"), "" when the field is not one
	// aliases are other local names accepted in filters.
	aliases []string
	kind    kind
	// out is the csw:Record element a projection (ElementName) writes.
	out string
}

// fields is the queryable table, indexed by field.
var fields = [numFields]queryable{
	fieldAnyText:                         {name: "AnyText", iso: "supported", dc: "csw:AnyText", kind: kindAny},
	fieldTitle:                           {name: "Title", iso: "supported", dc: "dc:title", kind: kindText, out: "dc:title"},
	fieldAbstract:                        {name: "Abstract", iso: "supported", dc: "dct:abstract", aliases: []string{"description"}, kind: kindText, out: "dct:abstract"},
	fieldSubject:                         {name: "Subject", iso: "supported", dc: "dc:subject", aliases: []string{"keywords"}, kind: kindText, out: "dc:subject"},
	fieldIdentifier:                      {name: "Identifier", iso: "supported", dc: "dc:identifier", aliases: []string{"fileidentifier"}, kind: kindID, out: "dc:identifier"},
	fieldType:                            {name: "Type", iso: "supported", dc: "dc:type", aliases: []string{"hierarchylevel"}, kind: kindText, out: "dc:type"},
	fieldModified:                        {name: "Modified", iso: "supported", dc: "dct:modified", aliases: []string{"datestamp"}, kind: kindDate, out: "dct:modified"},
	fieldOrganisation:                    {name: "OrganisationName", iso: "supported", aliases: []string{"organizationname"}, kind: kindText, out: "dc:publisher"},
	fieldFormat:                          {name: "Format", iso: "supported", dc: "dc:format", kind: kindText, out: "dc:format"},
	fieldBoundingBox:                     {name: "BoundingBox", iso: "supported", dc: "ows:BoundingBox", aliases: []string{"envelope"}, kind: kindBox, out: "ows:BoundingBox"},
	fieldCreator:                         {name: "creator", dc: "dc:creator", kind: kindText, out: "dc:creator"},
	fieldPublisher:                       {name: "publisher", dc: "dc:publisher", kind: kindText, out: "dc:publisher"},
	fieldContributor:                     {name: "contributor", dc: "dc:contributor", kind: kindText, out: "dc:contributor"},
	fieldDCDate:                          {name: "date", dc: "dc:date", kind: kindDate, out: "dc:date"},
	fieldSource:                          {name: "source", dc: "dc:source", kind: kindText, out: "dc:source"},
	fieldLanguage:                        {name: "Language", iso: "supported", dc: "dc:language", kind: kindText, out: "dc:language"},
	fieldRelation:                        {name: "relation", dc: "dc:relation", kind: kindText, out: "dc:relation"},
	fieldRights:                          {name: "rights", dc: "dc:rights", kind: kindText, out: "dc:rights"},
	fieldSpatialRef:                      {name: "spatial", dc: "dct:spatial", kind: kindText, out: "dct:spatial"},
	fieldReferences:                      {name: "references", dc: "dct:references", kind: kindText, out: "dct:references"},
	fieldAlternateTitle:                  {name: "AlternateTitle", iso: "supported", aliases: []string{"alternative"}, kind: kindText, out: "dct:alternative"},
	fieldRefSystem:                       {name: "CRS", iso: "supported", kind: kindText, out: "dct:spatial"},
	fieldResourceLanguage:                {name: "ResourceLanguage", iso: "supported", kind: kindText, out: "dc:language"},
	fieldRevisionDate:                    {name: "RevisionDate", iso: "supported", kind: kindDate, out: "dc:date"},
	fieldCreationDate:                    {name: "CreationDate", iso: "supported", aliases: []string{"created"}, kind: kindDate, out: "dct:created"},
	fieldPublicationDate:                 {name: "PublicationDate", iso: "supported", aliases: []string{"issued"}, kind: kindDate, out: "dct:issued"},
	fieldHasSecurityConstraints:          {name: "HasSecurityConstraints", iso: "supported", kind: kindText},
	fieldParentIdentifier:                {name: "ParentIdentifier", iso: "supported", kind: kindID, out: "dc:relation"},
	fieldKeywordType:                     {name: "KeywordType", iso: "supported", kind: kindText},
	fieldTopicCategory:                   {name: "TopicCategory", iso: "supported", kind: kindText, out: "dc:subject"},
	fieldResourceIdentifier:              {name: "ResourceIdentifier", iso: "supported", kind: kindID, out: "dc:identifier"},
	fieldServiceType:                     {name: "ServiceType", iso: "supported", kind: kindText},
	fieldServiceTypeVersion:              {name: "ServiceTypeVersion", iso: "supported", kind: kindText},
	fieldOperationName:                   {name: "Operation", iso: "supported", kind: kindText},
	fieldOperatesOn:                      {name: "OperatesOn", iso: "supported", kind: kindID, out: "dc:relation"},
	fieldOperatesOnIdentifier:            {name: "OperatesOnIdentifier", iso: "supported", kind: kindID, out: "dc:relation"},
	fieldOperatesOnName:                  {name: "OperatesOnName", iso: "supported", kind: kindText},
	fieldCouplingType:                    {name: "CouplingType", iso: "supported", kind: kindText},
	fieldDegree:                          {name: "Degree", iso: "additional", kind: kindText},
	fieldAccessConstraints:               {name: "AccessConstraints", iso: "additional", kind: kindText, out: "dc:rights"},
	fieldOtherConstraints:                {name: "OtherConstraints", iso: "additional", kind: kindText, out: "dc:rights"},
	fieldClassification:                  {name: "Classification", iso: "additional", kind: kindText, out: "dc:rights"},
	fieldConditionApplyingToAccessAndUse: {name: "ConditionApplyingToAccessAndUse", iso: "additional", kind: kindText, out: "dc:rights"},
	fieldLineage:                         {name: "Lineage", iso: "additional", kind: kindText, out: "dc:source"},
	fieldResponsiblePartyRole:            {name: "ResponsiblePartyRole", iso: "additional", kind: kindText},
	fieldSpecificationTitle:              {name: "SpecificationTitle", iso: "additional", kind: kindText},
	fieldSpecificationDate:               {name: "SpecificationDate", iso: "additional", kind: kindDate},
	fieldSpecificationDateType:           {name: "SpecificationDateType", iso: "additional", kind: kindText},
	fieldDenominator:                     {name: "Denominator", iso: "supported", kind: kindNumber},
	fieldDistanceValue:                   {name: "DistanceValue", iso: "supported", kind: kindNumber},
	fieldDistanceUOM:                     {name: "DistanceUOM", iso: "supported", kind: kindText},
	fieldTempExtentBegin:                 {name: "TempExtent_begin", iso: "supported", kind: kindDate, out: "dct:temporal"},
	fieldTempExtentEnd:                   {name: "TempExtent_end", iso: "supported", kind: kindDate, out: "dct:temporal"},
}

// String returns the canonical queryable name (ISO AP name, or the core
// element's local name for core-only fields); lookupField reads it back.
func (f field) String() string {
	if f >= 0 && f < numFields {
		return fields[f].name
	}
	return "?"
}

func (f field) kind() kind { return fields[f].kind }

// queryables maps lower-cased local names of queryables (ISO AP 1.0,
// Dublin Core, DCMI terms and OWS) to fields.
var queryables = func() map[string]field {
	m := make(map[string]field, 2*int(numFields))
	for f := range numFields {
		q := fields[f]
		m[strings.ToLower(q.name)] = f
		if _, local, ok := strings.Cut(q.dc, ":"); ok {
			m[strings.ToLower(local)] = f
		}
		for _, a := range q.aliases {
			m[a] = f
		}
	}
	return m
}()

// prefixes are the namespace prefixes accepted before a queryable name.
var prefixes = map[string]bool{"": true, "apiso": true, "csw": true, "dc": true, "dct": true, "ows": true}

// lookupField resolves a property name such as "apiso:OrganisationName",
// "dc:title", "csw:AnyText", "/ows:BoundingBox" or "Title"
// (case-insensitive).
func lookupField(name string) (field, bool) {
	name = strings.TrimLeft(strings.TrimSpace(name), "/")
	prefix, local := "", name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		prefix, local = strings.ToLower(name[:i]), name[i+1:]
	}
	if !prefixes[prefix] {
		return 0, false
	}
	f, ok := queryables[strings.ToLower(local)]
	return f, ok
}

// queryableNames lists the advertised names: ISO AP queryables of one
// class ("supported" or "additional") as apiso:Name, or the core queryables
// as written in csw:Record.
func queryableNames(class string) []string {
	var out []string
	for f := range numFields {
		q := fields[f]
		switch {
		case class == "core" && q.dc != "":
			out = append(out, q.dc)
		case class != "core" && q.iso == class:
			out = append(out, "apiso:"+q.name)
		}
	}
	return out
}

// val is one value of one field of an entry. An entry's values are kept
// in one slice sorted by field (index.vals): a record has some fifty
// values over some thirty fields, and per-field slices would cost more
// than the values.
type val struct {
	low, shown string // lower-cased; as written
	field      field
}

// dated is a parsed value of a date field.
type dated struct {
	field field
	d     date
}

// collectValues extracts every field's values of an entry into ix.vals
// (deduplicated per field, case-insensitively) and the parsed dates into
// ix.dated, both sorted by field.
func collectValues(e *Entry, r *iso.Record, ix *index, lower func(string) string) {
	add := func(f field, vals ...string) {
		for _, v := range vals {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			low := lower(v)
			dup := false
			for i := range ix.vals {
				if ix.vals[i].field == f && ix.vals[i].low == low {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			ix.vals = append(ix.vals, val{low: low, shown: v, field: f})
			if f.kind() == kindDate {
				if d, ok := parseDate(v); ok {
					ix.dated = append(ix.dated, dated{field: f, d: d})
				}
			}
		}
	}
	add(fieldIdentifier, ix.ids...)
	add(fieldTitle, textValues(r.Title)...)
	add(fieldAbstract, textValues(r.Abstract)...)
	for _, g := range r.Keywords {
		for _, k := range g.Keywords {
			add(fieldSubject, textValues(k)...)
		}
		if len(g.Keywords) > 0 {
			add(fieldKeywordType, g.Type)
		}
	}
	add(fieldSubject, r.TopicCategories...)
	add(fieldTopicCategory, r.TopicCategories...)
	add(fieldType, ix.typ)
	add(fieldOrganisation, e.Organisations...)
	for _, p := range r.Contacts {
		add(fieldOrganisation, textValues(p.Organisation)...)
		add(fieldResponsiblePartyRole, p.Role)
	}
	for _, p := range r.Parties {
		add(fieldOrganisation, textValues(p.Organisation)...)
		add(fieldResponsiblePartyRole, p.Role)
	}
	for _, p := range partyElems(r) {
		switch p[0] {
		case "dc:creator":
			add(fieldCreator, p[1])
		case "dc:publisher":
			add(fieldPublisher, p[1])
		default:
			add(fieldContributor, p[1])
		}
	}
	for _, f := range r.DistributionFormats {
		add(fieldFormat, f.Name)
	}
	for _, f := range r.ResourceFormats {
		add(fieldFormat, f.Name)
	}
	for _, d := range r.Distributors {
		for _, f := range d.Formats {
			add(fieldFormat, f.Name)
		}
	}
	mod := e.Modified
	if mod == "" {
		mod = r.DateStamp
	}
	add(fieldModified, mod)
	for _, d := range r.Dates {
		add(fieldDCDate, d.Value)
		switch d.Type {
		case "revision":
			add(fieldRevisionDate, d.Value)
		case "creation":
			add(fieldCreationDate, d.Value)
		case "publication":
			add(fieldPublicationDate, d.Value)
		}
	}
	add(fieldSource, textValues(r.Lineage)...)
	add(fieldLineage, textValues(r.Lineage)...)
	if r.Language != "" {
		add(fieldLanguage, r.Language)
	} else {
		add(fieldLanguage, r.ResourceLanguages...)
	}
	add(fieldResourceLanguage, r.ResourceLanguages...)
	add(fieldRelation, r.ParentIdentifier)
	add(fieldParentIdentifier, r.ParentIdentifier)
	for _, a := range r.Aggregations {
		add(fieldRelation, a.Identifier.Code)
	}
	security := "false"
	for _, c := range r.Constraints {
		if c.Kind == "security" {
			security = "true"
		}
		for _, t := range c.UseLimitations {
			add(fieldRights, t.Value)
			add(fieldConditionApplyingToAccessAndUse, textValues(t)...)
		}
		for _, t := range c.OtherConstraints {
			add(fieldRights, t.Value)
			add(fieldOtherConstraints, textValues(t)...)
		}
		add(fieldAccessConstraints, c.AccessConstraints...)
		add(fieldClassification, c.Classification)
	}
	add(fieldHasSecurityConstraints, security)
	for _, g := range r.GeographicIdentifiers {
		add(fieldSpatialRef, g.Code)
	}
	for _, rs := range r.ReferenceSystems {
		add(fieldSpatialRef, rs.Code)
		add(fieldRefSystem, rs.Code, rs.Href)
		if rs.CodeSpace != "" && rs.Code != "" {
			add(fieldRefSystem, rs.CodeSpace+":"+rs.Code)
		}
	}
	for _, o := range r.OnlineResources {
		add(fieldReferences, o.URL)
	}
	for _, o := range r.Overviews {
		add(fieldReferences, o.URL)
	}
	for _, t := range r.AlternateTitles {
		add(fieldAlternateTitle, textValues(t)...)
	}
	for _, i := range r.Identifiers {
		add(fieldResourceIdentifier, i.Code)
	}
	if e.Identifier != "" && e.Identifier != ix.id {
		add(fieldResourceIdentifier, e.Identifier)
	}
	if s := r.Service; s != nil {
		add(fieldServiceType, s.Type)
		add(fieldServiceTypeVersion, s.TypeVersions...)
		add(fieldCouplingType, s.CouplingType)
		for _, o := range s.Operations {
			add(fieldOperationName, o.Name)
		}
		for _, o := range s.OperatesOn {
			add(fieldOperatesOn, o.UUIDRef, o.Href)
			add(fieldOperatesOnIdentifier, o.UUIDRef, o.Href)
			add(fieldOperatesOnName, o.Title)
			add(fieldRelation, o.UUIDRef)
		}
	}
	for _, c := range r.Conformity {
		if c.Pass != nil {
			add(fieldDegree, strconv.FormatBool(*c.Pass))
		}
		add(fieldSpecificationTitle, textValues(c.Specification.Title)...)
		for _, d := range c.Specification.Dates {
			add(fieldSpecificationDate, d.Value)
			add(fieldSpecificationDateType, d.Type)
		}
	}
	for _, res := range r.Resolutions {
		if res.Denominator > 0 {
			add(fieldDenominator, strconv.FormatInt(res.Denominator, 10))
		}
		if res.Distance > 0 {
			add(fieldDistanceValue, strconv.FormatFloat(res.Distance, 'f', -1, 64))
			add(fieldDistanceUOM, res.Unit)
		}
	}
	for _, t := range r.TemporalExtents {
		add(fieldTempExtentBegin, t.Begin)
		if t.Instant {
			add(fieldTempExtentEnd, t.Begin)
		} else {
			add(fieldTempExtentEnd, t.End)
		}
	}
	sort.SliceStable(ix.vals, func(i, j int) bool { return ix.vals[i].field < ix.vals[j].field })
	sort.SliceStable(ix.dated, func(i, j int) bool { return ix.dated[i].field < ix.dated[j].field })
	// Keep exactly what is needed: the index lives as long as the snapshot.
	ix.vals = slices.Clone(ix.vals)
	ix.dated = slices.Clone(ix.dated)
}

// values returns the values of a field (a sub-slice: no allocation).
func (ix *index) values(f field) []val {
	i := sort.Search(len(ix.vals), func(i int) bool { return ix.vals[i].field >= f })
	j := i
	for j < len(ix.vals) && ix.vals[j].field == f {
		j++
	}
	return ix.vals[i:j]
}

// dates returns the parsed values of a date field.
func (ix *index) dates(f field) []dated {
	i := sort.Search(len(ix.dated), func(i int) bool { return ix.dated[i].field >= f })
	j := i
	for j < len(ix.dated) && ix.dated[j].field == f {
		j++
	}
	return ix.dated[i:j]
}

// num parses a number field's value.
func num(v val) (float64, bool) {
	n, err := strconv.ParseFloat(v.shown, 64)
	return n, err == nil && n == n
}
