package proxy

import (
	"net/http"
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
