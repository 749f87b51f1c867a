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
//   - "redis+cluster://HOST:PORT?addr=HOST:PORT&addr=…" (or rediss+cluster)
//     opens a RedisStore on a Redis Cluster through these seed nodes;
//   - "redis+sentinel://HOST:PORT?addr=HOST:PORT&master=NAME" (or
//     rediss+sentinel) opens a RedisStore on the primary the Sentinels name;
//     other query parameters are those of redis:// URLs;
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
	case "redis", "rediss", "unix", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel":
		q := u.Query()
		prefix := q.Get("prefix")
		q.Del("prefix")
		base, mode, _ := strings.Cut(u.Scheme, "+")
		u.Scheme = base
		if mode == "sentinel" && q.Has("master") {
			q.Set("master_name", q.Get("master"))
			q.Del("master")
		}
		u.RawQuery = q.Encode()
		switch mode {
		case "cluster":
			return OpenRedisCluster(ctx, u.String(), prefix)
		case "sentinel":
			return OpenRedisSentinel(ctx, u.String(), prefix)
		}
		return OpenRedis(ctx, u.String(), prefix)
	default:
		return nil, fmt.Errorf("open store: unknown scheme %q (want redis, rediss, redis+cluster, redis+sentinel, unix, file or a directory): %w", truncate(u.Scheme), ErrInvalid)
	}
}
