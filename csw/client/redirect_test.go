package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
)

// TestRedirectPolicy: a request carrying the catalog's configured headers
// (or URL credentials) never follows a redirect to another origin (port
// counts), and no request follows https → http; same-origin redirects and
// requests without secrets are followed.
func TestRedirectPolicy(t *testing.T) {
	csw20 := cswtest.NewHandler(cswtest.Generate(6), cswtest.Options{})
	var mu sync.Mutex
	var leaked []string // secrets seen by the other origin
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if v := r.Header.Get("X-Token") + r.Header.Get("Authorization"); v != "" {
			leaked = append(leaked, v)
		}
		mu.Unlock()
		csw20.ServeHTTP(w, r)
	}))
	defer other.Close()
	redirector := func(target func(r *http.Request) string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/moved" {
				csw20.ServeHTTP(w, r)
				return
			}
			http.Redirect(w, r, target(r)+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		}))
	}
	toOther := redirector(func(*http.Request) string { return other.URL + "/csw" })
	defer toOther.Close()
	sameOrigin := redirector(func(r *http.Request) string { return "http://" + r.Host + "/moved" })
	defer sameOrigin.Close()
	tlsToPlain := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/csw?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	}))
	defer tlsToPlain.Close()

	token := map[string]string{"X-Token": "t0ken"}
	for _, tc := range []struct {
		name    string
		url     string
		headers map[string]string
		client  *http.Client
		fetched int
		refusal string
	}{
		{name: "headers, other port", url: toOther.URL + "/csw", headers: token, refusal: "to another origin " + other.URL + " refused"},
		{name: "url credentials, other port", url: strings.Replace(toOther.URL, "http://", "http://u:pw@", 1) + "/csw", refusal: "refused: the request carries the catalog's configured headers"},
		{name: "headers, same origin", url: sameOrigin.URL + "/csw", headers: token, fetched: 6},
		{name: "no secrets, other port", url: toOther.URL + "/csw", fetched: 6},
		{name: "https to http, no secrets", url: tlsToPlain.URL + "/csw", client: tlsToPlain.Client(), refusal: "redirect from https to http refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			leaked = nil
			mu.Unlock()
			c := testClient(client.Options{HTTPClient: tc.client})
			rep, err := c.Walk(context.Background(), client.Endpoint{URL: tc.url, PageSize: 3, Headers: tc.headers}, nil)
			mu.Lock()
			assert.Empty(t, leaked, "no secret reaches another origin")
			mu.Unlock()
			if tc.refusal == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.fetched, rep.Fetched)
				return
			}
			require.Error(t, err)
			assert.Zero(t, rep.Fetched)
			assert.Contains(t, err.Error()+strings.Join(rep.Notes, "\n"), tc.refusal)
		})
	}
}
