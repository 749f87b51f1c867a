package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/proxy"
	"github.com/passerelle/passerelle/served"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	schedule := fs.Bool("harvest", true, "harvest each catalog on its interval (a catalog whose snapshot is missing or older is harvested at start)")
	reload := fs.Duration("reload", 5*time.Second, "how often catalogs.toml is checked for changes (0: never)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// SIGHUP reloads catalogs.toml as the watcher does; registered before
	// listening, so a signal sent once the server answers is never fatal.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var current atomic.Pointer[config.Config]
	current.Store(cfg)
	adm := adminOptions(os.Getenv)
	var srv *proxy.Server
	var sched *harvest.Scheduler
	pushes := newPusher(ctx, st, e.logger.With("component", "push"), func(kind, result string, n int) { srv.ObservePush(kind, result, n) })
	defer pushes.wait()
	if pushes != nil {
		adm.Push = pushes
	}
	reloadNow := func(context.Context) (*config.Config, error) {
		c, err := config.Load(current.Load().Path)
		if err != nil {
			srv.Reloaded(nil, err)
			return nil, err
		}
		current.Store(c)
		srv.Reloaded(c, nil)
		e.logger.Info("configuration reloaded", "by", "admin", "file", c.Path, "hash", c.Hash)
		return c, nil
	}
	adm.Reload = reloadNow
	if *schedule {
		adm.Harvest = func(id string) bool { return sched.Trigger(id) }
	}
	srv = proxy.New(proxy.Options{
		Store:   st,
		Config:  cfg,
		Logger:  e.logger.With("component", "proxy"),
		Version: version,
		Admin:   adm,
		// A harvest's new generation is loaded beside the served one:
		// no request waits for it.
		BackgroundReload: true,
	})

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Listen(ctx, *addr); err != nil {
			return fmt.Errorf("listen on %s: %w", *addr, err)
		}
		return nil
	})
	g.Go(func() error { srv.WarmUp(ctx); return nil })
	if *schedule {
		sched = &harvest.Scheduler{
			Harvester: &harvest.Harvester{Store: st, Client: newCSWClient(e), Logger: e.logger.With("component", "harvest")},
			Config:    current.Load,
			Logger:    e.logger.With("component", "scheduler"),
			Done: func(ctx context.Context, cat string, rep *harvest.Report) {
				srv.ObserveHarvest(cat, rep.Status)
				if rep.Status == harvest.StatusFailed {
					return
				}
				if _, err := served.Warm(ctx, st, current.Load(), cat); err != nil {
					e.logger.Warn("precomputing DCAT fragments failed", "catalog", cat, "err", err)
				}
				srv.WarmUp(ctx, cat) // only the catalog just harvested changed
				if rep.Status == harvest.StatusOK {
					autoPush(pushes, current.Load(), cat, e.logger.With("component", "push"))
				}
			},
		}
		g.Go(func() error { return sched.Run(ctx) })
	}
	clog := e.logger.With("component", "config")
	apply := func(how string) func(*config.Config) {
		return func(c *config.Config) {
			current.Store(c)
			srv.Reloaded(c, nil)
			clog.Info("configuration reloaded", "by", how, "file", c.Path, "hash", c.Hash, "catalogs", len(c.Catalogs), "organizations", len(c.Organizations))
		}
	}
	reject := func(how string) func(error) {
		return func(err error) {
			srv.Reloaded(nil, err)
			clog.Error("configuration change refused: the previous configuration stays in force", "by", how, "err", err)
		}
	}
	if *reload > 0 {
		g.Go(func() error {
			config.Watch(ctx, cfg, *reload, apply("watcher"), reject("watcher"))
			return nil
		})
	}
	g.Go(func() error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
				c, err := config.Load(current.Load().Path)
				if err != nil {
					reject("SIGHUP")(err)
					continue
				}
				apply("SIGHUP")(c)
			}
		}
	})
	g.Go(func() error {
		<-ctx.Done()
		e.logger.Info("shutting down: requests in flight finish, a running harvest stops at its next page boundary and releases its lease")
		return nil
	})
	e.logger.Info("serving", "addr", *addr, "public_url", cfg.Server.PublicURL, "catalogs", len(cfg.Catalogs), "harvest", *schedule)
	fmt.Fprintf(e.stderr, "passerelle %s serving on http://%s (public URL %s)\n", version, *addr, cfg.Server.PublicURL)
	err = g.Wait()
	e.logger.Info("stopped")
	return err
}
