package dcat

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
	if !utf8.ValidString(s) {
		return "invalid UTF-8 in IRI"
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
	if (strings.Contains(low, "todo") || strings.Contains(low, "xxx")) && rePlaceholder.MatchString(s) {
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
	m, ok := matchUdataURL(s)
	if !ok {
		return "not a URL udata accepts"
	}
	switch strings.ToLower(m.scheme) {
	case "http", "https", "ftp", "ftps":
	default:
		return "scheme must be http, https, ftp or ftps"
	}
	if m.credentials != "" {
		return "credentials in URL"
	}
	if m.localhost != "" {
		return "local URL"
	}
	// udata compares the TLD as written (IGNORECASE regex, lower-case list):
	// an upper-case TLD is refused.
	if m.tld != "" && !publicTLDs[m.tld] {
		return "invalid top-level domain " + m.tld
	}
	ipText := m.ipv6
	if ipText == "" {
		ipText = m.ipv4
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

// udataMatch holds the groups of udata's URL_REGEX.
type udataMatch struct {
	scheme, credentials, localhost, ipv4, ipv6, tld string
}

// matchUdataURL matches s against udata's URL_REGEX. URLs without "@"
// (all but a few) are matched by hand, the regexp costing a quarter of
// Map's time; the others by reUdataURL, whose credentials group needs the
// backtracking semantics. TestMatchUdataURL and FuzzMatchUdataURL check
// that both agree.
func matchUdataURL(s string) (udataMatch, bool) {
	if strings.Contains(s, "@") {
		return matchUdataURLRegexp(s)
	}
	return matchUdataURLByHand(s)
}

func matchUdataURLRegexp(s string) (udataMatch, bool) {
	m := reUdataURL.FindStringSubmatch(s)
	if m == nil {
		return udataMatch{}, false
	}
	g := func(name string) string { return m[reUdataURL.SubexpIndex(name)] }
	return udataMatch{scheme: g("scheme"), credentials: g("credentials"), localhost: g("localhost"), ipv4: g("ipv4"), ipv6: g("ipv6"), tld: g("tld")}, true
}

// matchUdataURLByHand is URL_REGEX for strings without "@" (so without
// credentials) and without whitespace.
func matchUdataURLByHand(s string) (udataMatch, bool) {
	if m, ok := matchByHand(s); ok {
		return m, true
	}
	return udataMatch{}, false
}

func matchByHand(s string) (udataMatch, bool) {
	var m udataMatch
	rest := s
	if !strings.HasPrefix(rest, "//") {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return m, false
		}
		for _, r := range rest[:i] {
			// (?i)[a-z] also folds the Kelvin sign and the long s.
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == 0x212a || r == 0x17f) {
				return m, false
			}
		}
		m.scheme, rest = rest[:i], rest[i+1:]
		if !strings.HasPrefix(rest, "//") {
			return m, false
		}
	}
	rest = rest[2:]
	// The host and port end at the path ("/…") or the query ("?…"), which
	// take anything but whitespace.
	auth := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		auth = rest[:i]
	}
	host := auth
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return m, false
		}
		host = auth[:end+1]
		if !udataPort(auth[end+1:]) {
			return m, false
		}
	} else if i := strings.LastIndexByte(auth, ':'); i >= 0 {
		host = auth[:i]
		if !udataPort(auth[i:]) {
			return m, false
		}
	}
	switch {
	case strings.EqualFold(host, "localhost") || strings.EqualFold(host, "localhost.localdomain"):
		m.localhost = host
	case udataIPv4(host):
		m.ipv4 = host
	case strings.HasPrefix(host, "["):
		inner := host[1 : len(host)-1]
		if inner == "" {
			return m, false
		}
		for i := 0; i < len(inner); i++ {
			c := inner[i] | 0x20
			if !(inner[i] >= '0' && inner[i] <= '9' || c >= 'a' && c <= 'f' || inner[i] == ':') {
				return m, false
			}
		}
		m.ipv6 = inner
	default:
		labels := strings.Split(host, ".")
		if len(labels) < 2 {
			return m, false
		}
		for _, l := range labels[:len(labels)-1] {
			if !udataLabel(l) {
				return m, false
			}
		}
		tld := labels[len(labels)-1]
		n := 0
		for _, r := range tld {
			if !udataHostRune(r) {
				return m, false
			}
			n++
		}
		if n < 2 {
			return m, false
		}
		m.tld = tld
	}
	return m, true
}

// udataPort is the regex's optional (?::\d{2,5}).
func udataPort(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ':' || len(s) < 3 || len(s) > 6 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// udataIPv4 is the regex's (?:\d{0,3}\.){3}\d{0,3}.
func udataIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// udataHostRune is the class [a-z0-9\x{a1}-\x{ffff}] (case-insensitive).
func udataHostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 0xa1 && r <= 0xffff
}

// udataLabel is one non-final host label of the regex:
// (?:[C_]-?)*[C]+ with C the host class and C_ the class plus "_": no
// leading "-", no "--", no final "-" or "_".
func udataLabel(l string) bool {
	if l == "" {
		return false
	}
	prev := rune(0) // 0 at start
	for _, r := range l {
		switch {
		case udataHostRune(r), r == '_':
		case r == '-':
			if prev == 0 || prev == '-' {
				return false
			}
		default:
			return false
		}
		prev = r
	}
	return udataHostRune(prev)
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
