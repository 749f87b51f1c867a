package csw

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// facField is one queryable the facade filters, sorts, projects and lists
// domains on: every core queryable of CSW 2.0.2 (the csw:Record elements,
// OGC 07-006r1 §6.3.2) and every queryable of the ISO Metadata Application
// Profile 1.0 (OGC 07-045 §7.2.3, apiso:), one field per meaning.
type facField int

const (
	facAnyText facField = iota
	facTitle
	facAbstract
	facSubject
	facIdentifier
	facType
	facModified
	facOrganisation
	facFormat
	facBoundingBox
	// Core (csw:Record) queryables without an ISO AP twin.
	facCreator
	facPublisher
	facContributor
	facDCDate
	facSource
	facLanguage
	facRelation
	facRights
	facSpatialRef
	facReferences
	// ISO AP 1.0 queryables.
	facAlternateTitle
	facRefSystem
	facResourceLanguage
	facRevisionDate
	facCreationDate
	facPublicationDate
	facHasSecurityConstraints
	facParentIdentifier
	facKeywordType
	facTopicCategory
	facResourceIdentifier
	facServiceType
	facServiceTypeVersion
	facOperationName
	facOperatesOn
	facOperatesOnIdentifier
	facOperatesOnName
	facCouplingType
	facDegree
	facAccessConstraints
	facOtherConstraints
	facClassification
	facConditionApplyingToAccessAndUse
	facLineage
	facResponsiblePartyRole
	facSpecificationTitle
	facSpecificationDate
	facSpecificationDateType
	facDenominator
	facDistanceValue
	facDistanceUOM
	facTempExtentBegin
	facTempExtentEnd
	facNumFields
)

// facKind says how a field's values compare.
type facKind uint8

const (
	facKindText   facKind = iota // case-insensitive text
	facKindID                    // identifiers: case-sensitive
	facKindDate                  // ISO 8601 dates and date-times
	facKindNumber                // decimal numbers
	facKindBox                   // geographic boxes: spatial operators only
	facKindAny                   // AnyText: "contains"
)

// facQueryable describes one field.
type facQueryable struct {
	name string // canonical local name: the ISO AP name, or the core element for core-only fields
	// iso is "supported" for SupportedISOQueryables, "additional" for the
	// INSPIRE AdditionalQueryables of the ISO AP, "" when not an apiso:
	// queryable.
	iso string
	dc  string // the core queryable ("dc:title"), "" when the field is not one
	// aliases are other local names accepted in filters.
	aliases []string
	kind    facKind
	// out is the csw:Record element a projection (ElementName) writes.
	out string
}

// facQ is the queryable table, indexed by field.
var facQ = [facNumFields]facQueryable{
	facAnyText:                         {name: "AnyText", iso: "supported", dc: "csw:AnyText", kind: facKindAny},
	facTitle:                           {name: "Title", iso: "supported", dc: "dc:title", kind: facKindText, out: "dc:title"},
	facAbstract:                        {name: "Abstract", iso: "supported", dc: "dct:abstract", aliases: []string{"description"}, kind: facKindText, out: "dct:abstract"},
	facSubject:                         {name: "Subject", iso: "supported", dc: "dc:subject", aliases: []string{"keywords"}, kind: facKindText, out: "dc:subject"},
	facIdentifier:                      {name: "Identifier", iso: "supported", dc: "dc:identifier", aliases: []string{"fileidentifier"}, kind: facKindID, out: "dc:identifier"},
	facType:                            {name: "Type", iso: "supported", dc: "dc:type", aliases: []string{"hierarchylevel"}, kind: facKindText, out: "dc:type"},
	facModified:                        {name: "Modified", iso: "supported", dc: "dct:modified", aliases: []string{"datestamp"}, kind: facKindDate, out: "dct:modified"},
	facOrganisation:                    {name: "OrganisationName", iso: "supported", aliases: []string{"organizationname"}, kind: facKindText, out: "dc:publisher"},
	facFormat:                          {name: "Format", iso: "supported", dc: "dc:format", kind: facKindText, out: "dc:format"},
	facBoundingBox:                     {name: "BoundingBox", iso: "supported", dc: "ows:BoundingBox", aliases: []string{"envelope"}, kind: facKindBox, out: "ows:BoundingBox"},
	facCreator:                         {name: "creator", dc: "dc:creator", kind: facKindText, out: "dc:creator"},
	facPublisher:                       {name: "publisher", dc: "dc:publisher", kind: facKindText, out: "dc:publisher"},
	facContributor:                     {name: "contributor", dc: "dc:contributor", kind: facKindText, out: "dc:contributor"},
	facDCDate:                          {name: "date", dc: "dc:date", kind: facKindDate, out: "dc:date"},
	facSource:                          {name: "source", dc: "dc:source", kind: facKindText, out: "dc:source"},
	facLanguage:                        {name: "Language", iso: "supported", dc: "dc:language", kind: facKindText, out: "dc:language"},
	facRelation:                        {name: "relation", dc: "dc:relation", kind: facKindText, out: "dc:relation"},
	facRights:                          {name: "rights", dc: "dc:rights", kind: facKindText, out: "dc:rights"},
	facSpatialRef:                      {name: "spatial", dc: "dct:spatial", kind: facKindText, out: "dct:spatial"},
	facReferences:                      {name: "references", dc: "dct:references", kind: facKindText, out: "dct:references"},
	facAlternateTitle:                  {name: "AlternateTitle", iso: "supported", aliases: []string{"alternative"}, kind: facKindText, out: "dct:alternative"},
	facRefSystem:                       {name: "CRS", iso: "supported", kind: facKindText, out: "dct:spatial"},
	facResourceLanguage:                {name: "ResourceLanguage", iso: "supported", kind: facKindText, out: "dc:language"},
	facRevisionDate:                    {name: "RevisionDate", iso: "supported", kind: facKindDate, out: "dc:date"},
	facCreationDate:                    {name: "CreationDate", iso: "supported", aliases: []string{"created"}, kind: facKindDate, out: "dct:created"},
	facPublicationDate:                 {name: "PublicationDate", iso: "supported", aliases: []string{"issued"}, kind: facKindDate, out: "dct:issued"},
	facHasSecurityConstraints:          {name: "HasSecurityConstraints", iso: "supported", kind: facKindText},
	facParentIdentifier:                {name: "ParentIdentifier", iso: "supported", kind: facKindID, out: "dc:relation"},
	facKeywordType:                     {name: "KeywordType", iso: "supported", kind: facKindText},
	facTopicCategory:                   {name: "TopicCategory", iso: "supported", kind: facKindText, out: "dc:subject"},
	facResourceIdentifier:              {name: "ResourceIdentifier", iso: "supported", kind: facKindID, out: "dc:identifier"},
	facServiceType:                     {name: "ServiceType", iso: "supported", kind: facKindText},
	facServiceTypeVersion:              {name: "ServiceTypeVersion", iso: "supported", kind: facKindText},
	facOperationName:                   {name: "Operation", iso: "supported", kind: facKindText},
	facOperatesOn:                      {name: "OperatesOn", iso: "supported", kind: facKindID, out: "dc:relation"},
	facOperatesOnIdentifier:            {name: "OperatesOnIdentifier", iso: "supported", kind: facKindID, out: "dc:relation"},
	facOperatesOnName:                  {name: "OperatesOnName", iso: "supported", kind: facKindText},
	facCouplingType:                    {name: "CouplingType", iso: "supported", kind: facKindText},
	facDegree:                          {name: "Degree", iso: "additional", kind: facKindText},
	facAccessConstraints:               {name: "AccessConstraints", iso: "additional", kind: facKindText, out: "dc:rights"},
	facOtherConstraints:                {name: "OtherConstraints", iso: "additional", kind: facKindText, out: "dc:rights"},
	facClassification:                  {name: "Classification", iso: "additional", kind: facKindText, out: "dc:rights"},
	facConditionApplyingToAccessAndUse: {name: "ConditionApplyingToAccessAndUse", iso: "additional", kind: facKindText, out: "dc:rights"},
	facLineage:                         {name: "Lineage", iso: "additional", kind: facKindText, out: "dc:source"},
	facResponsiblePartyRole:            {name: "ResponsiblePartyRole", iso: "additional", kind: facKindText},
	facSpecificationTitle:              {name: "SpecificationTitle", iso: "additional", kind: facKindText},
	facSpecificationDate:               {name: "SpecificationDate", iso: "additional", kind: facKindDate},
	facSpecificationDateType:           {name: "SpecificationDateType", iso: "additional", kind: facKindText},
	facDenominator:                     {name: "Denominator", iso: "supported", kind: facKindNumber},
	facDistanceValue:                   {name: "DistanceValue", iso: "supported", kind: facKindNumber},
	facDistanceUOM:                     {name: "DistanceUOM", iso: "supported", kind: facKindText},
	facTempExtentBegin:                 {name: "TempExtent_begin", iso: "supported", kind: facKindDate, out: "dct:temporal"},
	facTempExtentEnd:                   {name: "TempExtent_end", iso: "supported", kind: facKindDate, out: "dct:temporal"},
}

// String returns the canonical queryable name (ISO AP name, or the core
// element's local name for core-only fields); facLookupField reads it back.
func (f facField) String() string {
	if f >= 0 && f < facNumFields {
		return facQ[f].name
	}
	return "?"
}

func (f facField) kind() facKind { return facQ[f].kind }

// facQueryables maps lower-cased local names of queryables (ISO AP 1.0,
// Dublin Core, DCMI terms and OWS) to fields.
var facQueryables = func() map[string]facField {
	m := make(map[string]facField, 2*int(facNumFields))
	for f := range facNumFields {
		q := facQ[f]
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

// facPrefixes are the namespace prefixes accepted before a queryable name.
var facPrefixes = map[string]bool{"": true, "apiso": true, "csw": true, "dc": true, "dct": true, "ows": true}

// facLookupField resolves a property name such as "apiso:OrganisationName",
// "dc:title", "csw:AnyText", "/ows:BoundingBox" or "Title"
// (case-insensitive).
func facLookupField(name string) (facField, bool) {
	name = strings.TrimLeft(strings.TrimSpace(name), "/")
	prefix, local := "", name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		prefix, local = strings.ToLower(name[:i]), name[i+1:]
	}
	if !facPrefixes[prefix] {
		return 0, false
	}
	f, ok := facQueryables[strings.ToLower(local)]
	return f, ok
}

// facQueryableNames lists the advertised names: ISO AP queryables of one
// class ("supported" or "additional") as apiso:Name, or the core queryables
// as written in csw:Record.
func facQueryableNames(class string) []string {
	var out []string
	for f := range facNumFields {
		q := facQ[f]
		switch {
		case class == "core" && q.dc != "":
			out = append(out, q.dc)
		case class != "core" && q.iso == class:
			out = append(out, "apiso:"+q.name)
		}
	}
	return out
}

// facVal is one value of one field of an entry. An entry's values are kept
// in one slice sorted by field (facIndex.vals): a record has some fifty
// values over some thirty fields, and per-field slices would cost more
// than the values.
type facVal struct {
	low, shown string // lower-cased; as written
	field      facField
}

// facDated is a parsed value of a date field.
type facDated struct {
	field facField
	d     facDate
}

// collectValues extracts every field's values of an entry into ix.vals
// (deduplicated per field, case-insensitively) and the parsed dates into
// ix.dated, both sorted by field.
func collectValues(e *Entry, r *iso.Record, ix *facIndex, lower func(string) string) {
	add := func(f facField, vals ...string) {
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
			ix.vals = append(ix.vals, facVal{low: low, shown: v, field: f})
			if f.kind() == facKindDate {
				if d, ok := facParseDate(v); ok {
					ix.dated = append(ix.dated, facDated{field: f, d: d})
				}
			}
		}
	}
	add(facIdentifier, ix.ids...)
	add(facTitle, facTextValues(r.Title)...)
	add(facAbstract, facTextValues(r.Abstract)...)
	for _, g := range r.Keywords {
		for _, k := range g.Keywords {
			add(facSubject, facTextValues(k)...)
		}
		if len(g.Keywords) > 0 {
			add(facKeywordType, g.Type)
		}
	}
	add(facSubject, r.TopicCategories...)
	add(facTopicCategory, r.TopicCategories...)
	add(facType, ix.typ)
	add(facOrganisation, e.Organisations...)
	for _, p := range r.Contacts {
		add(facOrganisation, facTextValues(p.Organisation)...)
		add(facResponsiblePartyRole, p.Role)
	}
	for _, p := range r.Parties {
		add(facOrganisation, facTextValues(p.Organisation)...)
		add(facResponsiblePartyRole, p.Role)
	}
	for _, p := range facPartyElems(r) {
		switch p[0] {
		case "dc:creator":
			add(facCreator, p[1])
		case "dc:publisher":
			add(facPublisher, p[1])
		default:
			add(facContributor, p[1])
		}
	}
	for _, f := range r.DistributionFormats {
		add(facFormat, f.Name)
	}
	for _, f := range r.ResourceFormats {
		add(facFormat, f.Name)
	}
	for _, d := range r.Distributors {
		for _, f := range d.Formats {
			add(facFormat, f.Name)
		}
	}
	mod := e.Modified
	if mod == "" {
		mod = r.DateStamp
	}
	add(facModified, mod)
	for _, d := range r.Dates {
		add(facDCDate, d.Value)
		switch d.Type {
		case "revision":
			add(facRevisionDate, d.Value)
		case "creation":
			add(facCreationDate, d.Value)
		case "publication":
			add(facPublicationDate, d.Value)
		}
	}
	add(facSource, facTextValues(r.Lineage)...)
	add(facLineage, facTextValues(r.Lineage)...)
	if r.Language != "" {
		add(facLanguage, r.Language)
	} else {
		add(facLanguage, r.ResourceLanguages...)
	}
	add(facResourceLanguage, r.ResourceLanguages...)
	add(facRelation, r.ParentIdentifier)
	add(facParentIdentifier, r.ParentIdentifier)
	for _, a := range r.Aggregations {
		add(facRelation, a.Identifier.Code)
	}
	security := "false"
	for _, c := range r.Constraints {
		if c.Kind == "security" {
			security = "true"
		}
		for _, t := range c.UseLimitations {
			add(facRights, t.Value)
			add(facConditionApplyingToAccessAndUse, facTextValues(t)...)
		}
		for _, t := range c.OtherConstraints {
			add(facRights, t.Value)
			add(facOtherConstraints, facTextValues(t)...)
		}
		add(facAccessConstraints, c.AccessConstraints...)
		add(facClassification, c.Classification)
	}
	add(facHasSecurityConstraints, security)
	for _, g := range r.GeographicIdentifiers {
		add(facSpatialRef, g.Code)
	}
	for _, rs := range r.ReferenceSystems {
		add(facSpatialRef, rs.Code)
		add(facRefSystem, rs.Code, rs.Href)
		if rs.CodeSpace != "" && rs.Code != "" {
			add(facRefSystem, rs.CodeSpace+":"+rs.Code)
		}
	}
	for _, o := range r.OnlineResources {
		add(facReferences, o.URL)
	}
	for _, o := range r.Overviews {
		add(facReferences, o.URL)
	}
	for _, t := range r.AlternateTitles {
		add(facAlternateTitle, facTextValues(t)...)
	}
	for _, i := range r.Identifiers {
		add(facResourceIdentifier, i.Code)
	}
	if e.Identifier != "" && e.Identifier != ix.id {
		add(facResourceIdentifier, e.Identifier)
	}
	if s := r.Service; s != nil {
		add(facServiceType, s.Type)
		add(facServiceTypeVersion, s.TypeVersions...)
		add(facCouplingType, s.CouplingType)
		for _, o := range s.Operations {
			add(facOperationName, o.Name)
		}
		for _, o := range s.OperatesOn {
			add(facOperatesOn, o.UUIDRef, o.Href)
			add(facOperatesOnIdentifier, o.UUIDRef, o.Href)
			add(facOperatesOnName, o.Title)
			add(facRelation, o.UUIDRef)
		}
	}
	for _, c := range r.Conformity {
		if c.Pass != nil {
			add(facDegree, strconv.FormatBool(*c.Pass))
		}
		add(facSpecificationTitle, facTextValues(c.Specification.Title)...)
		for _, d := range c.Specification.Dates {
			add(facSpecificationDate, d.Value)
			add(facSpecificationDateType, d.Type)
		}
	}
	for _, res := range r.Resolutions {
		if res.Denominator > 0 {
			add(facDenominator, strconv.FormatInt(res.Denominator, 10))
		}
		if res.Distance > 0 {
			add(facDistanceValue, strconv.FormatFloat(res.Distance, 'f', -1, 64))
			add(facDistanceUOM, res.Unit)
		}
	}
	for _, t := range r.TemporalExtents {
		add(facTempExtentBegin, t.Begin)
		if t.Instant {
			add(facTempExtentEnd, t.Begin)
		} else {
			add(facTempExtentEnd, t.End)
		}
	}
	sort.SliceStable(ix.vals, func(i, j int) bool { return ix.vals[i].field < ix.vals[j].field })
	sort.SliceStable(ix.dated, func(i, j int) bool { return ix.dated[i].field < ix.dated[j].field })
	// Keep exactly what is needed: the index lives as long as the snapshot.
	ix.vals = slices.Clone(ix.vals)
	ix.dated = slices.Clone(ix.dated)
}

// values returns the values of a field (a sub-slice: no allocation).
func (ix *facIndex) values(f facField) []facVal {
	i := sort.Search(len(ix.vals), func(i int) bool { return ix.vals[i].field >= f })
	j := i
	for j < len(ix.vals) && ix.vals[j].field == f {
		j++
	}
	return ix.vals[i:j]
}

// dates returns the parsed values of a date field.
func (ix *facIndex) dates(f facField) []facDated {
	i := sort.Search(len(ix.dated), func(i int) bool { return ix.dated[i].field >= f })
	j := i
	for j < len(ix.dated) && ix.dated[j].field == f {
		j++
	}
	return ix.dated[i:j]
}

// facNum parses a number field's value.
func facNum(v facVal) (float64, bool) {
	n, err := strconv.ParseFloat(v.shown, 64)
	return n, err == nil && n == n
}
