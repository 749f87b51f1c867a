package cache

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// BoltFile is the database file OpenBolt creates in its directory.
const BoltFile = "passerelle.db"

// boltLockTimeout bounds the wait for the file lock another process holds.
const boltLockTimeout = time.Second

// ErrLocked is returned (wrapped) by OpenBolt when another process (or
// another BoltStore of this one) holds the database.
var ErrLocked = errors.New("store is locked by another process")

// Bucket layout (bolt keys are arbitrary bytes, so catalog names, hashes
// and keys are used as they are):
//
//	catalogs/<catalog>/records/<hash>  encodeRecordRef (or, written before it, encodeRecord)
//	catalogs/<catalog>/blobs/<seq>     encodeRecord (seq: 8-byte big endian, append-only)
//	catalogs/<catalog>/reports/<seq>   report JSON (seq: 8-byte big endian)
//	catalogs/<catalog>: snapshot       encodeSnapshot
//	catalogs/<catalog>: generation     8-byte big endian
//	kv/<key>                           8-byte expiry (Unix ns, 0 = none) + value
var (
	bucketCatalogs = []byte("catalogs")
	bucketKV       = []byte("kv")
	bucketRecords  = []byte("records")
	bucketBlobs    = []byte("blobs")
	bucketReports  = []byte("reports")
	keySnapshot    = []byte("snapshot")
	keyGeneration  = []byte("generation")
)

// BoltStore is the embedded Store: one bbolt file, whose single-writer
// transactions make Commit atomic and readers consistent.
type BoltStore struct {
	db        *bolt.DB
	closeOnce sync.Once
	closeErr  error
	now       func() time.Time
	leases    localLeases
}

var _ Store = (*BoltStore)(nil)

// OpenBolt opens (creating if needed) dir/passerelle.db. It fails after
// about a second, with an error wrapping ErrLocked, when the file is held
// by another process.
func OpenBolt(dir string) (*BoltStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open bolt store: create directory: %w", err)
	}
	path := filepath.Join(dir, BoltFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      boltLockTimeout,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open bolt store %s: still locked after %s: %w", path, boltLockTimeout, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	s := &BoltStore{db: db, now: time.Now}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketCatalogs, bucketKV} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		_, err := sweepExpired(tx, s.now())
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open bolt store %s: initialise: %w", path, err)
	}
	return s, nil
}

// Path returns the database file.
func (s *BoltStore) Path() string { return s.db.Path() }

// Close closes the database; later calls return the first call's result.
func (s *BoltStore) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close bolt store: %w", err)
		}
	})
	return s.closeErr
}

// view and update run bbolt transactions; a closed store's error also
// wraps ErrUnavailable.
func (s *BoltStore) view(fn func(*bolt.Tx) error) error { return boltErr(s.db.View(fn)) }

func (s *BoltStore) update(fn func(*bolt.Tx) error) error { return boltErr(s.db.Update(fn)) }

func boltErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// catalogBucket returns the catalog's bucket, nil if it does not exist
// (read transactions) or creates it (write transactions).
func catalogBucket(tx *bolt.Tx, catalog string) (*bolt.Bucket, error) {
	root := tx.Bucket(bucketCatalogs)
	if root == nil {
		return nil, fmt.Errorf("%w: bucket %q missing", ErrCorrupt, bucketCatalogs)
	}
	if !tx.Writable() {
		return root.Bucket([]byte(catalog)), nil
	}
	return root.CreateBucketIfNotExists([]byte(catalog))
}

// subBucket returns a bucket of the catalog, nil if it does not exist in a
// read transaction.
func subBucket(tx *bolt.Tx, catalog string, name []byte) (*bolt.Bucket, error) {
	cb, err := catalogBucket(tx, catalog)
	if err != nil || cb == nil {
		return nil, err
	}
	if !tx.Writable() {
		return cb.Bucket(name), nil
	}
	return cb.CreateBucketIfNotExists(name)
}

// PutRecords stores records; a hash already stored keeps its FirstStored,
// a zero FirstStored on a new hash becomes now.
func (s *BoltStore) PutRecords(ctx context.Context, catalog string, recs []StoredRecord) error {
	if err := precheck(ctx, "put records", catalog, func() error { return checkRecords(recs) }); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	now := s.now()
	err := s.update(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, catalog, bucketRecords)
		if err != nil {
			return err
		}
		// The records' bytes are appended to a bucket keyed by sequence;
		// the hash bucket keeps a small reference. Keyed by hash, large
		// values land in random leaves, and bbolt rewrites a leaf with its
		// neighbours' values on each insert: a harvest touched (and
		// rewrote) nearly the whole file.
		blobs, err := subBucket(tx, catalog, bucketBlobs)
		if err != nil {
			return err
		}
		blobs.FillPercent = 1 // appends only
		// Put in key order: bbolt inserts into a node's sorted slice and
		// splits nodes only at commit, so random order is quadratic for
		// large batches (20 s for 100 000 records, measured).
		order := make([]int, len(recs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(recs[a].Hash, recs[b].Hash) })
		for n, i := range order {
			if n%256 == 255 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec := recs[i]
			key := []byte(rec.Hash)
			// An unreadable old value is replaced, not kept forever.
			old := b.Get(key)
			if seq, first, ok, err := decodeRecordRef(old); ok && err == nil {
				rec.FirstStored = first
				if err := blobs.Delete(blobKey(seq)); err != nil {
					return fmt.Errorf("record %q: %w", truncate(rec.Hash), err)
				}
			} else if first, err := recordFirstStored(old); err == nil {
				rec.FirstStored = first
			} else if rec.FirstStored.IsZero() {
				rec.FirstStored = now
			}
			seq, err := blobs.NextSequence()
			if err != nil {
				return fmt.Errorf("record %q: %w", truncate(rec.Hash), err)
			}
			if err := blobs.Put(blobKey(seq), encodeRecord(&rec)); err != nil {
				return fmt.Errorf("record %q: %w", truncate(rec.Hash), err)
			}
			if err := b.Put(key, encodeRecordRef(seq, rec.FirstStored)); err != nil {
				return fmt.Errorf("record %q: %w", truncate(rec.Hash), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put records of %q: %w", catalog, err)
	}
	return nil
}

// Records returns the records with these hashes, in order.
func (s *BoltStore) Records(ctx context.Context, catalog string, hashes []string) ([]StoredRecord, error) {
	return readRecords(s, ctx, catalog, hashes, decodeRecord)
}

// readRecords decodes the stored bytes of each of hashes, in order, from
// one read transaction: Records and ParsedRecords differ only in decode.
func readRecords[T any](s *BoltStore, ctx context.Context, catalog string, hashes []string, decode func(hash string, v []byte) (T, error)) ([]T, error) {
	if err := precheck(ctx, "read records", catalog, func() error { return checkHashes(hashes) }); err != nil {
		return nil, err
	}
	out := make([]T, len(hashes))
	err := s.view(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, catalog, bucketRecords)
		if err != nil {
			return err
		}
		blobs, err := subBucket(tx, catalog, bucketBlobs)
		if err != nil {
			return err
		}
		for i, h := range hashes {
			v, err := recordBytes(b, blobs, h)
			if err != nil {
				return err
			}
			if out[i], err = decode(h, v); err != nil {
				return fmt.Errorf("record %q: %w", truncate(h), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read records of %q: %w", catalog, err)
	}
	return out, nil
}

// blobKey is a blob bucket key.
func blobKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// recordBytes returns the encoded record of hash: through its reference
// into the blob bucket, or inline (written before references).
func recordBytes(b, blobs *bolt.Bucket, hash string) ([]byte, error) {
	var v []byte
	if b != nil {
		v = b.Get([]byte(hash))
	}
	if v == nil {
		return nil, fmt.Errorf("record %q: %w", truncate(hash), ErrNotFound)
	}
	seq, _, ok, err := decodeRecordRef(v)
	if err != nil {
		return nil, fmt.Errorf("record %q: %w", truncate(hash), err)
	}
	if !ok {
		return v, nil
	}
	var blob []byte
	if blobs != nil {
		blob = blobs.Get(blobKey(seq))
	}
	if blob == nil {
		return nil, fmt.Errorf("record %q: %w: its bytes are missing", truncate(hash), ErrCorrupt)
	}
	return blob, nil
}

// ParsedRecords returns the parsed models of these records, in order,
// reading past the raw bytes without touching them.
func (s *BoltStore) ParsedRecords(ctx context.Context, catalog string, hashes []string) ([][]byte, error) {
	return readRecords(s, ctx, catalog, hashes, func(_ string, v []byte) ([]byte, error) { return recordParsed(v) })
}

// HasRecords reports which hashes are stored.
func (s *BoltStore) HasRecords(ctx context.Context, catalog string, hashes []string) ([]bool, error) {
	if err := precheck(ctx, "look up records", catalog, func() error { return checkHashes(hashes) }); err != nil {
		return nil, err
	}
	out := make([]bool, len(hashes))
	err := s.view(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, catalog, bucketRecords)
		if err != nil || b == nil {
			return err
		}
		for i, h := range hashes {
			out[i] = b.Get([]byte(h)) != nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up records of %q: %w", catalog, err)
	}
	return out, nil
}

// Prune deletes the catalog's records whose hash is not in keep.
func (s *BoltStore) Prune(ctx context.Context, catalog string, keep map[string]bool) (int, error) {
	if err := precheck(ctx, "prune records", catalog); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		root := tx.Bucket(bucketCatalogs)
		if root == nil || root.Bucket([]byte(catalog)) == nil || root.Bucket([]byte(catalog)).Bucket(bucketRecords) == nil {
			return nil
		}
		b := root.Bucket([]byte(catalog)).Bucket(bucketRecords)
		// Collect first: deleting under a moving cursor can skip keys.
		var drop [][]byte
		err := b.ForEach(func(k, _ []byte) error {
			if !keep[string(k)] {
				drop = append(drop, bytes.Clone(k))
				if len(drop)%1024 == 0 {
					return ctx.Err()
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		blobs := root.Bucket([]byte(catalog)).Bucket(bucketBlobs)
		for _, k := range drop {
			if seq, _, ok, _ := decodeRecordRef(b.Get(k)); ok && blobs != nil {
				if err := blobs.Delete(blobKey(seq)); err != nil {
					return err
				}
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune records of %q: %w", catalog, err)
	}
	return n, nil
}

// Commit makes snap current if its generation is above the current one and
// every record it names is stored, in one transaction.
func (s *BoltStore) Commit(ctx context.Context, snap *Snapshot) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	if err := checkSnapshot(snap); err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	val := encodeSnapshot(snap)
	err := s.update(func(tx *bolt.Tx) error {
		cb, err := catalogBucket(tx, snap.Catalog)
		if err != nil {
			return err
		}
		cur, err := bucketGeneration(cb)
		if err != nil {
			return err
		}
		if snap.Generation <= cur {
			return fmt.Errorf("generation %d, current %d: %w", snap.Generation, cur, ErrStaleGeneration)
		}
		recs := cb.Bucket(bucketRecords)
		for i := range snap.Entries {
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			en := &snap.Entries[i]
			if recs == nil || recs.Get([]byte(en.Hash)) == nil {
				return fmt.Errorf("entry %q names record %q, which is not stored: %w", truncate(en.ID), truncate(en.Hash), ErrInvalid)
			}
		}
		if err := cb.Put(keySnapshot, val); err != nil {
			return err
		}
		return cb.Put(keyGeneration, int64Key(snap.Generation))
	})
	if err != nil {
		return fmt.Errorf("commit snapshot %d of %q: %w", snap.Generation, snap.Catalog, err)
	}
	return nil
}

func bucketGeneration(cb *bolt.Bucket) (int64, error) {
	if cb == nil {
		return 0, nil
	}
	v := cb.Get(keyGeneration)
	if v == nil {
		return 0, nil
	}
	return keyInt64(v)
}

// Snapshot returns the catalog's current snapshot.
func (s *BoltStore) Snapshot(ctx context.Context, catalog string) (*Snapshot, error) {
	if err := precheck(ctx, "read snapshot", catalog); err != nil {
		return nil, err
	}
	var snap *Snapshot
	err := s.view(func(tx *bolt.Tx) error {
		cb, err := catalogBucket(tx, catalog)
		if err != nil {
			return err
		}
		var v []byte
		if cb != nil {
			v = cb.Get(keySnapshot)
		}
		if v == nil {
			return ErrNotFound
		}
		// v lives in the memory map only during the transaction; the
		// decoder copies every string out of it.
		snap, err = decodeSnapshot(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read snapshot of %q: %w", catalog, err)
	}
	return snap, nil
}

// Generation returns the current generation, 0 if none.
func (s *BoltStore) Generation(ctx context.Context, catalog string) (int64, error) {
	if err := precheck(ctx, "read generation", catalog); err != nil {
		return 0, err
	}
	var gen int64
	err := s.view(func(tx *bolt.Tx) error {
		cb, err := catalogBucket(tx, catalog)
		if err != nil {
			return err
		}
		gen, err = bucketGeneration(cb)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read generation of %q: %w", catalog, err)
	}
	return gen, nil
}

// AddReport appends a report and drops all but the newest MaxReports.
func (s *BoltStore) AddReport(ctx context.Context, catalog string, report []byte) error {
	if err := precheck(ctx, "add report", catalog); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, catalog, bucketReports)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(int64Key(int64(seq)), bytes.Clone(report)); err != nil {
			return err
		}
		var drop [][]byte
		c := b.Cursor()
		n := 0
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			n++
			if n > MaxReports {
				drop = append(drop, bytes.Clone(k))
			}
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add report of %q: %w", catalog, err)
	}
	return nil
}

// Reports returns the catalog's reports, newest first (none: empty, no error).
func (s *BoltStore) Reports(ctx context.Context, catalog string) ([][]byte, error) {
	if err := precheck(ctx, "read reports", catalog); err != nil {
		return nil, err
	}
	var out [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		b, err := subBucket(tx, catalog, bucketReports)
		if err != nil || b == nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < MaxReports; k, v = c.Prev() {
			out = append(out, bytes.Clone(v))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read reports of %q: %w", catalog, err)
	}
	return out, nil
}

// Get returns the value of key; an expired key is a miss.
func (s *BoltStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("get %q: %w", truncate(key), err)
	}
	if err := checkKey(key); err != nil {
		return nil, false, fmt.Errorf("get: %w", err)
	}
	var val []byte
	var ok bool
	now := s.now()
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if b == nil {
			return fmt.Errorf("%w: bucket %q missing", ErrCorrupt, bucketKV)
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		if len(v) < 8 {
			return fmt.Errorf("%w: value of %d bytes", ErrCorrupt, len(v))
		}
		if exp := int64(binary.BigEndian.Uint64(v)); exp != 0 && now.UnixNano() >= exp {
			return nil
		}
		val, ok = bytes.Clone(v[8:]), true
		if val == nil {
			val = []byte{}
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("get %q: %w", truncate(key), err)
	}
	return val, ok, nil
}

// Set stores val under key; ttl 0 means no expiry.
func (s *BoltStore) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.SetMany(ctx, map[string][]byte{key: val}, ttl)
}

// GetMany returns the values of keys, in order, nil for a miss, from one
// read transaction.
func (s *BoltStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %d keys: %w", len(keys), err)
	}
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("get: %w", err)
		}
	}
	out := make([][]byte, len(keys))
	now := s.now()
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if b == nil {
			return fmt.Errorf("%w: bucket %q missing", ErrCorrupt, bucketKV)
		}
		for i, k := range keys {
			v := b.Get([]byte(k))
			if v == nil {
				continue
			}
			if len(v) < 8 {
				return fmt.Errorf("%w: value of %d bytes", ErrCorrupt, len(v))
			}
			if exp := int64(binary.BigEndian.Uint64(v)); exp != 0 && now.UnixNano() >= exp {
				continue
			}
			out[i] = append([]byte{}, v[8:]...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get %d keys: %w", len(keys), err)
	}
	return out, nil
}

// SetMany stores several keys in one transaction (one disk sync).
func (s *BoltStore) SetMany(ctx context.Context, kv map[string][]byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set: %w", err)
	}
	if ttl < 0 {
		return fmt.Errorf("set: negative ttl %s: %w", ttl, ErrInvalid)
	}
	keys := make([]string, 0, len(kv))
	for key := range kv {
		if err := checkKey(key); err != nil {
			return fmt.Errorf("set: %w", err)
		}
		keys = append(keys, key)
	}
	sort.Strings(keys) // bolt inserts in key order fastest
	var exp int64
	if ttl > 0 {
		exp = s.now().Add(ttl).UnixNano()
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if b == nil {
			return fmt.Errorf("%w: bucket %q missing", ErrCorrupt, bucketKV)
		}
		for _, key := range keys {
			val := kv[key]
			v := make([]byte, 8, 8+len(val))
			binary.BigEndian.PutUint64(v, uint64(exp))
			v = append(v, val...)
			if err := b.Put([]byte(key), v); err != nil {
				return fmt.Errorf("%q: %w", truncate(key), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set %d keys: %w", len(kv), err)
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *BoltStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", truncate(key), err)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if b == nil {
			return fmt.Errorf("%w: bucket %q missing", ErrCorrupt, bucketKV)
		}
		return b.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("delete %q: %w", truncate(key), err)
	}
	return nil
}

// Sweep deletes expired keys and returns how many. OpenBolt sweeps once;
// a long-running process may call it periodically.
func (s *BoltStore) Sweep(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sweep expired keys: %w", err)
	}
	var n int
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		n, err = sweepExpired(tx, s.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sweep expired keys: %w", err)
	}
	return n, nil
}

func sweepExpired(tx *bolt.Tx, now time.Time) (int, error) {
	b := tx.Bucket(bucketKV)
	if b == nil {
		return 0, nil
	}
	var drop [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if len(v) >= 8 {
			if exp := int64(binary.BigEndian.Uint64(v)); exp != 0 && now.UnixNano() >= exp {
				drop = append(drop, bytes.Clone(k))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(drop), nil
}
