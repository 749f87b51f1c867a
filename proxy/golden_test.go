package proxy

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current server")

// TestServedGolden serves the demo catalog and the shared corpus (fixed
// harvest clock) and compares feeds, JSON views and CSW answers with
// testdata/golden byte for byte (the goldens were written by the server as
// it was before the served package and its bounded fragment cache): a redesign of how answers are assembled
// (what is held in memory, what is read from the store per page) must
// change their cost, never their bytes. Rewrite with -update.
func TestServedGolden(t *testing.T) {
	corpus := t.TempDir()
	for _, sub := range []string{"records", "csw"} {
		files, err := filepath.Glob(testenv.Corpus(t, sub, "*.xml"))
		require.NoError(t, err)
		for _, f := range files {
			require.NoError(t, os.Symlink(f, filepath.Join(corpus, sub+"__"+filepath.Base(f))))
		}
	}
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir(), "corpus": corpus})
	// A fragment cache far smaller than the catalogs: pages read their
	// fragments from the store (or map them again) after evictions.
	e.srv.state.SetFragmentCacheBytes(64 << 10)
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := &harvest.Harvester{Store: e.store, Now: func() time.Time { return clock }}
	for _, id := range []string{"demo", "corpus"} {
		rep, err := h.Run(context.Background(), e.cfg, e.cfg.Catalog(id), harvest.Options{})
		require.NoError(t, err)
		require.NotEqual(t, harvest.StatusFailed, rep.Status)
	}
	csw := "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results"
	paths := []string{
		"/catalogs/demo/catalog.ttl",
		"/catalogs/demo/catalog.ttl?page=2&page_size=7",
		"/catalogs/demo/catalog.jsonld?page_size=5",
		"/catalogs/demo/catalog.rdf?page=3&page_size=4",
		"/catalogs/demo/catalog.nt?page_size=3",
		"/catalogs/corpus/catalog.ttl?page_size=500",
		"/catalogs/corpus/catalog.ttl?page=2&page_size=9",
		"/catalogs/demo/producers/ddtm-d-ille-et-vilaine/catalog.ttl",
		"/organizations/bretagne/catalog.ttl",
		"/organizations/reste/catalog.ttl?page_size=4&page=2",
		"/catalogs/demo/datasets.json",
		"/catalogs/corpus/datasets.json?page_size=500",
		"/organizations/bretagne/datasets.json",
		"/organizations/reste/datasets.json",
		"/catalogs/demo/producers.json",
		"/catalogs/corpus/producers.json",
		"/catalogs/demo/csw?" + csw + "&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&maxRecords=5",
		"/catalogs/demo/csw?" + csw + "&elementSetName=summary&maxRecords=50",
		"/catalogs/corpus/csw?" + csw + "&outputSchema=http://www.w3.org/ns/dcat%23&elementSetName=full&maxRecords=50",
		"/catalogs/corpus/csw?" + csw + "&elementSetName=brief&maxRecords=50&constraintLanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=" + url.QueryEscape("AnyText LIKE '%eau%'"),
		"/organizations/reste/csw?" + csw + "&elementSetName=full&maxRecords=20",
	}
	dir := filepath.Join("testdata", "golden")
	// Twice: mapping on demand, then from what Warm precomputed (fragments
	// and heads read from the store) in a fresh server.
	for _, warm := range []bool{false, true} {
		if warm {
			for _, id := range []string{"demo", "corpus"} {
				_, err := served.Warm(context.Background(), e.store, e.cfg, id)
				require.NoError(t, err)
			}
			e.srv = New(Options{Store: e.store, Config: e.cfg, Recheck: 1, FragmentCacheBytes: 64 << 10})
		}
		checkGolden(t, e, dir, paths, warm)
	}
}

func checkGolden(t *testing.T, e *env, dir string, paths []string, warm bool) {
	for _, p := range paths {
		name := strings.NewReplacer("/", "_", "?", "__", "&", "_", "=", "-", ":", "", "%", "", "'", "", "+", "").Replace(strings.TrimPrefix(p, "/"))
		if len(name) > 120 {
			name = name[:120]
		}
		t.Run(fmt.Sprintf("warm=%v/%s", warm, name), func(t *testing.T) {
			resp, body := e.get(p)
			require.Equal(t, 200, resp.StatusCode, "%s: %s", p, body)
			file := filepath.Join(dir, name+".golden")
			if *update && !warm {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, os.WriteFile(file, body, 0o644))
				return
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err, "run go test ./proxy -run TestServedGolden -update")
			assert.Equal(t, string(want), string(body), p)
		})
	}
}
