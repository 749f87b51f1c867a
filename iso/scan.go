package iso

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// parseTree reads one XML document into a light tree with its own
// byte-slice scanner: encoding/xml's Decoder reads byte by byte through an
// interface and costs more than the whole mapping. The scanner is at least
// as strict as encoding/xml in strict mode (a differential test and fuzz
// target check it): well-formed tags, quoted attributes, the five predefined
// entities and character references only, valid UTF-8 and XML characters.
// It refuses DTDs (any <!DOCTYPE …> or other <!…> declaration), unbound
// prefixes, mismatched tags and nesting deeper than maxDepth. Documents
// declaring another encoding (ISO-8859-1, windows-1252…) are transcoded
// first. Errors are *RecordError wrapping ErrMalformed.
func parseTree(raw []byte) (*node, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if enc := declaredEncoding(raw); enc != "" && !strings.EqualFold(enc, "utf-8") && !strings.EqualFold(enc, "utf8") {
		rd, err := charsetReader(enc, bytes.NewReader(raw))
		if err != nil {
			return nil, &RecordError{Reason: err.Error(), Kind: ErrMalformed, Err: err}
		}
		if raw, err = io.ReadAll(rd); err != nil {
			return nil, &RecordError{Reason: fmt.Sprintf("decode %s: %v", enc, err), Kind: ErrMalformed, Err: err}
		}
	}
	if err := checkChars(raw); err != nil {
		return nil, err
	}
	s := scanner{buf: raw, names: make(map[string]string, 64)}
	return s.document()
}

// declaredEncoding returns the encoding pseudo-attribute of a leading XML
// declaration, "" when there is none.
func declaredEncoding(raw []byte) string {
	if !bytes.HasPrefix(raw, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(raw, []byte("?>"))
	if end < 0 {
		return ""
	}
	return pseudoAttr(raw[:end], "encoding")
}

// pseudoAttr reads name="value" (or single quotes) in an XML declaration.
func pseudoAttr(decl []byte, name string) string {
	i := bytes.Index(decl, []byte(name))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := bytes.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return string(rest[1 : 1+j])
}

// checkChars refuses invalid UTF-8 and characters XML 1.0 forbids
// (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF).
func checkChars(b []byte) error {
	if !utf8.Valid(b) {
		return &RecordError{Reason: "not well-formed XML: invalid UTF-8", Kind: ErrMalformed}
	}
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return &RecordError{Reason: fmt.Sprintf("not well-formed XML: illegal character U+%04X at byte %d", c, i), Kind: ErrMalformed}
		}
		if c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
			return &RecordError{Reason: fmt.Sprintf("not well-formed XML: illegal character at byte %d", i), Kind: ErrMalformed}
		}
	}
	return nil
}

type scanner struct {
	buf   []byte
	pos   int
	names map[string]string // interned names and namespace URIs
	tmp   []byte            // entity decoding buffer
	raw   []rawAttr         // attributes of the current start tag
}

type rawAttr struct {
	prefix, local string
	value         string
}

func (s *scanner) intern(b []byte) string {
	if v, ok := s.names[string(b)]; ok {
		return v
	}
	v := string(b)
	s.names[v] = v
	return v
}

func (s *scanner) errf(format string, args ...any) error {
	line := 1 + bytes.Count(s.buf[:min(s.pos, len(s.buf))], []byte("\n"))
	return &RecordError{Reason: fmt.Sprintf("not well-formed XML (line %d): %s", line, fmt.Sprintf(format, args...)), Kind: ErrMalformed}
}

func malformedf(format string, args ...any) error {
	return &RecordError{Reason: fmt.Sprintf(format, args...), Kind: ErrMalformed}
}

type open struct {
	n     *node
	qname string // as written, to match the end tag
	mark  int    // len(bindings) before this element
	more  []byte // text so far when it comes in several pieces
}

// addText appends character data to the element's text, in linear time
// however many pieces (comments, CDATA, children) split it.
func (o *open) addText(b []byte) {
	switch {
	case o.more != nil:
		o.more = append(o.more, b...)
	case o.n.text == "":
		o.n.text = string(b)
	default:
		o.more = append([]byte(o.n.text), b...)
	}
}

// Limits against documents built to make the scanner quadratic.
const (
	maxAttrs    = 256 // attributes on one element
	maxBindings = 256 // namespace declarations in scope
)

func (s *scanner) document() (*node, error) {
	var (
		ar       arena
		bindings = make([]binding, 0, 16)
		stack    = make([]open, 0, 32)
		root     *node
		closed   bool
	)
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
	buf := s.buf
	for s.pos < len(buf) {
		if buf[s.pos] != '<' {
			end := bytes.IndexByte(buf[s.pos:], '<')
			if end < 0 {
				end = len(buf) - s.pos
			}
			seg := buf[s.pos : s.pos+end]
			if len(stack) == 0 {
				if !isSpace(seg) {
					return nil, malformedf("text outside the root element")
				}
				s.pos += end
				continue
			}
			n := stack[len(stack)-1].n
			if n.text == "" && isSpace(seg) {
				s.pos += end
				continue
			}
			txt, err := s.decode(seg)
			if err != nil {
				return nil, err
			}
			stack[len(stack)-1].addText(txt)
			s.pos += end
			continue
		}
		if s.pos+1 >= len(buf) {
			return nil, s.errf("unexpected EOF")
		}
		switch buf[s.pos+1] {
		case '?':
			end := bytes.Index(buf[s.pos+2:], []byte("?>"))
			if end < 0 {
				return nil, s.errf("unterminated <? processing instruction")
			}
			target := buf[s.pos+2 : s.pos+2+end]
			if i := bytes.IndexAny(target, " \t\r\n"); i >= 0 {
				target = target[:i]
			}
			if !validName(target) || bytes.IndexByte(target, ':') >= 0 {
				return nil, s.errf("bad processing instruction target %q", target)
			}
			if strings.EqualFold(string(target), "xml") {
				if s.pos != 0 {
					return nil, s.errf("XML declaration not at the start")
				}
				if v := pseudoAttr(buf[s.pos+2:s.pos+2+end], "version"); v != "" && v != "1.0" {
					return nil, s.errf("unsupported XML version %q", v)
				}
			}
			s.pos += 2 + end + 2
		case '!':
			rest := buf[s.pos:]
			switch {
			case bytes.HasPrefix(rest, []byte("<!--")):
				end := bytes.Index(rest[4:], []byte("--"))
				if end < 0 {
					return nil, s.errf("unterminated comment")
				}
				if 4+end+2 >= len(rest) || rest[4+end+2] != '>' {
					return nil, s.errf("invalid sequence \"--\" not allowed in comments")
				}
				s.pos += 4 + end + 3
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest[9:], []byte("]]>"))
				if end < 0 {
					return nil, s.errf("unterminated CDATA section")
				}
				if len(stack) == 0 {
					return nil, malformedf("CDATA outside the root element")
				}
				data := rest[9 : 9+end]
				n := stack[len(stack)-1].n
				if !(n.text == "" && isSpace(data)) {
					stack[len(stack)-1].addText(normalizeNewlines(data, &s.tmp))
				}
				s.pos += 9 + end + 3
			default:
				return nil, malformedf("DTD or other <!…> declaration refused")
			}
		case '/':
			s.pos += 2
			start := s.pos
			if !s.skipName() {
				return nil, s.errf("invalid end tag name")
			}
			qname := buf[start:s.pos]
			s.skipSpace()
			if s.pos >= len(buf) || buf[s.pos] != '>' {
				return nil, s.errf("invalid characters between </%s and >", qname)
			}
			s.pos++
			if len(stack) == 0 {
				return nil, malformedf("unexpected end tag </%s>", qname)
			}
			top := stack[len(stack)-1]
			if top.qname != string(qname) {
				return nil, malformedf("element <%s> closed by </%s>", top.qname, qname)
			}
			if top.more != nil {
				top.n.text = string(top.more)
			}
			stack = stack[:len(stack)-1]
			bindings = bindings[:top.mark]
			if len(stack) == 0 {
				closed = true
			}
		default:
			if closed {
				return nil, malformedf("content after the root element")
			}
			if len(stack) >= maxDepth {
				return nil, malformedf("elements nested deeper than %d", maxDepth)
			}
			s.pos++
			start := s.pos
			if !s.skipName() {
				return nil, s.errf("invalid element name")
			}
			qname := s.intern(buf[start:s.pos])
			prefix, local, err := splitName(qname)
			if err != nil {
				return nil, s.errf("%v", err)
			}
			selfClose, err := s.attributes()
			if err != nil {
				return nil, err
			}
			mark := len(bindings)
			nattrs := 0
			for _, a := range s.raw {
				switch {
				case a.prefix == "xmlns":
					bindings = append(bindings, binding{a.local, a.value})
				case a.prefix == "" && a.local == "xmlns":
					bindings = append(bindings, binding{"", a.value})
				default:
					nattrs++
				}
			}
			if len(bindings) > maxBindings {
				return nil, malformedf("more than %d namespace declarations in scope at <%s>", maxBindings, qname)
			}
			n := ar.alloc()
			n.prefix, n.local = prefix, local
			uri, ok := lookup(prefix)
			if !ok {
				return nil, malformedf("undeclared namespace prefix %q on <%s>", prefix, qname)
			}
			n.space = uri
			if nattrs > 0 {
				n.attrs = make([]attr, 0, nattrs)
				for _, a := range s.raw {
					if a.prefix == "xmlns" || (a.prefix == "" && a.local == "xmlns") {
						continue
					}
					var as string
					if a.prefix != "" {
						if as, ok = lookup(a.prefix); !ok {
							return nil, malformedf("undeclared namespace prefix %q on attribute %s:%s", a.prefix, a.prefix, a.local)
						}
					}
					n.attrs = append(n.attrs, attr{space: as, local: a.local, value: a.value})
				}
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1].n
				if p.last == nil {
					p.first = n
				} else {
					p.last.next = n
				}
				p.last = n
			}
			if selfClose {
				bindings = bindings[:mark]
				if len(stack) == 0 {
					closed = true
				}
			} else {
				stack = append(stack, open{n: n, qname: qname, mark: mark})
			}
		}
	}
	if root == nil {
		return nil, malformedf("no root element")
	}
	if !closed {
		return nil, malformedf("document ends inside <%s>", stack[len(stack)-1].qname)
	}
	return root, nil
}

// attributes reads the attributes of a start tag into s.raw, up to and
// including the closing > or />.
func (s *scanner) attributes() (selfClose bool, err error) {
	s.raw = s.raw[:0]
	buf := s.buf
	for {
		ws := s.skipSpace()
		if s.pos >= len(buf) {
			return false, s.errf("unexpected EOF in a start tag")
		}
		switch buf[s.pos] {
		case '>':
			s.pos++
			return false, nil
		case '/':
			if s.pos+1 < len(buf) && buf[s.pos+1] == '>' {
				s.pos += 2
				return true, nil
			}
			return false, s.errf("expected /> in element")
		}
		if !ws {
			return false, s.errf("expected white space before an attribute")
		}
		start := s.pos
		if !s.skipName() {
			return false, s.errf("invalid attribute name")
		}
		name := s.intern(buf[start:s.pos])
		prefix, local, err := splitName(name)
		if err != nil {
			return false, s.errf("%v", err)
		}
		s.skipSpace()
		if s.pos >= len(buf) || buf[s.pos] != '=' {
			return false, s.errf("attribute name without = in element")
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(buf) || (buf[s.pos] != '"' && buf[s.pos] != '\'') {
			return false, s.errf("unquoted or missing attribute value in element")
		}
		q := buf[s.pos]
		s.pos++
		end := bytes.IndexByte(buf[s.pos:], q)
		if end < 0 {
			return false, s.errf("unexpected EOF in an attribute value")
		}
		raw := buf[s.pos : s.pos+end]
		if bytes.IndexByte(raw, '<') >= 0 {
			return false, s.errf("unescaped < inside quoted string")
		}
		var val string
		if prefix == "xmlns" || (prefix == "" && local == "xmlns") {
			v, err := s.decode(raw)
			if err != nil {
				return false, err
			}
			val = s.intern(v)
		} else {
			if val, err = s.text(raw); err != nil {
				return false, err
			}
		}
		for _, a := range s.raw {
			if a.prefix == prefix && a.local == local {
				return false, s.errf("attribute %s redefined", name)
			}
		}
		if len(s.raw) >= maxAttrs {
			return false, malformedf("more than %d attributes on one element", maxAttrs)
		}
		s.raw = append(s.raw, rawAttr{prefix: prefix, local: local, value: val})
		s.pos += end + 1
	}
}

// text decodes character data (entities, newlines) into a string.
func (s *scanner) text(b []byte) (string, error) {
	v, err := s.decode(b)
	if err != nil {
		return "", err
	}
	return string(v), nil
}

// decode resolves entity and character references and normalises CR/CRLF
// to LF. The result aliases b when nothing needs rewriting, else s.tmp.
func (s *scanner) decode(b []byte) ([]byte, error) {
	if bytes.Contains(b, []byte("]]>")) {
		return nil, s.errf("unescaped ]]> not in CDATA section")
	}
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return b, nil
	}
	out := s.tmp[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 0 || semi > 12 {
				return nil, s.errf("invalid character entity (no semicolon)")
			}
			ent := b[i+1 : i+semi]
			switch string(ent) {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "apos":
				out = append(out, '\'')
			case "quot":
				out = append(out, '"')
			default:
				r, ok := charRef(ent)
				if !ok {
					return nil, s.errf("invalid character entity &%s;", ent)
				}
				out = utf8.AppendRune(out, r)
			}
			i += semi
		default:
			out = append(out, c)
		}
	}
	s.tmp = out
	return out, nil
}

// charRef decodes "#123" or "#x1F" into an XML character.
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base, digits := 10, ent[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var v rune
	for _, d := range digits {
		var x rune
		switch {
		case d >= '0' && d <= '9':
			x = rune(d - '0')
		case base == 16 && d >= 'a' && d <= 'f':
			x = rune(d-'a') + 10
		case base == 16 && d >= 'A' && d <= 'F':
			x = rune(d-'A') + 10
		default:
			return 0, false
		}
		v = v*rune(base) + x
	}
	ok := v == 0x09 || v == 0x0A || v == 0x0D ||
		(v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)
	return v, ok
}

func normalizeNewlines(b []byte, tmp *[]byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := (*tmp)[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	*tmp = out
	return out
}

func (s *scanner) skipSpace() bool {
	start := s.pos
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return s.pos > start
		}
	}
	return s.pos > start
}

// skipName advances over an XML name and reports whether one was there.
// ASCII names are checked here; names with other characters are checked by
// encoding/xml itself so that the scanner is never more lenient than it.
func (s *scanner) skipName() bool {
	start := s.pos
	ascii := true
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		if c >= 0x80 {
			ascii = false
			s.pos++
			continue
		}
		if !isNameByte(c) {
			break
		}
		s.pos++
	}
	if s.pos == start {
		return false
	}
	name := s.buf[start:s.pos]
	if ascii {
		c := name[0]
		return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z')
	}
	return validName(name)
}

func isNameByte(c byte) bool {
	return c == '_' || c == ':' || c == '-' || c == '.' ||
		(c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// validName checks a name with encoding/xml's own rules (rare: non-ASCII).
func validName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	ascii := true
	for _, c := range name {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		c := name[0]
		if !(c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
			return false
		}
		for _, c := range name {
			if !isNameByte(c) {
				return false
			}
		}
		return true
	}
	d := xml.NewDecoder(bytes.NewReader(append(append([]byte("<"), name...), "/>"...)))
	tok, err := d.RawToken()
	if err != nil {
		return false
	}
	se, ok := tok.(xml.StartElement)
	return ok && rawName(se.Name) == string(name)
}

// splitName splits a qualified name at its colon; names with more than one
// colon or an empty prefix or local part are refused (XML namespaces).
func splitName(q string) (prefix, local string, err error) {
	i := strings.IndexByte(q, ':')
	if i < 0 {
		return "", q, nil
	}
	if i == 0 || i == len(q)-1 || strings.IndexByte(q[i+1:], ':') >= 0 {
		return "", "", fmt.Errorf("invalid qualified name %q", q)
	}
	return q[:i], q[i+1:], nil
}
