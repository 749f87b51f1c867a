package cache_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/cache/cachetest"
)

// needRedisBinaries skips under -short, and when redis-server or redis-cli
// is missing outside CI (make test installs them; CI fails without them).
func needRedisBinaries(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("Redis Cluster and Sentinel tests start servers: skipped under -short")
	}
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found: scripts/test-deps.sh installs it", bin)
			}
			t.Skipf("%s not found (scripts/test-deps.sh installs it)", bin)
		}
	}
}

// freePort returns a loopback port free now, whose cluster bus port (+10000)
// is free too.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if port+10000 > 65535 {
			continue
		}
		if bus, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+10000)); err == nil {
			_ = bus.Close()
			return port
		}
	}
	t.Fatal("no free port pair")
	return 0
}

// startRedis starts a redis-server on a free loopback port with these extra
// arguments, without persistence, and stops it (by its pid) at cleanup.
func startRedis(t *testing.T, dir string, extra ...string) int {
	t.Helper()
	port := freePort(t)
	args := append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no"}, extra...)
	cmd := exec.Command("redis-server", args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitPing(t, port)
	return port
}

func waitPing(t *testing.T, port int) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer rdb.Close()
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis on port %d did not answer", port)
}

// startCluster starts a three-node Redis Cluster (no replicas) on free
// loopback ports and returns the node addresses.
func startCluster(t *testing.T) []string {
	t.Helper()
	var addrs []string
	for i := range 3 {
		dir := t.TempDir()
		port := startRedis(t, dir, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", i)),
			"--cluster-node-timeout", "5000")
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	out, err := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	require.NoError(t, err, "redis-cli --cluster create: %s", out)
	for _, a := range addrs {
		rdb := redis.NewClient(&redis.Options{Addr: a})
		ok := false
		for range 200 {
			info, err := rdb.ClusterInfo(context.Background()).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				ok = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = rdb.Close()
		require.True(t, ok, "cluster node %s never reached cluster_state:ok", a)
	}
	return addrs
}

func clusterURL(addrs []string, prefix string) string {
	q := url.Values{}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	q.Set("prefix", prefix)
	return "redis+cluster://" + addrs[0] + "?" + q.Encode()
}

// TestRedisCluster runs the store conformance suite on a real three-node
// Redis Cluster started here (redis+cluster:// URL with seed nodes), then
// checks that every key of a catalog sits in one hash slot: the record
// batches (MULTI) and the snapshot switch (one script) need it.
func TestRedisCluster(t *testing.T) {
	needRedisBinaries(t)
	addrs := startCluster(t)
	n := 0
	open := func(t *testing.T) cache.Store {
		n++
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := cache.Open(ctx, clusterURL(addrs, fmt.Sprintf("suite%d:", n)))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	cachetest.Run(t, open)

	t.Run("OneSlotPerCatalog", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		for _, cat := range []string{"alpha", "beta", "gamma", "a:b"} {
			recs := []cache.StoredRecord{cachetest.Rec(cat + "1"), cachetest.Rec(cat + "2"), cachetest.Rec(cat + "3")}
			require.NoError(t, s.PutRecords(ctx, cat, recs))
			for gen := int64(1); gen <= 3; gen++ {
				require.NoError(t, s.Commit(ctx, &cache.Snapshot{Catalog: cat, Generation: gen,
					Entries: []cache.Entry{{ID: "x", Hash: recs[gen-1].Hash}}}))
			}
			require.NoError(t, s.AddReport(ctx, cat, []byte("{}")))
			_, err := s.Prune(ctx, cat, map[string]bool{recs[2].Hash: true})
			require.NoError(t, err)
		}
		cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
		defer cc.Close()
		slots := map[string]map[int64]bool{} // catalog tag → slots of its keys
		var mu sync.Mutex
		err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			iter := node.Scan(ctx, 0, "suite*", 1000).Iterator()
			for iter.Next(ctx) {
				k := iter.Val()
				i, j := strings.IndexByte(k, '{'), strings.IndexByte(k, '}')
				if i < 0 || j < i {
					continue // plain values and leases are not per catalog
				}
				slot, err := cc.ClusterKeySlot(ctx, k).Result()
				if err != nil {
					return err
				}
				tag := k[i : j+1]
				mu.Lock() // ForEachMaster visits the nodes concurrently
				if slots[tag] == nil {
					slots[tag] = map[int64]bool{}
				}
				slots[tag][slot] = true
				mu.Unlock()
			}
			return iter.Err()
		})
		require.NoError(t, err)
		for _, cat := range []string{"{alpha}", "{beta}", "{gamma}", "{a%3Ab}"} {
			assert.Len(t, slots[cat], 1, "keys of catalog %s in one slot", cat)
		}
	})
}

// TestRedisSentinel opens the store through a Sentinel
// (redis+sentinel://…?master=NAME) watching a primary started here, and
// runs the conformance suite on it.
func TestRedisSentinel(t *testing.T) {
	needRedisBinaries(t)
	primary := startRedis(t, t.TempDir())
	dir := t.TempDir()
	sentinel := freePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor primary1 127.0.0.1 %d 1\n", sentinel, dir, primary)), 0o600))
	cmd := exec.Command("redis-server", conf, "--sentinel")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitPing(t, sentinel)
	n := 0
	cachetest.Run(t, func(t *testing.T) cache.Store {
		n++
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := cache.Open(ctx, fmt.Sprintf("redis+sentinel://127.0.0.1:%d?master=primary1&prefix=suite%d:", sentinel, n))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
