package csw

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// nsCSWPrefix starts the CSW namespaces (2.0.2 and 3.0).
const nsCSWPrefix = "http://www.opengis.net/cat/csw"

// Parser limits.
const (
	// MaxXMLDepth is the deepest element nesting SplitRecords accepts.
	MaxXMLDepth = 256
	minRead     = 32 << 10
	maxText     = 4 << 10
)

// Envelope describes the CSW response around the records SplitRecords
// delivered. Matched, Returned and Next are the server's claims
// (numberOfRecordsMatched, numberOfRecordsReturned, nextRecord), -1 when
// absent; Records is what was actually delivered.
type Envelope struct {
	Matched          int
	Returned         int
	Next             int
	HasSearchResults bool
	// Records counts the record elements handed to fn (children of
	// csw:SearchResults or of csw:GetRecordByIdResponse).
	Records int
	// Root is the local name of the root element.
	Root string
}

// SplitRecords streams a CSW response and calls fn once per record, in
// document order: the element children of csw:SearchResults in a
// GetRecordsResponse, or of a GetRecordByIdResponse. Each raw is the
// record's original bytes (UTF-8) made self-contained: every namespace
// declaration in scope on an ancestor and not redeclared by the record root
// is copied onto the record root. raw belongs to fn.
//
// Only one record is held in memory at a time. A DOCTYPE (hence any entity
// definition) is refused, nesting is bounded by MaxXMLDepth, non-UTF-8
// encodings declared in the XML declaration are converted.
//
// An ows:ExceptionReport root gives an *ExceptionError; another root gives
// a *RootError; malformed XML gives an error wrapping ErrUpstream, and a
// document cut short (EOF inside an element) one wrapping ErrTransient.
// Errors from r are returned wrapped, unclassified; an error from fn stops
// the walk and is returned wrapped. The Envelope is returned in every case
// with what was seen.
func SplitRecords(r io.Reader, fn func(raw []byte) error) (*Envelope, error) {
	return split(r, func(_ *Envelope, raw []byte) error { return fn(raw) })
}

// Default record limits (Limits).
const (
	DefaultMaxRecordBytes = 5_000_000
	DefaultMaxTextBytes   = 1_000_000
)

// Limits bound one record and one text node (or attribute value) of it;
// zero fields take the defaults. No real record comes near them.
type Limits struct {
	RecordBytes int
	TextBytes   int
}

func (l Limits) internal() *limits {
	c := &limits{record: int64(l.RecordBytes), text: int64(l.TextBytes)}
	if c.record <= 0 {
		c.record = DefaultMaxRecordBytes
	}
	if c.text <= 0 {
		c.text = DefaultMaxTextBytes
	}
	return c
}

// SplitRecordsLimited is SplitRecords where a record past lim is not
// buffered: it is scanned to its end (it must still be well-formed), then
// skipped is called with the reason and the split goes on with the next
// record. At most about lim.RecordBytes of a record are ever held.
func SplitRecordsLimited(r io.Reader, lim Limits, fn func(raw []byte) error, skipped func(reason string) error) (*Envelope, error) {
	return splitLimited(r, lim.internal(), func(_ *Envelope, raw []byte) error { return fn(raw) },
		func(_ *Envelope, reason string) error { return skipped(reason) })
}

// splitLimited is split with record limits; skipped is called for a
// record past them (counted in Envelope.Records like the others).
func splitLimited(r io.Reader, lim *limits, fn func(env *Envelope, raw []byte) error, skipped func(env *Envelope, reason string) error) (*Envelope, error) {
	env := &Envelope{Matched: -1, Returned: -1, Next: -1}
	rec := &recorder{src: r}
	if err := rec.prepare(); err != nil {
		return env, err
	}
	s := splitter{rec: rec, env: env, fn: fn, fast: true, lim: lim, skipped: skipped}
	return env, s.start()
}

// split is SplitRecords whose callback also sees the envelope read so
// far (the SearchResults attributes precede every record).
func split(r io.Reader, fn func(env *Envelope, raw []byte) error) (*Envelope, error) {
	return splitWith(r, fn, true)
}

// splitWith splits with the record scanner (fast) or with decoder tokens
// only (the reference the scanner is fuzzed against).
func splitWith(r io.Reader, fn func(env *Envelope, raw []byte) error, fast bool) (*Envelope, error) {
	env := &Envelope{Matched: -1, Returned: -1, Next: -1}
	rec := &recorder{src: r}
	if err := rec.prepare(); err != nil {
		return env, err
	}
	s := splitter{rec: rec, env: env, fn: fn, fast: fast}
	return env, s.start()
}

func (s *splitter) start() error {
	s.dec = xml.NewDecoder(s.rec)
	s.dec.Strict = true
	// rec already converted the stream to UTF-8: the declared encoding is
	// only a label now.
	s.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return s.run()
}

// splitter holds the state of one SplitRecords pass.
type splitter struct {
	rec *recorder
	dec *xml.Decoder
	env *Envelope
	fn  func(*Envelope, []byte) error

	names []xml.Name   // open elements, raw (prefix in Space)
	scope [][]xml.Attr // namespace declarations per open element, outside records only

	containerDepth int // depth of the element whose children are records, 0 until known
	recStart       int64
	recDepth       int // depth of the open record, 0 when outside
	recOwn         []xml.Attr

	fast bool  // scan record content with scanner
	skew int64 // bytes the scanner consumed behind the decoder's back

	lim     *limits // nil: records are not bounded
	skipped func(env *Envelope, reason string) error
}

// off is the stream offset of the decoder's position.
func (s *splitter) off() int64 { return s.dec.InputOffset() + s.skew }

func (s *splitter) run() error {
	sawRoot := false
	for {
		if s.recDepth == 0 {
			s.rec.keep = s.off()
		}
		before := s.off()
		tok, err := s.dec.RawToken()
		if errors.Is(err, io.EOF) {
			if len(s.names) > 0 || !sawRoot {
				return NewError(ErrTransient, "truncated document: end of input inside an element", nil)
			}
			return nil
		}
		if err != nil {
			return s.classify(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(s.names) >= MaxXMLDepth {
				return NewError(ErrUpstream, fmt.Sprintf("XML nesting deeper than %d elements", MaxXMLDepth), nil)
			}
			if len(s.names) == 0 && sawRoot {
				return NewError(ErrUpstream, "malformed XML: more than one root element", nil)
			}
			sawRoot = true
			s.names = append(s.names, t.Name)
			depth := len(s.names)
			if s.recDepth != 0 {
				if s.lim != nil && s.off()-s.recStart > s.lim.record {
					// decoder path (rare): the record cannot be skipped
					return NewError(ErrUpstream, fmt.Sprintf("record larger than %d bytes (max_record_bytes)", s.lim.record), nil)
				}
				continue
			}
			if s.containerDepth != 0 && depth == s.containerDepth+1 {
				s.recDepth = depth
				s.recStart = before
				s.rec.keep = before
				s.recOwn = nsDecls(t.Attr)
				if s.fast {
					if err := s.scan(before, depth); err != nil {
						return err
					}
				}
				continue
			}
			s.scope = append(s.scope, nsDecls(t.Attr))
			if err := s.enter(t, depth); err != nil {
				return err
			}
		case xml.EndElement:
			n := len(s.names)
			if n == 0 || s.names[n-1] != t.Name {
				return NewError(ErrUpstream, fmt.Sprintf("malformed XML: unexpected end element </%s>", rawName(t.Name)), nil)
			}
			s.names = s.names[:n-1]
			if s.recDepth != 0 {
				if n == s.recDepth {
					s.recDepth = 0
					if err := s.emit(s.off()); err != nil {
						return err
					}
				}
				continue
			}
			s.scope = s.scope[:len(s.scope)-1]
			if n == s.containerDepth {
				s.containerDepth = -1 // records are over; later siblings are not records
			}
		case xml.Directive:
			return NewError(ErrUpstream, "refused a DTD or directive (<!"+Shorten(string(t), 20)+">)", nil)
		}
	}
}

// scan runs the record scanner over the content of the record whose start
// tag the decoder just returned, then emits the record. Self-closing roots
// and any doubt about positions are left to the decoder.
func (s *splitter) scan(start int64, depth int) error {
	r := s.rec
	if s.off() != r.base+int64(r.pos) || r.pos < 2 || r.buf[r.pos-1] != '>' || r.buf[r.pos-2] == '/' {
		return nil
	}
	r.compact() // drop what precedes the record: the buffer holds one record and read-ahead
	a := int(start-r.base) + 1
	e := a
	for e < r.pos && strings.IndexByte(" \t\r\n/>", r.buf[e]) < 0 {
		e++
	}
	from, base := r.pos, r.base
	over, err := r.scanRecord(a, e, depth, s.lim, start)
	if err != nil {
		return err
	}
	s.skew += r.base - base + int64(r.pos-from)
	s.names = s.names[:len(s.names)-1]
	s.recDepth = 0
	if over != "" {
		s.env.Records++
		if s.skipped == nil {
			return NewError(ErrUpstream, over, nil)
		}
		if err := s.skipped(s.env, over); err != nil {
			return fmt.Errorf("record %d: %w", s.env.Records, err)
		}
		return nil
	}
	return s.emit(s.off())
}

// enter handles a start element outside records.
func (s *splitter) enter(t xml.StartElement, depth int) error {
	space := s.resolve(t.Name.Space)
	switch depth {
	case 1:
		s.env.Root = t.Name.Local
		switch {
		case t.Name.Local == "ExceptionReport" && strings.HasPrefix(space, NSOWS):
			return s.exception()
		case t.Name.Local == "GetRecordsResponse" && strings.HasPrefix(space, nsCSWPrefix):
		case t.Name.Local == "GetRecordByIdResponse" && strings.HasPrefix(space, nsCSWPrefix):
			s.containerDepth = 1
		default:
			return &RootError{Space: space, Local: t.Name.Local}
		}
	case 2:
		if s.env.Root == "GetRecordsResponse" && t.Name.Local == "SearchResults" && strings.HasPrefix(space, nsCSWPrefix) && !s.env.HasSearchResults {
			s.env.HasSearchResults = true
			s.containerDepth = 2
			return s.searchResults(t.Attr)
		}
	}
	return nil
}

func (s *splitter) searchResults(attrs []xml.Attr) error {
	for _, a := range attrs {
		var dst *int
		switch a.Name.Local {
		case "numberOfRecordsMatched":
			dst = &s.env.Matched
		case "numberOfRecordsReturned":
			dst = &s.env.Returned
		case "nextRecord":
			dst = &s.env.Next
		default:
			continue
		}
		if a.Name.Space != "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(a.Value))
		if err != nil || v < 0 {
			return NewError(ErrUpstream, fmt.Sprintf("csw:SearchResults/@%s is not a non-negative integer: %q", a.Name.Local, Shorten(a.Value, 40)), nil)
		}
		*dst = v
	}
	return nil
}

// emit delivers the record that ended at offset end.
func (s *splitter) emit(end int64) error {
	body, err := s.rec.slice(s.recStart, end)
	if err != nil {
		return err
	}
	raw := selfContained(body, s.scope, s.recOwn)
	s.env.Records++
	if s.containerDepth == 1 {
		s.env.Returned = s.env.Records
		s.env.Matched = s.env.Records
		s.env.Next = 0
	}
	if err := s.fn(s.env, raw); err != nil {
		return fmt.Errorf("record %d: %w", s.env.Records, err)
	}
	return nil
}

// exception reads an ExceptionReport to its end (or as far as it goes).
func (s *splitter) exception() error {
	ex := &ExceptionError{}
	var texts []string
	inText := false
	var cur strings.Builder
	seen := false
	for len(s.names) > 0 {
		tok, err := s.dec.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s.names = append(s.names, t.Name)
			if len(s.names) > MaxXMLDepth {
				return ex
			}
			switch t.Name.Local {
			case "Exception":
				if !seen {
					seen = true
					for _, a := range t.Attr {
						switch a.Name.Local {
						case "exceptionCode":
							ex.Code = strings.TrimSpace(a.Value)
						case "locator":
							ex.Locator = strings.TrimSpace(a.Value)
						}
					}
				}
			case "ExceptionText":
				inText = true
				cur.Reset()
			}
		case xml.EndElement:
			s.names = s.names[:len(s.names)-1]
			if t.Name.Local == "ExceptionText" && inText {
				inText = false
				if v := strings.Join(strings.Fields(cur.String()), " "); v != "" {
					texts = append(texts, v)
				}
			}
		case xml.CharData:
			if inText && cur.Len() < maxText {
				cur.Write(t)
			}
		case xml.Directive:
			return ex
		}
	}
	ex.Text = Shorten(strings.Join(texts, "; "), maxText)
	return ex
}

// resolve maps a prefix to its namespace URI using the declarations of the
// open elements outside records.
func (s *splitter) resolve(prefix string) string {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace"
	}
	for i := len(s.scope) - 1; i >= 0; i-- {
		for _, a := range s.scope[i] {
			if (prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") ||
				(prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == prefix) {
				return a.Value
			}
		}
	}
	return ""
}

// classify turns a decoder error into a classified one.
func (s *splitter) classify(err error) error {
	if s.rec.err != nil && !errors.Is(s.rec.err, io.EOF) && errors.Is(err, s.rec.err) {
		return fmt.Errorf("csw: read response: %w", err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF") {
		return NewError(ErrTransient, "truncated document", err)
	}
	return NewError(ErrUpstream, "malformed XML", err)
}

// nsDecls returns the namespace declarations among attrs (raw tokens:
// xmlns:p has Space "xmlns", the default one Local "xmlns").
func nsDecls(attrs []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			out = append(out, a)
		}
	}
	return out
}

// selfContained copies body, adding after the root element's name every
// declaration of scope (outermost first, inner ones winning) whose prefix
// the root does not declare itself.
func selfContained(body []byte, scope [][]xml.Attr, own []xml.Attr) []byte {
	declared := func(a xml.Attr, list []xml.Attr) bool {
		for _, b := range list {
			if b.Name == a.Name {
				return true
			}
		}
		return false
	}
	var add []xml.Attr
	for i := len(scope) - 1; i >= 0; i-- {
		for _, a := range scope[i] {
			if declared(a, own) || declared(a, add) {
				continue
			}
			if a.Name.Space == "" && a.Value == "" { // xmlns="" undeclares: nothing to carry
				continue
			}
			add = append(add, a)
		}
	}
	if len(add) == 0 {
		return bytes.Clone(body)
	}
	cut := 1
	for cut < len(body) && !strings.ContainsRune(" \t\r\n/>", rune(body[cut])) {
		cut++
	}
	var b bytes.Buffer
	b.Grow(len(body) + 64*len(add))
	b.Write(body[:cut])
	for _, a := range add {
		b.WriteString(" xmlns")
		if a.Name.Space == "xmlns" {
			b.WriteByte(':')
			b.WriteString(a.Name.Local)
		}
		b.WriteString(`="`)
		_ = xml.EscapeText(&b, []byte(a.Value)) // writes to a bytes.Buffer: no error
		b.WriteByte('"')
	}
	b.Write(body[cut:])
	return b.Bytes()
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// Shorten truncates s to n bytes (at a rune boundary) for messages.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// recorder is the decoder's byte source. It keeps the bytes from offset
// keep onwards so that a record's original text can be cut out once its
// end element has been read.
type recorder struct {
	src  io.Reader
	buf  []byte // stream bytes [base, base+len(buf))
	pos  int    // next byte to hand out, index into buf
	base int64
	keep int64 // earliest offset still needed
	err  error // sticky error of src

	names []byte   // the scanner's element names, kept between records
	stack [][2]int // the scanner's element stack, kept between records
}

// prepare reads the start of the stream, drops a UTF-8 BOM and converts a
// non-UTF-8 declared encoding.
func (r *recorder) prepare() error {
	for len(r.buf) < 512 && r.err == nil {
		r.read()
	}
	head := r.buf
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		r.buf = r.buf[3:]
		head = r.buf
	}
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(head, []byte("\xfe\xff")), bytes.HasPrefix(head, []byte("\xff\xfe")):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(head, []byte("<?xml")):
		end := bytes.Index(head, []byte("?>"))
		if end < 0 {
			break
		}
		label := declaredEncoding(string(head[:end]))
		if label == "" || strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") ||
			strings.EqualFold(label, "us-ascii") || strings.EqualFold(label, "ascii") {
			break
		}
		e, err := ianaindex.IANA.Encoding(label)
		if err != nil || e == nil {
			e, err = htmlindex.Get(label)
		}
		if err != nil || e == nil {
			return NewError(ErrUpstream, fmt.Sprintf("unsupported document encoding %q", Shorten(label, 40)), nil)
		}
		enc = e
	}
	if enc == nil {
		return nil
	}
	rest := r.src
	if r.err != nil {
		rest = errReader{r.err}
	}
	src := io.MultiReader(bytes.NewReader(bytes.Clone(r.buf)), rest)
	*r = recorder{src: enc.NewDecoder().Reader(src)}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// declaredEncoding returns the encoding pseudo-attribute of an XML
// declaration ("" when absent).
func declaredEncoding(decl string) string {
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	end := strings.IndexByte(rest[1:], q)
	if end < 0 {
		return ""
	}
	return rest[1 : end+1]
}

// ReadByte implements io.ByteReader for the decoder.
func (r *recorder) ReadByte() (byte, error) {
	if r.pos >= len(r.buf) {
		r.compact()
		for r.pos >= len(r.buf) {
			if r.err != nil {
				return 0, r.err
			}
			r.read()
		}
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// Read implements io.Reader (the decoder only uses ReadByte).
func (r *recorder) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}

// compact drops the bytes before keep.
func (r *recorder) compact() {
	drop := int(r.keep - r.base)
	if drop > r.pos {
		drop = r.pos
	}
	if drop <= 0 {
		return
	}
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.pos -= drop
	r.base += int64(drop)
}

func (r *recorder) read() {
	if cap(r.buf)-len(r.buf) < minRead {
		nb := make([]byte, len(r.buf), 2*cap(r.buf)+minRead)
		copy(nb, r.buf)
		r.buf = nb
	}
	n, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
	r.buf = r.buf[:len(r.buf)+n]
	if err != nil {
		r.err = err
	} else if n == 0 {
		r.err = io.ErrNoProgress
	}
}

// slice returns the stream bytes [from, to).
func (r *recorder) slice(from, to int64) ([]byte, error) {
	i, j := from-r.base, to-r.base
	if i < 0 || j < i || j > int64(len(r.buf)) {
		return nil, NewError(ErrUpstream, "internal: record bytes no longer buffered", nil)
	}
	return r.buf[i:j], nil
}

// RecordID returns the identifier of a (brief) record: fileIdentifier,
// else dc:identifier; "" when none.
func RecordID(raw []byte) string {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return ""
	}
	for _, el := range doc.Root().ChildElements() {
		switch el.Tag {
		case "fileIdentifier":
			for _, c := range el.ChildElements() {
				if v := strings.TrimSpace(c.Text()); v != "" {
					return v
				}
			}
		case "identifier":
			if v := strings.TrimSpace(el.Text()); v != "" {
				return v
			}
		}
	}
	return ""
}

// SplitPage is SplitRecordsLimited for a walker: fn and skipped also get
// the Envelope as read so far.
func SplitPage(r io.Reader, lim Limits, fn func(env *Envelope, raw []byte) error, skipped func(env *Envelope, reason string) error) (*Envelope, error) {
	return splitLimited(r, lim.internal(), fn, skipped)
}
