package dcat

import (
	"net"
	"net/url"
	"strings"
)

// checkIRI reports why s is not an absolute http(s) IRI that every
// serialization can carry ("" when it is one): scheme http or https, a host,
// no whitespace, control characters or <>"{}|\^` characters.
func checkIRI(s string) string {
	return checkIRISchemes(s, false)
}

func checkIRISchemes(s string, ftp bool) string {
	if s == "" {
		return "empty IRI"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c == 0x7f {
			return "whitespace or control character in IRI"
		}
		switch c {
		case '<', '>', '"', '{', '}', '|', '\\', '^', '`':
			return "character " + string(c) + " not allowed in IRI"
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return "unparsable IRI"
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" && !(ftp && (scheme == "ftp" || scheme == "ftps")) {
		return "scheme must be http or https"
	}
	if u.Host == "" || u.Opaque != "" {
		return "IRI has no host"
	}
	if u.User != nil {
		return "credentials in IRI"
	}
	return ""
}

// pseudoTLDs are suffixes used on private networks, never delegated.
var pseudoTLDs = map[string]bool{
	"lan": true, "home": true, "corp": true, "intranet": true, "internal": true, "localdomain": true,
	"local": true, "localhost": true, "test": true, "invalid": true, "example": true, "priv": true,
}

// placeholderWords are phrases seen in template records instead of URLs.
var placeholderWords = []string{"url of the", "url du", "example.com/placeholder", "xxx", "<url>", "todo"}

// checkURL reports why s is not a public URL that udata accepts as a
// resource URL (udata.md §A.10), "" when it is one: checkIRI plus ftp, a
// dotted public host name or public IP, no placeholder.
func checkURL(s string) string {
	if r := checkIRISchemes(s, true); r != "" {
		return r
	}
	low := strings.ToLower(s)
	for _, w := range placeholderWords {
		if strings.Contains(low, w) {
			return "placeholder URL"
		}
	}
	u, _ := url.Parse(s)
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".rie.gouv.fr") || strings.HasSuffix(host, ".intranet") {
		return "local host name"
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return "private or loopback address"
		}
		return ""
	}
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 || dot == len(host)-1 {
		return "host name has no top-level domain"
	}
	tld := host[dot+1:]
	if pseudoTLDs[tld] {
		return "non-public top-level domain"
	}
	for _, c := range tld {
		if !(c >= 'a' && c <= 'z') && !strings.HasPrefix(tld, "xn--") {
			return "invalid top-level domain"
		}
	}
	return ""
}

// fixedNamespace reports whether s lies in one of the fixed prefix namespaces
// with a local part that is not a plain name: such an IRI would be written
// as an invalid prefixed name by the Turtle encoder, so it is refused.
func badLocalInFixedNamespace(s string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p[1]) {
			local := s[len(p[1]):]
			if strings.ContainsAny(local, "/#") {
				continue // the encoder splits at the last / or #: another namespace
			}
			return !plainLocal(local)
		}
	}
	return false
}

func plainLocal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9') || c == '-':
			if i == 0 && c == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// validIRI is checkIRI plus the prefixed-name guard.
func validIRI(s string) bool {
	return checkIRI(s) == "" && !badLocalInFixedNamespace(s)
}

// validURL is checkURL plus the prefixed-name guard.
func validURL(s string) bool {
	return checkURL(s) == "" && !badLocalInFixedNamespace(s)
}
