package proxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadyz(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	var r readiness
	resp, body := e.get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no catalog has a snapshot yet")
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	assert.False(t, r.Ready)
	assert.True(t, r.Store.Reachable)
	require.Len(t, r.Catalogs, 1)
	assert.False(t, r.Catalogs[0].Snapshot)

	e.harvest("demo")
	resp, body = e.get("/readyz")
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	r = readiness{}
	require.NoError(t, json.Unmarshal(body, &r))
	assert.True(t, r.Ready)
	assert.Equal(t, e.cfg.Path, r.Config.Path)
	assert.Equal(t, e.cfg.Hash, r.Config.Hash)
	assert.Len(t, r.Config.Hash, 64)
	assert.Nil(t, r.LastReloadError)
	c := r.Catalogs[0]
	assert.True(t, c.Snapshot)
	assert.Equal(t, "ok", c.Status)
	assert.Equal(t, e.cfg.Catalogs[0].Every.Seconds(), c.EverySeconds)
	assert.False(t, c.Stale)

	// A refused reload is reported, and cleared by the next good one.
	e.srv.Reloaded(nil, errors.New(`catalogs.toml:3: catalog "x": url: must be an absolute http(s) URL, near ftp://reader:s3cret@csw.example/`))
	_, body = e.get("/readyz")
	r = readiness{}
	require.NoError(t, json.Unmarshal(body, &r))
	require.NotNil(t, r.LastReloadError)
	assert.Contains(t, r.LastReloadError.Error, "catalogs.toml:3")
	assert.NotContains(t, string(body), "s3cret", "/readyz is public: a URL's password in the reload error is redacted")
	assert.True(t, r.Ready, "a refused reload leaves the previous configuration serving")
	e.srv.Reloaded(e.cfg, nil)
	_, body = e.get("/readyz")
	r = readiness{}
	require.NoError(t, json.Unmarshal(body, &r))
	assert.Nil(t, r.LastReloadError)

	// The store gone: not ready.
	require.NoError(t, e.store.Close())
	resp, body = e.get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	r = readiness{}
	require.NoError(t, json.Unmarshal(body, &r))
	assert.False(t, r.Store.Reachable)
}

func TestOrganizationsJSON(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	var orgs []orgSummary
	resp, body := e.get("/organizations.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.Unmarshal(body, &orgs), string(body))
	require.Len(t, orgs, 2)
	assert.Nil(t, orgs[0].Records, "no count before the source catalog is harvested")

	e.harvest("demo")
	_, body = e.get("/organizations.json")
	orgs = nil
	require.NoError(t, json.Unmarshal(body, &orgs))
	require.Len(t, orgs, 2)
	o := orgs[0]
	assert.Equal(t, "bretagne", o.ID)
	assert.Equal(t, "harvest", o.Mode)
	assert.Equal(t, "65a0de0000000000000000b1", o.DatagouvID)
	require.Len(t, o.Sources, 1)
	assert.Equal(t, "demo", o.Sources[0].Catalog)
	assert.Equal(t, "http://127.0.0.1:8080/organizations/bretagne/catalog.ttl", o.Links.Catalog)
	require.NotNil(t, o.Records)
	// The count is the organization's datasets.json total.
	_, items := e.get("/organizations/bretagne/datasets.json")
	var page struct {
		Total int `json:"total"`
	}
	require.NoError(t, json.Unmarshal(items, &page))
	assert.Equal(t, page.Total, *o.Records)
	assert.Positive(t, *o.Records)
}

func TestPrometheusMetrics(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	e.srv.ObserveHarvest("demo", "ok")
	e.srv.ObservePush("create", "ok", 3)
	e.get("/catalogs/demo/catalog.ttl")
	e.get("/catalogs/demo/catalog.ttl") // the second is a cache hit
	e.get("/nowhere")
	resp, body := e.get("/metrics")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	m := string(body)
	for _, want := range []string{
		`passerelle_http_requests_total{route="/catalogs/:catalog/catalog.:ext",status="200"} 2`,
		`passerelle_http_requests_total{route="unmatched",status="404"} 1`,
		`passerelle_http_request_duration_seconds_count{route="/catalogs/:catalog/catalog.:ext"} 2`,
		`passerelle_http_request_duration_seconds_bucket{route="/catalogs/:catalog/catalog.:ext",le="+Inf"} 2`,
		`passerelle_harvests_total{catalog="demo",status="ok"} 1`,
		`passerelle_push_actions_total{kind="create",result="ok"} 3`,
		`passerelle_response_cache_hits_total 1`,
		`passerelle_snapshot_records{catalog="demo"} 20`,
		`passerelle_snapshot_generation{catalog="demo"} 1`,
		`passerelle_harvest_last_ok{catalog="demo"} 1`,
		`passerelle_catalog_every_seconds{catalog="demo"} 21600`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		assert.Contains(t, m, want)
	}
}
