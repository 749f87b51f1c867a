package harvest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/scalegen"
	"github.com/passerelle/passerelle/internal/testenv"
)

// TestDirSourceStreams checks a folder catalog delivers each file's records
// as the file is read, not after reading the whole folder: the second file
// is removed while the first file's record is handled, so a source that
// read every file first would still deliver it.
func TestDirSourceStreams(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"a.xml", "b.xml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(isoRecord(fmt.Sprint("id-", i), "T", "2024-01-01T00:00:00", "Org")), 0o644))
	}
	var got []int
	res, err := dirSource(dir, csw.Limits{})(context.Background(), func(pos int, raw []byte) error {
		got = append(got, pos)
		if pos == 1 {
			require.NoError(t, os.Remove(filepath.Join(dir, "b.xml")))
		}
		return nil
	}, func(int) {})
	require.NoError(t, err)
	assert.Equal(t, []int{1}, got, "b.xml is read only after a.xml's record was handled")
	assert.False(t, res.complete, "the vanished file is reported")
	assert.Equal(t, 1, res.matched)
}

// TestParallelHarvestKeepsUpstreamOrder harvests, through the parallel
// pipeline, more records than it holds at once, with duplicates and parse
// failures interleaved, and checks the outcome is the sequential one: of
// two same-date duplicates the first is kept, problems come in upstream
// order, and an unchanged second run parses nothing.
func TestParallelHarvestKeepsUpstreamOrder(t *testing.T) {
	f := newFixture(t)
	const n = 768
	want := 0
	for i := range n {
		if i%50 != 7 && i%10 != 3 {
			want++
		}
		name := fmt.Sprintf("r%05d.xml", i)
		switch {
		case i%50 == 7:
			f.write(name, "<broken")
		case i%10 == 3: // duplicate of the previous record, same dateStamp: the first one wins
			f.write(name, isoRecord(fmt.Sprint("id-", i-1), "dup "+strconv.Itoa(i), "2024-01-01T00:00:00", "Org"))
		default:
			f.write(name, isoRecord(fmt.Sprint("id-", i), "T "+strconv.Itoa(i), "2024-01-01T00:00:00", "Org"))
		}
	}
	rep := f.run(Options{})
	require.Equal(t, StatusOK, rep.Status)
	var reasons []string
	for _, p := range rep.Errors {
		reasons = append(reasons, p.Reason)
	}
	pos := positions(t, reasons)
	assert.IsIncreasing(t, pos, "problems in upstream order")
	snap := f.snapshot()
	for _, e := range snap.Entries {
		assert.NotContains(t, e.Title, "dup ", "the first of two same-date duplicates is kept (%s)", e.ID)
	}
	assert.Equal(t, want, len(snap.Entries))
	rep2 := f.run(Options{})
	assert.Zero(t, rep2.Parsed, "unchanged: nothing parsed")
	assert.Equal(t, len(snap.Entries), rep2.Unchanged)
}

// positions extracts "position N" from problem reasons.
func positions(t *testing.T, reasons []string) []int {
	t.Helper()
	var out []int
	for _, r := range reasons {
		if i := strings.Index(r, "position "); i >= 0 {
			var p int
			if _, err := fmt.Sscanf(r[i+len("position "):], "%d", &p); err == nil {
				out = append(out, p)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// BenchmarkHarvestFolder harvests N real-size records (internal/scalegen,
// ~32 KB each, envelopes of 100) from a folder catalog into a fresh embedded
// store, then once more unchanged. It reports wall time per record, the
// peak live heap the run added and the process's peak RSS: the heap must
// not grow with N (records are streamed, batches bounded).
func BenchmarkHarvestFolder(b *testing.B) {
	g, err := scalegen.New(testenv.Corpus(b))
	require.NoError(b, err)
	for _, n := range []int{1000, 4000} {
		root := b.TempDir()
		dir := filepath.Join(root, "records")
		require.NoError(b, os.Mkdir(dir, 0o755))
		for start := 0; start < n; start += 100 {
			var body []byte
			body = append(body, `<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults>`...)
			for i := start; i < min(start+100, n); i++ {
				body = append(body, g.Record(i)...)
			}
			body = append(body, `</csw:SearchResults></csw:GetRecordsResponse>`...)
			require.NoError(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%06d.xml", start)), body, 0o644))
		}
		for _, second := range []bool{false, true} {
			name := strconv.Itoa(n) + "/first"
			if second {
				name = strconv.Itoa(n) + "/unchanged"
			}
			b.Run(name, func(b *testing.B) {
				var heap uint64
				for range b.N {
					b.StopTimer()
					f := open(b, b.TempDir(), fmt.Sprintf("[server]\npublic_url = \"http://127.0.0.1:8080\"\n\n[[catalog]]\nid = \"scale\"\ntitle = \"Scale\"\ndir = %q\n", dir), "scale")
					if second {
						if rep := f.run(Options{}); rep.Status != StatusOK {
							b.Fatalf("first run: %s", rep.Status)
						}
					}
					stop := sampleHeap()
					b.StartTimer()
					rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog("scale"), Options{})
					b.StopTimer()
					heap = max(heap, stop())
					if err != nil || rep.Status != StatusOK || rep.Records != n {
						b.Fatalf("harvest: %v %s %d", err, rep.Status, rep.Records)
					}
					f.store.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "wall-µs/record")
				b.ReportMetric(float64(heap)/(1<<20), "peak-live-heap-added-MiB")
				b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
			})
		}
	}
}

// TestCSWWalkFetchesNextPageWhileParsing: while the first record of page 1
// is still being applied (its Progress call blocks), the walker has
// already requested page 2 — the next page is fetched while the current
// one is processed. A sequential walk would request page 2 only after page
// 1 is applied, and the wait below would end without it.
func TestCSWWalkFetchesNextPageWhileParsing(t *testing.T) {
	f := newCSWFixture(t, 5, 0)
	srv := cswtest.NewHandler(cswtest.Generate(15), cswtest.Options{})
	f.up.set(srv)
	page2 := func() bool {
		for _, line := range srv.Log() {
			if strings.Contains(line, "GetRecords results start=6") {
				return true
			}
		}
		return false
	}
	sawPage2 := false
	var once sync.Once
	rep, err := f.h.Run(context.Background(), f.cfg, &f.cfg.Catalogs[0], Options{Progress: func(fetched, _ int) {
		once.Do(func() {
			deadline := time.Now().Add(10 * time.Second) // an event awaited, not a speed asserted
			for !page2() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			sawPage2 = page2()
		})
	}})
	require.NoError(t, err)
	require.Equal(t, StatusOK, rep.Status)
	assert.True(t, sawPage2, "page 2 requested while page 1's first record was being applied: %v", srv.Log())
	assert.Equal(t, 15, rep.Records)
}
