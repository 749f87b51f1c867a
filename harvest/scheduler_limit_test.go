package harvest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/internal/cswtest"
)

// TestSchedulerBoundsConcurrentHarvests: three catalogs due at once, one
// harvest slot: the harvests run one after the other. Each upstream holds
// its first request until all three upstreams were reached (or 300 ms
// passed), so unbounded harvests would all be in flight together.
func TestSchedulerBoundsConcurrentHarvests(t *testing.T) {
	const n = 3
	var mu sync.Mutex
	inflight, peak, arrived := 0, 0, 0
	all := make(chan struct{})
	var urls []string
	for i := range n {
		h := cswtest.NewHandler(cswtest.Generate(4), cswtest.Options{})
		first := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			wait := first
			if first {
				first = false
				arrived++
				if arrived == n {
					close(all)
				}
			}
			mu.Unlock()
			if wait {
				select {
				case <-all:
				case <-time.After(300 * time.Millisecond):
				}
			}
			h.ServeHTTP(w, r)
			mu.Lock()
			inflight--
			mu.Unlock()
		}))
		t.Cleanup(srv.Close)
		urls = append(urls, fmt.Sprintf("[[catalog]]\nid = \"c%d\"\ntitle = \"C%d\"\nurl = %q\n", i, i, srv.URL+"/csw"))
	}
	f := open(t, t.TempDir(), "[server]\npublic_url = \"http://127.0.0.1:8080\"\n[harvest]\nmax_concurrent = 1\n"+strings.Join(urls, "\n"), "c0")
	f.h.Client = client.New(client.Options{Retries: -1})
	var runs sync.WaitGroup
	runs.Add(n)
	s := &Scheduler{
		Harvester: f.h,
		Config:    func() *config.Config { return f.cfg },
		Tick:      time.Hour,
		Done:      func(context.Context, string, *Report) { runs.Done() },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	runs.Wait()
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, 1, peak, "one harvest (hence one request) in flight at a time")
}
