package iso

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/ianaindex"
)

// maxDepth bounds element nesting; ISO 19139 records rarely exceed 30.
const maxDepth = 256

const nsXML = "http://www.w3.org/XML/1998/namespace"

// node is one element of the light tree Parse builds: its namespace URI
// (resolved from the document's own declarations), local name, the raw
// prefix (for messages), attributes with resolved namespaces, the character
// data directly inside it and its element children.
type node struct {
	space, local string
	prefix       string
	attrs        []attr
	text         string
	first, last  *node
	next         *node
}

type attr struct {
	space, local, value string
}

// arena hands out nodes in blocks so that a parse makes few allocations and
// node pointers stay valid.
type arena struct {
	block []node
}

func (a *arena) alloc() *node {
	if len(a.block) == 0 {
		a.block = make([]node, 128)
	}
	n := &a.block[0]
	a.block = a.block[1:]
	return n
}

type binding struct {
	prefix, uri string
}

// parseTree reads one XML document into a light tree. It refuses DTDs
// (any <!DOCTYPE …> or other directive), unbound prefixes, mismatched tags
// and nesting deeper than maxDepth. Errors are *RecordError wrapping
// ErrMalformed.
func parseTree(raw []byte) (*node, error) {
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

func isSpace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return false
		}
	}
	return true
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// charsetReader decodes the non-UTF-8 encodings records declare
// (ISO-8859-1, windows-1252, ASCII…) through the IANA registry of x/text.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "ascii", "us-ascii":
		return input, nil
	}
	enc, err := ianaindex.IANA.Encoding(label)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	return enc.NewDecoder().Reader(input), nil
}

// Navigation helpers. A nil *node is valid everywhere and yields zero values.

// child returns the first element child with the namespace and local name.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for c := n.first; c != nil; c = c.next {
		if c.local == local && c.space == space {
			return c
		}
	}
	return nil
}

// each calls f for every element child with the namespace and local name.
func (n *node) each(space, local string, f func(*node)) {
	if n == nil {
		return
	}
	for c := n.first; c != nil; c = c.next {
		if c.local == local && c.space == space {
			f(c)
		}
	}
}

// elem returns the first element child whatever its name: the object inside
// a property element (CI_Citation in gmd:citation…).
func (n *node) elem() *node {
	if n == nil {
		return nil
	}
	return n.first
}

// path follows gmd-namespace property steps, taking the object (first
// element child) between them: n.path("citation", "title") is
// n/gmd:citation/*/gmd:title.
func (n *node) path(steps ...string) *node {
	cur := n
	for i, s := range steps {
		if i > 0 {
			cur = cur.elem()
		}
		cur = cur.child(nsGMD, s)
		if cur == nil {
			return nil
		}
	}
	return cur
}

// attr returns the value of the attribute with the namespace and local name.
func (n *node) attr(space, local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.local == local && a.space == space {
			return a.value
		}
	}
	return ""
}

// trimmed returns the element's own text, trimmed.
func (n *node) trimmed() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.text)
}

// typeName returns the type an element stands for: the local part of
// gco:isoType when present (substitution roots such as che:CHE_MD_Metadata),
// else its local name.
func (n *node) typeName() string {
	if n == nil {
		return ""
	}
	if t := n.attr(nsGCO, "isoType"); t != "" {
		if i := strings.IndexByte(t, ':'); i >= 0 {
			t = t[i+1:]
		}
		return strings.TrimSpace(t)
	}
	return n.local
}
