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
	// StopGrace is how long a running harvest may take, once ctx ends, to
	// reach a page boundary before its requests are cancelled (default 30s).
	StopGrace time.Duration
	// MaxConcurrent bounds the harvests run at once (default: the
	// configuration's [harvest] max_concurrent when Run starts); due
	// catalogs wait for a slot.
	MaxConcurrent int

	mu        sync.Mutex
	running   map[string]bool
	last      map[string]time.Time
	requested map[string]bool
	wake      chan struct{}

	// passed, when set (tests), is called after each look at the catalogs
	// with the ids of the catalogs that look started.
	passed func(started []string)
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
	grace := s.StopGrace
	if grace <= 0 {
		grace = 30 * time.Second
	}
	s.mu.Lock()
	s.running, s.last = map[string]bool{}, map[string]time.Time{}
	if s.requested == nil {
		s.requested = map[string]bool{}
	}
	wake := s.wakeChan()
	s.mu.Unlock()
	slots := s.MaxConcurrent
	if slots <= 0 {
		slots = s.Config().Harvest.Concurrency()
	}
	sem := make(chan struct{}, slots)
	var wg sync.WaitGroup
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		cfg := s.Config()
		var started []string
		for i := range cfg.Catalogs {
			cat := cfg.Catalogs[i]
			forced, due := s.due(ctx, &cat)
			if !due {
				continue
			}
			started = append(started, cat.ID)
			wg.Add(1)
			go func() {
				defer wg.Done()
				ran := true
				defer func() { s.finish(cat.ID, ran) }()
				select { // bounded concurrency: wait for a slot
				case sem <- struct{}{}:
					defer func() { <-sem }()
				case <-ctx.Done():
					ran = false
					return
				}
				// The run outlives ctx by up to grace so that it stops at a
				// page boundary (Options.Stop) rather than mid-request.
				rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
				defer cancel()
				stopped := context.AfterFunc(ctx, func() {
					t := time.AfterFunc(grace, cancel)
					<-rctx.Done()
					t.Stop()
				})
				defer stopped()
				opt := Options{Scheduled: true, FreshFor: cat.Every, Stop: ctx.Done()}
				if forced {
					opt.FreshFor = 0
				}
				rep, err := s.Harvester.Run(rctx, cfg, &cat, opt)
				switch {
				case errors.Is(err, ErrBusy), errors.Is(err, ErrFresh):
					// Another replica harvests or has just harvested: look
					// at the snapshot's age again at the next tick.
					ran = false
					log.Debug("harvest left to another process", "catalog", cat.ID, "reason", err)
					return
				case errors.Is(err, ErrStopped):
					log.Info("harvest stopped at a page boundary for shutdown; its lease is released", "catalog", cat.ID)
					return
				case err != nil:
					log.Error("harvest failed", "catalog", cat.ID, "err", err)
					return
				}
				if s.Done != nil && ctx.Err() == nil {
					s.Done(ctx, cat.ID, rep)
				}
			}()
		}
		if s.passed != nil {
			s.passed(started)
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		case <-wake:
		}
	}
}

// Trigger asks for a harvest of the catalog now, whatever its snapshot's
// age; it is queued through the same lease as scheduled runs (a catalog
// that another replica is harvesting is not harvested twice). It returns
// false when the catalog is already running or queued.
func (s *Scheduler) Trigger(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[id] || s.requested[id] {
		return false
	}
	if s.requested == nil {
		s.requested = map[string]bool{}
	}
	s.requested[id] = true
	select {
	case s.wakeChan() <- struct{}{}:
	default:
	}
	return true
}

// Running reports whether the catalog's harvest runs in this process.
func (s *Scheduler) Running(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

func (s *Scheduler) wakeChan() chan struct{} {
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
	}
	return s.wake
}

// due reports whether a catalog should be harvested now (forced: it was
// triggered), and marks it running if so.
func (s *Scheduler) due(ctx context.Context, cat *config.Catalog) (forced, due bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[cat.ID] {
		return false, false
	}
	if s.requested[cat.ID] {
		delete(s.requested, cat.ID)
		s.running[cat.ID] = true
		return true, true
	}
	last, ok := s.last[cat.ID]
	if !ok {
		// First look since start: the snapshot's age decides.
		snap, err := s.Harvester.Store.Snapshot(ctx, cat.ID)
		switch {
		case errors.Is(err, cache.ErrNotFound):
		case err != nil:
			return false, false // store trouble: try again at the next tick
		default:
			last = snap.Created
		}
	}
	if !last.IsZero() && time.Since(last) < cat.Every {
		s.last[cat.ID] = last
		return false, false
	}
	s.running[cat.ID] = true
	return false, true
}

// finish marks a run over; a run that did not harvest (ran false) leaves
// the next look to the snapshot's age.
func (s *Scheduler) finish(id string, ran bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, id)
	if ran {
		s.last[id] = time.Now()
	} else {
		delete(s.last, id)
	}
}
