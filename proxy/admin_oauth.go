package proxy

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// pendingLogin is what the sign-in keeps between /admin/login and
// /admin/callback, in the store under the state's hash.
type pendingLogin struct {
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

func (a *admin) redirectURI() string {
	return a.s.config().Server.PublicURL + "/admin/callback"
}

// safeNext keeps a post-sign-in destination inside /admin/ (no open
// redirect).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/"
	}
	return next
}

// handleLogin starts "Se connecter avec data.gouv.fr": OAuth2
// authorization code with PKCE (S256).
func (a *admin) handleLogin(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if a.o.ClientID == "" {
		return &HTTPError{Code: fiber.StatusNotFound, Msg: "sign-in with data.gouv.fr is not configured (DATAGOUV_CLIENT_ID)"}
	}
	state, verifier := randomID(), randomID()+randomID()
	data, _ := json.Marshal(pendingLogin{Verifier: verifier, Next: safeNext(c.Query("next"))})
	if err := a.s.state.Store().Set(c.UserContext(), "admin:oauth:"+hashID(state), data, stateTTL); err != nil {
		return internal(fmt.Errorf("keep the sign-in state: %w", err))
	}
	a.setCookie(c, stateCookie, state, stateTTL)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {a.o.ClientID},
		"redirect_uri":          {a.redirectURI()},
		"scope":                 {"default"},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	return c.Redirect(a.o.DatagouvURL+"/oauth/authorize?"+q.Encode(), fiber.StatusSeeOther)
}

// handleCallback ends the sign-in: the state is checked against the
// browser's cookie and the store, the code exchanged (with the PKCE
// verifier), the account and its organizations read, and a session opened.
func (a *admin) handleCallback(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if a.o.ClientID == "" {
		return &HTTPError{Code: fiber.StatusNotFound, Msg: "sign-in with data.gouv.fr is not configured (DATAGOUV_CLIENT_ID)"}
	}
	if e := c.Query("error"); e != "" {
		return a.render(c, fiber.StatusUnauthorized, "message", nil, pageData{"Title": "Connexion refusée",
			"Message": "data.gouv.fr a refusé la connexion (" + e + "). Vous pouvez réessayer.", "Link": "/admin/login"})
	}
	state := c.Query("state")
	cookie := c.Cookies(stateCookie)
	a.setCookie(c, stateCookie, "", 0)
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return badRequest("sign-in state does not match this browser's: start again at /admin/login")
	}
	key := "admin:oauth:" + hashID(state)
	raw, ok, err := a.s.state.Store().Get(c.UserContext(), key)
	if err != nil {
		return internal(err)
	}
	if !ok {
		return badRequest("sign-in expired or already used: start again at /admin/login")
	}
	_ = a.s.state.Store().Delete(c.UserContext(), key)
	var pl pendingLogin
	if err := json.Unmarshal(raw, &pl); err != nil {
		return internal(fmt.Errorf("decode sign-in state: %w", err))
	}
	token, err := a.exchange(c.UserContext(), c.Query("code"), pl.Verifier)
	if err != nil {
		a.s.log.Warn("data.gouv.fr sign-in failed", "err", err)
		return &HTTPError{Code: fiber.StatusBadGateway, Msg: "data.gouv.fr did not accept the sign-in: start again at /admin/login", Err: err}
	}
	sess, err := a.account(c.UserContext(), token)
	if err != nil {
		a.s.log.Warn("reading the data.gouv.fr account failed", "err", err)
		return &HTTPError{Code: fiber.StatusBadGateway, Msg: "could not read your data.gouv.fr account", Err: err}
	}
	sess.ID, sess.CSRF, sess.Created = randomID(), randomID(), time.Now().UTC()
	if err := a.saveSession(c.UserContext(), sess); err != nil {
		return internal(err)
	}
	k, err := a.key(c.UserContext())
	if err != nil {
		return internal(err)
	}
	a.setCookie(c, sessionCookie, sign(k, sess.ID), sessionTTL)
	a.s.log.Info("signed in with data.gouv.fr", "user", sess.UserID, "organizations", len(sess.Orgs))
	return c.Redirect(safeNext(pl.Next), fiber.StatusSeeOther)
}

func (a *admin) handleLogout(c *fiber.Ctx, p *principal) error {
	if p.sess.ID != "" {
		_ = a.s.state.Store().Delete(c.UserContext(), sessionKey(p.sess.ID))
	}
	a.setCookie(c, sessionCookie, "", 0)
	return c.Redirect("/", fiber.StatusSeeOther)
}

// exchange trades the authorization code for an access token.
func (a *admin) exchange(ctx context.Context, code, verifier string) (string, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {a.redirectURI()},
		"code_verifier": {verifier},
	}
	if a.o.ClientSecret == "" {
		form.Set("client_id", a.o.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.o.DatagouvURL+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if a.o.ClientSecret != "" { // client_secret_basic, RFC 6749 §2.3.1 encoding
		req.SetBasicAuth(url.QueryEscape(a.o.ClientID), url.QueryEscape(a.o.ClientSecret))
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := a.do(req, &out)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	if status != http.StatusOK || out.AccessToken == "" {
		return "", fmt.Errorf("token request: HTTP %d %s %s", status, out.Error, out.Description)
	}
	return out.AccessToken, nil
}

// account reads /api/1/me/ and the account's role in each organization
// (members[].role of /api/1/organizations/{id}/).
func (a *admin) account(ctx context.Context, token string) (*session, error) {
	var me struct {
		ID            string `json:"id"`
		Slug          string `json:"slug"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
		Organizations []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Slug string `json:"slug"`
		} `json:"organizations"`
	}
	if err := a.getJSON(ctx, token, "/api/1/me/", &me); err != nil {
		return nil, err
	}
	if me.ID == "" {
		return nil, fmt.Errorf("read /api/1/me/: no id in the answer")
	}
	s := &session{UserID: me.ID, Name: strings.TrimSpace(me.FirstName + " " + me.LastName), Token: token}
	if s.Name == "" {
		s.Name = me.Slug
	}
	for _, o := range me.Organizations {
		var org struct {
			Members []struct {
				User struct {
					ID string `json:"id"`
				} `json:"user"`
				Role string `json:"role"`
			} `json:"members"`
		}
		if err := a.getJSON(ctx, token, "/api/1/organizations/"+url.PathEscape(o.ID)+"/", &org); err != nil {
			return nil, err
		}
		ao := accountOrg{ID: o.ID, Name: o.Name, Slug: o.Slug}
		for _, m := range org.Members {
			if m.User.ID == me.ID {
				ao.Role = m.Role
			}
		}
		s.Orgs = append(s.Orgs, ao)
	}
	return s, nil
}

func (a *admin) getJSON(ctx context.Context, token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.o.DatagouvURL+path, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	status, err := a.do(req, v)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("read %s: HTTP %d", path, status)
	}
	return nil
}

// do sends a request and decodes a JSON answer of at most 4 MiB.
func (a *admin) do(req *http.Request, v any) (int, error) {
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if err := json.Unmarshal(body, v); err != nil && resp.StatusCode == http.StatusOK {
		return resp.StatusCode, fmt.Errorf("decode answer: %w", err)
	}
	return resp.StatusCode, nil
}
