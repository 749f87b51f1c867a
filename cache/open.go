package cache

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Open opens the store a target names: a "redis://" or "rediss://" URL
// opens a RedisStore (its query parameter "prefix", if any, is the key
// prefix and is removed before the URL reaches redis.ParseURL); anything
// else is the embedded store's directory, created if missing.
func Open(ctx context.Context, target string) (Store, error) {
	lower := strings.ToLower(target)
	if !strings.HasPrefix(lower, "redis://") && !strings.HasPrefix(lower, "rediss://") {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		if target == "" {
			return nil, fmt.Errorf("open store: empty target: %w", ErrInvalid)
		}
		return OpenBolt(target)
	}
	u, err := url.Parse(target)
	if err != nil {
		// Never echo the URL: it may hold a password.
		return nil, fmt.Errorf("open store: bad redis URL: %w", ErrInvalid)
	}
	q := u.Query()
	prefix := q.Get("prefix")
	q.Del("prefix")
	u.RawQuery = q.Encode()
	return OpenRedis(ctx, u.String(), prefix)
}
