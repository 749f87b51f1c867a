package harvest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/cache/cachetest"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// slowCSW serves recs with a pause before each answer, so that a harvest
// lasts long enough for a second replica to find its lease taken.
func slowCSW(t *testing.T, recs [][]byte, pause time.Duration) string {
	t.Helper()
	h := cswtest.NewHandler(recs, cswtest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(pause)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/csw"
}

func replicaConfig(t *testing.T, url string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("catalogs.toml", fmt.Appendf(nil, `[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "up"
title = "Upstream"
url = %q
page_size = 5
every = "1h"
timeout = "5s"
`, url), t.TempDir())
	require.NoError(t, err)
	return cfg
}

// TestReplicasHarvestOnce starts two schedulers, as two replicas, on one
// empty real Redis: one harvests, the other finds the lease taken, records
// nothing, and once the lease is free sees a fresh snapshot: one report,
// ok, not a second failed one.
func TestReplicasHarvestOnce(t *testing.T) {
	rawURL := testenv.RedisURL(t)
	prefix := cachetest.RedisPrefix(t, rawURL)
	cfg := replicaConfig(t, slowCSW(t, cswtest.Generate(30), 40*time.Millisecond))

	var mu sync.Mutex
	var done []string
	stores := make([]cache.Store, 2)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range stores {
		stores[i] = cachetest.OpenRedisPrefix(t, rawURL, prefix)
		s := &Scheduler{
			Harvester: &Harvester{Store: stores[i], Client: client.New(client.Options{Retries: 1})},
			Config:    func() *config.Config { return cfg },
			Tick:      5 * time.Millisecond,
			Done: func(_ context.Context, cat string, rep *Report) {
				mu.Lock()
				defer mu.Unlock()
				done = append(done, fmt.Sprintf("replica %d: %s", i, rep.Status))
			},
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.Run(ctx) }()
	}
	require.Eventually(t, func() bool {
		_, err := stores[0].Snapshot(context.Background(), "up")
		return err == nil
	}, 20*time.Second, 5*time.Millisecond)
	// Let both schedulers look again many times after the commit.
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()

	reports, err := stores[1].Reports(context.Background(), "up")
	require.NoError(t, err)
	var texts []string
	for _, r := range reports {
		texts = append(texts, string(r))
	}
	require.Len(t, reports, 1, "one harvest, one report: %s", texts)
	var rep Report
	require.NoError(t, json.Unmarshal(reports[0], &rep))
	assert.Equal(t, StatusOK, rep.Status)
	assert.Len(t, done, 1, "%v", done)
}

// TestRunSkipsFreshUnderLease: a scheduled run that gets the lease after
// another replica committed does nothing and stores no report; an
// unscheduled (CLI) run still harvests.
func TestRunSkipsFreshUnderLease(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	cat := &f.cfg.Catalogs[0]
	ctx := context.Background()
	rep, err := f.h.Run(ctx, f.cfg, cat, Options{})
	require.NoError(t, err)
	require.Equal(t, StatusOK, rep.Status)

	rep, err = f.h.Run(ctx, f.cfg, cat, Options{Scheduled: true, FreshFor: time.Hour})
	require.ErrorIs(t, err, ErrFresh)
	assert.Nil(t, rep)
	reports, err := f.store.Reports(ctx, f.catalog)
	require.NoError(t, err)
	assert.Len(t, reports, 1, "a run that did nothing stores no report")

	// Lease held elsewhere: a scheduled run is busy and silent, a CLI run
	// reports the failure as before.
	l, ok, err := f.store.Lease(ctx, "harvest:"+cat.ID, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = f.h.Run(ctx, f.cfg, cat, Options{Scheduled: true})
	require.ErrorIs(t, err, ErrBusy)
	rep, err = f.h.Run(ctx, f.cfg, cat, Options{})
	require.NoError(t, err)
	assert.Equal(t, StatusFailed, rep.Status)
	require.NoError(t, l.Release(ctx))
	reports, err = f.store.Reports(ctx, f.catalog)
	require.NoError(t, err)
	assert.Len(t, reports, 2)
}

// TestRunStopsAtPageBoundary closes Options.Stop in the middle of the
// first page: the run finishes that page, requests no other than the one
// it was already fetching ahead, commits nothing, stores no report and
// releases the lease.
func TestRunStopsAtPageBoundary(t *testing.T) {
	f := newCSWFixture(t, 5, 0)
	srv := cswtest.NewHandler(cswtest.Generate(30), cswtest.Options{})
	f.up.set(srv)
	stop := make(chan struct{})
	var once sync.Once
	ctx := context.Background()
	var seen int
	_, err := f.h.Run(ctx, f.cfg, &f.cfg.Catalogs[0], Options{Stop: stop, Progress: func(fetched, _ int) {
		seen = fetched
		if fetched == 3 {
			once.Do(func() { close(stop) })
		}
	}})
	require.ErrorIs(t, err, ErrStopped)
	assert.Equal(t, 5, seen, "the page in progress is finished, the next one not used")
	results := 0
	for _, line := range srv.Log() {
		if strings.Contains(line, "GetRecords results") {
			results++
		}
	}
	// The walker fetches the next page while the current one is parsed:
	// that one page may have been requested; it is not used, and no page
	// after it is requested.
	assert.LessOrEqual(t, results, 2, "no page after the stop is requested but the one fetched ahead: %v", srv.Log())
	_, err = f.store.Snapshot(ctx, f.catalog)
	require.ErrorIs(t, err, cache.ErrNotFound, "nothing committed")
	reports, err := f.store.Reports(ctx, f.catalog)
	require.NoError(t, err)
	assert.Empty(t, reports)
	l, ok, err := f.store.Lease(ctx, "harvest:"+f.catalog, time.Minute)
	require.NoError(t, err)
	assert.True(t, ok, "the lease was released")
	require.NoError(t, l.Release(ctx))
}

// TestSchedulerTrigger: a triggered catalog is harvested although its
// snapshot is fresh.
func TestSchedulerTrigger(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	f.cfg.Catalogs[0].Every = time.Hour
	var mu sync.Mutex
	var runs int
	s := &Scheduler{
		Harvester: f.h,
		Config:    func() *config.Config { return f.cfg },
		Tick:      time.Hour, // only the start and triggers
		Done: func(context.Context, string, *Report) {
			mu.Lock()
			defer mu.Unlock()
			runs++
		},
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return runs }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	require.Eventually(t, func() bool { return count() == 1 }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return !s.Running("test") }, 10*time.Second, 5*time.Millisecond)
	require.True(t, s.Trigger("test"))
	require.Eventually(t, func() bool { return count() == 2 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-errc)
}

// TestSchedulerShutdownStopsAtPageBoundary cancels a scheduler while its
// harvest is between pages: Run returns, no report or snapshot is stored
// and the lease is free for the next process.
func TestSchedulerShutdownStopsAtPageBoundary(t *testing.T) {
	f := newCSWFixture(t, 5, 0)
	h := cswtest.NewHandler(cswtest.Generate(30), cswtest.Options{})
	pages := make(chan struct{}, 16)
	f.up.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		h.ServeHTTP(w, r)
		select {
		case pages <- struct{}{}:
		default:
		}
	}))
	s := &Scheduler{Harvester: f.h, Config: func() *config.Config { return f.cfg }, Tick: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	for range 3 { // capabilities, hits, first page
		<-pages
	}
	cancel()
	require.NoError(t, <-errc)
	bg := context.Background()
	_, err := f.store.Snapshot(bg, f.catalog)
	require.ErrorIs(t, err, cache.ErrNotFound)
	reports, err := f.store.Reports(bg, f.catalog)
	require.NoError(t, err)
	assert.Empty(t, reports, "a harvest stopped for shutdown is no failure")
	l, ok, err := f.store.Lease(bg, "harvest:"+f.catalog, time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "lease released")
	require.NoError(t, l.Release(bg))
	n := 0
	for _, line := range h.Log() {
		if strings.Contains(line, "GetRecords results") {
			n++
		}
	}
	assert.Less(t, n, 6, "the walk stopped before the last page: %v", h.Log())
}

// snapshotCounter counts the store's Snapshot reads.
type snapshotCounter struct {
	cache.Store
	n int
}

func (s *snapshotCounter) Snapshot(ctx context.Context, catalog string) (*cache.Snapshot, error) {
	s.n++
	return s.Store.Snapshot(ctx, catalog)
}

// TestRunReadsSnapshotOnce: a scheduled run whose freshness check read the
// snapshot under the lease harvests from that read, not a second one (the
// manifest of every record).
func TestRunReadsSnapshotOnce(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	cat := &f.cfg.Catalogs[0]
	ctx := context.Background()
	_, err := f.h.Run(ctx, f.cfg, cat, Options{})
	require.NoError(t, err)
	f.write("b.xml", isoRecord("b", "B", "2024-01-02", "Org"))

	counted := &snapshotCounter{Store: f.store}
	rep, err := (&Harvester{Store: counted}).Run(ctx, f.cfg, cat, Options{Scheduled: true, FreshFor: time.Nanosecond})
	require.NoError(t, err)
	require.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 1, counted.n, "snapshot reads")
	assert.Equal(t, []string{"a", "b"}, ids(f.snapshot()))
	assert.Equal(t, 1, rep.Unchanged, "the previous snapshot was used: a is unchanged")
}
