package iso

import (
	"encoding/xml"
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
