package dcat

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
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

// placeholderWords are phrases seen in template records instead of URLs;
// rePlaceholder the words that must stand alone ("photodocuments" is fine).
var (
	placeholderWords = []string{"url of the", "url du", "example.com/placeholder", "<url>"}
	rePlaceholder    = regexp.MustCompile(`(?i)\b(todo|xxx+)\b`)
)

// intranetSuffixes are host suffixes of private networks that resolve only
// inside an administration (they pass udata's validation, yet nobody
// outside can follow them).
var intranetSuffixes = []string{".rie.gouv.fr", ".intranet", ".internal", ".local", ".localhost", ".lan", ".corp", ".home"}

// checkURL reports why s is not a public URL that udata accepts as a
// resource URL (udata.md §A.10), "" when it is one: checkIRI plus ftp and
// ftps, udataURL (udata's own rules), no placeholder, no intranet host.
func checkURL(s string) string {
	if r := checkIRISchemes(s, true); r != "" {
		return r
	}
	if r := udataURL(s); r != "" {
		return r
	}
	low := strings.ToLower(s)
	for _, w := range placeholderWords {
		if strings.Contains(low, w) {
			return "placeholder URL"
		}
	}
	if rePlaceholder.MatchString(s) {
		return "placeholder URL"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "unparsable URL"
	}
	host := strings.ToLower(u.Hostname())
	for _, suf := range intranetSuffixes {
		if strings.HasSuffix(host, suf) {
			return "intranet host name"
		}
	}
	return ""
}

// reUdataURL is udata's URL_REGEX (udata/uris.py) in RE2 syntax. Go's
// leftmost-first matching captures the groups a backtracking engine
// would, so the credentials group behaves as in Python.
var reUdataURL = regexp.MustCompile(`(?i)^(?:(?P<scheme>[a-z0-9.\-]*):)?//` +
	`(?P<credentials>\S+(?::\S*)?@)?` +
	`(?:(?P<localhost>localhost(?:\.localdomain)?)` +
	`|(?P<ipv4>(?:\d{0,3}\.){3}(?:\d{0,3}))` +
	`|(?:\[(?P<ipv6>[0-9a-f:]+)\])` +
	`|(?:(?:[a-z\x{a1}-\x{ffff}0-9_]-?)*[a-z\x{a1}-\x{ffff}0-9]+)` +
	`(?:\.(?:[a-z\x{a1}-\x{ffff}0-9_]-?)*[a-z\x{a1}-\x{ffff}0-9]+)*` +
	`(?:\.(?P<tld>[a-z0-9\x{a1}-\x{ffff}]{2,})))` +
	`(?::\d{2,5})?(?:/\S*)?(?:\?\S*)?$`)

// udataURL reports why data.gouv.fr's udata.uris.validate (default
// settings: schemes http, https, ftp, ftps; IANA TLDs; no local, private,
// multicast or mask addresses) would refuse s, "" when it accepts it.
// Unlike udata it refuses credentials (URLS_ALLOW_CREDENTIALS differs
// between versions) and any Unicode space (Go's \S is ASCII only).
func udataURL(s string) string {
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "whitespace or control character in URL"
		}
	}
	m := reUdataURL.FindStringSubmatch(s)
	if m == nil {
		return "not a URL udata accepts"
	}
	group := func(name string) string { return m[reUdataURL.SubexpIndex(name)] }
	switch strings.ToLower(group("scheme")) {
	case "http", "https", "ftp", "ftps":
	default:
		return "scheme must be http, https, ftp or ftps"
	}
	if group("credentials") != "" {
		return "credentials in URL"
	}
	if group("localhost") != "" {
		return "local URL"
	}
	// udata compares the TLD as written (IGNORECASE regex, lower-case list):
	// an upper-case TLD is refused.
	if tld := group("tld"); tld != "" && !publicTLDs[tld] {
		return "invalid top-level domain " + tld
	}
	ipText := group("ipv6")
	if ipText == "" {
		ipText = group("ipv4")
	}
	if ipText == "" {
		return ""
	}
	ip := net.ParseIP(ipText)
	if ip == nil {
		return "invalid IP address"
	}
	switch {
	case ip.IsMulticast():
		return "multicast IP"
	case (!ip.IsLoopback() && isHostmask(ip)) || isNetmask(ip):
		return "mask IP"
	case ip.IsLoopback():
		return "local URL"
	case ip.IsLinkLocalUnicast() || ip.IsPrivate():
		return "private URL"
	}
	return ""
}

// ipBytes is the 4- or 16-byte form netaddr works on.
func ipBytes(ip net.IP) []byte {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip.To16()
}

// isHostmask is netaddr's IPAddress.is_hostmask: value+1 a power of two.
func isHostmask(ip net.IP) bool {
	b := ipBytes(ip)
	// value = 0…01…1: once a 1 bit is seen, every following bit is 1.
	one := false
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			bit := c>>i&1 == 1
			if one && !bit {
				return false
			}
			one = one || bit
		}
	}
	return true
}

// isNetmask is netaddr's IPAddress.is_netmask: value = 1…10…0.
func isNetmask(ip net.IP) bool {
	b := ipBytes(ip)
	zero := false
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			bit := c>>i&1 == 1
			if zero && bit {
				return false
			}
			zero = zero || !bit
		}
	}
	return true
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
