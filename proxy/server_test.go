package proxy

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// env is a server over a store holding harvested catalogs.
type env struct {
	t     *testing.T
	cfg   *config.Config
	store cache.Store
	srv   *Server
}

// newEnv writes a configuration with public_url and the given catalogs
// (id → folder), opens a bolt store and builds a server. Nothing is
// harvested yet.
func newEnv(t *testing.T, publicURL string, extra string, dirs map[string]string) *env {
	t.Helper()
	root := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\npublic_url = %q\n\n", publicURL)
	for id, dir := range dirs {
		fmt.Fprintf(&b, "[[catalog]]\nid = %q\ntitle = \"Catalogue %s\"\npublisher = \"Éditeur %s\"\ndir = %q\n\n", id, id, id, dir)
	}
	b.WriteString(extra)
	path := filepath.Join(root, "catalogs.toml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return &env{t: t, cfg: cfg, store: st, srv: New(Options{Store: st, Config: cfg, Recheck: 1})}
}

func (e *env) harvest(catalog string) *harvest.Report {
	e.t.Helper()
	h := &harvest.Harvester{Store: e.store}
	rep, err := h.Run(context.Background(), e.cfg, e.cfg.Catalog(catalog), harvest.Options{})
	require.NoError(e.t, err)
	require.Equal(e.t, harvest.StatusOK, rep.Status, "%+v", rep.Errors)
	return rep
}

// harvestAny harvests whatever the status (the corpus has records that fail).
func (e *env) harvestAny(catalog string) *harvest.Report {
	e.t.Helper()
	h := &harvest.Harvester{Store: e.store}
	rep, err := h.Run(context.Background(), e.cfg, e.cfg.Catalog(catalog), harvest.Options{})
	require.NoError(e.t, err)
	require.NotEqual(e.t, harvest.StatusFailed, rep.Status, "%+v", rep.Errors)
	return rep
}

func (e *env) get(path string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	return e.do(http.MethodGet, path, header...)
}

func (e *env) do(method, path string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.App().Test(req, -1)
	require.NoError(e.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	resp.Body.Close()
	return resp, body
}

const orgTOML = `
[[organization]]
id = "bretagne"
title = "Bretagne (démo)"
datagouv_id = "65a0de0000000000000000b1"
mode = "harvest"
  [[organization.source]]
  catalog = "demo"
  producers = ["DDTM d'Ille-et-Vilaine", "Région Bretagne"]

[[organization]]
id = "reste"
title = "Les autres"
datagouv_id = "65a0de0000000000000000b2"
mode = "push"
services = true
  [[organization.source]]
  catalog = "demo"
  producers = ["*"]

[producers]
aliases = { "DDTM 35" = "DDTM d'Ille-et-Vilaine" }
ignore = ["-- Nom de l'organisation responsable --"]
`

func demoDir() string { return filepath.Join(testenv.ModuleRoot(), "testdata", "demo") }

func TestUnavailableBeforeFirstHarvest(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	for _, path := range []string{
		"/catalogs/demo/catalog.ttl",
		"/catalogs/demo/datasets.json",
		"/organizations/bretagne/catalog.rdf",
	} {
		resp, body := e.get(path)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, path)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), path)
		assert.Equal(t, "application/problem+json; charset=utf-8", resp.Header.Get("Content-Type"))
		var p problem
		require.NoError(t, json.Unmarshal(body, &p), string(body))
		assert.Equal(t, 503, p.Status)
		assert.Contains(t, p.Detail, "not been harvested")
	}
	resp, body := e.get("/catalogs/demo/csw?service=CSW&request=GetCapabilities")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), "ExceptionReport")
}

func TestFeedsAndConditionalGet(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	for _, tc := range []struct {
		path, accept, ctype string
	}{
		{"/catalogs/demo/catalog.ttl", "", "text/turtle; charset=utf-8"},
		{"/catalogs/demo/catalog.rdf", "", "application/rdf+xml; charset=utf-8"},
		{"/catalogs/demo/catalog.jsonld", "", "application/ld+json; charset=utf-8"},
		{"/catalogs/demo/catalog.nt", "", "application/n-triples; charset=utf-8"},
		{"/catalogs/demo/catalog", "", "text/turtle; charset=utf-8"},
		{"/catalogs/demo/catalog", "application/rdf+xml;q=0.9, application/ld+json", "application/ld+json; charset=utf-8"},
		{"/catalogs/demo/catalog", "text/html, application/rdf+xml;q=0.5", "application/rdf+xml; charset=utf-8"},
		{"/catalogs/demo/producers/region-bretagne/catalog.ttl", "", "text/turtle; charset=utf-8"},
		{"/organizations/bretagne/catalog.ttl", "", "text/turtle; charset=utf-8"},
		{"/catalogs/demo/datasets.json", "", "application/json; charset=utf-8"},
		{"/catalogs/demo/producers.json", "", "application/json; charset=utf-8"},
	} {
		resp, body := e.get(tc.path, "Accept", tc.accept)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", tc.path, body)
		assert.Equal(t, tc.ctype, resp.Header.Get("Content-Type"), tc.path)
		etag := resp.Header.Get("ETag")
		require.NotEmpty(t, etag, tc.path)
		assert.NotEmpty(t, resp.Header.Get("Last-Modified"))
		assert.Contains(t, resp.Header.Get("Vary"), "Accept")

		resp, body = e.get(tc.path, "Accept", tc.accept, "If-None-Match", etag)
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, tc.path)
		assert.Empty(t, body)
		resp, _ = e.get(tc.path, "Accept", tc.accept, "If-Modified-Since", resp.Header.Get("Last-Modified"))
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, tc.path)
	}
	// HEAD answers like GET without a body.
	resp, body := e.do(http.MethodHead, "/catalogs/demo/catalog.ttl")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	// A new harvest generation changes the ETag.
	resp, _ = e.get("/catalogs/demo/catalog.ttl")
	before := resp.Header.Get("ETag")
	rep := e.harvest("demo")
	require.Equal(t, 20, rep.Unchanged)
	resp, _ = e.get("/catalogs/demo/catalog.ttl")
	assert.NotEqual(t, before, resp.Header.Get("ETag"))
	// gzip when asked.
	resp, _ = e.get("/catalogs/demo/catalog.ttl", "Accept-Encoding", "gzip")
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
}

func TestErrorsAndParameters(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	for _, tc := range []struct {
		path   string
		status int
		detail string
	}{
		{"/catalogs/nope/catalog.ttl", 404, `no catalog "nope"`},
		{"/catalogs/demo/producers/nope/catalog.ttl", 404, `no producer "nope"`},
		{"/organizations/nope/catalog.ttl", 404, `no organization "nope"`},
		{"/catalogs/demo/datasets/nope.ttl", 404, `no record "nope.ttl"`},
		{"/catalogs/demo/catalog.xyz", 404, "unknown format"},
		{"/catalogs/demo/catalog.ttl?page=0", 400, "page"},
		{"/catalogs/demo/catalog.ttl?page=abc", 400, "page"},
		{"/catalogs/demo/catalog.ttl?page_size=501", 400, "page_size"},
		{"/catalogs/demo/catalog.ttl?modified_since=yesterday", 400, "modified_since"},
		{"/catalogs/demo/catalog.ttl?page=99", 404, "past the last page"},
		{"/catalogs/demo/datasets.json?page=99", 404, "past the last page"},
		{"/nowhere", 404, "no route"},
	} {
		resp, body := e.get(tc.path)
		assert.Equal(t, tc.status, resp.StatusCode, tc.path)
		var p problem
		require.NoError(t, json.Unmarshal(body, &p), "%s: %s", tc.path, body)
		assert.Contains(t, p.Detail, tc.detail, tc.path)
		assert.Equal(t, tc.status, p.Status)
	}
	resp, _ := e.get("/catalogs/demo/catalog", "Accept", "image/png")
	assert.Equal(t, http.StatusNotAcceptable, resp.StatusCode)
}

func TestPagingAndModifiedSince(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	var pages []itemsPage
	next := "/catalogs/demo/datasets.json?page_size=7"
	for next != "" {
		resp, body := e.get(next)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var p itemsPage
		require.NoError(t, json.Unmarshal(body, &p))
		pages = append(pages, p)
		next = ""
		if p.NextPage != nil {
			next = strings.TrimPrefix(*p.NextPage, "http://127.0.0.1:8080")
		}
	}
	require.Len(t, pages, 3)
	seen := map[string]bool{}
	for _, p := range pages {
		assert.Equal(t, 20, p.Total)
		for _, it := range p.Data {
			id := it.Extras["passerelle:remote_id"].(string)
			assert.False(t, seen[id], "duplicate %s", id)
			seen[id] = true
		}
	}
	assert.Len(t, seen, 20)
	assert.Nil(t, pages[0].PreviousPage)

	resp, body := e.get("/catalogs/demo/datasets.json?modified_since=2999-01-01")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var p itemsPage
	require.NoError(t, json.Unmarshal(body, &p))
	assert.Equal(t, 0, p.Total)
	resp, body = e.get("/catalogs/demo/catalog.ttl?modified_since=2000-01-01T00:00:00Z")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "totalItems")
}

// TestDatasetDocuments fetches every record's document in each format and
// checks it is that record's, in that format: the JSON item names the
// fileIdentifier; each RDF serialization has its media type, holds the
// fileIdentifier and the item's title, and describes a dcat:Dataset or
// dcat:Dataset series; without an extension (no Accept) Turtle is served,
// the same bytes as .ttl, and /records/ is the same document.
func TestDatasetDocuments(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	data, err := e.srv.state.Catalog(context.Background(), "demo")
	require.NoError(t, err)
	require.NotEmpty(t, data.Records)
	checked := 0
	for _, r := range data.Records {
		esc := strings.ReplaceAll(r.Entry.ID, "/", "%2F")
		base := "/catalogs/demo/datasets/" + esc
		it := getItem(t, e, base+".json", r.Entry.ID)
		bodies := map[string]string{}
		for _, tc := range []struct{ ext, mediaType, datasetClass string }{
			{".ttl", "text/turtle", "dcat:Dataset"},
			{".nt", "application/n-triples", "<http://www.w3.org/ns/dcat#Dataset"},
			{".rdf", "application/rdf+xml", "http://www.w3.org/ns/dcat#Dataset"},
			{".jsonld", "application/ld+json", "Dataset"},
			{"", "text/turtle", "dcat:Dataset"},
		} {
			resp, body := e.get(base + tc.ext)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s%s: %s", r.Entry.ID, tc.ext, body)
			assert.Equal(t, tc.mediaType+"; charset=utf-8", resp.Header.Get("Content-Type"), "%s%s", r.Entry.ID, tc.ext)
			doc := string(body)
			assert.Contains(t, doc, r.Entry.ID, "%s%s names its fileIdentifier", r.Entry.ID, tc.ext)
			assert.Contains(t, doc, tc.datasetClass, "%s%s is a dataset (or series) document", r.Entry.ID, tc.ext)
			if tc.ext == ".rdf" {
				var x struct {
					XMLName xml.Name
				}
				require.NoError(t, xml.Unmarshal(body, &x), "%s.rdf is XML", r.Entry.ID)
				assert.Equal(t, "RDF", x.XMLName.Local)
				assert.Contains(t, doc, xmlText(it.Title), "%s.rdf holds the title", r.Entry.ID)
			} else {
				assert.Contains(t, doc, it.Title, "%s%s holds the title", r.Entry.ID, tc.ext)
			}
			if tc.ext == ".jsonld" {
				assert.True(t, json.Valid(body), "%s.jsonld is JSON", r.Entry.ID)
			}
			bodies[tc.ext] = doc
		}
		assert.Equal(t, bodies[".ttl"], bodies[""], "%s: no extension, no Accept: the Turtle document", r.Entry.ID)
		resp, body := e.get("/catalogs/demo/records/" + esc + ".ttl")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, bodies[".ttl"], string(body), "%s: /records/ serves the dataset document", r.Entry.ID)
		checked++
	}
	assert.Equal(t, len(data.Records), checked)
}

// getItem fetches a dataset's JSON item and checks it is the record id's.
func getItem(t *testing.T, e *env, path, id string) *dcat.Item {
	t.Helper()
	resp, body := e.get(path)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	var it dcat.Item
	require.NoError(t, json.Unmarshal(body, &it), "%s", path)
	require.NotNil(t, it.Source, "%s: no source", path)
	assert.Equal(t, id, it.Source.FileIdentifier, "%s serves another record", path)
	assert.NotEmpty(t, it.Title, "%s: no title", path)
	return &it
}

// xmlText is s as encoding/xml escapes character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestOddIdentifiers serves records whose fileIdentifiers hold dots,
// slashes, colons, backslashes and quotes (from the shared corpus): each
// path reaches its own record (the JSON item names that fileIdentifier),
// and the Turtle documents are three different ones, each holding its
// record's title.
func TestOddIdentifiers(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"pycsw__file_id_as_url.xml", "pycsw__file_id_with_driveletter_and_backslashes.xml", "owslib__csw_geobretagne_mdmetadata.xml"} {
		require.NoError(t, os.Symlink(testenv.Corpus(t, "records", f), filepath.Join(dir, f)))
	}
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"odd": dir})
	e.harvest("odd")
	data, err := e.srv.state.Catalog(context.Background(), "odd")
	require.NoError(t, err)
	require.Len(t, data.Records, 3)
	seen := map[string]string{}
	for _, r := range data.Records {
		base := "/catalogs/odd/datasets/" + urlPathEscape(r.Entry.ID)
		it := getItem(t, e, base+".json", r.Entry.ID)
		resp, body := e.get(base + ".ttl")
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s.ttl: %s", base, body)
		assert.Equal(t, "text/turtle; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Contains(t, string(body), it.Title, "%s.ttl holds its record's title", base)
		assert.NotContains(t, seen, string(body), "%s.ttl is the document of %s", base, seen[string(body)])
		seen[string(body)] = r.Entry.ID
	}
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// TestOrganizationViews checks a record lands in at most one organization,
// services only where asked, and the producer views.
func TestOrganizationViews(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	items := func(path string) map[string]string {
		resp, body := e.get(path + "?page_size=500")
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var p itemsPage
		require.NoError(t, json.Unmarshal(body, &p))
		out := map[string]string{}
		for _, it := range p.Data {
			out[it.Source.FileIdentifier] = it.Title
		}
		return out
	}
	a, b := items("/organizations/bretagne/datasets.json"), items("/organizations/reste/datasets.json")
	assert.NotEmpty(t, a)
	assert.NotEmpty(t, b)
	for id := range a {
		assert.NotContains(t, b, id, "a record is in at most one organization")
	}
	all := items("/catalogs/demo/datasets.json")
	assert.LessOrEqual(t, len(a)+len(b), len(all))
}

// listen starts the server on a free loopback port with public_url set to
// it (OWSLib posts to the advertised URL).
func listen(t *testing.T, dirs map[string]string, extra string) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e := newEnv(t, "http://"+ln.Addr().String(), extra, dirs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return e
}

// TestWarmPrecomputesFragments: after Warm, serving reads every fragment
// from the store instead of mapping records; a second Warm maps nothing.
func TestWarmPrecomputesFragments(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	n, err := served.Warm(context.Background(), e.store, e.cfg, "demo")
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	n, err = served.Warm(context.Background(), e.store, e.cfg, "demo")
	require.NoError(t, err)
	assert.Zero(t, n, "nothing changed: nothing mapped")
	// A configuration change that reaches the mapping (the catalog title)
	// changes every key.
	e.cfg.Catalogs[0].Title = "Renamed"
	n, err = served.Warm(context.Background(), e.store, e.cfg, "demo")
	require.NoError(t, err)
	assert.Equal(t, 20, n)
}

// TestIdentifierServedOnceAcrossCatalogs: an organization sourcing two
// catalogs that hold the same records serves each identifier once.
func TestIdentifierServedOnceAcrossCatalogs(t *testing.T) {
	extra := `
[[organization]]
id = "both"
title = "Both"
datagouv_id = "65a0de0000000000000000c1"
mode = "harvest"
services = true
  [[organization.source]]
  catalog = "demo"
  producers = ["*"]
  [[organization.source]]
  catalog = "copy"
  producers = ["*"]
`
	e := newEnv(t, "http://127.0.0.1:8080", extra, map[string]string{"demo": demoDir(), "copy": demoDir()})
	e.harvest("demo")
	e.harvest("copy")
	resp, body := e.get("/organizations/both/datasets.json?page_size=500")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var p itemsPage
	require.NoError(t, json.Unmarshal(body, &p))
	seen := map[string]bool{}
	for _, it := range p.Data {
		id := it.Extras["passerelle:remote_id"].(string)
		assert.False(t, seen[id], "identifier %s served twice", id)
		seen[id] = true
		assert.Equal(t, "demo", it.Source.Catalog, "the first source catalog keeps it")
	}
	assert.NotEmpty(t, seen)
}

// TestSetConfigRemaps: a reloaded configuration (here a new public URL)
// reaches documents already served.
func TestSetConfigRemaps(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	_, body := e.get("/catalogs/demo/catalog.ttl")
	require.Contains(t, string(body), "http://127.0.0.1:8080/catalogs/demo/records/")
	cfg := *e.cfg
	cfg.Server.PublicURL = "https://passerelle.example.org"
	e.srv.SetConfig(&cfg)
	_, body = e.get("/catalogs/demo/catalog.ttl")
	assert.Contains(t, string(body), "https://passerelle.example.org/catalogs/demo/records/")
	assert.NotContains(t, string(body), "http://127.0.0.1:8080/")
}

func TestReportsMetricsAndIndex(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	resp, body := e.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "aucune")
	e.harvest("demo")
	e.harvest("demo")

	resp, body = e.get("/catalogs/demo/reports.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var reports []harvest.Report
	require.NoError(t, json.Unmarshal(body, &reports), string(body))
	require.Len(t, reports, 2)
	assert.Equal(t, 20, reports[0].Unchanged, "newest first")
	assert.Equal(t, 20, reports[1].Added)
	resp, _ = e.get("/catalogs/nope/reports.json")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	e.get("/catalogs/demo/catalog.ttl")
	e.get("/catalogs/demo/catalog.ttl?page=0")
	resp, body = e.get("/metrics")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := string(body)
	assert.Contains(t, m, `passerelle_snapshot_records{catalog="demo"} 20`)
	assert.Contains(t, m, `passerelle_snapshot_generation{catalog="demo"} 2`)
	assert.Contains(t, m, `passerelle_harvest_last_ok{catalog="demo"} 1`)
	assert.Contains(t, m, `passerelle_http_requests_total{route="/catalogs/:catalog/catalog.:ext",status="200"} 1`)
	assert.Contains(t, m, `passerelle_http_requests_total{route="/catalogs/:catalog/catalog.:ext",status="400"} 1`)

	resp, body = e.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "20/20 lues")
}

// TestCSWFullServesHarvestedBytes: ISO full answers carry the record as
// harvested, read from the store (not kept in memory).
func TestCSWFullServesHarvestedBytes(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	data, err := e.srv.state.Catalog(context.Background(), "demo")
	require.NoError(t, err)
	r := data.Records[0]
	assert.Nil(t, r.CSW, "nothing but the manifest is loaded before a CSW request")
	v, err := e.srv.state.CatalogView(context.Background(), e.cfg, "demo")
	require.NoError(t, err)
	_, err = e.srv.state.CSWEntries(context.Background(), v)
	require.NoError(t, err)
	require.NotNil(t, r.CSW)
	assert.Empty(t, r.CSW.Raw, "raw bytes stay in the store")
	raw, err := os.ReadFile(filepath.Join(demoDir(), r.Entry.ID+".xml"))
	require.NoError(t, err)
	resp, body := e.get("/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecordById&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&id=" + r.Entry.ID)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	// The record element as harvested, from its root tag to the end.
	start := strings.Index(string(raw), "<gmd:MD_Metadata")
	require.GreaterOrEqual(t, start, 0)
	assert.Contains(t, string(body), strings.TrimSpace(string(raw[start:])))
}
