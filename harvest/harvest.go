package harvest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/client"
	"github.com/passerelle/passerelle/iso"
)

// NoProducer is the producer slug of records that name no organisation.
const NoProducer = "_none"

// batchSize is how many new or changed records are written to the store at
// once: memory stays bounded by a batch, not by the catalog.
const batchSize = 50

// Harvester harvests catalogs into a store.
type Harvester struct {
	Store  cache.Store
	Client *client.Client
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
}

// Options tune one run.
type Options struct {
	// AcceptDrop commits a harvest whose record count fell by more than
	// half; without it such a run is failed and the old snapshot kept.
	AcceptDrop bool
	// Progress, when set, is called as records arrive.
	Progress func(fetched, matched int)
	// Scheduled marks a run started by a scheduler, one of possibly
	// several replicas sharing the store: when another process holds the
	// catalog's lease the run does nothing, stores no report and returns
	// an error wrapping ErrBusy; once it holds the lease, a snapshot
	// younger than FreshFor (another replica has just harvested) makes it
	// do nothing and return an error wrapping ErrFresh.
	Scheduled bool
	FreshFor  time.Duration
	// Stop, when it closes, ends the run at the next page boundary: the
	// records already fetched are stored, no snapshot is committed and no
	// report stored (the previous snapshot stays), the lease is released
	// and Run returns an error wrapping ErrStopped. Cancelling ctx instead
	// aborts requests in flight.
	Stop <-chan struct{}
}

// Outcomes of a run that did not harvest (see Options).
var (
	ErrBusy    = errors.New("another harvest of this catalog is running (its lease is held); this run did nothing")
	ErrFresh   = errors.New("the catalog's snapshot is fresh (another process has just harvested it); this run did nothing")
	ErrStopped = errors.New("harvest stopped at a page boundary (shutting down); the previous snapshot stays")
)

// Run harvests one catalog and returns its report; the report is also
// stored. The error is non-nil only when the store itself failed (the
// report then says failed too).
func (h *Harvester) Run(ctx context.Context, cfg *config.Config, cat *config.Catalog, opt Options) (*Report, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	log := h.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("catalog", cat.ID)
	start := now()
	rep := &Report{Catalog: cat.ID, Started: start.UTC(), Errors: []Problem{}}
	r := &run{h: h, cfg: cfg, cat: cat, rep: rep, now: now, opt: opt, seen: map[string]int{}}

	err := r.leased(ctx)
	rep.DurationMS = time.Since(start).Milliseconds()
	if errors.Is(err, ErrStopped) || (opt.Scheduled && (errors.Is(err, ErrBusy) || errors.Is(err, ErrFresh))) {
		log.Info("harvest not done", "reason", err.Error(), "fetched", r.fetched)
		return nil, fmt.Errorf("harvest %q: %w", cat.ID, err)
	}
	if err != nil {
		rep.Status = StatusFailed
		rep.Kept = true
		rep.problem(Problem{Reason: err.Error()})
	}
	rep.redact()
	if data, jerr := json.Marshal(rep); jerr == nil {
		if serr := h.Store.AddReport(context.WithoutCancel(ctx), cat.ID, data); serr != nil && err == nil {
			err = fmt.Errorf("harvest %q: store report: %w", cat.ID, serr)
		}
	}
	log.Info("harvest done", "status", rep.Status, "matched", rep.Matched, "fetched", rep.Fetched,
		"added", rep.Added, "updated", rep.Updated, "unchanged", rep.Unchanged, "removed", rep.Removed,
		"failed", rep.Failed, "duration_ms", rep.DurationMS)
	if err != nil && errors.Is(err, errStore) {
		return rep, err
	}
	return rep, nil
}

var errStore = errors.New("store")

// limitError ends a walk at max_records or max_duration: the run is
// partial, with the error's text as the reason.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// Lease timing: a harvest holds its catalog's lease for leaseTTL and
// extends it every leaseTTL/3, so a crashed process — or one whose store
// went away under it, which cannot release the lease — blocks the catalog
// for at most leaseTTL (scripts/load.sh: Redis killed mid-harvest, the next
// harvest succeeds once the lease expires).
const leaseTTL = time.Minute

// leased runs the harvest under the catalog's lease, so that processes
// sharing a store (replicas on one Redis, a CLI run beside a server)
// harvest a catalog once at a time.
func (r *run) leased(ctx context.Context) error {
	lease, ok, err := r.h.Store.Lease(ctx, "harvest:"+r.cat.ID, leaseTTL)
	if err != nil {
		return r.storeErr("take the catalog's lease", err)
	}
	if !ok {
		return ErrBusy
	}
	defer lease.Release(context.WithoutCancel(ctx)) //nolint:errcheck // expires by itself
	if r.opt.FreshFor > 0 {
		// Re-check under the lease: a replica may have committed between
		// the scheduler's look at the snapshot and this lease.
		// Held by the lease, the snapshot read here is the run's previous
		// one: execute does not read it again.
		if err := r.readPrev(ctx, "read the snapshot's age"); err != nil {
			return err
		}
		if r.prev != nil && r.now().Sub(r.prev.Created) < r.opt.FreshFor {
			return ErrFresh
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		t := time.NewTicker(leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := lease.Extend(ctx, leaseTTL); err != nil && ctx.Err() == nil {
					cancel(fmt.Errorf("lost the catalog's lease: %w", err))
					return
				}
			}
		}
	}()
	err = r.execute(ctx)
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

type run struct {
	h    *Harvester
	cfg  *config.Config
	cat  *config.Catalog
	rep  *Report
	now  func() time.Time
	opt  Options
	prev *cache.Snapshot
	// prevRead: prev was read (under the lease), nil meaning none.
	prevRead bool

	prevByID   map[string]*cache.Entry
	prevByHash map[string]*cache.Entry
	// againFirst holds, when the stored models are parsed again (another
	// iso.ModelVersion), each previous hash's FirstStored: flush then has
	// nothing to read back for those.
	againFirst map[string]time.Time
	entries    []cache.Entry
	shadowed   []cache.Entry
	seen       map[string]int // fileIdentifier → index in entries
	pending    []cache.StoredRecord
	// firstStored holds the stored FirstStored of hashes this run found
	// already in the store (they keep it).
	firstStored map[string]time.Time
	fetched     int
}

func (r *run) storeErr(action string, err error) error {
	return fmt.Errorf("harvest %q: %s: %w: %w", r.cat.ID, action, errStore, err)
}

// readPrev reads the catalog's current snapshot into r.prev (nil if there
// is none), once a run.
func (r *run) readPrev(ctx context.Context, action string) error {
	if r.prevRead {
		return nil
	}
	prev, err := r.h.Store.Snapshot(ctx, r.cat.ID)
	switch {
	case errors.Is(err, cache.ErrNotFound):
	case err != nil:
		return r.storeErr(action, err)
	default:
		r.prev = prev
	}
	r.prevRead = true
	return nil
}

func (r *run) execute(ctx context.Context) error {
	if err := r.readPrev(ctx, "read previous snapshot"); err != nil {
		return err
	}
	r.prevByID = map[string]*cache.Entry{}
	r.prevByHash = map[string]*cache.Entry{}
	// Unchanged bytes are not parsed again, unless the stored models were
	// made by another version of the parser (iso.ModelVersion): then every
	// record is parsed once more, so what is served reads the current model.
	reuse := r.prev != nil && r.prev.Model == iso.ModelVersion
	if r.prev != nil && !reuse {
		r.againFirst = make(map[string]time.Time, len(r.prev.Entries)+len(r.prev.Shadowed))
		for _, list := range [][]cache.Entry{r.prev.Entries, r.prev.Shadowed} {
			for _, e := range list {
				r.againFirst[e.Hash] = e.FirstStored
			}
		}
		r.rep.Notes = append(r.rep.Notes, fmt.Sprintf(
			"records parsed again: the stored models were made by parser model %d, this version makes model %d", r.prev.Model, iso.ModelVersion))
	}
	if r.prev != nil {
		for i := range r.prev.Entries {
			e := &r.prev.Entries[i]
			r.prevByID[e.ID] = e
			if reuse {
				r.prevByHash[e.Hash] = e
			}
		}
		for i := range r.prev.Shadowed {
			e := &r.prev.Shadowed[i]
			if _, ok := r.prevByHash[e.Hash]; !ok && reuse {
				r.prevByHash[e.Hash] = e
			}
		}
	}

	// The walk stops at max_duration; storing what it fetched uses ctx.
	deadline := r.cfg.Deadline(r.cat)
	wctx, cancel := context.WithTimeoutCause(ctx, deadline, &limitError{
		fmt.Sprintf("harvest stopped after max_duration %s: what was fetched is kept (partial); raise max_duration to harvest more", deadline)})
	defer cancel()
	res, werr := r.walk(ctx, wctx)
	if err := r.flush(ctx); err != nil {
		return err
	}
	if werr != nil && (errors.Is(werr, errStore) || errors.Is(werr, ErrStopped)) {
		return werr
	}
	var le *limitError
	if cause := context.Cause(wctx); werr != nil && ctx.Err() == nil && errors.As(cause, &le) {
		werr = le // the walk ended on the deadline: say which
	}
	if errors.As(werr, &le) {
		werr = le // without the walk's wrapping
	}
	rep := r.rep
	if res != nil {
		rep.Matched = res.matched
		rep.Requests = res.requests
		rep.AdvertisedURL, rep.FinalURL = res.advertised, res.final
		rep.Notes = append(rep.Notes, res.notes...)
		for _, p := range res.problems {
			rep.problem(p)
		}
	}
	rep.Fetched = r.fetched
	complete := werr == nil && res != nil && res.complete
	if !complete && rep.Matched > 0 {
		rep.problem(Problem{Reason: fmt.Sprintf("only %d of %d positions fetched", r.fetched, rep.Matched)})
	}
	switch {
	case r.fetched == 0 && (werr != nil || !complete):
		if werr == nil {
			werr = errors.New("nothing could be fetched")
		}
		rep.Status = StatusFailed
		rep.Kept = true
		rep.problem(Problem{Reason: werr.Error()})
		return r.keepPrevious()
	case werr != nil:
		rep.Errors = append(rep.Errors, Problem{Reason: werr.Error()}) // why the run ended: past the cap too
		rep.Status = StatusPartial
	case complete:
		rep.Status = StatusOK
	default:
		rep.Status = StatusPartial
	}
	return r.commit(ctx)
}

// stopping reports whether Options.Stop is closed and done records end a
// page (pages of the catalog's page size, from position 1).
func (r *run) stopping(done int) bool {
	if r.opt.Stop == nil || done <= 0 || done%max(r.cat.PageSize, 1) != 0 {
		return false
	}
	select {
	case <-r.opt.Stop:
		return true
	default:
		return false
	}
}

func (r *run) keepPrevious() error {
	if r.prev != nil {
		r.rep.Generation = r.prev.Generation
		r.rep.Records = len(r.prev.Entries)
	}
	return nil
}

// prepared is what the parallel stage makes of one upstream record; record
// then applies it in upstream order.
type prepared struct {
	pos      int
	raw      []byte
	hash     string
	old      *cache.Entry // previous entry with the same bytes: nothing to parse
	entry    cache.Entry  // for a parsed record
	parsed   []byte
	err      error // parse failure (counted, reported)
	fatalErr error // encoding failure (stops the run)
	done     chan struct{}
}

// prepare hashes a record and, unless its bytes are already known, parses
// and encodes it. It only reads the run's previous snapshot and
// configuration, so several run at once.
func (r *run) prepare(p *prepared) {
	defer close(p.done)
	sum := sha256.Sum256(p.raw)
	p.hash = hex.EncodeToString(sum[:])
	if old, ok := r.prevByHash[p.hash]; ok {
		p.old = old
		return
	}
	rec, err := iso.Parse(p.raw)
	if err == nil && rec.FileIdentifier == "" {
		err = errors.New("record has no fileIdentifier")
	}
	if err != nil {
		p.err = err
		return
	}
	parsed, err := json.Marshal(rec)
	if err != nil {
		p.fatalErr = fmt.Errorf("encode record %q: %w", rec.FileIdentifier, err)
		return
	}
	p.parsed = parsed
	names := rec.ProducerNames()
	p.entry = cache.Entry{
		ID:            rec.FileIdentifier,
		Hash:          p.hash,
		DateStamp:     rec.DateStamp,
		Type:          rec.Type(),
		ProducerNames: names,
		Producers:     r.resolveProducers(names),
		Identifier:    rec.ResourceIdentifier(),
		ParentID:      rec.ParentIdentifier,
		Title:         rec.Title.Value,
	}
}

// window bounds the records in flight between the source and the store:
// memory stays about window × record size. A CSW walk keeps about one
// page in flight (max(page size, 2 × workers), at most window): the next
// page is fetched while the current one is parsed, and a stop at a page
// boundary leaves at most that prefetched page unused.
const window = 256

func (r *run) inFlight() int {
	if r.cat.Dir != "" {
		return window
	}
	return min(window, max(r.cat.PageSize, 2*runtime.GOMAXPROCS(0)))
}

// walk runs the source with a bounded pipeline: the source delivers records
// in order, a pool of GOMAXPROCS workers hashes, parses and encodes them,
// and one goroutine applies the results in upstream order (dedupe, batches
// to the store), so the outcome is that of a sequential run.
//
// The source runs on wctx (it carries max_duration), the store writes on
// ctx: what was fetched before the deadline is still applied.
func (r *run) walk(ctx, wctx context.Context) (*walkResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sctx, scancel := context.WithCancelCause(wctx)
	defer scancel(nil)
	limit := r.cat.RecordLimit()
	delivered := 0
	w := r.inFlight()
	work := make(chan *prepared, w)
	inOrder := make(chan *prepared, w)
	var matched atomic.Int64
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				r.prepare(p)
			}
		}()
	}
	applied := make(chan error, 1)
	go func() {
		var err error
		for p := range inOrder {
			<-p.done
			if err != nil {
				continue // drain
			}
			if r.stopping(p.pos - 1) {
				err = ErrStopped // a page fetched ahead is not used
				scancel(err)
				continue
			}
			if err = r.record(ctx, p); err != nil {
				scancel(err)
				continue
			}
			if r.opt.Progress != nil {
				r.opt.Progress(r.fetched, int(matched.Load()))
			}
		}
		applied <- err
	}()
	res, werr := r.source()(sctx, func(pos int, raw []byte) error {
		if r.stopping(pos - 1) {
			return ErrStopped // this page was fetched but is not used
		}
		if delivered >= limit {
			return &limitError{fmt.Sprintf("harvest stopped at max_records %d: what was fetched is kept (partial); raise max_records to harvest more", limit)}
		}
		delivered++
		p := &prepared{pos: pos, raw: raw, done: make(chan struct{})}
		select {
		case inOrder <- p:
		case <-sctx.Done():
			return context.Cause(sctx)
		}
		select {
		case work <- p:
		case <-sctx.Done():
			p.fatalErr = context.Cause(sctx) // never prepared: the applier stops on it
			close(p.done)
			return p.fatalErr
		}
		if r.stopping(pos) {
			return ErrStopped // the next page is not requested
		}
		return nil
	}, func(n int) { matched.Store(int64(n)) })
	close(work)
	close(inOrder)
	wg.Wait()
	if err := <-applied; err != nil {
		return res, err
	}
	return res, werr
}

// record applies one prepared record, in upstream order: skip when
// unchanged, otherwise queue for storage.
func (r *run) record(ctx context.Context, p *prepared) error {
	r.fetched++
	pos := p.pos
	if p.fatalErr != nil {
		return p.fatalErr
	}
	if p.old != nil {
		e := *p.old
		e.Producers = r.resolveProducers(e.ProducerNames)
		r.add(e, pos, false)
		return nil
	}
	if err := p.err; err != nil {
		r.rep.Failed++
		id := iso.FileIdentifierOf(p.raw)
		pr := Problem{RecordID: id, Reason: fmt.Sprintf("record at position %d: %v", pos, err)}
		if old, ok := r.prevByID[id]; ok && id != "" {
			pr.Reason += " (previous version kept)"
			r.add(*old, pos, true)
		}
		r.rep.problem(pr)
		return nil
	}
	r.rep.Parsed++
	e := p.entry
	hash, raw, parsed := p.hash, p.raw, p.parsed
	e.FirstStored = r.now().UTC()
	if old, ok := r.prevByID[e.ID]; ok && old.Identifier != "" {
		e.Identifier = old.Identifier // the first value served is kept
	}
	r.pending = append(r.pending, cache.StoredRecord{Hash: hash, Raw: raw, Parsed: parsed, FirstStored: e.FirstStored})
	r.add(e, pos, true)
	if len(r.pending) >= batchSize {
		return r.flush(ctx)
	}
	return nil
}

// add records an entry, resolving duplicate fileIdentifiers: the latest
// dateStamp wins, the others are reported.
func (r *run) add(e cache.Entry, pos int, changed bool) {
	if i, ok := r.seen[e.ID]; ok {
		r.rep.Duplicates++
		cur := r.entries[i]
		winner, loser := cur, e
		if iso.LaterDate(e.DateStamp, cur.DateStamp) {
			winner, loser = e, cur
			r.entries[i] = e
		}
		r.shadowed = append(r.shadowed, loser)
		r.rep.problem(Problem{RecordID: e.ID, Reason: fmt.Sprintf(
			"duplicate fileIdentifier (position %d): record with dateStamp %q kept, the one with dateStamp %q (hash %.12s) dropped",
			pos, winner.DateStamp, loser.DateStamp, loser.Hash)})
		return
	}
	r.seen[e.ID] = len(r.entries)
	r.entries = append(r.entries, e)
}

func (r *run) resolveProducers(names []string) []string {
	var slugs []string
	have := map[string]bool{}
	for _, n := range names {
		slug, _, ok := r.cfg.Producers.Resolve(n)
		if !ok || slug == "" || have[slug] {
			continue
		}
		have[slug] = true
		slugs = append(slugs, slug)
	}
	if len(slugs) == 0 {
		return []string{NoProducer}
	}
	return slugs
}

func (r *run) flush(ctx context.Context) error {
	if len(r.pending) == 0 {
		return nil
	}
	// The store keeps the FirstStored of a hash it already had (content
	// that left and came back while its record was still stored): read
	// those few back, never the whole batch.
	if r.firstStored == nil {
		r.firstStored = map[string]time.Time{}
	}
	hashes := make([]string, 0, len(r.pending))
	for _, p := range r.pending {
		if t, ok := r.againFirst[p.Hash]; ok {
			r.firstStored[p.Hash] = t // parsed again: the snapshot knew it
			continue
		}
		hashes = append(hashes, p.Hash)
	}
	if len(hashes) > 0 {
		if err := r.readBackFirstStored(ctx, hashes); err != nil {
			return err
		}
	}
	if err := r.h.Store.PutRecords(ctx, r.cat.ID, r.pending); err != nil {
		return r.storeErr("store records", err)
	}
	r.pending = r.pending[:0]
	return nil
}

// readBackFirstStored learns the FirstStored of those hashes the store
// already had (content that left and came back while its record was still
// stored), reading only those records.
func (r *run) readBackFirstStored(ctx context.Context, hashes []string) error {
	has, err := r.h.Store.HasRecords(ctx, r.cat.ID, hashes)
	if err != nil {
		return r.storeErr("look up records", err)
	}
	var known []string
	for i, ok := range has {
		if ok {
			known = append(known, hashes[i])
		}
	}
	if len(known) > 0 {
		recs, err := r.h.Store.Records(ctx, r.cat.ID, known)
		if err != nil {
			return r.storeErr("read back stored records", err)
		}
		for _, rec := range recs {
			r.firstStored[rec.Hash] = rec.FirstStored
		}
	}
	return nil
}

// commit builds the new snapshot from this run's entries (plus, for a
// partial run, every previous entry it could not confirm), applies the drop
// guard and switches to it.
func (r *run) commit(ctx context.Context) error {
	rep := r.rep
	entries := r.entries
	model := iso.ModelVersion
	if rep.Status == StatusPartial && r.prev != nil {
		kept := 0
		for _, e := range r.prev.Entries {
			if _, ok := r.seen[e.ID]; !ok {
				e.Producers = r.resolveProducers(e.ProducerNames)
				entries = append(entries, e)
				kept++
			}
		}
		if kept > 0 && r.prev.Model != iso.ModelVersion {
			model = r.prev.Model // kept records still hold old models: the next run parses again
		}
		if kept > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("partial harvest: %d records not confirmed upstream kept from the previous snapshot; nothing removed", kept))
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	rep.Notes = append(rep.Notes, rejectedProducerNotes(r.cfg, entries)...)

	// Counts against the previous snapshot.
	for _, e := range entries {
		old, ok := r.prevByID[e.ID]
		switch {
		case !ok:
			rep.Added++
		case old.Hash == e.Hash:
			rep.Unchanged++
		default:
			rep.Updated++
		}
	}
	if r.prev != nil && rep.Status == StatusOK {
		for _, e := range r.prev.Entries {
			if _, ok := r.seen[e.ID]; !ok {
				rep.Removed++
			}
		}
	}

	// FirstStored comes from the store for hashes it already had.
	r.fixFirstStored(entries)
	markConflicts(entries, r.prevByID, rep)

	if r.prev != nil && len(entries)*2 < len(r.prev.Entries) && !r.opt.AcceptDrop {
		rep.Status = StatusFailed
		rep.Kept = true
		rep.problem(Problem{Reason: fmt.Sprintf(
			"record count dropped from %d to %d (more than half): previous snapshot kept; run with --accept-drop to accept",
			len(r.prev.Entries), len(entries))})
		rep.Added, rep.Updated, rep.Unchanged, rep.Removed = 0, 0, 0, 0
		return r.keepPrevious()
	}
	if rep.Status == StatusPartial && len(entries) == 0 {
		rep.Status = StatusFailed
		rep.Kept = true
		return r.keepPrevious()
	}

	snap := &cache.Snapshot{
		Catalog:    r.cat.ID,
		Generation: 1,
		Created:    r.now().UTC(),
		Status:     rep.Status,
		Model:      model,
		Entries:    entries,
		Shadowed:   r.shadowed,
		Producers:  displayNames(r.cfg, entries),
	}
	if r.prev != nil {
		snap.Generation = r.prev.Generation + 1
	}
	if err := r.h.Store.Commit(ctx, snap); err != nil {
		return r.storeErr("commit snapshot", err)
	}
	rep.Generation = snap.Generation
	rep.Records = len(entries)

	keep := make(map[string]bool, len(entries)*2)
	for _, e := range entries {
		keep[e.Hash] = true
	}
	for _, e := range r.shadowed {
		keep[e.Hash] = true
	}
	if r.prev != nil { // readers may still be on the previous snapshot
		for _, e := range r.prev.Entries {
			keep[e.Hash] = true
		}
	}
	if _, err := r.h.Store.Prune(ctx, r.cat.ID, keep); err != nil {
		rep.Notes = append(rep.Notes, "pruning old records failed (retried next run): "+err.Error())
	}
	return nil
}

func (r *run) fixFirstStored(entries []cache.Entry) {
	for i := range entries {
		if t, ok := r.firstStored[entries[i].Hash]; ok {
			entries[i].FirstStored = t
		}
	}
}

// markConflicts flags records whose served identifier another record of the
// catalog already serves. The record that served it in the previous
// snapshot keeps it; among newcomers, the one first stored, then the
// smallest fileIdentifier.
func markConflicts(entries []cache.Entry, prev map[string]*cache.Entry, rep *Report) {
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	served := func(e cache.Entry) bool {
		p, ok := prev[e.ID]
		return ok && p.Conflict == "" && p.Identifier == e.Identifier
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := entries[order[a]], entries[order[b]]
		if sa, sb := served(ea), served(eb); sa != sb {
			return sa
		}
		if !ea.FirstStored.Equal(eb.FirstStored) {
			return ea.FirstStored.Before(eb.FirstStored)
		}
		return ea.ID < eb.ID
	})
	owner := map[string]string{}
	for _, i := range order {
		e := &entries[i]
		e.Conflict = ""
		if o, ok := owner[e.Identifier]; ok {
			e.Conflict = o
			rep.problem(Problem{RecordID: e.ID, Reason: fmt.Sprintf(
				"identifier %q is already served for record %q: this record is left out of the DCAT feeds", e.Identifier, o)})
			continue
		}
		owner[e.Identifier] = e.ID
	}
}

// displayNames picks, per producer slug, the alias target or else the most
// frequent spelling (ties: the alphabetically first).
func displayNames(cfg *config.Config, entries []cache.Entry) map[string]string {
	counts := map[string]map[string]int{}
	for _, e := range entries {
		for _, n := range e.ProducerNames {
			slug, display, ok := cfg.Producers.Resolve(n)
			if !ok {
				continue
			}
			if counts[slug] == nil {
				counts[slug] = map[string]int{}
			}
			counts[slug][display]++
		}
	}
	out := make(map[string]string, len(counts)+1)
	for slug, byName := range counts {
		best, bestN := "", -1
		for name, n := range byName {
			if n > bestN || (n == bestN && name < best) {
				best, bestN = name, n
			}
		}
		out[slug] = best
	}
	for _, target := range cfg.Producers.Aliases {
		if slug := iso.Slug(target); out[slug] != "" {
			out[slug] = target
		}
	}
	for _, e := range entries {
		if len(e.Producers) == 1 && e.Producers[0] == NoProducer {
			out[NoProducer] = "(aucun producteur)"
			break
		}
	}
	return out
}
