package facade

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testEndpoint = Endpoint{
	URL:      "https://passerelle.example.org/catalogs/somme/csw",
	Title:    "Catalogue de la Somme",
	Abstract: "Fiches de métadonnées moissonnées, servies par passerelle.",
	Provider: "passerelle",
}

// testDCAT is a stand-in for the dcat package's per-record RDF/XML.
func testDCAT(_ context.Context, e *Entry) ([]byte, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">`)
	b.WriteString(`<dcat:Dataset rdf:about="https://passerelle.example.org/datasets/` + url.PathEscape(e.ID) + `"><dct:identifier>`)
	b.WriteString(strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(e.Identifier))
	b.WriteString(`</dct:identifier></dcat:Dataset></rdf:RDF>`)
	return []byte(b.String()), nil
}

func testFacade() *Facade {
	return &Facade{
		DCAT: testDCAT,
		Now:  func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
}

const postHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// udata's csw-iso-19139 request (udata.md §B.1).
const udataISO = postHead + `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:ogc="http://www.opengis.net/ogc" xmlns:apiso="http://www.opengis.net/cat/csw/apiso/1.0"
  service="CSW" version="2.0.2" outputFormat="application/xml" resultType="results" startPosition="1" maxRecords="25" outputSchema="http://www.isotc211.org/2005/gmd">
  <csw:Query typeNames="gmd:MD_Metadata">
    <csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0">
      <ogc:Filter><ogc:Or>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>nonGeographicDataset</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>series</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>service</ogc:Literal></ogc:PropertyIsEqualTo>
      </ogc:Or></ogc:Filter>
    </csw:Constraint>
    <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>apiso:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
  </csw:Query>
</csw:GetRecords>`

const udataDCAT = postHead + `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:ogc="http://www.opengis.net/ogc"
  service="CSW" version="2.0.2" outputFormat="application/xml" resultType="results" startPosition="1" maxRecords="25" outputSchema="http://www.w3.org/ns/dcat#">
  <csw:Query typeNames="gmd:MD_Metadata">
    <csw:ElementSetName>full</csw:ElementSetName>
    <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>apiso:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
  </csw:Query>
</csw:GetRecords>`

type goldenCase struct {
	name   string
	kvp    string // GET query, or
	post   string // POST body
	status int
	kind   string // validation: "envelope" (whole doc against CSW-discovery), "iso" (envelope + records), "rdf" (envelope only), "exception"
}

var goldenCases = []goldenCase{
	{"caps", "service=CSW&request=GetCapabilities", "", 200, "envelope"},
	{"caps_sections", "SERVICE=CSW&REQUEST=GetCapabilities&sections=OperationsMetadata&acceptVersions=2.0.2,3.0.0", "", 200, "envelope"},
	{"describe", "service=CSW&version=2.0.2&request=DescribeRecord", "", 200, "envelope"},
	{"describe_gmd_post", "", postHead + `<csw:DescribeRecord xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="http://www.isotc211.org/2005/gmd" service="CSW" version="2.0.2"><csw:TypeName>gmd:MD_Metadata</csw:TypeName></csw:DescribeRecord>`, 200, "envelope"},
	{"getrecords_hits", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=hits", "", 200, "envelope"},
	{"getrecords_dc_brief", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=brief&resultType=results", "", 200, "envelope"},
	{"getrecords_dc_summary", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=summary&resultType=results&outputSchema=http://www.opengis.net/cat/csw/2.0.2", "", 200, "envelope"},
	{"getrecords_dc_full", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=full&resultType=results", "", 200, "envelope"},
	{"getrecords_iso_full_udata", "", udataISO, 200, "iso"},
	{"getrecords_iso_brief", "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&namespace=xmlns(gmd=http://www.isotc211.org/2005/gmd)&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=brief&resultType=results", "", 200, "iso"},
	{"getrecords_iso_summary", "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=summary&resultType=results", "", 200, "iso"},
	{"getrecords_dcat", "", udataDCAT, 200, "rdf"},
	{"getrecords_cql_org", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&constraintLanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=" + url.QueryEscape("apiso:OrganisationName = 'ddt de la somme'"), "", 200, "envelope"},
	{"getrecords_page2", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&maxRecords=1&startPosition=2", "", 200, "envelope"},
	{"getrecords_past_end", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&maxRecords=10&startPosition=9", "", 200, "envelope"},
	{"getrecords_elementname", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementName=dc:title,dct:modified,ows:BoundingBox", "", 200, "envelope"},
	{"getrecords_sort_title_desc", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&sortBy=dc:title:D", "", 200, "envelope"},
	{"getrecords_validate", "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=brief&resultType=validate&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("csw:AnyText LIKE '%somme%'"), "", 200, "envelope"},
	{"getrecordbyid_iso_full", "service=CSW&version=2.0.2&request=GetRecordById&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&id=svc:wms/somme,unknown,IGNF_BDTOPO_serie", "", 200, "iso"},
	{"getrecordbyid_iso_summary_post", "", postHead + `<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" outputSchema="http://www.isotc211.org/2005/gmd"><csw:Id>svc:wms/somme</csw:Id><csw:Id>fr-120066022-jdd-a1</csw:Id><csw:ElementSetName>summary</csw:ElementSetName></csw:GetRecordById>`, 200, "iso"},
	{"getrecordbyid_dc", "service=CSW&version=2.0.2&request=GetRecordById&id=fr-120066022-jdd-a1", "", 200, "envelope"},
	{"getrecordbyid_unknown", "service=CSW&version=2.0.2&request=GetRecordById&id=nope&elementSetName=full", "", 200, "envelope"},
	{"getdomain_type", "service=CSW&version=2.0.2&request=GetDomain&propertyName=apiso:Type", "", 200, "envelope"},
	{"getdomain_org", "service=CSW&version=2.0.2&request=GetDomain&parameterName=OrganisationName", "", 200, "envelope"},
	{"getdomain_param", "service=CSW&version=2.0.2&request=GetDomain&parameterName=GetRecords.outputSchema", "", 200, "envelope"},
	{"exception_missing_request", "service=CSW&version=2.0.2", "", 400, "exception"},
	{"exception_version", "service=CSW&version=3.0.0&request=GetRecords&resultType=results&typeNames=csw:Record", "", 400, "exception"},
	{"exception_accept_versions", "service=CSW&request=GetCapabilities&acceptVersions=3.0.0", "", 400, "exception"},
	{"exception_transaction", "", postHead + `<csw:Transaction xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"/>`, 400, "exception"},
	{"exception_bad_filter", "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&constraintLanguage=CQL_TEXT&constraint=" + url.QueryEscape("dc:nope = 'x'"), "", 400, "exception"},
}

func serveCase(t *testing.T, f *Facade, ep Endpoint, c goldenCase, entries []*Entry) (int, string, []byte) {
	t.Helper()
	var req *Request
	var err error
	if c.post != "" {
		req, err = f.ParseXML([]byte(c.post))
	} else {
		q, perr := url.ParseQuery(c.kvp)
		require.NoError(t, perr)
		req, err = ParseKVP(q)
	}
	if err != nil {
		return f.Error(err)
	}
	return f.Serve(context.Background(), ep, req, entries)
}

func TestFacadeGolden(t *testing.T) {
	entries := fixtureEntries(t)
	require.Len(t, entries, 3)
	f := testFacade()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			status, ctype, body := serveCase(t, f, testEndpoint, c, entries)
			assert.Equal(t, c.status, status)
			assert.Equal(t, ContentTypeXML, ctype)
			golden(t, c.name+".golden.xml", body)
		})
	}
}

// TestFacadeSchemaValid validates every golden answer with xmllint --nonet:
// envelopes against CSW-discovery.xsd (records removed when they are raw
// upstream bytes or RDF), generated ISO records against srv.xsd (which
// imports gmd.xsd), exception reports against owsExceptionReport.xsd.
func TestFacadeSchemaValid(t *testing.T) {
	entries := fixtureEntries(t)
	f := testFacade()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			_, _, body := serveCase(t, f, testEndpoint, c, entries)
			validate(t, c.kind, body, strings.Contains(c.name, "full"))
		})
	}
}

const (
	xsdcsw = "ogc/csw/2.0.2/CSW-discovery.xsd"
	xsdiso = "iso19139/20060504/srv/srv.xsd"
	xsdows = "ogc/ows/1.0.0/owsExceptionReport.xsd"
)

func validate(t *testing.T, kind string, body []byte, rawRecords bool) {
	t.Helper()
	switch kind {
	case "exception":
		xmllint(t, xsdows, body)
		return
	case "envelope":
		xmllint(t, xsdcsw, body)
		return
	}
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(body))
	root := doc.Root()
	holder := root
	if sr := root.FindElement("./csw:SearchResults"); sr != nil {
		holder = sr
	}
	for _, rec := range holder.ChildElements() {
		if kind == "iso" && !rawRecords {
			one := etree.NewDocument()
			cp := rec.Copy()
			for _, a := range root.Attr {
				if a.Space == "xmlns" && cp.SelectAttr("xmlns:"+a.Key) == nil {
					cp.CreateAttr("xmlns:"+a.Key, a.Value)
				}
			}
			one.SetRoot(cp)
			out, err := one.WriteToBytes()
			require.NoError(t, err)
			xmllint(t, xsdiso, out)
		}
		holder.RemoveChild(rec)
	}
	out, err := doc.WriteToBytes()
	require.NoError(t, err)
	xmllint(t, xsdcsw, out)
}

func TestFacadeStatusAndContentType(t *testing.T) {
	f := testFacade()
	status, ctype, body := f.Serve(context.Background(), testEndpoint, nil, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, ContentTypeXML, ctype)
	assert.Contains(t, string(body), `exceptionCode="MissingParameterValue"`)
}
