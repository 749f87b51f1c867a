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
		Done: func(_ context.Context, cat string, rep *Report) {
			mu.Lock()
			defer mu.Unlock()
			runs = append(runs, cat+":"+rep.Status)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(runs) == 1
	}, 5*time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // ten more ticks: not due again within the hour
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, []string{"test:ok"}, runs)
	assert.Len(t, f.snapshot().Entries, 3)

	// A fresh scheduler (a restart) sees the recent snapshot and waits.
	runs = nil
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- s.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Empty(t, runs)
}
