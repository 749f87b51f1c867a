package push

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestRedirectKeepsCredentialsHome: the API key or bearer token never
// follows a redirect to another origin (another port on loopback), no
// request follows https → http, same-origin redirects are followed.
func TestRedirectKeepsCredentialsHome(t *testing.T) {
	var mu sync.Mutex
	var seen []string // credentials received by the other origin
	me := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"u1","slug":"robot"}`))
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if v := r.Header.Get("X-API-KEY") + r.Header.Get("Authorization"); v != "" {
			seen = append(seen, v)
		}
		mu.Unlock()
		me(w)
	}))
	defer other.Close()
	home := func(status int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/api/1/me/":
				http.Redirect(w, r, other.URL+"/api/1/me/", status)
			case "/same/api/1/me/":
				http.Redirect(w, r, "/moved/", status)
			default:
				me(w)
			}
		}))
	}
	found, temporary := home(http.StatusFound), home(http.StatusTemporaryRedirect)
	defer found.Close()
	defer temporary.Close()
	tlsHome := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer tlsHome.Close()

	bearer := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "b3arer", TokenType: "Bearer"})
	for _, tc := range []struct {
		name    string
		opts    Options
		refused string
	}{
		{"api key, 302 to another port", Options{BaseURL: found.URL, APIKey: "k3y"}, "to another origin"},
		{"api key, 307 to another port", Options{BaseURL: temporary.URL, APIKey: "k3y"}, "to another origin"},
		{"bearer, 302 to another port", Options{BaseURL: found.URL, TokenSource: bearer}, "to another origin"},
		{"api key, same origin", Options{BaseURL: found.URL + "/same", APIKey: "k3y"}, ""},
		{"no credentials, another port", Options{BaseURL: found.URL}, ""},
		{"https to http", Options{BaseURL: tlsHome.URL, HTTPClient: tlsHome.Client()}, "from https to http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			tc.opts.MaxRetries = -1
			c, err := NewClient(tc.opts)
			require.NoError(t, err)
			m, err := c.Me(context.Background())
			mu.Lock()
			assert.Empty(t, seen, "credentials reached another origin")
			mu.Unlock()
			if tc.refused == "" {
				require.NoError(t, err)
				assert.Equal(t, "u1", m.ID)
				return
			}
			require.ErrorIs(t, err, ErrUpstream)
			assert.Contains(t, err.Error(), tc.refused)
			assert.EqualValues(t, 1, c.calls.Load(), "not retried")
		})
	}
}

// TestTokenRefreshKeepsSecretsHome: the refresh request (client secret and
// refresh token in its body, which Go sends again on a 307) never follows
// a redirect to another origin.
func TestTokenRefreshKeepsSecretsHome(t *testing.T) {
	var mu sync.Mutex
	reached := 0
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"stolen","token_type":"Bearer","expires_in":3600}`))
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer home.Close()
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		path := filepath.Join(t.TempDir(), "token.json")
		require.NoError(t, SaveToken(path, &oauth2.Token{AccessToken: "old", RefreshToken: "r3fresh", TokenType: "Bearer",
			Expiry: time.Now().Add(-time.Hour)}))
		conf := OAuthConfig(home.URL, "passerelle", "s3cret", 0)
		conf.Endpoint.AuthStyle = style
		ts, err := FileTokenSource(context.Background(), conf, path)
		require.NoError(t, err)
		_, err = ts.Token()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "to another origin")
		mu.Lock()
		assert.Zero(t, reached, "the refresh request reached another origin")
		mu.Unlock()
	}
}
