package dcat

import (
	"io"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: with other processes
// loading the machine, it measures the work better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMapTurtle measures record model → Turtle (Map then WriteDataset),
// parsing excluded, over the whole corpus. Metrics: ns/record (wall) and
// cpu-ns/record (process CPU time, GC included).
func BenchmarkMapTurtle(b *testing.B) {
	recs := loadCorpus(b)
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		for _, cr := range recs {
			f, err := Map(Input{Record: cr.rec}, testOptions)
			if err != nil {
				continue
			}
			if err := WriteDataset(io.Discard, Turtle, f, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N * len(recs))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/n, "cpu-ns/record")
}

// BenchmarkMap measures the mapping alone.
func BenchmarkMap(b *testing.B) {
	recs := loadCorpus(b)
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		for _, cr := range recs {
			_, _ = Map(Input{Record: cr.rec}, testOptions)
		}
	}
	n := float64(b.N * len(recs))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/n, "cpu-ns/record")
}

// BenchmarkPage50 measures writing a feed page of 50 precomputed fragments
// in each format.
func BenchmarkPage50(b *testing.B) {
	_, frags := mapCorpus(b)
	catalog := OrderForPage(catalogOf(frags))
	for len(catalog) < 50 {
		catalog = append(catalog, catalog...)
	}
	p := &Page{Options: testOptions, Fragments: catalog[:50], Total: 500, Page: 2, PageSize: 50,
		BaseURL: testOptions.PublicURL + "/catalogs/corpus/catalog", Ext: ".ttl"}
	for _, ft := range []Format{Turtle, NTriples, RDFXML, JSONLD} {
		b.Run(ft.String(), func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if err := WritePage(io.Discard, ft, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkUnmarshalFragment measures decoding a cached fragment.
func BenchmarkUnmarshalFragment(b *testing.B) {
	_, frags := mapCorpus(b)
	var blobs [][]byte
	size := 0
	for _, f := range frags {
		bl, err := f.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		blobs = append(blobs, bl)
		size += len(bl)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, bl := range blobs {
			if _, err := UnmarshalFragment(bl); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(blobs)), "ns/fragment")
	b.ReportMetric(float64(size)/float64(len(blobs)), "bytes/fragment")
}
