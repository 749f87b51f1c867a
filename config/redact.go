package config

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
)

// userinfoRe matches the scheme and userinfo of a URL in free text, up to
// the last "@" of its authority.
var userinfoRe = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s"'<>]*@`)

// RedactURLs replaces the userinfo ("user:password@") of every URL in text
// by "xxxxx@": for whatever shows or logs a URL that might carry
// credentials (reports, status pages, logs).
func RedactURLs(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	return userinfoRe.ReplaceAllString(text, "${1}xxxxx@")
}

// splitUserinfo removes the userinfo of a URL and returns it as the value
// of an Authorization header (HTTP Basic), ok=false when there is none.
func splitUserinfo(raw string) (clean, authorization string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, "", false
	}
	pass, _ := u.User.Password()
	cred := u.User.Username() + ":" + pass
	u.User = nil
	return u.String(), "Basic " + base64.StdEncoding.EncodeToString([]byte(cred)), true
}
