package facade

import (
	"bytes"
	"sort"
	"strings"

	"github.com/passerelle/passerelle/csw"
)

// The queryables the facade supports, as advertised: every ISO AP 1.0
// queryable (supported and INSPIRE additional) and every core queryable.
var (
	isoQueryables        = queryableNames("supported")
	additionalQueryables = queryableNames("additional")
	dcQueryables         = queryableNames("core")
)

func (f *Facade) outputSchemas() []string {
	s := []string{SchemaCSW, SchemaISO, SchemaAtom}
	if f.DCAT != nil {
		s = append(s, SchemaDCAT, SchemaGeoDCAT)
	}
	return s
}

// writeCapabilities writes csw:Capabilities. Every operation advertises
// ep.URL for GET and POST; ogc:Filter_Capabilities is always present (the
// schema requires it).
func (f *Facade) writeCapabilities(b *bytes.Buffer, ep Endpoint, req *Request) {
	want := func(s string) bool {
		if len(req.Sections) == 0 {
			return true
		}
		for _, x := range req.Sections {
			if x == s {
				return true
			}
		}
		return false
	}
	b.Grow(8192)
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:Capabilities xmlns:csw="` + csw.NSCSW + `" xmlns:ows="` + csw.NSOWS + `" xmlns:ogc="` + csw.NSOGC + `" xmlns:gml="` + csw.NSGML + `" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="` + csw.NSXSI + `" version="2.0.2" xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	if want("ServiceIdentification") {
		b.WriteString("<ows:ServiceIdentification>")
		title := ep.Title
		if title == "" {
			title = "passerelle CSW"
		}
		elem(b, "ows:Title", title)
		if ep.Abstract != "" {
			elem(b, "ows:Abstract", ep.Abstract)
		}
		b.WriteString(`<ows:ServiceType codeSpace="OGC">CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2</ows:ServiceTypeVersion>`)
		b.WriteString(`<ows:Fees>none</ows:Fees><ows:AccessConstraints>none</ows:AccessConstraints></ows:ServiceIdentification>`)
	}
	if want("ServiceProvider") {
		b.WriteString("<ows:ServiceProvider>")
		prov := ep.Provider
		if prov == "" {
			prov = "passerelle"
		}
		elem(b, "ows:ProviderName", prov)
		b.WriteString("<ows:ServiceContact/></ows:ServiceProvider>")
	}
	if want("OperationsMetadata") {
		f.writeOperations(b, ep)
	}
	b.WriteString(`<ogc:Filter_Capabilities><ogc:Spatial_Capabilities><ogc:GeometryOperands><ogc:GeometryOperand>gml:Envelope</ogc:GeometryOperand><ogc:GeometryOperand>gml:Polygon</ogc:GeometryOperand><ogc:GeometryOperand>gml:Point</ogc:GeometryOperand></ogc:GeometryOperands>`)
	b.WriteString(`<ogc:SpatialOperators>`)
	for _, op := range []string{"BBOX", "Intersects", "Within", "Contains", "Disjoint", "Equals", "Overlaps"} {
		b.WriteString(`<ogc:SpatialOperator name="` + op + `"/>`)
	}
	b.WriteString(`</ogc:SpatialOperators></ogc:Spatial_Capabilities>`)
	b.WriteString(`<ogc:Scalar_Capabilities><ogc:LogicalOperators/><ogc:ComparisonOperators>`)
	for _, op := range []string{"LessThan", "GreaterThan", "LessThanEqualTo", "GreaterThanEqualTo", "EqualTo", "NotEqualTo", "Like", "Between", "NullCheck"} {
		b.WriteString("<ogc:ComparisonOperator>" + op + "</ogc:ComparisonOperator>")
	}
	b.WriteString(`</ogc:ComparisonOperators><ogc:ArithmeticOperators><ogc:Functions><ogc:FunctionNames><ogc:FunctionName nArgs="1">lower</ogc:FunctionName><ogc:FunctionName nArgs="1">upper</ogc:FunctionName></ogc:FunctionNames></ogc:Functions></ogc:ArithmeticOperators></ogc:Scalar_Capabilities><ogc:Id_Capabilities><ogc:EID/><ogc:FID/></ogc:Id_Capabilities></ogc:Filter_Capabilities>`)
	b.WriteString("</csw:Capabilities>\n")
}

func param(b *bytes.Buffer, tag, name string, values ...string) {
	b.WriteString("<ows:" + tag)
	attr(b, "name", name)
	b.WriteString(">")
	for _, v := range values {
		elem(b, "ows:Value", v)
	}
	b.WriteString("</ows:" + tag + ">")
}

func (f *Facade) writeOperations(b *bytes.Buffer, ep Endpoint) {
	schemas := f.outputSchemas()
	op := func(name string, body func()) {
		b.WriteString(`<ows:Operation name="` + name + `"><ows:DCP><ows:HTTP><ows:Get`)
		attr(b, "xlink:href", ep.URL)
		b.WriteString(`/><ows:Post`)
		attr(b, "xlink:href", ep.URL)
		b.WriteString(`/></ows:HTTP></ows:DCP>`)
		body()
		b.WriteString("</ows:Operation>")
	}
	b.WriteString("<ows:OperationsMetadata>")
	op(OpGetCapabilities, func() {
		param(b, "Parameter", "sections", "ServiceIdentification", "ServiceProvider", "OperationsMetadata", "Filter_Capabilities")
	})
	op(OpDescribeRecord, func() {
		param(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		param(b, "Parameter", "schemaLanguage", "http://www.w3.org/XML/Schema")
		param(b, "Parameter", "typeName", TypeRecord, TypeMDMetadata)
	})
	op(OpGetDomain, func() {
		param(b, "Parameter", "ParameterName", "GetRecords.resultType", "GetRecords.outputSchema", "GetRecords.typeNames", "GetRecords.ElementSetName", "GetRecords.CONSTRAINTLANGUAGE", "GetRecordById.outputSchema")
		param(b, "Parameter", "PropertyName", domainProperties...)
	})
	op(OpGetRecords, func() {
		param(b, "Parameter", "resultType", "hits", "results", "validate")
		param(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		param(b, "Parameter", "outputSchema", schemas...)
		param(b, "Parameter", "typeNames", TypeRecord, TypeMDMetadata)
		param(b, "Parameter", "CONSTRAINTLANGUAGE", "FILTER", "CQL_TEXT")
		param(b, "Parameter", "ElementSetName", "brief", "summary", "full")
		param(b, "Constraint", "SupportedISOQueryables", isoQueryables...)
		param(b, "Constraint", "AdditionalQueryables", additionalQueryables...)
		param(b, "Constraint", "SupportedDublinCoreQueryables", dcQueryables...)
	})
	op(OpGetRecordByID, func() {
		param(b, "Parameter", "outputSchema", schemas...)
		param(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		param(b, "Parameter", "ElementSetName", "brief", "summary", "full")
	})
	param(b, "Parameter", "service", "CSW")
	param(b, "Parameter", "version", "2.0.2")
	param(b, "Constraint", "MaxRecordDefault", itoa(f.defaultMaxRecords()))
	param(b, "Constraint", "PostEncoding", "XML")
	param(b, "Constraint", "IsoProfiles", "http://www.isotc211.org/2005/gmd")
	b.WriteString("</ows:OperationsMetadata>")
}

// writeDescribeRecord answers with one csw:SchemaComponent per type, each a
// small XML Schema including the official schema of that type.
func (f *Facade) writeDescribeRecord(b *bytes.Buffer, req *Request) *Exception {
	types := req.TypeNames
	if len(types) == 0 && !req.typesGiven {
		types = []string{TypeRecord, TypeMDMetadata}
	}
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:DescribeRecordResponse xmlns:csw="` + csw.NSCSW + `" xmlns:xsi="` + csw.NSXSI + `" xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	done := map[string]bool{}
	for _, t := range types {
		if done[t] {
			continue
		}
		done[t] = true
		ns, loc := csw.NSCSW, "http://schemas.opengis.net/csw/2.0.2/record.xsd"
		if t == TypeMDMetadata {
			ns, loc = csw.NSGMD, "http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd"
		}
		b.WriteString(`<csw:SchemaComponent schemaLanguage="http://www.w3.org/XML/Schema" targetNamespace="` + ns + `">`)
		b.WriteString(`<xs:schema xmlns:xs="` + csw.NSXS + `" targetNamespace="` + ns + `" elementFormDefault="qualified" version="2.0.2">`)
		b.WriteString(`<xs:include schemaLocation="` + loc + `"/></xs:schema></csw:SchemaComponent>`)
	}
	b.WriteString("</csw:DescribeRecordResponse>\n")
	return nil
}

// domainParams lists the values of request parameters for GetDomain
// ParameterName (lower-cased "Operation.parameter" keys).
func (f *Facade) domainParam(name string) ([]string, bool) {
	switch strings.ToLower(name) {
	case "getrecords.resulttype":
		return []string{"hits", "results", "validate"}, true
	case "getrecords.outputschema", "getrecordbyid.outputschema":
		return f.outputSchemas(), true
	case "getrecords.typenames", "describerecord.typename":
		return []string{TypeRecord, TypeMDMetadata}, true
	case "getrecords.elementsetname", "getrecordbyid.elementsetname":
		return []string{"brief", "summary", "full"}, true
	case "getrecords.constraintlanguage":
		return []string{"FILTER", "CQL_TEXT"}, true
	case "getrecords.outputformat", "getrecordbyid.outputformat", "describerecord.outputformat":
		return []string{FormatXML, FormatJSON}, true
	}
	return nil, false
}

// domainProperties are the properties GetDomain lists values of: every
// queryable but AnyText and BoundingBox (advertised under their ISO AP
// names, also answered under their core names).
var domainProperties = func() []string {
	var out []string
	for f := range numFields {
		if k := f.kind(); k != kindAny && k != kindBox && fields[f].iso != "" {
			out = append(out, "apiso:"+fields[f].name)
		}
	}
	return out
}()

// writeDomain answers GetDomain: for a queryable, the distinct values over
// the view with their counts (matched case-insensitively, shown as first
// written), sorted; AnyText and BoundingBox have no list of values. The
// parameters of the operations this read-only catalogue refuses (Harvest,
// Transaction) have no values either.
func (f *Facade) writeDomain(b *bytes.Buffer, req *Request, entries []*Entry) *Exception {
	var values []string
	var counts []int
	tag := "ParameterName"
	if vs, ok := f.domainParam(req.DomainName); ok && !req.DomainProperty {
		values = vs
	} else if op, _, _ := strings.Cut(strings.ToLower(req.DomainName), "."); !req.DomainProperty && (op == "harvest" || op == "transaction") {
		values = nil
	} else {
		tag = "PropertyName"
		field, ok := lookupField(req.DomainName)
		if !ok {
			loc := "ParameterName"
			if req.DomainProperty {
				loc = "PropertyName"
			}
			return invalid(loc, "no domain for "+quote(req.DomainName)+": use a queryable or a GetRecords parameter")
		}
		type dv struct {
			shown string
			n     int
		}
		byKey := map[string]*dv{}
		for _, e := range entries {
			if e == nil {
				continue
			}
			ix := e.index()
			for _, v := range ix.values(field) {
				if d := byKey[v.low]; d != nil {
					d.n++
				} else {
					byKey[v.low] = &dv{shown: v.shown, n: 1}
				}
			}
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			values = append(values, byKey[k].shown)
			counts = append(counts, byKey[k].n)
		}
	}
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:GetDomainResponse xmlns:csw="` + csw.NSCSW + `" xmlns:xsi="` + csw.NSXSI + `" xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	b.WriteString(`<csw:DomainValues type="csw:Record">`)
	elem(b, "csw:"+tag, req.DomainName)
	if len(values) > 0 {
		b.WriteString("<csw:ListOfValues>")
		for i, v := range values {
			b.WriteString("<csw:Value")
			if counts != nil {
				attr(b, "count", itoa(counts[i]))
			}
			b.WriteString(">")
			escText(b, v)
			b.WriteString("</csw:Value>")
		}
		b.WriteString("</csw:ListOfValues>")
	}
	b.WriteString("</csw:DomainValues></csw:GetDomainResponse>\n")
	return nil
}
