package cachetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange its cleanup (t.Cleanup); the suite closes stores
// itself too, and Close must tolerate a second call.
func Run(t *testing.T, open func(t *testing.T) cache.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) cache.Store)
	}{
		{"Records", testRecords},
		{"FirstStoredKept", testFirstStoredKept},
		{"Prune", testPrune},
		{"LargeRecord", testLargeRecord},
		{"Commit", testCommit},
		{"CommitRefused", testCommitRefused},
		{"LargeGenerations", testLargeGenerations},
		{"CatalogsIsolated", testCatalogsIsolated},
		{"ConcurrentReaders", testConcurrentReaders},
		{"Reports", testReports},
		{"KeyValue", testKeyValue},
		{"TTL", testTTL},
		{"OddNames", testOddNames},
		{"Invalid", testInvalid},
		{"Canceled", testCanceled},
		{"Lease", testLease},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// Rec returns a record whose Raw is body and Hash its sha256.
func Rec(body string) cache.StoredRecord {
	sum := sha256.Sum256([]byte(body))
	return cache.StoredRecord{
		Hash:   hex.EncodeToString(sum[:]),
		Raw:    []byte(body),
		Parsed: []byte(`{"title":` + fmt.Sprintf("%q", body) + `}`),
	}
}

func hashesOf(recs []cache.StoredRecord) []string {
	out := make([]string, len(recs))
	for i := range recs {
		out[i] = recs[i].Hash
	}
	return out
}

// snapshotOf builds a snapshot naming recs, entries sorted by ID.
func snapshotOf(catalog string, gen int64, recs []cache.StoredRecord) *cache.Snapshot {
	snap := &cache.Snapshot{
		Catalog:    catalog,
		Generation: gen,
		Created:    time.Date(2026, 11, 30, 8, 0, 0, 123456789, time.UTC).Add(time.Duration(gen) * time.Second),
		Status:     fmt.Sprintf("ok n=%d gen=%d", len(recs), gen),
		Producers:  map[string]string{"ign": "IGN", "dreal-bretagne": "DREAL Bretagne"},
	}
	for i := range recs {
		snap.Entries = append(snap.Entries, cache.Entry{
			ID:          fmt.Sprintf("g%d-id%06d", gen, i),
			Hash:        recs[i].Hash,
			FirstStored: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
			DateStamp:   "2024-06-01",
			Type:        "dataset",
			Producers:   []string{"ign", "dreal-bretagne"},
			Identifier:  fmt.Sprintf("https://example.org/%d/%d", gen, i),
		})
	}
	return snap
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func testRecords(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	recs := []cache.StoredRecord{Rec("a"), Rec("b"), Rec("c")}
	recs[2].Parsed, recs[2].ParseError = nil, "no MD_Metadata root"
	has, err := s.HasRecords(ctx, "cat", hashesOf(recs))
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false, false}, has)
	_, err = s.Records(ctx, "cat", hashesOf(recs[:1]))
	require.ErrorIs(t, err, cache.ErrNotFound)

	before := time.Now()
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	after := time.Now()
	require.NoError(t, s.PutRecords(ctx, "cat", nil))

	order := []string{recs[2].Hash, recs[0].Hash, recs[2].Hash, recs[1].Hash}
	got, err := s.Records(ctx, "cat", order)
	require.NoError(t, err)
	require.Len(t, got, len(order))
	got0 := got
	for i, h := range order {
		var want cache.StoredRecord
		for _, r := range recs {
			if r.Hash == h {
				want = r
			}
		}
		assert.Equal(t, want.Hash, got[i].Hash, "record %d", i)
		assert.Equal(t, want.Raw, got[i].Raw, "record %d", i)
		assert.Equal(t, want.Parsed, got[i].Parsed, "record %d", i)
		assert.Equal(t, want.ParseError, got[i].ParseError, "record %d", i)
		// A zero FirstStored becomes the time of storing: between the
		// clock readings taken around PutRecords (wall clock, as stored).
		assert.False(t, got[i].FirstStored.Before(before.Round(0)), "record %d first stored %s, before %s", i, got[i].FirstStored, before)
		assert.False(t, got[i].FirstStored.After(after.Round(0)), "record %d first stored %s, after %s", i, got[i].FirstStored, after)
	}

	got, err = s.Records(ctx, "cat", nil)
	require.NoError(t, err)
	assert.Empty(t, got)

	missing := Rec("missing").Hash
	_, err = s.Records(ctx, "cat", []string{recs[0].Hash, missing})
	require.ErrorIs(t, err, cache.ErrNotFound)
	assert.Contains(t, err.Error(), missing[:16])

	// ParsedRecords: the models only, in order, nil without one.
	parsed, err := s.ParsedRecords(ctx, "cat", order)
	require.NoError(t, err)
	require.Len(t, parsed, len(order))
	for i := range order {
		assert.Equal(t, got0[i].Parsed, parsed[i], "parsed %d", i)
	}
	assert.Nil(t, parsed[0], "a record stored without a model")
	_, err = s.ParsedRecords(ctx, "cat", []string{recs[0].Hash, missing})
	require.ErrorIs(t, err, cache.ErrNotFound)
	assert.Contains(t, err.Error(), missing[:16])
	_, err = s.ParsedRecords(ctx, "nocat", []string{recs[0].Hash})
	require.ErrorIs(t, err, cache.ErrNotFound)

	has, err = s.HasRecords(ctx, "cat", []string{missing, recs[1].Hash, recs[0].Hash})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true, true}, has)
	has, err = s.HasRecords(ctx, "cat", nil)
	require.NoError(t, err)
	assert.Empty(t, has)
}

func testFirstStoredKept(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	first := time.Date(2020, 5, 6, 7, 8, 9, 10, time.UTC)
	r := Rec("x")
	r.FirstStored = first
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{r}))

	again := r
	again.FirstStored = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	again.Parsed = []byte(`{"reparsed":true}`)
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{again}))
	zero := r
	zero.FirstStored = time.Time{}
	zero.Parsed = []byte(`{"reparsed":2}`)
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{zero}))

	got, err := s.Records(ctx, "cat", []string{r.Hash})
	require.NoError(t, err)
	assert.True(t, got[0].FirstStored.Equal(first), "first stored %s, want %s", got[0].FirstStored, first)
	assert.Equal(t, `{"reparsed":2}`, string(got[0].Parsed), "other fields are replaced")

	// The same hash in another catalog has its own FirstStored.
	other := r
	other.FirstStored = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.PutRecords(ctx, "other", []cache.StoredRecord{other}))
	got, err = s.Records(ctx, "other", []string{r.Hash})
	require.NoError(t, err)
	assert.True(t, got[0].FirstStored.Equal(other.FirstStored), "first stored %s", got[0].FirstStored)
}

func testPrune(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	var recs []cache.StoredRecord
	for i := range 2500 {
		recs = append(recs, Rec(fmt.Sprintf("record %d", i)))
	}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	require.NoError(t, s.PutRecords(ctx, "neighbour", recs[:10]))

	keep := map[string]bool{Rec("never stored").Hash: true}
	for i := 0; i < len(recs); i += 3 {
		keep[recs[i].Hash] = true
	}
	n, err := s.Prune(ctx, "cat", keep)
	require.NoError(t, err)
	assert.Equal(t, len(recs)-(len(recs)+2)/3, n)

	has, err := s.HasRecords(ctx, "cat", hashesOf(recs))
	require.NoError(t, err)
	for i, ok := range has {
		assert.Equal(t, i%3 == 0, ok, "record %d", i)
	}
	_, err = s.Records(ctx, "cat", []string{recs[1].Hash})
	require.ErrorIs(t, err, cache.ErrNotFound)
	got, err := s.Records(ctx, "cat", []string{recs[3].Hash})
	require.NoError(t, err)
	assert.Equal(t, recs[3].Raw, got[0].Raw)

	// Other catalogs are untouched.
	has, err = s.HasRecords(ctx, "neighbour", hashesOf(recs[:10]))
	require.NoError(t, err)
	assert.Equal(t, []bool{true, true, true, true, true, true, true, true, true, true}, has)

	n, err = s.Prune(ctx, "cat", keep)
	require.NoError(t, err)
	assert.Zero(t, n, "second prune")
	n, err = s.Prune(ctx, "cat", nil)
	require.NoError(t, err)
	assert.Equal(t, (len(recs)+2)/3, n, "prune everything")
	n, err = s.Prune(ctx, "never-seen", nil)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testLargeRecord(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	raw := bytes.Repeat([]byte("<gmd:abstract>é\x00\xff</gmd:abstract>"), 200_000) // ~7 MB, not UTF-8
	r := cache.StoredRecord{Hash: "big", Raw: raw, ParseError: strings.Repeat("e", 70_000)}
	empty := cache.StoredRecord{Hash: "empty"}
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{r, empty}))
	got, err := s.Records(ctx, "cat", []string{"big", "empty"})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(raw, got[0].Raw), "large raw round trip")
	assert.Equal(t, r.ParseError, got[0].ParseError)
	assert.Empty(t, got[0].Parsed)
	assert.Empty(t, got[1].Raw)
	assert.Equal(t, "empty", got[1].Hash)
}

// normalized returns snap as a store gives it back: UTC times, empty
// collections nil.
func normalized(snap *cache.Snapshot) *cache.Snapshot {
	c := *snap
	c.Created = c.Created.UTC()
	if len(c.Producers) == 0 {
		c.Producers = nil
	}
	if len(c.Entries) == 0 {
		c.Entries = nil
	} else {
		c.Entries = append([]cache.Entry(nil), snap.Entries...)
	}
	for i := range c.Entries {
		en := &c.Entries[i]
		en.FirstStored = en.FirstStored.UTC()
		if len(en.Producers) == 0 {
			en.Producers = nil
		}
	}
	return &c
}

func testCommit(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	_, err := s.Snapshot(ctx, "cat")
	require.ErrorIs(t, err, cache.ErrNotFound)
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Zero(t, gen)

	recs := []cache.StoredRecord{Rec("a"), Rec("b"), Rec("c")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	snap := snapshotOf("cat", 1, recs)
	snap.Entries[1].Producers = nil
	snap.Entries[2].FirstStored = time.Time{}
	snap.Entries[2].DateStamp, snap.Entries[2].Type, snap.Entries[2].Identifier = "", "", ""
	snap.Entries[0].FirstStored = time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	require.NoError(t, s.Commit(ctx, snap))

	got, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, normalized(snap), got)
	gen, err = s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(1), gen)

	// Two entries may share a record; an empty snapshot is allowed.
	snap2 := snapshotOf("cat", 7, []cache.StoredRecord{recs[0], recs[0]})
	require.NoError(t, s.Commit(ctx, snap2))
	got, err = s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, normalized(snap2), got)
	empty := &cache.Snapshot{Catalog: "cat", Generation: 8, Status: "partial"}
	require.NoError(t, s.Commit(ctx, empty))
	got, err = s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, normalized(empty), got)
	gen, err = s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(8), gen)

	// The returned snapshot is the caller's: changing it changes nothing.
	got.Status = "changed"
	again, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, "partial", again.Status)
}

func testCommitRefused(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	recs := []cache.StoredRecord{Rec("a"), Rec("b")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	require.NoError(t, s.Commit(ctx, snapshotOf("cat", 5, recs)))

	unsorted := snapshotOf("cat", 9, recs)
	unsorted.Entries[0], unsorted.Entries[1] = unsorted.Entries[1], unsorted.Entries[0]
	duplicate := snapshotOf("cat", 9, recs)
	duplicate.Entries[1].ID = duplicate.Entries[0].ID
	noHash := snapshotOf("cat", 9, recs)
	noHash.Entries[1].Hash = ""
	tests := []struct {
		name string
		snap *cache.Snapshot
		want error
	}{
		{"same generation", snapshotOf("cat", 5, recs), cache.ErrStaleGeneration},
		{"lower generation", snapshotOf("cat", 4, recs), cache.ErrStaleGeneration},
		{"zero generation", snapshotOf("cat", 0, recs), cache.ErrStaleGeneration},
		{"negative generation", snapshotOf("cat", -3, recs), cache.ErrStaleGeneration},
		{"record not stored", snapshotOf("cat", 9, []cache.StoredRecord{recs[0], Rec("not stored")}), cache.ErrInvalid},
		{"record of another catalog", snapshotOf("other", 1, recs), cache.ErrInvalid},
		{"unsorted", unsorted, cache.ErrInvalid},
		{"duplicate ID", duplicate, cache.ErrInvalid},
		{"no hash", noHash, cache.ErrInvalid},
		{"no catalog", snapshotOf("", 9, recs), cache.ErrInvalid},
		{"nil", nil, cache.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Commit(ctx, tc.snap)
			require.ErrorIs(t, err, tc.want)
			gen, err := s.Generation(ctx, "cat")
			require.NoError(t, err)
			assert.Equal(t, int64(5), gen, "current generation unchanged")
			got, err := s.Snapshot(ctx, "cat")
			require.NoError(t, err)
			assert.Equal(t, normalized(snapshotOf("cat", 5, recs)), got, "current snapshot unchanged")
		})
	}
	_, err := s.Snapshot(ctx, "other")
	require.ErrorIs(t, err, cache.ErrNotFound)
}

func testLargeGenerations(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	recs := []cache.StoredRecord{Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	// Unix-nanosecond generations differ beyond float64 precision.
	base := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC).UnixNano()
	require.NoError(t, s.Commit(ctx, snapshotOf("cat", base, recs)))
	require.NoError(t, s.Commit(ctx, snapshotOf("cat", base+1, recs)))
	require.ErrorIs(t, s.Commit(ctx, snapshotOf("cat", base+1, recs)), cache.ErrStaleGeneration)
	require.ErrorIs(t, s.Commit(ctx, snapshotOf("cat", 99, recs)), cache.ErrStaleGeneration)
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, base+1, gen)
	require.NoError(t, s.Commit(ctx, snapshotOf("cat", 1<<62, recs)))
	got, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(1<<62), got.Generation)
}

func testCatalogsIsolated(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	// Names chosen to collide under naive key joining.
	names := []string{"a", "a:b", "a:b:c", "a%3Ab", "a/b", "a b", "a+b"}
	for i, name := range names {
		recs := []cache.StoredRecord{Rec(name)}
		require.NoError(t, s.PutRecords(ctx, name, recs), name)
		require.NoError(t, s.Commit(ctx, snapshotOf(name, int64(i+1), recs)), name)
		require.NoError(t, s.AddReport(ctx, name, []byte(name)), name)
		require.NoError(t, s.Set(ctx, name, []byte(name), 0), name)
	}
	for i, name := range names {
		gen, err := s.Generation(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, int64(i+1), gen, name)
		snap, err := s.Snapshot(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, name, snap.Catalog)
		reps, err := s.Reports(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte(name)}, reps, name)
		v, ok, err := s.Get(ctx, name)
		require.NoError(t, err)
		assert.True(t, ok, name)
		assert.Equal(t, name, string(v))
		for _, other := range names {
			has, err := s.HasRecords(ctx, name, []string{Rec(other).Hash})
			require.NoError(t, err)
			assert.Equal(t, []bool{other == name}, has, "record of %q seen in %q", other, name)
		}
	}
}

// testConcurrentReaders commits generations while readers load snapshots
// and their records: a reader never sees a half manifest, a manifest
// naming unreadable records, or the generation going back.
func testConcurrentReaders(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	const (
		perGen  = 100
		readers = 3
	)
	generations := 20
	if testing.Short() {
		generations = 6
	}
	recsOf := func(gen int) []cache.StoredRecord {
		out := make([]cache.StoredRecord, perGen)
		for i := range out {
			out[i] = Rec(fmt.Sprintf("gen %d record %d", gen, i))
		}
		return out
	}
	first := recsOf(1)
	require.NoError(t, s.PutRecords(ctx, "cat", first))
	require.NoError(t, s.Commit(ctx, snapshotOf("cat", 1, first)))

	var done atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	for r := range readers {
		wg.Go(func() {
			var last int64
			for !done.Load() {
				snap, err := s.Snapshot(ctx, "cat")
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				if err := checkWhole(snap); err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				if snap.Generation < last {
					errs <- fmt.Errorf("reader %d: generation went from %d to %d", r, last, snap.Generation)
					return
				}
				last = snap.Generation
				hashes := make([]string, len(snap.Entries))
				for i := range snap.Entries {
					hashes[i] = snap.Entries[i].Hash
				}
				recs, err := s.Records(ctx, "cat", hashes)
				if err != nil {
					errs <- fmt.Errorf("reader %d: records of generation %d: %w", r, snap.Generation, err)
					return
				}
				want := fmt.Sprintf("gen %d record ", snap.Generation)
				for i := range recs {
					if !bytes.HasPrefix(recs[i].Raw, []byte(want)) {
						errs <- fmt.Errorf("reader %d: generation %d names record %q", r, snap.Generation, recs[i].Raw)
						return
					}
				}
				if g, err := s.Generation(ctx, "cat"); err != nil || g < last {
					errs <- fmt.Errorf("reader %d: generation %d after reading %d: %v", r, g, last, err)
					return
				}
				reads.Add(1)
			}
		})
	}
	for gen := 2; gen <= generations; gen++ {
		recs := recsOf(gen)
		if err := s.PutRecords(ctx, "cat", recs); err != nil {
			errs <- err
			break
		}
		if err := s.Commit(ctx, snapshotOf("cat", int64(gen), recs)); err != nil {
			errs <- err
			break
		}
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Positive(t, reads.Load(), "readers completed no read")
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(generations), gen)
}

// checkWhole checks a snapshot built by snapshotOf is complete.
func checkWhole(snap *cache.Snapshot) error {
	want := fmt.Sprintf("ok n=%d gen=%d", len(snap.Entries), snap.Generation)
	if snap.Status != want {
		return fmt.Errorf("generation %d: status %q with %d entries: half manifest", snap.Generation, snap.Status, len(snap.Entries))
	}
	prefix := fmt.Sprintf("g%d-", snap.Generation)
	for _, en := range snap.Entries {
		if !strings.HasPrefix(en.ID, prefix) {
			return fmt.Errorf("generation %d holds entry %q: mixed manifest", snap.Generation, en.ID)
		}
	}
	return nil
}

func testReports(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	reps, err := s.Reports(ctx, "cat")
	require.NoError(t, err)
	assert.Empty(t, reps)
	total := cache.MaxReports + 5
	for i := range total {
		require.NoError(t, s.AddReport(ctx, "cat", fmt.Appendf(nil, `{"run":%d}`, i)))
	}
	require.NoError(t, s.AddReport(ctx, "other", []byte(`{"other":true}`)))
	reps, err = s.Reports(ctx, "cat")
	require.NoError(t, err)
	require.Len(t, reps, cache.MaxReports)
	for i, r := range reps {
		assert.JSONEq(t, fmt.Sprintf(`{"run":%d}`, total-1-i), string(r), "report %d", i)
	}
	reps, err = s.Reports(ctx, "other")
	require.NoError(t, err)
	require.Len(t, reps, 1)
	assert.JSONEq(t, `{"other":true}`, string(reps[0]))
}

func testKeyValue(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	v, ok, err := s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Nil(t, v)
	require.NoError(t, s.Delete(ctx, "k"), "deleting a missing key")

	require.NoError(t, s.Set(ctx, "k", []byte("v1"), 0))
	val := []byte("v2\x00\xff")
	require.NoError(t, s.Set(ctx, "k", val, 0))
	val[0] = 'X' // the store keeps its own copy
	v, ok, err = s.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []byte("v2\x00\xff"), v)

	require.NoError(t, s.Set(ctx, "empty", nil, 0))
	v, ok, err = s.Get(ctx, "empty")
	require.NoError(t, err)
	assert.True(t, ok, "an empty value is a hit")
	assert.Empty(t, v)

	many := map[string][]byte{"m/1": []byte("one"), "m/2": []byte("two"), "m/ünï": nil}
	require.NoError(t, s.SetMany(ctx, many, time.Hour))
	for k, want := range many {
		v, ok, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.True(t, ok, k)
		assert.Equal(t, string(want), string(v), k)
	}
	got, err := s.GetMany(ctx, []string{"m/2", "nope", "m/ünï", "m/1", "k"})
	require.NoError(t, err)
	require.Len(t, got, 5)
	assert.Equal(t, []byte("two"), got[0])
	assert.Nil(t, got[1], "a miss is nil")
	assert.NotNil(t, got[2], "an empty value is a hit")
	assert.Empty(t, got[2])
	assert.Equal(t, []byte("one"), got[3])
	assert.Equal(t, []byte("v2\x00\xff"), got[4])
	got, err = s.GetMany(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, s.SetMany(ctx, map[string][]byte{}, 0), "an empty batch")
	assert.Error(t, s.SetMany(ctx, map[string][]byte{"ok": nil, "": []byte("x")}, 0), "an invalid key fails the batch")

	big := bytes.Repeat([]byte{1, 2, 3}, 1<<20)
	require.NoError(t, s.Set(ctx, "big", big, time.Hour))
	v, ok, err = s.Get(ctx, "big")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, bytes.Equal(big, v), "large value round trip")

	require.NoError(t, s.Delete(ctx, "k"))
	_, ok, err = s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok, "deleted")
	_, ok, err = s.Get(ctx, "empty")
	require.NoError(t, err)
	assert.True(t, ok, "other keys survive a delete")
}

func testTTL(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	require.NoError(t, s.Set(ctx, "short", []byte("v"), 300*time.Millisecond))
	require.NoError(t, s.Set(ctx, "long", []byte("v"), time.Hour))
	require.NoError(t, s.Set(ctx, "forever", []byte("v"), 0))
	_, ok, err := s.Get(ctx, "short")
	require.NoError(t, err)
	assert.True(t, ok, "fresh key")
	require.Eventually(t, func() bool {
		_, ok, err := s.Get(ctx, "short")
		return err == nil && !ok
	}, 5*time.Second, 20*time.Millisecond, "key with a 300ms TTL still served")
	for _, k := range []string{"long", "forever"} {
		_, ok, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.True(t, ok, k)
	}
	// Setting again without a TTL makes the key permanent.
	require.NoError(t, s.Set(ctx, "long", []byte("w"), 0))
	require.NoError(t, s.Set(ctx, "long", []byte("x"), 0))
	v, ok, err := s.Get(ctx, "long")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "x", string(v))
	// A new value under an expired key is served.
	require.NoError(t, s.Set(ctx, "short", []byte("again"), 0))
	v, ok, err = s.Get(ctx, "short")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "again", string(v))
}

// OddNames are catalog names, identifiers and keys real catalogs produce
// or a careless join would confuse.
var OddNames = []string{
	`C:\hi\I'm`,
	"https://geo.example.org/csw?service=CSW&request=GetRecordById&id=1#x",
	"urn:uuid:3f1c9a2e-0000-4000-8000-000000000001",
	"a:b:c",
	"{hash-tag}",
	"with space and\ttab\nnewline",
	"ünïcødé 地図",
	"nul\x00byte",
	"not utf-8 \xff\xfe",
	"../../etc/passwd",
	"*?[glob]",
	"%41%3A",
	strings.Repeat("long/", 200),
}

func testOddNames(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	for i, name := range OddNames {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rec := cache.StoredRecord{Hash: name, Raw: []byte(name)}
			require.NoError(t, s.PutRecords(ctx, name, []cache.StoredRecord{rec}))
			got, err := s.Records(ctx, name, []string{name})
			require.NoError(t, err)
			assert.Equal(t, name, got[0].Hash)
			assert.Equal(t, []byte(name), got[0].Raw)
			snap := &cache.Snapshot{Catalog: name, Generation: 1, Status: "ok",
				Entries: []cache.Entry{{ID: name, Hash: name, Identifier: name, Producers: []string{name}}}}
			require.NoError(t, s.Commit(ctx, snap))
			back, err := s.Snapshot(ctx, name)
			require.NoError(t, err)
			assert.Equal(t, normalized(snap), back)
			require.NoError(t, s.AddReport(ctx, name, []byte(name)))
			reps, err := s.Reports(ctx, name)
			require.NoError(t, err)
			assert.Equal(t, [][]byte{[]byte(name)}, reps)
			require.NoError(t, s.Set(ctx, name, []byte(name), 0))
			v, ok, err := s.Get(ctx, name)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, []byte(name), v)
			n, err := s.Prune(ctx, name, nil)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.NoError(t, s.Delete(ctx, name))
			_, ok, err = s.Get(ctx, name)
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
}

func testInvalid(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	long := strings.Repeat("x", 100_000)
	calls := []struct {
		name string
		call func() error
	}{
		{"PutRecords no catalog", func() error { return s.PutRecords(ctx, "", []cache.StoredRecord{Rec("a")}) }},
		{"PutRecords no hash", func() error { return s.PutRecords(ctx, "cat", []cache.StoredRecord{{Raw: []byte("x")}}) }},
		{"PutRecords long catalog", func() error { return s.PutRecords(ctx, long, []cache.StoredRecord{Rec("a")}) }},
		{"Records no catalog", func() error { _, err := s.Records(ctx, "", nil); return err }},
		{"Records no hash", func() error { _, err := s.Records(ctx, "cat", []string{""}); return err }},
		{"HasRecords no catalog", func() error { _, err := s.HasRecords(ctx, "", nil); return err }},
		{"Prune no catalog", func() error { _, err := s.Prune(ctx, "", nil); return err }},
		{"Snapshot no catalog", func() error { _, err := s.Snapshot(ctx, ""); return err }},
		{"Generation no catalog", func() error { _, err := s.Generation(ctx, ""); return err }},
		{"AddReport no catalog", func() error { return s.AddReport(ctx, "", []byte("{}")) }},
		{"Reports no catalog", func() error { _, err := s.Reports(ctx, ""); return err }},
		{"Get no key", func() error { _, _, err := s.Get(ctx, ""); return err }},
		{"Set no key", func() error { return s.Set(ctx, "", []byte("v"), 0) }},
		{"Set long key", func() error { return s.Set(ctx, long, []byte("v"), 0) }},
		{"Set negative ttl", func() error { return s.Set(ctx, "k", []byte("v"), -time.Second) }},
		{"Delete no key", func() error { return s.Delete(ctx, "") }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), cache.ErrInvalid)
		})
	}
	_, ok, err := s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok, "refused Set stored nothing")
}

// calls returns one call of every Store method.
func calls(s cache.Store, ctx context.Context) map[string]func() error {
	recs := []cache.StoredRecord{Rec("a")}
	return map[string]func() error{
		"PutRecords": func() error { return s.PutRecords(ctx, "cat", recs) },
		"Records":    func() error { _, err := s.Records(ctx, "cat", hashesOf(recs)); return err },
		"HasRecords": func() error { _, err := s.HasRecords(ctx, "cat", hashesOf(recs)); return err },
		"Prune":      func() error { _, err := s.Prune(ctx, "cat", nil); return err },
		"Commit":     func() error { return s.Commit(ctx, snapshotOf("cat", 2, recs)) },
		"Snapshot":   func() error { _, err := s.Snapshot(ctx, "cat"); return err },
		"Generation": func() error { _, err := s.Generation(ctx, "cat"); return err },
		"AddReport":  func() error { return s.AddReport(ctx, "cat", []byte("{}")) },
		"Reports":    func() error { _, err := s.Reports(ctx, "cat"); return err },
		"Get":        func() error { _, _, err := s.Get(ctx, "k"); return err },
		"Set":        func() error { return s.Set(ctx, "k", []byte("v"), 0) },
		"Delete":     func() error { return s.Delete(ctx, "k") },
	}
}

func testCanceled(t *testing.T, open func(t *testing.T) cache.Store) {
	s, live := open(t), ctxT(t)
	recs := []cache.StoredRecord{Rec("a")}
	require.NoError(t, s.PutRecords(live, "cat", recs))
	require.NoError(t, s.Commit(live, snapshotOf("cat", 1, recs)))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, call := range calls(s, ctx) {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, call(), context.Canceled)
		})
	}
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	require.ErrorIs(t, s.Set(expired, "k", []byte("v"), 0), context.DeadlineExceeded)

	// Nothing changed.
	gen, err := s.Generation(live, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(1), gen)
	has, err := s.HasRecords(live, "cat", hashesOf(recs))
	require.NoError(t, err)
	assert.Equal(t, []bool{true}, has, "a canceled Prune deleted records")
	_, ok, err := s.Get(live, "k")
	require.NoError(t, err)
	assert.False(t, ok, "a canceled Set stored a value")
}

func testClose(t *testing.T, open func(t *testing.T) cache.Store) {
	s, ctx := open(t), ctxT(t)
	require.NoError(t, s.Set(ctx, "k", []byte("v"), 0))
	require.NoError(t, s.Close())
	assert.NotPanics(t, func() { _ = s.Close() }, "second Close")
	for name, call := range calls(s, ctx) {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			require.ErrorIs(t, err, cache.ErrUnavailable, "call after Close")
			assert.False(t, errors.Is(err, cache.ErrNotFound), "after Close: %v", err)
		})
	}
}

// testLease: one holder at a time; release frees it; extend keeps it; an
// expired lease can be taken again and its old holder cannot extend it.
func testLease(t *testing.T, open func(t *testing.T) cache.Store) {
	s := open(t)
	ctx := context.Background()
	a, ok, err := s.Lease(ctx, "harvest:x", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = s.Lease(ctx, "harvest:x", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "held by a")
	other, ok, err := s.Lease(ctx, "harvest:y", time.Minute)
	require.NoError(t, err)
	assert.True(t, ok, "leases are per name")
	require.NoError(t, other.Release(ctx))
	require.NoError(t, a.Extend(ctx, time.Minute))
	require.NoError(t, a.Release(ctx))
	require.NoError(t, a.Release(ctx), "releasing twice is harmless")
	b, ok, err := s.Lease(ctx, "harvest:x", 50*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok, "released: free again")
	time.Sleep(120 * time.Millisecond)
	c, ok, err := s.Lease(ctx, "harvest:x", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "expired: free again")
	assert.ErrorIs(t, b.Extend(ctx, time.Minute), cache.ErrLeaseLost)
	require.NoError(t, b.Release(ctx), "a lost lease releases without touching the new holder")
	_, ok, err = s.Lease(ctx, "harvest:x", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "c still holds it")
	require.NoError(t, c.Release(ctx))
	_, _, err = s.Lease(ctx, "", time.Minute)
	assert.Error(t, err)
}
