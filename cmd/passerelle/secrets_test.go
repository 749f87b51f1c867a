package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/cswtest"
)

// TestURLCredentialsNeverShown harvests catalogs whose URLs carry
// user:SECRET (one server that checks them and answers, one that fails
// every page, one refusing connections), then serves them: no report,
// harvest --json line, log line (debug level) or public route shows the
// secret, and the credentials still reach the server that needs them.
func TestURLCredentialsNeverShown(t *testing.T) {
	const secret = "S3CRET-pw"
	t.Setenv("CSW_PASS", secret)
	t.Setenv("PASSERELLE_LOG_LEVEL", "debug")
	recs := cswtest.Generate(12)

	var unauthorized int
	csw := cswtest.NewHandler(recs, cswtest.Options{})
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != secret {
			unauthorized++
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		csw.ServeHTTP(w, r)
	}))
	t.Cleanup(good.Close)
	bad := cswtest.NewServer(t, recs, cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultException}}})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := closed.Addr().String()
	require.NoError(t, closed.Close())

	dir := t.TempDir()
	withCreds := func(base string) string {
		return strings.Replace(base, "http://", "http://user:${CSW_PASS}@", 1) + "/csw"
	}
	cfgPath := filepath.Join(dir, "catalogs.toml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(`[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "good"
title = "Bon"
url = %q
timeout = "5s"

[[catalog]]
id = "bad"
title = "Mauvais"
url = %q
timeout = "5s"

[[catalog]]
id = "closed"
title = "Fermé"
url = %q
timeout = "2s"
`, withCreds(good.URL), withCreds(bad.URL), withCreds("http://"+closedAddr))), 0o644))
	store := filepath.Join(dir, "data")

	code, out, errOut := cli(t, "harvest", "--json", "--config", cfgPath, "--cache", store)
	assert.Equal(t, exitFailure, code, "two catalogs fail: %s", errOut)
	assert.Zero(t, unauthorized, "the credentials reach the server, in a header")
	assert.Contains(t, out, `"catalog":"good","status":"ok"`)
	assert.Contains(t, out, `"catalog":"bad"`)
	assert.Contains(t, out, `"catalog":"closed","status":"failed"`)
	assert.Contains(t, errOut, `"level":"DEBUG"`, "debug logs are captured")
	assert.NotContains(t, out, secret, "harvest --json")
	assert.NotContains(t, errOut, secret, "harvest logs")

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	codes := make(chan int, 1)
	var sout, serr lockedBuffer
	go func() {
		codes <- run(ctx, []string{"serve", "--addr", addr, "--config", cfgPath, "--cache", store}, &sout, &serr)
	}()
	get := func(path string) (int, string) { return httpGet("http://" + addr + path) }
	require.Eventually(t, func() bool {
		code, _ := get("/healthz")
		return code == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond)
	var reports string
	for _, path := range []string{
		"/", "/healthz", "/readyz", "/metrics", "/catalogs.json", "/organizations.json",
		"/catalogs/good/reports.json", "/catalogs/bad/reports.json", "/catalogs/closed/reports.json",
		"/catalogs/good/catalog.ttl", "/catalogs/good/datasets.json", "/catalogs/good/producers.json",
		"/catalogs/good/csw?service=CSW&request=GetCapabilities",
		"/catalogs/good/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&resultType=results",
		"/catalogs/bad/catalog.ttl", "/catalogs/closed/datasets.json",
	} {
		code, body := get(path)
		assert.NotZero(t, code, path)
		assert.NotContains(t, body, secret, path)
		if strings.HasSuffix(path, "reports.json") {
			reports += body
		}
	}
	// The reports do show the URLs and failures, without the secret.
	assert.Contains(t, reports, `"final_url":"http://127.0.0.1:`)
	assert.Contains(t, reports, "connection refused")
	assert.Contains(t, reports, "NoApplicableCode")
	cancel()
	select {
	case code := <-codes:
		assert.Equal(t, exitOK, code, serr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.NotContains(t, sout.String()+serr.String(), secret, "serve logs")
}
