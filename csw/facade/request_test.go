package facade

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKVP(t *testing.T) {
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, r *Request)
	}{
		{"bare GET is GetCapabilities", "", func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetCapabilities, r.Operation)
		}},
		{"resultType absent is hits, the CSW 2.0.2 default", "service=CSW&request=GetRecords&typeNames=csw:Record", func(t *testing.T, r *Request) {
			assert.Equal(t, "hits", r.ResultType)
		}},
		{"empty maxRecords is the default", "service=CSW&request=GetRecords&typeNames=csw:Record&maxRecords=", func(t *testing.T, r *Request) {
			assert.Equal(t, -1, r.MaxRecords)
		}},
		{"owslib capabilities", "service=CSW&version=2.0.2&request=GetCapabilities", func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetCapabilities, r.Operation)
			assert.Empty(t, r.Sections)
		}},
		{"capabilities sections and acceptVersions", "service=CSW&request=GetCapabilities&acceptVersions=3.0.0,2.0.2&sections=ServiceIdentification,filter_capabilities", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{"3.0.0", "2.0.2"}, r.AcceptVersions)
			assert.Equal(t, []string{"ServiceIdentification", "Filter_Capabilities"}, r.Sections)
		}},
		{"sections All means everything", "service=CSW&request=GetCapabilities&sections=All", func(t *testing.T, r *Request) {
			assert.Empty(t, r.Sections)
		}},
		{"historical gateway hits, no ElementSetName", "service=CSW&version=2.0.2&request=GetRecords&resultType=hits&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd", func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetRecords, r.Operation)
			assert.Equal(t, "hits", r.ResultType)
			assert.Equal(t, "summary", r.ElementSetName)
			assert.Equal(t, []string{TypeMDMetadata}, r.TypeNames)
			assert.Equal(t, SchemaISO, r.OutputSchema)
			assert.Equal(t, -1, r.MaxRecords)
		}},
		{"historical gateway page", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&elementSetName=full&maxRecords=20&startPosition=4421&typeNames=csw:Record&outputSchema=http://www.opengis.net/cat/csw/2.0.2", func(t *testing.T, r *Request) {
			assert.Equal(t, 4421, r.StartPosition)
			assert.Equal(t, 20, r.MaxRecords)
			assert.Equal(t, "full", r.ElementSetName)
			assert.Equal(t, []string{TypeRecord}, r.TypeNames)
		}},
		{"isogeo namespace fallback", "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&namespace=xmlns(gmd=http://www.isotc211.org/2005/gmd)&elementSetName=full", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{TypeMDMetadata}, r.TypeNames)
		}},
		{"custom prefix bound by namespace", "service=CSW&version=2.0.2&request=GetRecords&typeNames=iso:MD_Metadata,c:Record&namespace=xmlns(iso=http://www.isotc211.org/2005/gmd),xmlns(c=http://www.opengis.net/cat/csw/2.0.2)", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{TypeMDMetadata, TypeRecord}, r.TypeNames)
		}},
		{"parameter names are case-insensitive", "SERVICE=CSW&VERSION=2.0.2&REQUEST=getrecords&TYPENAMES=csw:Record&ELEMENTSETNAME=BRIEF&MAXRECORDS=5", func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetRecords, r.Operation)
			assert.Equal(t, "brief", r.ElementSetName)
			assert.Equal(t, 5, r.MaxRecords)
		}},
		{"version defaults to 2.0.2", "service=CSW&request=GetRecords&typeNames=csw:Record", func(t *testing.T, r *Request) {
			assert.Equal(t, "2.0.2", r.Version)
		}},
		{"startPosition 0 reads as 1, maxRecords 0 kept", "service=CSW&request=GetRecords&typeNames=csw:Record&startPosition=0&maxRecords=0", func(t *testing.T, r *Request) {
			assert.Equal(t, 1, r.StartPosition)
			assert.Equal(t, 0, r.MaxRecords)
		}},
		{"pycsw-style CQL", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=brief&constraintLanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=" + url.QueryEscape("apiso:OrganisationName = 'NTUA'"), func(t *testing.T, r *Request) {
			require.NotNil(t, r.Filter)
			assert.Equal(t, "OrganisationName = 'NTUA'", r.Filter.String())
		}},
		{"FILTER in KVP without xmlns", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&constraintLanguage=FILTER&constraint=" + url.QueryEscape("<ogc:Filter><ogc:PropertyIsLike wildCard='*' singleChar='?' escapeChar='\\'><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>*Somme*</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>"), func(t *testing.T, r *Request) {
			require.NotNil(t, r.Filter)
			assert.Equal(t, "Title LIKE '%Somme%'", r.Filter.String())
		}},
		{"sortBy list", "service=CSW&request=GetRecords&typeNames=csw:Record&sortBy=dc:title:D,apiso:Modified,identifier:A", func(t *testing.T, r *Request) {
			require.Len(t, r.SortBy, 3)
			assert.Equal(t, SortKey{Property: "Title", Descending: true, field: fieldTitle}, r.SortBy[0])
			assert.Equal(t, SortKey{Property: "Modified", field: fieldModified}, r.SortBy[1])
			assert.Equal(t, SortKey{Property: "Identifier", field: fieldIdentifier}, r.SortBy[2])
		}},
		{"elementName list", "service=CSW&request=GetRecords&typeNames=csw:Record&elementName=dc:title,apiso:Modified", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{"Title", "Modified"}, r.ElementNames)
			assert.Empty(t, r.ElementSetName)
		}},
		{"GetRecordById ids comma separated, odd characters", "service=CSW&version=2.0.2&request=GetRecordById&id=" + url.QueryEscape(`https://ioos.noaa.gov/stations/BRJASL, C:\hi\I'm\a\windows\folder`) + "&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{"https://ioos.noaa.gov/stations/BRJASL", `C:\hi\I'm\a\windows\folder`}, r.IDs)
			assert.Equal(t, "full", r.ElementSetName)
		}},
		{"GetRecordById repeated id parameters", "service=CSW&request=GetRecordById&id=a,b&id=c", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{"a", "b", "c"}, r.IDs)
		}},
		{"GetDomain propertyName", "service=CSW&version=2.0.2&request=GetDomain&propertyName=apiso:Type", func(t *testing.T, r *Request) {
			assert.Equal(t, "apiso:Type", r.DomainName)
			assert.True(t, r.DomainProperty)
		}},
		{"DescribeRecord typeName", "service=CSW&version=2.0.2&request=DescribeRecord&typeName=gmd:MD_Metadata&schemaLanguage=http://www.w3.org/XML/Schema", func(t *testing.T, r *Request) {
			assert.Equal(t, []string{TypeMDMetadata}, r.TypeNames)
		}},
		{"config parameter is ignored", "service=CSW&request=GetCapabilities&config=/etc/passwd", func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetCapabilities, r.Operation)
		}},
		{"DCAT output schemas", "service=CSW&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://data.europa.eu/930/", func(t *testing.T, r *Request) {
			assert.Equal(t, SchemaGeoDCAT, r.OutputSchema)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			r, err := ParseKVP(q)
			require.NoError(t, err)
			tc.check(t, r)
		})
	}
}

func TestParseKVPErrors(t *testing.T) {
	tests := []struct {
		name, query, code, locator string
	}{
		{"missing request", "service=CSW&version=2.0.2", ExceptionMissingParameterValue, "request"},
		{"missing service", "request=GetCapabilities", ExceptionMissingParameterValue, "service"},
		{"wrong service", "service=WMS&request=GetCapabilities", ExceptionInvalidParameterValue, "service"},
		{"wrong version", "service=CSW&version=2.0.0&request=GetRecords&typeNames=csw:Record", ExceptionInvalidParameterValue, "version"},
		{"accept versions", "service=CSW&request=GetCapabilities&acceptVersions=1.0.0,3.0.0", ExceptionVersionNegotiationFailed, "acceptVersions"},
		{"unknown section", "service=CSW&request=GetCapabilities&sections=Contents", ExceptionInvalidParameterValue, "sections"},
		{"harvest not supported", "service=CSW&request=Harvest", ExceptionOperationNotSupported, "request"},
		{"unknown operation", "service=CSW&request=GetFeature", ExceptionInvalidParameterValue, "request"},
		{"missing typeNames", "service=CSW&request=GetRecords", ExceptionMissingParameterValue, "typeNames"},
		{"unknown typeNames", "service=CSW&request=GetRecords&typeNames=rim:RegistryPackage", ExceptionInvalidParameterValue, "typeNames"},
		{"prefix bound elsewhere", "service=CSW&request=GetRecords&typeNames=gmd:MD_Metadata&namespace=xmlns(gmd=http://example.org/)", ExceptionInvalidParameterValue, "typeNames"},
		{"bad namespace param", "service=CSW&request=GetRecords&typeNames=csw:Record&namespace=gmd=http://x", ExceptionInvalidParameterValue, "namespace"},
		{"bad outputSchema", "service=CSW&request=GetRecords&typeNames=csw:Record&outputSchema=http://www.isotc211.org/2005/gmx", ExceptionInvalidParameterValue, "outputSchema"},
		{"html outputFormat", "service=CSW&request=GetRecords&typeNames=csw:Record&outputFormat=text/html", ExceptionInvalidParameterValue, "outputFormat"},
		{"bad resultType", "service=CSW&request=GetRecords&typeNames=csw:Record&resultType=all", ExceptionInvalidParameterValue, "resultType"},
		{"bad elementSetName", "service=CSW&request=GetRecords&typeNames=csw:Record&elementSetName=huge", ExceptionInvalidParameterValue, "ElementSetName"},
		{"both elementName and elementSetName", "service=CSW&request=GetRecords&typeNames=csw:Record&elementSetName=full&elementName=dc:title", ExceptionInvalidParameterValue, "ElementName"},
		{"bad elementName", "service=CSW&request=GetRecords&typeNames=csw:Record&elementName=gmd:fileIdentifier/gco:CharacterString", ExceptionInvalidParameterValue, "ElementName"},
		{"negative maxRecords", "service=CSW&request=GetRecords&typeNames=csw:Record&maxRecords=-1", ExceptionInvalidParameterValue, "maxRecords"},
		{"startPosition not a number", "service=CSW&request=GetRecords&typeNames=csw:Record&startPosition=two", ExceptionInvalidParameterValue, "startPosition"},
		{"constraint without language", "service=CSW&request=GetRecords&typeNames=csw:Record&constraint=dc:title='x'", ExceptionMissingParameterValue, "constraintLanguage"},
		{"unknown constraint language", "service=CSW&request=GetRecords&typeNames=csw:Record&constraintLanguage=SQL&constraint=1", ExceptionInvalidParameterValue, "constraintLanguage"},
		{"bad CQL", "service=CSW&request=GetRecords&typeNames=csw:Record&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("dc:title = "), ExceptionInvalidParameterValue, "constraint"},
		{"bad FILTER", "service=CSW&request=GetRecords&typeNames=csw:Record&constraintLanguage=FILTER&constraint=" + url.QueryEscape("<ogc:Filter><ogc:Intersects/></ogc:Filter>"), ExceptionInvalidParameterValue, "constraint"},
		{"sort on a non-queryable", "service=CSW&request=GetRecords&typeNames=csw:Record&sortBy=dc:nothing:A", ExceptionInvalidParameterValue, "sortBy"},
		{"GetRecordById without id", "service=CSW&request=GetRecordById", ExceptionMissingParameterValue, "id"},
		{"GetRecordById empty ids", "service=CSW&request=GetRecordById&id=,,", ExceptionMissingParameterValue, "id"},
		{"GetDomain without name", "service=CSW&request=GetDomain", ExceptionMissingParameterValue, "ParameterName"},
		{"DescribeRecord other schema language", "service=CSW&request=DescribeRecord&schemaLanguage=RELAXNG", ExceptionInvalidParameterValue, "schemaLanguage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			_, err = ParseKVP(q)
			var ex *Exception
			require.ErrorAs(t, err, &ex)
			assert.Equal(t, tc.code, ex.Code)
			assert.Equal(t, tc.locator, ex.Locator)
			assert.NotEmpty(t, ex.Text)
		})
	}
}

// What OWSLib 0.27 getrecords2 posts (captured shape: schemaLocation,
// outputFormat, no startPosition when 0).
const owsLibGetRecords = `<?xml version="1.0" encoding="ISO-8859-1" standalone="no"?>
<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" xmlns:ows="http://www.opengis.net/ows" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" outputSchema="http://www.isotc211.org/2005/gmd" outputFormat="application/xml" version="2.0.2" service="CSW" resultType="results" maxRecords="10" xsi:schemaLocation="http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"><csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName><csw:Constraint version="1.1.0"><ogc:Filter><ogc:And><ogc:PropertyIsEqualTo matchCase="true"><ogc:PropertyName>apiso:OrganisationName</ogc:PropertyName><ogc:Literal>R\xe9gion</ogc:Literal></ogc:PropertyIsEqualTo><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope xmlns:gml="http://www.opengis.net/gml"><gml:lowerCorner>-5 41</gml:lowerCorner><gml:upperCorner>10 52</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:And></ogc:Filter></csw:Constraint><ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:SortOrder>DESC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy></csw:Query></csw:GetRecords>`

func TestParseXML(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, r *Request)
	}{
		{"udata csw-iso-19139", udataISO, func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetRecords, r.Operation)
			assert.Equal(t, SchemaISO, r.OutputSchema)
			assert.Equal(t, "full", r.ElementSetName)
			assert.Equal(t, 1, r.StartPosition)
			assert.Equal(t, 25, r.MaxRecords)
			assert.Equal(t, []string{TypeMDMetadata}, r.TypeNames)
			require.NotNil(t, r.Filter)
			assert.Equal(t, "(Type = 'dataset' OR Type = 'nonGeographicDataset' OR Type = 'series' OR Type = 'service')", r.Filter.String())
			assert.Equal(t, []SortKey{{Property: "Identifier", field: fieldIdentifier}}, r.SortBy)
		}},
		{"udata csw-dcat", udataDCAT, func(t *testing.T, r *Request) {
			assert.Equal(t, SchemaDCAT, r.OutputSchema)
			assert.Nil(t, r.Filter)
		}},
		{"owslib getrecords2, latin-1 body, BBOX without srsName", strings.Replace(owsLibGetRecords, `\xe9`, "\xe9", 1), func(t *testing.T, r *Request) {
			assert.Equal(t, 1, r.StartPosition)
			assert.Equal(t, 10, r.MaxRecords)
			require.NotNil(t, r.Filter)
			// No srsName: EPSG:4326 latitude first, as pycsw reads it.
			assert.Equal(t, "(OrganisationName = 'Région' AND BBOX(BoundingBox, 41, -5, 52, 10))", r.Filter.String())
			assert.Equal(t, []SortKey{{Property: "Title", Descending: true, field: fieldTitle}}, r.SortBy)
		}},
		{"owslib cql", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" maxRecords="10" outputSchema="http://www.opengis.net/cat/csw/2.0.2"><csw:Query typeNames="csw:Record"><csw:ElementSetName>brief</csw:ElementSetName><csw:Constraint version="1.1.0"><csw:CqlText>csw:AnyText Like '%birds%'</csw:CqlText></csw:Constraint><ogc:SortBy xmlns:ogc="http://www.opengis.net/ogc"><ogc:SortProperty><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy></csw:Query></csw:GetRecords>`, func(t *testing.T, r *Request) {
			assert.Equal(t, "AnyText LIKE '%birds%'", r.Filter.String())
			assert.Equal(t, "brief", r.ElementSetName)
		}},
		{"geonetwork harvester, modified since, default namespace", `<GetRecords xmlns="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" startPosition="21" maxRecords="20"><Query typeNames="gmd:MD_Metadata" xmlns:gmd="http://www.isotc211.org/2005/gmd"><ElementSetName>summary</ElementSetName><Constraint version="1.1.0"><Filter xmlns="http://www.opengis.net/ogc"><PropertyIsGreaterThanOrEqualTo><PropertyName>Modified</PropertyName><Literal>2024-01-01</Literal></PropertyIsGreaterThanOrEqualTo></Filter></Constraint><SortBy xmlns="http://www.opengis.net/ogc"><SortProperty><PropertyName>identifier</PropertyName><SortOrder>ASC</SortOrder></SortProperty></SortBy></Query></GetRecords>`, func(t *testing.T, r *Request) {
			assert.Equal(t, 21, r.StartPosition)
			assert.Equal(t, "summary", r.ElementSetName)
			assert.Equal(t, "Modified >= '2024-01-01'", r.Filter.String())
		}},
		{"typeNames prefix resolved on the element", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:Query xmlns:md="http://www.isotc211.org/2005/gmd" typeNames="md:MD_Metadata"/></csw:GetRecords>`, func(t *testing.T, r *Request) {
			assert.Equal(t, []string{TypeMDMetadata}, r.TypeNames)
			assert.Equal(t, "summary", r.ElementSetName)
		}},
		{"pycsw harvest hits", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="hits"><csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName></csw:Query></csw:GetRecords>`, func(t *testing.T, r *Request) {
			assert.Equal(t, "hits", r.ResultType)
		}},
		{"GetRecordById with several ids", `<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" outputSchema="http://www.isotc211.org/2005/gmd"><csw:Id>a,b</csw:Id><csw:Id> c </csw:Id><csw:ElementSetName>brief</csw:ElementSetName></csw:GetRecordById>`, func(t *testing.T, r *Request) {
			assert.Equal(t, []string{"a,b", "c"}, r.IDs)
			assert.Equal(t, "brief", r.ElementSetName)
		}},
		{"GetCapabilities with ows children", `<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ows="http://www.opengis.net/ows" service="CSW"><ows:AcceptVersions><ows:Version>2.0.2</ows:Version></ows:AcceptVersions><ows:Sections><ows:Section>OperationsMetadata</ows:Section></ows:Sections></csw:GetCapabilities>`, func(t *testing.T, r *Request) {
			assert.Equal(t, OpGetCapabilities, r.Operation)
			assert.Equal(t, []string{"OperationsMetadata"}, r.Sections)
		}},
		{"GetDomain ParameterName", `<csw:GetDomain xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:ParameterName>GetRecords.resultType</csw:ParameterName></csw:GetDomain>`, func(t *testing.T, r *Request) {
			assert.Equal(t, "GetRecords.resultType", r.DomainName)
			assert.False(t, r.DomainProperty)
		}},
		{"Between, Null, Not, Like with escape", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:And><ogc:PropertyIsBetween><ogc:PropertyName>dct:modified</ogc:PropertyName><ogc:LowerBoundary><ogc:Literal>2020-01-01</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>2025-12-31</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween><ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>Format</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not><ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="!"><ogc:PropertyName>Title</ogc:PropertyName><ogc:Literal>100!% _</ogc:Literal></ogc:PropertyIsLike></ogc:And></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`, func(t *testing.T, r *Request) {
			assert.Equal(t, `(Modified BETWEEN '2020-01-01' AND '2025-12-31' AND NOT (Format IS NULL) AND Title LIKE '100\% _')`, r.Filter.String())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseXML([]byte(tc.body))
			require.NoError(t, err)
			tc.check(t, r)
		})
	}
}

func TestParseXMLErrors(t *testing.T) {
	deep := strings.Repeat("<ogc:Not>", 20) + "<ogc:PropertyIsNull><ogc:PropertyName>Title</ogc:PropertyName></ogc:PropertyIsNull>" + strings.Repeat("</ogc:Not>", 20)
	nested := strings.Repeat("<a>", MaxRequestDepth+1) + strings.Repeat("</a>", MaxRequestDepth+1)
	getRecords := func(filter string) string {
		return `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter>` + filter + `</ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`
	}
	tests := []struct {
		name, body, code, locator string
	}{
		{"empty body", "  ", ExceptionMissingParameterValue, "request"},
		{"not XML", "service=CSW&request=GetCapabilities", ExceptionInvalidParameterValue, "request"},
		{"malformed", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">`, ExceptionInvalidParameterValue, "request"},
		{"DTD refused", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW"/>`, ExceptionInvalidParameterValue, "request"},
		{"too deep", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">` + nested + `</csw:GetRecords>`, ExceptionInvalidParameterValue, "request"},
		{"two roots", `<a/><b/>`, ExceptionInvalidParameterValue, "request"},
		{"foreign root", `<GetCapabilities service="CSW"/>`, ExceptionInvalidParameterValue, "request"},
		{"CSW 3 namespace", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/3.0" service="CSW" version="3.0.0"/>`, ExceptionVersionNegotiationFailed, "version"},
		{"wrong version attribute", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.1"><csw:Query typeNames="csw:Record"/></csw:GetRecords>`, ExceptionInvalidParameterValue, "version"},
		{"wrong service attribute", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="WFS" version="2.0.2"/>`, ExceptionInvalidParameterValue, "service"},
		{"transaction", `<csw:Transaction xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"/>`, ExceptionOperationNotSupported, "request"},
		{"mismatched end tag", `<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW"></csw:GetRecords>`, ExceptionInvalidParameterValue, "request"},
		{"undeclared entity", `<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW">&xxe;</csw:GetCapabilities>`, ExceptionInvalidParameterValue, "request"},
		{"no Query", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"/>`, ExceptionMissingParameterValue, "Query"},
		{"no typeNames", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:Query/></csw:GetRecords>`, ExceptionMissingParameterValue, "typeNames"},
		{"empty Constraint", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"/></csw:Query></csw:GetRecords>`, ExceptionInvalidParameterValue, "Constraint"},
		{"GetRecordById without Id", `<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"/>`, ExceptionMissingParameterValue, "Id"},
		{"filter too deep", getRecords(deep), ExceptionInvalidParameterValue, "constraint"},
		{"spatial operator without geometry", getRecords(`<ogc:Intersects><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName></ogc:Intersects>`), ExceptionInvalidParameterValue, "constraint"},
		{"unsupported spatial operator", getRecords(`<ogc:Touches><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope><gml:lowerCorner>0 0</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></ogc:Touches>`), ExceptionInvalidParameterValue, "constraint"},
		{"polygon in BBOX", getRecords(`<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 1 0 1 1 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogc:BBOX>`), ExceptionInvalidParameterValue, "constraint"},
		{"ring of 3 positions (pycsw's invalid-poslist)", getRecords(`<ogc:Intersects><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Polygon srsName="http://www.opengis.net/gml/srs/epsg.xml#4326"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">11 16 49 17 10 10</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogc:Intersects>`), ExceptionInvalidParameterValue, "constraint"},
		{"odd posList", getRecords(`<ogc:Intersects><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 1 0 1</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogc:Intersects>`), ExceptionInvalidParameterValue, "constraint"},
		{"unsupported function", getRecords(`<ogc:PropertyIsEqualTo><ogc:Function name="foo"><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:Function><ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo>`), ExceptionInvalidParameterValue, "constraint"},
		{"two operators in Filter", getRecords(`<ogc:PropertyIsNull><ogc:PropertyName>Title</ogc:PropertyName></ogc:PropertyIsNull><ogc:PropertyIsNull><ogc:PropertyName>Title</ogc:PropertyName></ogc:PropertyIsNull>`), ExceptionInvalidParameterValue, "constraint"},
		{"unknown queryable", getRecords(`<ogc:PropertyIsEqualTo><ogc:PropertyName>gmd:fileIdentifier</ogc:PropertyName><ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo>`), ExceptionInvalidParameterValue, "constraint"},
		{"missing literal", getRecords(`<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:PropertyIsEqualTo>`), ExceptionInvalidParameterValue, "constraint"},
		{"two-character wildcard", getRecords(`<ogc:PropertyIsLike wildCard="**" singleChar="?" escapeChar="\"><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>x</ogc:Literal></ogc:PropertyIsLike>`), ExceptionInvalidParameterValue, "constraint"},
		{"bad date", getRecords(`<ogc:PropertyIsLessThan><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>yesterday</ogc:Literal></ogc:PropertyIsLessThan>`), ExceptionInvalidParameterValue, "constraint"},
		{"BBOX with unknown CRS", getRecords(`<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName="EPSG:99999"><gml:lowerCorner>0 0</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></ogc:BBOX>`), ExceptionInvalidParameterValue, "constraint"},
		{"BBOX inverted", getRecords(`<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope><gml:lowerCorner>10 10</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></ogc:BBOX>`), ExceptionInvalidParameterValue, "constraint"},
		{"BBOX on title", getRecords(`<ogc:BBOX><ogc:PropertyName>dc:title</ogc:PropertyName><gml:Envelope><gml:lowerCorner>0 0</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></ogc:BBOX>`), ExceptionInvalidParameterValue, "constraint"},
		{"BBOX corners not numbers", getRecords(`<ogc:BBOX><gml:Envelope><gml:lowerCorner>a b</gml:lowerCorner><gml:upperCorner>1 1</gml:upperCorner></gml:Envelope></ogc:BBOX>`), ExceptionInvalidParameterValue, "constraint"},
		{"sort order", `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:SortOrder>UP</ogc:SortOrder></ogc:SortProperty></ogc:SortBy></csw:Query></csw:GetRecords>`, ExceptionInvalidParameterValue, "SortBy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseXML([]byte(tc.body))
			var ex *Exception
			require.ErrorAs(t, err, &ex)
			assert.Equal(t, tc.code, ex.Code, ex.Text)
			assert.Equal(t, tc.locator, ex.Locator)
		})
	}
}

func TestParseXMLBodyLimit(t *testing.T) {
	body := []byte(`<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW"/>`)
	f := &Facade{MaxBodyBytes: int64(len(body) - 1)}
	_, err := f.ParseXML(body)
	var ex *Exception
	require.ErrorAs(t, err, &ex)
	assert.Equal(t, ExceptionInvalidParameterValue, ex.Code)

	f.MaxBodyBytes = int64(len(body))
	_, err = f.ParseXML(body)
	require.NoError(t, err)

	big := make([]byte, DefaultMaxBodyBytes+1)
	_, err = ParseXML(big)
	require.True(t, errors.As(err, &ex))
}

func TestRequestCacheKey(t *testing.T) {
	kvp := func(q string) *Request {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		r, err := ParseKVP(v)
		require.NoError(t, err)
		return r
	}
	post := func(body string) *Request {
		r, err := ParseXML([]byte(body))
		require.NoError(t, err)
		return r
	}
	same := []*Request{
		kvp("service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&maxRecords=25&startPosition=1&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("apiso:Type = 'dataset' OR apiso:Type = 'series'")),
		kvp("SERVICE=CSW&REQUEST=getrecords&TYPENAMES=iso:MD_Metadata&namespace=xmlns(iso=http://www.isotc211.org/2005/gmd)&OUTPUTSCHEMA=http://www.isotc211.org/2005/gmd&ELEMENTSETNAME=FULL&MAXRECORDS=25&constraintLanguage=cql_text&constraint=" + url.QueryEscape("type='dataset' or dc:type = 'series'")),
		post(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2" maxRecords="25" outputSchema="http://www.isotc211.org/2005/gmd"><csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName><csw:Constraint version="1.1.0"><ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Type</ogc:PropertyName><ogc:Literal>series</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`),
	}
	for _, r := range same[1:] {
		assert.Equal(t, same[0].CacheKey(), r.CacheKey())
	}
	different := []*Request{
		kvp("service=CSW&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&maxRecords=25&startPosition=26"),
		kvp("service=CSW&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=brief&maxRecords=25"),
		kvp("service=CSW&request=GetRecordById&id=a,b"),
		kvp("service=CSW&request=GetRecordById&id=a"),
		post(`<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:Id>a,b</csw:Id></csw:GetRecordById>`),
		post(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:PropertyIsEqualTo matchCase="false"><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`),
		post(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>`),
		kvp("service=CSW&request=GetRecords&typeNames=csw:Record&sortBy=dc:title:D"),
		kvp("service=CSW&request=GetRecords&typeNames=csw:Record&sortBy=dc:title:A"),
		kvp("service=CSW&request=GetCapabilities"),
		kvp("service=CSW&request=GetCapabilities&sections=OperationsMetadata"),
	}
	seen := map[string]int{}
	for i, r := range different {
		k := r.CacheKey()
		if j, dup := seen[k]; dup {
			t.Errorf("requests %d and %d share the key %s", j, i, k)
		}
		seen[k] = i
	}
}
