package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/cache/cachetest"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

func TestCheckAddr(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		allowLoopback bool
		ok            bool
	}{
		{"93.184.216.34", false, true},
		{"2a00:1450:4007:80e::200e", false, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1", true, true},
		{"::1", false, false},
		{"::1", true, true},
		{"::ffff:127.0.0.1", false, false},
		{"10.1.2.3", true, false},
		{"172.16.0.1", false, false},
		{"192.168.1.1", true, false},
		{"169.254.169.254", true, false}, // cloud metadata
		{"fe80::1", false, false},
		{"fc00::1", false, false},
		{"100.64.0.1", false, false},
		{"0.0.0.0", true, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"198.18.0.1", false, false},
		{"::ffff:10.0.0.1", true, false},
	} {
		err := checkAddr(netip.MustParseAddr(tc.addr), tc.allowLoopback)
		assert.Equal(t, tc.ok, err == nil, "%s allowLoopback=%v: %v", tc.addr, tc.allowLoopback, err)
	}
}

// TestProposals: a member proposes a CSW; the probe reads its count and
// first page's producers; an administrator sees the [[catalog]] block and
// approves it (appended, reloaded) or declines another.
func TestProposals(t *testing.T) {
	up := cswtest.NewServer(t, cswtest.Generate(25), cswtest.Options{})
	ae := newAdminEnv(t, func(o *AdminOptions) {
		o.ConfigWritable = true
		o.Probe.AllowLoopback = true
		o.Admins = nil
	})
	c := ae.signIn(t)
	resp, page := send(t, c, "GET", ae.base+"/admin/proposals?org="+dgRennes, nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	csrf := csrfOf(t, page)

	resp, body := send(t, c, "POST", ae.base+"/admin/proposals", url.Values{"csrf": {csrf}, "url": {up.URL + "/csw"}, "title": {"Géo Rennes"}, "org": {dgRennes}}, "Accept", "application/json")
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	var pr proposal
	require.NoError(t, json.Unmarshal([]byte(body), &pr))
	assert.True(t, pr.Probe.OK, pr.Probe.Error)
	assert.Equal(t, 25, pr.Probe.Matched)
	assert.NotEmpty(t, pr.Probe.Producers)
	assert.LessOrEqual(t, pr.Probe.Requests, 4, "capabilities, hits, one page")
	assert.Equal(t, "pending", pr.Status)
	assert.Equal(t, "geo-rennes", pr.Catalog)
	assert.Contains(t, pr.Block, `url = "`+up.URL+`/csw"`)

	// Not a member of that organization: refused. Private address: refused
	// by the probe.
	resp, _ = send(t, c, "POST", ae.base+"/admin/proposals", url.Values{"csrf": {csrf}, "url": {up.URL + "/csw"}, "title": {"X"}, "org": {dgOther}}, "Accept", "application/json")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, body = send(t, c, "POST", ae.base+"/admin/proposals", url.Values{"csrf": {csrf}, "url": {"http://10.0.0.7/csw"}, "title": {"Intranet"}, "org": {dgRennes}}, "Accept", "application/json")
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	var bad proposal
	require.NoError(t, json.Unmarshal([]byte(body), &bad))
	assert.False(t, bad.Probe.OK)
	assert.Contains(t, bad.Probe.Error, "non publique")
	assert.Zero(t, bad.Probe.Requests, "nothing was requested")

	// A member cannot decide.
	resp, _ = send(t, c, "POST", ae.base+"/admin/proposals/"+pr.ID+"/approve", url.Values{"csrf": {csrf}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The administrator (bearer) lists, approves one, declines the other.
	admin := ae.browser(false)
	bearer := []string{"Authorization", "Bearer admin-secret-token"}
	resp, body = send(t, admin, "GET", ae.base+"/admin/proposals", nil, bearer...)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list []proposal
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list, 2)
	before, err := os.ReadFile(ae.cfg.Path)
	require.NoError(t, err)
	resp, body = send(t, admin, "POST", ae.base+"/admin/proposals/"+pr.ID+"/approve", nil, bearer...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	after, err := os.ReadFile(ae.cfg.Path)
	require.NoError(t, err)
	assert.Equal(t, string(before)+pr.Block, string(after))
	require.NotNil(t, ae.srv.config().Catalog("geo-rennes"), "reloaded")
	resp, _ = send(t, admin, "POST", ae.base+"/admin/proposals/"+pr.ID+"/approve", nil, bearer...)
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "already approved")
	resp, body = send(t, admin, "POST", ae.base+"/admin/proposals/"+bad.ID+"/decline", nil, bearer...)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"status":"declined"`)

	// The page lists them for the member.
	resp, page = send(t, c, "GET", ae.base+"/admin/proposals", nil, "Accept", html)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "Géo Rennes")
	assert.True(t, strings.Contains(page, "approved") && strings.Contains(page, "declined"), page)
}

// TestProbeRefusesLoopbackByDefault: without the test-only option the
// probe does not touch a CSW on 127.0.0.1.
func TestProbeRefusesLoopbackByDefault(t *testing.T) {
	h := cswtest.NewHandler(cswtest.Generate(3), cswtest.Options{})
	up := httptest.NewServer(h)
	defer up.Close()
	ae := newAdminEnv(t, nil)
	res := ae.srv.admin.probe(t.Context(), up.URL+"/csw")
	assert.False(t, res.OK)
	assert.Contains(t, res.Error, "non publique")
	res = ae.srv.admin.probe(t.Context(), "http://localhost:1/csw")
	assert.False(t, res.OK)
	res = ae.srv.admin.probe(t.Context(), "ftp://example.org/csw")
	assert.False(t, res.OK)
	assert.Contains(t, res.Error, "http(s)")
	// The dial-time check (a name resolving, or redirecting, to a private
	// address later): the probe's client refuses to connect.
	_, err := probeClient(ProbeOptions{}).Get(up.URL + "/csw?service=CSW&request=GetCapabilities")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not public")
	assert.Empty(t, h.Log(), "the CSW was never reached")
	resp, err := probeClient(ProbeOptions{AllowLoopback: true}).Get(up.URL + "/csw?service=CSW&request=GetCapabilities")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Len(t, h.Log(), 1)
}

// TestProposalsUpdatesNeverLost: replicas sharing one Redis change the
// proposals at the same time; every change is kept (a read-modify-write
// without the store's lease loses some).
func TestProposalsUpdatesNeverLost(t *testing.T) {
	redisURL := testenv.RedisURL(t)
	prefix := cachetest.RedisPrefix(t, redisURL)
	replicas := []cache.Store{cachetest.OpenRedisPrefix(t, redisURL, prefix), cachetest.OpenRedisPrefix(t, redisURL, prefix)}
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- updateProposals(context.Background(), replicas[i%2], func(l []proposal) ([]proposal, error) {
				return append(l, proposal{ID: fmt.Sprintf("p%02d", i)}), nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	list, err := loadProposals(context.Background(), replicas[0])
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, p := range list {
		ids[p.ID] = true
	}
	assert.Len(t, ids, n, "every replica's proposal is kept")
}
