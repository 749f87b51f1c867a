package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func blobRec(body string) StoredRecord {
	sum := sha256.Sum256([]byte(body))
	return StoredRecord{Hash: hex.EncodeToString(sum[:]), Raw: []byte(body), Parsed: []byte(`{"t":"` + body + `"}`)}
}

// TestBoltRecordsAppendToBlobs: records' bytes go to the catalog's
// append-only blob bucket (sequential keys) and the hash bucket holds small
// references; records stored inline by earlier versions stay readable,
// keep their FirstStored when stored again, and are pruned.
func TestBoltRecordsAppendToBlobs(t *testing.T) {
	s, err := OpenBolt(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()

	// A record written inline, as before references.
	old := blobRec("old")
	old.FirstStored = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, "cat", bucketRecords)
		if err != nil {
			return err
		}
		return b.Put([]byte(old.Hash), encodeRecord(&old))
	}))

	recs := []StoredRecord{blobRec("a"), blobRec("b"), blobRec("c")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	var refs, blobs int
	var lastSeq uint64
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketCatalogs).Bucket([]byte("cat"))
		sorted := slices.Clone(recs) // a batch is stored in hash order
		slices.SortFunc(sorted, func(a, b StoredRecord) int { return strings.Compare(a.Hash, b.Hash) })
		for _, r := range sorted {
			seq, _, ok, err := decodeRecordRef(cb.Bucket(bucketRecords).Get([]byte(r.Hash)))
			require.NoError(t, err)
			require.True(t, ok, "a reference, not the record")
			assert.Greater(t, seq, lastSeq, "appended in order")
			lastSeq = seq
			refs++
		}
		return cb.Bucket(bucketBlobs).ForEach(func(_, v []byte) error { blobs++; return nil })
	}))
	assert.Equal(t, 3, refs)
	assert.Equal(t, 3, blobs)

	all := append([]StoredRecord{old}, recs...)
	got, err := s.Records(ctx, "cat", hashesOf(all))
	require.NoError(t, err)
	for i, r := range all {
		assert.Equal(t, r.Raw, got[i].Raw)
		assert.Equal(t, r.Parsed, got[i].Parsed)
	}
	assert.True(t, got[0].FirstStored.Equal(old.FirstStored), "the inline record's FirstStored")
	parsed, err := s.ParsedRecords(ctx, "cat", hashesOf(all))
	require.NoError(t, err)
	assert.Equal(t, old.Parsed, parsed[0])

	// Stored again: the old inline record becomes a reference, keeping
	// its FirstStored; a referenced one gets a new blob, the old removed.
	again := old
	again.FirstStored = time.Time{}
	require.NoError(t, s.PutRecords(ctx, "cat", []StoredRecord{again, recs[0]}))
	got, err = s.Records(ctx, "cat", []string{old.Hash, recs[0].Hash})
	require.NoError(t, err)
	assert.True(t, got[0].FirstStored.Equal(old.FirstStored))
	assert.Equal(t, recs[0].Raw, got[1].Raw)

	n, err := s.Prune(ctx, "cat", map[string]bool{recs[1].Hash: true})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	blobs = 0
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCatalogs).Bucket([]byte("cat")).Bucket(bucketBlobs).ForEach(func(_, v []byte) error { blobs++; return nil })
	}))
	assert.Equal(t, 1, blobs, "pruned records' blobs are deleted")
}

func hashesOf(recs []StoredRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Hash
	}
	return out
}
