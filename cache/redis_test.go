package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/cache/cachetest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// testPrefix returns a key prefix no other test uses; it holds no glob
// character, so "prefix*" matches only its keys.
func testPrefix(tb testing.TB) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "passerelle-test:" + hex.EncodeToString(b[:]) + ":"
}

// cleanupPrefix deletes the keys under prefix (SCAN + DEL, never FLUSH) and
// fails the test if any is left.
func cleanupPrefix(tb testing.TB, rawURL, prefix string) {
	tb.Helper()
	opts, err := redis.ParseURL(rawURL)
	require.NoError(tb, err)
	rdb := redis.NewClient(opts)
	tb.Cleanup(func() {
		defer rdb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan %s*: %v", prefix, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			if err := rdb.Del(ctx, keys[:n]...).Err(); err != nil {
				tb.Errorf("delete %s*: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
}

func openRedis(tb testing.TB) *cache.RedisStore {
	tb.Helper()
	rawURL := testenv.RedisURL(tb)
	prefix := testPrefix(tb)
	cleanupPrefix(tb, rawURL, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cache.OpenRedis(ctx, rawURL, prefix)
	require.NoError(tb, err, "Redis must answer at %s (make test starts one)", rawURL)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestRedis(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store { return openRedis(t) })
}

func BenchmarkRedis(b *testing.B) {
	cachetest.Benchmark(b, func(b *testing.B) cache.Store { return openRedis(b) })
}

// keys lists the keys under the store's prefix.
func keys(t *testing.T, s *cache.RedisStore) []string {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := context.Background()
	var out []string
	iter := rdb.Scan(ctx, 0, s.Prefix()+"*", 1000).Iterator()
	for iter.Next(ctx) {
		out = append(out, strings.TrimPrefix(iter.Val(), s.Prefix()))
	}
	require.NoError(t, iter.Err())
	return out
}

func TestRedisKeyLayout(t *testing.T) {
	s := openRedis(t)
	ctx := context.Background()
	recs := []cache.StoredRecord{cachetest.Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "a:b", recs))
	for gen := int64(1); gen <= 4; gen++ {
		require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "a:b", Generation: gen * 10,
			Entries: []cache.Entry{{ID: "x", Hash: recs[0].Hash}}}))
	}
	require.NoError(t, s.AddReport(ctx, "a:b", []byte("{}")))
	require.NoError(t, s.Set(ctx, "k{1}", []byte("v"), 0))
	// Only the current and the previous manifests are kept.
	assert.ElementsMatch(t, []string{
		"r:{a%3Ab}:" + recs[0].Hash,
		"h:{a%3Ab}",
		"g:{a%3Ab}",
		"p:{a%3Ab}",
		"m:{a%3Ab}:40",
		"m:{a%3Ab}:30",
		"l:{a%3Ab}",
		"k:k%7B1%7D",
	}, keys(t, s))

	n, err := s.Prune(ctx, "a:b", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NotContains(t, keys(t, s), "r:{a%3Ab}:"+recs[0].Hash)
	assert.NotContains(t, keys(t, s), "h:{a%3Ab}", "an empty set disappears")
}

func TestRedisTTLIsReal(t *testing.T) {
	s := openRedis(t)
	ctx := context.Background()
	require.NoError(t, s.Set(ctx, "k", []byte("v"), time.Minute))
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	require.NoError(t, s.Set(ctx, "h", []byte("v"), time.Hour))
	require.NoError(t, s.Set(ctx, "forever", []byte("v"), 0))
	// Orderings only, no clock window: a TTL set to a minute is positive and
	// at most a minute, one set to an hour is longer than that, 0 means
	// none (PTTL -1).
	ttl, err := rdb.PTTL(ctx, s.Prefix()+"k:k").Result()
	require.NoError(t, err)
	assert.Positive(t, ttl)
	assert.LessOrEqual(t, ttl, time.Minute)
	hour, err := rdb.PTTL(ctx, s.Prefix()+"k:h").Result()
	require.NoError(t, err)
	assert.Greater(t, hour, time.Minute)
	assert.LessOrEqual(t, hour, time.Hour)
	none, err := rdb.PTTL(ctx, s.Prefix()+"k:forever").Result()
	require.NoError(t, err)
	assert.Equal(t, time.Duration(-1), none)
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/new/dir"
	s, err := cache.Open(ctx, dir)
	require.NoError(t, err)
	assert.IsType(t, &cache.BoltStore{}, s)
	require.NoError(t, s.Close())

	fileDir := t.TempDir() + "/from url"
	s, err = cache.Open(ctx, (&url.URL{Scheme: "file", Path: fileDir}).String())
	require.NoError(t, err)
	assert.Equal(t, fileDir+"/"+cache.BoltFile, s.(*cache.BoltStore).Path())
	require.NoError(t, s.Close())

	for _, bad := range []string{"", "http://example.org/", "file://remote/x", "file://"} {
		_, err = cache.Open(ctx, bad)
		require.ErrorIs(t, err, cache.ErrInvalid, bad)
	}

	rawURL := testenv.RedisURL(t)
	prefix := testPrefix(t)
	cleanupPrefix(t, rawURL, prefix)
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	q := u.Query()
	q.Set("prefix", prefix)
	u.RawQuery = q.Encode()
	s, err = cache.Open(ctx, u.String())
	require.NoError(t, err)
	defer s.Close()
	rs, ok := s.(*cache.RedisStore)
	require.True(t, ok, "redis URL opens a RedisStore, got %T", s)
	assert.Equal(t, prefix, rs.Prefix())

	s2, err := cache.Open(ctx, rawURL)
	require.NoError(t, err)
	assert.Equal(t, cache.DefaultRedisPrefix, s2.(*cache.RedisStore).Prefix())
	require.NoError(t, s2.Close())
}

func TestOpenRedisFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name, url, want string
		class           error
	}{
		{"bad url", "redis://:secret@[::1", "URL", cache.ErrInvalid},
		{"refused", "redis://:secret@127.0.0.1:1/0", "ping", cache.ErrUnavailable},
		{"bad option", "redis://:secret@127.0.0.1:6379/0?no_such_option=1", "parse", cache.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cache.Open(ctx, tc.url)
			require.ErrorIs(t, err, tc.class)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "secret", "the password leaked into the error")
		})
	}
}

func TestRedisCorruptManifest(t *testing.T) {
	s := openRedis(t)
	ctx := context.Background()
	recs := []cache.StoredRecord{cachetest.Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "cat", Generation: 1,
		Entries: []cache.Entry{{ID: "x", Hash: recs[0].Hash}}}))
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	require.NoError(t, rdb.Set(ctx, s.Prefix()+"m:{cat}:1", "\x09garbage", 0).Err())
	require.NoError(t, rdb.HSet(ctx, s.Prefix()+"r:{cat}:"+recs[0].Hash, "first_stored", "yesterday").Err())

	_, err = s.Snapshot(ctx, "cat")
	require.ErrorIs(t, err, cache.ErrCorrupt)
	_, err = s.Records(ctx, "cat", []string{recs[0].Hash})
	require.ErrorIs(t, err, cache.ErrCorrupt)
	gen, err := s.Generation(ctx, "cat")
	require.NoError(t, err)
	// A harvester can still move on.
	require.NoError(t, s.PutRecords(ctx, "cat", []cache.StoredRecord{cachetest.Rec("b")}))
	require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: "cat", Generation: gen + 1,
		Entries: []cache.Entry{{ID: "y", Hash: cachetest.Rec("b").Hash}}}))
	snap, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(2), snap.Generation)
}

func TestRedisMissingManifest(t *testing.T) {
	s := openRedis(t)
	ctx := context.Background()
	recs := []cache.StoredRecord{cachetest.Rec("a")}
	require.NoError(t, s.PutRecords(ctx, "cat", recs))
	snap := &cache.Snapshot{Catalog: "cat", Generation: 1, Entries: []cache.Entry{{ID: "x", Hash: recs[0].Hash}}}
	require.NoError(t, s.Commit(ctx, snap))
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	require.NoError(t, rdb.Del(ctx, s.Prefix()+"m:{cat}:1").Err())

	_, err = s.Snapshot(ctx, "cat")
	require.ErrorIs(t, err, cache.ErrCorrupt)
	snap.Generation = 2
	require.NoError(t, s.Commit(ctx, snap), "a harvester can move on")
	got, err := s.Snapshot(ctx, "cat")
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Generation)
}
