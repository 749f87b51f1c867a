package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix is the key prefix OpenRedis uses when given none.
const DefaultRedisPrefix = "passerelle:"

// Batch sizes: how many records, hashes or keys one pipeline carries.
const (
	redisRecordBatch = 256
	redisHashBatch   = 10000
	redisScanCount   = 1000
)

// snapshotReadTries bounds Snapshot's retries when two commits happen
// between reading the pointer and the manifest it names.
const snapshotReadTries = 5

// Record hash fields.
const (
	fieldRaw    = "raw"
	fieldParsed = "parsed"
	fieldError  = "parse_error"
	fieldFirst  = "first_stored"
)

// RedisStore is the Store for shared deployments (go-redis v9): one server,
// a Redis Cluster or a Sentinel-managed primary (redis.UniversalClient).
// Every key lives under its prefix; see (*RedisStore).key for the layout.
type RedisStore struct {
	rdb       redis.UniversalClient
	prefix    string
	now       func() time.Time
	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*RedisStore)(nil)

// keyKind names one kind of key in the layout.
type keyKind string

const (
	kindRecord   keyKind = "r" // hash: raw, parsed, parse_error, first_stored
	kindHashes   keyKind = "h" // set: the catalog's record hashes (for Prune)
	kindCurrent  keyKind = "g" // string: current generation, decimal
	kindPrevious keyKind = "p" // string: previous generation, decimal
	kindManifest keyKind = "m" // string: encodeSnapshot of one generation
	kindReports  keyKind = "l" // list: reports, newest first
	kindValue    keyKind = "k" // string: Get/Set/Delete values
)

// key is the one place defining the key layout:
//
//	<prefix>r:{<catalog>}:<hash>        a record
//	<prefix>h:{<catalog>}               the catalog's record hashes
//	<prefix>g:{<catalog>}               current generation
//	<prefix>p:{<catalog>}               previous generation
//	<prefix>m:{<catalog>}:<generation>  a manifest
//	<prefix>l:{<catalog>}               reports
//	<prefix>k:<key>                     a plain value
//	<prefix>x:<name>                    a lease
//
// Each part is query-escaped, so it holds no ':' (nor '{', '}', spaces or
// control bytes) and distinct parts give distinct keys. The catalog part of
// per-catalog keys is a hash tag: on a Redis Cluster every key of a catalog
// sits in one slot, so a record batch is one MULTI and the snapshot switch
// stays one script. The commit script appends a generation to
// key(kindManifest, catalog, "").
func (s *RedisStore) key(kind keyKind, parts ...string) string {
	n := len(s.prefix) + len(kind)
	for _, p := range parts {
		n += 3 + len(p)
	}
	b := make([]byte, 0, n+8)
	b = append(b, s.prefix...)
	b = append(b, kind...)
	for i, p := range parts {
		b = append(b, ':')
		tag := i == 0 && kind != kindValue && kind != kindLease
		if tag {
			b = append(b, '{')
		}
		b = append(b, url.QueryEscape(p)...)
		if tag {
			b = append(b, '}')
		}
	}
	return string(b)
}

// unavailable classifies an error of the Redis client: a context error or
// an error reply of the server stays as it is, anything else (network,
// pool timeout, closed client) also wraps ErrUnavailable.
func unavailable(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrInvalid) {
		return err
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// dialerRetries replaces go-redis's default of 5 dials, 100 ms apart, for
// each of a command's 4 attempts: with the server down every call would
// take ~2 s. One dial per attempt fails a call in well under a second, so
// requests answer 503 (or the snapshot already loaded) promptly, and the
// command retries (MaxRetries, with backoff) still ride out a blip.
const dialerRetries = 1

// OpenRedis connects to the Redis server at rawURL (redis:// or rediss://,
// see redis.ParseURL) and pings it. Keys go under prefix, DefaultRedisPrefix
// if empty.
func OpenRedis(ctx context.Context, rawURL, prefix string) (*RedisStore, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, fmt.Errorf("open redis store: parse URL: %w", ErrInvalid)
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = dialerRetries
	}
	return openUniversal(ctx, redis.NewClient(opts), fmt.Sprintf("%s db %d", opts.Addr, opts.DB), prefix)
}

// OpenRedisCluster connects to a Redis Cluster through its seed nodes:
// rawURL is redis:// or rediss://HOST:PORT with more seeds as addr=HOST:PORT
// query parameters (see redis.ParseClusterURL), and pings it.
func OpenRedisCluster(ctx context.Context, rawURL, prefix string) (*RedisStore, error) {
	opts, err := redis.ParseClusterURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open redis cluster store: parse URL: %w", ErrInvalid)
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = dialerRetries
	}
	return openUniversal(ctx, redis.NewClusterClient(opts), fmt.Sprintf("cluster %v", opts.Addrs), prefix)
}

// OpenRedisSentinel connects to the primary that Sentinels name: rawURL is
// redis:// or rediss://SENTINEL:PORT[/DB] with more Sentinels as addr= and
// the primary's name as master_name= (see redis.ParseFailoverURL); the
// primary's credentials are username= and password=, the URL's user info is
// the Sentinels'.
func OpenRedisSentinel(ctx context.Context, rawURL, prefix string) (*RedisStore, error) {
	opts, err := redis.ParseFailoverURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open redis sentinel store: parse URL: %w", ErrInvalid)
	}
	if opts.MasterName == "" {
		return nil, fmt.Errorf("open redis sentinel store: the URL names no primary (master=NAME): %w", ErrInvalid)
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = dialerRetries
	}
	return openUniversal(ctx, redis.NewFailoverClient(opts), fmt.Sprintf("sentinel %v primary %q db %d", opts.SentinelAddrs, opts.MasterName, opts.DB), prefix)
}

func openUniversal(ctx context.Context, rdb redis.UniversalClient, where, prefix string) (*RedisStore, error) {
	if prefix == "" {
		prefix = DefaultRedisPrefix
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("open redis store at %s: ping: %w", where, unavailable(err))
	}
	return &RedisStore{rdb: rdb, prefix: prefix, now: time.Now}, nil
}

// Prefix returns the key prefix.
func (s *RedisStore) Prefix() string { return s.prefix }

// Close closes the connection pool; later calls return the first call's
// result.
func (s *RedisStore) Close() error {
	s.closeOnce.Do(func() {
		if err := s.rdb.Close(); err != nil {
			s.closeErr = fmt.Errorf("close redis store: %w", err)
		}
	})
	return s.closeErr
}

// PutRecords stores records; a hash already stored keeps its FirstStored,
// a zero FirstStored on a new hash becomes now.
func (s *RedisStore) PutRecords(ctx context.Context, catalog string, recs []StoredRecord) error {
	if err := precheck(ctx, "put records", catalog, func() error { return checkRecords(recs) }); err != nil {
		return err
	}
	now := s.now()
	set := s.key(kindHashes, catalog)
	for start := 0; start < len(recs); start += redisRecordBatch {
		batch := recs[start:min(start+redisRecordBatch, len(recs))]
		_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			members := make([]any, len(batch))
			for i := range batch {
				rec := &batch[i]
				first := rec.FirstStored
				if first.IsZero() {
					first = now
				}
				firstText, err := first.UTC().MarshalText()
				if err != nil {
					return fmt.Errorf("record %q: first_stored: %w", truncate(rec.Hash), ErrInvalid)
				}
				k := s.key(kindRecord, catalog, rec.Hash)
				p.HSet(ctx, k, fieldRaw, rec.Raw, fieldParsed, rec.Parsed, fieldError, rec.ParseError)
				p.HSetNX(ctx, k, fieldFirst, firstText)
				members[i] = rec.Hash
			}
			p.SAdd(ctx, set, members...)
			return nil
		})
		if err != nil {
			return fmt.Errorf("put records of %q: %w", catalog, unavailable(err))
		}
	}
	return nil
}

// Records returns the records with these hashes, in order.
func (s *RedisStore) Records(ctx context.Context, catalog string, hashes []string) ([]StoredRecord, error) {
	if err := precheck(ctx, "read records", catalog, func() error { return checkHashes(hashes) }); err != nil {
		return nil, err
	}
	out := make([]StoredRecord, len(hashes))
	for start := 0; start < len(hashes); start += redisRecordBatch {
		batch := hashes[start:min(start+redisRecordBatch, len(hashes))]
		cmds := make([]*redis.SliceCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, h := range batch {
				cmds[i] = p.HMGet(ctx, s.key(kindRecord, catalog, h), fieldRaw, fieldParsed, fieldError, fieldFirst)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read records of %q: %w", catalog, unavailable(err))
		}
		for i, cmd := range cmds {
			rec, err := recordFromFields(batch[i], cmd.Val())
			if err != nil {
				return nil, fmt.Errorf("read records of %q: record %q: %w", catalog, truncate(batch[i]), err)
			}
			out[start+i] = rec
		}
	}
	return out, nil
}

// ParsedRecords returns the parsed models of these records, in order:
// pipelined HMGET of the parsed field only (the raw bytes stay on the
// server).
func (s *RedisStore) ParsedRecords(ctx context.Context, catalog string, hashes []string) ([][]byte, error) {
	if err := precheck(ctx, "read records", catalog, func() error { return checkHashes(hashes) }); err != nil {
		return nil, err
	}
	out := make([][]byte, len(hashes))
	for start := 0; start < len(hashes); start += redisRecordBatch {
		batch := hashes[start:min(start+redisRecordBatch, len(hashes))]
		cmds := make([]*redis.SliceCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, h := range batch {
				cmds[i] = p.HMGet(ctx, s.key(kindRecord, catalog, h), fieldParsed, fieldFirst)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read records of %q: %w", catalog, unavailable(err))
		}
		for i, cmd := range cmds {
			vals := cmd.Val()
			if len(vals) != 2 || vals[1] == nil {
				return nil, fmt.Errorf("read records of %q: record %q: %w", catalog, truncate(batch[i]), ErrNotFound)
			}
			if p, ok := vals[0].(string); ok && p != "" {
				out[start+i] = []byte(p)
			}
		}
	}
	return out, nil
}

// recordFromFields builds a record from HMGET raw parsed parse_error
// first_stored; all nil means the record does not exist.
func recordFromFields(hash string, vals []any) (StoredRecord, error) {
	if len(vals) != 4 {
		return StoredRecord{}, fmt.Errorf("%w: %d fields", ErrCorrupt, len(vals))
	}
	if vals[0] == nil && vals[1] == nil && vals[2] == nil && vals[3] == nil {
		return StoredRecord{}, ErrNotFound
	}
	str := make([]string, 4)
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return StoredRecord{}, fmt.Errorf("%w: field %d missing", ErrCorrupt, i)
		}
		str[i] = s
	}
	rec := StoredRecord{Hash: hash, ParseError: str[2]}
	if str[0] != "" {
		rec.Raw = []byte(str[0])
	}
	if str[1] != "" {
		rec.Parsed = []byte(str[1])
	}
	if err := rec.FirstStored.UnmarshalText([]byte(str[3])); err != nil {
		return StoredRecord{}, fmt.Errorf("%w: first_stored %q", ErrCorrupt, truncate(str[3]))
	}
	rec.FirstStored = rec.FirstStored.UTC()
	return rec, nil
}

// HasRecords reports which hashes are stored.
func (s *RedisStore) HasRecords(ctx context.Context, catalog string, hashes []string) ([]bool, error) {
	if err := precheck(ctx, "look up records", catalog, func() error { return checkHashes(hashes) }); err != nil {
		return nil, err
	}
	out, err := s.members(ctx, s.key(kindHashes, catalog), hashes)
	if err != nil {
		return nil, fmt.Errorf("look up records of %q: %w", catalog, err)
	}
	return out, nil
}

// members runs SMISMEMBER in batches.
func (s *RedisStore) members(ctx context.Context, set string, hashes []string) ([]bool, error) {
	out := make([]bool, 0, len(hashes))
	for start := 0; start < len(hashes); start += redisHashBatch {
		batch := hashes[start:min(start+redisHashBatch, len(hashes))]
		args := make([]any, len(batch))
		for i, h := range batch {
			args[i] = h
		}
		got, err := s.rdb.SMIsMember(ctx, set, args...).Result()
		if err != nil {
			return nil, unavailable(err)
		}
		if len(got) != len(batch) {
			return nil, fmt.Errorf("SMISMEMBER answered %d of %d", len(got), len(batch))
		}
		out = append(out, got...)
	}
	return out, nil
}

// Prune deletes the catalog's records whose hash is not in keep.
func (s *RedisStore) Prune(ctx context.Context, catalog string, keep map[string]bool) (int, error) {
	if err := precheck(ctx, "prune records", catalog); err != nil {
		return 0, err
	}
	set := s.key(kindHashes, catalog)
	// Collect first (SSCAN may repeat members), then delete.
	drop := make(map[string]struct{})
	var cursor uint64
	for {
		hashes, next, err := s.rdb.SScan(ctx, set, cursor, "", redisScanCount).Result()
		if err != nil {
			return 0, fmt.Errorf("prune records of %q: scan: %w", catalog, unavailable(err))
		}
		for _, h := range hashes {
			if !keep[h] {
				drop[h] = struct{}{}
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	list := make([]string, 0, len(drop))
	for h := range drop {
		list = append(list, h)
	}
	n := 0
	for start := 0; start < len(list); start += redisRecordBatch {
		batch := list[start:min(start+redisRecordBatch, len(list))]
		var srem *redis.IntCmd
		_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			keys := make([]string, len(batch))
			members := make([]any, len(batch))
			for i, h := range batch {
				keys[i] = s.key(kindRecord, catalog, h)
				members[i] = h
			}
			p.Del(ctx, keys...)
			srem = p.SRem(ctx, set, members...)
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("prune records of %q: delete: %w", catalog, unavailable(err))
		}
		n += int(srem.Val())
	}
	return n, nil
}

// commitScript switches the current pointer to a new generation if it is
// above the current one, keeps the previous manifest for in-flight readers
// and deletes the one before. Generations are compared as decimal strings
// (Lua numbers are doubles and would round large int64 values).
//
// KEYS: current, previous, new manifest. ARGV: generation, manifest bytes,
// manifest key prefix (key(kindManifest, catalog, "")).
// Returns {1, old} on success, {0, current} when refused.
var commitScript = redis.NewScript(`
local function gt(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local cur = redis.call('GET', KEYS[1]) or '0'
if not gt(ARGV[1], cur) then return {0, cur} end
local prev = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[3], ARGV[2])
if cur ~= '0' then redis.call('SET', KEYS[2], cur) end
redis.call('SET', KEYS[1], ARGV[1])
if prev and prev ~= cur and prev ~= ARGV[1] then
  redis.call('DEL', ARGV[3] .. prev)
end
return {1, cur}
`)

// Commit makes snap current if its generation is above the current one
// and every record it names is stored.
func (s *RedisStore) Commit(ctx context.Context, snap *Snapshot) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	if err := checkSnapshot(snap); err != nil {
		return fmt.Errorf("commit snapshot: %w", err)
	}
	hashes := snapshotHashes(snap)
	has, err := s.members(ctx, s.key(kindHashes, snap.Catalog), hashes)
	if err != nil {
		return fmt.Errorf("commit snapshot %d of %q: check records: %w", snap.Generation, snap.Catalog, err)
	}
	for i, ok := range has {
		if !ok {
			return fmt.Errorf("commit snapshot %d of %q: record %q is not stored: %w",
				snap.Generation, snap.Catalog, truncate(hashes[i]), ErrInvalid)
		}
	}
	gen := strconv.FormatInt(snap.Generation, 10)
	keys := []string{
		s.key(kindCurrent, snap.Catalog),
		s.key(kindPrevious, snap.Catalog),
		s.key(kindManifest, snap.Catalog, gen),
	}
	res, err := commitScript.Run(ctx, s.rdb, keys, gen, encodeSnapshot(snap), s.key(kindManifest, snap.Catalog, "")).Slice()
	if err != nil {
		return fmt.Errorf("commit snapshot %d of %q: %w", snap.Generation, snap.Catalog, unavailable(err))
	}
	if len(res) != 2 {
		return fmt.Errorf("commit snapshot %d of %q: script answered %v", snap.Generation, snap.Catalog, res)
	}
	if ok, _ := res[0].(int64); ok != 1 {
		return fmt.Errorf("commit snapshot %d of %q: current is %v: %w", snap.Generation, snap.Catalog, res[1], ErrStaleGeneration)
	}
	return nil
}

// Snapshot returns the catalog's current snapshot: it reads the pointer,
// then the manifest it names, again if a commit deleted that manifest in
// between.
func (s *RedisStore) Snapshot(ctx context.Context, catalog string) (*Snapshot, error) {
	if err := precheck(ctx, "read snapshot", catalog); err != nil {
		return nil, err
	}
	missing := ""
	for range snapshotReadTries {
		gen, err := s.rdb.Get(ctx, s.key(kindCurrent, catalog)).Result()
		if errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read snapshot of %q: %w", catalog, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("read snapshot of %q: %w", catalog, unavailable(err))
		}
		val, err := s.rdb.Get(ctx, s.key(kindManifest, catalog, gen)).Bytes()
		if errors.Is(err, redis.Nil) {
			if gen == missing { // the pointer did not move: its manifest is gone
				return nil, fmt.Errorf("read snapshot %s of %q: manifest missing: %w", gen, catalog, ErrCorrupt)
			}
			missing = gen
			continue // superseded twice while we read: read the pointer again
		}
		if err != nil {
			return nil, fmt.Errorf("read snapshot %s of %q: %w", gen, catalog, unavailable(err))
		}
		snap, err := decodeSnapshot(val)
		if err != nil {
			return nil, fmt.Errorf("read snapshot %s of %q: %w", gen, catalog, err)
		}
		return snap, nil
	}
	return nil, fmt.Errorf("read snapshot of %q: superseded %d times while reading", catalog, snapshotReadTries)
}

// Generation returns the current generation, 0 if none.
func (s *RedisStore) Generation(ctx context.Context, catalog string) (int64, error) {
	if err := precheck(ctx, "read generation", catalog); err != nil {
		return 0, err
	}
	v, err := s.rdb.Get(ctx, s.key(kindCurrent, catalog)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read generation of %q: %w", catalog, unavailable(err))
	}
	gen, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read generation of %q: %w: %q", catalog, ErrCorrupt, truncate(v))
	}
	return gen, nil
}

// AddReport prepends a report and trims the list to MaxReports.
func (s *RedisStore) AddReport(ctx context.Context, catalog string, report []byte) error {
	if err := precheck(ctx, "add report", catalog); err != nil {
		return err
	}
	k := s.key(kindReports, catalog)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, k, report)
		p.LTrim(ctx, k, 0, MaxReports-1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("add report of %q: %w", catalog, unavailable(err))
	}
	return nil
}

// Reports returns the catalog's reports, newest first (none: empty, no error).
func (s *RedisStore) Reports(ctx context.Context, catalog string) ([][]byte, error) {
	if err := precheck(ctx, "read reports", catalog); err != nil {
		return nil, err
	}
	vals, err := s.rdb.LRange(ctx, s.key(kindReports, catalog), 0, MaxReports-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read reports of %q: %w", catalog, unavailable(err))
	}
	var out [][]byte
	for _, v := range vals {
		out = append(out, []byte(v))
	}
	return out, nil
}

// Get returns the value of key; redis.Nil is a miss.
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("get %q: %w", truncate(key), err)
	}
	if err := checkKey(key); err != nil {
		return nil, false, fmt.Errorf("get: %w", err)
	}
	val, err := s.rdb.Get(ctx, s.key(kindValue, key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get %q: %w", truncate(key), unavailable(err))
	}
	if val == nil {
		val = []byte{}
	}
	return val, true, nil
}

// GetMany returns the values of keys, in order, nil for a miss: GETs
// pipelined in batches (not MGET: on a cluster the keys sit in many slots).
func (s *RedisStore) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %d keys: %w", len(keys), err)
	}
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("get: %w", err)
		}
	}
	out := make([][]byte, len(keys))
	for start := 0; start < len(keys); start += redisRecordBatch * 4 {
		batch := keys[start:min(start+redisRecordBatch*4, len(keys))]
		cmds := make([]*redis.StringCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range batch {
				cmds[i] = p.Get(ctx, s.key(kindValue, k))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("get %d keys: %w", len(keys), unavailable(err))
		}
		for i, cmd := range cmds {
			v, err := cmd.Bytes()
			switch {
			case errors.Is(err, redis.Nil):
			case err != nil:
				return nil, fmt.Errorf("get %q: %w", truncate(batch[i]), unavailable(err))
			default:
				if v == nil {
					v = []byte{}
				}
				out[start+i] = v
			}
		}
	}
	return out, nil
}

// Set stores val under key; ttl 0 means no expiry, below a millisecond
// rounds up to one.
func (s *RedisStore) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.SetMany(ctx, map[string][]byte{key: val}, ttl)
}

// SetMany stores several keys in one pipeline (one round trip).
func (s *RedisStore) SetMany(ctx context.Context, kv map[string][]byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set: %w", err)
	}
	if ttl < 0 {
		return fmt.Errorf("set: negative ttl %s: %w", ttl, ErrInvalid)
	}
	if ttl > 0 && ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	for key := range kv {
		if err := checkKey(key); err != nil {
			return fmt.Errorf("set: %w", err)
		}
	}
	pipe := s.rdb.Pipeline()
	for key, val := range kv {
		pipe.Set(ctx, s.key(kindValue, key), val, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("set %d keys: %w", len(kv), unavailable(err))
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", truncate(key), err)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := s.rdb.Del(ctx, s.key(kindValue, key)).Err(); err != nil {
		return fmt.Errorf("delete %q: %w", truncate(key), unavailable(err))
	}
	return nil
}
