package dcat

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestUdataURL runs udataURL on the cases of udata's own test suite
// (udata/tests/test_uris.py, default settings) plus cases seen in records.
func TestUdataURL(t *testing.T) {
	valid := []string{
		"http://foo.com/blah_blah", "http://foo.com/blah_blah/", "http://foo.com/blah_blah_(wikipedia)",
		"http://foo.com/blah_blah_(wikipedia)_(again)", "http://www.example.com/wpstyle/?p=364",
		"https://www.example.com/foo/?bar=baz&inga=42&quux", "http://✪df.ws/123", "http://➡.ws/䨹",
		"http://⌘.ws", "http://⌘.ws/", "http://foo.com/blah_(wikipedia)#cite-1",
		"http://foo.com/blah_(wikipedia)_blah#cite-1", "http://foo.com/unicode_(✪)_in_parens",
		"http://foo.com/(something)?after=parens", "http://☺.damowmow.com/",
		"http://code.google.com/events/#&product=browser", "http://j.mp", "ftp://foo.bar/baz",
		"http://foo.bar/?q=Test%20URL-encoded%20stuff", "http://مثال.إختبار.com", "http://例子.测试.com",
		"http://उदाहरण.परीक्षा.com", "http://1337.net", "http://a.b-c.de", "https://foo_bar.example.com/",
		"ftps://foo.bar/", "http://例子.中国", "http://somewhere.укр",
		"http://142.42.1.1/", "http://142.42.1.1:8080", "http://142.42.1.1:8080/", "http://223.255.255.254",
		"http://[2a00:1450:4007:80e::2004]", "http://[2a00:1450:4007:80e::2004]:8080",
		"https://www.etalab.gouv.fr/licence-ouverte-open-licence",
		"https://data.geopf.fr/wms-r/wms?SERVICE=WMS&REQUEST=GetCapabilities",
		"https://example.org/a@b", // "b" is no host: the @ stays in the path
	}
	invalid := []string{
		"http://", "h/://.", "http://..", "http://../", "http://?", "http://??", "http://??/", "http://#",
		"http://##", "http://##/", "http://foo.bar?q=Spaces should be encoded", "//", "//a", "///a", "///",
		"http:///a", "foo.com", "rdar://1234", "h://test", "http:// shouldfail.com", ":// should fail",
		"http://foo.bar/foo(bar)baz quux", "http://-error-.invalid/", "http://_error_.invalid/",
		"http://a.b--c.de/", "http://-a.b.co", "http://a.b-.co", "http://0.0.0.0", "http://10.1.1.0",
		"http://10.1.1.255", "http://1.1.1.1.1", "http://123.123.123", "http://3628126748",
		"http://.www.foo.bar/", "http://www.foo.bar./", "http://.www.foo.bar./",
		"http://[fffff:1450:4007:80e::2004]", "http://[::]", "http://[::]:8080/index.html",
		// private, local, multicast
		"http://10.1.1.1", "http://10.1.1.254:8080/index.html", "http://[fc00::1]:8080", "http://localhost",
		"http://localhost.localdomain:8080/index.html", "http://127.0.0.1", "http://127.0.1.1:8080",
		"http://[::1]", "http://224.1.1.1", "http://[ff00::1]:8080", "http://169.254.1.1/x",
		"http://192.168.1.10/geoserver/wms",
		// schemes, TLDs, credentials
		"irc://somewhere.com", "unknown://somewhere.com", "http://somewhere.i2", "http://somewhere.unknown",
		"http://userid:password@example.com:8080", "http://userid@example.com/",
		"https://example.org/x?mail=a@b.fr", // read as credentials "example.org/x?mail=a@" by udata
		"http://sig.ddtm.intra/geoserver", "http://srv-carto/wms", "http://EXAMPLE.ORG/", "http://a.fr:8/x",
		"http://xn--80ak6aa92e.com/",
	}
	for _, u := range valid {
		if r := udataURL(u); r != "" {
			t.Errorf("udataURL(%q) = %q, want valid", u, r)
		}
	}
	for _, u := range invalid {
		if udataURL(u) == "" {
			t.Errorf("udataURL(%q) valid, want refused", u)
		}
	}
	for _, u := range []string{"URL of the Spatial Data Service access point", "https://todo.example.org/x", "http://intra.ddt-35.rie.gouv.fr/x"} {
		if checkURL(u) == "" {
			t.Errorf("checkURL(%q) valid, want refused", u)
		}
	}
	if r := checkURL("https://example.org/photodocuments/a.pdf"); r != "" {
		t.Errorf("checkURL(photodocuments) = %q", r)
	}
}

// FuzzCheckURL: never a panic, and an accepted URL is absolute, with an
// allowed scheme, a host, no whitespace and no credentials.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.org/a b", "http://10.0.0.1/", "http://a.fr:8080/x?y=1#z", "ftp://x@y.fr", "http://[::1]/", "http://⌘.ws", "https://data.geopf.fr/wms-r/wms?SERVICE=WMS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkURL(s) != "" {
			return
		}
		if udataURL(s) != "" {
			t.Fatalf("checkURL accepts %q, udataURL refuses it", s)
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.User != nil {
			t.Fatalf("accepted %q: parse %v, host %q, user %v", s, err, u.Host, u.User)
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "ftp", "ftps":
		default:
			t.Fatalf("accepted %q with scheme %q", s, u.Scheme)
		}
		if strings.ContainsFunc(s, unicode.IsSpace) {
			t.Fatalf("accepted %q with whitespace", s)
		}
	})
}

// TestMatchUdataURL checks the hand matcher against udata's regex.
func TestMatchUdataURL(t *testing.T) {
	cases := []string{"http://foo.com/blah_blah", "http://⌘.ws", "http://a.b--c.de/", "http://-a.b.co", "http://a.b-.co",
		"http://a_.b.co", "http://_a.b.co", "http://a-_b.fr", "http://a_-b.fr", "http://1.1.1.1.1", "http://123.123.123",
		"http://1..2.3", "http://[::1]:80/x", "http://[::1]:8", "http://[g::1]", "http://[]", "http://a.fr:/x",
		"http://a.fr:123456", "http://a.fr#x", "http://a.fr/#x", "http://a.fr?x#y", "//a.fr", "h/://.", "http:///a",
		"HTTP://A.FR", "\u212attp://a.fr", "ſ://a.fr", "http://localhost.localdomain.fr/", "http://LOCALHOST:80", "http://a.f", "http://a.😀😀",
		"http://a.b.c.d.e.fr:99999/p?q", "http://999.999.999.999", "http://.a.fr", "http://a..fr", "x-y.z://a.fr"}
	for _, c := range cases {
		h, okH := matchUdataURLByHand(c)
		r, okR := matchUdataURLRegexp(c)
		if okH != okR || h != r {
			t.Errorf("%q: by hand %v %+v, regexp %v %+v", c, okH, h, okR, r)
		}
	}
}

// FuzzMatchUdataURL: the hand matcher agrees with udata's regex on every
// string without "@" or whitespace.
func FuzzMatchUdataURL(f *testing.F) {
	for _, s := range []string{"http://a.b-c.de:80/x?y", "http://[::1]", "http://1.2.3.4", "//x.fr", "http://a_b.⌘.ws"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "@") || strings.ContainsFunc(s, unicode.IsSpace) || !utf8.ValidString(s) {
			return
		}
		h, okH := matchUdataURLByHand(s)
		r, okR := matchUdataURLRegexp(s)
		if okH != okR || h != r {
			t.Fatalf("%q: by hand %v %+v, regexp %v %+v", s, okH, h, okR, r)
		}
	})
}
