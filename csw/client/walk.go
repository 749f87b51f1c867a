package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/passerelle/passerelle/csw"
)

// Record is one record delivered by Walk.
type Record struct {
	// Position is the record's 1-based position in the server's result
	// set (startPosition of its page + its index in the page).
	Position int
	// Raw is a self-contained XML document of the record (see
	// SplitRecords); it belongs to the callee.
	Raw []byte
}

// PageError is a page that failed after retries and fallbacks; its
// positions were then fetched in halves down to single records, unless
// the walk stopped on a systematic failure (see Walk). It also covers
// the positions left unasked by such a stop (Reason "not requested: …").
type PageError struct {
	Start, Size int
	Reason      string
}

// RecordError is a position skipped because even a single-record request
// for it failed (or, with BriefThenByID, its GetRecordById failed).
type RecordError struct {
	Position int
	ID       string // identifier when known (BriefThenByID), else ""
	Reason   string
}

// WalkReport tells what a walk did.
type WalkReport struct {
	Matched int // numberOfRecordsMatched (last value seen)
	Fetched int // distinct positions delivered in the final pass
	// Complete: every position 1..Matched was delivered in one pass with a
	// stable numberOfRecordsMatched. Only a complete walk may be used to
	// detect deletions (and only together with unique identifiers).
	Complete      bool
	PageErrors    []PageError
	RecordErrors  []RecordError
	AdvertisedURL string   // GetRecords URL advertised by GetCapabilities ("" if unknown)
	FinalURL      string   // URL answering the last request, after redirects
	Notes         []string // fallbacks taken and oddities seen, in order
	Requests      int      // HTTP requests sent
	Restarts      int      // restarts caused by numberOfRecordsMatched changing
	Duration      time.Duration
}

func (r *WalkReport) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, n := range r.Notes {
		if n == msg {
			return
		}
	}
	r.Notes = append(r.Notes, msg)
}

// Walk lists every record of ep and calls fn once per record, in position
// order within a pass. Pages are parsed as they stream in; nothing beyond
// one record is held.
//
// It asks GetCapabilities (for the advertised URL and POST support), counts
// with resultType=hits, then pages with resultType=results (ISO full,
// POST XML unless refused). Paging advances by the records actually
// returned and stops on nextRecord 0, no progress, past
// numberOfRecordsMatched or an empty page. A failing page is retried
// (ErrTransient only, exponential backoff, Retry-After honoured), then
// fetched in halves down to single records; what still fails is skipped
// and listed in RecordErrors. When both halves of a page fail with the
// same kind of error as the page (same exception code, HTTP status, HTML
// answer…), the page is split further only once a later page shows the
// failure is not systematic (its records then come after later ones);
// after SystematicPages such pages in a row the walk stops, not
// Complete, with a PageError for the positions not asked: a server
// failing every request costs a few requests, not two per record.
// When numberOfRecordsMatched changes, the walk
// restarts from 1 (at most MaxRestarts times); records already delivered
// with the same bytes are not delivered again, changed ones are (consumers
// key records by identifier).
//
// Walk returns an error when no listing could be made (count failed,
// context done) or when fn fails (the walk stops; fn's error is wrapped).
// The report is never nil; Matched is 0 when the count failed. A nil fn
// discards records (a dry run).
func (c *Client) Walk(ctx context.Context, ep Endpoint, fn func(Record) error) (*WalkReport, error) {
	begin := time.Now()
	rep := &WalkReport{}
	defer func() { rep.Duration = time.Since(begin) }()
	if err := checkEndpoint(&ep); err != nil {
		return rep, err
	}
	if fn == nil {
		fn = func(Record) error { return nil }
	}
	w := &walk{
		c: c, ep: &ep, fn: fn, rep: rep, seed: maphash.MakeSeed(), now: map[uint64]struct{}{},
		post: true, sort: ep.Sort, nsParam: ep.NamespaceParam, cqlText: ep.CQLTextParam, brief: ep.BriefThenByID,
		log: c.log.With("csw_url", ep.URL), lim: ep.Limits,
	}
	if err := w.capabilities(ctx); err != nil {
		return rep, err
	}
	matched, err := w.hits(ctx)
	if err != nil {
		return rep, fmt.Errorf("csw: count records at %s: %w", ep.URL, err)
	}
	w.matched = matched
	rep.Matched = matched
	if matched == 0 {
		rep.note("the catalog reports no record (numberOfRecordsMatched 0)")
	}
	for {
		restart, err := w.pass(ctx)
		if err != nil {
			rep.Fetched = w.delivered.count
			return rep, err
		}
		if !restart {
			break
		}
	}
	rep.Matched = w.matched
	rep.Fetched = w.delivered.count
	rep.Complete = !w.unstable && !w.ignoresStart && w.delivered.all(w.matched)
	w.log.Debug("csw walk done", "matched", rep.Matched, "fetched", rep.Fetched, "complete", rep.Complete, "requests", rep.Requests)
	return rep, nil
}

func checkEndpoint(ep *Endpoint) error {
	u, err := url.Parse(ep.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("csw: endpoint URL %q: must be an absolute http(s) URL", redact(ep.URL))
	}
	if u.User != nil {
		// Credentials in the URL travel in an Authorization header only:
		// the URL itself appears in reports, notes and logs.
		pass, _ := u.User.Password()
		cred := u.User.Username() + ":" + pass
		u.User = nil
		ep.URL = u.String()
		headers := make(map[string]string, len(ep.Headers)+1)
		auth := false
		for k, v := range ep.Headers {
			headers[k] = v
			auth = auth || strings.EqualFold(k, "Authorization")
		}
		if !auth {
			headers["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
		}
		ep.Headers = headers
	}
	if ep.PageSize <= 0 {
		ep.PageSize = DefaultPageSize
	}
	if ep.Timeout <= 0 {
		ep.Timeout = DefaultTimeout
	}
	return nil
}

// walk is the state of one Walk.
type walk struct {
	c   *Client
	ep  *Endpoint
	fn  func(Record) error
	rep *WalkReport
	log interface {
		Debug(msg string, args ...any)
	}

	// compatibility state, switched by fallbacks
	post, sort, nsParam, cqlText, brief, rawQS bool
	postWorked                                 bool // a POST GetRecords succeeded: later exceptions are not about POST

	matched   int
	delivered bitset
	restarts  int
	unstable  bool

	// Content hashes of the records handed to fn, in this pass and in the
	// passes before a restart: a record already delivered unchanged is not
	// delivered again after a restart.
	seed            maphash.Seed
	earlier, now    map[uint64]struct{}
	skippedAsBefore int
	// Failing pages whose halves failed like them, not split further
	// until a later page tells whether the server fails systematically.
	deferred     []span
	streak       int          // such pages in a row
	streakKind   string       // their kind of error (failureKind)
	passPages    int          // pages asked in this pass
	hold         *[]Record    // non-nil: deliver appends here instead of calling fn
	repeats      int          // records of the current page already delivered in this pass
	ignoresStart bool         // a whole page repeated earlier records: startPosition ignored
	lim          csw.Limits   // record limits (Endpoint.Limits)
	large        map[int]bool // positions skipped for their size in this pass
}

// errNoSearchResults: a GetRecords answer without csw:SearchResults.
var errNoSearchResults = &csw.Sentinel{Class: csw.ErrUpstream, Msg: "csw: GetRecords answer without csw:SearchResults"}

// errTooManyRecords: a page held more records than asked.
var errTooManyRecords = &csw.Sentinel{Class: csw.ErrUpstream, Msg: "csw: page holds more records than maxRecords"}

// call performs one logical request: transient failures are retried with
// backoff, exceptions naming a parameter switch a compatibility option.
// build is called before every attempt (the options may have changed).
func (w *walk) call(ctx context.Context, build func() *request, parse func(io.Reader) error) error {
	retries, fallbacks := 0, 0
	for {
		req := build()
		final, err := w.c.exchange(ctx, w.ep, req, parse)
		w.rep.Requests++
		if final != "" {
			w.rep.FinalURL = final
			if !sameURL(final, w.ep.URL) {
				w.rep.note("redirected: %s answers for %s (the configured URL is still used)", final, w.ep.URL)
			}
		}
		if err == nil {
			if req.post && req.op == "GetRecords" {
				w.postWorked = true
			}
			return nil
		}
		var cb *callbackError
		if ctx.Err() != nil || errors.As(err, &cb) {
			return err
		}
		if fallbacks < 6 && w.fallback(req, err) {
			fallbacks++
			continue
		}
		if !errors.Is(err, csw.ErrTransient) || retries >= w.c.retries {
			return fmt.Errorf("%s: %w", req, err)
		}
		wait := w.wait(retries, err)
		retries++
		w.log.Debug("csw retry", "request", req.String(), "attempt", retries, "wait", wait, "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// wait is the backoff before retry number n (from 0): base·2ⁿ with jitter,
// at least Retry-After, capped by MaxBackoff.
func (w *walk) wait(n int, err error) time.Duration {
	d := w.c.backoff << min(n, 20)
	d = d/2 + rand.N(d/2+1)
	var he *httpError
	if errors.As(err, &he) && he.retryAfter > d {
		d = he.retryAfter
	}
	return min(d, w.c.maxBackoff)
}

// fallback switches a compatibility option when err says the server
// refused what req used; it reports whether to try again.
func (w *walk) fallback(req *request, err error) bool {
	var pr *postRedirect
	if errors.As(err, &pr) && req.post {
		w.post = false
		w.rep.note("POST to %s redirected (HTTP %d) to %s, which turns it into a GET without its XML body: using KVP GET (requests still go to the configured URL; configure %s to keep POST)",
			w.ep.URL, pr.status, pr.to, pr.to)
		return true
	}
	var he *httpError
	if errors.As(err, &he) && req.post && (he.status == 405 || he.status == 501 || he.status == 415) {
		w.post = false
		w.rep.note("server refused POST (HTTP %d): using KVP GET", he.status)
		return true
	}
	var ex *csw.ExceptionError
	if !errors.As(err, &ex) {
		return false
	}
	switch {
	case req.sort && ex.Mentions("sortby"):
		w.sort = false
		w.rep.note("server rejected SortBy (%s): dropped, order not guaranteed", ex.Code)
	case req.post && !w.postWorked:
		w.post = false
		w.rep.note("server refused the POST request (%s): using KVP GET", csw.Shorten(ex.Error(), 200))
	case req.op == "GetRecords" && !req.nsParam && ex.Mentions("typename", "namespace"):
		w.nsParam = true
		w.rep.note("server rejected typeNames (%s): adding the namespace parameter (set namespace_param)", ex.Code)
	case req.op == "GetRecords" && !req.post && !req.rawQS && ex.Mentions("typename", "outputschema"):
		w.rawQS = true
		w.rep.note("server rejected the encoded query (%s on %s): sending the query string unencoded", ex.Code, ex.Locator)
	case req.op == "GetRecords" && req.constraint != "" && !req.cqlText && ex.Mentions("constraintlanguage", "constraint_language"):
		w.cqlText = true
		w.rep.note("server asked for constraintLanguage (%s): sending CQL_TEXT (set cql_text_param)", ex.Code)
	case req.op == "GetRecords" && req.elementSet == "full" && !w.brief && ex.Mentions("elementname", "xpath"):
		w.brief = true
		w.rep.note("server failed full records (%s): paging brief then GetRecordById (set brief_then_by_id)", ex.Code)
	default:
		return false
	}
	return true
}

// getRecords builds a GetRecords request with the current options.
func (w *walk) getRecords(resultType string, start, max int) *request {
	es := "full"
	if w.brief {
		es = "brief"
	}
	return &request{
		op: "GetRecords", post: w.post, resultType: resultType, start: start, max: max, elementSet: es,
		sort: w.sort && resultType == "results", nsParam: w.nsParam, cqlText: w.cqlText, constraint: w.ep.Constraint,
		rawQS: w.rawQS,
	}
}

// capabilities asks GetCapabilities: POST support and the advertised URL.
// Failures are noted, not fatal (GetRecords decides).
func (w *walk) capabilities(ctx context.Context) error {
	var caps *csw.Capabilities
	err := w.call(ctx, func() *request { return &request{op: "GetCapabilities"} }, func(r io.Reader) error {
		var err error
		caps, err = csw.ParseCapabilities(r)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.rep.note("GetCapabilities failed: %s", csw.Shorten(err.Error(), 300))
		return nil
	}
	if !caps.HasGetRecords {
		w.rep.note("capabilities do not list GetRecords")
		return nil
	}
	w.rep.AdvertisedURL = caps.PostURL
	if caps.PostURL == "" {
		w.rep.AdvertisedURL = caps.GetURL
		w.post = false
		w.rep.note("capabilities advertise no POST for GetRecords: using KVP GET")
	}
	if w.rep.AdvertisedURL != "" && !sameURL(w.rep.AdvertisedURL, w.ep.URL) {
		w.rep.note("advertised URL %s differs from the configured URL (the configured URL is used)", w.rep.AdvertisedURL)
	}
	return nil
}

// hits returns numberOfRecordsMatched.
func (w *walk) hits(ctx context.Context) (int, error) {
	var env *csw.Envelope
	err := w.call(ctx, func() *request { return w.getRecords("hits", 1, 1) }, func(r io.Reader) error {
		var err error
		// a hits answer should hold no record; one it holds anyway is
		// discarded, and bounded by the record limits like a page's
		env, err = csw.SplitPage(r, w.lim, func(*csw.Envelope, []byte) error { return nil },
			func(*csw.Envelope, string) error { return nil })
		return err
	})
	if err != nil {
		return 0, err
	}
	if !env.HasSearchResults || env.Matched < 0 {
		return 0, csw.NewError(csw.ErrUpstream, "hits answer without csw:SearchResults/@numberOfRecordsMatched", nil)
	}
	return env.Matched, nil
}

// page is the outcome of one page request.
type page struct {
	k   int // records returned (children of SearchResults)
	env *csw.Envelope
	err error // page failed (after retries): split it
}

// page asks records [start, start+n) and delivers them. A non-nil error
// return ends the walk (fn failed, context done); a restart is signalled
// by restart.
func (w *walk) page(ctx context.Context, start, n int) (p page, restart bool, fatal error) {
	var ids []briefID
	var env *csw.Envelope
	err := w.call(ctx, func() *request {
		p.k, ids, w.repeats = 0, ids[:0], 0
		return w.getRecords("results", start, n)
	}, func(r io.Reader) error {
		var err error
		env, err = csw.SplitPage(r, w.lim, func(e *csw.Envelope, raw []byte) error {
			if !e.HasSearchResults {
				return errNoSearchResults
			}
			pos := start + p.k
			p.k++
			if p.k > n {
				return errTooManyRecords
			}
			if w.brief {
				ids = append(ids, briefID{pos: pos, id: csw.RecordID(raw)})
				return nil
			}
			return w.deliver(pos, raw)
		}, func(e *csw.Envelope, reason string) error {
			if !e.HasSearchResults {
				return errNoSearchResults
			}
			pos := start + p.k
			p.k++
			if p.k > n {
				return errTooManyRecords
			}
			w.tooLarge(pos, "", reason)
			return nil
		})
		return err
	})
	p.env = env
	var cb *callbackError
	switch {
	case ctx.Err() != nil:
		return p, false, ctx.Err()
	case errors.As(err, &cb):
		return p, false, cb.err
	case errors.Is(err, errTooManyRecords):
		w.rep.PageErrors = append(w.rep.PageErrors, PageError{Start: start, Size: n, Reason: fmt.Sprintf("server returned more than the %d records asked: extra records ignored", n)})
		p.k = n
	case err != nil:
		p.err = err
		return p, false, nil
	case env == nil || !env.HasSearchResults:
		p.err = errNoSearchResults
		return p, false, nil
	}
	if env != nil && env.Matched >= 0 && env.Matched != w.matched {
		if start == 1 && w.delivered.count <= p.k {
			w.rep.note("numberOfRecordsMatched %d on the first page differs from the count %d: using %d", env.Matched, w.matched, env.Matched)
			w.matched = env.Matched
		} else if w.restarts < MaxRestarts {
			w.restarts++
			w.rep.Restarts++
			w.rep.note("numberOfRecordsMatched changed from %d to %d at position %d: restart %d", w.matched, env.Matched, start, w.restarts)
			w.matched = env.Matched
			return p, true, nil
		} else {
			w.unstable = true
			w.rep.note("numberOfRecordsMatched changed from %d to %d at position %d after %d restarts: finishing, walk not complete", w.matched, env.Matched, start, MaxRestarts)
			w.matched = env.Matched
		}
	}
	if w.brief {
		for _, b := range ids {
			if err := w.byID(ctx, b); err != nil {
				return p, false, err
			}
		}
	}
	return p, false, nil
}

// tooLarge reports a record skipped for its size, once per position and
// pass (a page may be asked again).
func (w *walk) tooLarge(pos int, id, reason string) {
	if w.delivered.has(pos) || w.large[pos] {
		return
	}
	if w.large == nil {
		w.large = map[int]bool{}
	}
	w.large[pos] = true
	w.rep.RecordErrors = append(w.rep.RecordErrors, RecordError{Position: pos, ID: id, Reason: reason})
}

// deliver hands a record to fn unless its position was delivered already
// in this pass (a retried page) or the same bytes were delivered in a pass
// abandoned by a restart.
func (w *walk) deliver(pos int, raw []byte) error {
	if w.hold != nil {
		*w.hold = append(*w.hold, Record{Position: pos, Raw: raw})
		return nil
	}
	if w.delivered.has(pos) {
		return nil
	}
	w.delivered.set(pos)
	h := maphash.Bytes(w.seed, raw)
	if _, ok := w.earlier[h]; ok {
		w.skippedAsBefore++
		return nil
	}
	if _, ok := w.now[h]; ok {
		w.repeats++
	}
	w.now[h] = struct{}{}
	if err := w.fn(Record{Position: pos, Raw: raw}); err != nil {
		return &callbackError{err: fmt.Errorf("csw: deliver record at position %d: %w", pos, err)}
	}
	return nil
}

type briefID struct {
	pos int
	id  string
}

// byID fetches one record in full (BriefThenByID).
func (w *walk) byID(ctx context.Context, b briefID) error {
	if w.delivered.has(b.pos) {
		return nil
	}
	if b.id == "" {
		w.rep.RecordErrors = append(w.rep.RecordErrors, RecordError{Position: b.pos, Reason: "brief record without identifier"})
		return nil
	}
	got := 0
	err := w.call(ctx, func() *request {
		got = 0
		return &request{op: "GetRecordById", post: w.post, id: b.id, rawQS: w.rawQS}
	}, func(r io.Reader) error {
		_, err := csw.SplitPage(r, w.lim, func(_ *csw.Envelope, raw []byte) error {
			got++
			if got > 1 {
				return errTooManyRecords
			}
			return w.deliver(b.pos, raw)
		}, func(_ *csw.Envelope, reason string) error {
			got++
			w.tooLarge(b.pos, b.id, reason)
			return nil
		})
		return err
	})
	var cb *callbackError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &cb):
		return cb.err
	case err != nil && !errors.Is(err, errTooManyRecords):
		w.rep.RecordErrors = append(w.rep.RecordErrors, RecordError{Position: b.pos, ID: b.id, Reason: csw.Shorten(err.Error(), 500)})
	case got == 0:
		w.rep.RecordErrors = append(w.rep.RecordErrors, RecordError{Position: b.pos, ID: b.id, Reason: "GetRecordById returned no record"})
	}
	return nil
}

// pass walks positions 1..matched once; restart asks for another pass.
func (w *walk) pass(ctx context.Context) (restart bool, err error) {
	w.skippedAsBefore, w.ignoresStart = 0, false
	w.delivered = bitset{}
	w.rep.PageErrors, w.rep.RecordErrors = nil, nil
	w.large = nil
	if w.restarts > 0 {
		if w.earlier == nil {
			w.earlier = map[uint64]struct{}{}
		}
		for h := range w.now {
			w.earlier[h] = struct{}{}
		}
		w.now = map[uint64]struct{}{}
	}
	defer func() {
		if w.skippedAsBefore > 0 && !restart {
			w.rep.note("%d records delivered before a restart were unchanged and not delivered again", w.skippedAsBefore)
		}
	}()
	w.deferred, w.streak, w.streakKind = nil, 0, ""
	w.passPages = 0
	defer func() {
		// failing pages left at the end of the pass: split them unless
		// every page of the pass failed the same way
		if err != nil || restart || len(w.deferred) == 0 {
			return
		}
		if w.streak >= 2 && w.streak >= w.passPages && w.delivered.count == 0 {
			w.systematic(-1)
			return
		}
		restart, err = w.recoverDeferred(ctx)
	}()
	start := 1
	// A count of 0 is confirmed by one results page: an empty listing
	// reported complete would let the harvester delete everything.
	for pages := 0; start <= w.matched || pages == 0 && w.matched == 0; pages++ {
		if pages >= w.matched+2 { // every page but the last advances at least one position
			w.rep.note("page limit %d reached at position %d", w.matched+2, start)
			break
		}
		n := min(w.ep.PageSize, max(w.matched-start+1, 1))
		w.passPages = pages + 1
		p, restart, err := w.page(ctx, start, n)
		if err != nil || restart {
			return restart, err
		}
		if p.err != nil {
			w.rep.PageErrors = append(w.rep.PageErrors, PageError{Start: start, Size: n, Reason: csw.Shorten(p.err.Error(), 500)})
			stop, restart, err := w.failed(ctx, start, start+n, p)
			if err != nil || restart || stop {
				return restart, err
			}
			start += n
			continue
		}
		if len(w.deferred) > 0 {
			// a page answered: the failures before it were not systematic
			w.streak, w.streakKind = 0, ""
			if restart, err := w.recoverDeferred(ctx); err != nil || restart {
				return restart, err
			}
		}
		if p.k == 0 {
			if start <= w.matched {
				w.rep.note("empty page at position %d of %d: paging stopped", start, w.matched)
			}
			break
		}
		if p.k >= 2 && w.repeats == p.k {
			w.ignoresStart = true
			w.rep.note("the page at position %d repeats records already delivered (startPosition ignored?): paging stopped, walk not complete", start)
			return false, nil
		}
		next := -1
		if p.env != nil {
			next = p.env.Next
		}
		pageStart := start
		start += p.k
		switch {
		case next == 0:
			if start <= w.matched {
				w.rep.note("nextRecord 0 at position %d before numberOfRecordsMatched %d: paging stopped", start, w.matched)
			}
			return false, nil
		case next > 0 && next <= pageStart:
			if start > w.matched {
				return false, nil
			}
			w.rep.note("nextRecord %d does not progress past startPosition %d: paging stopped", next, pageStart)
			return false, nil
		case next > w.matched+1:
			w.rep.note("nextRecord %d points past numberOfRecordsMatched %d (page at %d)", next, w.matched, pageStart)
		}
	}
	return false, nil
}

// SystematicPages is the number of consecutive pages whose two halves
// failed with the same kind of error as the page itself after which a
// walk stops: the server fails every request, splitting further would
// only multiply the requests (down to one per record).
const SystematicPages = 3

// span is a range [lo, hi) of positions.
type span struct {
	lo, hi int
	err    error // why the span's last request failed
}

// failed handles page [lo, hi) that failed with perr: it asks both
// halves; when both fail with the same kind of error as the page, the
// page is deferred (the next pages tell an isolated failure from a
// systematic one) and, after SystematicPages such pages in a row, the
// walk stops. Otherwise the failing halves are split down to single
// records, and so are the pages deferred before.
func (w *walk) failed(ctx context.Context, lo, hi int, page page) (stop, restart bool, err error) {
	if page.k > 0 || hi-lo < 2 {
		// records came before the failure (a cut body, a bad record
		// further on): not a server failing everything
		w.streak, w.streakKind = 0, ""
		restart, err = w.recover(ctx, follow(span{lo: lo, hi: hi}, page))
		if err == nil && !restart {
			restart, err = w.recoverDeferred(ctx)
		}
		return false, restart, err
	}
	kind := failureKind(page.err)
	mid := lo + (hi-lo)/2
	first, second := span{lo: lo, hi: mid}, span{lo: mid, hi: hi}
	p, restart, err := w.page(ctx, first.lo, first.hi-first.lo)
	if err != nil || restart {
		return false, restart, err
	}
	if p.err == nil || p.k > 0 || failureKind(p.err) != kind {
		// not the page's failure again: split as usual
		w.streak, w.streakKind = 0, ""
		restart, err = w.recover(ctx, append(w.follow(first, p), second))
		if err == nil && !restart {
			restart, err = w.recoverDeferred(ctx)
		}
		return false, restart, err
	}
	first.err = p.err
	// The first half failed like its page: ask the second, holding its
	// records back so that positions stay in order if the first half
	// is split after all.
	var held []Record
	w.hold = &held
	p, restart, err = w.page(ctx, second.lo, second.hi-second.lo)
	w.hold = nil
	if err != nil || restart {
		return false, restart, err
	}
	if p.err == nil || p.k > 0 || failureKind(p.err) != kind {
		w.streak, w.streakKind = 0, ""
		if restart, err = w.recover(ctx, []span{first}); err != nil || restart {
			return false, restart, err
		}
		for _, r := range held {
			if err := w.deliver(r.Position, r.Raw); err != nil {
				var cb *callbackError
				if errors.As(err, &cb) {
					return false, false, cb.err
				}
				return false, false, err
			}
		}
		restart, err = w.recover(ctx, w.follow(second, p))
		if err == nil && !restart {
			restart, err = w.recoverDeferred(ctx)
		}
		return false, restart, err
	}
	second.err = p.err
	rest := []span{first, second}
	if kind != w.streakKind {
		w.streak, w.streakKind = 0, kind
	}
	w.streak++
	w.deferred = append(w.deferred, rest...)
	if w.streak >= SystematicPages {
		w.systematic(hi)
		return true, false, nil
	}
	return false, false, nil
}

// systematic ends a pass whose last pages all failed the same way: the
// deferred pages are given up and the positions from next on are not
// asked (next < 0: none left).
func (w *walk) systematic(next int) {
	reason := fmt.Sprintf("every request of the last %d pages and of their halves failed with the same error (%s): the server fails systematically, walk stopped after %d requests",
		w.streak, w.streakKind, w.rep.Requests)
	w.rep.note("%s", reason)
	if next > 0 && next <= w.matched {
		w.rep.PageErrors = append(w.rep.PageErrors, PageError{Start: next, Size: w.matched - next + 1, Reason: "not requested: " + reason})
	}
	w.deferred = nil
}

// recoverDeferred splits the pages deferred by failed.
func (w *walk) recoverDeferred(ctx context.Context) (restart bool, err error) {
	spans := w.deferred
	w.deferred = nil
	if len(spans) == 0 {
		return false, nil
	}
	return w.recover(ctx, spans)
}

// failureKind names the kind of a request failure, to tell a server failing
// every request the same way: the exception code and locator, the HTTP
// status, the unexpected root, or the error's message up to its details.
func failureKind(err error) string {
	var ex *csw.ExceptionError
	var he *httpError
	var re *csw.RootError
	var ce *csw.Sentinel
	var we *csw.Error
	switch {
	case errors.As(err, &he):
		return fmt.Sprintf("HTTP %d", he.status)
	case errors.As(err, &ex):
		k := "exception report " + ex.Code
		if ex.Locator != "" {
			k += " (locator " + ex.Locator + ")"
		}
		return k
	case errors.As(err, &re):
		return (&csw.RootError{Space: re.Space, Local: re.Local}).Error()
	case errors.As(err, &ce):
		return ce.Msg
	case errors.As(err, &we):
		msg := we.Msg
		if i := strings.IndexAny(msg, ":("); i > 0 {
			msg = msg[:i]
		}
		return strings.TrimSpace(msg)
	}
	return err.Error()
}

// follow returns what remains to fetch of span s after the answer p:
// the span itself when it failed without a record (split next), the
// positions after the records received otherwise (a short answer, or
// records before a failure: asked again).
func (w *walk) follow(s span, p page) []span {
	if p.k == 0 && p.err == nil {
		w.rep.note("positions %d-%d returned no record", s.lo, s.hi-1)
		return nil
	}
	return follow(s, p)
}

func follow(s span, p page) []span {
	switch {
	case p.k == 0 && p.err != nil:
		s.err = p.err
		return []span{s}
	case s.lo+p.k < s.hi:
		return []span{{lo: s.lo + p.k, hi: s.hi}}
	}
	return nil
}

// recover fetches the spans of a failed page: halves down to single
// records, the rest of short answers asked again; positions that still
// fail are listed in RecordErrors. A span with an error failed already:
// it is split without being asked again.
func (w *walk) recover(ctx context.Context, spans []span) (restart bool, err error) {
	stack := make([]span, 0, len(spans)+8)
	for i := len(spans) - 1; i >= 0; i-- {
		stack = append(stack, spans[i])
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for s.lo < s.hi && w.delivered.has(s.lo) {
			s.lo++
		}
		if s.lo >= s.hi {
			continue
		}
		if s.err == nil {
			p, restart, err := w.page(ctx, s.lo, s.hi-s.lo)
			if err != nil || restart {
				return restart, err
			}
			next := w.follow(s, p)
			if len(next) == 0 || next[0].err == nil {
				stack = append(stack, next...)
				continue
			}
			s = next[0]
		}
		switch {
		case s.hi-s.lo == 1:
			w.rep.RecordErrors = append(w.rep.RecordErrors, RecordError{Position: s.lo, Reason: csw.Shorten(s.err.Error(), 500)})
		case s.hi-s.lo > 1:
			mid := s.lo + (s.hi-s.lo)/2
			stack = append(stack, span{lo: mid, hi: s.hi}, span{lo: s.lo, hi: mid})
		}
	}
	return false, nil
}

// bitset records delivered positions.
type bitset struct {
	words []uint64
	count int
}

func (b *bitset) has(pos int) bool {
	i := pos / 64
	return pos >= 0 && i < len(b.words) && b.words[i]&(1<<(pos%64)) != 0
}

func (b *bitset) set(pos int) {
	if pos < 0 || b.has(pos) {
		return
	}
	i := pos / 64
	for i >= len(b.words) {
		b.words = append(b.words, 0)
	}
	b.words[i] |= 1 << (pos % 64)
	b.count++
}

// all reports whether every position 1..n is set.
func (b *bitset) all(n int) bool {
	for p := 1; p <= n; p++ {
		if !b.has(p) {
			return false
		}
	}
	return true
}

// redact hides the userinfo of a URL that did not parse.
func redact(raw string) string {
	if i := strings.LastIndexByte(raw, '@'); i >= 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			return raw[:j+3] + "xxxxx" + raw[i:]
		}
	}
	return raw
}
