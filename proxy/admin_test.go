package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/udatafake"
)

// Organizations of the fake data.gouv.fr: bretagne is configured in
// orgTOML; "Rennes Métropole" is not yet.
const (
	dgBretagne = "65a0de0000000000000000b1"
	dgRennes   = "65a0de0000000000000000c1"
	dgOther    = "65a0de0000000000000000d1"
)

// adminEnv is a listening server with the admin pages, a fake
// data.gouv.fr and a signed-in-able user.
type adminEnv struct {
	*env
	base     string
	fake     *udatafake.Fake
	fakeURL  string
	user     udatafake.User
	logs     *syncBuffer
	mu       sync.Mutex
	harvests []string
	reloads  int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newAdminEnv(t *testing.T, mutate func(*AdminOptions)) *adminEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	e := newEnv(t, base, orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")

	fake := udatafake.New(udatafake.Options{})
	user := fake.AddUser(udatafake.User{ID: udatafake.NewID(), Slug: "camille", Email: "camille@example.org", FirstName: "Camille", LastName: "Martin"})
	fake.AddOrg(udatafake.Org{ID: dgBretagne, Name: "Bretagne (démo)", Slug: "bretagne", Members: []udatafake.Member{{UserID: user.ID, Role: "editor"}}})
	fake.AddOrg(udatafake.Org{ID: dgRennes, Name: "Rennes Métropole", Slug: "rennes-metropole", Members: []udatafake.Member{{UserID: user.ID, Role: "admin"}}})
	fake.AddOrg(udatafake.Org{ID: dgOther, Name: "Autre", Slug: "autre"})
	fake.SetBrowserUser(user.ID)
	fsrv := fake.Start(t)

	ae := &adminEnv{env: e, base: base, fake: fake, fakeURL: fsrv.URL, user: user, logs: &syncBuffer{}}
	opts := AdminOptions{
		DatagouvURL: fsrv.URL,
		ClientID:    "passerelle-test",
		Token:       "admin-secret-token",
		Harvest: func(id string) bool {
			ae.mu.Lock()
			defer ae.mu.Unlock()
			ae.harvests = append(ae.harvests, id)
			return true
		},
		Reload: func(context.Context) (*config.Config, error) {
			cfg, err := config.Load(e.cfg.Path)
			if err != nil {
				return nil, err
			}
			ae.mu.Lock()
			ae.reloads++
			ae.mu.Unlock()
			ae.srv.Reloaded(cfg, nil)
			return cfg, nil
		},
	}
	if mutate != nil {
		mutate(&opts)
	}
	fake.AddClient(udatafake.OAuthClient{ID: "passerelle-test", Secret: opts.ClientSecret, RedirectURIs: []string{base + "/admin/callback"}})
	e.srv = New(Options{Store: e.store, Config: e.cfg, Recheck: 1, Admin: opts,
		Logger: slog.New(slog.NewTextHandler(ae.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ae
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects by itself (so each hop can be checked) unless follow is set.
func (ae *adminEnv) browser(follow bool) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func send(t *testing.T, c *http.Client, method, u string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

const html = "text/html,application/xhtml+xml"

// signIn walks the OAuth2 flow hop by hop and returns the signed-in client.
func (ae *adminEnv) signIn(t *testing.T) *http.Client {
	t.Helper()
	c := ae.browser(false)
	resp, _ := send(t, c, "GET", ae.base+"/admin/", nil, "Accept", html)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "a page redirects the anonymous visitor")
	require.Equal(t, "/admin/login?next=%2Fadmin%2F", resp.Header.Get("Location"))

	resp, _ = send(t, c, "GET", ae.base+"/admin/login?next=/admin/", nil, "Accept", html)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	authz, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(authz.String(), ae.fakeURL+"/oauth/authorize?"), authz.String())
	q := authz.Query()
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, "passerelle-test", q.Get("client_id"))
	assert.Equal(t, ae.base+"/admin/callback", q.Get("redirect_uri"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Len(t, q.Get("code_challenge"), 43)
	require.NotEmpty(t, q.Get("state"))

	resp, _ = send(t, c, "GET", authz.String(), nil)
	require.Equal(t, http.StatusFound, resp.StatusCode, "the fake consents for its browser user")
	callback := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(callback, ae.base+"/admin/callback?"), callback)

	resp, body := send(t, c, "GET", callback, nil, "Accept", html)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	assert.Equal(t, "/admin/", resp.Header.Get("Location"))
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
	assert.False(t, session.Secure, "public_url is http")
	assert.Equal(t, "/admin", session.Path)
	return c
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	require.NotNil(t, m, "the page carries a CSRF token")
	return m[1]
}

// TestAdminSignInAndOnboarding signs in against the fake data.gouv.fr and
// walks organization → catalog → producers → block, then appends it.
func TestAdminSignInAndOnboarding(t *testing.T) {
	ae := newAdminEnv(t, func(o *AdminOptions) { o.ConfigWritable = true })
	c := ae.signIn(t)

	resp, page := send(t, c, "GET", ae.base+"/admin/", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	assert.Contains(t, page, "Camille Martin")
	assert.Contains(t, page, "Rennes Métropole")
	assert.Contains(t, page, "Bretagne (démo)")
	assert.NotContains(t, page, dgOther, "not a member: not listed")
	assert.Contains(t, page, ae.base+"/organizations/bretagne/catalog.ttl", "the configured organization's feed URL")
	assert.Contains(t, page, "Pas encore référencée", "Rennes is not configured yet")

	// Organization → catalog.
	resp, page = send(t, c, "GET", ae.base+"/admin/onboarding?org="+dgRennes, nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	assert.Contains(t, page, "/admin/onboarding?org="+dgRennes+"&amp;catalog=demo")
	// Catalog → producers with counts and claims.
	resp, page = send(t, c, "GET", ae.base+"/admin/onboarding?org="+dgRennes+"&catalog=demo", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	assert.Contains(t, page, `value="rennes-metropole"`)
	assert.Regexp(t, `value="ddtm-d-ille-et-vilaine" id="p-ddtm-d-ille-et-vilaine" disabled`, page, "claimed by bretagne")
	assert.Contains(t, page, "Bretagne (démo) (bretagne)")

	// Producers → the block, as a page and as text.
	q := "org=" + dgRennes + "&catalog=demo&producer=rennes-metropole&producer=ville-de-rennes"
	resp, page = send(t, c, "GET", ae.base+"/admin/onboarding/block?"+q, nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	resp, block := send(t, c, "GET", ae.base+"/admin/onboarding/toml?"+q, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, block)
	assert.Equal(t, `
[[organization]]
id = "rennes-metropole"
title = "Rennes Métropole"
datagouv_id = "65a0de0000000000000000c1"
mode = "harvest"
  [[organization.source]]
  catalog = "demo"
  producers = ["Rennes Métropole", "Ville de Rennes"]
`, block)
	// It passes check-config with the current file.
	current, err := os.ReadFile(ae.cfg.Path)
	require.NoError(t, err)
	_, err = config.Parse(ae.cfg.Path, append(current, block...), filepath.Dir(ae.cfg.Path))
	require.NoError(t, err)

	// Append it (POST with the page's CSRF token).
	resp, _ = send(t, c, "POST", ae.base+"/admin/onboarding/apply", url.Values{"query": {q}}, "Accept", html)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no CSRF token")
	resp, done := send(t, c, "POST", ae.base+"/admin/onboarding/apply", url.Values{"query": {q}, "csrf": {csrfOf(t, page)}}, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, done)
	assert.Contains(t, done, ae.base+"/organizations/rennes-metropole/catalog.ttl")
	bak, err := os.ReadFile(ae.cfg.Path + ".bak")
	require.NoError(t, err)
	assert.Equal(t, current, bak, "the previous file is kept")
	now, err := os.ReadFile(ae.cfg.Path)
	require.NoError(t, err)
	assert.Equal(t, string(current)+block, string(now))
	assert.Equal(t, 1, ae.reloads)
	require.NotNil(t, ae.srv.config().Organization("rennes-metropole"), "the reload put it in force")
	resp, _ = send(t, c, "GET", ae.base+"/organizations/rennes-metropole/catalog.ttl", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// Once configured, the same request is refused (it would duplicate).
	resp, _ = send(t, c, "GET", ae.base+"/admin/onboarding/toml?"+q, nil)
	assert.Equal(t, http.StatusConflict, resp.StatusCode)

	// The data.gouv.fr token stays in the store: never in a cookie, never
	// logged.
	pu, _ := url.Parse(ae.base + "/admin/")
	var sessionValue string
	for _, ck := range c.Jar.Cookies(pu) {
		if ck.Name == sessionCookie {
			sessionValue = ck.Value
		}
	}
	key, err := ae.srv.admin.key(context.Background())
	require.NoError(t, err)
	id := verify(key, sessionValue)
	require.NotEmpty(t, id)
	raw, ok, err := ae.store.Get(context.Background(), sessionKey(id))
	require.NoError(t, err)
	require.True(t, ok)
	var sess session
	require.NoError(t, json.Unmarshal(raw, &sess))
	require.NotEmpty(t, sess.Token)
	assert.NotContains(t, sessionValue, sess.Token)
	assert.NotContains(t, ae.logs.String(), sess.Token)
	assert.NotContains(t, string(raw), id, "the store keys sessions by a hash of their id")
}

func TestAdminAccess(t *testing.T) {
	ae := newAdminEnv(t, nil)
	anon := ae.browser(false)
	// API calls: 401.
	for _, tc := range []struct{ method, path string }{
		{"GET", "/admin/"},
		{"GET", "/admin/onboarding/toml?org=" + dgRennes + "&catalog=demo&producer=*"},
		{"POST", "/admin/catalogs/demo/harvest"},
		{"POST", "/admin/organizations/reste/push"},
	} {
		resp, body := send(t, anon, tc.method, ae.base+tc.path, nil, "Accept", "application/json")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, tc.path+": "+body)
		assert.Contains(t, body, "/admin/login")
	}
	resp, _ := send(t, anon, "POST", ae.base+"/admin/catalogs/demo/harvest", nil, "Authorization", "Bearer wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The admin token: everything, no CSRF.
	resp, body := send(t, anon, "POST", ae.base+"/admin/catalogs/demo/harvest", nil, "Authorization", "Bearer admin-secret-token")
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.JSONEq(t, `{"catalog":"demo","queued":true}`, body)
	assert.Equal(t, []string{"demo"}, ae.harvests)
	resp, body = send(t, anon, "GET", ae.base+"/admin/onboarding/toml?org="+dgOther+"&catalog=demo&producer=audiar-agence-d-urbanisme-de-rennes&mode=push&title=Autre", nil, "Authorization", "Bearer admin-secret-token")
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `mode = "push"`)
	resp, _ = send(t, anon, "GET", ae.base+"/admin/onboarding/toml?org="+dgOther+"&catalog=demo&producer=*", nil, "Authorization", "Bearer admin-secret-token")
	assert.Equal(t, http.StatusConflict, resp.StatusCode, `"reste" already takes ["*"] on demo`)
	resp, _ = send(t, anon, "GET", ae.base+"/admin/onboarding/toml?org="+dgOther+"&catalog=demo&producer=ddtm-d-ille-et-vilaine", nil, "Authorization", "Bearer admin-secret-token")
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "claimed by bretagne")

	// A member: their organizations only; CSRF on forms.
	c := ae.signIn(t)
	resp, page := send(t, c, "GET", ae.base+"/admin/organizations/bretagne", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	resp, _ = send(t, c, "GET", ae.base+"/admin/onboarding/toml?org="+dgOther+"&catalog=demo&producer=ville-de-rennes", nil)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "not a member of that organization")
	resp, _ = send(t, c, "POST", ae.base+"/admin/catalogs/demo/harvest", url.Values{})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no CSRF token")
	resp, body = send(t, c, "POST", ae.base+"/admin/catalogs/demo/harvest", url.Values{"csrf": {csrfOf(t, page)}}, "Accept", html)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.Len(t, ae.harvests, 2)
	resp, _ = send(t, c, "GET", ae.base+"/admin/onboarding/toml?org="+dgRennes+"&catalog=demo&producer=ville-de-rennes", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// Not writable: the apply is refused and the block page says to paste it.
	resp, page = send(t, c, "GET", ae.base+"/admin/onboarding/block?org="+dgRennes+"&catalog=demo&producer=ville-de-rennes", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "Collez ce bloc")
	resp, _ = send(t, c, "POST", ae.base+"/admin/onboarding/apply", url.Values{"csrf": {csrfOf(t, page)}, "query": {"org=" + dgRennes + "&catalog=demo&producer=ville-de-rennes"}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Logout closes the session.
	resp, _ = send(t, c, "POST", ae.base+"/admin/logout", url.Values{"csrf": {csrfOf(t, page)}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = send(t, c, "GET", ae.base+"/admin/", nil, "Accept", "application/json")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestAdminCallbackChecksState: a callback whose state is not this
// browser's is refused; so is a replayed one.
func TestAdminCallbackChecksState(t *testing.T) {
	ae := newAdminEnv(t, nil)
	c := ae.browser(false)
	resp, _ := send(t, c, "GET", ae.base+"/admin/login", nil)
	authz := resp.Header.Get("Location")
	resp, _ = send(t, c, "GET", authz, nil)
	callback, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)

	other := ae.browser(false) // another browser, without the state cookie
	resp, _ = send(t, other, "GET", callback.String(), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	forged := *callback
	q := forged.Query()
	q.Set("state", "forged")
	forged.RawQuery = q.Encode()
	resp, _ = send(t, c, "GET", forged.String(), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// The state cookie was cleared by that attempt: the real callback
	// now fails too (start again).
	resp, _ = send(t, c, "GET", callback.String(), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestAdminSessionsSharedByReplicas: a session opened on one server is
// accepted by another on the same store (the signing key is in the store).
func TestAdminSessionsSharedByReplicas(t *testing.T) {
	ae := newAdminEnv(t, nil)
	c := ae.signIn(t)
	other := New(Options{Store: ae.store, Config: ae.cfg, Admin: AdminOptions{ClientID: "passerelle-test", DatagouvURL: ae.fakeURL}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- other.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	pu, _ := url.Parse(ae.base + "/admin/")
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/admin/", nil)
	req.Header.Set("Accept", "application/json")
	for _, ck := range c.Jar.Cookies(pu) {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestAdminCatalogPageListsEveryProblem: a folder catalog with 60 broken
// records shows all 60 problems over two pages, each with its file.
func TestAdminCatalogPageListsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(demoDir(), mustFirstXML(t)))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000-good.xml"), good, 0o644))
	for i := range 60 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("bad-%02d.xml", i)), []byte("<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\"/>"), 0o644))
	}
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"folder": dir})
	e.harvestAny("folder")
	e.srv = New(Options{Store: e.store, Config: e.cfg, Recheck: 1, Admin: AdminOptions{Token: "t"}})
	auth := []string{"Authorization", "Bearer t"}
	var p1, p2 struct {
		Problems                  []problemRow
		ProblemCount, Page, Pages int
	}
	_, body := e.get("/admin/catalogs/folder", auth...)
	require.NoError(t, json.Unmarshal(body, &p1), string(body))
	_, body = e.get("/admin/catalogs/folder?page=2", auth...)
	require.NoError(t, json.Unmarshal(body, &p2), string(body))
	assert.Equal(t, 60, p1.ProblemCount)
	assert.Equal(t, 2, p1.Pages)
	assert.Len(t, p1.Problems, 50)
	assert.Len(t, p2.Problems, 10)
	assert.Equal(t, "bad-00.xml", p1.Problems[0].File)
	assert.Equal(t, "bad-59.xml", p2.Problems[9].File)

	// The page itself (signed-in browsers get HTML).
	ae := newAdminEnv(t, nil)
	c := ae.signIn(t)
	resp, page := send(t, c, "GET", ae.base+"/admin/catalogs/demo", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	for _, want := range []string{"20</b> fiches servies", "Rennes Métropole", "Bretagne (démo) (bretagne)", "fiches dans l&#39;instantané", "Moissonner maintenant"} {
		assert.Contains(t, page, want)
	}
}

func mustFirstXML(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(demoDir(), "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return filepath.Base(files[0])
}

// TestShutdownLetsRequestsFinish: a request in flight when the server is
// told to stop (a proposal whose probe waits on a slow CSW) still gets its
// answer.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	entered := make(chan struct{}, 8)
	h := cswtest.NewHandler(cswtest.Generate(3), cswtest.Options{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		h.ServeHTTP(w, r)
	}))
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e := newEnv(t, "http://"+ln.Addr().String(), orgTOML, map[string]string{"demo": demoDir()})
	srv := New(Options{Store: e.store, Config: e.cfg, Admin: AdminOptions{Token: "t", Probe: ProbeOptions{AllowLoopback: true}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	type answer struct {
		code int
		body string
		err  error
	}
	answers := make(chan answer, 1)
	go func() {
		form := url.Values{"url": {up.URL + "/csw"}, "title": {"Lent"}, "org": {dgBretagne}}
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/admin/proposals", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answers <- answer{code: resp.StatusCode, body: string(b)}
	}()
	<-entered // the probe is talking to the CSW: the request is in flight
	cancel()
	a := <-answers
	require.NoError(t, a.err)
	assert.Equal(t, http.StatusCreated, a.code, a.body)
	assert.Contains(t, a.body, `"ok":true`)
	require.NoError(t, <-done)
}

// TestAdminCookiesSecureOnHTTPS: with an https public_url the cookies are
// Secure; a session never logs its token.
func TestAdminCookiesSecureOnHTTPS(t *testing.T) {
	e := newEnv(t, "https://passerelle.example.org", orgTOML, map[string]string{"demo": demoDir()})
	e.srv = New(Options{Store: e.store, Config: e.cfg, Admin: AdminOptions{ClientID: "c", DatagouvURL: "https://www.data.gouv.fr"}})
	resp, _ := e.get("/admin/login")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	cookies := resp.Cookies()
	require.Len(t, cookies, 1)
	assert.True(t, cookies[0].Secure)
	assert.True(t, cookies[0].HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, cookies[0].SameSite)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "https://passerelle.example.org/admin/callback", loc.Query().Get("redirect_uri"))

	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "session", &session{UserID: "u1", Token: "secret-token"})
	assert.NotContains(t, b.String(), "secret-token")
	assert.Contains(t, b.String(), "u1")
}

// TestAdminConfidentialClient: with DATAGOUV_CLIENT_SECRET the code is
// exchanged with client_secret_basic; a wrong secret fails the sign-in.
func TestAdminConfidentialClient(t *testing.T) {
	ae := newAdminEnv(t, func(o *AdminOptions) { o.ClientSecret = "s3cret/with:odd chars" })
	c := ae.signIn(t)
	resp, _ := send(t, c, "GET", ae.base+"/admin/", nil, "Accept", "application/json")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// data.gouv.fr now knows another secret for the client.
	ae.fake.AddClient(udatafake.OAuthClient{ID: "passerelle-test", Secret: "rotated", RedirectURIs: []string{ae.base + "/admin/callback"}})
	b := ae.browser(false)
	resp, _ = send(t, b, "GET", ae.base+"/admin/login", nil)
	resp, _ = send(t, b, "GET", resp.Header.Get("Location"), nil)
	resp, body := send(t, b, "GET", resp.Header.Get("Location"), nil)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode, body)
	assert.NotContains(t, body, "s3cret")
}

// TestAdminDisabledByDefault: without a client id or an admin token the
// pages do not exist, and the sign-in is not offered.
func TestAdminDisabledByDefault(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	for _, path := range []string{"/admin/", "/admin/login", "/admin/onboarding/toml?org=" + dgRennes} {
		resp, body := e.get(path, "Authorization", "Bearer anything")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		assert.Contains(t, string(body), "DATAGOUV_CLIENT_ID", path)
	}
}

// TestAdminRefusesCrossOriginRedirect: a 307 from data.gouv.fr's token
// endpoint to another host does not resend the code and PKCE verifier
// there; a redirect within data.gouv.fr is followed.
func TestAdminRefusesCrossOriginRedirect(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = io.WriteString(w, `{"access_token":"stolen"}`)
	}))
	defer other.Close()
	dg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/token":
			http.Redirect(w, r, other.URL+"/oauth/token", http.StatusTemporaryRedirect)
		case "/old/":
			http.Redirect(w, r, "/api/1/me/", http.StatusTemporaryRedirect)
		default:
			_, _ = io.WriteString(w, `{"id":"u1"}`)
		}
	}))
	defer dg.Close()
	a := newAdmin(nil, AdminOptions{DatagouvURL: dg.URL})

	req, err := http.NewRequest(http.MethodPost, dg.URL+"/oauth/token", strings.NewReader("code=c&code_verifier=v"))
	require.NoError(t, err)
	var out map[string]any
	_, err = a.do(req, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused")
	assert.Zero(t, elsewhere.Load(), "the token request reached another host")

	var me struct{ ID string }
	require.NoError(t, a.getJSON(context.Background(), "tok", "/old/", &me))
	assert.Equal(t, "u1", me.ID)
}
