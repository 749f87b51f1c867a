package iso

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// parseTreeStd is the reference tree builder on encoding/xml (RawToken and
// our own namespace scoping): slower than parseTree, used to cross-check it. It refuses DTDs
// (any <!DOCTYPE …> or other directive), unbound prefixes, mismatched tags
// and nesting deeper than maxDepth. Errors are *RecordError wrapping
// ErrMalformed.
func parseTreeStd(raw []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	d.CharsetReader = charsetReader

	var (
		ar       arena
		bindings = make([]binding, 0, 16)
		marks    = make([]int, 0, 32) // len(bindings) before each open element
		stack    = make([]*node, 0, 32)
		root     *node
		closed   bool
	)
	malformed := func(format string, args ...any) error {
		return &RecordError{Reason: fmt.Sprintf(format, args...), Kind: ErrMalformed}
	}
	lookup := func(prefix string) (string, bool) {
		for i := len(bindings) - 1; i >= 0; i-- {
			if bindings[i].prefix == prefix {
				return bindings[i].uri, true
			}
		}
		switch prefix {
		case "":
			return "", true
		case "xml":
			return nsXML, true
		}
		return "", false
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &RecordError{Reason: fmt.Sprintf("not well-formed XML (line %d): %s", se.Line, se.Msg), Kind: ErrMalformed, Err: err}
			}
			return nil, &RecordError{Reason: "not well-formed XML: " + err.Error(), Kind: ErrMalformed, Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if closed {
				return nil, malformed("content after the root element: <%s>", rawName(t.Name))
			}
			if len(stack) >= maxDepth {
				return nil, malformed("elements nested deeper than %d", maxDepth)
			}
			marks = append(marks, len(bindings))
			nattrs := 0
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					bindings = append(bindings, binding{a.Name.Local, a.Value})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					bindings = append(bindings, binding{"", a.Value})
				default:
					nattrs++
				}
			}
			n := ar.alloc()
			n.prefix = t.Name.Space
			n.local = t.Name.Local
			uri, ok := lookup(t.Name.Space)
			if !ok {
				return nil, malformed("undeclared namespace prefix %q on <%s>", t.Name.Space, rawName(t.Name))
			}
			n.space = uri
			if nattrs > 0 {
				n.attrs = make([]attr, 0, nattrs)
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						continue
					}
					var as string
					if a.Name.Space != "" {
						as, ok = lookup(a.Name.Space)
						if !ok {
							return nil, malformed("undeclared namespace prefix %q on attribute %s:%s", a.Name.Space, a.Name.Space, a.Name.Local)
						}
					}
					n.attrs = append(n.attrs, attr{space: as, local: a.Name.Local, value: a.Value})
				}
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				if p.last == nil {
					p.first = n
				} else {
					p.last.next = n
				}
				p.last = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, malformed("unexpected end tag </%s>", rawName(t.Name))
			}
			n := stack[len(stack)-1]
			if n.prefix != t.Name.Space || n.local != t.Name.Local {
				return nil, malformed("element <%s> closed by </%s>", rawName(xml.Name{Space: n.prefix, Local: n.local}), rawName(t.Name))
			}
			stack = stack[:len(stack)-1]
			bindings = bindings[:marks[len(marks)-1]]
			marks = marks[:len(marks)-1]
			if len(stack) == 0 {
				closed = true
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, malformed("text outside the root element")
				}
				continue
			}
			n := stack[len(stack)-1]
			if n.text == "" {
				if isSpace(t) {
					continue
				}
				n.text = string(t)
			} else {
				n.text += string(t)
			}
		case xml.Directive:
			return nil, malformed("DTD or other <!…> declaration refused")
		case xml.Comment, xml.ProcInst:
		}
	}
	if root == nil {
		return nil, malformed("no root element")
	}
	if !closed {
		return nil, malformed("document ends inside <%s>", rawName(xml.Name{Space: stack[len(stack)-1].prefix, Local: stack[len(stack)-1].local}))
	}
	return root, nil
}
