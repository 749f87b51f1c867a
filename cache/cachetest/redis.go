package cachetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
)

// RedisPrefix returns a key prefix on the Redis at rawURL that no other test
// uses, whose keys are deleted (SCAN + DEL, never FLUSH) when the test
// ends. Stores opened with OpenRedisPrefix on it share their data, as
// replicas of one deployment do.
func RedisPrefix(tb testing.TB, rawURL string) string {
	tb.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "passerelle-test:" + hex.EncodeToString(b[:]) + ":"
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
		if len(keys) > 0 {
			_ = rdb.Del(ctx, keys...).Err()
		}
	})
	return prefix
}

// OpenRedisPrefix opens a store on the Redis at rawURL under prefix (see
// RedisPrefix), closed when the test ends.
func OpenRedisPrefix(tb testing.TB, rawURL, prefix string) *cache.RedisStore {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cache.OpenRedis(ctx, rawURL, prefix)
	require.NoError(tb, err, "Redis must answer at %s (make test starts one)", rawURL)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
