package harvest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// swappable lets a test change the upstream server behind one URL.
type swappable struct{ h atomic.Pointer[http.Handler] }

func (s *swappable) set(h http.Handler) { s.h.Store(&h) }
func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

func newCSWFixture(t testing.TB, pageSize int, maxBody int64) *fixture {
	t.Helper()
	up := &swappable{}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	f := open(t, t.TempDir(), fmt.Sprintf(`[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "up"
title = "Upstream"
url = %q
page_size = %d
timeout = "2s"
`, srv.URL+"/csw", pageSize), "up")
	f.up = up
	f.h.Client = client.New(client.Options{Retries: 2, Backoff: 5 * time.Millisecond, MaxBackoff: 1500 * time.Millisecond, MaxBodyBytes: maxBody})
	return f
}

func (f *fixture) serve(recs [][]byte, opts cswtest.Options) {
	f.up.set(cswtest.NewHandler(recs, opts))
}

// readable checks every record a snapshot names can be read back.
func (f *fixture) readable(snap *cache.Snapshot) {
	f.t.Helper()
	hashes := make([]string, len(snap.Entries))
	for i, e := range snap.Entries {
		hashes[i] = e.Hash
	}
	recs, err := f.store.Records(context.Background(), f.catalog, hashes)
	require.NoError(f.t, err)
	require.Len(f.t, recs, len(hashes))
}

// TestFaults runs a good harvest of 30 records, then one against a server
// injecting a fault, and checks the report explains it and the previous
// snapshot stays readable (whole for failed runs; nothing removed for
// partial ones).
func TestFaults(t *testing.T) {
	base := cswtest.Generate(30)
	withRecord := func(pos int, raw []byte) [][]byte {
		out := append([][]byte(nil), base...)
		out[pos-1] = raw
		return out
	}
	dup := append([][]byte(nil), base...)
	dup[20] = base[3] // the same record twice: one fileIdentifier at two positions
	cases := []struct {
		name    string
		recs    [][]byte
		opts    cswtest.Options
		maxBody int64
		status  string
		reason  string // a substring of some reported problem or note ("" when ok)
	}{
		{name: "500 once is retried", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500, Start: 11, Times: 1}}}, status: StatusOK},
		{name: "500 always on a page", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500, Position: 15}}}, status: StatusPartial, reason: "500"},
		{name: "503 with Retry-After", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus503, Start: 11, Times: 1, RetryAfter: "1"}}}, status: StatusOK},
		{name: "timeout once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTimeout, Start: 21, Times: 1, Sleep: 3 * time.Second}}}, status: StatusOK},
		{name: "reset mid-body once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultReset, Start: 11, Times: 1}}}, status: StatusOK},
		{name: "reset always on a page", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultReset, Position: 12}}}, status: StatusOK, reason: "start=11"},     // recovered by splitting the page,
		{name: "truncated XML", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTruncate, Position: 25}}}, status: StatusOK, reason: "truncated document"}, // recovered by splitting the page,
		{name: "invalid XML character", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultInvalidChar, Position: 7}}}, status: StatusPartial, reason: "position 7"},
		{name: "exception report under 200", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultException}}}, status: StatusFailed, reason: "exception report NoApplicableCode"},
		{name: "HTML under 200", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultHTML}}}, status: StatusFailed, reason: "HTML answer"},
		{name: "nextRecord loop", opts: cswtest.Options{NextRecordLoop: true}, status: StatusOK},
		{name: "lying numberOfRecordsMatched", opts: cswtest.Options{MatchedOffset: 5}, status: StatusPartial, reason: "positions fetched"},
		{name: "changing numberOfRecordsMatched", opts: cswtest.Options{GrowAfter: []int{1}}, status: StatusOK},
		{name: "short pages", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultShortPage, Start: 11}}}, status: StatusOK},
		{name: "page bigger than asked", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultBiggerPage, Start: 1, Times: 1}}}, status: StatusOK},
		{name: "server cap on maxRecords", opts: cswtest.Options{MaxRecordsCap: 4}, status: StatusOK},
		{name: "SortBy rejected", opts: cswtest.Options{RejectSortBy: true}, status: StatusOK, reason: "SortBy"},
		{name: "no POST", opts: cswtest.Options{NoPost: true}, status: StatusOK},
		{name: "duplicate identifiers", recs: dup, status: StatusOK, reason: "duplicate fileIdentifier"},
		{name: "non-ISO root", recs: withRecord(9, []byte(`<mdb:MD_Metadata xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0"><mdb:metadataIdentifier/></mdb:MD_Metadata>`)), status: StatusOK, reason: "not an ISO 19139 metadata record"},
		{name: "entity bomb", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultEntityBomb, Position: 3}}}, status: StatusPartial, reason: "position 3"},
		{name: "deep nesting", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultDeepNesting, Position: 4}}}, status: StatusPartial, reason: "position 4"},
		{name: "oversized page", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultOversize, Position: 18, Pad: 300 << 10}}}, maxBody: 256 << 10, status: StatusPartial, reason: "position 18"},
		{name: "redirect once", opts: cswtest.Options{Redirect: "once"}, status: StatusOK},
		{name: "redirect loop", opts: cswtest.Options{Redirect: "loop"}, status: StatusFailed, reason: "redirect"},
		{name: "gzip", opts: cswtest.Options{Gzip: true}, status: StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newCSWFixture(t, 10, tc.maxBody)
			f.serve(base, cswtest.Options{})
			first := f.run(Options{})
			require.Equal(t, StatusOK, first.Status, "%+v", first.Errors)
			require.Equal(t, 30, first.Records)
			before := f.snapshot()

			recs := tc.recs
			if recs == nil {
				recs = base
			}
			f.serve(recs, tc.opts)
			rep := f.run(Options{})
			assert.Equal(t, tc.status, rep.Status, "errors: %+v notes: %v", rep.Errors, rep.Notes)
			if tc.reason != "" {
				var all []string
				for _, p := range rep.Errors {
					all = append(all, p.Reason)
				}
				all = append(all, rep.Notes...)
				assert.Contains(t, strings.Join(all, "\n"), tc.reason)
			}
			after := f.snapshot()
			f.readable(after)
			switch rep.Status {
			case StatusFailed:
				assert.True(t, rep.Kept)
				assert.Equal(t, before.Generation, after.Generation, "previous snapshot kept whole")
			case StatusPartial:
				assert.Zero(t, rep.Removed, "a partial harvest removes nothing")
				assert.GreaterOrEqual(t, len(after.Entries), len(before.Entries))
			case StatusOK:
				assert.Equal(t, 30, rep.Records-rep.Added+rep.Removed)
			}
			// Every failure must say why.
			if rep.Status != StatusOK {
				assert.NotEmpty(t, rep.Errors)
			}
		})
	}
}

// TestReplayGeoNetworkPages harvests the recorded GeoNetwork pages of the
// shared corpus (matched 6, 2 per page) twice.
func TestReplayGeoNetworkPages(t *testing.T) {
	pages := map[int][]byte{}
	for start, name := range map[int]string{1: "udata__geonetwork-iso19139-page-1.xml", 3: "udata__geonetwork-iso19139-page-3.xml", 5: "udata__geonetwork-iso19139-page-5.xml"} {
		b, err := os.ReadFile(testenv.Corpus(t, "csw", name))
		require.NoError(t, err)
		pages[start] = b
	}
	f := newCSWFixture(t, 2, 0)
	f.serve(nil, cswtest.Options{Replay: pages})
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status, "%+v", rep.Errors)
	assert.Equal(t, 6, rep.Matched)
	assert.Equal(t, 6, rep.Fetched)
	assert.Equal(t, 6, rep.Records)
	rep = f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 6, rep.Unchanged)
	assert.Zero(t, rep.Parsed)
}

// TestUpstreamRemovalOnlyWhenComplete: a record that left upstream is
// removed by an ok harvest only.
func TestUpstreamRemovalOnlyWhenComplete(t *testing.T) {
	base := cswtest.Generate(30)
	f := newCSWFixture(t, 10, 0)
	f.serve(base, cswtest.Options{})
	require.Equal(t, StatusOK, f.run(Options{}).Status)

	// 29 records upstream, and a page that always fails: partial, nothing removed.
	f.serve(base[1:], cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500, Position: 25}}})
	rep := f.run(Options{})
	require.Equal(t, StatusPartial, rep.Status)
	assert.Zero(t, rep.Removed)
	assert.Len(t, f.snapshot().Entries, 30)

	// Healthy again: the removal is applied.
	f.serve(base[1:], cswtest.Options{})
	rep = f.run(Options{})
	require.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 1, rep.Removed)
	assert.Len(t, f.snapshot().Entries, 29)
}
