package csw

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Capabilities is what the client reads from GetCapabilities: the
// GetRecords operation's GET and POST URLs, and whether it is offered.
type Capabilities struct {
	GetURL, PostURL string
	HasGetRecords   bool
}

// ParseCapabilities reads the GetRecords DCP URLs from a capabilities
// document, streaming; DTDs are refused and depth is bounded.
func ParseCapabilities(r io.Reader) (*Capabilities, error) {
	rec := &recorder{src: r}
	if err := rec.prepare(); err != nil { // converts a declared non-UTF-8 encoding
		return nil, err
	}
	dec := xml.NewDecoder(rec)
	dec.Strict = true
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	caps := &Capabilities{}
	depth := 0
	inGetRecords := 0 // depth of the GetRecords ows:Operation, 0 outside
	var ex *ExceptionError
	for {
		rec.keep = dec.InputOffset() // nothing is cut out: let the buffer slide
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return nil, NewError(ErrTransient, "truncated capabilities document", nil)
			}
			break
		}
		if err != nil {
			if rec.err != nil && !errors.Is(rec.err, io.EOF) && errors.Is(err, rec.err) {
				return nil, fmt.Errorf("csw: read capabilities: %w", err)
			}
			return nil, NewError(ErrUpstream, "malformed capabilities XML", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxXMLDepth {
				return nil, NewError(ErrUpstream, "capabilities nested too deep", nil)
			}
			if depth == 1 {
				switch {
				case t.Name.Local == "ExceptionReport" && strings.HasPrefix(t.Name.Space, NSOWS):
					ex = &ExceptionError{}
				case t.Name.Local != "Capabilities":
					return nil, &RootError{Space: t.Name.Space, Local: t.Name.Local}
				}
			}
			if ex != nil && t.Name.Local == "Exception" && ex.Code == "" {
				ex.Code, ex.Locator = attr(t, "exceptionCode"), attr(t, "locator")
			}
			if t.Name.Local == "Operation" && attr(t, "name") == "GetRecords" {
				inGetRecords = depth
				caps.HasGetRecords = true
			}
			if inGetRecords != 0 && (t.Name.Local == "Get" || t.Name.Local == "Post") {
				href := strings.TrimSpace(attr(t, "href"))
				if t.Name.Local == "Get" && caps.GetURL == "" {
					caps.GetURL = href
				}
				if t.Name.Local == "Post" && caps.PostURL == "" {
					caps.PostURL = href
				}
			}
		case xml.EndElement:
			if depth == inGetRecords {
				inGetRecords = 0
			}
			depth--
		case xml.Directive:
			return nil, NewError(ErrUpstream, "refused a DTD or directive in capabilities", nil)
		}
	}
	if ex != nil {
		return nil, ex
	}
	return caps, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
