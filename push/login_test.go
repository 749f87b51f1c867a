package push

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/passerelle/passerelle/internal/udatafake"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// TestLoginEndToEnd runs the whole flow: Login prints the URL, an HTTP
// client "opens" it (the fake auto-consents and redirects to the
// callback), Login exchanges the code with PKCE and saves the token; the
// token then authenticates API calls and is refreshed with rotation.
func TestLoginEndToEnd(t *testing.T) {
	// A 5 s token is already "expiring" for x/oauth2 (10 s margin): the
	// first use refreshes it.
	f := udatafake.New(udatafake.Options{TokenTTL: 5 * time.Second})
	u := f.AddUser(udatafake.User{FirstName: "Ada", Email: "ada@example.fr"})
	f.SetBrowserUser(u.ID)
	port := freePort(t)
	redirect := "http://127.0.0.1:" + strconv.Itoa(port) + "/callback"
	f.AddClient(udatafake.OAuthClient{ID: "passerelle", Secret: "s3cret", RedirectURIs: []string{redirect}})
	srv := f.Start(t)
	path := filepath.Join(t.TempDir(), "passerelle", "token.json")

	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		errc <- Login(ctx, LoginOptions{BaseURL: srv.URL, ClientID: "passerelle", ClientSecret: "s3cret",
			Port: port, TokenPath: path, Out: pw})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var authURL string
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "http") {
			authURL = line
			break
		}
	}
	require.NotEmpty(t, authURL)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	assert.Contains(t, authURL, "code_challenge_method=S256")
	assert.Contains(t, authURL, "scope=default")
	assert.Contains(t, authURL, "redirect_uri="+strings.ReplaceAll(strings.ReplaceAll(redirect, ":", "%3A"), "/", "%2F"))

	// A forged callback is refused and does not end the login.
	resp, err := http.Get(redirect + "?code=x&state=forged")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, err = http.Get(authURL) // follows the redirect to the callback
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NoError(t, <-errc)

	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	first, err := LoadToken(path)
	require.NoError(t, err)
	require.NotEmpty(t, first.RefreshToken)

	// The stored token authenticates; being near expiry it is refreshed
	// first, and the rotated refresh token is saved.
	conf := OAuthConfig(srv.URL, "passerelle", "s3cret", port)
	ts, err := FileTokenSource(context.Background(), conf, path)
	require.NoError(t, err)
	c, err := NewClient(Options{BaseURL: srv.URL, TokenSource: ts, Rate: -1})
	require.NoError(t, err)
	me, err := c.Me(context.Background())
	require.NoError(t, err)
	assert.Equal(t, u.ID, me.ID)
	second, err := LoadToken(path)
	require.NoError(t, err)
	assert.NotEqual(t, first.RefreshToken, second.RefreshToken, "rotated refresh token saved")
	assert.NotEqual(t, first.AccessToken, second.AccessToken)
	st, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".token-"), "temporary file %s left behind", e.Name())
	}
}

func TestLoginRefused(t *testing.T) {
	// The user declines on data.gouv.fr, which redirects with an error.
	port := freePort(t)
	redirect := "http://127.0.0.1:" + strconv.Itoa(port) + "/callback"
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- Login(context.Background(), LoginOptions{BaseURL: "http://unused.example.fr", ClientID: "passerelle",
			Port: port, TokenPath: filepath.Join(t.TempDir(), "token.json"), Out: pw})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var state string
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "state="); i >= 0 {
			state = strings.SplitN(sc.Text()[i+len("state="):], "&", 2)[0]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	resp, err := http.Get(redirect + "?error=access_denied&error_description=no&state=" + state)
	require.NoError(t, err)
	resp.Body.Close()
	err = <-errc
	require.Error(t, err)
	assert.Contains(t, err.Error(), "authorization refused: access_denied")
}

func TestOptionsFromEnv(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/nonexistent"}
	getenv := func(k string) string { return env[k] }
	_, err := OptionsFromEnv(context.Background(), getenv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run passerelle login")

	path, err := DefaultTokenPath(getenv)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "passerelle", "token.json"), path)
	require.NoError(t, SaveToken(path, &oauth2Token))
	opts, err := OptionsFromEnv(context.Background(), getenv)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, opts.BaseURL)
	assert.NotNil(t, opts.TokenSource)

	env["DATAGOUV_API_KEY"] = "k"
	env["DATAGOUV_URL"] = "https://demo.data.gouv.fr"
	opts, err = OptionsFromEnv(context.Background(), getenv)
	require.NoError(t, err)
	assert.Equal(t, "k", opts.APIKey)
	assert.Nil(t, opts.TokenSource, "the API key wins")
	assert.Equal(t, "https://demo.data.gouv.fr", opts.BaseURL)

	p, err := DefaultTokenPath(func(k string) string { return map[string]string{"HOME": "/home/ada"}[k] })
	require.NoError(t, err)
	assert.Equal(t, "/home/ada/.config/passerelle/token.json", p)
}

var oauth2Token = oauth2.Token{AccessToken: "a", RefreshToken: "r", TokenType: "Bearer"}
