package cachetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/passerelle/passerelle/cache"
)

// Benchmark measures a store: Commit then Snapshot of a 5 000-entry
// manifest (and of a 100 000-entry one unless -short), and PutRecords of
// 50 records of 36 KB. open returns a new, empty store and arranges its
// cleanup.
func Benchmark(b *testing.B, open func(b *testing.B) cache.Store) {
	b.Run("CommitSnapshot5000", func(b *testing.B) { benchCommitSnapshot(b, open(b), 5000) })
	if !testing.Short() {
		b.Run("CommitSnapshot100000", func(b *testing.B) { benchCommitSnapshot(b, open(b), 100_000) })
	}
	b.Run("PutRecords50x36KB", func(b *testing.B) { benchPutRecords(b, open(b), 50, 36<<10) })
}

func benchCommitSnapshot(b *testing.B, s cache.Store, n int) {
	ctx := context.Background()
	recs := make([]cache.StoredRecord, n)
	for i := range recs {
		recs[i] = Rec(fmt.Sprintf("record %d", i))
	}
	if err := s.PutRecords(ctx, "bench", recs); err != nil {
		b.Fatal(err)
	}
	snap := snapshotOf("bench", 1, recs)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		snap.Generation = int64(i + 1)
		if err := s.Commit(ctx, snap); err != nil {
			b.Fatal(err)
		}
		got, err := s.Snapshot(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Entries) != n {
			b.Fatalf("snapshot of %d entries, want %d", len(got.Entries), n)
		}
	}
}

func benchPutRecords(b *testing.B, s cache.Store, n, size int) {
	ctx := context.Background()
	raw := make([]byte, n*size)
	if _, err := rand.Read(raw); err != nil {
		b.Fatal(err)
	}
	batch := make([]cache.StoredRecord, n)
	b.ReportAllocs()
	b.SetBytes(int64(n * size))
	for i := 0; b.Loop(); i++ {
		// New hashes every time, as a harvest of changed records; prune
		// now and then (untimed) so the store does not grow without end.
		if i%20 == 19 {
			b.StopTimer()
			if _, err := s.Prune(ctx, "bench", nil); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		for j := range batch {
			body := raw[j*size : (j+1)*size]
			sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", i, j))
			batch[j] = cache.StoredRecord{Hash: hex.EncodeToString(sum[:]), Raw: body, Parsed: body[:size/4]}
		}
		if err := s.PutRecords(ctx, "bench", batch); err != nil {
			b.Fatal(err)
		}
	}
}
