package udatafake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// CodeTTL is how long an authorization code lives.
const CodeTTL = 100 * time.Second

func oauthErr(status int, code, desc string) *apiErr {
	return &apiErr{status: status, body: map[string]any{"error": code, "error_description": desc}}
}

// authorize implements /oauth/authorize with auto-consent for the browser
// user: GET (or POST accept) redirects with a code, POST decline redirects
// with access_denied.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request, _ *call) *apiErr {
	if err := r.ParseForm(); err != nil {
		return oauthErr(http.StatusBadRequest, "invalid_request", "malformed request")
	}
	q := r.Form
	cl := f.clients[q.Get("client_id")]
	if cl == nil {
		return oauthErr(http.StatusBadRequest, "invalid_client", "The client does not exist on this server.")
	}
	redirect := q.Get("redirect_uri")
	if !slices.Contains(cl.RedirectURIs, redirect) { // exact string match
		return oauthErr(http.StatusBadRequest, "invalid_request", "Redirect URI "+redirect+" is not supported by client.")
	}
	if f.browser == "" || f.users[f.browser] == nil {
		return msgErr(http.StatusUnauthorized, "login required")
	}
	back := func(params url.Values) *apiErr {
		if s := q.Get("state"); s != "" {
			params.Set("state", s)
		}
		u, _ := url.Parse(redirect)
		qq := u.Query()
		for k, v := range params {
			qq[k] = v
		}
		u.RawQuery = qq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return nil
	}
	fail := func(code, desc string) *apiErr {
		return back(url.Values{"error": {code}, "error_description": {desc}})
	}
	if q.Get("response_type") != "code" {
		return fail("unsupported_response_type", "response_type must be code")
	}
	scope := q.Get("scope")
	if scope != "default" && scope != "admin" {
		return fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge != "" && method != "S256" {
		return fail("invalid_request", "Unsupported \"code_challenge_method\"")
	}
	if challenge == "" && cl.Secret == "" {
		return fail("invalid_request", "Missing \"code_challenge\"")
	}
	if r.Method == http.MethodPost && r.Form.Has("decline") {
		return fail("access_denied", "The resource owner or authorization server denied the request.")
	}
	code := randToken()
	f.codes[code] = &authCode{
		client: cl.ID, redirect: redirect, user: f.browser, challenge: challenge, scope: scope,
		expiry: f.opts.Now().Add(CodeTTL),
	}
	return back(url.Values{"code": {code}})
}

// token implements /oauth/token: authorization_code (with PKCE) and
// refresh_token (rotating the refresh token; confidential clients with
// client_secret_basic only, the new token inheriting the old expiry).
func (f *Fake) token(w http.ResponseWriter, r *http.Request, _ *call) *apiErr {
	if err := r.ParseForm(); err != nil {
		return oauthErr(http.StatusBadRequest, "invalid_request", "malformed request")
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	cl := f.clients[id]
	if cl == nil || subtle.ConstantTimeCompare([]byte(cl.Secret), []byte(secret)) != 1 {
		return oauthErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	}
	grantType := r.PostForm.Get("grant_type")
	// udata's RefreshTokenGrant keeps Authlib's default client
	// authentication, client_secret_basic only: a public client (no
	// secret) cannot authenticate the refresh grant (udata.md §C.1).
	if grantType == "refresh_token" && (cl.Secret == "" || !basic) {
		return oauthErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	}
	now := f.opts.Now()
	expiry := now.Add(f.opts.TokenTTL)
	var user string
	switch grantType {
	case "authorization_code":
		code := f.codes[r.PostForm.Get("code")]
		if code == nil || code.client != cl.ID || now.After(code.expiry) {
			return oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid \"code\" in request.")
		}
		if r.PostForm.Get("redirect_uri") != code.redirect {
			return oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid \"redirect_uri\" in request.")
		}
		if code.challenge != "" {
			v := r.PostForm.Get("code_verifier")
			if v == "" {
				return oauthErr(http.StatusBadRequest, "invalid_request", "Missing \"code_verifier\"")
			}
			sum := sha256.Sum256([]byte(v))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != code.challenge {
				return oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid \"code_verifier\"")
			}
		}
		delete(f.codes, r.PostForm.Get("code"))
		user = code.user
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		g := f.refresh[rt]
		if g == nil || g.client != cl.ID {
			return oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid \"refresh_token\" in request.")
		}
		// Rotation: the old credential (access and refresh) is revoked.
		delete(f.refresh, rt)
		for at, ag := range f.access {
			if ag == g {
				delete(f.access, at)
			}
		}
		user = g.user
		// save_token updates the old record, which keeps its created_at:
		// the refreshed token expires when the old one did (born expired
		// once the old one has), whatever expires_in says (udata.md §C.1).
		expiry = g.expiry
	default:
		return oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type not supported")
	}
	g := &grant{user: user, client: cl.ID, expiry: expiry, refresh: randToken()}
	at := randToken()
	f.access[at] = g
	f.refresh[g.refresh] = g
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "token_type": "Bearer",
		"expires_in": int(f.opts.TokenTTL / time.Second), "refresh_token": g.refresh,
	})
	return nil
}

// IssueToken gives a user an access token directly (tests of bearer auth).
func (f *Fake) IssueToken(userID string, ttl time.Duration) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := randToken()
	f.access[at] = &grant{user: userID, expiry: f.opts.Now().Add(ttl)}
	return at
}

// IssueTokenPair gives a user an access token and a refresh token as the
// authorization code grant would for client (ttl < 0: already expired).
func (f *Fake) IssueTokenPair(userID, clientID string, ttl time.Duration) (access, refresh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := &grant{user: userID, client: clientID, expiry: f.opts.Now().Add(ttl), refresh: randToken()}
	access = randToken()
	f.access[access] = g
	f.refresh[g.refresh] = g
	return access, g.refresh
}
