package iso

import (
	"bytes"
	"encoding/xml"
	"html"
	"io"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ResourceIdentifier is the identifier served for the resource: the first
// citation identifier in document order — a gmx:Anchor code gives its
// trimmed text; otherwise trim(codeSpace) + "/" + trim(code), the "/" left
// out when the codeSpace is empty or already ends with "/". With no citation
// identifier, the trimmed fileIdentifier. Never prefixed.
func (r *Record) ResourceIdentifier() string {
	for _, id := range r.Identifiers {
		code := strings.TrimSpace(id.Code)
		if id.Anchor {
			if code != "" {
				return code
			}
			// An Anchor without text: its href is the identifier.
			if h := strings.TrimSpace(id.Href); h != "" {
				return h
			}
			continue
		}
		if code == "" {
			continue
		}
		cs := strings.TrimSpace(id.CodeSpace)
		switch {
		case cs == "":
			return code
		case strings.HasSuffix(cs, "/"):
			return cs + code
		default:
			return cs + "/" + code
		}
	}
	return strings.TrimSpace(r.FileIdentifier)
}

// Modified is the latest revision date of the resource as written, else the
// metadata dateStamp. Dates are compared as instants when they parse
// (date, date-time with or without zone, year-month, year); a revision date
// that does not parse counts only when no other does.
func (r *Record) Modified() string {
	var (
		best     string
		bestT    time.Time
		bestOK   bool
		haveBest bool
	)
	for _, d := range r.Dates {
		if d.Type != "revision" || d.Value == "" {
			continue
		}
		t, ok := parseDate(d.Value)
		switch {
		case !haveBest:
		case ok && !bestOK:
		case ok && bestOK && t.After(bestT):
		default:
			continue
		}
		best, bestT, bestOK, haveBest = d.Value, t, ok, true
	}
	if haveBest {
		return best
	}
	return r.DateStamp
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04",
	"2006-01-02Z07:00",
	"2006-01-02",
	"2006-01",
	"2006",
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Type is the resource type: the first hierarchyLevel code; when absent,
// "service" for an SV_ServiceIdentification, "dataset" for an
// MD_DataIdentification, else "".
func (r *Record) Type() string {
	if r.HierarchyLevel != "" {
		return r.HierarchyLevel
	}
	switch r.IdentificationKind {
	case "service":
		return "service"
	case "data":
		return "dataset"
	}
	return ""
}

// Valid reports whether the box is a usable WGS 84 box: longitudes in
// [-180, 180], latitudes in [-90, 90], west ≤ east and south ≤ north. Boxes
// crossing the antimeridian (west > east) are reported invalid: in practice
// they are swapped coordinates far more often than Pacific data.
func (b BoundingBox) Valid() bool {
	in := func(v, lim float64) bool { return v >= -lim && v <= lim }
	return in(b.West, 180) && in(b.East, 180) && in(b.South, 90) && in(b.North, 90) &&
		b.West <= b.East && b.South <= b.North
}

// Repaired returns the box as its author meant it, the one rule the feeds,
// the CSW output and the CSW filters share. Swapped bounds are common (every
// Géo-IDE record of the corpus has west > east a degree apart): west > east
// less than 180° apart is read as swapped longitudes (a box crossing the
// antimeridian over more than half the globe is never what was meant), and
// south > north, which has no other reading, as swapped latitudes. ok is
// false when the result is still not Valid (out of range, NaN, or a real
// antimeridian crossing, which one simple box cannot represent).
func (b BoundingBox) Repaired() (fixed BoundingBox, swappedLon, swappedLat, ok bool) {
	if b.West > b.East && b.West-b.East < 180 {
		b.West, b.East = b.East, b.West
		swappedLon = true
	}
	if b.South > b.North {
		b.South, b.North = b.North, b.South
		swappedLat = true
	}
	return b, swappedLon, swappedLat, b.Valid()
}

// Boxes returns the record's bounding boxes as repaired by
// BoundingBox.Repaired, dropping those that stay unusable.
func (r *Record) Boxes() []BoundingBox {
	var out []BoundingBox
	for _, b := range r.BoundingBoxes {
		if fixed, _, _, ok := b.Repaired(); ok {
			out = append(out, fixed)
		}
	}
	return out
}

// roleRank orders producer roles: publisher, owner, custodian,
// pointOfContact, then any other role.
func roleRank(role string) int {
	switch role {
	case "publisher":
		return 0
	case "owner":
		return 1
	case "custodian":
		return 2
	case "pointOfContact":
		return 3
	}
	return 4
}

// ProducerNames returns the organisations the record names as producers:
// organisation names from identification pointOfContact and
// citedResponsibleParty (any role), ordered publisher, owner, custodian,
// pointOfContact, other roles (document order within a role), then the
// metadata contacts. Names are trimmed, empty ones skipped, and deduplicated
// by Slug keeping the first spelling (by the name itself when its slug is
// empty, e.g. a name in a non-Latin script).
func (r *Record) ProducerNames() []string {
	var out []string
	seen := make(map[string]bool)
	add := func(name string) {
		name = strings.TrimSpace(name)
		if name == "" {
			return
		}
		key := Slug(name)
		if key == "" {
			key = "\x00" + name
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, name)
	}
	for rank := 0; rank <= 4; rank++ {
		for _, p := range r.Parties {
			if p.Place != "pointOfContact" && p.Place != "citedResponsibleParty" {
				continue
			}
			if roleRank(p.Role) == rank {
				add(p.Organisation.Value)
			}
		}
	}
	for _, p := range r.Contacts {
		add(p.Organisation.Value)
	}
	return out
}

// Slug is the producer key of an organisation name: NFKD, combining marks
// removed, lower case, every run of characters outside [a-z0-9] turned into
// one "-", trimmed of "-". "Région Hauts-de-France" → "region-hauts-de-france".
func Slug(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	dash := false
	for _, r := range norm.NFKD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// FileIdentifierOf returns, best effort and cheaply, the fileIdentifier of a
// document that may not parse (cut, not well-formed, wrong root…): the text
// of the first element named fileIdentifier, whatever its prefix, read with
// a streaming tokenizer that stops there; if the tokenizer fails before
// reaching it, a plain byte scan. "" when none is found.
func FileIdentifierOf(raw []byte) string {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	d.CharsetReader = charsetReader
	depth, in := 0, -1
	var sb strings.Builder
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if in < 0 && t.Name.Local == "fileIdentifier" {
				in = depth
			}
			if depth > maxDepth {
				return scanFileIdentifier(raw)
			}
		case xml.EndElement:
			if in == depth {
				return strings.TrimSpace(sb.String())
			}
			depth--
		case xml.CharData:
			if in > 0 && sb.Len() < 4096 {
				sb.Write(t)
			}
		}
	}
	if in > 0 && sb.Len() > 0 {
		return strings.TrimSpace(sb.String())
	}
	return scanFileIdentifier(raw)
}

// scanFileIdentifier finds "fileIdentifier" then the text of the next
// element that holds text, without any XML parsing.
func scanFileIdentifier(raw []byte) string {
	i := bytes.Index(raw, []byte("fileIdentifier"))
	if i < 0 {
		return ""
	}
	rest := raw[i:]
	end := len(rest)
	if j := bytes.Index(rest[1:], []byte("fileIdentifier")); j >= 0 {
		end = j + 1
	}
	seg := rest[:end]
	for {
		gt := bytes.IndexByte(seg, '>')
		if gt < 0 {
			return ""
		}
		seg = seg[gt+1:]
		lt := bytes.IndexByte(seg, '<')
		if lt < 0 {
			lt = len(seg)
		}
		if v := strings.TrimSpace(string(seg[:lt])); v != "" {
			return html.UnescapeString(v)
		}
		seg = seg[lt:]
	}
}

// LaterDate reports whether date a is later than date b, both ISO 8601 as
// written in records (dates, date-times with or without zone, gYearMonth,
// gYear). A date that does not parse is earlier than any that does; two
// that do not parse compare as text.
func LaterDate(a, b string) bool {
	ta, oka := parseDate(a)
	tb, okb := parseDate(b)
	switch {
	case oka && okb:
		return ta.After(tb)
	case oka != okb:
		return oka
	default:
		return strings.TrimSpace(a) > strings.TrimSpace(b)
	}
}
