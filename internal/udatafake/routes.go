package udatafake

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

const notFoundMsg = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."

// apiErr is an error answer: status and JSON body.
type apiErr struct {
	status int
	body   map[string]any
}

func msgErr(status int, msg string) *apiErr {
	return &apiErr{status: status, body: map[string]any{"message": msg}}
}

// call is what a handler gets besides the request.
type call struct {
	user      *User
	badBearer bool
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) *apiErr

type route struct {
	method, tpl string
	secured     bool
	write       bool // subject to read-only mode
	h           handlerFunc
}

func (f *Fake) routes() http.Handler {
	rs := []route{
		{"GET", "/api/1/me/", true, false, f.getMe},
		{"GET", "/api/1/organizations/{org}/", false, false, f.getOrg},
		{"GET", "/api/1/datasets/", false, false, f.listDatasets},
		{"POST", "/api/1/datasets/", true, true, f.createDataset},
		{"GET", "/api/1/datasets/{id}/", false, false, f.getDataset},
		{"PUT", "/api/1/datasets/{id}/", true, true, f.putDataset},
		{"DELETE", "/api/1/datasets/{id}/", true, true, f.deleteDataset},
		{"POST", "/api/1/datasets/{id}/resources/", true, true, f.createResource},
		{"PUT", "/api/1/datasets/{id}/resources/{rid}/", true, true, f.putResource},
		{"DELETE", "/api/1/datasets/{id}/resources/{rid}/", true, true, f.deleteResource},
		{"GET", "/api/2/datasets/{id}/extras/", false, false, f.getExtras},
		{"PUT", "/api/2/datasets/{id}/extras/", true, true, f.putExtras},
		{"DELETE", "/api/2/datasets/{id}/extras/", true, true, f.deleteExtras},
		{"GET", "/oauth/authorize", false, false, f.authorize},
		{"POST", "/oauth/authorize", false, false, f.authorize},
		{"POST", "/oauth/token", false, false, f.token},
	}
	mux := http.NewServeMux()
	for _, rt := range rs {
		pattern := rt.method + " " + rt.tpl
		if strings.HasSuffix(rt.tpl, "/") {
			pattern += "{$}"
		}
		mux.Handle(pattern, f.wrap(rt))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": notFoundMsg})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (f *Fake) wrap(rt route) http.Handler {
	key := rt.method + " " + rt.tpl
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls[key]++
		ft := f.takeFault(rt.method, rt.tpl)
		hook := f.hook
		f.mu.Unlock()
		if hook != nil {
			hook(rt.method, rt.tpl)
		}
		if ft != nil {
			switch ft.Kind {
			case Fault429:
				ra := ft.RetryAfter
				if ra == "" {
					ra = "1"
				}
				w.Header().Set("Retry-After", ra)
				writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Requests"})
				return
			case Fault500:
				writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "Internal Server Error"})
				return
			case Fault423:
				writeJSON(w, http.StatusLocked, map[string]any{"message": readOnlyMsg})
				return
			case FaultSlow:
				select {
				case <-time.After(ft.Delay):
				case <-r.Context().Done():
					return
				}
			case FaultDrop:
				rec := httptest.NewRecorder()
				f.serve(rt, rec, r)
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						_ = conn.Close()
						return
					}
				}
				panic(http.ErrAbortHandler)
			}
		}
		f.serve(rt, w, r)
	})
}

const readOnlyMsg = "Due to security reasons, the creation of new content is currently disabled."

func (f *Fake) serve(rt route, w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, e := f.authenticate(r)
	if e == nil && rt.secured && c.user == nil {
		if c.badBearer {
			e = msgErr(http.StatusUnauthorized, "The access token provided is expired, revoked, malformed, or invalid for other reasons.")
		} else {
			e = msgErr(http.StatusUnauthorized, "Unauthorized")
		}
	}
	if e == nil && rt.write && f.readOnly {
		e = msgErr(http.StatusLocked, readOnlyMsg)
	}
	if e == nil {
		e = rt.h(w, r, c)
	}
	if e != nil {
		if e.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="uData"`)
		}
		writeJSON(w, e.status, e.body)
	}
}

func (f *Fake) takeFault(method, tpl string) *Fault {
	for i, ft := range f.faults {
		if (ft.Method != "" && ft.Method != method) || (ft.Route != "" && ft.Route != tpl) {
			continue
		}
		if ft.Skip > 0 {
			ft.Skip--
			continue
		}
		if ft.Times > 0 {
			ft.Times--
			if ft.Times == 0 {
				f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
			}
		}
		return ft
	}
	return nil
}

// authenticate resolves the caller: a present bad API key fails every
// route; a bad bearer is remembered (401 on secured routes only).
func (f *Fake) authenticate(r *http.Request) (*call, *apiErr) {
	c := &call{}
	if key := r.Header.Get("X-API-KEY"); key != "" {
		uid, ok := f.keys[key]
		if !ok || f.users[uid] == nil {
			return nil, msgErr(http.StatusUnauthorized, "Invalid API token")
		}
		c.user = f.users[uid]
		return c, nil
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			g := f.access[strings.TrimSpace(tok)]
			if g != nil && f.opts.Now().Before(g.expiry) && f.users[g.user] != nil {
				c.user = f.users[g.user]
			} else {
				c.badBearer = true
			}
		}
	}
	return c, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readBody decodes a JSON write body (numbers kept as json.Number).
func readBody(r *http.Request) (any, *apiErr) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return nil, &apiErr{status: http.StatusBadRequest, body: map[string]any{"errors": map[string]any{"Content-Type": "expecting application/json"}}}
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 10<<20)); err != nil {
		return nil, msgErr(http.StatusBadRequest, "Failed to decode JSON object")
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, msgErr(http.StatusBadRequest, "Failed to decode JSON object")
	}
	return v, nil
}

func readObject(r *http.Request) (map[string]any, *apiErr) {
	v, e := readBody(r)
	if e != nil {
		return nil, e
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &apiErr{status: http.StatusBadRequest, body: map[string]any{"errors": map[string]any{"request": "expecting a JSON object"}}}
	}
	return m, nil
}
