package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// DefaultBaseURL is data.gouv.fr.
const DefaultBaseURL = "https://www.data.gouv.fr"

// maxBody bounds every answer read.
const maxBody = 32 << 20

// Options configures a Client.
type Options struct {
	// BaseURL of the udata instance (default DefaultBaseURL).
	BaseURL string
	// APIKey, sent as X-API-KEY, wins over TokenSource.
	APIKey string
	// TokenSource gives OAuth2 bearer tokens (see FileTokenSource).
	TokenSource oauth2.TokenSource
	// HTTPClient is the one client used (default: 60 s timeout).
	HTTPClient *http.Client
	// Rate is the request rate limit per second (0: 5; < 0: unlimited);
	// Burst the bucket size (default 1).
	Rate  float64
	Burst int
	// MaxRetries for transient failures (default 5; < 0: none).
	MaxRetries int
	// Backoff is the first retry delay without Retry-After, doubled each
	// time (default 1 s); MaxWait caps any wait, a longer Retry-After
	// ends the retries (default 2 min).
	Backoff time.Duration
	MaxWait time.Duration
	// Logger (default: discard).
	Logger *slog.Logger
	// UserAgent (default "passerelle (+https://github.com/passerelle/passerelle)").
	UserAgent string
}

// Client talks to data.gouv.fr's API. Safe for concurrent use.
type Client struct {
	base  *url.URL
	opts  Options
	hc    *http.Client
	lim   *limiter
	log   *slog.Logger
	calls atomic.Int64
	meMu  sync.Mutex
	me    *Me
	// memberships caches Organizations (under meMu).
	memberships []Membership
	sleepFn     func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client.
func NewClient(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("push: data.gouv.fr URL %q: must be an absolute http(s) URL", opts.BaseURL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	hc := *opts.HTTPClient // the caller's client is not modified
	hc.CheckRedirect = checkRedirect
	opts.HTTPClient = &hc
	if opts.Rate == 0 {
		opts.Rate = 5
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 2 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "passerelle (+https://github.com/passerelle/passerelle)"
	}
	return &Client{
		base: base, opts: opts, hc: opts.HTTPClient, lim: newLimiter(opts.Rate, opts.Burst),
		log: opts.Logger, sleepFn: sleepCtx,
	}, nil
}

// Env names read by OptionsFromEnv.
const (
	EnvURL          = "DATAGOUV_URL"
	EnvAPIKey       = "DATAGOUV_API_KEY"
	EnvClientID     = "DATAGOUV_CLIENT_ID"
	EnvClientSecret = "DATAGOUV_CLIENT_SECRET"
)

// OptionsFromEnv fills BaseURL and credentials from the environment:
// DATAGOUV_URL, DATAGOUV_API_KEY (wins), else the OAuth2 token saved by
// Login in DefaultTokenPath, refreshed with DATAGOUV_CLIENT_ID/SECRET.
// ctx bounds token refreshes.
func OptionsFromEnv(ctx context.Context, getenv func(string) string) (Options, error) {
	opts := Options{BaseURL: getenv(EnvURL), APIKey: getenv(EnvAPIKey)}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.APIKey != "" {
		return opts, nil
	}
	path, err := DefaultTokenPath(getenv)
	if err != nil {
		return opts, err
	}
	conf := OAuthConfig(opts.BaseURL, getenv(EnvClientID), getenv(EnvClientSecret), 0)
	ts, err := FileTokenSource(ctx, conf, path)
	if err != nil {
		return opts, fmt.Errorf("push: no credentials: set %s or run passerelle login: %w", EnvAPIKey, err)
	}
	opts.TokenSource = ts
	return opts, nil
}

// Calls returns the number of HTTP requests sent so far (retries included).
func (c *Client) Calls() int { return int(c.calls.Load()) }

// BaseURL returns the instance URL.
func (c *Client) BaseURL() string { return c.base.String() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resolve turns an API path (or an absolute URL from a next_page link on
// the same host) into a URL on the base.
func (c *Client) resolve(ref string) (string, error) {
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		u, err := url.Parse(ref)
		if err != nil {
			return "", fmt.Errorf("parse link %q: %w", ref, err)
		}
		// Keep credentials on the configured host whatever the link says.
		return c.base.Scheme + "://" + c.base.Host + u.RequestURI(), nil
	}
	return c.base.String() + ref, nil
}

// do sends one API call with rate limiting and retries, decoding a 2xx
// JSON answer into out (when non-nil). POST is retried only on 429 and 503
// (not applied); other failures of a POST are returned as ErrUncertain.
func (c *Client) do(ctx context.Context, method, ref string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, ref, err)
		}
	}
	target, err := c.resolve(ref)
	if err != nil {
		return err
	}
	path := ref
	if u, err := url.Parse(target); err == nil {
		path = u.Path
	}
	idempotent := method != http.MethodPost
	for attempt := 0; ; attempt++ {
		if err := c.lim.Wait(ctx); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		status, hdr, data, err := c.send(ctx, method, target, payload)
		var apiErr *APIError
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		case errors.Is(err, ErrAuth) || errors.Is(err, ErrUpstream):
			return fmt.Errorf("%s %s: %w", method, path, err)
		case err != nil:
			err = &netError{method: method, path: path, err: err, uncertain: !idempotent}
		case status >= 200 && status < 300:
			if out != nil && len(bytes.TrimSpace(data)) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return fmt.Errorf("%s %s: decode answer: %w (%w)", method, path, err, ErrUpstream)
				}
			}
			return nil
		default:
			apiErr = decodeAPIError(method, path, status, data)
			if status == http.StatusUnauthorized && c.opts.APIKey == "" && c.opts.TokenSource != nil {
				apiErr.Hint = "data.gouv.fr no longer accepts the saved sign-in: " + SignInAgain
			}
			apiErr.RetryAfter = retryAfter(hdr.Get("Retry-After"), time.Now())
			apiErr.uncertain = !idempotent && status >= 500 && status != http.StatusServiceUnavailable
			err = apiErr
		}
		retry := false
		switch {
		case apiErr == nil: // network error
			retry = idempotent
		case apiErr.Status == http.StatusTooManyRequests || apiErr.Status == http.StatusServiceUnavailable:
			retry = true
		case apiErr.Status >= 500:
			retry = idempotent
		}
		if !retry || attempt >= c.opts.MaxRetries || c.opts.MaxRetries < 0 {
			return err
		}
		wait := c.opts.Backoff << min(attempt, 16)
		wait = wait/2 + time.Duration(rand.Int64N(int64(wait)+1)) // jitter
		if apiErr != nil && apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter
		}
		if wait > c.opts.MaxWait {
			if apiErr != nil && apiErr.RetryAfter > c.opts.MaxWait {
				return fmt.Errorf("%w (Retry-After %s exceeds %s)", err, apiErr.RetryAfter, c.opts.MaxWait)
			}
			wait = c.opts.MaxWait
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "retrying data.gouv.fr call", slog.String("method", method),
			slog.String("path", path), slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.String("error", err.Error()))
		if err := c.sleepFn(ctx, wait); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
}

// send makes one HTTP request.
func (c *Client) send(ctx context.Context, method, target string, payload []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.opts.APIKey != "":
		req.Header.Set("X-API-KEY", c.opts.APIKey)
	case c.opts.TokenSource != nil:
		tok, err := c.opts.TokenSource.Token()
		if err != nil {
			return 0, nil, nil, fmt.Errorf("get OAuth2 token: %w", errors.Join(err, ErrAuth))
		}
		tok.SetAuthHeader(req)
	}
	c.calls.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 == 2 && len(bytes.TrimSpace(data)) > 0 {
		if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
			return resp.StatusCode, resp.Header, nil, fmt.Errorf("answer is %q, not JSON: %w", ct, ErrUpstream)
		}
	}
	return resp.StatusCode, resp.Header, data, nil
}

// netError is a transport failure.
type netError struct {
	method, path string
	err          error
	uncertain    bool
}

func (e *netError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.method, e.path, e.err)
	if e.uncertain {
		s += " (the write may have been applied)"
	}
	return s
}
func (e *netError) Unwrap() error { return e.err }
func (e *netError) Is(target error) bool {
	return target == ErrTransient || (target == ErrUncertain && e.uncertain)
}

// retryAfter parses Retry-After: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		// Beyond a day is nonsense for a retry; it also keeps the
		// multiplication from overflowing into a negative wait.
		const maxSeconds = 24 * 60 * 60
		return time.Duration(min(n, maxSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// maxRedirects is the number of redirects followed per request.
const maxRedirects = 5

// checkRedirect never follows https → http, nor, for a request carrying
// credentials (X-API-KEY, Authorization), a redirect to another origin
// (scheme, host or port): Go forwards X-API-KEY to whatever host a
// redirect names. Refusals are ErrUpstream, not retried.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	return redirectPolicy(req, via, first.Header.Get("X-API-KEY") != "" || first.Header.Get("Authorization") != "")
}

// checkTokenRedirect is checkRedirect for the OAuth2 token requests
// (code exchange, refresh): they always carry credentials — the client
// secret, the code or the refresh token, in the body that Go sends again
// on a 307 or 308 to whatever host it names.
func checkTokenRedirect(req *http.Request, via []*http.Request) error {
	return redirectPolicy(req, via, true)
}

// tokenContext returns ctx with the HTTP client of the OAuth2 token
// requests (ctx's oauth2.HTTPClient, else http.DefaultClient) copied
// under checkTokenRedirect; the caller's client is not modified.
func tokenContext(ctx context.Context) context.Context {
	hc, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = checkTokenRedirect
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

func redirectPolicy(req *http.Request, via []*http.Request, secret bool) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("more than %d redirects: %w", maxRedirects, ErrUpstream)
	}
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect from https to %s refused: %w", origin(req.URL), ErrUpstream)
	}
	first := via[0]
	if secret && origin(req.URL) != origin(first.URL) {
		return fmt.Errorf("redirect from %s to another origin %s refused: the request carries credentials: %w", origin(first.URL), origin(req.URL), ErrUpstream)
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
