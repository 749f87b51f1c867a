package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// testClient retries fast: backoff 1 ms, waits capped at 20 ms.
func testClient(o client.Options) *client.Client {
	o.Backoff = time.Millisecond
	o.MaxBackoff = 20 * time.Millisecond
	o.Logger = slog.New(slog.DiscardHandler)
	return client.New(o)
}

type walked struct {
	rep  *client.WalkReport
	err  error
	recs []client.Record
	log  []string
}

func (w walked) positions() []int {
	var ps []int
	for _, r := range w.recs {
		ps = append(ps, r.Position)
	}
	return ps
}

func (w walked) ids(t *testing.T) []string {
	var ids []string
	for _, r := range w.recs {
		_, id := cswtest.RecordRoot(t, r.Raw)
		ids = append(ids, id)
	}
	return ids
}

func (w walked) recordErrorPositions() []int {
	var ps []int
	for _, e := range w.rep.RecordErrors {
		ps = append(ps, e.Position)
	}
	return ps
}

func (w walked) notes() string { return strings.Join(w.rep.Notes, "\n") }

func walkServer(t *testing.T, recs [][]byte, opts cswtest.Options, ep client.Endpoint, co client.Options) walked {
	t.Helper()
	h := cswtest.NewHandler(recs, opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ep.URL = srv.URL + "/csw" + ep.URL
	var out walked
	out.rep, out.err = testClient(co).Walk(context.Background(), ep, func(r client.Record) error {
		out.recs = append(out.recs, r)
		return nil
	})
	out.log = h.Log()
	require.NotNil(t, out.rep)
	return out
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func without(s []int, drop ...int) []int {
	return slices.DeleteFunc(slices.Clone(s), func(v int) bool { return slices.Contains(drop, v) })
}

// TestWalkFaults walks a 23-record catalog in pages of 5 against every
// fault of the test server.
func TestWalkFaults(t *testing.T) {
	const n = 23
	all := seq(1, n)
	tests := []struct {
		name         string
		opts         cswtest.Options
		ep           client.Endpoint
		co           client.Options
		complete     bool
		matched      int
		positions    []int // delivered, in order
		recordErrors []int
		pageErrors   int
		restarts     int
		note         string // substring of the notes
		reason       string // substring of the first record or page error
	}{
		{name: "well behaved", complete: true, matched: n, positions: all},
		{name: "gzip", opts: cswtest.Options{Gzip: true}, complete: true, matched: n, positions: all},
		{name: "500 once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500, Start: 6, Times: 1}}}, complete: true, matched: n, positions: all},
		{name: "503 retry-after once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus503, Start: 11, Times: 2, RetryAfter: "120"}}}, complete: true, matched: n, positions: all},
		{name: "503 retry-after date", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus503, Start: 11, Times: 1, RetryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}}, complete: true, matched: n, positions: all},
		{name: "500 always on one page start", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500, Start: 6}}},
			matched: n, positions: without(all, 6), recordErrors: []int{6}, pageErrors: 1, reason: "HTTP 500"},
		{name: "timeout once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTimeout, Start: 6, Times: 1, Sleep: 2 * time.Second}}}, ep: client.Endpoint{Timeout: 150 * time.Millisecond},
			complete: true, matched: n, positions: all},
		{name: "reset once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultReset, Start: 6, Times: 1}}}, complete: true, matched: n, positions: all},
		// records received whole before the cut are kept; the rest of the page is fetched at other starts
		{name: "reset always on one page start", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultReset, Start: 6}}},
			complete: true, matched: n, positions: all, pageErrors: 1},
		{name: "truncated once", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTruncate, Start: 16, Times: 1}}}, complete: true, matched: n, positions: all},
		{name: "truncated always on one page start", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTruncate, Start: 16}}},
			complete: true, matched: n, positions: all, pageErrors: 1, reason: "truncated"},
		{name: "truncated single-record pages", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultTruncate, Position: 17}}}, ep: client.Endpoint{PageSize: 1},
			matched: n, positions: without(all, 17), recordErrors: []int{17}, pageErrors: 1, reason: "truncated"},
		{name: "invalid character", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultInvalidChar, Position: 8}}},
			matched: n, positions: without(all, 8), recordErrors: []int{8}, pageErrors: 1, reason: "malformed XML"},
		{name: "exception under 200", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultException, Start: 11}}},
			matched: n, positions: without(all, 11), recordErrors: []int{11}, pageErrors: 1, reason: "NoApplicableCode"},
		{name: "html under 200", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultHTML, Position: 12}}},
			matched: n, positions: without(all, 12), recordErrors: []int{12}, pageErrors: 1, reason: "HTML"},
		{name: "entity bomb", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultEntityBomb, Position: 3}}},
			matched: n, positions: without(all, 3), recordErrors: []int{3}, pageErrors: 1, reason: "DTD"},
		{name: "deep nesting", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultDeepNesting, Position: 23}}},
			matched: n, positions: without(all, 23), recordErrors: []int{23}, pageErrors: 1, reason: "nesting"},
		{name: "oversized page", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultOversize, Position: 9, Pad: 200 << 10}}}, co: client.Options{MaxBodyBytes: 100 << 10},
			matched: n, positions: without(all, 9), recordErrors: []int{9}, pageErrors: 1, reason: "size limit"},
		{name: "nextRecord loop", opts: cswtest.Options{NextRecordLoop: true}, complete: true, matched: n, positions: all},
		{name: "lying matched", opts: cswtest.Options{MatchedOffset: 4}, matched: n + 4, positions: all, note: "empty page at position 24"},
		{name: "hits says 0", opts: cswtest.Options{HitsOffset: -n}, complete: true, matched: n, positions: all, note: "differs from the count 0"},
		{name: "hits too low", opts: cswtest.Options{HitsOffset: -20}, complete: true, matched: n, positions: all, note: "differs from the count 3"},
		{name: "matched changes once", opts: cswtest.Options{GrowAfter: []int{2}}, complete: true, matched: n + 1, positions: append(seq(1, 15), seq(16, n+1)...), restarts: 1, note: "changed from 23 to 24"},
		{name: "matched keeps changing", opts: cswtest.Options{GrowAfter: seq(1, 40)}, matched: -1, restarts: 2, note: "after 2 restarts"},
		{name: "short pages skip with nextRecord", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultShortPage}}}, complete: true, matched: n, positions: all},
		{name: "server cap", opts: cswtest.Options{MaxRecordsCap: 3}, ep: client.Endpoint{PageSize: 10}, complete: true, matched: n, positions: all},
		{name: "bigger page than asked", opts: cswtest.Options{Faults: []cswtest.Fault{{Kind: cswtest.FaultBiggerPage, Start: 6}}}, complete: true, matched: n, positions: all, pageErrors: 1},
		{name: "startPosition ignored", opts: cswtest.Options{IgnoreStart: true}, matched: n, positions: seq(1, 10), note: "startPosition ignored"},
		{name: "sortby rejected", opts: cswtest.Options{RejectSortBy: true}, ep: client.Endpoint{Sort: true}, complete: true, matched: n, positions: all, note: "rejected SortBy"},
		{name: "post refused", opts: cswtest.Options{NoPost: true}, complete: true, matched: n, positions: all, note: "no POST"},
		{name: "post refused, namespace needed", opts: cswtest.Options{NoPost: true, RequireNamespace: true}, complete: true, matched: n, positions: all, note: "namespace parameter"},
		{name: "post refused, encoded typeNames rejected", opts: cswtest.Options{NoPost: true, RejectEncodedTypeNames: true}, ep: client.Endpoint{Sort: true, Constraint: "apiso:Type = 'dataset' & x"},
			complete: true, matched: n, positions: all, note: "sending the query string unencoded"},
		{name: "post refused, constraintLanguage needed", opts: cswtest.Options{NoPost: true, RequireConstraintLanguage: true}, ep: client.Endpoint{Constraint: "apiso:Type = 'dataset'"},
			complete: true, matched: n, positions: all, note: "CQL_TEXT"},
		{name: "full fails: brief then by id", opts: cswtest.Options{FullFails: true}, complete: true, matched: n, positions: all, note: "brief then GetRecordById"},
		{name: "redirect once", opts: cswtest.Options{Redirect: "once"}, complete: true, matched: n, positions: all, note: "redirected"},
		{name: "advertised url differs", opts: cswtest.Options{AdvertisedURL: "http://localhost/pycsw/csw.py?config=x"}, complete: true, matched: n, positions: all, note: "advertised URL http://localhost/pycsw/csw.py?config=x differs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.ep.PageSize == 0 {
				tc.ep.PageSize = 5
			}
			w := walkServer(t, cswtest.Generate(n), tc.opts, tc.ep, tc.co)
			require.NoError(t, w.err, "log:\n%s", strings.Join(w.log, "\n"))
			rep := w.rep
			assert.Equal(t, tc.complete, rep.Complete, "complete; notes: %v", rep.Notes)
			if tc.matched >= 0 {
				assert.Equal(t, tc.matched, rep.Matched)
			}
			if tc.positions != nil {
				assert.Equal(t, tc.positions, w.positions())
			}
			assert.Equal(t, tc.recordErrors, w.recordErrorPositions(), "record errors %+v", rep.RecordErrors)
			assert.Len(t, rep.PageErrors, tc.pageErrors, "page errors %+v", rep.PageErrors)
			assert.Equal(t, tc.restarts, rep.Restarts)
			if tc.note != "" {
				assert.Contains(t, w.notes(), tc.note)
			}
			if tc.reason != "" {
				var reason string
				if len(rep.RecordErrors) > 0 {
					reason = rep.RecordErrors[0].Reason
				} else if len(rep.PageErrors) > 0 {
					reason = rep.PageErrors[0].Reason
				}
				assert.Contains(t, reason, tc.reason)
			}
			if tc.complete {
				assert.Equal(t, tc.matched, rep.Fetched)
				// the final pass delivers every record once, ids in server order
				ids := w.ids(t)
				last := ids[len(ids)-rep.Matched:]
				want := make([]string, 0, rep.Matched)
				for i := 1; i <= n; i++ {
					want = append(want, fmt.Sprintf("passerelle-test-%06d", i))
				}
				assert.Equal(t, want, last[:n])
			} else {
				assert.Less(t, rep.Fetched, max(rep.Matched, 1)+1)
			}
			assert.Positive(t, rep.Requests)
			assert.Positive(t, rep.Duration)
		})
	}
}

func TestWalkRequestsFollowOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  cswtest.Options
		ep    client.Endpoint
		check func(t *testing.T, w walked)
	}{
		{name: "post with sort, then paging by returned", ep: client.Endpoint{Sort: true, PageSize: 10}, opts: cswtest.Options{MaxRecordsCap: 4}, check: func(t *testing.T, w walked) {
			assert.Equal(t, []string{
				"GET GetCapabilities",
				"POST GetRecords hits start=1 max=1",
				"POST GetRecords results start=1 max=10 sort=apiso:Identifier",
				"POST GetRecords results start=5 max=8 sort=apiso:Identifier",
				"POST GetRecords results start=9 max=4 sort=apiso:Identifier",
			}, w.log)
			assert.Equal(t, 5, w.rep.Requests)
		}},
		{name: "nextRecord loop stops", ep: client.Endpoint{PageSize: 6}, opts: cswtest.Options{NextRecordLoop: true}, check: func(t *testing.T, w walked) {
			assert.Len(t, w.log, 4) // caps, hits, 2 pages
		}},
		{name: "redirect loop", opts: cswtest.Options{Redirect: "loop"}, check: func(t *testing.T, w walked) {
			require.Error(t, w.err)
			assert.ErrorIs(t, w.err, csw.ErrUpstream)
			assert.Contains(t, w.err.Error(), "redirects")
			assert.Contains(t, w.notes(), "GetCapabilities failed")
		}},
		{name: "several fallbacks at once", opts: cswtest.Options{NoPost: true, RequireNamespace: true, RejectSortBy: true}, ep: client.Endpoint{Sort: true}, check: func(t *testing.T, w walked) {
			require.NoError(t, w.err)
			assert.True(t, w.rep.Complete)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := walkServer(t, cswtest.Generate(12), tc.opts, tc.ep, client.Options{})
			tc.check(t, w)
		})
	}
}

func TestWalkUnreachableAndDown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rep, err := testClient(client.Options{Retries: 2}).Walk(context.Background(), client.Endpoint{URL: srv.URL}, func(client.Record) error { return nil })
	require.Error(t, err)
	assert.ErrorIs(t, err, csw.ErrTransient)
	assert.False(t, rep.Complete)
	assert.Equal(t, 6, rep.Requests, "caps and hits, 1 try + 2 retries each")

	_, err = testClient(client.Options{}).Walk(context.Background(), client.Endpoint{URL: "ftp://example.org/csw"}, nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, csw.ErrTransient)
}

func TestWalkReplayCorpus(t *testing.T) {
	pages := map[int][]byte{}
	for start, name := range map[int]string{1: "udata__geonetwork-iso19139-page-1.xml", 3: "udata__geonetwork-iso19139-page-3.xml", 5: "udata__geonetwork-iso19139-page-5.xml"} {
		b, err := os.ReadFile(testenv.Corpus(t, "csw", name))
		require.NoError(t, err)
		pages[start] = b
	}
	for _, size := range []int{2, 25} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			w := walkServer(t, nil, cswtest.Options{Replay: pages}, client.Endpoint{PageSize: size}, client.Options{})
			require.NoError(t, w.err)
			assert.True(t, w.rep.Complete)
			assert.Equal(t, 6, w.rep.Matched)
			assert.Equal(t, 6, w.rep.Fetched)
			assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, w.positions())
			ids := w.ids(t)
			assert.Len(t, ids, 6)
			assert.Equal(t, "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44", ids[0])
			assert.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), 6, "distinct identifiers")
		})
	}
}

func TestWalkDeliversOddRecords(t *testing.T) {
	recs := cswtest.Generate(6)
	mdb, err := os.ReadFile(testenv.Corpus(t, "broken", "owslib__iso19115-3_metawal-catchments.xml"))
	require.NoError(t, err)
	mi, err := os.ReadFile(testenv.Corpus(t, "records", "owslib__iso_mi.xml"))
	require.NoError(t, err)
	recs = append(recs, recs[2], mdb, mi) // a duplicate identifier, an ISO 19115-3 root, a gmi root
	w := walkServer(t, recs, cswtest.Options{}, client.Endpoint{PageSize: 4}, client.Options{})
	require.NoError(t, w.err)
	assert.True(t, w.rep.Complete)
	require.Len(t, w.recs, 9)
	roots := map[string]int{}
	for _, r := range w.recs {
		root, _ := cswtest.RecordRoot(t, r.Raw)
		roots[root]++
	}
	assert.Equal(t, map[string]int{
		"{http://www.isotc211.org/2005/gmd}MD_Metadata":              7,
		"{http://standards.iso.org/iso/19115/-3/mdb/2.0}MD_Metadata": 1,
		"{http://www.isotc211.org/2005/gmi}MI_Metadata":              1,
	}, roots)
	ids := w.ids(t)
	assert.Equal(t, ids[2], ids[6], "duplicate identifiers are delivered, the harvester reports them")
}

func TestWalkStopsOnCallbackErrorAndCancel(t *testing.T) {
	srv := cswtest.NewServer(t, cswtest.Generate(30), cswtest.Options{})
	c := testClient(client.Options{})
	stop := errors.New("disk full")
	n := 0
	rep, err := c.Walk(context.Background(), client.Endpoint{URL: srv.URL, PageSize: 10}, func(client.Record) error {
		n++
		if n == 12 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 12, n)
	assert.False(t, rep.Complete)

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = c.Walk(ctx, client.Endpoint{URL: srv.URL, PageSize: 10}, func(client.Record) error {
		n++
		if n == 5 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, n, 10)
}

func TestWalkHeadersAndPerHostLimit(t *testing.T) {
	var inflight, peak atomic.Int32
	var ua, key atomic.Value
	h := cswtest.NewHandler(cswtest.Generate(40), cswtest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		ua.Store(r.Header.Get("User-Agent"))
		key.Store(r.Header.Get("X-Api-Key"))
		time.Sleep(2 * time.Millisecond)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := testClient(client.Options{PerHostConcurrency: 1})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			rep, err := c.Walk(context.Background(), client.Endpoint{URL: srv.URL, PageSize: 5, Headers: map[string]string{"X-Api-Key": "k"}}, func(client.Record) error { return nil })
			if err == nil && !rep.Complete {
				err = errors.New("incomplete")
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, int32(1), peak.Load(), "one request in flight per host")
	assert.True(t, strings.HasPrefix(ua.Load().(string), "passerelle/"))
	assert.Equal(t, "k", key.Load())
}

func TestWalkFiveThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("5 000 records: skipped under -short")
	}
	const n = 5000
	w := walkServer(t, cswtest.Generate(n), cswtest.Options{}, client.Endpoint{PageSize: 100, Sort: true}, client.Options{})
	require.NoError(t, w.err)
	assert.True(t, w.rep.Complete)
	assert.Equal(t, n, w.rep.Fetched)
	assert.Equal(t, seq(1, n), w.positions())
	assert.Equal(t, 2+n/100, w.rep.Requests, "capabilities, hits and one request per page")
	assert.Empty(t, w.rep.Notes)
}

// cachingHandler answers repeated requests (same method, URL and body)
// from memory, so that benchmarks measure the client, not cswtest.
type cachingHandler struct {
	h     http.Handler
	mu    sync.Mutex
	cache map[string]*httptest.ResponseRecorder
}

func (c *cachingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Method + " " + r.URL.String() + " " + string(body)
	c.mu.Lock()
	rec, ok := c.cache[key]
	c.mu.Unlock()
	if !ok {
		rec = httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.h.ServeHTTP(rec, r)
		c.mu.Lock()
		c.cache[key] = rec
		c.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// BenchmarkWalk5000 walks 5 000 generated records in pages of 100 from a
// local server answering from memory: client cost per record.
func BenchmarkWalk5000(b *testing.B) {
	recs := cswtest.Generate(5000)
	srv := httptest.NewServer(&cachingHandler{h: cswtest.NewHandler(recs, cswtest.Options{}), cache: map[string]*httptest.ResponseRecorder{}})
	defer srv.Close()
	c := testClient(client.Options{})
	var bytesIn int64
	for _, r := range recs {
		bytesIn += int64(len(r))
	}
	walk := func() {
		rep, err := c.Walk(context.Background(), client.Endpoint{URL: srv.URL, PageSize: 100}, func(r client.Record) error {
			_, _ = io.Discard.Write(r.Raw)
			return nil
		})
		if err != nil || !rep.Complete {
			b.Fatalf("walk: %v %+v", err, rep)
		}
	}
	walk() // fill the cache
	b.SetBytes(bytesIn)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		walk()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// BenchmarkSplitRecords splits one page of 100 generated records.
func BenchmarkSplitRecords(b *testing.B) {
	recs := cswtest.Generate(100)
	var page bytes.Buffer
	page.WriteString(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="100" numberOfRecordsReturned="100" nextRecord="0">`)
	for _, r := range recs {
		page.Write(r)
	}
	page.WriteString(`</csw:SearchResults></csw:GetRecordsResponse>`)
	doc := page.Bytes()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := csw.SplitRecords(bytes.NewReader(doc), func([]byte) error { n++; return nil }); err != nil || n != 100 {
			b.Fatalf("split: %v, %d records", err, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/record")
}

func TestWalkEmptyAndEnvelopeWithoutResults(t *testing.T) {
	w := walkServer(t, nil, cswtest.Options{}, client.Endpoint{}, client.Options{})
	require.NoError(t, w.err)
	assert.True(t, w.rep.Complete)
	assert.Equal(t, 0, w.rep.Matched)
	assert.Contains(t, w.notes(), "no record")

	// the count works, every results page is a GetRecordByIdResponse
	byID := []byte(`<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><r/></csw:GetRecordByIdResponse>`)
	hits := []byte(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="2" numberOfRecordsReturned="0" nextRecord="1"/></csw:GetRecordsResponse>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`resultType="hits"`)) {
			_, _ = w.Write(hits)
			return
		}
		_, _ = w.Write(byID)
	}))
	defer srv.Close()
	rep, err := testClient(client.Options{}).Walk(context.Background(), client.Endpoint{URL: srv.URL, PageSize: 2}, nil)
	require.NoError(t, err)
	assert.False(t, rep.Complete)
	assert.Equal(t, 2, rep.Matched)
	assert.Equal(t, 0, rep.Fetched)
	require.Len(t, rep.PageErrors, 1)
	assert.Contains(t, rep.PageErrors[0].Reason, "without csw:SearchResults")
	assert.Equal(t, []int{1, 2}, []int{rep.RecordErrors[0].Position, rep.RecordErrors[1].Position})
}

// TestWalkSystematicFailure: a server failing every results request the
// same way is detected after a few pages instead of being split down to
// one request per record; failures confined to some records are still
// isolated.
func TestWalkSystematicFailure(t *testing.T) {
	from := func(kind cswtest.FaultKind, first, last int) []cswtest.Fault { // every request covering first..last
		var fs []cswtest.Fault
		for p := first; p <= last; p++ {
			fs = append(fs, cswtest.Fault{Kind: kind, Position: p})
		}
		return fs
	}
	tests := []struct {
		name         string
		n, pageSize  int
		faults       []cswtest.Fault
		maxRequests  int   // capabilities and hits included
		fetched      int   // positions delivered
		recordErrors []int // nil: none
		kind         string
		systematic   bool
	}{
		{name: "exception on every page", n: 1000, pageSize: 10, faults: []cswtest.Fault{{Kind: cswtest.FaultException}},
			maxRequests: 2 + 3*3, kind: "exception report NoApplicableCode", systematic: true},
		{name: "html on every page", n: 30, pageSize: 10, faults: []cswtest.Fault{{Kind: cswtest.FaultHTML}},
			maxRequests: 2 + 3*3, kind: "HTML answer", systematic: true},
		{name: "500 on every page", n: 300, pageSize: 10, faults: []cswtest.Fault{{Kind: cswtest.FaultStatus500}},
			maxRequests: (2 + 3*3) * 4, kind: "HTTP 500", systematic: true}, // 1 try + 3 retries each
		{name: "two pages only, both failing", n: 20, pageSize: 10, faults: []cswtest.Fault{{Kind: cswtest.FaultException}},
			maxRequests: 2 + 2*3, kind: "exception report NoApplicableCode", systematic: true},
		{name: "server breaks mid-walk", n: 50, pageSize: 5, faults: from(cswtest.FaultException, 21, 50),
			maxRequests: 2 + 4 + 3*3, fetched: 20, kind: "exception report NoApplicableCode", systematic: true},
		{name: "bad records in both halves of a page", n: 30, pageSize: 10,
			faults:      []cswtest.Fault{{Kind: cswtest.FaultInvalidChar, Position: 1}, {Kind: cswtest.FaultInvalidChar, Position: 6}},
			maxRequests: 40, fetched: 28, recordErrors: []int{1, 6}},
		{name: "bad records in both halves of consecutive pages", n: 40, pageSize: 10,
			faults: []cswtest.Fault{{Kind: cswtest.FaultInvalidChar, Position: 1}, {Kind: cswtest.FaultInvalidChar, Position: 6},
				{Kind: cswtest.FaultInvalidChar, Position: 11}, {Kind: cswtest.FaultInvalidChar, Position: 16}},
			maxRequests: 60, fetched: 36, recordErrors: []int{1, 6, 11, 16}},
		{name: "one page of one catalog fails wholly", n: 10, pageSize: 10, faults: []cswtest.Fault{{Kind: cswtest.FaultException}},
			maxRequests: 2 + 2*10, recordErrors: seq(1, 10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := walkServer(t, cswtest.Generate(tc.n), cswtest.Options{Faults: tc.faults}, client.Endpoint{PageSize: tc.pageSize}, client.Options{})
			require.NoError(t, w.err)
			rep := w.rep
			assert.False(t, rep.Complete)
			assert.Equal(t, tc.n, rep.Matched)
			assert.Equal(t, tc.fetched, rep.Fetched)
			assert.LessOrEqual(t, rep.Requests, tc.maxRequests, "requests:\n%s", strings.Join(w.log, "\n"))
			assert.Equal(t, tc.recordErrors, w.recordErrorPositions(), "record errors %+v", rep.RecordErrors)
			got := w.positions()
			slices.Sort(got)
			assert.Len(t, slices.Compact(slices.Clone(got)), len(got), "each position once")
			if tc.fetched > 0 && tc.recordErrors == nil {
				assert.Equal(t, seq(1, tc.fetched), got)
			}
			if tc.recordErrors != nil {
				assert.ElementsMatch(t, without(seq(1, tc.n), tc.recordErrors...), got)
			}
			if !tc.systematic {
				assert.NotContains(t, w.notes(), "systematically")
				return
			}
			require.NotEmpty(t, rep.PageErrors)
			last := rep.PageErrors[len(rep.PageErrors)-1]
			assert.Contains(t, w.notes(), "fails systematically")
			assert.Contains(t, w.notes(), tc.kind)
			if tc.n > tc.fetched+3*tc.pageSize {
				assert.Contains(t, last.Reason, "not requested")
				assert.Equal(t, tc.fetched+3*tc.pageSize+1, last.Start)
				assert.Equal(t, tc.n, last.Start+last.Size-1)
			}
			for _, pe := range rep.PageErrors {
				assert.Contains(t, pe.Reason, tc.kind)
			}
		})
	}
}

// TestWalkRedirects: a 301 turns the POST into a body-less GET, which is
// reported as such (not as a POST refusal); a 307 keeps POST; the next
// walk requests the configured URL again.
func TestWalkRedirects(t *testing.T) {
	for _, tc := range []struct {
		redirect string
		note     string // substring of the notes
		method   string // of the GetRecords results requests
	}{
		{redirect: "once", note: "redirected (HTTP 301) to %s/moved, which turns it into a GET without its XML body: using KVP GET", method: "GET"},
		{redirect: "temporary", method: "POST"},
	} {
		t.Run(tc.redirect, func(t *testing.T) {
			h := cswtest.NewHandler(cswtest.Generate(12), cswtest.Options{Redirect: tc.redirect})
			var mu sync.Mutex
			var paths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				paths = append(paths, r.Method+" "+r.URL.Path)
				mu.Unlock()
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			c := testClient(client.Options{})
			for run := range 2 {
				mu.Lock()
				paths = nil
				mu.Unlock()
				rep, err := c.Walk(context.Background(), client.Endpoint{URL: srv.URL + "/csw", PageSize: 5}, nil)
				require.NoError(t, err)
				assert.True(t, rep.Complete)
				assert.Equal(t, 12, rep.Fetched)
				notes := strings.Join(rep.Notes, "\n")
				assert.NotContains(t, notes, "refused")
				assert.Contains(t, notes, "redirected: "+srv.URL+"/moved answers for "+srv.URL+"/csw")
				if tc.note != "" {
					assert.Contains(t, notes, fmt.Sprintf(tc.note, srv.URL))
				}
				assert.Equal(t, srv.URL+"/moved", rep.FinalURL)
				mu.Lock()
				assert.Equal(t, "GET /csw", paths[0], "run %d starts at the configured URL", run)
				mu.Unlock()
			}
			var results []string
			for _, l := range h.Log() {
				if strings.Contains(l, "GetRecords results") {
					results = append(results, strings.Fields(l)[0])
				}
			}
			require.NotEmpty(t, results)
			assert.Equal(t, tc.method, results[len(results)-1])
		})
	}
}
