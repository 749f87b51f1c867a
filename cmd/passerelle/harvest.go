package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/served"
)

func runCheckConfig(_ context.Context, e *env, args []string) error {
	fs := e.flags("check-config")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d catalogs, %d organizations)\n", cfg.Path, len(cfg.Catalogs), len(cfg.Organizations))
	return nil
}

func newCSWClient(e *env) *client.Client {
	return client.New(client.Options{
		HTTPClient: &http.Client{Timeout: 10 * time.Minute},
		UserAgent:  "passerelle/" + version,
		Logger:     e.logger.With("component", "csw"),
	})
}

func runHarvest(ctx context.Context, e *env, args []string) error {
	fs := e.flags("harvest")
	var ids stringList
	fs.Var(&ids, "catalog", "catalog id to harvest (repeatable; default: all)")
	asJSON := fs.Bool("json", false, "print one JSON report per catalog and line")
	acceptDrop := fs.Bool("accept-drop", false, "commit a harvest whose record count fell by more than half")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	cats, err := selectCatalogs(cfg, ids)
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	h := &harvest.Harvester{Store: st, Client: newCSWClient(e), Logger: e.logger.With("component", "harvest")}

	tty := false
	if f, ok := e.stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	failed := 0
	for _, cat := range cats {
		opt := harvest.Options{AcceptDrop: *acceptDrop}
		if tty && !*asJSON {
			opt.Progress = progressBar(e, cat.ID)
		}
		rep, err := h.Run(ctx, cfg, cat, opt)
		if tty && !*asJSON {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
		if err != nil {
			// The store failed under the run (Redis down…): the run's
			// report, status failed with the reason, is still shown.
			if rep != nil && *asJSON {
				if line, jerr := json.Marshal(rep); jerr == nil {
					fmt.Fprintln(e.stdout, string(line))
				}
			} else if rep != nil {
				printSummary(e, rep)
			}
			return err
		}
		if rep.Status != harvest.StatusOK {
			failed++
		}
		if rep.Status != harvest.StatusFailed {
			// Precompute the DCAT fragments of what changed, for the servers.
			if _, err := served.Warm(ctx, st, cfg, cat.ID); err != nil {
				e.logger.Warn("precomputing DCAT fragments failed (they are mapped when served)", "catalog", cat.ID, "err", err)
			}
		}
		if *asJSON {
			line, err := json.Marshal(rep)
			if err != nil {
				return fmt.Errorf("encode report: %w", err)
			}
			fmt.Fprintln(e.stdout, string(line))
			continue
		}
		printSummary(e, rep)
		if ctx.Err() != nil {
			break
		}
	}
	if failed > 0 {
		return &exitCodeError{code: exitFailure, msg: fmt.Sprintf("%d of %d catalogs not ok", failed, len(cats))}
	}
	return nil
}

func selectCatalogs(cfg *config.Config, ids []string) ([]*config.Catalog, error) {
	if len(ids) == 0 {
		out := make([]*config.Catalog, len(cfg.Catalogs))
		for i := range cfg.Catalogs {
			out[i] = &cfg.Catalogs[i]
		}
		return out, nil
	}
	var out []*config.Catalog
	for _, id := range ids {
		c := cfg.Catalog(id)
		if c == nil {
			return nil, usagef("--catalog %q: no such catalog in %s", id, cfg.Path)
		}
		out = append(out, c)
	}
	return out, nil
}

func progressBar(e *env, id string) func(fetched, matched int) {
	last := time.Time{}
	return func(fetched, matched int) {
		if time.Since(last) < 100*time.Millisecond && fetched != matched {
			return
		}
		last = time.Now()
		if matched <= 0 {
			fmt.Fprintf(e.stderr, "\r\033[K%s: %d records", id, fetched)
			return
		}
		const width = 30
		done := min(width, fetched*width/matched)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < done {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(e.stderr, "\r\033[K%s [%s] %d/%d", id, bar, fetched, matched)
	}
}

func printSummary(e *env, r *harvest.Report) {
	fmt.Fprintf(e.stdout, "%s: %s — matched %d, fetched %d, parsed %d, failed %d; added %d, updated %d, unchanged %d, removed %d, duplicates %d; %d records served (generation %d) in %.1fs\n",
		r.Catalog, r.Status, r.Matched, r.Fetched, r.Parsed, r.Failed, r.Added, r.Updated, r.Unchanged,
		r.Removed, r.Duplicates, r.Records, r.Generation, float64(r.DurationMS)/1000)
	for _, n := range r.Notes {
		fmt.Fprintf(e.stdout, "  note: %s\n", n)
	}
	const show = 20
	for i, p := range r.Errors {
		if i == show {
			fmt.Fprintf(e.stdout, "  … %d more problems (use --json)\n", len(r.Errors)-show)
			break
		}
		where := ""
		if p.RecordID != "" {
			where = fmt.Sprintf("record %q: ", p.RecordID)
		}
		if p.Page != nil {
			where += fmt.Sprintf("page %d+%d: ", p.Page.Start, p.Page.Size)
		}
		fmt.Fprintf(e.stdout, "  problem: %s%s\n", where, p.Reason)
	}
}

func runProducers(ctx context.Context, e *env, args []string) error {
	fs := e.flags("producers")
	id := fs.String("catalog", "", "catalog id (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usagef("--catalog is required")
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	if cfg.Catalog(*id) == nil {
		return usagef("--catalog %q: no such catalog in %s", *id, cfg.Path)
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	snap, err := st.Snapshot(ctx, *id)
	if err != nil {
		return fmt.Errorf("catalog %q has no snapshot yet (run passerelle harvest): %w", *id, err)
	}
	list := cache.ProducerCounts(snap)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tRECORDS\tORGANIZATION")
	for _, p := range list {
		org := "-"
		if o := cfg.OrganizationFor(*id, []string{p.Slug}); o != nil {
			org = o.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", p.Slug, p.Name, p.Count, org)
	}
	return tw.Flush()
}
