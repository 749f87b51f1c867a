package csw

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// clCaps is what the client reads from GetCapabilities.
type clCaps struct {
	getURL, postURL string
	hasGetRecords   bool
}

// parseCapabilities reads the GetRecords DCP URLs from a capabilities
// document, streaming; DTDs are refused and depth is bounded.
func parseCapabilities(r io.Reader) (*clCaps, error) {
	rec := &clRecorder{src: r}
	if err := rec.prepare(); err != nil { // converts a declared non-UTF-8 encoding
		return nil, err
	}
	dec := xml.NewDecoder(rec)
	dec.Strict = true
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	caps := &clCaps{}
	depth := 0
	inGetRecords := 0 // depth of the GetRecords ows:Operation, 0 outside
	var ex *ExceptionError
	for {
		rec.keep = dec.InputOffset() // nothing is cut out: let the buffer slide
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return nil, clErr(ErrTransient, "truncated capabilities document", nil)
			}
			break
		}
		if err != nil {
			if rec.err != nil && !errors.Is(rec.err, io.EOF) && errors.Is(err, rec.err) {
				return nil, fmt.Errorf("csw: read capabilities: %w", err)
			}
			return nil, clErr(ErrUpstream, "malformed capabilities XML", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxXMLDepth {
				return nil, clErr(ErrUpstream, "capabilities nested too deep", nil)
			}
			if depth == 1 {
				switch {
				case t.Name.Local == "ExceptionReport" && strings.HasPrefix(t.Name.Space, clNSOWSPrefix):
					ex = &ExceptionError{}
				case t.Name.Local != "Capabilities":
					return nil, &RootError{Space: t.Name.Space, Local: t.Name.Local}
				}
			}
			if ex != nil && t.Name.Local == "Exception" && ex.Code == "" {
				ex.Code, ex.Locator = clAttr(t, "exceptionCode"), clAttr(t, "locator")
			}
			if t.Name.Local == "Operation" && clAttr(t, "name") == "GetRecords" {
				inGetRecords = depth
				caps.hasGetRecords = true
			}
			if inGetRecords != 0 && (t.Name.Local == "Get" || t.Name.Local == "Post") {
				href := strings.TrimSpace(clAttr(t, "href"))
				if t.Name.Local == "Get" && caps.getURL == "" {
					caps.getURL = href
				}
				if t.Name.Local == "Post" && caps.postURL == "" {
					caps.postURL = href
				}
			}
		case xml.EndElement:
			if depth == inGetRecords {
				inGetRecords = 0
			}
			depth--
		case xml.Directive:
			return nil, clErr(ErrUpstream, "refused a DTD or directive in capabilities", nil)
		}
	}
	if ex != nil {
		return nil, ex
	}
	return caps, nil
}

func clAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// clSameURL compares two service URLs: scheme and host case-insensitively,
// path without trailing slash, query parameters as sets (CSW parameters
// the client sets are ignored).
func clSameURL(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimSpace(a))
	ub, err2 := url.Parse(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	if !strings.EqualFold(ua.Scheme, ub.Scheme) || !strings.EqualFold(clHostPort(ua), clHostPort(ub)) ||
		strings.TrimRight(ua.Path, "/") != strings.TrimRight(ub.Path, "/") {
		return false
	}
	qa, qb := clOwnQuery(ua), clOwnQuery(ub)
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

func clHostPort(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		port = ""
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}

func clOwnQuery(u *url.URL) map[string]string {
	out := map[string]string{}
	for k, v := range u.Query() {
		if !clOurParams[strings.ToLower(k)] {
			out[strings.ToLower(k)] = strings.Join(v, ",")
		}
	}
	return out
}
