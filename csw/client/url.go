package client

import (
	"net/url"
	"strings"
)

// sameURL compares two service URLs: scheme and host case-insensitively,
// path without trailing slash, query parameters as sets (CSW parameters
// the client sets are ignored).
func sameURL(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimSpace(a))
	ub, err2 := url.Parse(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	if !strings.EqualFold(ua.Scheme, ub.Scheme) || !strings.EqualFold(hostPort(ua), hostPort(ub)) ||
		strings.TrimRight(ua.Path, "/") != strings.TrimRight(ub.Path, "/") {
		return false
	}
	qa, qb := ownQuery(ua), ownQuery(ub)
	if len(qa) != len(qb) {
		return false
	}
	for k, v := range qa {
		if qb[k] != v {
			return false
		}
	}
	return true
}

func hostPort(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		port = ""
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}

func ownQuery(u *url.URL) map[string]string {
	out := map[string]string{}
	for k, v := range u.Query() {
		if !ourParams[strings.ToLower(k)] {
			out[strings.ToLower(k)] = strings.Join(v, ",")
		}
	}
	return out
}
