package facade

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on constraints a request may carry.
const (
	// MaxFilterDepth is the deepest nesting of logical operators accepted in
	// an OGC filter or a CQL expression.
	MaxFilterDepth = 16
	// MaxFilterNodes is the largest number of operators in one constraint.
	MaxFilterNodes = 512
	// MaxCQLBytes bounds the length of a CQL_TEXT constraint.
	MaxCQLBytes = 16 << 10
)

// Filter is a compiled constraint (OGC Filter 1.1 or CQL_TEXT). It is
// immutable and safe for concurrent use; evaluating it allocates nothing.
type Filter struct {
	root node
	text string // a canonical rendering, for tests and logs
}

// String renders the filter in a CQL-like canonical form.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

// Match reports whether the entry satisfies the filter; a nil filter matches
// everything.
func (f *Filter) Match(e *Entry) bool {
	if f == nil || f.root == nil {
		return true
	}
	return f.root.eval(e.index())
}

func newFilter(n node) *Filter {
	var b strings.Builder
	n.write(&b)
	return &Filter{root: n, text: b.String()}
}

type node interface {
	eval(ix *index) bool
	write(b *strings.Builder)
}

type and []node
type or []node
type not struct{ n node }

func (n and) eval(ix *index) bool {
	for _, c := range n {
		if !c.eval(ix) {
			return false
		}
	}
	return true
}

func (n or) eval(ix *index) bool {
	for _, c := range n {
		if c.eval(ix) {
			return true
		}
	}
	return false
}

func (n not) eval(ix *index) bool { return !n.n.eval(ix) }

func (n and) write(b *strings.Builder) { writeList(b, "AND", n) }
func (n or) write(b *strings.Builder)  { writeList(b, "OR", n) }
func (n not) write(b *strings.Builder) {
	b.WriteString("NOT (")
	n.n.write(b)
	b.WriteString(")")
}

func writeList(b *strings.Builder, op string, ns []node) {
	b.WriteString("(")
	for i, c := range ns {
		if i > 0 {
			b.WriteString(" " + op + " ")
		}
		c.write(b)
	}
	b.WriteString(")")
}

// op is a binary comparison operator.
type op int

const (
	eq op = iota
	ne
	lt
	le
	gt
	ge
)

var opNames = [...]string{"=", "<>", "<", "<=", ">", ">="}

// compare compares a field with a literal. Text is compared
// case-insensitively, identifiers case-sensitively (matchCase="false"
// equality on identifiers compiles to a like instead); dates compare as
// dates, numbers as numbers; multi-valued fields match when one value does.
// NotEqualTo is true when no value equals the literal. AnyText equality
// means "contains".
type compare struct {
	field field
	op    op
	lit   string // as written
	low   string // lower-cased
	date  date
	num   float64
}

func newCompare(field field, op op, lit string) (*compare, *Exception) {
	c := &compare{field: field, op: op, lit: lit, low: strings.ToLower(lit)}
	switch field.kind() {
	case kindBox:
		return nil, invalid("constraint", field.String()+" can only be used with a spatial operator")
	case kindDate:
		d, ok := parseDate(lit)
		if !ok {
			return nil, invalid("constraint", field.String()+" needs an ISO 8601 date, got "+quote(lit))
		}
		c.date = d
	case kindNumber:
		n, err := strconv.ParseFloat(strings.TrimSpace(lit), 64)
		if err != nil || n != n {
			return nil, invalid("constraint", field.String()+" needs a number, got "+quote(lit))
		}
		c.num = n
	}
	return c, nil
}

func (c *compare) eval(ix *index) bool {
	if c.op == ne {
		return !c.test(ix, eq)
	}
	return c.test(ix, c.op)
}

func (c *compare) test(ix *index, op op) bool {
	switch c.field.kind() {
	case kindAny:
		if op == eq {
			return strings.Contains(ix.anyText, c.low)
		}
		return cmpOK(strings.Compare(ix.anyText, c.low), op)
	case kindDate:
		for _, d := range ix.dates(c.field) {
			if cmpOK(d.d.compare(c.date), op) {
				return true
			}
		}
		return false
	case kindNumber:
		for _, v := range ix.values(c.field) {
			if n, ok := num(v); ok && cmpOK(numCompare(n, c.num), op) {
				return true
			}
		}
		return false
	case kindID:
		if c.field == fieldIdentifier {
			for _, v := range ix.ids {
				if cmpOK(strings.Compare(v, c.lit), op) {
					return true
				}
			}
			return false
		}
		for _, v := range ix.values(c.field) {
			if cmpOK(strings.Compare(v.shown, c.lit), op) {
				return true
			}
		}
		return false
	}
	for _, v := range ix.values(c.field) {
		if cmpOK(strings.Compare(v.low, c.low), op) {
			return true
		}
	}
	return false
}

func numCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *compare) write(b *strings.Builder) {
	b.WriteString(c.field.String() + " " + opNames[c.op] + " " + quote(c.lit))
}

func cmpOK(cmp int, op op) bool {
	switch op {
	case eq:
		return cmp == 0
	case ne:
		return cmp != 0
	case lt:
		return cmp < 0
	case le:
		return cmp <= 0
	case gt:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

// between is PropertyIsBetween: lower <= value <= upper.
type between struct{ lo, hi *compare }

func (n between) eval(ix *index) bool {
	// Per value for multi-valued fields: one value must lie in the range.
	f := n.lo.field
	switch f.kind() {
	case kindDate:
		for _, d := range ix.dates(f) {
			if d.d.compare(n.lo.date) >= 0 && d.d.compare(n.hi.date) <= 0 {
				return true
			}
		}
		return false
	case kindNumber:
		for _, v := range ix.values(f) {
			if x, ok := num(v); ok && x >= n.lo.num && x <= n.hi.num {
				return true
			}
		}
		return false
	case kindAny:
		return ix.anyText >= n.lo.low && ix.anyText <= n.hi.low
	case kindID:
		if f == fieldIdentifier {
			for _, v := range ix.ids {
				if v >= n.lo.lit && v <= n.hi.lit {
					return true
				}
			}
			return false
		}
		for _, v := range ix.values(f) {
			if v.shown >= n.lo.lit && v.shown <= n.hi.lit {
				return true
			}
		}
		return false
	}
	for _, v := range ix.values(f) {
		if v.low >= n.lo.low && v.low <= n.hi.low {
			return true
		}
	}
	return false
}

func (n between) write(b *strings.Builder) {
	b.WriteString(n.lo.field.String() + " BETWEEN " + quote(n.lo.lit) + " AND " + quote(n.hi.lit))
}

// null is PropertyIsNull: the field has no value.
type null struct{ field field }

func (n null) eval(ix *index) bool {
	switch n.field.kind() {
	case kindAny:
		return ix.anyText == ""
	case kindBox:
		return len(ix.boxes) == 0
	case kindID:
		if n.field == fieldIdentifier {
			return len(ix.ids) == 0
		}
	}
	return len(ix.values(n.field)) == 0
}

func (n null) write(b *strings.Builder) { b.WriteString(n.field.String() + " IS NULL") }

// like is PropertyIsLike, compiled to a wildcard matcher over the
// lower-cased value (case-insensitive), never a regular expression.
type like struct {
	field   field
	pattern string // as written
	cql     string // the pattern in CQL syntax (% _ and \ escapes), for String
	toks    []tok
}

type tokKind uint8

const (
	tokLit tokKind = iota
	tokAny
	tokOne
)

type tok struct {
	kind tokKind
	lit  string
}

// newLike compiles a pattern with the given wildcard, single-character and
// escape characters (each one rune; escape may be 0 for none).
func newLike(field field, pattern string, wild, single, escape rune) (*like, *Exception) {
	if field.kind() == kindBox {
		return nil, invalid("constraint", field.String()+" can only be used with a spatial operator")
	}
	l := &like{field: field, pattern: pattern}
	var lit, cql strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.toks = append(l.toks, tok{kind: tokLit, lit: strings.ToLower(lit.String())})
			lit.Reset()
		}
	}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			lit.WriteRune(r)
			cqlLit(&cql, r)
			escaped = false
		case escape != 0 && r == escape:
			escaped = true
		case r == wild:
			flush()
			cql.WriteByte('%')
			if n := len(l.toks); n == 0 || l.toks[n-1].kind != tokAny {
				l.toks = append(l.toks, tok{kind: tokAny})
			}
		case r == single:
			flush()
			cql.WriteByte('_')
			l.toks = append(l.toks, tok{kind: tokOne})
		default:
			lit.WriteRune(r)
			cqlLit(&cql, r)
		}
	}
	if escaped {
		lit.WriteRune(escape)
		cqlLit(&cql, escape)
	}
	flush()
	l.cql = cql.String()
	return l, nil
}

// newExactLike is a case-insensitive equality: a pattern without wildcards.
func newExactLike(field field, lit string) *like {
	var cql strings.Builder
	for _, r := range lit {
		cqlLit(&cql, r)
	}
	l := &like{field: field, pattern: lit, cql: cql.String()}
	if lit != "" {
		l.toks = []tok{{kind: tokLit, lit: strings.ToLower(lit)}}
	}
	return l
}

func (l *like) eval(ix *index) bool {
	switch l.field {
	case fieldAnyText:
		return glob(l.toks, ix.anyText)
	case fieldIdentifier:
		for _, v := range ix.idsLow {
			if glob(l.toks, v) {
				return true
			}
		}
		return false
	}
	for _, v := range ix.values(l.field) {
		if glob(l.toks, v.low) {
			return true
		}
	}
	return false
}

func (l *like) write(b *strings.Builder) {
	b.WriteString(l.field.String() + " LIKE " + quote(l.cql))
}

func cqlLit(b *strings.Builder, r rune) {
	if r == '%' || r == '_' || r == '\\' {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// glob matches s against the tokens with the classic greedy wildcard
// algorithm: on a mismatch it retries from the last wildcard seen, one rune
// further. That is O(len(tokens)·len(s)) at worst, never exponential.
func glob(toks []tok, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokAny:
				starT, starS = ti, si
				ti++
				if ti == len(toks) {
					return true // a trailing wildcard takes the rest
				}
				// Jump straight to the next occurrence of the literal that
				// follows the wildcard, if any.
				if ti < len(toks) && toks[ti].kind == tokLit {
					j := strings.Index(s[si:], toks[ti].lit)
					if j < 0 {
						return false
					}
					starS = si + j
					si = starS
				}
				continue
			case tokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					ti++
					si += len(t.lit)
					continue
				}
			case tokOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					ti++
					si += n
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch, or pattern exhausted before the string: backtrack.
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		if starT+1 < len(toks) && toks[starT+1].kind == tokLit {
			j := strings.Index(s[starS:], toks[starT+1].lit)
			if j < 0 {
				return false
			}
			starS += j
		}
		ti, si = starT+1, starS
	}
}

// date is a parsed date or date-time; comparisons with a date-only value
// compare calendar days.
type date struct {
	t        time.Time
	dateOnly bool
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z0700"}

func parseDate(s string) (date, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 10 {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return date{t: t, dateOnly: true}, true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return date{t: t.UTC()}, true
		}
	}
	switch len(s) {
	case 4:
		if t, err := time.Parse("2006", s); err == nil {
			return date{t: t, dateOnly: true}, true
		}
	case 7:
		if t, err := time.Parse("2006-01", s); err == nil {
			return date{t: t, dateOnly: true}, true
		}
	}
	return date{}, false
}

func (d date) compare(o date) int {
	a, b := d.t, o.t
	if d.dateOnly || o.dateOnly {
		a = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
		b = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	}
	return a.Compare(b)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
