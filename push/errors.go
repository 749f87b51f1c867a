package push

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Error classes, matched with errors.Is.
var (
	// ErrTransient: worth retrying later (429, 5xx, network errors).
	ErrTransient = errors.New("transient error")
	// ErrUncertain: a write whose outcome is unknown (connection lost or
	// 5xx on POST): it may have been applied. Always with ErrTransient.
	ErrUncertain = errors.New("outcome unknown")
	// ErrAuth: credentials missing, invalid, or not allowed (401, 403).
	ErrAuth = errors.New("not authorized")
	// ErrNotFound: 404.
	ErrNotFound = errors.New("not found")
	// ErrGone: 410, the dataset was deleted on data.gouv.fr.
	ErrGone = errors.New("deleted on data.gouv.fr")
	// ErrInvalid: the request was refused as invalid (400).
	ErrInvalid = errors.New("invalid request")
	// ErrReadOnly: data.gouv.fr is in read-only mode (423).
	ErrReadOnly = errors.New("data.gouv.fr is read-only")
	// ErrUpstream: any other unexpected answer.
	ErrUpstream = errors.New("unexpected answer from data.gouv.fr")
)

// APIError is a non-2xx answer of the udata API, its body decoded:
// {"message": …} and/or {"errors": {field: [msg…]}}, or an OAuth2 error.
type APIError struct {
	Method     string
	Path       string
	Status     int
	Message    string
	Fields     map[string]string // "field" or "resources.0.url" → messages joined with "; "
	RetryAfter time.Duration
	// Hint tells the user what to do (a 401 on an OAuth2 sign-in: sign in
	// again).
	Hint      string
	uncertain bool
}

// SignInAgain is what to do when data.gouv.fr no longer accepts an OAuth2
// sign-in: udata does not renew them reliably (udata.md §C.1).
const SignInAgain = "sign in again with `passerelle login` (unattended pushes should use an API key: set " + EnvAPIKey + ")"

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
		}
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Is classifies the error.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrTransient:
		return e.Status == http.StatusTooManyRequests || e.Status >= 500
	case ErrUncertain:
		return e.uncertain
	case ErrAuth:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrGone:
		return e.Status == http.StatusGone
	case ErrInvalid:
		return e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity
	case ErrReadOnly:
		return e.Status == http.StatusLocked
	case ErrUpstream:
		return e.Status != http.StatusTooManyRequests && e.Status < 500 &&
			!(e.Status == 400 || e.Status == 401 || e.Status == 403 || e.Status == 404 || e.Status == 410 || e.Status == 422 || e.Status == 423)
	}
	return false
}

// decodeAPIError builds an APIError from a body (bounded by the caller).
func decodeAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status}
	var v struct {
		Message          any            `json:"message"`
		Errors           map[string]any `json:"errors"`
		Error            string         `json:"error"`
		ErrorDescription string         `json:"error_description"`
	}
	if json.Unmarshal(body, &v) != nil {
		if s := strings.TrimSpace(string(body)); s != "" && len(s) < 200 {
			e.Message = s
		}
		return e
	}
	if s, ok := v.Message.(string); ok {
		e.Message = s
	}
	if v.Error != "" {
		e.Message = strings.TrimSpace(v.Error + ": " + v.ErrorDescription)
	}
	if len(v.Errors) > 0 {
		e.Fields = map[string]string{}
		flatten("", v.Errors, e.Fields)
	}
	return e
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, y, out)
		}
	case []any:
		var msgs []string
		for i, y := range x {
			if s, ok := y.(string); ok {
				msgs = append(msgs, s)
			} else {
				flatten(fmt.Sprintf("%s.%d", prefix, i), y, out)
			}
		}
		if len(msgs) > 0 {
			out[prefix] = strings.Join(msgs, "; ")
		}
	default:
		out[prefix] = fmt.Sprint(x)
	}
}
