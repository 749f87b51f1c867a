package harvest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
)

// Scheduler keeps every catalog of the current configuration fresh: a
// catalog is harvested at start when its snapshot is missing or older than
// its interval, then every interval. Catalogs added by a configuration
// reload are picked up at the next tick; removed ones stop.
type Scheduler struct {
	Harvester *Harvester
	Config    func() *config.Config // the current configuration (hot reload)
	Logger    *slog.Logger
	Tick      time.Duration // how often due catalogs are looked for (default 30s)
	// Done, when set, is called after each run (e.g. to warm feed caches).
	Done func(ctx context.Context, cat string, rep *Report)

	mu      sync.Mutex
	running map[string]bool
	last    map[string]time.Time
}

// Run schedules until ctx ends, then waits for runs in flight.
func (s *Scheduler) Run(ctx context.Context) error {
	tick := s.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s.running, s.last = map[string]bool{}, map[string]time.Time{}
	var wg sync.WaitGroup
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		cfg := s.Config()
		for i := range cfg.Catalogs {
			cat := cfg.Catalogs[i]
			if !s.due(ctx, &cat) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer s.finish(cat.ID)
				rep, err := s.Harvester.Run(ctx, cfg, &cat, Options{})
				if err != nil {
					log.Error("harvest failed", "catalog", cat.ID, "err", err)
					return
				}
				if s.Done != nil && ctx.Err() == nil {
					s.Done(ctx, cat.ID, rep)
				}
			}()
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		}
	}
}

// due reports whether a catalog should be harvested now, and marks it
// running if so.
func (s *Scheduler) due(ctx context.Context, cat *config.Catalog) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[cat.ID] {
		return false
	}
	last, ok := s.last[cat.ID]
	if !ok {
		// First look since start: the snapshot's age decides.
		snap, err := s.Harvester.Store.Snapshot(ctx, cat.ID)
		switch {
		case errors.Is(err, cache.ErrNotFound):
		case err != nil:
			return false // store trouble: try again at the next tick
		default:
			last = snap.Created
		}
	}
	if !last.IsZero() && time.Since(last) < cat.Every {
		s.last[cat.ID] = last
		return false
	}
	s.running[cat.ID] = true
	return true
}

func (s *Scheduler) finish(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
	s.last[id] = time.Now()
}
