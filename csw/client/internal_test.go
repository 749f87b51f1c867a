package client

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/testenv"
)

func TestParseCapabilitiesCorpus(t *testing.T) {
	tests := []struct {
		file          string
		get, post     string
		hasGetRecords bool
	}{
		{"pycsw__apiso_GetCapabilities.xml", "http://localhost/pycsw/csw.py?config=tests/functionaltests/suites/apiso/default.yml", "http://localhost/pycsw/csw.py?config=tests/functionaltests/suites/apiso/default.yml", true},
		{"pycsw__apiso-inspire_GetCapabilities.xml", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(testenv.Corpus(t, "csw", tc.file))
			require.NoError(t, err)
			caps, err := csw.ParseCapabilities(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, tc.hasGetRecords, caps.HasGetRecords)
			if tc.get != "" {
				assert.Equal(t, tc.get, caps.GetURL)
				assert.Equal(t, tc.post, caps.PostURL)
			} else {
				assert.NotEmpty(t, caps.GetURL)
			}
		})
	}
}

func TestParseCapabilitiesErrors(t *testing.T) {
	b, err := os.ReadFile(testenv.Corpus(t, "csw", "pycsw__exception_GetCapabilities-invalid-request.xml"))
	require.NoError(t, err)
	_, err = csw.ParseCapabilities(bytes.NewReader(b))
	var ex *csw.ExceptionError
	require.ErrorAs(t, err, &ex)
	assert.Equal(t, "InvalidParameterValue", ex.Code)
	assert.Equal(t, "request", ex.Locator)

	for name, doc := range map[string]string{
		"html":      `<html><body/></html>`,
		"doctype":   `<!DOCTYPE x [<!ENTITY a "b">]><csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"/>`,
		"truncated": `<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><ows:Operation`,
		"deep":      `<Capabilities>` + strings.Repeat("<a>", csw.MaxXMLDepth+1),
		"encoding":  `<?xml version="1.0" encoding="x-unknown-42"?><Capabilities/>`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := csw.ParseCapabilities(strings.NewReader(doc))
			require.Error(t, err)
			assert.True(t, errors.Is(err, csw.ErrUpstream) || errors.Is(err, csw.ErrTransient), "classified: %v", err)
		})
	}
}

func TestParseCapabilitiesLatin1(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><csw:Capabilities xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" xmlns:ows=\"http://www.opengis.net/ows\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><ows:ServiceIdentification><ows:Title>G\xe9o</ows:Title></ows:ServiceIdentification><ows:OperationsMetadata><ows:Operation name=\"GetRecords\"><ows:DCP><ows:HTTP><ows:Get xlink:href=\"http://a/csw\"/></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata></csw:Capabilities>"
	caps, err := csw.ParseCapabilities(strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, "http://a/csw", caps.GetURL)
	assert.Empty(t, caps.PostURL)
}

func FuzzParseCapabilities(f *testing.F) {
	f.Add([]byte(`<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ows="http://www.opengis.net/ows" xmlns:xlink="http://www.w3.org/1999/xlink"><ows:OperationsMetadata><ows:Operation name="GetRecords"><ows:DCP><ows:HTTP><ows:Get xlink:href="http://a/csw"/><ows:Post xlink:href="http://a/csw"/></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata></csw:Capabilities>`))
	f.Add([]byte(`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="X"/></ows:ExceptionReport>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		caps, err := csw.ParseCapabilities(bytes.NewReader(doc))
		if err != nil {
			assert.Nil(t, caps)
			assert.True(t, errors.Is(err, csw.ErrUpstream) || errors.Is(err, csw.ErrTransient), "unclassified error %v", err)
			return
		}
		assert.NotNil(t, caps)
	})
}

func TestSameURL(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"http://Example.org/csw", "http://example.org/csw/", true},
		{"http://example.org:80/csw", "http://example.org/csw", true},
		{"https://example.org/csw", "http://example.org/csw", false},
		{"http://example.org/csw?service=CSW&request=GetCapabilities", "http://example.org/csw", true},
		{"http://localhost/pycsw/csw.py?config=x", "http://example.org/pycsw/csw.py?config=x", false},
		{"http://example.org/csw?config=x", "http://example.org/csw?config=y", false},
		{"http://example.org/geonetwork/srv/fre/csw", "http://example.org/geonetwork/srv/eng/csw", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.same, sameURL(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 0 ", 0},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, retryAfter(tc.v, now), "Retry-After %q", tc.v)
	}
}

func TestRequestRendering(t *testing.T) {
	ep := &Endpoint{URL: "http://example.org/geonetwork/srv/fre/csw?service=CSW&portal=x&REQUEST=GetCapabilities"}
	r := &request{op: "GetRecords", resultType: "results", start: 11, max: 10, elementSet: "full", sort: true, nsParam: true, cqlText: true, constraint: "apiso:OrganisationName = 'DDT & co <x>'"}
	req, err := r.httpRequest(ep)
	require.NoError(t, err)
	q := req.URL.Query()
	assert.Equal(t, "x", q.Get("portal"), "the configured URL's own parameters are kept")
	assert.Empty(t, q.Get("REQUEST"), "configured CSW parameters are replaced")
	assert.Equal(t, "GetRecords", q.Get("request"))
	assert.Equal(t, "xmlns(gmd=http://www.isotc211.org/2005/gmd)", q.Get("namespace"))
	assert.Equal(t, "CQL_TEXT", q.Get("constraintLanguage"))
	assert.Equal(t, "apiso:OrganisationName = 'DDT & co <x>'", q.Get("constraint"))
	assert.Equal(t, "apiso:Identifier:A", q.Get("sortBy"))

	r.rawQS = true
	req, err = r.httpRequest(ep)
	require.NoError(t, err)
	assert.Equal(t, q, req.URL.Query(), "the same parameters, unencoded")
	assert.Contains(t, req.URL.RawQuery, "&typeNames=gmd:MD_Metadata&")
	assert.Contains(t, req.URL.RawQuery, "&namespace=xmlns(gmd=http://www.isotc211.org/2005/gmd)&")
	assert.True(t, strings.HasPrefix(req.URL.RawQuery, "constraint=apiso:OrganisationName%20=%20'DDT%20%26%20co%20%3Cx%3E'&"), req.URL.RawQuery)
	r.rawQS = false

	r.post = true
	req, err = r.httpRequest(ep)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, req.Method)
	body, err := r.xml()
	require.NoError(t, err)
	s := string(body)
	assert.Contains(t, s, `<csw:CqlText>apiso:OrganisationName = &apos;DDT &amp; co &lt;x&gt;&apos;</csw:CqlText>`)
	assert.Contains(t, s, `startPosition="11"`)
	assert.Contains(t, s, `<ogc:PropertyName>apiso:Identifier</ogc:PropertyName>`)
	assert.Contains(t, s, `outputSchema="http://www.isotc211.org/2005/gmd"`)
}
