package csw

import (
	"bytes"
	"sort"
	"strings"
)

// The queryables the facade supports, as advertised: every ISO AP 1.0
// queryable (supported and INSPIRE additional) and every core queryable.
var (
	facISOQueryables        = facQueryableNames("supported")
	facAdditionalQueryables = facQueryableNames("additional")
	facDCQueryables         = facQueryableNames("core")
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
	b.WriteString(facXMLDecl)
	b.WriteString(`<csw:Capabilities xmlns:csw="` + facNSCSW + `" xmlns:ows="` + facNSOWS + `" xmlns:ogc="` + facNSOGC + `" xmlns:gml="` + facNSGML + `" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="` + facNSXSI + `" version="2.0.2" xsi:schemaLocation="` + facNSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	if want("ServiceIdentification") {
		b.WriteString("<ows:ServiceIdentification>")
		title := ep.Title
		if title == "" {
			title = "passerelle CSW"
		}
		facElem(b, "ows:Title", title)
		if ep.Abstract != "" {
			facElem(b, "ows:Abstract", ep.Abstract)
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
		facElem(b, "ows:ProviderName", prov)
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

func facParam(b *bytes.Buffer, tag, name string, values ...string) {
	b.WriteString("<ows:" + tag)
	facAttr(b, "name", name)
	b.WriteString(">")
	for _, v := range values {
		facElem(b, "ows:Value", v)
	}
	b.WriteString("</ows:" + tag + ">")
}

func (f *Facade) writeOperations(b *bytes.Buffer, ep Endpoint) {
	schemas := f.outputSchemas()
	op := func(name string, body func()) {
		b.WriteString(`<ows:Operation name="` + name + `"><ows:DCP><ows:HTTP><ows:Get`)
		facAttr(b, "xlink:href", ep.URL)
		b.WriteString(`/><ows:Post`)
		facAttr(b, "xlink:href", ep.URL)
		b.WriteString(`/></ows:HTTP></ows:DCP>`)
		body()
		b.WriteString("</ows:Operation>")
	}
	b.WriteString("<ows:OperationsMetadata>")
	op(OpGetCapabilities, func() {
		facParam(b, "Parameter", "sections", "ServiceIdentification", "ServiceProvider", "OperationsMetadata", "Filter_Capabilities")
	})
	op(OpDescribeRecord, func() {
		facParam(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		facParam(b, "Parameter", "schemaLanguage", "http://www.w3.org/XML/Schema")
		facParam(b, "Parameter", "typeName", TypeRecord, TypeMDMetadata)
	})
	op(OpGetDomain, func() {
		facParam(b, "Parameter", "ParameterName", "GetRecords.resultType", "GetRecords.outputSchema", "GetRecords.typeNames", "GetRecords.ElementSetName", "GetRecords.CONSTRAINTLANGUAGE", "GetRecordById.outputSchema")
		facParam(b, "Parameter", "PropertyName", facDomainProperties...)
	})
	op(OpGetRecords, func() {
		facParam(b, "Parameter", "resultType", "hits", "results", "validate")
		facParam(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		facParam(b, "Parameter", "outputSchema", schemas...)
		facParam(b, "Parameter", "typeNames", TypeRecord, TypeMDMetadata)
		facParam(b, "Parameter", "CONSTRAINTLANGUAGE", "FILTER", "CQL_TEXT")
		facParam(b, "Parameter", "ElementSetName", "brief", "summary", "full")
		facParam(b, "Constraint", "SupportedISOQueryables", facISOQueryables...)
		facParam(b, "Constraint", "AdditionalQueryables", facAdditionalQueryables...)
		facParam(b, "Constraint", "SupportedDublinCoreQueryables", facDCQueryables...)
	})
	op(OpGetRecordByID, func() {
		facParam(b, "Parameter", "outputSchema", schemas...)
		facParam(b, "Parameter", "outputFormat", FormatXML, FormatJSON)
		facParam(b, "Parameter", "ElementSetName", "brief", "summary", "full")
	})
	facParam(b, "Parameter", "service", "CSW")
	facParam(b, "Parameter", "version", "2.0.2")
	facParam(b, "Constraint", "MaxRecordDefault", facItoa(f.defaultMaxRecords()))
	facParam(b, "Constraint", "PostEncoding", "XML")
	facParam(b, "Constraint", "IsoProfiles", "http://www.isotc211.org/2005/gmd")
	b.WriteString("</ows:OperationsMetadata>")
}

// writeDescribeRecord answers with one csw:SchemaComponent per type, each a
// small XML Schema including the official schema of that type.
func (f *Facade) writeDescribeRecord(b *bytes.Buffer, req *Request) *Exception {
	types := req.TypeNames
	if len(types) == 0 && !req.typesGiven {
		types = []string{TypeRecord, TypeMDMetadata}
	}
	b.WriteString(facXMLDecl)
	b.WriteString(`<csw:DescribeRecordResponse xmlns:csw="` + facNSCSW + `" xmlns:xsi="` + facNSXSI + `" xsi:schemaLocation="` + facNSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	done := map[string]bool{}
	for _, t := range types {
		if done[t] {
			continue
		}
		done[t] = true
		ns, loc := facNSCSW, "http://schemas.opengis.net/csw/2.0.2/record.xsd"
		if t == TypeMDMetadata {
			ns, loc = facNSGMD, "http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd"
		}
		b.WriteString(`<csw:SchemaComponent schemaLanguage="http://www.w3.org/XML/Schema" targetNamespace="` + ns + `">`)
		b.WriteString(`<xs:schema xmlns:xs="` + facNSXS + `" targetNamespace="` + ns + `" elementFormDefault="qualified" version="2.0.2">`)
		b.WriteString(`<xs:include schemaLocation="` + loc + `"/></xs:schema></csw:SchemaComponent>`)
	}
	b.WriteString("</csw:DescribeRecordResponse>\n")
	return nil
}

// facDomainParams lists the values of request parameters for GetDomain
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

// facDomainProperties are the properties GetDomain lists values of: every
// queryable but AnyText and BoundingBox (advertised under their ISO AP
// names, also answered under their core names).
var facDomainProperties = func() []string {
	var out []string
	for f := range facNumFields {
		if k := f.kind(); k != facKindAny && k != facKindBox && facQ[f].iso != "" {
			out = append(out, "apiso:"+facQ[f].name)
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
		field, ok := facLookupField(req.DomainName)
		if !ok {
			loc := "ParameterName"
			if req.DomainProperty {
				loc = "PropertyName"
			}
			return facInvalid(loc, "no domain for "+facQuote(req.DomainName)+": use a queryable or a GetRecords parameter")
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
	b.WriteString(facXMLDecl)
	b.WriteString(`<csw:GetDomainResponse xmlns:csw="` + facNSCSW + `" xmlns:xsi="` + facNSXSI + `" xsi:schemaLocation="` + facNSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	b.WriteString(`<csw:DomainValues type="csw:Record">`)
	facElem(b, "csw:"+tag, req.DomainName)
	if len(values) > 0 {
		b.WriteString("<csw:ListOfValues>")
		for i, v := range values {
			b.WriteString("<csw:Value")
			if counts != nil {
				facAttr(b, "count", facItoa(counts[i]))
			}
			b.WriteString(">")
			facEscText(b, v)
			b.WriteString("</csw:Value>")
		}
		b.WriteString("</csw:ListOfValues>")
	}
	b.WriteString("</csw:DomainValues></csw:GetDomainResponse>\n")
	return nil
}
