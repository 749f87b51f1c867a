package csw

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// scanner checks the content of one record directly on the recorder's
// buffer, about ten times faster than encoding/xml tokens: SplitRecords
// needs the record's extent and its well-formedness, not its tokens. It
// enforces what the decoder enforces in strict mode (balanced and matching
// tags, quoted attribute values, the five predefined entities and valid
// character references, valid UTF-8 within the XML character range, no DTD
// or directive, bounded depth); non-ASCII name characters are accepted
// without checking the XML name tables.
type scanner struct {
	r     *recorder
	i     int      // next byte, index into r.buf
	stack [][2]int // open element names, [start, end) in names
	names []byte   // open element names, copied: the buffer may be shed
	depth int      // open elements outside this record (the record root included)

	// Size limits (lim nil: none). A record past them is still scanned to
	// its end for well-formedness, but its bytes are shed as it goes: over
	// says why it fails.
	lim       *limits
	recStart  int64 // stream offset of the record's start tag
	textStart int   // index in r.buf where the current text node began, -1 outside text
	over      string
	shedding  bool // over: drop the bytes before s.i at the next safe point
}

// limits bound one record and one text node (or attribute value) of it.
type limits struct{ record, text int64 }

// hardSlack bounds what a record past its limit may still buffer
// between two points where bytes can be shed (inside one name or
// reference); shedAt is how much it lets pile up before shedding.
const (
	hardSlack = 1 << 20
	shedAt    = 64 << 10
)

var errScanEOF = errors.New("end of input")

// scanRecord scans from the recorder's position to the end tag closing the
// element just opened, whose name is r.buf[nameStart:nameEnd]. It returns
// with the recorder positioned after that end tag.
// A record over the limits in lim is scanned to its end without being
// kept: the returned reason is non-empty and the record's bytes are gone.
func (r *recorder) scanRecord(nameStart, nameEnd, depth int, lim *limits, recStart int64) (over string, err error) {
	s := scanner{r: r, i: r.pos, depth: depth, lim: lim, recStart: recStart, textStart: -1,
		names: r.names[:0], stack: r.stack[:0]}
	s.names = append(s.names, r.buf[nameStart:nameEnd]...)
	s.stack = append(s.stack, [2]int{0, len(s.names)})
	defer func() { r.names, r.stack = s.names[:0], s.stack[:0] }() // reused by the next record
	err = s.content()
	if err != nil {
		return "", s.fail(err)
	}
	r.pos = s.i
	if lim != nil && s.over == "" && r.base+int64(s.i)-recStart > lim.record {
		s.over = fmt.Sprintf("record larger than %d bytes (max_record_bytes): skipped", lim.record)
	}
	return s.over, nil
}

// check, before the buffer grows, notes a record past its limits; past
// them, what the scanner holds must not grow beyond hardSlack more.
func (s *scanner) check() error {
	if s.over == "" {
		switch {
		case s.r.base+int64(s.i)-s.recStart > s.lim.record:
			s.over = fmt.Sprintf("record larger than %d bytes (max_record_bytes): skipped", s.lim.record)
		case s.textStart >= 0 && int64(s.i-s.textStart) > s.lim.text:
			s.over = fmt.Sprintf("text node longer than %d bytes (max_text_bytes): record skipped", s.lim.text)
		}
		s.shedding = s.over != ""
		return nil
	}
	if int64(s.i) > s.lim.record+hardSlack {
		return NewError(ErrUpstream, fmt.Sprintf("%s; a single name or reference in it is longer than %d bytes", s.over, hardSlack), nil)
	}
	return nil
}

// shed drops the bytes before s.i, at a point where the scanner holds no
// other index into the buffer (the open element names are copies).
func (s *scanner) shed() {
	if s.i < shedAt {
		return
	}
	r := s.r
	drop := s.i
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.base += int64(drop)
	r.pos = 0
	s.i = 0
	if s.textStart >= 0 {
		s.textStart = 0 // over already: text length no longer matters
	}
}

// endText checks the text node ending at s.i.
func (s *scanner) endText() {
	if s.lim != nil && s.over == "" && s.textStart >= 0 && int64(s.i-s.textStart) > s.lim.text {
		s.over = fmt.Sprintf("text node longer than %d bytes (max_text_bytes): record skipped", s.lim.text)
	}
	s.textStart = -1
}

func (s *scanner) fail(err error) error {
	if !errors.Is(err, errScanEOF) {
		return err
	}
	if s.r.err != nil && !errors.Is(s.r.err, io.EOF) {
		return fmt.Errorf("csw: read response: %w", s.r.err)
	}
	return NewError(ErrTransient, "truncated document: end of input inside an element", nil)
}

// more makes at least n bytes available from s.i.
func (s *scanner) more(n int) bool {
	for len(s.r.buf)-s.i < n {
		if s.r.err != nil {
			return false
		}
		if s.lim != nil {
			if err := s.check(); err != nil {
				s.r.err = err
				return false
			}
		}
		s.r.read()
	}
	return true
}

func (s *scanner) get() (byte, error) {
	if s.i >= len(s.r.buf) && !s.more(1) {
		return 0, errScanEOF
	}
	b := s.r.buf[s.i]
	s.i++
	return b, nil
}

func syntax(msg string) error { return NewError(ErrUpstream, "malformed XML: "+msg, nil) }

func (s *scanner) content() error {
	s.textStart = s.i
	for {
		if s.shedding {
			s.shed()
		}
		b, err := s.get()
		if err != nil {
			return err
		}
		switch {
		case b == '<':
			s.i--
			s.endText()
			s.i++
			done, err := s.markup()
			if err != nil || done {
				return err
			}
			s.textStart = s.i
		case b == '&' || b >= utf8.RuneSelf || b < 0x20:
			if err := s.charData(b); err != nil {
				return err
			}
		}
	}
}

// markup handles what follows a '<'; done reports the record's end.
func (s *scanner) markup() (done bool, err error) {
	b, err := s.get()
	if err != nil {
		return false, err
	}
	switch b {
	case '/':
		a, e, err := s.name()
		if err != nil {
			return false, err
		}
		s.space()
		if b, err = s.get(); err != nil {
			return false, err
		}
		if b != '>' {
			return false, syntax("invalid characters in end element")
		}
		top := s.stack[len(s.stack)-1]
		if !bytes.Equal(s.r.buf[a:e], s.names[top[0]:top[1]]) {
			return false, syntax(fmt.Sprintf("element <%s> closed by </%s>", Shorten(string(s.names[top[0]:top[1]]), 60), Shorten(string(s.r.buf[a:e]), 60)))
		}
		s.stack = s.stack[:len(s.stack)-1]
		s.names = s.names[:top[0]]
		return len(s.stack) == 0, nil
	case '?':
		if _, _, err := s.name(); err != nil {
			return false, err
		}
		return false, s.until("?>", false)
	case '!':
		if !s.more(2) {
			return false, errScanEOF
		}
		if s.r.buf[s.i] == '-' && s.r.buf[s.i+1] == '-' {
			s.i += 2
			return false, s.comment()
		}
		if s.more(7) && string(s.r.buf[s.i:s.i+7]) == "[CDATA[" {
			s.i += 7
			s.textStart = s.i
			err := s.until("]]>", true)
			s.endText()
			return false, err
		}
		// a directive: refused once complete (cut short, the document is truncated)
		if err := s.until(">", false); err != nil {
			return false, err
		}
		return false, NewError(ErrUpstream, "refused a DTD or directive inside a record", nil)
	}
	s.i--
	a, e, err := s.name()
	if err != nil {
		return false, err
	}
	// the name is copied now: the buffer may be shed inside attributes
	at := len(s.names)
	s.names = append(s.names, s.r.buf[a:e]...)
	for {
		s.space()
		b, err := s.get()
		if err != nil {
			return false, err
		}
		switch b {
		case '>':
			if s.depth+len(s.stack) >= MaxXMLDepth {
				return false, NewError(ErrUpstream, fmt.Sprintf("XML nesting deeper than %d elements", MaxXMLDepth), nil)
			}
			s.stack = append(s.stack, [2]int{at, len(s.names)})
			return false, nil
		case '/':
			if b, err = s.get(); err != nil {
				return false, err
			}
			if b != '>' {
				return false, syntax("expected /> in element")
			}
			s.names = s.names[:at]
			return false, nil
		}
		s.i--
		if _, _, err := s.name(); err != nil {
			return false, err
		}
		s.space()
		if b, err = s.get(); err != nil {
			return false, err
		}
		if b != '=' {
			return false, syntax("attribute name without = in element")
		}
		s.space()
		if err := s.attrValue(); err != nil {
			return false, err
		}
	}
}

func (s *scanner) attrValue() error {
	q, err := s.get()
	if err != nil {
		return err
	}
	if q != '"' && q != '\'' {
		return syntax("unquoted or missing attribute value in element")
	}
	s.textStart = s.i
	for {
		if s.shedding {
			s.shed()
		}
		b, err := s.get()
		if err != nil {
			return err
		}
		switch {
		case b == q:
			s.i--
			s.endText()
			s.i++
			return nil
		case b == '<':
			return syntax("unescaped < inside quoted string")
		case b == '&' || b >= utf8.RuneSelf || b < 0x20:
			if err := s.charData(b); err != nil {
				return err
			}
		}
	}
}

// name reads an XML name and returns its extent.
func (s *scanner) name() (int, int, error) {
	a := s.i
	for {
		if s.i >= len(s.r.buf) && !s.more(1) {
			return 0, 0, errScanEOF
		}
		b := s.r.buf[s.i]
		switch {
		case b >= utf8.RuneSelf:
			if err := s.char(); err != nil {
				return 0, 0, err
			}
			continue
		case 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b == '_' || b == ':' ||
			'0' <= b && b <= '9' || b == '.' || b == '-':
		default:
			if s.i == a {
				return 0, 0, syntax("expected element or attribute name")
			}
			if c := s.r.buf[a]; '0' <= c && c <= '9' || c == '.' || c == '-' {
				return 0, 0, syntax("invalid XML name")
			}
			return a, s.i, nil
		}
		s.i++
	}
}

func (s *scanner) space() {
	for s.i < len(s.r.buf) || s.more(1) {
		switch s.r.buf[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// char checks one non-ASCII UTF-8 sequence.
// charData checks one byte of character data (text or an attribute value)
// that needs more than a glance: an entity or character reference, a
// multi-byte character, or a control character (only tab, newline and
// carriage return are allowed).
func (s *scanner) charData(b byte) error {
	switch {
	case b == '&':
		return s.entity()
	case b >= utf8.RuneSelf:
		s.i--
		return s.char()
	case b != '\t' && b != '\n' && b != '\r':
		return syntax(fmt.Sprintf("illegal character code U+%04X", b))
	}
	return nil
}

func (s *scanner) char() error {
	s.more(utf8.UTFMax)
	r, size := utf8.DecodeRune(s.r.buf[s.i:])
	if r == utf8.RuneError && size <= 1 { // also a sequence cut by the end of input, as the decoder says
		return syntax("invalid UTF-8")
	}
	if !isXMLChar(r) {
		return syntax(fmt.Sprintf("illegal character code %U", r))
	}
	s.i += size
	return nil
}

// entity checks a reference after '&', the way the decoder reads it.
func (s *scanner) entity() error {
	bad := func(what string) error { return syntax("invalid character entity " + what) }
	b, err := s.get()
	if err != nil {
		return err
	}
	if b == '#' {
		if b, err = s.get(); err != nil {
			return err
		}
		base := 10
		if b == 'x' {
			base = 16
			if b, err = s.get(); err != nil {
				return err
			}
		}
		v, n := 0, 0
		for {
			var d int
			switch {
			case '0' <= b && b <= '9':
				d = int(b - '0')
			case base == 16 && 'a' <= b && b <= 'f':
				d = int(b-'a') + 10
			case base == 16 && 'A' <= b && b <= 'F':
				d = int(b-'A') + 10
			default:
				d = -1
			}
			if d < 0 {
				break
			}
			if v <= utf8.MaxRune {
				v = v*base + d
			}
			n++
			if b, err = s.get(); err != nil {
				return err
			}
		}
		if b != ';' || n == 0 || v > utf8.MaxRune {
			return bad("(numeric)")
		}
		// the decoder turns a surrogate into U+FFFD: accepted
		if !isXMLChar(rune(v)) && !(v >= 0xD800 && v <= 0xDFFF) {
			return syntax(fmt.Sprintf("illegal character code %U", rune(v)))
		}
		return nil
	}
	a := s.i - 1
	for b < utf8.RuneSelf && ('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == ':' || b == '.' || b == '-') || b >= utf8.RuneSelf {
		if b, err = s.get(); err != nil {
			return err
		}
	}
	if b != ';' {
		return bad("(no semicolon)")
	}
	switch string(s.r.buf[a : s.i-1]) {
	case "lt", "gt", "amp", "apos", "quot":
		return nil
	}
	return bad("&" + Shorten(string(s.r.buf[a:s.i-1]), 20) + ";")
}

// comment skips to "-->"; "--" elsewhere is an error.
func (s *scanner) comment() error {
	for {
		if s.shedding {
			s.shed()
		}
		b, err := s.get()
		if err != nil {
			return err
		}
		if b != '-' {
			continue
		}
		if !s.more(1) {
			return errScanEOF
		}
		if s.r.buf[s.i] != '-' {
			continue
		}
		if !s.more(2) {
			return errScanEOF
		}
		if s.r.buf[s.i+1] != '>' {
			return syntax(`invalid sequence "--" not allowed in comments`)
		}
		s.i += 2
		return nil
	}
}

// until skips to end (included), checking characters when asked.
func (s *scanner) until(end string, check bool) error {
	for {
		if s.shedding {
			s.shed()
		}
		b, err := s.get()
		if err != nil {
			return err
		}
		if b == end[0] {
			if !s.more(len(end) - 1) {
				return errScanEOF
			}
			if string(s.r.buf[s.i:s.i+len(end)-1]) == end[1:] {
				s.i += len(end) - 1
				return nil
			}
		}
		if !check {
			continue
		}
		switch {
		case b >= utf8.RuneSelf:
			s.i--
			if err := s.char(); err != nil {
				return err
			}
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r':
			return syntax(fmt.Sprintf("illegal character code U+%04X", b))
		}
	}
}

// isXMLChar is the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
