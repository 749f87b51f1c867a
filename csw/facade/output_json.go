package facade

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// Output formats.
const (
	FormatXML  = "application/xml"
	FormatJSON = "application/json"
)

// ContentTypeJSON is the content type of outputFormat=application/json
// answers.
const ContentTypeJSON = "application/json; charset=utf-8"

// ContentType is the content type of the answer to r: JSON when it asks
// outputFormat=application/json, else XML. Exceptions are always XML.
func (r *Request) ContentType() string {
	if r != nil && r.OutputFormat == FormatJSON {
		return ContentTypeJSON
	}
	return ContentTypeXML
}

// jsonNode is an element on its way to JSON.
type jsonNode struct {
	name     string
	attrs    [][2]string // name, value; xmlns declarations apart
	xmlns    [][2]string // prefix ("" for the default), URI
	children []*jsonNode
	text     strings.Builder
}

// xmlToJSON converts an answer to JSON the way pycsw does (xmltodict
// conventions): an element is an object, its attributes "@name", its
// namespace declarations grouped under "@xmlns", its text "#text" (or the
// element is the text alone when it has neither attributes nor children),
// repeated children an array, in document order.
func xmlToJSON(doc []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = charsetReader
	var root *jsonNode
	var stack []*jsonNode
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &jsonNode{name: qName(t.Name)}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					n.xmlns = append(n.xmlns, [2]string{a.Name.Local, a.Value})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					n.xmlns = append(n.xmlns, [2]string{"", a.Value})
				default:
					n.attrs = append(n.attrs, [2]string{qName(a.Name), a.Value})
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != qName(t.Name) {
				return nil, errors.New("unbalanced XML")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, errors.New("no complete root element")
	}
	var b bytes.Buffer
	b.WriteString("{")
	jsonString(&b, root.name)
	b.WriteString(":")
	root.write(&b)
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func qName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func jsonString(b *bytes.Buffer, s string) {
	v, _ := json.Marshal(s) // a string always marshals
	b.Write(v)
}

func (n *jsonNode) write(b *bytes.Buffer) {
	text := strings.TrimSpace(n.text.String())
	if len(n.attrs) == 0 && len(n.xmlns) == 0 && len(n.children) == 0 {
		if text == "" {
			b.WriteString("null")
			return
		}
		jsonString(b, text)
		return
	}
	b.WriteString("{")
	first := true
	key := func(k string) {
		if !first {
			b.WriteString(",")
		}
		first = false
		jsonString(b, k)
		b.WriteString(":")
	}
	for _, a := range n.attrs {
		key("@" + a[0])
		jsonString(b, a[1])
	}
	if len(n.xmlns) > 0 {
		key("@xmlns")
		b.WriteString("{")
		for i, x := range n.xmlns {
			if i > 0 {
				b.WriteString(",")
			}
			jsonString(b, x[0])
			b.WriteString(":")
			jsonString(b, x[1])
		}
		b.WriteString("}")
	}
	// Children grouped by name, in order of first appearance.
	var order []string
	groups := map[string][]*jsonNode{}
	for _, c := range n.children {
		if _, ok := groups[c.name]; !ok {
			order = append(order, c.name)
		}
		groups[c.name] = append(groups[c.name], c)
	}
	for _, name := range order {
		key(name)
		g := groups[name]
		if len(g) == 1 {
			g[0].write(b)
			continue
		}
		b.WriteString("[")
		for i, c := range g {
			if i > 0 {
				b.WriteString(",")
			}
			c.write(b)
		}
		b.WriteString("]")
	}
	if text != "" {
		key("#text")
		jsonString(b, text)
	}
	b.WriteString("}")
}
