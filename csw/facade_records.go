package csw

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// The CRS of ows:BoundingBox in csw:Record output: WGS 84 latitude first,
// as pycsw writes it and OWSLib reads it.
const facBoxCRS = "urn:ogc:def:crs:EPSG::4326"

// writeDC writes a Dublin Core csw:BriefRecord, csw:SummaryRecord or
// csw:Record built from the model. With element names, a csw:Record holding
// only those properties.
func writeDC(b *bytes.Buffer, e *Entry, esn string, names []string) {
	ix := e.index()
	r := e.Record
	if r == nil {
		r = &iso.Record{}
	}
	if len(names) > 0 {
		writeDCProjection(b, ix, r, names)
		return
	}
	switch esn {
	case "brief":
		b.WriteString("<csw:BriefRecord>")
		facElem(b, "dc:identifier", ix.id)
		facElem(b, "dc:title", r.Title.Value)
		facElem(b, "dc:type", ix.typ)
		facWriteOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:BriefRecord>")
	case "full":
		b.WriteString("<csw:Record>")
		for _, id := range ix.ids {
			facElem(b, "dc:identifier", id)
		}
		facElem(b, "dc:title", r.Title.Value)
		for _, t := range r.AlternateTitles {
			if t.Value != "" {
				facElem(b, "dct:alternative", t.Value)
			}
		}
		facSummaryCore(b, ix, r)
		for _, d := range r.Dates {
			switch d.Type {
			case "creation":
				facElem(b, "dct:created", d.Value)
			case "publication":
				facElem(b, "dct:issued", d.Value)
			case "revision":
				facElem(b, "dc:date", d.Value)
			}
		}
		for _, p := range facPartyElems(r) {
			facElem(b, p[0], p[1])
		}
		if r.Language != "" {
			facElem(b, "dc:language", r.Language)
		} else {
			for _, l := range r.ResourceLanguages {
				facElem(b, "dc:language", l)
			}
		}
		for _, c := range r.Constraints {
			for _, t := range c.UseLimitations {
				if t.Value != "" {
					facElem(b, "dc:rights", t.Value)
				}
			}
			for _, t := range c.OtherConstraints {
				if t.Value != "" {
					facElem(b, "dc:rights", t.Value)
				}
			}
		}
		if r.Lineage.Value != "" {
			facElem(b, "dc:source", r.Lineage.Value)
		}
		for _, o := range r.OnlineResources {
			if o.URL == "" {
				continue
			}
			b.WriteString("<dct:references")
			if o.Protocol != "" {
				facAttr(b, "scheme", o.Protocol)
			}
			b.WriteString(">")
			facEscText(b, o.URL)
			b.WriteString("</dct:references>")
		}
		for _, o := range r.Overviews {
			if o.URL != "" {
				b.WriteString(`<dct:references scheme="WWW:LINK-1.0-http--image-thumbnail">`)
				facEscText(b, o.URL)
				b.WriteString("</dct:references>")
			}
		}
		facWriteOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:Record>")
	default: // summary
		b.WriteString("<csw:SummaryRecord>")
		facElem(b, "dc:identifier", ix.id)
		facElem(b, "dc:title", r.Title.Value)
		facSummaryCore(b, ix, r)
		facWriteOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:SummaryRecord>")
	}
}

// facSubjects lists keywords (default language) then topic categories.
func facSubjects(r *iso.Record) []string {
	var out []string
	for _, g := range r.Keywords {
		for _, k := range g.Keywords {
			if k.Value != "" {
				out = append(out, k.Value)
			}
		}
	}
	return append(out, r.TopicCategories...)
}

// facPartyElems maps responsible parties to dc:creator / dc:publisher /
// dc:contributor by role, deduplicated.
func facPartyElems(r *iso.Record) [][2]string {
	var out [][2]string
	seen := map[[2]string]bool{}
	for _, p := range r.Parties {
		name := p.Organisation.Value
		if name == "" {
			name = p.Individual.Value
		}
		if name == "" {
			continue
		}
		el := "dc:contributor"
		switch p.Role {
		case "originator", "author", "principalInvestigator":
			el = "dc:creator"
		case "publisher", "distributor", "owner", "custodian", "pointOfContact", "resourceProvider":
			el = "dc:publisher"
		}
		k := [2]string{el, name}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func facWriteOWSBoxes(b *bytes.Buffer, boxes []iso.BoundingBox) {
	for _, x := range boxes {
		b.WriteString(`<ows:BoundingBox crs="` + facBoxCRS + `" dimensions="2"><ows:LowerCorner>`)
		b.WriteString(facFloat(x.South) + " " + facFloat(x.West))
		b.WriteString(`</ows:LowerCorner><ows:UpperCorner>`)
		b.WriteString(facFloat(x.North) + " " + facFloat(x.East))
		b.WriteString(`</ows:UpperCorner></ows:BoundingBox>`)
	}
}

const facCodeLists = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"

// writeISO writes a gmd:MD_Metadata brief or summary record built from the
// model (ISO AP 1.0 element sets), valid against gmd.xsd: mandatory
// elements the model lacks are written with gco:nilReason="missing".
func writeISO(b *bytes.Buffer, e *Entry, esn string) {
	ix := e.index()
	r := e.Record
	if r == nil {
		r = &iso.Record{}
	}
	summary := esn == "summary"
	service := r.IdentificationKind == "service" || (r.IdentificationKind == "" && ix.typ == "service")
	b.WriteString("<gmd:MD_Metadata>")
	b.WriteString("<gmd:fileIdentifier>")
	facElem(b, "gco:CharacterString", ix.id)
	b.WriteString("</gmd:fileIdentifier>")
	if summary {
		facCharProp(b, "gmd:language", r.Language)
		if r.CharacterSet != "" {
			facCode(b, "gmd:characterSet", "MD_CharacterSetCode", r.CharacterSet)
		}
		if r.ParentIdentifier != "" {
			facCharProp(b, "gmd:parentIdentifier", r.ParentIdentifier)
		}
	}
	facCode(b, "gmd:hierarchyLevel", "MD_ScopeCode", ix.typ)
	if summary && len(r.Contacts) > 0 {
		for _, p := range r.Contacts {
			b.WriteString("<gmd:contact>")
			facParty(b, p)
			b.WriteString("</gmd:contact>")
		}
	} else {
		b.WriteString(`<gmd:contact gco:nilReason="missing"/>`)
	}
	facDateProp(b, "gmd:dateStamp", r.DateStamp)
	if summary {
		if r.StandardName != "" {
			facCharProp(b, "gmd:metadataStandardName", r.StandardName)
		}
		if r.StandardVersion != "" {
			facCharProp(b, "gmd:metadataStandardVersion", r.StandardVersion)
		}
		for _, rs := range r.ReferenceSystems {
			if rs.Code == "" {
				continue
			}
			b.WriteString("<gmd:referenceSystemInfo><gmd:MD_ReferenceSystem><gmd:referenceSystemIdentifier><gmd:RS_Identifier>")
			facCharProp(b, "gmd:code", rs.Code)
			if rs.CodeSpace != "" {
				facCharProp(b, "gmd:codeSpace", rs.CodeSpace)
			}
			b.WriteString("</gmd:RS_Identifier></gmd:referenceSystemIdentifier></gmd:MD_ReferenceSystem></gmd:referenceSystemInfo>")
		}
	}
	ident := "gmd:MD_DataIdentification"
	if service {
		ident = "srv:SV_ServiceIdentification"
	}
	b.WriteString("<gmd:identificationInfo><" + ident + ">")
	// Citation.
	b.WriteString("<gmd:citation><gmd:CI_Citation>")
	facCharProp(b, "gmd:title", r.Title.Value)
	dates := 0
	for _, d := range r.Dates {
		el, ok := facDateValue(d.Value)
		if !ok || d.Type == "" {
			continue
		}
		b.WriteString("<gmd:date><gmd:CI_Date><gmd:date>")
		b.WriteString(el)
		b.WriteString("</gmd:date>")
		facCode(b, "gmd:dateType", "CI_DateTypeCode", d.Type)
		b.WriteString("</gmd:CI_Date></gmd:date>")
		dates++
	}
	if dates == 0 {
		b.WriteString(`<gmd:date gco:nilReason="missing"/>`)
	}
	if summary {
		for _, id := range r.Identifiers {
			if id.Code == "" {
				continue
			}
			b.WriteString("<gmd:identifier><gmd:MD_Identifier>")
			facCharProp(b, "gmd:code", id.Code)
			b.WriteString("</gmd:MD_Identifier></gmd:identifier>")
		}
	}
	b.WriteString("</gmd:CI_Citation></gmd:citation>")
	if summary {
		facCharProp(b, "gmd:abstract", r.Abstract.Value)
		for _, p := range r.Parties {
			if p.Place != "pointOfContact" {
				continue
			}
			b.WriteString("<gmd:pointOfContact>")
			facParty(b, p)
			b.WriteString("</gmd:pointOfContact>")
		}
	} else {
		b.WriteString(`<gmd:abstract gco:nilReason="missing"/>`)
	}
	for _, o := range r.Overviews {
		if o.URL == "" {
			continue
		}
		b.WriteString("<gmd:graphicOverview><gmd:MD_BrowseGraphic>")
		facCharProp(b, "gmd:fileName", o.URL)
		if summary && o.Description != "" {
			facCharProp(b, "gmd:fileDescription", o.Description)
		}
		b.WriteString("</gmd:MD_BrowseGraphic></gmd:graphicOverview>")
	}
	if summary {
		for _, g := range r.Keywords {
			n := 0
			for _, k := range g.Keywords {
				if k.Value != "" {
					n++
				}
			}
			if n == 0 {
				continue
			}
			b.WriteString("<gmd:descriptiveKeywords><gmd:MD_Keywords>")
			for _, k := range g.Keywords {
				if k.Value != "" {
					facCharProp(b, "gmd:keyword", k.Value)
				}
			}
			if g.Type != "" {
				facCode(b, "gmd:type", "MD_KeywordTypeCode", g.Type)
			}
			b.WriteString("</gmd:MD_Keywords></gmd:descriptiveKeywords>")
		}
	}
	if service {
		st := ""
		if r.Service != nil {
			st = r.Service.Type
		}
		if st != "" {
			b.WriteString("<srv:serviceType>")
			facElem(b, "gco:LocalName", st)
			b.WriteString("</srv:serviceType>")
		} else {
			b.WriteString(`<srv:serviceType gco:nilReason="missing"/>`)
		}
		if r.Service != nil {
			for _, v := range r.Service.TypeVersions {
				facCharProp(b, "srv:serviceTypeVersion", v)
			}
		}
		facWriteExtent(b, "srv:extent", ix.boxes)
		ct := ""
		if r.Service != nil {
			ct = r.Service.CouplingType
		}
		if ct != "" && summary {
			b.WriteString(`<srv:couplingType><srv:SV_CouplingType codeList="` + facCodeLists + `SV_CouplingType"`)
			facAttr(b, "codeListValue", ct)
			b.WriteString(">")
			facEscText(b, ct)
			b.WriteString("</srv:SV_CouplingType></srv:couplingType>")
		} else {
			b.WriteString(`<srv:couplingType gco:nilReason="missing"/>`)
		}
		b.WriteString(`<srv:containsOperations gco:nilReason="missing"/>`)
		if summary && r.Service != nil {
			for _, o := range r.Service.OperatesOn {
				if o.UUIDRef == "" && o.Href == "" {
					continue
				}
				b.WriteString("<srv:operatesOn")
				if o.UUIDRef != "" {
					facAttr(b, "uuidref", o.UUIDRef)
				}
				if o.Href != "" {
					facAttr(b, "xlink:href", o.Href)
					b.WriteString(` xmlns:xlink="http://www.w3.org/1999/xlink"`)
				}
				b.WriteString("/>")
			}
		}
	} else {
		langs := r.ResourceLanguages
		if summary && len(langs) > 0 {
			for _, l := range langs {
				facCharProp(b, "gmd:language", l)
			}
		} else {
			b.WriteString(`<gmd:language gco:nilReason="missing"/>`)
		}
		if summary {
			for _, t := range r.TopicCategories {
				if facTopicCategories[t] {
					b.WriteString("<gmd:topicCategory>")
					facElem(b, "gmd:MD_TopicCategoryCode", t)
					b.WriteString("</gmd:topicCategory>")
				}
			}
		}
		facWriteExtent(b, "gmd:extent", ix.boxes)
	}
	b.WriteString("</" + ident + "></gmd:identificationInfo>")
	if summary && (len(r.DistributionFormats) > 0 || len(r.OnlineResources) > 0) {
		b.WriteString("<gmd:distributionInfo><gmd:MD_Distribution>")
		for _, f := range r.DistributionFormats {
			if f.Name == "" {
				continue
			}
			b.WriteString("<gmd:distributionFormat><gmd:MD_Format>")
			facCharProp(b, "gmd:name", f.Name)
			facCharProp(b, "gmd:version", f.Version)
			b.WriteString("</gmd:MD_Format></gmd:distributionFormat>")
		}
		n := 0
		for _, o := range r.OnlineResources {
			if o.URL == "" {
				continue
			}
			if n == 0 {
				b.WriteString("<gmd:transferOptions><gmd:MD_DigitalTransferOptions>")
			}
			n++
			b.WriteString("<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage>")
			facElem(b, "gmd:URL", o.URL)
			b.WriteString("</gmd:linkage>")
			if o.Protocol != "" {
				facCharProp(b, "gmd:protocol", o.Protocol)
			}
			if o.Name != "" {
				facCharProp(b, "gmd:name", o.Name)
			}
			if o.Description != "" {
				facCharProp(b, "gmd:description", o.Description)
			}
			b.WriteString("</gmd:CI_OnlineResource></gmd:onLine>")
		}
		if n > 0 {
			b.WriteString("</gmd:MD_DigitalTransferOptions></gmd:transferOptions>")
		}
		b.WriteString("</gmd:MD_Distribution></gmd:distributionInfo>")
	}
	b.WriteString("</gmd:MD_Metadata>")
}

// facTopicCategories is the MD_TopicCategoryCode enumeration: other values
// would make the record schema-invalid.
var facTopicCategories = map[string]bool{
	"farming": true, "biota": true, "boundaries": true, "climatologyMeteorologyAtmosphere": true,
	"economy": true, "elevation": true, "environment": true, "geoscientificInformation": true,
	"health": true, "imageryBaseMapsEarthCover": true, "intelligenceMilitary": true,
	"inlandWaters": true, "location": true, "oceans": true, "planningCadastre": true, "society": true,
	"structure": true, "transportation": true, "utilitiesCommunication": true,
}

func facCharProp(b *bytes.Buffer, name, v string) {
	if strings.TrimSpace(v) == "" {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + ">")
	facElem(b, "gco:CharacterString", v)
	b.WriteString("</" + name + ">")
}

func facCode(b *bytes.Buffer, name, list, v string) {
	if v == "" {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + "><gmd:" + list + ` codeList="` + facCodeLists + list + `"`)
	facAttr(b, "codeListValue", v)
	b.WriteString(">")
	facEscText(b, v)
	b.WriteString("</gmd:" + list + "></" + name + ">")
}

func facParty(b *bytes.Buffer, p iso.Party) {
	b.WriteString("<gmd:CI_ResponsibleParty>")
	if p.Individual.Value != "" {
		facCharProp(b, "gmd:individualName", p.Individual.Value)
	}
	if p.Organisation.Value != "" {
		facCharProp(b, "gmd:organisationName", p.Organisation.Value)
	}
	if p.Position != "" {
		facCharProp(b, "gmd:positionName", p.Position)
	}
	if len(p.Emails) > 0 {
		b.WriteString("<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>")
		for _, m := range p.Emails {
			facCharProp(b, "gmd:electronicMailAddress", m)
		}
		b.WriteString("</gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>")
	}
	b.WriteString("<gmd:role>")
	if p.Role != "" {
		b.WriteString(`<gmd:CI_RoleCode codeList="` + facCodeLists + `CI_RoleCode"`)
		facAttr(b, "codeListValue", p.Role)
		b.WriteString(">")
		facEscText(b, p.Role)
		b.WriteString("</gmd:CI_RoleCode>")
	}
	b.WriteString("</gmd:role>")
	b.WriteString("</gmd:CI_ResponsibleParty>")
}

// facDateValue renders a date as gco:Date or gco:DateTime when it has a
// valid XML Schema form.
func facDateValue(v string) (string, bool) {
	v = strings.TrimSpace(v)
	d, ok := facParseDate(v)
	if !ok {
		return "", false
	}
	if d.dateOnly {
		switch len(v) {
		case 4:
			return "<gco:Date>" + d.t.Format("2006") + "</gco:Date>", true
		case 7:
			return "<gco:Date>" + d.t.Format("2006-01") + "</gco:Date>", true
		}
		return "<gco:Date>" + d.t.Format("2006-01-02") + "</gco:Date>", true
	}
	return "<gco:DateTime>" + d.t.Format("2006-01-02T15:04:05") + "</gco:DateTime>", true
}

func facDateProp(b *bytes.Buffer, name, v string) {
	el, ok := facDateValue(v)
	if !ok {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + ">" + el + "</" + name + ">")
}

func facWriteExtent(b *bytes.Buffer, name string, boxes []iso.BoundingBox) {
	if len(boxes) == 0 {
		return
	}
	b.WriteString("<" + name + "><gmd:EX_Extent>")
	for _, x := range boxes {
		b.WriteString("<gmd:geographicElement><gmd:EX_GeographicBoundingBox>")
		for _, c := range [...]struct {
			el string
			v  float64
		}{{"gmd:westBoundLongitude", x.West}, {"gmd:eastBoundLongitude", x.East}, {"gmd:southBoundLatitude", x.South}, {"gmd:northBoundLatitude", x.North}} {
			b.WriteString("<" + c.el + "><gco:Decimal>" + strconv.FormatFloat(c.v, 'f', -1, 64) + "</gco:Decimal></" + c.el + ">")
		}
		b.WriteString("</gmd:EX_GeographicBoundingBox></gmd:geographicElement>")
	}
	b.WriteString("</gmd:EX_Extent></" + name + ">")
}

// facSummaryCore writes the Dublin Core elements the summary and full
// csw:Record share, in schema order: type, subjects, formats, relation,
// modified dates, abstract.
func facSummaryCore(b *bytes.Buffer, ix *facIndex, r *iso.Record) {
	facElem(b, "dc:type", ix.typ)
	for _, s := range facSubjects(r) {
		facElem(b, "dc:subject", s)
	}
	for _, v := range ix.values(facFormat) {
		facElem(b, "dc:format", v.shown)
	}
	if r.ParentIdentifier != "" {
		facElem(b, "dc:relation", r.ParentIdentifier)
	}
	for _, v := range ix.values(facModified) {
		facElem(b, "dct:modified", v.shown)
	}
	if r.Abstract.Value != "" {
		facElem(b, "dct:abstract", r.Abstract.Value)
	}
}
