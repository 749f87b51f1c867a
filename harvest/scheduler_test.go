package harvest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/config"
)

// TestSchedulerHarvestsDueCatalogs: a catalog without a snapshot is
// harvested at once, then not again within its interval — ten more looks
// at the catalogs start nothing — and a restarted scheduler that finds a
// recent snapshot starts nothing either. Looks are counted through the
// scheduler's hook, not waited for with a clock.
func TestSchedulerHarvestsDueCatalogs(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.write(fmt.Sprintf("r%d.xml", i), isoRecord(fmt.Sprintf("id-%d", i), "T", "2024-01-01", "Org"))
	}
	f.cfg.Catalogs[0].Every = time.Hour
	var mu sync.Mutex
	var runs []string
	s := &Scheduler{
		Harvester: f.h,
		Config:    func() *config.Config { return f.cfg },
		Tick:      10 * time.Millisecond,
	}
	// looks collects what each look at the catalogs started; once the
	// first run is reported, ten more looks are awaited.
	var looks [][]string
	runLook := -1 // looks made when the first run was reported
	enough := make(chan struct{})
	s.Done = func(_ context.Context, cat string, rep *Report) {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, cat+":"+rep.Status)
		if runLook < 0 {
			runLook = len(looks)
		}
	}
	s.passed = func(started []string) {
		mu.Lock()
		defer mu.Unlock()
		looks = append(looks, started)
		if runLook >= 0 && len(looks) == runLook+10 {
			close(enough)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	<-enough
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, []string{"test:ok"}, runs)
	assert.Equal(t, []string{"test"}, looks[0], "the first look starts the catalog")
	for i, l := range looks[1:] {
		assert.Empty(t, l, "look %d started a harvest within the interval", i+1)
	}
	assert.Len(t, f.snapshot().Entries, 3)

	// A fresh scheduler (a restart) sees the recent snapshot and waits.
	runs, looks = nil, nil
	enough = make(chan struct{})
	s.passed = func(started []string) {
		mu.Lock()
		defer mu.Unlock()
		looks = append(looks, started)
		if len(looks) == 10 {
			close(enough)
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- s.Run(ctx) }()
	<-enough
	cancel()
	require.NoError(t, <-done)
	assert.Empty(t, runs)
	for i, l := range looks {
		assert.Empty(t, l, "look %d after a restart started a harvest", i)
	}
}
