package cache_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/cache/cachetest"
)

func openBolt(tb testing.TB) cache.Store {
	tb.Helper()
	s, err := cache.OpenBolt(tb.TempDir())
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestBolt(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store { return openBolt(t) })
}

func BenchmarkBolt(b *testing.B) {
	cachetest.Benchmark(b, func(b *testing.B) cache.Store { return openBolt(b) })
}

func TestBoltLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := cache.OpenBolt(dir)
	require.NoError(t, err)
	defer s.Close()

	// Returning at all is the point: the open gives up (ErrLocked) instead
	// of waiting for the holder.
	_, err = cache.OpenBolt(dir)
	require.ErrorIs(t, err, cache.ErrLocked)
	assert.Contains(t, err.Error(), filepath.Join(dir, cache.BoltFile))

	require.NoError(t, s.Close())
	again, err := cache.OpenBolt(dir)
	require.NoError(t, err, "open after the holder closed")
	require.NoError(t, again.Close())
}

func TestBoltPersists(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := cache.OpenBolt(dir)
	require.NoError(t, err)
	recs := []cache.StoredRecord{cachetest.Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "cat", Generation: 3,
		Entries: []cache.Entry{{ID: "a", Hash: recs[0].Hash}}}))
	require.NoError(t, s.AddReport(ctx, "cat", []byte(`{}`)))
	require.NoError(t, s.Set(ctx, "kept", []byte("v"), 0))
	require.NoError(t, s.Set(ctx, "expiring", []byte("v"), time.Millisecond))
	require.NoError(t, s.Close())
	time.Sleep(5 * time.Millisecond)

	s, err = cache.OpenBolt(dir)
	require.NoError(t, err)
	defer s.Close()
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(3), gen)
	got, err := s.Records(ctx, "cat", []string{recs[0].Hash})
	require.NoError(t, err)
	assert.Equal(t, recs[0].Raw, got[0].Raw)
	reps, err := s.Reports(ctx, "cat")
	require.NoError(t, err)
	assert.Len(t, reps, 1)
	_, ok, err := s.Get(ctx, "kept")
	require.NoError(t, err)
	assert.True(t, ok)
	// OpenBolt swept the expired key: a later sweep finds nothing.
	n, err := s.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestBoltSweep(t *testing.T) {
	ctx := context.Background()
	s, err := cache.OpenBolt(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set(ctx, "a", []byte("v"), time.Millisecond))
	require.NoError(t, s.Set(ctx, "b", []byte("v"), time.Millisecond))
	require.NoError(t, s.Set(ctx, "c", []byte("v"), time.Hour))
	require.NoError(t, s.Set(ctx, "d", []byte("v"), 0))
	time.Sleep(5 * time.Millisecond)
	n, err := s.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestOpenBoltNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	_, err := cache.OpenBolt(file)
	require.Error(t, err)
	_, err = cache.OpenBolt(filepath.Join(file, "sub"))
	require.Error(t, err)
}

// TestBoltLockedByOtherProcess runs this test binary again as a process
// holding the store, then opens the store here.
func TestBoltLockedByOtherProcess(t *testing.T) {
	if dir := os.Getenv("PASSERELLE_TEST_HOLD_BOLT"); dir != "" {
		s, err := cache.OpenBolt(dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
		_ = s.Close()
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBoltLockedByOtherProcess$")
	cmd.Env = append(os.Environ(), "PASSERELLE_TEST_HOLD_BOLT="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	_, err = cache.OpenBolt(dir)
	require.ErrorIs(t, err, cache.ErrLocked)

	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	s, err := cache.OpenBolt(dir)
	require.NoError(t, err, "open after the other process exited")
	require.NoError(t, s.Close())
}

func TestBoltCorruptManifest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := cache.OpenBolt(dir)
	require.NoError(t, err)
	recs := []cache.StoredRecord{cachetest.Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "cat", Generation: 1,
		Entries: []cache.Entry{{ID: "x", Hash: recs[0].Hash}}}))
	require.NoError(t, s.Close())

	db, err := bolt.Open(filepath.Join(dir, cache.BoltFile), 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		cb := tx.Bucket([]byte("catalogs")).Bucket([]byte("cat"))
		if err := cb.Put([]byte("snapshot"), []byte("\x09garbage")); err != nil {
			return err
		}
		return cb.Bucket([]byte("records")).Put([]byte(recs[0].Hash), []byte{2, 200})
	}))
	require.NoError(t, db.Close())

	s, err = cache.OpenBolt(dir)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Snapshot(ctx, "cat")
	require.ErrorIs(t, err, cache.ErrCorrupt)
	_, err = s.Records(ctx, "cat", []string{recs[0].Hash})
	require.ErrorIs(t, err, cache.ErrCorrupt)
	// Storing the record again repairs it.
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	got, err := s.Records(ctx, "cat", []string{recs[0].Hash})
	require.NoError(t, err)
	assert.Equal(t, recs[0].Raw, got[0].Raw)
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{cachetest.Rec("b")}))
	require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "cat", Generation: gen + 1,
		Entries: []cache.Entry{{ID: "y", Hash: cachetest.Rec("b").Hash}}}))
	snap, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(2), snap.Generation)
}
