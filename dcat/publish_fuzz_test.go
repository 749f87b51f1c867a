package dcat

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCleanURL: cleanURL leaves no character an IRI cannot carry, is
// idempotent and changes nothing in a URL that had none.
func FuzzCleanURL(f *testing.F) {
	for _, s := range []string{" https://a.fr/wxs?map=/opt/x.map ", "https://a.fr/a b%zz{}", "http://x/%41%", "", "\x00\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := cleanURL(s)
		for i := 0; i < len(c); i++ {
			if needsEscape(c, i) {
				t.Fatalf("cleanURL(%q) = %q keeps byte %q at %d", s, c, c[i], i)
			}
		}
		if cleanURL(c) != c {
			t.Fatalf("cleanURL not idempotent on %q", s)
		}
		clean := true
		ts := strings.TrimSpace(s)
		for i := 0; i < len(ts); i++ {
			clean = clean && !needsEscape(ts, i)
		}
		if clean && c != ts {
			t.Fatalf("cleanURL(%q) = %q changed a valid URL", s, c)
		}
	})
}

// FuzzSplitEndpoint: the endpoint keeps no OGC request parameter and the
// rest of the query byte for byte, in order.
func FuzzSplitEndpoint(f *testing.F) {
	for _, s := range []string{"https://a.fr/ows?SERVICE=WMS&map=/x.map&REQUEST=GetCapabilities", "https://a.fr/w?", "https://a.fr/w?%zz=1&service", "https://a.fr/#x?y"} {
		f.Add(s, "wms")
	}
	f.Fuzz(func(t *testing.T, s, std string) {
		e, caps := splitEndpoint(s, std)
		_, q, _ := strings.Cut(e, "?")
		for _, p := range strings.Split(q, "&") {
			k, _, _ := strings.Cut(p, "=")
			if ku, err := url.QueryUnescape(k); err == nil {
				k = ku
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "request", "service", "version", "acceptversions":
				t.Fatalf("splitEndpoint(%q) = %q keeps %q", s, e, p)
			}
			if p != "" && !strings.Contains(s, p) {
				t.Fatalf("splitEndpoint(%q) = %q invents %q", s, e, p)
			}
		}
		if caps != "" && !strings.HasPrefix(caps, e) {
			t.Fatalf("GetCapabilities URL %q does not extend the endpoint %q", caps, e)
		}
	})
}

// FuzzFrequencyText: maintenance values and durations never panic and map
// only to EU codes udata reads.
func FuzzFrequencyText(f *testing.F) {
	for _, s := range []string{"5annually", "P0Y0M10D", "PT1H", "P", "mensuel", "999years", "P1,5Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, code := range []string{nonStandardFrequency(s), nearestFrequency(durationDays(s))} {
			if _, ok := udataFrequency[code]; code != "" && !ok {
				t.Fatalf("%q → %q, unknown to udata", s, code)
			}
		}
	})
}

// FuzzFormatEvidence: a link's own format evidence never panics and is a
// labelled format when found.
func FuzzFormatEvidence(f *testing.F) {
	for _, s := range []string{"https://a.fr/x?outputFormat=shape-zip", "https://a.fr/d/?format=geojson", "application/zip", "https://a.fr/x.csv?%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, get := range []func(string) (formatInfo, bool){formatFromQuery, formatFromProtocol, formatFromURL} {
			if fi, ok := get(s); ok && fi.Label == "" {
				t.Fatalf("%q: format without label %+v", s, fi)
			}
		}
	})
}
