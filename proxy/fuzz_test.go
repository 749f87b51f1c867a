package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
)

// fuzzRoutes are the parameterised routes of routes.go, over the demo
// catalog and organization.
var fuzzRoutes = []string{
	"/catalogs/demo/catalog.ttl",
	"/catalogs/demo/catalog",
	"/catalogs/demo/catalog.jsonld",
	"/catalogs/demo/datasets.json",
	"/catalogs/demo/producers.json",
	"/catalogs/demo/reports.json",
	"/catalogs/demo/producers/region-bretagne/catalog.rdf",
	"/catalogs/demo/producers/region-bretagne/datasets.json",
	"/organizations/bretagne/catalog.nt",
	"/organizations/bretagne/datasets.json",
	"/catalogs/demo/csw",
	"/catalogs/demo/producers/region-bretagne/csw",
	"/organizations/bretagne/csw",
	"/catalogs.json",
	"/",
}

// fuzzServer builds a server over the harvested demo catalog.
func fuzzServer(f *testing.F) (*Server, *syncBuffer) {
	f.Helper()
	root := f.TempDir()
	text := fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"demo\"\ntitle = \"Démo\"\ndir = %q\n%s", demoDir(), orgTOML)
	path := filepath.Join(root, "catalogs.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		f.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		f.Fatal(err)
	}
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h := &harvest.Harvester{Store: st}
	if _, err := h.Run(context.Background(), cfg, cfg.Catalog("demo"), harvest.Options{}); err != nil {
		f.Fatal(err)
	}
	logs := &syncBuffer{}
	return New(Options{Store: st, Config: cfg, Recheck: 1, Logger: slog.New(slog.NewJSONHandler(logs, nil))}), logs
}

// FuzzHTTPParams sends every parameterised route fuzzed paging, date,
// CSW paging and Accept values: the answer is 2xx or 4xx, never a panic
// (which the recover middleware would turn into a 500) nor a 5xx. The
// seeds include the inputs that once overflowed (page × page_size).
func FuzzHTTPParams(f *testing.F) {
	srv, logs := fuzzServer(f)
	f.Add(uint8(3), "1000000000000000000", "", "", "", "", "")
	f.Add(uint8(0), "4611686018427387904", "4", "", "", "", "")
	f.Add(uint8(8), "2305843009213693953", "8", "", "", "", "application/rdf+xml")
	f.Add(uint8(9), "9223372036854775807", "500", "2024-01-31", "", "", "")
	f.Add(uint8(1), "2", "3", "2020-01-01T00:00:00Z", "", "", "text/html, application/ld+json;q=0.5")
	f.Add(uint8(10), "", "", "", "9223372036854775807", "500", "")
	f.Add(uint8(12), "", "", "", "1", "9223372036854775807", "application/xml")
	f.Add(uint8(11), "", "", "", "-1", "99999999999999999999", "*/*;q=0")
	f.Add(uint8(2), "0", "0", "not a date", "", "", ";;;q=abc, */*;q=NaN")
	f.Fuzz(func(t *testing.T, route uint8, page, pageSize, since, start, maxRecords, accept string) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		q := url.Values{}
		set := func(k, v string) {
			if v != "" {
				q.Set(k, v)
			}
		}
		set("page", page)
		set("page_size", pageSize)
		set("modified_since", since)
		if strings.HasSuffix(path, "/csw") {
			q.Set("service", "CSW")
			q.Set("version", "2.0.2")
			q.Set("request", "GetRecords")
			q.Set("typeNames", "csw:Record")
			q.Set("resultType", "results")
			set("startPosition", start)
			set("maxRecords", maxRecords)
		}
		req := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
		if accept != "" && !strings.ContainsAny(accept, "\r\n\x00") {
			req.Header.Set("Accept", accept)
		}
		resp, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatalf("%s: %v", req.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 500 || resp.StatusCode/100 == 3 {
			t.Fatalf("%s (Accept %q): status %d: %.300s\n%s", req.URL, accept, resp.StatusCode, body, logs.String())
		}
	})
}
