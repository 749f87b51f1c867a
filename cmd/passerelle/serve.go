package main

import (
	"context"
	"fmt"

	"github.com/passerelle/passerelle/proxy"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
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
	srv := proxy.New(proxy.Options{
		Store:   st,
		Config:  cfg,
		Logger:  e.logger.With("component", "proxy"),
		Version: version,
	})
	go srv.WarmUp(ctx)
	e.logger.Info("serving", "addr", *addr, "public_url", cfg.Server.PublicURL, "catalogs", len(cfg.Catalogs))
	fmt.Fprintf(e.stderr, "passerelle %s serving on http://%s (public URL %s)\n", version, *addr, cfg.Server.PublicURL)
	if err := srv.Listen(ctx, *addr); err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	return nil
}
