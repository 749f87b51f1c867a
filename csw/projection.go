package csw

import (
	"bytes"
	"strings"

	"github.com/beevik/etree"

	"github.com/passerelle/passerelle/iso"
)

// writeDCProjection writes a csw:Record holding only the named queryables
// (ElementName), each as its Dublin Core element; a queryable without one
// (ServiceType, Degree…) adds nothing, as the schema has no place for it.
func writeDCProjection(b *bytes.Buffer, ix *facIndex, r *iso.Record, names []string) {
	b.WriteString("<csw:Record>")
	box := false
	for _, n := range names {
		f, _ := facLookupField(n)
		switch f {
		case facIdentifier:
			facElem(b, "dc:identifier", ix.id)
		case facTitle:
			facElem(b, "dc:title", r.Title.Value)
		case facAbstract:
			facElem(b, "dct:abstract", r.Abstract.Value)
		case facType:
			facElem(b, "dc:type", ix.typ)
		case facSubject:
			for _, s := range facSubjects(r) {
				facElem(b, "dc:subject", s)
			}
		case facBoundingBox:
			box = true
		default:
			el := facQ[f].out
			if el == "" || el == "ows:BoundingBox" {
				continue
			}
			for _, v := range ix.values(f) {
				facElem(b, el, v.shown)
			}
		}
	}
	if box {
		facWriteOWSBoxes(b, ix.boxes)
	}
	b.WriteString("</csw:Record>")
}

// facISOPaths locates each queryable in an ISO 19139 record: paths of local
// names below the root, "*" for any element. A projection (ElementName with
// outputSchema gmd) keeps the fileIdentifier and these elements, with the
// elements leading to them, as pycsw does.
var facISOPaths = map[facField][]string{
	facTitle:                           {"identificationInfo/*/citation/*/title"},
	facAlternateTitle:                  {"identificationInfo/*/citation/*/alternateTitle"},
	facAbstract:                        {"identificationInfo/*/abstract"},
	facSubject:                         {"identificationInfo/*/descriptiveKeywords", "identificationInfo/*/topicCategory"},
	facKeywordType:                     {"identificationInfo/*/descriptiveKeywords/*/type"},
	facTopicCategory:                   {"identificationInfo/*/topicCategory"},
	facIdentifier:                      {"fileIdentifier"},
	facType:                            {"hierarchyLevel"},
	facModified:                        {"dateStamp"},
	facOrganisation:                    {"contact", "identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	facCreator:                         {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	facPublisher:                       {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	facContributor:                     {"identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	facResponsiblePartyRole:            {"contact", "identificationInfo/*/pointOfContact", "identificationInfo/*/citation/*/citedResponsibleParty"},
	facFormat:                          {"distributionInfo/*/distributionFormat", "identificationInfo/*/resourceFormat"},
	facBoundingBox:                     {"identificationInfo/*/extent"},
	facLanguage:                        {"language"},
	facResourceLanguage:                {"identificationInfo/*/language"},
	facDCDate:                          {"identificationInfo/*/citation/*/date"},
	facRevisionDate:                    {"identificationInfo/*/citation/*/date"},
	facCreationDate:                    {"identificationInfo/*/citation/*/date"},
	facPublicationDate:                 {"identificationInfo/*/citation/*/date"},
	facResourceIdentifier:              {"identificationInfo/*/citation/*/identifier"},
	facParentIdentifier:                {"parentIdentifier"},
	facRelation:                        {"parentIdentifier", "identificationInfo/*/aggregationInfo", "identificationInfo/*/operatesOn"},
	facRefSystem:                       {"referenceSystemInfo"},
	facSpatialRef:                      {"referenceSystemInfo", "identificationInfo/*/extent/*/geographicElement/*/geographicIdentifier"},
	facReferences:                      {"distributionInfo/*/transferOptions", "identificationInfo/*/graphicOverview"},
	facRights:                          {"identificationInfo/*/resourceConstraints"},
	facAccessConstraints:               {"identificationInfo/*/resourceConstraints/*/accessConstraints"},
	facOtherConstraints:                {"identificationInfo/*/resourceConstraints/*/otherConstraints"},
	facClassification:                  {"identificationInfo/*/resourceConstraints/*/classification"},
	facConditionApplyingToAccessAndUse: {"identificationInfo/*/resourceConstraints/*/useLimitation"},
	facHasSecurityConstraints:          {"identificationInfo/*/resourceConstraints"},
	facSource:                          {"dataQualityInfo/*/lineage"},
	facLineage:                         {"dataQualityInfo/*/lineage"},
	facDegree:                          {"dataQualityInfo/*/report"},
	facSpecificationTitle:              {"dataQualityInfo/*/report"},
	facSpecificationDate:               {"dataQualityInfo/*/report"},
	facSpecificationDateType:           {"dataQualityInfo/*/report"},
	facServiceType:                     {"identificationInfo/*/serviceType"},
	facServiceTypeVersion:              {"identificationInfo/*/serviceTypeVersion"},
	facCouplingType:                    {"identificationInfo/*/couplingType"},
	facOperationName:                   {"identificationInfo/*/containsOperations"},
	facOperatesOn:                      {"identificationInfo/*/operatesOn"},
	facOperatesOnIdentifier:            {"identificationInfo/*/operatesOn", "identificationInfo/*/coupledResource"},
	facOperatesOnName:                  {"identificationInfo/*/operatesOn", "identificationInfo/*/coupledResource"},
	facDenominator:                     {"identificationInfo/*/spatialResolution"},
	facDistanceValue:                   {"identificationInfo/*/spatialResolution"},
	facDistanceUOM:                     {"identificationInfo/*/spatialResolution"},
	facTempExtentBegin:                 {"identificationInfo/*/extent"},
	facTempExtentEnd:                   {"identificationInfo/*/extent"},
}

// projectISO keeps, in an ISO record, the fileIdentifier and the elements
// of the named queryables. ok is false when the record cannot be read.
func projectISO(record []byte, names []string) ([]byte, bool) {
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = facCharsetReader
	if err := doc.ReadFromBytes(record); err != nil || doc.Root() == nil {
		return nil, false
	}
	patterns := []string{"fileIdentifier"}
	for _, n := range names {
		if f, ok := facLookupField(n); ok {
			patterns = append(patterns, facISOPaths[f]...)
		}
	}
	split := make([][]string, len(patterns))
	for i, p := range patterns {
		split[i] = strings.Split(p, "/")
	}
	facPrune(doc.Root(), nil, split)
	doc.Indent(etree.NoIndent)
	var out bytes.Buffer
	doc.Root().WriteTo(&out, &doc.WriteSettings)
	return out.Bytes(), true
}

// facPrune removes the children of el that neither match a pattern nor lead
// to one.
func facPrune(el *etree.Element, path []string, patterns [][]string) {
	for _, k := range el.ChildElements() {
		p := append(path[:len(path):len(path)], k.Tag)
		keep, inside := false, false
		for _, pat := range patterns {
			switch facPathMatch(pat, p) {
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
			facPrune(k, p, patterns)
		default:
			el.RemoveChild(k)
		}
	}
}

// facPathMatch compares an element path with a pattern: 2 when the path is
// the pattern (or below it), 1 when it leads to it, 0 otherwise.
func facPathMatch(pat, path []string) int {
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
