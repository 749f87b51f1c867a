// Command passerelle harvests CSW catalogs of ISO 19139 records, serves them
// as DCAT-AP feeds, JSON views and a CSW facade, and pushes them to
// data.gouv.fr. main only parses flags and environment, loads the
// configuration, builds the dependencies and runs them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

// Exit codes, the same for every command.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure
	exitUsage   = 2 // usage or configuration error
)

// usageError marks errors that exit with exitUsage.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = []command{
	{"harvest", "harvest catalogs into the cache (--catalog ID… --json --accept-drop)", runHarvest},
	{"serve", "serve feeds, JSON views and CSW facades of what the cache holds (--addr)", runServe},
	{"check-config", "validate catalogs.toml and print the verdict", runCheckConfig},
	{"producers", "list a catalog's producers (--catalog ID --json)", runProducers},
	{"push", "reconcile push-mode organizations into data.gouv.fr: push plan|apply (--org ID… --json --accept-drop)", runPush},
	{"login", "sign in to data.gouv.fr by OAuth2 (PKCE), store the token, list the account's organizations (--port 8976)", runLogin},
	{"organizations", "list the data.gouv.fr account's organizations: datagouv_id, role, name (--json)", runOrganizations},
	{"version", "print the version", func(_ context.Context, e *env, _ []string) error {
		fmt.Fprintln(e.stdout, "passerelle", version)
		return nil
	}},
}

// env is what every command gets: global flags, streams and the logger.
type env struct {
	configPath  string
	cacheTarget string
	stdout      io.Writer
	stderr      io.Writer
	logger      *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name := args[0]
	for _, c := range commands {
		if c.name != name {
			continue
		}
		e := &env{stdout: stdout, stderr: stderr, logger: newLogger(stderr, name)}
		err := c.run(ctx, e, args[1:])
		if err == nil {
			return exitOK
		}
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "passerelle %s: %s\n", name, config.RedactURLs(err.Error()))
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, config.ErrInvalid) {
			return exitUsage
		}
		var ce *exitCodeError
		if errors.As(err, &ce) {
			return ce.code
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "passerelle: unknown command %q\n", name)
	printUsage(stderr)
	return exitUsage
}

// exitCodeError carries an exit code chosen by a command whose output
// already said what happened.
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: passerelle COMMAND [--config catalogs.toml] [--cache DIR|redis://…] [flags]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "data.gouv.fr credentials: DATAGOUV_API_KEY (an API key: use it for unattended pushes, cron or")
	fmt.Fprintln(w, "auto_push), else the sign-in saved by `passerelle login`, which lasts 30 days and which data.gouv.fr")
	fmt.Fprintln(w, "does not renew reliably; DATAGOUV_URL chooses the platform (default https://www.data.gouv.fr).")
}

func newLogger(w io.Writer, cmd string) *slog.Logger {
	level := slog.LevelWarn
	if cmd == "serve" {
		level = slog.LevelInfo
	}
	if v := os.Getenv("PASSERELLE_LOG_LEVEL"); v != "" {
		_ = level.UnmarshalText([]byte(v))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr}))
}

// redactAttr hides URL credentials in every logged string and error: a
// catalog URL may carry them (they are moved to a header when the
// configuration loads; this is the second line of defence).
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(config.RedactURLs(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok && err != nil {
			a.Value = slog.StringValue(config.RedactURLs(err.Error()))
		}
	}
	return a
}

// flags returns a flag set with the global flags bound to e.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def := os.Getenv("PASSERELLE_CONFIG")
	if def == "" {
		def = "catalogs.toml"
	}
	fs.StringVar(&e.configPath, "config", def, "configuration file (env PASSERELLE_CONFIG)")
	cdef := os.Getenv("PASSERELLE_CACHE")
	if cdef == "" {
		cdef = "data"
	}
	fs.StringVar(&e.cacheTarget, "cache", cdef, "cache: a folder for the embedded store, or redis://… (env PASSERELLE_CACHE)")
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

func (e *env) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

func (e *env) openStore(ctx context.Context) (cache.Store, error) {
	st, err := cache.Open(ctx, e.cacheTarget)
	if errors.Is(err, cache.ErrLocked) {
		return nil, fmt.Errorf("open cache %s: %w (the embedded store serves one process at a time: is a `passerelle serve` using it? it harvests on schedule by itself; several processes need --cache redis://…)", redact(e.cacheTarget), err)
	}
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", redact(e.cacheTarget), err)
	}
	return st, nil
}

// redact hides a password in a redis:// URL.
func redact(target string) string {
	if i := strings.Index(target, "@"); i > 0 && strings.Contains(target, "://") {
		return target[:strings.Index(target, "://")+3] + "…" + target[i:]
	}
	return target
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
