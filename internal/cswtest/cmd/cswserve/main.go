// Command cswserve serves generated or folder records as a CSW 2.0.2
// catalog (internal/cswtest) for manual harvest runs:
//
//	go run ./internal/cswtest/cmd/cswserve -addr 127.0.0.1:8090 -generate 5000
//	go run ./internal/cswtest/cmd/cswserve -dir ../shared/corpus/records
//	go run ./internal/cswtest/cmd/cswserve -replay '../shared/corpus/csw/udata__geonetwork-iso19139-page-*.xml'
//
// -shift K derives the generated records' content from index+K: the same
// identifiers with other content, so that a harvest after one from an
// unshifted server rewrites every record. -delay D waits D before every
// answer and -log-requests writes one line per request on stderr
// ("cswserve: GET GetRecords startPosition=101"): scripts/load.sh uses
// them to act in the middle of a harvest.
//
// -replay serves recorded GetRecordsResponse pages as they are, each at
// the startPosition it answered (cswtest.PageStart); hits answer the
// numberOfRecordsMatched of the first page, and a startPosition with no
// recorded page an exception. Its argument is a folder (its *.xml
// GetRecordsResponse files; other files are skipped) or a glob pattern.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/cswtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	n := flag.Int("generate", 0, "serve this many generated records")
	dir := flag.String("dir", "", "serve the records of the *.xml files of this folder (bare records or CSW responses)")
	capMax := flag.Int("cap", 0, "silent server-side maxRecords cap (0: none)")
	noPost := flag.Bool("no-post", false, "refuse POST requests with 405")
	fault := flag.String("fault", "", "inject a fault in every GetRecords results answer: "+strings.Join(faultNames(), ", ")+"; KIND@N: only in answers covering position N")
	replay := flag.String("replay", "", "serve the recorded GetRecordsResponse pages of this folder (or glob pattern) by their startPosition")
	shift := flag.Int("shift", 0, "derive generated content from index+shift (same identifiers, other content)")
	delay := flag.Duration("delay", 0, "wait this long before every answer")
	logRequests := flag.Bool("log-requests", false, "write one line per request on stderr")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	opts := cswtest.Options{MaxRecordsCap: *capMax, NoPost: *noPost}
	if *fault != "" {
		f, err := parseFault(*fault)
		if err != nil {
			log.Error("cswserve: -fault", "error", err.Error())
			os.Exit(2)
		}
		opts.Faults = append(opts.Faults, f)
	}
	if *replay != "" {
		if *n > 0 || *dir != "" {
			log.Error("-replay serves recorded pages only: drop -generate and -dir")
			os.Exit(2)
		}
		pages, err := loadReplay(*replay, log)
		if err != nil {
			log.Error("cswserve failed", "error", err.Error())
			os.Exit(1)
		}
		opts.Replay = pages
	}
	wrap := func(h http.Handler) http.Handler {
		if *delay <= 0 && !*logRequests {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if *logRequests {
				op, start := describe(r)
				fmt.Fprintf(os.Stderr, "cswserve: %s %s startPosition=%s\n", r.Method, op, start)
			}
			if *delay > 0 {
				select {
				case <-time.After(*delay):
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	if err := run(*addr, *n, *shift, *dir, opts, wrap, log); err != nil {
		log.Error("cswserve failed", "error", err.Error())
		os.Exit(1)
	}
}

func run(addr string, n, shift int, dir string, opts cswtest.Options, wrap func(http.Handler) http.Handler, log *slog.Logger) error {
	var recs [][]byte
	for i := range n {
		recs = append(recs, cswtest.GenerateOne(fmt.Sprintf("passerelle-test-%06d", i+1), i+shift))
	}
	if dir != "" {
		more, err := readDir(dir, log)
		if err != nil {
			return err
		}
		recs = append(recs, more...)
	}
	if len(recs) == 0 && opts.Replay == nil {
		return errors.New("nothing to serve: give -generate N and/or -dir DIR, or -replay DIR")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: wrap(cswtest.NewHandler(recs, opts)), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	if opts.Replay != nil {
		starts := make([]int, 0, len(opts.Replay))
		for st := range opts.Replay {
			starts = append(starts, st)
		}
		sort.Ints(starts)
		log.Info("replaying CSW pages", "url", "http://"+addr+"/csw", "start_positions", starts)
	} else {
		log.Info("serving CSW", "url", "http://"+addr+"/csw", "records", len(recs))
	}
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", addr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

var (
	postOp    = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?(GetRecords|GetRecordById|GetCapabilities)[\s>/]`)
	postStart = regexp.MustCompile(`\sstartPosition\s*=\s*["'](\d+)["']`)
)

// describe returns a request's operation and startPosition, from the
// query or from a POST body (read here and put back for the handler).
func describe(r *http.Request) (op, start string) {
	q := r.URL.Query()
	op, start = q.Get("request"), q.Get("startPosition")
	if r.Method != http.MethodPost || r.Body == nil {
		return op, start
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return op, start
	}
	if m := postOp.FindSubmatch(body); m != nil {
		op = string(m[1])
	}
	if m := postStart.FindSubmatch(body); m != nil {
		start = string(m[1])
	} else if op == "GetRecords" && start == "" {
		start = "1"
	}
	return op, start
}

// readDir returns the records of every *.xml file of dir, in name order:
// bare records (a root ending in "Metadata", or csw:Record) and the
// records inside GetRecords/GetRecordById responses; other files are
// skipped with a warning.
func readDir(dir string, log *slog.Logger) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(files)
	var recs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		var inside [][]byte
		_, err = csw.SplitRecords(bytes.NewReader(data), func(raw []byte) error {
			inside = append(inside, raw)
			return nil
		})
		var root *csw.RootError
		switch {
		case errors.As(err, &root) && (strings.HasSuffix(root.Local, "Metadata") || root.Local == "Record"):
			recs = append(recs, data) // a bare record
		case err != nil:
			log.Warn("skipping file: neither a record nor a CSW response", "file", f, "error", err.Error())
		default:
			recs = append(recs, inside...)
		}
	}
	return recs, nil
}

// loadReplay reads the recorded pages named by arg: the *.xml files of a
// folder (files that are not GetRecordsResponse pages are skipped with a
// warning) or the files matching a glob pattern (all must be pages).
func loadReplay(arg string, log *slog.Logger) (map[int][]byte, error) {
	pattern, strict := arg, true
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		pattern, strict = filepath.Join(arg, "*.xml"), false
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", arg, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("replay %s: no file", arg)
	}
	sort.Strings(files)
	var pages [][]byte
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		if _, _, err := cswtest.PageStart(data); errors.Is(err, cswtest.ErrNotPage) && !strict {
			log.Warn("skipping file: not a GetRecordsResponse page", "file", f)
			continue
		}
		pages = append(pages, data)
		names = append(names, f)
	}
	out, err := cswtest.ReplayPages(pages)
	if err != nil {
		return nil, fmt.Errorf("replay %s (%s): %w", arg, strings.Join(names, ", "), err)
	}
	return out, nil
}

var faults = map[string]cswtest.FaultKind{
	"500": cswtest.FaultStatus500, "503": cswtest.FaultStatus503, "reset": cswtest.FaultReset,
	"truncate": cswtest.FaultTruncate, "invalid-char": cswtest.FaultInvalidChar, "exception": cswtest.FaultException,
	"html": cswtest.FaultHTML, "entity-bomb": cswtest.FaultEntityBomb, "deep-nesting": cswtest.FaultDeepNesting,
	"short-page": cswtest.FaultShortPage, "bigger-page": cswtest.FaultBiggerPage,
}

func faultNames() []string {
	names := make([]string, 0, len(faults))
	for n := range faults {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parseFault reads KIND or KIND@POSITION.
func parseFault(v string) (cswtest.Fault, error) {
	name, at, hasAt := strings.Cut(v, "@")
	kind, ok := faults[name]
	if !ok {
		return cswtest.Fault{}, fmt.Errorf("unknown fault %q (known: %s)", name, strings.Join(faultNames(), ", "))
	}
	f := cswtest.Fault{Kind: kind, RetryAfter: "1"}
	if hasAt {
		n, err := strconv.Atoi(at)
		if err != nil || n < 1 {
			return cswtest.Fault{}, fmt.Errorf("fault %q: position must be a positive integer", v)
		}
		f.Position = n
	}
	return f, nil
}
