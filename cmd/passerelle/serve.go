package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/proxy"
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
	var current atomic.Pointer[config.Config]
	current.Store(cfg)
	srv := proxy.New(proxy.Options{
		Store:   st,
		Config:  cfg,
		Logger:  e.logger.With("component", "proxy"),
		Version: version,
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
		sched := &harvest.Scheduler{
			Harvester: &harvest.Harvester{Store: st, Client: newCSWClient(e), Logger: e.logger.With("component", "harvest")},
			Config:    current.Load,
			Logger:    e.logger.With("component", "scheduler"),
			Done: func(ctx context.Context, cat string, rep *harvest.Report) {
				if rep.Status == harvest.StatusFailed {
					return
				}
				if _, err := proxy.Warm(ctx, st, current.Load(), cat); err != nil {
					e.logger.Warn("precomputing DCAT fragments failed", "catalog", cat, "err", err)
				}
				srv.WarmUp(ctx)
			},
		}
		g.Go(func() error { return sched.Run(ctx) })
	}
	if *reload > 0 {
		log := e.logger.With("component", "config")
		g.Go(func() error {
			config.Watch(ctx, cfg, *reload, func(c *config.Config) {
				current.Store(c)
				srv.SetConfig(c)
				log.Info("configuration reloaded", "catalogs", len(c.Catalogs), "organizations", len(c.Organizations))
			}, func(err error) {
				log.Error("configuration change refused: the previous configuration stays in force", "err", err)
			})
			return nil
		})
	}
	e.logger.Info("serving", "addr", *addr, "public_url", cfg.Server.PublicURL, "catalogs", len(cfg.Catalogs), "harvest", *schedule)
	fmt.Fprintf(e.stderr, "passerelle %s serving on http://%s (public URL %s)\n", version, *addr, cfg.Server.PublicURL)
	return g.Wait()
}
