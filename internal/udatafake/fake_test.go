package udatafake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type env struct {
	f    *Fake
	base string
	org  Org
	user User
	key  string
}

func setup(t *testing.T) *env {
	t.Helper()
	f := New(Options{})
	u := f.AddUser(User{FirstName: "Ada", LastName: "Robot", Email: "ada@example.fr"})
	f.AddAPIKey(u.ID, "good-key")
	o := f.AddOrg(Org{Name: "DDT Test", Members: []Member{{UserID: u.ID, Role: "editor"}}})
	srv := f.Start(t)
	return &env{f: f, base: srv.URL, org: o, user: u, key: "good-key"}
}

// do sends a request and returns status, headers and decoded JSON body.
func (e *env) do(t *testing.T, method, path, key string, body any) (int, http.Header, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.base + path
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &v), string(raw))
	}
	return resp.StatusCode, resp.Header, v
}

func (e *env) create(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	if _, ok := body["organization"]; !ok {
		body["organization"] = e.org.ID
	}
	st, _, v := e.do(t, "POST", "/api/1/datasets/", e.key, body)
	require.Equal(t, http.StatusCreated, st, v)
	return v.(map[string]any)
}

func TestAuth(t *testing.T) {
	e := setup(t)
	tok := e.f.IssueToken(e.user.ID, time.Hour)
	tests := []struct {
		name    string
		path    string
		key     string
		bearer  string
		status  int
		message string
	}{
		{"bad key on public route", "/api/1/datasets/", "nope", "", 401, "Invalid API token"},
		{"bad key on secured route", "/api/1/me/", "nope", "", 401, "Invalid API token"},
		{"no auth on secured route", "/api/1/me/", "", "", 401, "Unauthorized"},
		{"bad bearer on public route ignored", "/api/1/datasets/", "", "bad", 200, ""},
		{"bad bearer on secured route", "/api/1/me/", "", "bad", 401, "The access token provided is expired, revoked, malformed, or invalid for other reasons."},
		{"good bearer", "/api/1/me/", "", tok, 200, ""},
		{"good key", "/api/1/me/", "good-key", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", e.base+tt.path, nil)
			require.NoError(t, err)
			if tt.key != "" {
				req.Header.Set("X-API-KEY", tt.key)
			}
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var v map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.status == 401 {
				assert.Equal(t, `Bearer realm="uData"`, resp.Header.Get("WWW-Authenticate"))
				assert.Equal(t, tt.message, v["message"])
			}
		})
	}
}

func TestMeAndOrg(t *testing.T) {
	e := setup(t)
	st, _, v := e.do(t, "GET", "/api/1/me/", e.key, nil)
	require.Equal(t, 200, st)
	orgs := v.(map[string]any)["organizations"].([]any)
	require.Len(t, orgs, 1)
	assert.Equal(t, e.org.ID, orgs[0].(map[string]any)["id"])
	st, _, v = e.do(t, "GET", "/api/1/organizations/"+e.org.ID+"/", "", nil)
	require.Equal(t, 200, st)
	m := v.(map[string]any)["members"].([]any)[0].(map[string]any)
	assert.Equal(t, "editor", m["role"])
	assert.Equal(t, e.user.ID, m["user"].(map[string]any)["id"])
}

func TestCreateValidation(t *testing.T) {
	e := setup(t)
	other := e.f.AddOrg(Org{Name: "Other"})
	tests := []struct {
		name   string
		body   any
		ctype  string
		status int
		want   string // substring of the JSON answer
	}{
		{"missing title", map[string]any{"description": "d", "organization": e.org.ID}, "", 400, `"title":["This field is required."]`},
		{"not a member", map[string]any{"title": "t", "description": "d", "organization": other.ID}, "", 400, `"organization":["Permission denied for this organization"]`},
		{"short tag", map[string]any{"title": "t", "description": "d", "tags": []string{"ab"}}, "", 400, `"tags"`},
		{"bad frequency", map[string]any{"title": "t", "description": "d", "frequency": "sometimes"}, "", 400, `'sometimes' is not a valid UpdateFrequency`},
		{"not an object", []string{"x"}, "", 400, `"request":"expecting a JSON object"`},
		{"not JSON", map[string]any{"title": "t"}, "text/plain", 400, `"Content-Type":"expecting application/json"`},
		{"local resource url", map[string]any{"title": "t", "description": "d", "resources": []any{map[string]any{"title": "r", "url": "http://localhost/x", "filetype": "remote"}}}, "", 400, `"url"`},
		{"ok", map[string]any{"title": "t", "description": "d", "license": "lov2", "frequency": "realtime"}, "", 201, `"frequency":"continuous"`},
		{"unknown licence", map[string]any{"title": "t", "description": "d", "license": "etalab-9"}, "", 201, `"license":"notspecified"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, ok := tt.body.(map[string]any); ok {
				if _, has := m["organization"]; !has {
					m["organization"] = e.org.ID
				}
			}
			raw, err := json.Marshal(tt.body)
			require.NoError(t, err)
			req, err := http.NewRequest("POST", e.base+"/api/1/datasets/", bytes.NewReader(raw))
			require.NoError(t, err)
			ct := tt.ctype
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			req.Header.Set("X-API-KEY", e.key)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			out, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, string(out))
			assert.Contains(t, string(out), tt.want)
		})
	}
}

func TestPutTraps(t *testing.T) {
	e := setup(t)
	d := e.create(t, map[string]any{
		"title": "Routes", "description": "d", "tags": []string{"Routes Nationales", "voirie"},
		"extras":    map[string]any{"a": 1, "b": 2},
		"resources": []any{map[string]any{"title": "WMS", "url": "https://geo.example.fr/wms", "filetype": "remote", "type": "api"}},
	})
	id := d["id"].(string)
	assert.Equal(t, []any{"routes-nationales", "voirie"}, d["tags"])

	// Absent tags wipe the tags; absent resources are kept; provided extras replace.
	st, _, v := e.do(t, "PUT", "/api/1/datasets/"+id+"/", e.key, map[string]any{"title": "Routes 2", "extras": map[string]any{"c": 3}})
	require.Equal(t, 200, st, v)
	got := v.(map[string]any)
	assert.Empty(t, got["tags"])
	assert.Len(t, got["resources"], 1)
	assert.Equal(t, map[string]any{"c": float64(3)}, got["extras"])
	assert.Equal(t, "d", got["description"])

	// Archive then unarchive.
	st, _, v = e.do(t, "PUT", "/api/1/datasets/"+id+"/", e.key, map[string]any{"archived": "2026-01-02T03:04:05+00:00", "tags": []string{"voirie"}})
	require.Equal(t, 200, st, v)
	assert.NotNil(t, v.(map[string]any)["archived"])
	st, _, v = e.do(t, "PUT", "/api/1/datasets/"+id+"/", e.key, map[string]any{"archived": nil, "tags": []string{"voirie"}})
	require.Equal(t, 200, st, v)
	assert.Nil(t, v.(map[string]any)["archived"])

	// v2 extras: merge, null removes, non-dict refused.
	st, _, v = e.do(t, "PUT", "/api/2/datasets/"+id+"/extras/", e.key, map[string]any{"d": "x", "c": nil})
	require.Equal(t, 200, st, v)
	assert.Equal(t, map[string]any{"d": "x"}, v)
	st, _, v = e.do(t, "PUT", "/api/2/datasets/"+id+"/extras/", e.key, []string{"d"})
	assert.Equal(t, 400, st)
	assert.Equal(t, "Wrong payload format, dict expected", v.(map[string]any)["message"])
	st, _, _ = e.do(t, "DELETE", "/api/2/datasets/"+id+"/extras/", e.key, []string{"d"})
	assert.Equal(t, 204, st)

	// 403 for a non-member, 410 before 403 once deleted.
	stranger := e.f.AddUser(User{FirstName: "No", LastName: "Body"})
	e.f.AddAPIKey(stranger.ID, "stranger")
	st, _, _ = e.do(t, "PUT", "/api/1/datasets/"+id+"/", "stranger", map[string]any{"tags": []string{}})
	assert.Equal(t, 403, st)
	st, _, _ = e.do(t, "DELETE", "/api/1/datasets/"+id+"/", e.key, nil)
	assert.Equal(t, 204, st)
	st, _, v = e.do(t, "PUT", "/api/1/datasets/"+id+"/", "stranger", map[string]any{"tags": []string{}})
	assert.Equal(t, 410, st)
	assert.Equal(t, "Dataset has been deleted", v.(map[string]any)["message"])
	st, _, _ = e.do(t, "DELETE", "/api/1/datasets/"+id+"/", e.key, nil)
	assert.Equal(t, 410, st)
	st, _, _ = e.do(t, "GET", "/api/1/datasets/"+id+"/", "", nil)
	assert.Equal(t, 410, st)
	st, _, v = e.do(t, "GET", "/api/1/datasets/"+id+"/", e.key, nil)
	assert.Equal(t, 200, st)
	assert.NotNil(t, v.(map[string]any)["deleted"])
}

func TestResources(t *testing.T) {
	e := setup(t)
	id := e.create(t, map[string]any{"title": "R", "description": "d"})["id"].(string)
	path := "/api/1/datasets/" + id + "/resources/"
	st, _, v := e.do(t, "POST", path, e.key, map[string]any{"title": "f", "url": "https://x.example.fr/a.csv", "filetype": "file"})
	assert.Equal(t, 400, st)
	assert.Equal(t, "This endpoint only supports remote resources", v.(map[string]any)["message"])
	st, _, v = e.do(t, "POST", path, e.key, map[string]any{"id": "mine", "title": "f", "url": "https://x.example.fr/a.csv", "filetype": "remote", "format": " CSV "})
	require.Equal(t, 201, st, v)
	res := v.(map[string]any)
	rid := res["id"].(string)
	assert.NotEqual(t, "mine", rid)
	assert.Len(t, rid, 36)
	assert.Equal(t, "csv", res["format"])
	assert.Equal(t, "other", res["type"])
	st, _, v = e.do(t, "PUT", path+rid+"/", e.key, map[string]any{"filetype": "file"})
	assert.Equal(t, 400, st)
	assert.Equal(t, "Cannot modify filetype after creation", v.(map[string]any)["message"])
	st, _, v = e.do(t, "PUT", path+rid+"/", e.key, map[string]any{"title": "g"})
	require.Equal(t, 200, st)
	assert.Equal(t, "https://x.example.fr/a.csv", v.(map[string]any)["url"])
	st, _, _ = e.do(t, "DELETE", path+rid+"/", e.key, nil)
	assert.Equal(t, 204, st)
	st, _, v = e.do(t, "DELETE", path+rid+"/", e.key, nil)
	assert.Equal(t, 404, st)
	assert.Equal(t, "Resource does not exist", v.(map[string]any)["message"])
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://www.data.gouv.fr/x", true},
		{"ftp://ftp.example.org/a.zip", true},
		{"http://localhost:8080/geoserver", false},
		{"http://192.168.1.10/wms", false},
		{"http://127.0.0.1/wms", false},
		{"https://user:pw@example.fr/", false},
		{"URL of the Spatial Data Service access point", false},
		{"https://intranet.local/x", false},
		{"sde:oracle11g:/;local=x", false},
		{"https://example.fr/a b", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.ok, checkURL(tt.url) == "", tt.url)
	}
}

func TestListing(t *testing.T) {
	e := setup(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, e.create(t, map[string]any{"title": "D" + string(rune('a'+i)), "description": "d"})["id"].(string))
	}
	e.f.Mutate(ids[0], func(d *Dataset) { now := time.Now(); d.Deleted = &now })
	e.f.Mutate(ids[1], func(d *Dataset) { now := time.Now(); d.Archived = &now })
	list := "/api/1/datasets/?organization=" + e.org.ID

	st, _, v := e.do(t, "GET", list+"&page_size=2&sort=-created", e.key, nil)
	require.Equal(t, 200, st)
	p := v.(map[string]any)
	assert.InDelta(t, 5, p["total"], 0)
	assert.Equal(t, ids[4], p["data"].([]any)[0].(map[string]any)["id"])
	next := p["next_page"].(string)
	nu, err := url.Parse(next)
	require.NoError(t, err)
	assert.True(t, nu.IsAbs())
	assert.Equal(t, "-created", nu.Query().Get("sort"))
	assert.Equal(t, "2", nu.Query().Get("page"))
	st, _, v = e.do(t, "GET", next, e.key, nil)
	require.Equal(t, 200, st)
	assert.Equal(t, ids[2], v.(map[string]any)["data"].([]any)[0].(map[string]any)["id"])

	st, _, _ = e.do(t, "GET", list+"&page_size=2&page=4", e.key, nil)
	assert.Equal(t, 404, st, "past the last page")
	st, _, _ = e.do(t, "GET", list+"&page_size=0", e.key, nil)
	assert.Equal(t, 400, st)
	st, _, v = e.do(t, "GET", "/api/1/datasets/?organization=ddt-test", e.key, nil)
	assert.Equal(t, 400, st)
	assert.Equal(t, "Organization arg must be an identifier", v.(map[string]any)["message"])

	st, _, v = e.do(t, "GET", list, "", nil)
	require.Equal(t, 200, st)
	assert.InDelta(t, 3, v.(map[string]any)["total"], 0, "anonymous: no deleted, no archived")
	st, _, v = e.do(t, "GET", list+"&deleted=false", e.key, nil)
	require.Equal(t, 200, st)
	assert.InDelta(t, 4, v.(map[string]any)["total"], 0)
	st, _, _ = e.do(t, "GET", list+"&deleted=false", "", nil)
	assert.Equal(t, 401, st)
	st, _, v = e.do(t, "GET", list+"&deleted=false&archived=false", e.key, nil)
	require.Equal(t, 200, st)
	assert.InDelta(t, 3, v.(map[string]any)["total"], 0)
	st, _, v = e.do(t, "GET", list+"&sort=-title&page_size=1", e.key, nil)
	require.Equal(t, 200, st)
	assert.Equal(t, "De", v.(map[string]any)["data"].([]any)[0].(map[string]any)["title"])
	st, _, _ = e.do(t, "GET", list+"&sort=colour", e.key, nil)
	assert.Equal(t, 400, st)
}

func TestFaults(t *testing.T) {
	e := setup(t)
	e.f.Inject(Fault{Method: "POST", Route: "/api/1/datasets/", Kind: Fault429, RetryAfter: "7"})
	st, h, _ := e.do(t, "POST", "/api/1/datasets/", e.key, map[string]any{"title": "t", "description": "d", "organization": e.org.ID})
	assert.Equal(t, 429, st)
	assert.Equal(t, "7", h.Get("Retry-After"))
	assert.Empty(t, e.f.Datasets(e.org.ID))

	e.f.Inject(Fault{Method: "POST", Route: "/api/1/datasets/", Kind: FaultDrop})
	raw, _ := json.Marshal(map[string]any{"title": "t", "description": "d", "organization": e.org.ID})
	req, _ := http.NewRequest("POST", e.base+"/api/1/datasets/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", e.key)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "connection dropped")
	assert.Len(t, e.f.Datasets(e.org.ID), 1, "write applied before the drop")

	// A slow answer: with a delay of an hour, a client that gives up first
	// gets no answer at all (no clock window asserted); the fault is used
	// up, so the next call answers.
	e.f.Inject(Fault{Method: "GET", Route: "/api/1/me/", Kind: FaultSlow, Delay: time.Hour})
	slowCtx, cancelSlow := context.WithTimeout(context.Background(), 200*time.Millisecond)
	req, _ = http.NewRequestWithContext(slowCtx, "GET", e.base+"/api/1/me/", nil)
	req.Header.Set("X-API-KEY", e.key)
	resp, err = http.DefaultClient.Do(req)
	cancelSlow()
	if err == nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded, "an hour-slow answer arrived")
	st, _, _ = e.do(t, "GET", "/api/1/me/", e.key, nil)
	assert.Equal(t, 200, st)
	e.f.Inject(Fault{Route: "/api/1/me/", Kind: Fault500, Skip: 1, Times: 1})
	st, _, _ = e.do(t, "GET", "/api/1/me/", e.key, nil)
	assert.Equal(t, 200, st, "skipped")
	st, _, _ = e.do(t, "GET", "/api/1/me/", e.key, nil)
	assert.Equal(t, 500, st)
	st, _, _ = e.do(t, "GET", "/api/1/me/", e.key, nil)
	assert.Equal(t, 200, st, "fault used up")

	e.f.SetReadOnly(true)
	st, _, v := e.do(t, "POST", "/api/1/datasets/", e.key, map[string]any{"title": "t", "description": "d"})
	assert.Equal(t, 423, st)
	assert.Equal(t, readOnlyMsg, v.(map[string]any)["message"])
	assert.Equal(t, 3, e.f.Calls("POST", "/api/1/datasets/"))
}

func TestOAuth(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := New(Options{Now: func() time.Time { return now }})
	u := f.AddUser(User{FirstName: "Ada"})
	f.SetBrowserUser(u.ID)
	const redirect = "http://127.0.0.1:8976/callback"
	f.AddClient(OAuthClient{ID: "cid", Secret: "sec", RedirectURIs: []string{redirect}})
	srv := f.Start(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	verifier := "a-verifier-long-enough-for-pkce-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authURL := func(redir string) string {
		return srv.URL + "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {"cid"},
			"redirect_uri": {redir}, "scope": {"default"}, "state": {"xyz"},
			"code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode()
	}
	resp, err := noFollow.Get(authURL(redirect + "/"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "redirect URI compared as a string")

	getCode := func() string {
		resp, err := noFollow.Get(authURL(redirect))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 302, resp.StatusCode)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, "xyz", loc.Query().Get("state"))
		return loc.Query().Get("code")
	}
	exchange := func(form url.Values) (int, map[string]any) {
		req, err := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("cid", "sec")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp.StatusCode, v
	}
	code := getCode()
	st, v := exchange(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {"wrong"}})
	assert.Equal(t, 400, st)
	assert.Equal(t, "invalid_grant", v["error"])

	now = now.Add(CodeTTL + time.Second)
	st, _ = exchange(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
	assert.Equal(t, 400, st, "expired code")

	code = getCode()
	st, v = exchange(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}})
	require.Equal(t, 200, st, v)
	assert.Equal(t, "Bearer", v["token_type"])
	rt := v["refresh_token"].(string)

	st, v2 := exchange(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	require.Equal(t, 200, st)
	assert.NotEqual(t, rt, v2["refresh_token"], "refresh token rotated")
	st, v = exchange(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	assert.Equal(t, 400, st, "old refresh token revoked")
	assert.Equal(t, "invalid_grant", v["error"])
}

// TestPutFormSemantics checks the PUT traps of udata.md §C.5 that a pusher
// must work around: temporal_coverage cleared when absent, spatial kept
// when absent or null, zones and geom exclusive, access_type nulling the
// licence, harvest metadata read-only.
func TestPutFormSemantics(t *testing.T) {
	e := setup(t)
	geom := map[string]any{"type": "MultiPolygon", "coordinates": []any{[]any{[]any{
		[]any{1.0, 2.0}, []any{3.0, 2.0}, []any{3.0, 4.0}, []any{1.0, 4.0}, []any{1.0, 2.0}}}}}
	period := map[string]any{"start": "2020-01-01", "end": "2024-12-31"}
	d := e.create(t, map[string]any{
		"title": "Routes", "description": "d", "tags": []string{"voirie"}, "license": "lov2",
		"temporal_coverage": period, "spatial": map[string]any{"geom": geom, "granularity": "other"},
	})
	id := d["id"].(string)
	path := "/api/1/datasets/" + id + "/"
	assert.Equal(t, period, d["temporal_coverage"])
	assert.Equal(t, "open", d["access_type"], "open by default")
	assert.Nil(t, d["harvest"], "API-created datasets have no harvest metadata")

	tests := []struct {
		name     string
		body     map[string]any
		status   int
		temporal any
		spatial  func(t *testing.T, sp map[string]any)
	}{
		{"absent temporal_coverage clears it, absent spatial keeps it", map[string]any{"tags": []string{"voirie"}}, 200, nil,
			func(t *testing.T, sp map[string]any) { assert.Equal(t, geom, sp["geom"]) }},
		{"period set again", map[string]any{"temporal_coverage": period, "tags": []string{"voirie"}}, 200, period, nil},
		{"archiving clears it too", map[string]any{"archived": "2026-01-02T03:04:05+00:00", "tags": []string{"voirie"}}, 200, nil, nil},
		{"resent period kept, spatial null keeps the geometry", map[string]any{"archived": nil, "temporal_coverage": period, "spatial": nil}, 200, period,
			func(t *testing.T, sp map[string]any) { assert.Equal(t, geom, sp["geom"]) }},
		{"zones replace the geometry only when it is cleared", map[string]any{"temporal_coverage": period, "spatial": map[string]any{"zones": []any{"fr:departement:35"}}}, 400, nil, nil},
		{"zones with geom null", map[string]any{"temporal_coverage": period, "spatial": map[string]any{"zones": []any{"fr:departement:35"}, "geom": nil}}, 200, period,
			func(t *testing.T, sp map[string]any) {
				assert.Nil(t, sp["geom"])
				assert.Equal(t, []any{"fr:departement:35"}, sp["zones"])
			}},
		{"a geometry is refused while zones are set", map[string]any{"temporal_coverage": period, "spatial": map[string]any{"geom": geom, "granularity": "other"}}, 400, nil, nil},
		{"unknown zone", map[string]any{"spatial": map[string]any{"zones": []any{"nowhere"}}}, 400, nil, nil},
		{"zones cleared in the same body", map[string]any{"temporal_coverage": period, "spatial": map[string]any{"geom": geom, "zones": []any{}, "granularity": "other"}}, 200, period,
			func(t *testing.T, sp map[string]any) {
				assert.Equal(t, geom, sp["geom"])
				assert.Empty(t, sp["zones"])
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, v := e.do(t, "PUT", path, e.key, tt.body)
			require.Equal(t, tt.status, st, v)
			if st != 200 {
				return
			}
			got := v.(map[string]any)
			assert.Equal(t, tt.temporal, got["temporal_coverage"])
			if tt.spatial != nil {
				tt.spatial(t, got["spatial"].(map[string]any))
			}
		})
	}

	// access_type: validated, kept when absent, non-open nulls the licence.
	st, _, v := e.do(t, "PUT", path, e.key, map[string]any{"access_type": "secret"})
	assert.Equal(t, 400, st, v)
	st, _, v = e.do(t, "PUT", path, e.key, map[string]any{"access_type": "restricted", "access_type_reason": "Article 13.1.d", "license": "lov2"})
	require.Equal(t, 200, st, v)
	got := v.(map[string]any)
	assert.Equal(t, "restricted", got["access_type"])
	assert.Equal(t, "Article 13.1.d", got["access_type_reason"])
	assert.Equal(t, "notspecified", got["license"], "restricted access nulls the licence")
	st, _, v = e.do(t, "PUT", path, e.key, map[string]any{"title": "Routes 2"})
	require.Equal(t, 200, st, v)
	assert.Equal(t, "restricted", v.(map[string]any)["access_type"], "absent access_type kept")

	// harvest is read-only through the API.
	hid, err := e.f.SeedHarvested(map[string]any{"title": "Moissonné", "description": "d", "organization": e.org.ID},
		map[string]any{"remote_id": "https://id.example.fr/1", "source_id": "5f0000000000000000000001", "domain": "geo.example.fr"})
	require.NoError(t, err)
	st, _, v = e.do(t, "PUT", "/api/1/datasets/"+hid+"/", e.key, map[string]any{"harvest": map[string]any{"remote_id": "x"}, "tags": []string{}})
	require.Equal(t, 200, st, v)
	h := v.(map[string]any)["harvest"].(map[string]any)
	assert.Equal(t, "https://id.example.fr/1", h["remote_id"])
	assert.Equal(t, "5f0000000000000000000001", h["source_id"])

	// Files uploaded on data.gouv.fr: not through the API, which refuses them.
	rid := e.f.AddResource(hid, Resource{Title: "Notice.pdf", URL: "https://static.data.gouv.fr/resources/x/notice.pdf"})
	require.NotEmpty(t, rid)
	st, _, v = e.do(t, "GET", "/api/1/datasets/"+hid+"/", e.key, nil)
	require.Equal(t, 200, st)
	res := v.(map[string]any)["resources"].([]any)
	require.Len(t, res, 1)
	assert.Equal(t, "file", res[0].(map[string]any)["filetype"])
	st, _, _ = e.do(t, "POST", "/api/1/datasets/"+hid+"/resources/", e.key, map[string]any{"title": "x", "url": "https://x.example.fr/a", "filetype": "file"})
	assert.Equal(t, 400, st)
}

// TestRefreshGrant checks udata.md §C.1: public clients cannot refresh;
// a confidential client's refreshed token keeps the old expiry, so a
// refresh after expiry gives a token that is refused at once.
func TestRefreshGrant(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := New(Options{Now: func() time.Time { return now }})
	u := f.AddUser(User{FirstName: "Ada"})
	f.SetBrowserUser(u.ID)
	const redirect = "http://127.0.0.1:8976/callback"
	f.AddClient(OAuthClient{ID: "public", RedirectURIs: []string{redirect}})
	f.AddClient(OAuthClient{ID: "conf", Secret: "sec", RedirectURIs: []string{redirect}})
	srv := f.Start(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := "a-verifier-long-enough-for-pkce-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	post := func(client, secret string, basic bool, form url.Values) (int, map[string]any) {
		if !basic {
			form.Set("client_id", client)
			if secret != "" {
				form.Set("client_secret", secret)
			}
		}
		req, err := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth(client, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp.StatusCode, v
	}
	login := func(client, secret string) map[string]any {
		resp, err := noFollow.Get(srv.URL + "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {client},
			"redirect_uri": {redirect}, "scope": {"default"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode())
		require.NoError(t, err)
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		st, v := post(client, secret, secret != "", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {redirect}, "code_verifier": {verifier}})
		require.Equal(t, 200, st, v)
		return v
	}
	me := func(tok string) int {
		req, err := http.NewRequest("GET", srv.URL+"/api/1/me/", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}

	pub := login("public", "")
	st, v := post("public", "", false, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pub["refresh_token"].(string)}})
	assert.Equal(t, 401, st)
	assert.Equal(t, "invalid_client", v["error"], "a public client cannot refresh")

	conf := login("conf", "sec")
	st, _ = post("conf", "sec", false, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {conf["refresh_token"].(string)}})
	assert.Equal(t, 401, st, "client_secret_post is not accepted for the refresh grant")
	now = now.Add(31 * 24 * time.Hour) // the 30-day token has expired
	assert.Equal(t, 401, me(conf["access_token"].(string)))
	st, v = post("conf", "sec", true, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {conf["refresh_token"].(string)}})
	require.Equal(t, 200, st, v)
	assert.InDelta(t, 2592000, v["expires_in"], 0, "expires_in announces 30 days…")
	assert.Equal(t, 401, me(v["access_token"].(string)), "…but the refreshed token is born expired")
}
