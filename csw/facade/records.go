package facade

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// The CRS of ows:BoundingBox in csw:Record output: WGS 84 latitude first,
// as pycsw writes it and OWSLib reads it.
const boxCRS = "urn:ogc:def:crs:EPSG::4326"

// writeDC writes a Dublin Core csw:BriefRecord, csw:SummaryRecord or
// csw:Record built from the model. With element names, a csw:Record holding
// only those properties.
func writeDC(b *bytes.Buffer, e *Entry, r *iso.Record, esn string, names []string) {
	ix := e.index()
	if len(names) > 0 {
		writeDCProjection(b, ix, r, names)
		return
	}
	switch esn {
	case "brief":
		b.WriteString("<csw:BriefRecord>")
		elem(b, "dc:identifier", ix.id)
		elem(b, "dc:title", r.Title.Value)
		elem(b, "dc:type", ix.typ)
		writeOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:BriefRecord>")
	case "full":
		b.WriteString("<csw:Record>")
		for _, id := range ix.ids {
			elem(b, "dc:identifier", id)
		}
		elem(b, "dc:title", r.Title.Value)
		for _, t := range r.AlternateTitles {
			if t.Value != "" {
				elem(b, "dct:alternative", t.Value)
			}
		}
		summaryCore(b, ix, r)
		for _, d := range r.Dates {
			switch d.Type {
			case "creation":
				elem(b, "dct:created", d.Value)
			case "publication":
				elem(b, "dct:issued", d.Value)
			case "revision":
				elem(b, "dc:date", d.Value)
			}
		}
		for _, p := range partyElems(r) {
			elem(b, p[0], p[1])
		}
		if r.Language != "" {
			elem(b, "dc:language", r.Language)
		} else {
			for _, l := range r.ResourceLanguages {
				elem(b, "dc:language", l)
			}
		}
		for _, c := range r.Constraints {
			for _, t := range c.UseLimitations {
				if t.Value != "" {
					elem(b, "dc:rights", t.Value)
				}
			}
			for _, t := range c.OtherConstraints {
				if t.Value != "" {
					elem(b, "dc:rights", t.Value)
				}
			}
		}
		if r.Lineage.Value != "" {
			elem(b, "dc:source", r.Lineage.Value)
		}
		for _, o := range r.OnlineResources {
			if o.URL == "" {
				continue
			}
			b.WriteString("<dct:references")
			if o.Protocol != "" {
				attr(b, "scheme", o.Protocol)
			}
			b.WriteString(">")
			escText(b, o.URL)
			b.WriteString("</dct:references>")
		}
		for _, o := range r.Overviews {
			if o.URL != "" {
				b.WriteString(`<dct:references scheme="WWW:LINK-1.0-http--image-thumbnail">`)
				escText(b, o.URL)
				b.WriteString("</dct:references>")
			}
		}
		writeOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:Record>")
	default: // summary
		b.WriteString("<csw:SummaryRecord>")
		elem(b, "dc:identifier", ix.id)
		elem(b, "dc:title", r.Title.Value)
		summaryCore(b, ix, r)
		writeOWSBoxes(b, ix.boxes)
		b.WriteString("</csw:SummaryRecord>")
	}
}

// subjects lists keywords (default language) then topic categories.
func subjects(r *iso.Record) []string {
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

// partyElems maps responsible parties to dc:creator / dc:publisher /
// dc:contributor by role, deduplicated.
func partyElems(r *iso.Record) [][2]string {
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

func writeOWSBoxes(b *bytes.Buffer, boxes []iso.BoundingBox) {
	for _, x := range boxes {
		b.WriteString(`<ows:BoundingBox crs="` + boxCRS + `" dimensions="2"><ows:LowerCorner>`)
		b.WriteString(float(x.South) + " " + float(x.West))
		b.WriteString(`</ows:LowerCorner><ows:UpperCorner>`)
		b.WriteString(float(x.North) + " " + float(x.East))
		b.WriteString(`</ows:UpperCorner></ows:BoundingBox>`)
	}
}

const codeLists = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"

// writeISO writes a gmd:MD_Metadata brief or summary record built from the
// model (ISO AP 1.0 element sets), valid against gmd.xsd: mandatory
// elements the model lacks are written with gco:nilReason="missing".
func writeISO(b *bytes.Buffer, e *Entry, r *iso.Record, esn string) {
	ix := e.index()
	summary := esn == "summary"
	service := r.IdentificationKind == "service" || (r.IdentificationKind == "" && ix.typ == "service")
	b.WriteString("<gmd:MD_Metadata>")
	b.WriteString("<gmd:fileIdentifier>")
	elem(b, "gco:CharacterString", ix.id)
	b.WriteString("</gmd:fileIdentifier>")
	if summary {
		charProp(b, "gmd:language", r.Language)
		if r.CharacterSet != "" {
			code(b, "gmd:characterSet", "MD_CharacterSetCode", r.CharacterSet)
		}
		if r.ParentIdentifier != "" {
			charProp(b, "gmd:parentIdentifier", r.ParentIdentifier)
		}
	}
	code(b, "gmd:hierarchyLevel", "MD_ScopeCode", ix.typ)
	if summary && len(r.Contacts) > 0 {
		for _, p := range r.Contacts {
			b.WriteString("<gmd:contact>")
			party(b, p)
			b.WriteString("</gmd:contact>")
		}
	} else {
		b.WriteString(`<gmd:contact gco:nilReason="missing"/>`)
	}
	dateProp(b, "gmd:dateStamp", r.DateStamp)
	if summary {
		if r.StandardName != "" {
			charProp(b, "gmd:metadataStandardName", r.StandardName)
		}
		if r.StandardVersion != "" {
			charProp(b, "gmd:metadataStandardVersion", r.StandardVersion)
		}
		for _, rs := range r.ReferenceSystems {
			if rs.Code == "" {
				continue
			}
			b.WriteString("<gmd:referenceSystemInfo><gmd:MD_ReferenceSystem><gmd:referenceSystemIdentifier><gmd:RS_Identifier>")
			charProp(b, "gmd:code", rs.Code)
			if rs.CodeSpace != "" {
				charProp(b, "gmd:codeSpace", rs.CodeSpace)
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
	charProp(b, "gmd:title", r.Title.Value)
	dates := 0
	for _, d := range r.Dates {
		el, ok := dateValue(d.Value)
		if !ok || d.Type == "" {
			continue
		}
		b.WriteString("<gmd:date><gmd:CI_Date><gmd:date>")
		b.WriteString(el)
		b.WriteString("</gmd:date>")
		code(b, "gmd:dateType", "CI_DateTypeCode", d.Type)
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
			charProp(b, "gmd:code", id.Code)
			b.WriteString("</gmd:MD_Identifier></gmd:identifier>")
		}
	}
	b.WriteString("</gmd:CI_Citation></gmd:citation>")
	if summary {
		charProp(b, "gmd:abstract", r.Abstract.Value)
		for _, p := range r.Parties {
			if p.Place != "pointOfContact" {
				continue
			}
			b.WriteString("<gmd:pointOfContact>")
			party(b, p)
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
		charProp(b, "gmd:fileName", o.URL)
		if summary && o.Description != "" {
			charProp(b, "gmd:fileDescription", o.Description)
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
					charProp(b, "gmd:keyword", k.Value)
				}
			}
			if g.Type != "" {
				code(b, "gmd:type", "MD_KeywordTypeCode", g.Type)
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
			elem(b, "gco:LocalName", st)
			b.WriteString("</srv:serviceType>")
		} else {
			b.WriteString(`<srv:serviceType gco:nilReason="missing"/>`)
		}
		if r.Service != nil {
			for _, v := range r.Service.TypeVersions {
				charProp(b, "srv:serviceTypeVersion", v)
			}
		}
		writeExtent(b, "srv:extent", ix.boxes)
		ct := ""
		if r.Service != nil {
			ct = r.Service.CouplingType
		}
		if ct != "" && summary {
			b.WriteString(`<srv:couplingType><srv:SV_CouplingType codeList="` + codeLists + `SV_CouplingType"`)
			attr(b, "codeListValue", ct)
			b.WriteString(">")
			escText(b, ct)
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
					attr(b, "uuidref", o.UUIDRef)
				}
				if o.Href != "" {
					attr(b, "xlink:href", o.Href)
					b.WriteString(` xmlns:xlink="http://www.w3.org/1999/xlink"`)
				}
				b.WriteString("/>")
			}
		}
	} else {
		langs := r.ResourceLanguages
		if summary && len(langs) > 0 {
			for _, l := range langs {
				charProp(b, "gmd:language", l)
			}
		} else {
			b.WriteString(`<gmd:language gco:nilReason="missing"/>`)
		}
		if summary {
			for _, t := range r.TopicCategories {
				if topicCategories[t] {
					b.WriteString("<gmd:topicCategory>")
					elem(b, "gmd:MD_TopicCategoryCode", t)
					b.WriteString("</gmd:topicCategory>")
				}
			}
		}
		writeExtent(b, "gmd:extent", ix.boxes)
	}
	b.WriteString("</" + ident + "></gmd:identificationInfo>")
	if summary && (len(r.DistributionFormats) > 0 || len(r.OnlineResources) > 0) {
		b.WriteString("<gmd:distributionInfo><gmd:MD_Distribution>")
		for _, f := range r.DistributionFormats {
			if f.Name == "" {
				continue
			}
			b.WriteString("<gmd:distributionFormat><gmd:MD_Format>")
			charProp(b, "gmd:name", f.Name)
			charProp(b, "gmd:version", f.Version)
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
			elem(b, "gmd:URL", o.URL)
			b.WriteString("</gmd:linkage>")
			if o.Protocol != "" {
				charProp(b, "gmd:protocol", o.Protocol)
			}
			if o.Name != "" {
				charProp(b, "gmd:name", o.Name)
			}
			if o.Description != "" {
				charProp(b, "gmd:description", o.Description)
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

// topicCategories is the MD_TopicCategoryCode enumeration: other values
// would make the record schema-invalid.
var topicCategories = map[string]bool{
	"farming": true, "biota": true, "boundaries": true, "climatologyMeteorologyAtmosphere": true,
	"economy": true, "elevation": true, "environment": true, "geoscientificInformation": true,
	"health": true, "imageryBaseMapsEarthCover": true, "intelligenceMilitary": true,
	"inlandWaters": true, "location": true, "oceans": true, "planningCadastre": true, "society": true,
	"structure": true, "transportation": true, "utilitiesCommunication": true,
}

func charProp(b *bytes.Buffer, name, v string) {
	if strings.TrimSpace(v) == "" {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + ">")
	elem(b, "gco:CharacterString", v)
	b.WriteString("</" + name + ">")
}

func code(b *bytes.Buffer, name, list, v string) {
	if v == "" {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + "><gmd:" + list + ` codeList="` + codeLists + list + `"`)
	attr(b, "codeListValue", v)
	b.WriteString(">")
	escText(b, v)
	b.WriteString("</gmd:" + list + "></" + name + ">")
}

func party(b *bytes.Buffer, p iso.Party) {
	b.WriteString("<gmd:CI_ResponsibleParty>")
	if p.Individual.Value != "" {
		charProp(b, "gmd:individualName", p.Individual.Value)
	}
	if p.Organisation.Value != "" {
		charProp(b, "gmd:organisationName", p.Organisation.Value)
	}
	if p.Position != "" {
		charProp(b, "gmd:positionName", p.Position)
	}
	if len(p.Emails) > 0 {
		b.WriteString("<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>")
		for _, m := range p.Emails {
			charProp(b, "gmd:electronicMailAddress", m)
		}
		b.WriteString("</gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>")
	}
	b.WriteString("<gmd:role>")
	if p.Role != "" {
		b.WriteString(`<gmd:CI_RoleCode codeList="` + codeLists + `CI_RoleCode"`)
		attr(b, "codeListValue", p.Role)
		b.WriteString(">")
		escText(b, p.Role)
		b.WriteString("</gmd:CI_RoleCode>")
	}
	b.WriteString("</gmd:role>")
	b.WriteString("</gmd:CI_ResponsibleParty>")
}

// dateValue renders a date as gco:Date or gco:DateTime when it has a
// valid XML Schema form.
func dateValue(v string) (string, bool) {
	v = strings.TrimSpace(v)
	d, ok := parseDate(v)
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

func dateProp(b *bytes.Buffer, name, v string) {
	el, ok := dateValue(v)
	if !ok {
		b.WriteString("<" + name + ` gco:nilReason="missing"/>`)
		return
	}
	b.WriteString("<" + name + ">" + el + "</" + name + ">")
}

func writeExtent(b *bytes.Buffer, name string, boxes []iso.BoundingBox) {
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

// summaryCore writes the Dublin Core elements the summary and full
// csw:Record share, in schema order: type, subjects, formats, relation,
// modified dates, abstract.
func summaryCore(b *bytes.Buffer, ix *index, r *iso.Record) {
	elem(b, "dc:type", ix.typ)
	for _, s := range subjects(r) {
		elem(b, "dc:subject", s)
	}
	for _, v := range ix.values(fieldFormat) {
		elem(b, "dc:format", v.shown)
	}
	if r.ParentIdentifier != "" {
		elem(b, "dc:relation", r.ParentIdentifier)
	}
	for _, v := range ix.values(fieldModified) {
		elem(b, "dct:modified", v.shown)
	}
	if r.Abstract.Value != "" {
		elem(b, "dct:abstract", r.Abstract.Value)
	}
}
