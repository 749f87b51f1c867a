package proxy

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
)

// AdminOptions configure the administration and onboarding pages under
// /admin/. They are enabled when ClientID (data.gouv.fr sign-in) or Token
// (scripts) is set.
type AdminOptions struct {
	// DatagouvURL is data.gouv.fr's base URL (default https://www.data.gouv.fr).
	DatagouvURL string
	// ClientID and ClientSecret (confidential clients only) identify the
	// OAuth2 client; its redirect URI is {public_url}/admin/callback.
	ClientID, ClientSecret string
	// Admins are data.gouv.fr user ids that see and act on everything.
	Admins []string
	// Token, when set, is accepted as "Authorization: Bearer <Token>" with
	// administrator rights (scripts; no CSRF token needed).
	Token string
	// SessionKey signs session cookies; empty: a key kept in the store,
	// shared by replicas.
	SessionKey []byte
	// ConfigWritable allows appending onboarding blocks to catalogs.toml.
	ConfigWritable bool
	// Reload loads catalogs.toml again and puts it in force (as SIGHUP
	// does), returning the new configuration or why it was refused.
	Reload func(ctx context.Context) (*config.Config, error)
	// Harvest queues a harvest of a catalog through the scheduler; false
	// when it is already running or queued. Nil: harvests cannot be asked.
	Harvest func(catalog string) bool
	// Push runs push plans and applies (cmd/passerelle wires the push
	// package in: proxy does not import it). Nil: push actions answer 503.
	Push Pusher
	// HTTPClient calls data.gouv.fr (default: 30 s timeout).
	HTTPClient *http.Client
	// Probe tunes catalog proposals' probes.
	Probe ProbeOptions
}

// Pusher plans and applies an organization's push.
type Pusher interface {
	// Plan returns the organization's current plan, as text and as JSON.
	Plan(ctx context.Context, cfg *config.Config, orgID string) (text string, js []byte, err error)
	// Start plans and applies in the background, under the organization's
	// push lease, with the CLI's guards (never --accept-drop); false when
	// a push of the organization is already running.
	Start(cfg *config.Config, orgID string) (bool, error)
	// LastReport is the JSON of the organization's last apply report, nil
	// when none.
	LastReport(ctx context.Context, orgID string) ([]byte, error)
}

// admin is the state of the /admin/ pages.
type admin struct {
	s    *Server
	o    AdminOptions
	http *http.Client
}

const (
	sessionCookie = "passerelle_session"
	stateCookie   = "passerelle_oauth_state"
	sessionTTL    = 12 * time.Hour
	stateTTL      = 10 * time.Minute
)

func newAdmin(s *Server, o AdminOptions) *admin {
	if o.DatagouvURL == "" {
		o.DatagouvURL = "https://www.data.gouv.fr"
	}
	o.DatagouvURL = strings.TrimRight(o.DatagouvURL, "/")
	hc := http.Client{Timeout: 30 * time.Second}
	if o.HTTPClient != nil {
		hc = *o.HTTPClient // the caller's client is not modified
	}
	hc.CheckRedirect = sameOriginRedirect
	return &admin{s: s, o: o, http: &hc}
}

// sameOriginRedirect follows at most 10 redirects, never to another scheme
// or host than the first request's: every request to data.gouv.fr carries
// a secret (the code and PKCE verifier in the token request's body, which
// a 307/308 resends, the client secret or the access token), and Go sends
// a body, and an Authorization header to a subdomain, wherever a redirect
// names.
func sameOriginRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if first := via[0].URL; req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("redirect from %s://%s to %s://%s refused: the request carries credentials", first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)
	}
	return nil
}

func (a *admin) enabled() bool { return a.o.ClientID != "" || a.o.Token != "" }

// session is a signed-in data.gouv.fr user, kept in the store (shared by
// replicas); the browser holds only its signed id.
type session struct {
	ID      string       `json:"-"`
	UserID  string       `json:"user_id"`
	Name    string       `json:"name"`
	Token   string       `json:"token"` // data.gouv.fr access token: never logged, never sent to the browser
	Orgs    []accountOrg `json:"orgs"`
	CSRF    string       `json:"csrf"`
	Created time.Time    `json:"created"`
}

// LogValue keeps the token out of logs.
func (s *session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", s.UserID), slog.Int("organizations", len(s.Orgs)))
}

// accountOrg is one of the signed-in account's data.gouv.fr organizations.
type accountOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
	Role string `json:"role"` // admin, editor, partial_editor
}

// principal is who makes a request.
type principal struct {
	admin  bool // PASSERELLE_ADMINS member or the admin token
	bearer bool // the admin token: no CSRF
	sess   *session
}

// role returns the principal's role in a data.gouv.fr organization ("" if
// none); administrators are "admin" everywhere.
func (p *principal) role(datagouvID string) string {
	if p.admin {
		return "admin"
	}
	for _, o := range p.sess.Orgs {
		if o.ID == datagouvID {
			return o.Role
		}
	}
	return ""
}

// canAct: may act on (push, harvest, onboard) an organization.
func (p *principal) canAct(datagouvID string) bool {
	r := p.role(datagouvID)
	return r == "admin" || r == "editor"
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// key returns the cookie signing key: the configured one, else one kept in
// the store so that replicas accept each other's cookies.
func (a *admin) key(ctx context.Context) ([]byte, error) {
	if len(a.o.SessionKey) > 0 {
		return a.o.SessionKey, nil
	}
	const name = "admin:signing-key"
	v, ok, err := a.s.state.Store().Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read the session signing key: %w", err)
	}
	if ok && len(v) >= 32 {
		return v, nil
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	if err := a.s.state.Store().Set(ctx, name, k, 0); err != nil {
		return nil, fmt.Errorf("store the session signing key: %w", err)
	}
	return k, nil
}

func sign(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return v + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify returns the value of a signed cookie, "" when the signature is bad.
func verify(key []byte, signed string) string {
	i := strings.LastIndexByte(signed, '.')
	if i <= 0 {
		return ""
	}
	if subtle.ConstantTimeCompare([]byte(sign(key, signed[:i])), []byte(signed)) != 1 {
		return ""
	}
	return signed[:i]
}

func (a *admin) secure() bool {
	return strings.HasPrefix(a.s.config().Server.PublicURL, "https://")
}

func (a *admin) setCookie(c *fiber.Ctx, name, value string, ttl time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/admin", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: a.secure()}
	if ttl > 0 {
		ck.MaxAge = int(ttl / time.Second)
	} else {
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	}
	c.Cookie(ck)
}

func sessionKey(id string) string { return "admin:session:" + hashID(id) }

// hashID keys store entries by a hash of a secret id: the store never holds
// a value that would open a session.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16])
}

func (a *admin) saveSession(ctx context.Context, s *session) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if err := a.s.state.Store().Set(ctx, sessionKey(s.ID), data, sessionTTL); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	return nil
}

// who identifies the request's principal: nil when anonymous.
func (a *admin) who(c *fiber.Ctx) (*principal, error) {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if ok && a.o.Token != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(a.o.Token)) == 1 {
			return &principal{admin: true, bearer: true, sess: &session{Name: "jeton d'administration"}}, nil
		}
		return nil, nil
	}
	raw := c.Cookies(sessionCookie)
	if raw == "" {
		return nil, nil
	}
	key, err := a.key(c.UserContext())
	if err != nil {
		return nil, err
	}
	id := verify(key, raw)
	if id == "" {
		return nil, nil
	}
	data, ok, err := a.s.state.Store().Get(c.UserContext(), sessionKey(id))
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	if !ok {
		return nil, nil
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, nil //nolint:nilerr // a damaged session is no session
	}
	s.ID = id
	return &principal{admin: slices.Contains(a.o.Admins, s.UserID), sess: &s}, nil
}

// wantsPage: a browser navigation (answered with pages and redirects)
// rather than an API call (answered with 401 and JSON).
func wantsPage(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodGet && strings.Contains(c.Get(fiber.HeaderAccept), "text/html") && c.Get(fiber.HeaderAuthorization) == ""
}

var errUnauthorized = &HTTPError{Code: fiber.StatusUnauthorized, Msg: "sign in with data.gouv.fr at /admin/login, or send Authorization: Bearer <PASSERELLE_ADMIN_TOKEN>"}

func forbidden(format string, a ...any) error {
	return &HTTPError{Code: fiber.StatusForbidden, Msg: fmt.Sprintf(format, a...)}
}

// guard wraps an /admin/ handler: anonymous callers get 401 (API) or a
// redirect to the sign-in (pages); POSTs from a session need its CSRF
// token.
func (a *admin) guard(h func(c *fiber.Ctx, p *principal) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		if !a.enabled() {
			return &HTTPError{Code: fiber.StatusNotFound, Msg: "administration is disabled: set DATAGOUV_CLIENT_ID (sign-in with data.gouv.fr) or PASSERELLE_ADMIN_TOKEN"}
		}
		p, err := a.who(c)
		if err != nil {
			return internal(err)
		}
		if p == nil {
			if wantsPage(c) && a.o.ClientID != "" {
				return c.Redirect("/admin/login?next="+urlQueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
			}
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="passerelle"`)
			return errUnauthorized
		}
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && !p.bearer {
			tok := c.FormValue("csrf")
			if tok == "" {
				tok = c.Get("X-CSRF-Token")
			}
			if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(p.sess.CSRF)) != 1 {
				return forbidden("missing or wrong CSRF token: reload the page and try again")
			}
		}
		return h(c, p)
	}
}
