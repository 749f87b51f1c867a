package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"golang.org/x/oauth2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/push"
	"github.com/passerelle/passerelle/served"
)

func runPush(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "plan" && args[0] != "apply") {
		return usagef("usage: passerelle push plan|apply [--org ID]... [--json] [--accept-drop]")
	}
	apply := args[0] == "apply"
	fs := e.flags("push " + args[0])
	var orgIDs stringList
	fs.Var(&orgIDs, "org", "organization id from catalogs.toml (repeatable; default: every push-mode organization)")
	asJSON := fs.Bool("json", false, "one JSON object per organization and line")
	acceptDrop := fs.Bool("accept-drop", false, "allow archiving more than 20 % of an organization's datasets")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	orgs, err := pushOrganizations(cfg, orgIDs)
	if err != nil {
		return err
	}
	client, err := e.pushClient(ctx)
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	failed := 0
	for _, org := range orgs {
		items, partial, err := served.OrganizationItems(ctx, st, cfg, org.ID)
		if err != nil {
			fmt.Fprintf(e.stderr, "organization %q: %v\n", org.ID, err)
			failed++
			continue
		}
		target := push.Org{ConfigID: org.ID, DatagouvID: org.DatagouvID, Title: org.Title}
		plan, err := push.Plan(ctx, client, target, items, partial)
		if err != nil {
			fmt.Fprintf(e.stderr, "organization %q: plan: %v\n", org.ID, err)
			failed++
			continue
		}
		if !apply {
			if *asJSON {
				err = plan.WriteJSON(e.stdout)
			} else {
				err = plan.WriteText(e.stdout)
			}
			if err != nil {
				return err
			}
			continue
		}
		rep, err := push.Apply(ctx, client, plan, push.ApplyOptions{AcceptDrop: *acceptDrop, Intents: st, Out: e.stderr})
		if rep != nil {
			if *asJSON {
				_ = rep.WriteJSON(e.stdout)
			} else {
				_ = rep.WriteText(e.stdout)
			}
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "organization %q: apply: %v\n", org.ID, err)
			failed++
			continue
		}
		if rep.ExitCode() != 0 {
			failed++
		}
	}
	if failed > 0 {
		return &exitCodeError{code: exitFailure, msg: fmt.Sprintf("%d of %d organizations not fully pushed", failed, len(orgs))}
	}
	return nil
}

// pushOrganizations are the organizations a push works on: those named,
// which must be in push mode, or every push-mode organization.
func pushOrganizations(cfg *config.Config, ids []string) ([]*config.Organization, error) {
	var out []*config.Organization
	if len(ids) == 0 {
		for i := range cfg.Organizations {
			if cfg.Organizations[i].Mode == config.ModePush {
				out = append(out, &cfg.Organizations[i])
			}
		}
		if len(out) == 0 {
			return nil, usagef("no organization with mode = \"push\" in %s", cfg.Path)
		}
		return out, nil
	}
	for _, id := range ids {
		o := cfg.Organization(id)
		if o == nil {
			return nil, usagef("--org %q: no such organization in %s", id, cfg.Path)
		}
		if o.Mode != config.ModePush {
			return nil, usagef("--org %q: mode is %q: data.gouv.fr harvests its feed, and pushing too would duplicate its datasets (udata never matches API-created datasets with harvested ones); set mode = \"push\" to push it", id, o.Mode)
		}
		out = append(out, o)
	}
	return out, nil
}

func runLogin(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	port := fs.Int("port", push.DefaultPort, "local callback port (the redirect URI http://127.0.0.1:<port>/callback must be registered with the client)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: passerelle login [--port 8976]")
		fmt.Fprintln(e.stderr, "Signs in to data.gouv.fr in a browser (OAuth2 with PKCE; DATAGOUV_CLIENT_ID, DATAGOUV_CLIENT_SECRET for a")
		fmt.Fprintln(e.stderr, "confidential client), saves the token and lists the account's organizations. The sign-in lasts 30 days")
		fmt.Fprintln(e.stderr, "and data.gouv.fr does not renew it reliably: unattended pushes (cron, auto_push) should use an API key")
		fmt.Fprintln(e.stderr, "in DATAGOUV_API_KEY instead.")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	id := os.Getenv("DATAGOUV_CLIENT_ID")
	if id == "" {
		return usagef("DATAGOUV_CLIENT_ID is not set (and DATAGOUV_CLIENT_SECRET for a confidential client)")
	}
	path, err := push.DefaultTokenPath(os.Getenv)
	if err != nil {
		return err
	}
	base := os.Getenv("DATAGOUV_URL")
	err = push.Login(ctx, push.LoginOptions{
		BaseURL:      base,
		ClientID:     id,
		ClientSecret: os.Getenv("DATAGOUV_CLIENT_SECRET"),
		Port:         *port,
		TokenPath:    path,
		Out:          e.stdout,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "token saved to "+path+" (port "+strconv.Itoa(*port)+")")
	tok, err := push.LoadToken(path)
	if err != nil {
		return err
	}
	client, err := push.NewClient(push.Options{BaseURL: base, TokenSource: oauth2.StaticTokenSource(tok),
		Logger: e.logger.With("component", "push"), UserAgent: "passerelle/" + version})
	if err != nil {
		return usageError{err}
	}
	return printOrganizations(ctx, e, client, false)
}

// runOrganizations lists the signed-in account's organizations, so that an
// admin can copy the datagouv_id of the one to push into catalogs.toml.
func runOrganizations(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("organizations", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	client, err := e.pushClient(ctx)
	if err != nil {
		return err
	}
	return printOrganizations(ctx, e, client, *asJSON)
}

func printOrganizations(ctx context.Context, e *env, client *push.Client, asJSON bool) error {
	me, err := client.Me(ctx)
	if err != nil {
		return err
	}
	ms, err := client.Organizations(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if ms == nil {
			ms = []push.Membership{}
		}
		raw, err := json.Marshal(ms)
		if err != nil {
			return fmt.Errorf("encode organizations: %w", err)
		}
		_, err = fmt.Fprintln(e.stdout, string(raw))
		return err
	}
	account := me.Email
	if account == "" {
		account = me.Slug
	}
	if len(ms) == 0 {
		fmt.Fprintf(e.stdout, "account %s belongs to no data.gouv.fr organization: ask an admin of the organization to invite it (role editor)\n", account)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "organizations of account %s (datagouv_id goes in catalogs.toml; pushing needs admin or editor):\n", account)
	fmt.Fprintln(tw, "DATAGOUV_ID\tROLE\tPUSH\tNAME")
	for _, m := range ms {
		role, can := m.Role, "yes"
		if role == "" {
			role = "-"
		}
		if !m.CanPush {
			can = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, role, can, m.Name)
	}
	return tw.Flush()
}

// pushClient is the data.gouv.fr client of the push and organizations
// commands, from the environment's credentials (API key or a login's token).
func (e *env) pushClient(ctx context.Context) (*push.Client, error) {
	opts, err := push.OptionsFromEnv(ctx, os.Getenv)
	if err != nil {
		return nil, usageError{fmt.Errorf("data.gouv.fr credentials: %w", err)}
	}
	opts.Logger = e.logger.With("component", "push")
	opts.UserAgent = "passerelle/" + version
	client, err := push.NewClient(opts)
	if err != nil {
		return nil, usageError{err}
	}
	return client, nil
}
