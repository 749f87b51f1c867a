package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

func leaseToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Redis leases: SET NX PX with a random token; extend and release only
// when the token still matches (a Lua script, atomic).
var (
	redisExtend  = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`)
	redisRelease = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`)
)

const kindLease keyKind = "x" // string: a lease's holder token

// Lease takes a lease shared by every process using this Redis prefix.
func (s *RedisStore) Lease(ctx context.Context, name string, ttl time.Duration) (Lease, bool, error) {
	if err := checkKey(name); err != nil {
		return nil, false, fmt.Errorf("lease: %w", err)
	}
	if ttl < time.Millisecond {
		return nil, false, fmt.Errorf("lease %q: ttl %s too short: %w", name, ttl, ErrInvalid)
	}
	key := s.key(kindLease, name)
	token := leaseToken()
	ok, err := s.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("lease %q: %w", name, unavailable(err))
	}
	if !ok {
		return nil, false, nil
	}
	return &redisLease{s: s, key: key, token: token, name: name}, true, nil
}

type redisLease struct {
	s          *RedisStore
	key, token string
	name       string
}

func (l *redisLease) Extend(ctx context.Context, ttl time.Duration) error {
	n, err := redisExtend.Run(ctx, l.s.rdb, []string{l.key}, l.token, ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("extend lease %q: %w", l.name, unavailable(err))
	}
	if n == 0 {
		return fmt.Errorf("extend lease %q: %w", l.name, ErrLeaseLost)
	}
	return nil
}

func (l *redisLease) Release(ctx context.Context) error {
	if err := redisRelease.Run(ctx, l.s.rdb, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("release lease %q: %w", l.name, unavailable(err))
	}
	return nil
}

// Bolt leases live in the process: the database file is opened by one
// process at a time, so in-process exclusion is exclusion.
type localLeases struct {
	mu   sync.Mutex
	held map[string]localHold
}

type localHold struct {
	token   string
	expires time.Time
}

// Lease takes a lease held in this process (see localLeases).
func (s *BoltStore) Lease(ctx context.Context, name string, ttl time.Duration) (Lease, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("lease %q: %w", name, err)
	}
	if err := checkKey(name); err != nil {
		return nil, false, fmt.Errorf("lease: %w", err)
	}
	if ttl < time.Millisecond {
		return nil, false, fmt.Errorf("lease %q: ttl %s too short: %w", name, ttl, ErrInvalid)
	}
	l := &s.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]localHold{}
	}
	now := s.now()
	if h, ok := l.held[name]; ok && now.Before(h.expires) {
		return nil, false, nil
	}
	token := leaseToken()
	l.held[name] = localHold{token: token, expires: now.Add(ttl)}
	return &localLease{s: s, name: name, token: token}, true, nil
}

type localLease struct {
	s           *BoltStore
	name, token string
}

func (l *localLease) Extend(_ context.Context, ttl time.Duration) error {
	ls := &l.s.leases
	ls.mu.Lock()
	defer ls.mu.Unlock()
	h, ok := ls.held[l.name]
	if !ok || h.token != l.token {
		return fmt.Errorf("extend lease %q: %w", l.name, ErrLeaseLost)
	}
	ls.held[l.name] = localHold{token: l.token, expires: l.s.now().Add(ttl)}
	return nil
}

func (l *localLease) Release(context.Context) error {
	ls := &l.s.leases
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if h, ok := ls.held[l.name]; ok && h.token == l.token {
		delete(ls.held, l.name)
	}
	return nil
}
