package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/proxy"
	"github.com/passerelle/passerelle/push"
	"github.com/passerelle/passerelle/served"
)

// adminOptions reads the /admin/ settings from the environment:
// DATAGOUV_URL, DATAGOUV_CLIENT_ID, DATAGOUV_CLIENT_SECRET (sign-in),
// PASSERELLE_ADMINS (comma-separated data.gouv.fr user ids who see
// everything), PASSERELLE_ADMIN_TOKEN (bearer for scripts),
// PASSERELLE_CONFIG_WRITABLE=1 (onboarding may append to catalogs.toml),
// PASSERELLE_SESSION_KEY (optional cookie signing key; default: one kept in
// the store).
func adminOptions(getenv func(string) string) proxy.AdminOptions {
	o := proxy.AdminOptions{
		DatagouvURL:    getenv(push.EnvURL),
		ClientID:       getenv(push.EnvClientID),
		ClientSecret:   getenv(push.EnvClientSecret),
		Token:          getenv("PASSERELLE_ADMIN_TOKEN"),
		ConfigWritable: getenv("PASSERELLE_CONFIG_WRITABLE") == "1",
	}
	if k := getenv("PASSERELLE_SESSION_KEY"); k != "" {
		o.SessionKey = []byte(k)
	}
	for _, id := range strings.Split(getenv("PASSERELLE_ADMINS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			o.Admins = append(o.Admins, id)
		}
	}
	return o
}

// pusher implements proxy.Pusher with the push package: the admin pages
// and auto_push plan and apply with the CLI's guards (never --accept-drop),
// one run per organization at a time across replicas (a lease).
type pusher struct {
	ctx     context.Context // the server's: a push stops with it
	store   cache.Store
	client  *push.Client
	log     *slog.Logger
	observe func(kind, result string, n int)

	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

// newPusher returns nil when no data.gouv.fr credentials are configured
// (the pages then say pushing is not configured).
func newPusher(ctx context.Context, st cache.Store, log *slog.Logger, observe func(string, string, int)) *pusher {
	opts, err := push.OptionsFromEnv(ctx, os.Getenv)
	if err != nil {
		log.Info("pushing from the server is off: no data.gouv.fr credentials", "err", err)
		return nil
	}
	opts.Logger = log
	opts.UserAgent = "passerelle/" + version
	client, err := push.NewClient(opts)
	if err != nil {
		log.Warn("pushing from the server is off", "err", err)
		return nil
	}
	return &pusher{ctx: ctx, store: st, client: client, log: log, observe: observe, running: map[string]bool{}}
}

func (p *pusher) plan(ctx context.Context, cfg *config.Config, orgID string) (*push.OrgPlan, error) {
	o := cfg.Organization(orgID)
	if o == nil {
		return nil, fmt.Errorf("no organization %q", orgID)
	}
	if o.Mode != config.ModePush {
		return nil, fmt.Errorf("organization %q is in mode %q, not push", orgID, o.Mode)
	}
	items, partial, err := served.OrganizationItems(ctx, p.store, cfg, orgID)
	if err != nil {
		return nil, err
	}
	return push.Plan(ctx, p.client, push.Org{ConfigID: o.ID, DatagouvID: o.DatagouvID, Title: o.Title}, items, partial)
}

func (p *pusher) Plan(ctx context.Context, cfg *config.Config, orgID string) (string, []byte, error) {
	plan, err := p.plan(ctx, cfg, orgID)
	if err != nil {
		return "", nil, err
	}
	var text, js strings.Builder
	if err := plan.WriteText(&text); err != nil {
		return "", nil, err
	}
	if err := plan.WriteJSON(&js); err != nil {
		return "", nil, err
	}
	return text.String(), []byte(js.String()), nil
}

func (p *pusher) LastReport(ctx context.Context, orgID string) ([]byte, error) {
	v, ok, err := p.store.Get(ctx, push.ReportKey(orgID))
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

const pushLeaseTTL = 5 * time.Minute

// Start plans and applies in the background; false when this process
// already pushes the organization.
func (p *pusher) Start(cfg *config.Config, orgID string) (bool, error) {
	if cfg.Organization(orgID) == nil {
		return false, fmt.Errorf("no organization %q", orgID)
	}
	p.mu.Lock()
	if p.running[orgID] {
		p.mu.Unlock()
		return false, nil
	}
	p.running[orgID] = true
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() {
			p.mu.Lock()
			delete(p.running, orgID)
			p.mu.Unlock()
		}()
		if err := p.run(p.ctx, cfg, orgID); err != nil {
			p.log.Error("push failed", "organization", orgID, "err", err)
		}
	}()
	return true, nil
}

// run is one plan + apply under the organization's push lease.
func (p *pusher) run(ctx context.Context, cfg *config.Config, orgID string) error {
	lease, ok, err := p.store.Lease(ctx, "push:"+orgID, pushLeaseTTL)
	if err != nil {
		return fmt.Errorf("take the push lease: %w", err)
	}
	if !ok {
		p.log.Info("push left to another process holding the organization's lease", "organization", orgID)
		return nil
	}
	defer lease.Release(context.WithoutCancel(ctx)) //nolint:errcheck // expires by itself
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(pushLeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := lease.Extend(ctx, pushLeaseTTL); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	plan, err := p.plan(ctx, cfg, orgID)
	if err != nil {
		return err
	}
	rep, err := push.Apply(ctx, p.client, plan, push.ApplyOptions{Intents: p.store})
	if rep != nil {
		for _, r := range rep.Results {
			if r.Status == push.StatusSkipped {
				continue
			}
			result := "ok"
			if r.Status == push.StatusFailed {
				result = "failed"
			}
			p.observe(string(r.Kind), result, 1)
		}
		c := rep.Counts()
		p.log.Info("push done", "organization", orgID, "done", c["done"], "failed", c["failed"], "skipped", c["skipped"], "calls", rep.Calls)
	}
	return err
}

// wait waits for pushes in flight.
func (p *pusher) wait() {
	if p != nil {
		p.wg.Wait()
	}
}

// autoPush starts the push of every auto_push organization sourced from
// catalog (after an ok harvest).
func autoPush(p *pusher, cfg *config.Config, catalog string, log *slog.Logger) {
	for _, o := range cfg.Organizations {
		if !o.AutoPush || o.Mode != config.ModePush {
			continue
		}
		for _, s := range o.Sources {
			if s.Catalog != catalog {
				continue
			}
			if p == nil {
				log.Warn("auto_push is set but pushing is not configured (DATAGOUV_API_KEY or passerelle login)", "organization", o.ID)
				break
			}
			if _, err := p.Start(cfg, o.ID); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("auto push could not start", "organization", o.ID, "err", err)
			}
			break
		}
	}
}
