package csw

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// facEscText writes s as XML character data: markup characters escaped,
// characters XML 1.0 forbids (and invalid UTF-8) replaced by U+FFFD so the
// output stays well-formed whatever a record holds.
func facEscText(b *bytes.Buffer, s string) { facEsc(b, s, false) }

// facEscAttr writes s for a double-quoted attribute value.
func facEscAttr(b *bytes.Buffer, s string) { facEsc(b, s, true) }

func facEsc(b *bytes.Buffer, s string, attr bool) {
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

// facElem writes <name>text</name>.
func facElem(b *bytes.Buffer, name, text string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	facEscText(b, text)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// facAttr writes ` name="value"`.
func facAttr(b *bytes.Buffer, name, value string) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	facEscAttr(b, value)
	b.WriteByte('"')
}

// facStripDecl returns raw XML without a leading BOM, XML declaration and
// surrounding whitespace, so a stored record can be embedded in an envelope.
func facStripDecl(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	raw = bytes.TrimSpace(raw)
	if bytes.HasPrefix(raw, []byte("<?xml")) {
		if end := bytes.Index(raw, []byte("?>")); end >= 0 {
			raw = bytes.TrimSpace(raw[end+2:])
		}
	}
	return raw
}

func facItoa(n int) string { return strconv.Itoa(n) }
