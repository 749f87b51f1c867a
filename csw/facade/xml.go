package facade

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"
)

// escText writes s as XML character data: markup characters escaped,
// characters XML 1.0 forbids (and invalid UTF-8) replaced by U+FFFD so the
// output stays well-formed whatever a record holds.
func escText(b *bytes.Buffer, s string) { esc(b, s, false) }

// escAttr writes s for a double-quoted attribute value.
func escAttr(b *bytes.Buffer, s string) { esc(b, s, true) }

func esc(b *bytes.Buffer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var rep string
			switch {
			case c == '&':
				rep = "&amp;"
			case c == '<':
				rep = "&lt;"
			case c == '>':
				rep = "&gt;"
			case c == '"' && attr:
				rep = "&quot;"
			case c == '\n' && attr:
				rep = "&#xA;"
			case c == '\r':
				rep = "&#xD;"
			case c == '\t' && attr:
				rep = "&#x9;"
			case c < 0x20 && c != '\n' && c != '\t':
				rep = "\uFFFD"
			default:
				i++
				continue
			}
			b.WriteString(s[last:i])
			b.WriteString(rep)
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
			b.WriteString(s[last:i])
			b.WriteString("\uFFFD")
			i += n
			last = i
			continue
		}
		i += n
	}
	b.WriteString(s[last:])
}

// elem writes <name>text</name>.
func elem(b *bytes.Buffer, name, text string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	escText(b, text)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// attr writes ` name="value"`.
func attr(b *bytes.Buffer, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	escAttr(b, value)
	b.WriteByte('"')
}

// stripDecl returns raw XML ready to embed in an envelope: without a
// leading BOM, XML declaration, DOCTYPE, comments or processing
// instructions, converted to UTF-8 when the declaration names another
// encoding, and with invalid UTF-8 replaced. It copies only when it must.
func stripDecl(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	enc := ""
	for {
		raw = bytes.TrimLeft(raw, " \t\r\n")
		var end int
		switch {
		case bytes.HasPrefix(raw, []byte("<?")):
			end = bytes.Index(raw, []byte("?>"))
			if end >= 0 && bytes.HasPrefix(raw, []byte("<?xml ")) {
				enc = declEncoding(raw[:end])
			}
			if end >= 0 {
				end += 2
			}
		case bytes.HasPrefix(raw, []byte("<!--")):
			end = bytes.Index(raw, []byte("-->"))
			if end >= 0 {
				end += 3
			}
		case bytes.HasPrefix(raw, []byte("<!DOCTYPE")):
			end = doctypeEnd(raw)
		default:
			end = -1
		}
		if end < 0 {
			break
		}
		raw = raw[end:]
	}
	raw = bytes.TrimRight(raw, " \t\r\n")
	if enc != "" && !strings.EqualFold(enc, "utf-8") && !strings.EqualFold(enc, "utf8") {
		if e, err := ianaindex.IANA.Encoding(enc); err == nil && e != nil {
			if out, err := e.NewDecoder().Bytes(raw); err == nil {
				return out
			}
		}
	}
	if !utf8.Valid(raw) {
		return bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	return raw
}

// declEncoding reads encoding="…" from an XML declaration.
func declEncoding(decl []byte) string {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	if j := bytes.IndexByte(rest, q); j >= 0 {
		return string(rest[:j])
	}
	return ""
}

// doctypeEnd returns the index just past a DOCTYPE (internal subset
// included), or -1.
func doctypeEnd(b []byte) int {
	depth := 0
	for i, c := range b {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}

func itoa(n int) string { return strconv.Itoa(n) }
