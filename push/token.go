package push

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// DefaultPort is the login callback port.
const DefaultPort = 8976

// DefaultTokenPath is $XDG_CONFIG_HOME/passerelle/token.json, by default
// ~/.config/passerelle/token.json.
func DefaultTokenPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("push: token path: neither XDG_CONFIG_HOME nor HOME is set")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "passerelle", "token.json"), nil
}

// OAuthConfig is data.gouv.fr's OAuth2 configuration: scope "default",
// redirect http://127.0.0.1:<port>/callback (port 0: DefaultPort). An
// empty secret makes a public client.
func OAuthConfig(baseURL, clientID, clientSecret string, port int) *oauth2.Config {
	if port == 0 {
		port = DefaultPort
	}
	base := strings.TrimRight(baseURL, "/")
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:  base + "/oauth/authorize",
			TokenURL: base + "/oauth/token",
		},
		RedirectURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/callback",
		Scopes:      []string{"default"},
	}
}

// withLock runs fn holding an exclusive flock on path+".lock".
func withLock(path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create token directory: %w", err)
	}
	lf, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open token lock: %w", err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock token file: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) }()
	return fn()
}

// writeToken writes atomically: a 0600 temporary file in the same
// directory, synced, then renamed over path. The caller holds the lock.
func writeToken(path string, tok *oauth2.Token) error {
	raw, err := json.MarshalIndent(tok, "", "  ")
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*.json")
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

func readToken(path string) (*oauth2.Token, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read token: %w", err)
	}
	var tok oauth2.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, fmt.Errorf("read token %s: %w", path, err)
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("read token %s: no access_token", path)
	}
	return &tok, nil
}

// SaveToken stores a token at path (mode 0600, atomic, under the lock).
func SaveToken(path string, tok *oauth2.Token) error {
	return withLock(path, func() error { return writeToken(path, tok) })
}

// LoadToken reads the token stored at path.
func LoadToken(path string) (*oauth2.Token, error) {
	var tok *oauth2.Token
	err := withLock(path, func() (err error) { tok, err = readToken(path); return err })
	return tok, err
}

// fileTokenSource serves the stored token and refreshes it when expired,
// under the file lock: it first re-reads the file (another process may
// have refreshed and rotated the refresh token already), then refreshes
// and saves the new token before releasing the lock.
type fileTokenSource struct {
	ctx  context.Context
	conf *oauth2.Config
	path string
	mu   sync.Mutex
	tok  *oauth2.Token
}

// FileTokenSource returns a token source over the token stored at path.
func FileTokenSource(ctx context.Context, conf *oauth2.Config, path string) (oauth2.TokenSource, error) {
	tok, err := LoadToken(path)
	if err != nil {
		return nil, err
	}
	return &fileTokenSource{ctx: tokenContext(ctx), conf: conf, path: path, tok: tok}, nil
}

func (s *fileTokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.Valid() {
		return s.tok, nil
	}
	err := withLock(s.path, func() error {
		if cur, err := readToken(s.path); err == nil && cur.Valid() {
			s.tok = cur
			return nil
		} else if err == nil {
			s.tok = cur
		}
		if s.tok.RefreshToken == "" {
			return fmt.Errorf("the sign-in expired on %s and cannot be renewed: %s", expiry(s.tok), SignInAgain)
		}
		nt, err := s.conf.TokenSource(s.ctx, &oauth2.Token{RefreshToken: s.tok.RefreshToken}).Token()
		if err != nil {
			// Public clients cannot use udata's refresh grant at all
			// (udata.md §C.1).
			return fmt.Errorf("the sign-in expired on %s and data.gouv.fr refused to renew it (%w): %s", expiry(s.tok), err, SignInAgain)
		}
		if nt.RefreshToken == "" {
			nt.RefreshToken = s.tok.RefreshToken
		}
		if err := writeToken(s.path, nt); err != nil {
			return err
		}
		s.tok = nt
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("push: OAuth2 token %s: %w", s.path, err)
	}
	return s.tok, nil
}

// printExpiry says when a sign-in expires and what to do then.
func printExpiry(w io.Writer, tok *oauth2.Token) {
	if tok == nil || tok.Expiry.IsZero() {
		_, _ = fmt.Fprintf(w, "data.gouv.fr did not say when the sign-in expires; when it does, %s.\n", SignInAgain)
		return
	}
	_, _ = fmt.Fprintf(w, "The sign-in expires on %s (in %s). data.gouv.fr does not renew it reliably: then %s.\n",
		tok.Expiry.UTC().Format(time.RFC3339), inWords(time.Until(tok.Expiry)), SignInAgain)
}

// inWords says a duration in days, hours or minutes.
func inWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Round(time.Hour).Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Round(time.Minute).Hours()))
	default:
		return fmt.Sprintf("%d minutes", int(d.Round(time.Second).Minutes()))
	}
}

func expiry(tok *oauth2.Token) string {
	if tok.Expiry.IsZero() {
		return "an unknown date"
	}
	return tok.Expiry.UTC().Format(time.RFC3339)
}

// LoginOptions configures Login.
type LoginOptions struct {
	BaseURL      string // default DefaultBaseURL
	ClientID     string
	ClientSecret string    // empty for a public client
	Port         int       // callback port on 127.0.0.1, default DefaultPort
	TokenPath    string    // where the token is saved
	Out          io.Writer // where the URL to open is printed
	// HTTPClient for the token exchange (default http.DefaultClient).
	HTTPClient *http.Client
	// Timeout for the whole flow (default 10 minutes).
	Timeout time.Duration
}

// Login runs the OAuth2 authorization code flow with PKCE (S256): it
// listens on http://127.0.0.1:<port>/callback, prints the URL to open,
// checks the returned state, exchanges the code and saves the token.
func Login(ctx context.Context, opts LoginOptions) error {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.ClientID == "" {
		return fmt.Errorf("push: login: no client id (set %s)", EnvClientID)
	}
	if opts.TokenPath == "" {
		return errors.New("push: login: no token path")
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	conf := OAuthConfig(opts.BaseURL, opts.ClientID, opts.ClientSecret, opts.Port)
	if opts.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, opts.HTTPClient)
	}
	ctx = tokenContext(ctx)
	addr := strings.TrimPrefix(strings.TrimSuffix(conf.RedirectURL, "/callback"), "http://")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("push: login: listen for the callback: %w", err)
	}
	var sb [24]byte
	if _, err := rand.Read(sb[:]); err != nil {
		ln.Close()
		return fmt.Errorf("push: login: state: %w", err)
	}
	state := base64.RawURLEncoding.EncodeToString(sb[:])
	verifier := oauth2.GenerateVerifier()

	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	var once sync.Once
	finish := func(r result) { once.Do(func() { done <- r }) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "state mismatch: ignored", http.StatusBadRequest)
			return // a forged or stale callback does not end the login
		}
		if e := q.Get("error"); e != "" {
			http.Error(w, "authorization refused: "+e, http.StatusBadRequest)
			finish(result{err: fmt.Errorf("authorization refused: %s: %s", e, q.Get("error_description"))})
			return
		}
		tok, err := conf.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			http.Error(w, "code exchange failed", http.StatusBadGateway)
			finish(result{err: fmt.Errorf("exchange code: %w", err)})
			return
		}
		if err := SaveToken(opts.TokenPath, tok); err != nil {
			http.Error(w, "could not save the token", http.StatusInternalServerError)
			finish(result{err: err})
			return
		}
		_, _ = io.WriteString(w, "passerelle is logged in to data.gouv.fr: you can close this window.\n")
		finish(result{tok: tok})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	if _, err := fmt.Fprintf(opts.Out, "Open this URL in a browser logged in to data.gouv.fr:\n\n  %s\n\nWaiting for the callback on %s …\n", authURL, conf.RedirectURL); err != nil {
		return fmt.Errorf("push: login: %w", err)
	}
	select {
	case r := <-done:
		if r.err != nil {
			return fmt.Errorf("push: login: %w", r.err)
		}
		_, _ = fmt.Fprintf(opts.Out, "Logged in; token saved to %s\n", opts.TokenPath)
		printExpiry(opts.Out, r.tok)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("push: login: %w", ctx.Err())
	}
}
