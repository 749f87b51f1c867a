package facade

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/passerelle/passerelle/csw"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputJSON: outputFormat=application/json answers pycsw's JSON (the
// XML answer in xmltodict conventions), for GetRecords, GetRecordById and
// DescribeRecord, over KVP and POST.
func TestOutputJSON(t *testing.T) {
	entries := fixtureEntries(t)
	f := testFacade()
	status, body := get(t, f, entries, "service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&maxRecords=2&outputFormat=application/json")
	require.Equal(t, 200, status, string(body))
	var got struct {
		Resp struct {
			XMLNS   map[string]string `json:"@xmlns"`
			Results struct {
				Matched  string            `json:"@numberOfRecordsMatched"`
				Returned string            `json:"@numberOfRecordsReturned"`
				Records  []json.RawMessage `json:"csw:BriefRecord"`
			} `json:"csw:SearchResults"`
		} `json:"csw:GetRecordsResponse"`
	}
	require.NoError(t, json.Unmarshal(body, &got), string(body))
	assert.Equal(t, csw.NSCSW, got.Resp.XMLNS["csw"])
	assert.Equal(t, "3", got.Resp.Results.Matched)
	assert.Equal(t, "2", got.Resp.Results.Returned)
	require.Len(t, got.Resp.Results.Records, 2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(got.Resp.Results.Records[0], &rec))
	assert.Equal(t, entries[0].ID, rec["dc:identifier"])

	req, err := ParseKVP(url.Values{"service": {"CSW"}, "request": {"GetRecordById"}, "id": {entries[1].ID}, "outputFormat": {"application/json"}, "elementSetName": {"full"}})
	require.NoError(t, err)
	assert.Equal(t, ContentTypeJSON, req.ContentType())
	status, ct, body := f.Serve(context.Background(), testEndpoint, req, entries)
	require.Equal(t, 200, status)
	assert.Equal(t, ContentTypeJSON, ct)
	assert.True(t, json.Valid(body), string(body))
	assert.Contains(t, string(body), `"csw:GetRecordByIdResponse"`)

	req, err = ParseXML([]byte(`<csw:DescribeRecord xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" outputFormat="application/json"><csw:TypeName>csw:Record</csw:TypeName></csw:DescribeRecord>`))
	require.NoError(t, err)
	_, ct, body = f.Serve(context.Background(), testEndpoint, req, entries)
	assert.Equal(t, ContentTypeJSON, ct)
	assert.True(t, json.Valid(body), string(body))
	assert.Contains(t, string(body), `"csw:SchemaComponent"`)

	// Exceptions stay OWS XML.
	status, ct, body = f.Error(invalid("x", "y"))
	assert.Equal(t, 400, status)
	assert.Equal(t, ContentTypeXML, ct)
	assert.Contains(t, string(body), "ExceptionReport")
}

func TestXMLToJSON(t *testing.T) {
	j, err := xmlToJSON([]byte(`<?xml version="1.0"?><a:r xmlns:a="urn:a" xmlns="urn:d" k="v"><a:x>1</a:x><a:x>2</a:x><y/><z q="1">t &amp; u</z></a:r>`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"a:r":{"@k":"v","@xmlns":{"a":"urn:a","":"urn:d"},"a:x":["1","2"],"y":null,"z":{"@q":"1","#text":"t & u"}}}`, string(j))
	_, err = xmlToJSON([]byte(`<a><b></a>`))
	assert.Error(t, err)
}

// TestOutputAtom: outputSchema Atom answers one atom:entry per record, with
// the record's repaired box as georss:where (latitude first, EPSG URI).
func TestOutputAtom(t *testing.T) {
	entries := filterEntries()
	f := &Facade{}
	status, body := get(t, f, entries, "service=CSW&request=GetRecords&resultType=results&typeNames=atom:entry&outputSchema=http://www.w3.org/2005/Atom&elementSetName=full")
	require.Equal(t, 200, status, string(body))
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(body))
	res := doc.Root().SelectElement("SearchResults")
	require.NotNil(t, res)
	assert.Equal(t, SchemaAtom, res.SelectAttrValue("recordSchema", ""))
	es := res.ChildElements()
	require.Len(t, es, 3)
	for i, e := range es {
		assert.Equal(t, "entry", e.Tag)
		assert.Equal(t, SchemaAtom, e.NamespaceURI())
		assert.Equal(t, entries[i].ID, e.SelectElement("id").Text())
		assert.NotEmpty(t, e.SelectElement("title").Text())
	}
	a := es[1] // "a": box 2..3 × 49..50, modified 2024-03-05T10:20:30
	assert.Equal(t, "2024-03-05T10:20:30Z", a.SelectElement("updated").Text())
	assert.Equal(t, "49 2", a.FindElement("where/Envelope/lowerCorner").Text())
	assert.Equal(t, "Zonage du PLU de Lille.", a.SelectElement("summary").Text())
	var terms []string
	for _, c := range a.SelectElements("category") {
		terms = append(terms, c.SelectAttrValue("term", ""))
	}
	assert.Equal(t, []string{"Urbanisme", "PLU"}, terms)
	link := a.SelectElement("link").SelectAttrValue("href", "")
	assert.True(t, strings.HasPrefix(link, testEndpoint.URL+"?"), link)
	assert.Contains(t, link, "request=GetRecordById")
}

// TestDescribeRecordUnknownTypes: type names it cannot describe leave an
// empty answer, as pycsw does, not an exception.
func TestDescribeRecordUnknownTypes(t *testing.T) {
	f := &Facade{}
	for _, q := range []string{
		"service=CSW&version=2.0.2&request=DescribeRecord&typeName=csw:DummyRecord",
		"service=CSW&version=2.0.2&request=DescribeRecord&typeName=atom:entry&namespace=xmlns(atom=http://www.w3.org/2005/Atom)",
	} {
		status, body := get(t, f, nil, q)
		require.Equal(t, 200, status, string(body))
		assert.NotContains(t, string(body), "SchemaComponent")
		assert.Contains(t, string(body), "<csw:DescribeRecordResponse")
	}
	status, body := get(t, f, nil, "service=CSW&version=2.0.2&request=DescribeRecord&typeName=csw:DummyRecord,gmd:MD_Metadata")
	require.Equal(t, 200, status)
	assert.Equal(t, 1, strings.Count(string(body), "<csw:SchemaComponent"))
	status, body = get(t, f, nil, "service=CSW&version=2.0.2&request=DescribeRecord")
	require.Equal(t, 200, status)
	assert.Equal(t, 2, strings.Count(string(body), "<csw:SchemaComponent"))
}
