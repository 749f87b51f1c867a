package cache

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Open opens the store a target names:
//
//   - a "redis://", "rediss://" or "unix://" URL opens a RedisStore (its
//     query parameter "prefix", if any, is the key prefix and is removed
//     before the URL reaches redis.ParseURL);
//   - a "file://" URL or any target without "://" is the embedded store's
//     directory, created if missing;
//   - another scheme is an error wrapping ErrInvalid.
func Open(ctx context.Context, target string) (Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if target == "" {
		return nil, fmt.Errorf("open store: empty target: %w", ErrInvalid)
	}
	scheme, _, isURL := strings.Cut(target, "://")
	if !isURL {
		return OpenBolt(target)
	}
	u, err := url.Parse(target)
	if err != nil {
		// Never echo the URL: it may hold a password.
		return nil, fmt.Errorf("open store: bad %s URL: %w", truncate(scheme), ErrInvalid)
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" || (u.Host != "" && u.Host != "localhost") {
			return nil, fmt.Errorf("open store: file URL needs an absolute local path: %w", ErrInvalid)
		}
		return OpenBolt(u.Path)
	case "redis", "rediss", "unix":
		q := u.Query()
		prefix := q.Get("prefix")
		q.Del("prefix")
		u.RawQuery = q.Encode()
		return OpenRedis(ctx, u.String(), prefix)
	default:
		return nil, fmt.Errorf("open store: unknown scheme %q (want redis, rediss, unix, file or a directory): %w", truncate(u.Scheme), ErrInvalid)
	}
}
