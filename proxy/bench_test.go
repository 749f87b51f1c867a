package proxy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/served"
)

// BenchmarkServeHeap5000 prints the README's heap breakdown of a serving
// process: 5 000 generated records are harvested from the test CSW server
// into an embedded store and their fragments precomputed (as `passerelle
// harvest` does), then a server loads the catalog. Reported, from the live
// heap after a GC: the loaded snapshot (its manifest: models stay in the
// store until the CSW facade loads them), the fragment heads of every
// record (read from the store in bulk; full fragments live in a bounded
// cache), their sum, and the same per record.
func BenchmarkServeHeap5000(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	up := cswtest.NewServer(b, cswtest.Generate(n), cswtest.Options{})
	root := b.TempDir()
	path := filepath.Join(root, "catalogs.toml")
	if err := os.WriteFile(path, fmt.Appendf(nil, "[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"bench\"\ntitle = \"Bench\"\nurl = %q\npage_size = 100\n", up.URL+"/csw"), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := &harvest.Harvester{Store: st, Client: client.New(client.Options{})}
	if rep, err := h.Run(ctx, cfg, cfg.Catalog("bench"), harvest.Options{}); err != nil || rep.Status != harvest.StatusOK {
		b.Fatalf("harvest: %v %+v", err, rep)
	}
	if _, err := served.Warm(ctx, st, cfg, "bench"); err != nil {
		b.Fatal(err)
	}
	live := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var models, frags uint64
	for b.Loop() {
		base := live()
		s := New(Options{Store: st, Config: cfg})
		v, err := s.state.CatalogView(ctx, cfg, "bench")
		if err != nil {
			b.Fatal(err)
		}
		loaded := live()
		s.state.Fragments(ctx, cfg, v)
		mapped := live()
		if len(v.Records) != n {
			b.Fatalf("%d records loaded", len(v.Records))
		}
		models, frags = loaded-min(base, loaded), mapped-min(loaded, mapped)
		runtime.KeepAlive(s)
		runtime.KeepAlive(v)
	}
	const mib = 1 << 20
	b.ReportMetric(float64(models)/mib, "snapshot-heap-MiB")
	b.ReportMetric(float64(frags)/mib, "fragments-heap-MiB")
	b.ReportMetric(float64(models+frags)/mib, "heap-MiB")
	b.ReportMetric(float64(models)/n, "snapshot-B/record")
	b.ReportMetric(float64(frags)/n, "fragments-B/record")
}
