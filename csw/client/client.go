package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle/passerelle/csw"
)

// Defaults of Options and Endpoint.
const (
	DefaultClientMaxBodyBytes = 64 << 20
	DefaultPerHostConcurrency = 2
	DefaultRetries            = 3
	DefaultBackoff            = time.Second
	DefaultMaxBackoff         = 30 * time.Second
	DefaultPageSize           = 50
	DefaultTimeout            = 60 * time.Second
	// MaxRedirects is the number of redirects followed per request.
	MaxRedirects = 5
	// MaxRestarts is the number of times a walk restarts from position 1
	// when numberOfRecordsMatched changes.
	MaxRestarts = 2
)

// Options configures a Client. Zero values take the defaults.
type Options struct {
	// HTTPClient is copied; its CheckRedirect is replaced to follow at most
	// MaxRedirects redirects. nil: a client with sane transport timeouts.
	HTTPClient *http.Client
	UserAgent  string // default "passerelle/<module version>"
	// MaxBodyBytes caps every response body (DefaultClientMaxBodyBytes); a longer
	// body fails with ErrBodyTooLarge.
	MaxBodyBytes int64
	// PerHostConcurrency bounds requests in flight per host, across walks.
	PerHostConcurrency int
	// Retries is the number of retries of a request failing with
	// ErrTransient (DefaultRetries when 0; none when negative).
	Retries int
	// Backoff is the base of the exponential backoff between retries.
	Backoff time.Duration
	// MaxBackoff caps one wait, Retry-After included (DefaultMaxBackoff).
	MaxBackoff time.Duration
	Logger     *slog.Logger // nil: discard
}

// Client walks CSW catalogs. It is safe for concurrent use; one Client
// should serve the whole process (it holds the per-host limits).
type Client struct {
	http       *http.Client
	ua         string
	maxBody    int64
	perHost    int
	retries    int
	backoff    time.Duration
	maxBackoff time.Duration
	log        *slog.Logger

	mu   sync.Mutex
	sems map[string]chan struct{}
}

var errTooManyRedirects = &csw.Sentinel{Class: csw.ErrUpstream, Msg: fmt.Sprintf("csw: more than %d redirects", MaxRedirects)}

// secretsKey marks, in a request's context, a request carrying the
// endpoint's configured headers (tokens, credentials).
type secretsKey struct{}

// checkRedirect follows at most MaxRedirects redirects, never from
// https to http, and, for a request carrying configured headers, never to
// another origin (scheme, host or port): Go forwards custom headers to
// whatever host a redirect names.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return errTooManyRedirects
	}
	prev := via[len(via)-1].URL
	if prev.Scheme == "https" && req.URL.Scheme != "https" {
		return csw.NewError(csw.ErrUpstream, fmt.Sprintf("redirect from https to %s refused (%s)", req.URL.Scheme, origin(req.URL)), nil)
	}
	if secrets, _ := req.Context().Value(secretsKey{}).(bool); secrets && origin(req.URL) != origin(via[0].URL) {
		return csw.NewError(csw.ErrUpstream, fmt.Sprintf("redirect from %s to another origin %s refused: the request carries the catalog's configured headers", origin(via[0].URL), origin(req.URL)), nil)
	}
	return nil
}

// origin is scheme://host:port, the port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// New returns a Client.
func New(o Options) *Client {
	c := &Client{
		ua:         o.UserAgent,
		maxBody:    o.MaxBodyBytes,
		perHost:    o.PerHostConcurrency,
		retries:    o.Retries,
		backoff:    o.Backoff,
		maxBackoff: o.MaxBackoff,
		log:        o.Logger,
		sems:       map[string]chan struct{}{},
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		hc.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 0, // bounded by the per-request context
		}
	}
	hc.CheckRedirect = checkRedirect
	c.http = &hc
	if c.ua == "" {
		c.ua = "passerelle/" + version()
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultClientMaxBodyBytes
	}
	if c.perHost <= 0 {
		c.perHost = DefaultPerHostConcurrency
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.backoff <= 0 {
		c.backoff = DefaultBackoff
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = DefaultMaxBackoff
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "dev"
}

// acquire takes a slot of host's semaphore.
func (c *Client) acquire(ctx context.Context, host string) (func(), error) {
	c.mu.Lock()
	sem, ok := c.sems[host]
	if !ok {
		sem = make(chan struct{}, c.perHost)
		c.sems[host] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// httpError is a non-2xx answer.
type httpError struct {
	status     int
	retryAfter time.Duration
	class      error
	detail     error // an exception report found in the body, if any
}

func (e *httpError) Error() string {
	msg := fmt.Sprintf("csw: HTTP %d %s", e.status, http.StatusText(e.status))
	if e.detail != nil {
		msg += ": " + e.detail.Error()
	}
	return msg
}

func (e *httpError) Unwrap() []error {
	if e.detail != nil {
		return []error{e.class, e.detail}
	}
	return []error{e.class}
}

// callbackError carries an error returned by the caller's fn: never
// retried, ends the walk.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// exchange performs one HTTP request and hands the body to parse. It
// returns the final URL (after redirects) and a classified error.
func (c *Client) exchange(ctx context.Context, ep *Endpoint, req *request, parse func(io.Reader) error) (string, error) {
	hreq, err := req.httpRequest(ep)
	if err != nil {
		return "", err
	}
	release, err := c.acquire(ctx, hreq.URL.Host)
	if err != nil {
		return "", err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, ep.Timeout)
	defer cancel()
	if len(ep.Headers) > 0 {
		rctx = context.WithValue(rctx, secretsKey{}, true)
	}
	hreq = hreq.WithContext(rctx)
	hreq.Header.Set("User-Agent", c.ua)
	hreq.Header.Set("Accept", "application/xml, text/xml;q=0.9, */*;q=0.1")
	for k, v := range ep.Headers {
		hreq.Header.Set(k, v)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return "", c.transportError(ctx, ep, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	final := stripParams(resp.Request.URL)
	if hreq.Method == http.MethodPost && resp.Request.Method != http.MethodPost {
		// 301/302/303: the redirected request went out as a GET without
		// the XML body; its answer says nothing about the query
		return final, redirectedPost(resp.Request, final)
	}
	body := &body{r: resp.Body, left: c.maxBody}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &httpError{status: resp.StatusCode, class: csw.ErrUpstream}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
			he.class = csw.ErrTransient
			he.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		// pycsw and others explain 4xx in an exception report.
		_, xerr := csw.SplitRecords(io.LimitReader(body, 1<<20), func([]byte) error { return nil })
		var ex *csw.ExceptionError
		if errors.As(xerr, &ex) {
			he.detail = ex
		}
		return final, he
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" || mt == "application/xhtml+xml" {
		return final, csw.NewError(csw.ErrUpstream, fmt.Sprintf("HTML answer (HTTP %d, Content-Type %s) where XML was expected", resp.StatusCode, mt), nil)
	}
	err = parse(body)
	if err != nil && ctx.Err() != nil {
		return final, ctx.Err()
	}
	if err != nil && rctx.Err() != nil && !errors.Is(err, csw.ErrTransient) && !errors.Is(err, csw.ErrUpstream) {
		var cb *callbackError
		if !errors.As(err, &cb) {
			err = csw.NewError(csw.ErrTransient, fmt.Sprintf("request timed out after %s", ep.Timeout), err)
		}
	}
	return final, err
}

// postRedirect is a POST turned into a GET by a redirect.
type postRedirect struct {
	status int    // the redirect status that changed the method
	to     string // the URL that answered
}

func (e *postRedirect) Error() string {
	return fmt.Sprintf("csw: POST redirected (HTTP %d) to %s and re-sent as a GET without its XML body", e.status, e.to)
}

func (e *postRedirect) Unwrap() error { return csw.ErrUpstream }

// redirectedPost finds the redirect of last's chain that turned the
// POST into a GET.
func redirectedPost(last *http.Request, final string) *postRedirect {
	e := &postRedirect{to: final}
	for r := last; r != nil && r.Response != nil; r = r.Response.Request {
		if r.Response.Request != nil && r.Response.Request.Method == http.MethodPost && r.Method != http.MethodPost {
			e.status = r.Response.StatusCode
		}
	}
	return e
}

func (c *Client) transportError(ctx context.Context, ep *Endpoint, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errTooManyRedirects):
		return csw.NewError(csw.ErrUpstream, "redirects", err)
	case errors.Is(err, csw.ErrUpstream): // a redirect refused by checkRedirect
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return csw.NewError(csw.ErrTransient, fmt.Sprintf("request timed out after %s", ep.Timeout), nil)
	default:
		return csw.NewError(csw.ErrTransient, "request failed", err)
	}
}

// body bounds a response body and classifies its read errors.
type body struct {
	r    io.Reader
	left int64
}

func (b *body) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// one more byte tells a body of exactly the limit from a longer one
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, csw.ErrBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		return 0, b.classify(err)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = b.classify(err)
	}
	return n, err
}

func (b *body) classify(err error) error {
	if err == nil {
		return io.ErrNoProgress
	}
	return csw.NewError(csw.ErrTransient, "read response body", err)
}

// retryAfter parses a Retry-After header (seconds or HTTP date).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ourParams are the KVP parameters the client sets (lower case).
var ourParams = map[string]bool{
	"service": true, "version": true, "request": true, "typenames": true, "resulttype": true,
	"outputschema": true, "elementsetname": true, "startposition": true, "maxrecords": true,
	"namespace": true, "sortby": true, "constraint": true, "constraintlanguage": true,
	"constraint_language_version": true, "id": true, "acceptversions": true,
}

// stripParams returns u without the CSW parameters the client adds.
func stripParams(u *url.URL) string {
	v := u.Query()
	for k := range v {
		if ourParams[strings.ToLower(k)] {
			v.Del(k)
		}
	}
	cp := *u
	cp.RawQuery = v.Encode()
	cp.ForceQuery = false
	return cp.String()
}

// Endpoint is an upstream catalog the client walks, as catalogs.toml
// describes it.
type Endpoint struct {
	URL string // the catalog's CSW URL, asked for GetCapabilities and GetRecords

	PageSize int           // maxRecords asked per page; 50 when <= 0
	Timeout  time.Duration // per request, body included; 60 s when <= 0
	// Constraint is CQL text, sent as csw:Constraint/csw:CqlText (POST) or
	// constraint (KVP GET).
	Constraint string
	// NamespaceParam adds namespace=xmlns(gmd=…) to KVP requests (Isogeo).
	NamespaceParam bool
	// CQLTextParam adds constraintLanguage=CQL_TEXT and
	// constraint_language_version=1.1.0 to KVP requests with a constraint.
	CQLTextParam bool
	// BriefThenByID pages in ElementSetName brief, then fetches each record
	// with GetRecordById full (servers whose full pages fail).
	BriefThenByID bool
	// Sort asks SortBy apiso:Identifier ASC for a stable order; dropped
	// (with a note) when the server rejects it.
	Sort    bool
	Headers map[string]string // extra request headers (e.g. an API key)
	// Limits bound one record and one text node of it; a record past them
	// is skipped (a RecordError) and the rest of its page delivered.
	Limits csw.Limits
}
