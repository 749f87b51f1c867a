package facade

import (
	"bytes"
	"strings"

	"github.com/beevik/etree"

	"github.com/passerelle/passerelle/iso"
)

// writeDCProjection writes a csw:Record holding only the named queryables
// (ElementName), each as its Dublin Core element; a queryable without one
// (ServiceType, Degree…) adds nothing, as the schema has no place for it.
func writeDCProjection(b *bytes.Buffer, ix *index, r *iso.Record, names []string) {
	b.WriteString("<csw:Record>")
	box := false
	for _, n := range names {
		f, _ := lookupField(n)
		switch f {
		case fieldIdentifier:
			elem(b, "dc:identifier", ix.id)
		case fieldTitle:
			elem(b, "dc:title", r.Title.Value)
		case fieldAbstract:
			elem(b, "dct:abstract", r.Abstract.Value)
		case fieldType:
			elem(b, "dc:type", ix.typ)
		case fieldSubject:
			for _, s := range subjects(r) {
				elem(b, "dc:subject", s)
			}
		case fieldBoundingBox:
			box = true
		default:
			el := fields[f].out
			if el == "" || el == "ows:BoundingBox" {
				continue
			}
			for _, v := range ix.values(f) {
				elem(b, el, v.shown)
			}
		}
	}
	if box {
		writeOWSBoxes(b, ix.boxes)
	}
	b.WriteString("</csw:Record>")
}

// isoPaths locates each queryable in an ISO 19139 record: paths of local
// names below the root, "*" for any element. A projection (ElementName with
// outputSchema gmd) keeps the fileIdentifier and these elements, with the
// elements leading to them, as pycsw does.
var isoPaths = map[field][]string{
	fieldTitle:                           {"identificationInfo/*/citation/*/title"},
	fieldAlternateTitle:                  {"identificationInfo/*/citation/*/alternateTitle"},
	fieldAbstract:                        {"identificationInfo/*/abstract"},
	fieldSubject:                         {"identificationInfo/*/descriptiveKeywords", "identificationInfo/*/topicCategory"},
	fieldKeywordType:                     {"identificationInfo/*/descriptiveKeywords/*/type"},
	fieldTopicCategory:                   {"identificationInfo/*/topicCategory"},
	fieldIdentifier:                      {"fileIdentifier"},
	fieldType:                            {"hierarchyLevel"},
	fieldModified:                        {"dateStamp"},
	fieldOrganisation:                    {"contact", "identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	fieldCreator:                         {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	fieldPublisher:                       {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	fieldContributor:                     {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	fieldResponsiblePartyRole:            {"contact", "identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	fieldFormat:                          {"distributionInfo/*/distributionFormat", "identificationInfo/*/resourceFormat"},
	fieldBoundingBox:                     {"identificationInfo/*/extent"},
	fieldLanguage:                        {"language"},
	fieldResourceLanguage:                {"identificationInfo/*/language"},
	fieldDCDate:                          {"identificationInfo/*/citation/*/date"},
	fieldRevisionDate:                    {"identificationInfo/*/citation/*/date"},
	fieldCreationDate:                    {"identificationInfo/*/citation/*/date"},
	fieldPublicationDate:                 {"identificationInfo/*/citation/*/date"},
	fieldResourceIdentifier:              {"identificationInfo/*/citation/*/identifier"},
	fieldParentIdentifier:                {"parentIdentifier"},
	fieldRelation:                        {"parentIdentifier", "identificationInfo/*/aggregationInfo", "identificationInfo/*/operatesOn"},
	fieldRefSystem:                       {"referenceSystemInfo"},
	fieldSpatialRef:                      {"referenceSystemInfo", "identificationInfo/*/extent/*/geographicElement/*/geographicIdentifier"},
	fieldReferences:                      {"distributionInfo/*/transferOptions", "identificationInfo/*/graphicOverview"},
	fieldRights:                          {"identificationInfo/*/resourceConstraints"},
	fieldAccessConstraints:               {"identificationInfo/*/resourceConstraints/*/accessConstraints"},
	fieldOtherConstraints:                {"identificationInfo/*/resourceConstraints/*/otherConstraints"},
	fieldClassification:                  {"identificationInfo/*/resourceConstraints/*/classification"},
	fieldConditionApplyingToAccessAndUse: {"identificationInfo/*/resourceConstraints/*/useLimitation"},
	fieldHasSecurityConstraints:          {"identificationInfo/*/resourceConstraints"},
	fieldSource:                          {"dataQualityInfo/*/lineage"},
	fieldLineage:                         {"dataQualityInfo/*/lineage"},
	fieldDegree:                          {"dataQualityInfo/*/report"},
	fieldSpecificationTitle:              {"dataQualityInfo/*/report"},
	fieldSpecificationDate:               {"dataQualityInfo/*/report"},
	fieldSpecificationDateType:           {"dataQualityInfo/*/report"},
	fieldServiceType:                     {"identificationInfo/*/serviceType"},
	fieldServiceTypeVersion:              {"identificationInfo/*/serviceTypeVersion"},
	fieldCouplingType:                    {"identificationInfo/*/couplingType"},
	fieldOperationName:                   {"identificationInfo/*/containsOperations"},
	fieldOperatesOn:                      {"identificationInfo/*/operatesOn"},
	fieldOperatesOnIdentifier:            {"identificationInfo/*/operatesOn", "identificationInfo/*/coupledResource"},
	fieldOperatesOnName:                  {"identificationInfo/*/operatesOn", "identificationInfo/*/coupledResource"},
	fieldDenominator:                     {"identificationInfo/*/spatialResolution"},
	fieldDistanceValue:                   {"identificationInfo/*/spatialResolution"},
	fieldDistanceUOM:                     {"identificationInfo/*/spatialResolution"},
	fieldTempExtentBegin:                 {"identificationInfo/*/extent"},
	fieldTempExtentEnd:                   {"identificationInfo/*/extent"},
}

// projectISO keeps, in an ISO record, the fileIdentifier and the elements
// of the named queryables. ok is false when the record cannot be read.
func projectISO(record []byte, names []string) ([]byte, bool) {
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = charsetReader
	if err := doc.ReadFromBytes(record); err != nil || doc.Root() == nil {
		return nil, false
	}
	patterns := []string{"fileIdentifier"}
	for _, n := range names {
		if f, ok := lookupField(n); ok {
			patterns = append(patterns, isoPaths[f]...)
		}
	}
	split := make([][]string, len(patterns))
	for i, p := range patterns {
		split[i] = strings.Split(p, "/")
	}
	prune(doc.Root(), nil, split)
	doc.Indent(etree.NoIndent)
	var out bytes.Buffer
	doc.Root().WriteTo(&out, &doc.WriteSettings)
	return out.Bytes(), true
}

// prune removes the children of el that neither match a pattern nor lead
// to one.
func prune(el *etree.Element, path []string, patterns [][]string) {
	for _, k := range el.ChildElements() {
		p := append(path[:len(path):len(path)], k.Tag)
		keep, inside := false, false
		for _, pat := range patterns {
			switch pathMatch(pat, p) {
			case 2:
				inside = true
			case 1:
				keep = true
			}
		}
		switch {
		case inside:
			// kept whole
		case keep:
			prune(k, p, patterns)
		default:
			el.RemoveChild(k)
		}
	}
}

// pathMatch compares an element path with a pattern: 2 when the path is
// the pattern (or below it), 1 when it leads to it, 0 otherwise.
func pathMatch(pat, path []string) int {
	for i, name := range path {
		if i >= len(pat) {
			return 2
		}
		if pat[i] != "*" && pat[i] != name {
			return 0
		}
	}
	if len(path) == len(pat) {
		return 2
	}
	return 1
}
