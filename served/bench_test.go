package served_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/scalegen"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// BenchmarkLoadMemory harvests N real-size records (internal/scalegen) into
// an embedded store, then measures what serving them holds in memory, per
// record, with a 1 MiB fragment cache so that the bounded caches do not
// count: after loading the catalog view and building every fragment head
// (what feeds and JSON views need), then after the CSW facade's entries
// (every record's search index, built from its model, the model dropped),
// then after a filtered query over them (the index is built when the
// entries load, so the last figure shows what a query adds: nothing lasting).
// Issue 12 aims at well under 1 KB a record; measured at 4 000 records:
// 2.1 KB for feeds, 13.3 KB with the facade's entries — not met.
func BenchmarkLoadMemory(b *testing.B) {
	g, err := scalegen.New(testenv.Corpus(b))
	require.NoError(b, err)
	for _, n := range []int{1000, 4000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			cfg, st := harvestedScale(b, g, n)
			var feed, withCSW, withIndex float64
			b.ResetTimer()
			for range b.N {
				before := liveHeap()
				s := served.New(st, 0)
				s.SetFragmentCacheBytes(1 << 20)
				v, err := s.CatalogView(context.Background(), cfg, "scale")
				require.NoError(b, err)
				s.Fragments(context.Background(), cfg, v)
				feed = float64(liveHeap()-before) / float64(n)
				entries, err := s.CSWEntries(context.Background(), v)
				require.NoError(b, err)
				withCSW = float64(liveHeap()-before) / float64(n)
				// An AnyText query over every entry's index.
				req, err := facade.ParseKVP(url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"},
					"typeNames": {"csw:Record"}, "resultType": {"hits"}, "constraintLanguage": {"CQL_TEXT"},
					"constraint_language_version": {"1.1.0"}, "constraint": {"AnyText LIKE '%lot 1%'"}})
				require.NoError(b, err)
				status, _, body := (&facade.Facade{}).Serve(context.Background(), facade.Endpoint{URL: "http://127.0.0.1/csw"}, req, entries)
				require.Equal(b, 200, status, string(body))
				withIndex = float64(liveHeap()-before) / float64(n)
				runtime.KeepAlive(s)
			}
			b.ReportMetric(feed, "feed-live-B/record")
			b.ReportMetric(withCSW, "with-csw-live-B/record")
			b.ReportMetric(withIndex, "after-filter-live-B/record")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "load-µs/record")
		})
	}
}

// harvestedScale harvests n scalegen records of catalog "scale" into an
// embedded store (closed when b ends) and warms it.
func harvestedScale(b *testing.B, g *scalegen.Generator, n int) (*config.Config, cache.Store) {
	b.Helper()
	root := b.TempDir()
	dir := filepath.Join(root, "records")
	require.NoError(b, os.Mkdir(dir, 0o755))
	for i := range n {
		require.NoError(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%07d.xml", i)), g.Record(i), 0o644))
	}
	path := filepath.Join(root, "catalogs.toml")
	require.NoError(b, os.WriteFile(path, []byte(fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"scale\"\ntitle = \"Scale\"\ndir = %q\n", dir)), 0o644))
	cfg, err := config.Load(path)
	require.NoError(b, err)
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	rep, err := (&harvest.Harvester{Store: st}).Run(context.Background(), cfg, cfg.Catalog("scale"), harvest.Options{})
	require.NoError(b, err)
	require.Equal(b, n, rep.Records)
	_, err = served.Warm(context.Background(), st, cfg, "scale")
	require.NoError(b, err)
	return cfg, st
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkPageFromStore: a feed page of 50 assembled from the store after
// Warm — the page's full fragments read and decoded (the fragment cache
// holds 1 MiB, so pages mostly miss it), on a catalog of real-size records.
// Reports the time per page; the order comes from the stored heads.
func BenchmarkPageFromStore(b *testing.B) {
	g, err := scalegen.New(testenv.Corpus(b))
	require.NoError(b, err)
	const n = 2000
	cfg, st := harvestedScale(b, g, n)
	ctx := context.Background()
	s := served.New(st, 0)
	s.SetFragmentCacheBytes(1 << 20)
	v, err := s.CatalogView(ctx, cfg, "scale")
	require.NoError(b, err)
	s.Fragments(ctx, cfg, v)
	b.ResetTimer()
	for i := range b.N {
		from := (i * 50 * 7) % (n - 50) // pages spread over the catalog
		frags, err := s.PageFragments(ctx, cfg, v, v.Records[from:from+50])
		require.NoError(b, err)
		require.Len(b, frags, 50)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
}
