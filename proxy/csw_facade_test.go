package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCSWBareGetIsCapabilities: a GET on the endpoint without any
// parameter (pycsw's harvester fallback, a browser) answers the
// capabilities, not "missing parameter request".
func TestCSWBareGetIsCapabilities(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	for _, path := range []string{"/catalogs/demo/csw", "/organizations/bretagne/csw"} {
		resp, body := e.get(path)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Contains(t, string(body), "<csw:Capabilities ")
		assert.Contains(t, string(body), `xlink:href="http://127.0.0.1:8080`+path+`"`)
	}
	// Parameters without request= still say what is missing.
	resp, body := e.get("/catalogs/demo/csw?service=CSW")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), `locator="request"`)
}

// TestCSWJSONAndAtomOverHTTP: outputFormat=application/json answers JSON
// with its content type over GET and POST; the Atom schema answers entries.
func TestCSWJSONAndAtomOverHTTP(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	resp, body := e.get("/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=csw:Record&elementSetName=brief&outputFormat=application/json")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.True(t, json.Valid(body), string(body))
	assert.Contains(t, string(body), `"@numberOfRecordsMatched":"20"`)

	req := httptest.NewRequest(http.MethodPost, "/catalogs/demo/csw", strings.NewReader(`<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" outputFormat="application/json"><csw:Query typeNames="csw:Record"><csw:ElementSetName>brief</csw:ElementSetName></csw:Query></csw:GetRecords>`))
	req.Header.Set("Content-Type", "application/xml")
	r, err := e.srv.App().Test(req, -1)
	require.NoError(t, err)
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
	assert.True(t, json.Valid(b), string(b))

	resp, body = e.get("/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&resultType=results&typeNames=atom:entry&namespace=xmlns(atom=http://www.w3.org/2005/Atom)&outputSchema=http://www.w3.org/2005/Atom&maxRecords=3")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "application/xml; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, 3, strings.Count(string(body), "<atom:entry>"))
	assert.Contains(t, string(body), `href="http://127.0.0.1:8080/catalogs/demo/csw?`)
}
