package csw

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
	root facNode
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

func newFilter(n facNode) *Filter {
	var b strings.Builder
	n.write(&b)
	return &Filter{root: n, text: b.String()}
}

type facNode interface {
	eval(ix *facIndex) bool
	write(b *strings.Builder)
}

type facAnd []facNode
type facOr []facNode
type facNot struct{ n facNode }

func (n facAnd) eval(ix *facIndex) bool {
	for _, c := range n {
		if !c.eval(ix) {
			return false
		}
	}
	return true
}

func (n facOr) eval(ix *facIndex) bool {
	for _, c := range n {
		if c.eval(ix) {
			return true
		}
	}
	return false
}

func (n facNot) eval(ix *facIndex) bool { return !n.n.eval(ix) }

func (n facAnd) write(b *strings.Builder) { facWriteList(b, "AND", n) }
func (n facOr) write(b *strings.Builder)  { facWriteList(b, "OR", n) }
func (n facNot) write(b *strings.Builder) {
	b.WriteString("NOT (")
	n.n.write(b)
	b.WriteString(")")
}

func facWriteList(b *strings.Builder, op string, ns []facNode) {
	b.WriteString("(")
	for i, c := range ns {
		if i > 0 {
			b.WriteString(" " + op + " ")
		}
		c.write(b)
	}
	b.WriteString(")")
}

// facOp is a binary comparison operator.
type facOp int

const (
	facEq facOp = iota
	facNe
	facLt
	facLe
	facGt
	facGe
)

var facOpNames = [...]string{"=", "<>", "<", "<=", ">", ">="}

// facCompare compares a field with a literal. Text is compared
// case-insensitively, identifiers case-sensitively (matchCase="false"
// equality on identifiers compiles to a facLike instead); dates compare as
// dates, numbers as numbers; multi-valued fields match when one value does.
// NotEqualTo is true when no value equals the literal. AnyText equality
// means "contains".
type facCompare struct {
	field facField
	op    facOp
	lit   string // as written
	low   string // lower-cased
	date  facDate
	num   float64
}

func newCompare(field facField, op facOp, lit string) (*facCompare, *Exception) {
	c := &facCompare{field: field, op: op, lit: lit, low: strings.ToLower(lit)}
	switch field.kind() {
	case facKindBox:
		return nil, facInvalid("constraint", field.String()+" can only be used with a spatial operator")
	case facKindDate:
		d, ok := facParseDate(lit)
		if !ok {
			return nil, facInvalid("constraint", field.String()+" needs an ISO 8601 date, got "+facQuote(lit))
		}
		c.date = d
	case facKindNumber:
		n, err := strconv.ParseFloat(strings.TrimSpace(lit), 64)
		if err != nil || n != n {
			return nil, facInvalid("constraint", field.String()+" needs a number, got "+facQuote(lit))
		}
		c.num = n
	}
	return c, nil
}

func (c *facCompare) eval(ix *facIndex) bool {
	if c.op == facNe {
		return !c.test(ix, facEq)
	}
	return c.test(ix, c.op)
}

func (c *facCompare) test(ix *facIndex, op facOp) bool {
	switch c.field.kind() {
	case facKindAny:
		if op == facEq {
			return strings.Contains(ix.anyText, c.low)
		}
		return facCmpOK(strings.Compare(ix.anyText, c.low), op)
	case facKindDate:
		for _, d := range ix.dates(c.field) {
			if facCmpOK(d.d.compare(c.date), op) {
				return true
			}
		}
		return false
	case facKindNumber:
		for _, v := range ix.values(c.field) {
			if n, ok := facNum(v); ok && facCmpOK(facNumCompare(n, c.num), op) {
				return true
			}
		}
		return false
	case facKindID:
		if c.field == facIdentifier {
			for _, v := range ix.ids {
				if facCmpOK(strings.Compare(v, c.lit), op) {
					return true
				}
			}
			return false
		}
		for _, v := range ix.values(c.field) {
			if facCmpOK(strings.Compare(v.shown, c.lit), op) {
				return true
			}
		}
		return false
	}
	for _, v := range ix.values(c.field) {
		if facCmpOK(strings.Compare(v.low, c.low), op) {
			return true
		}
	}
	return false
}

func facNumCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *facCompare) write(b *strings.Builder) {
	b.WriteString(c.field.String() + " " + facOpNames[c.op] + " " + facQuote(c.lit))
}

func facCmpOK(cmp int, op facOp) bool {
	switch op {
	case facEq:
		return cmp == 0
	case facNe:
		return cmp != 0
	case facLt:
		return cmp < 0
	case facLe:
		return cmp <= 0
	case facGt:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

// facBetween is PropertyIsBetween: lower <= value <= upper.
type facBetween struct{ lo, hi *facCompare }

func (n facBetween) eval(ix *facIndex) bool {
	// Per value for multi-valued fields: one value must lie in the range.
	f := n.lo.field
	switch f.kind() {
	case facKindDate:
		for _, d := range ix.dates(f) {
			if d.d.compare(n.lo.date) >= 0 && d.d.compare(n.hi.date) <= 0 {
				return true
			}
		}
		return false
	case facKindNumber:
		for _, v := range ix.values(f) {
			if x, ok := facNum(v); ok && x >= n.lo.num && x <= n.hi.num {
				return true
			}
		}
		return false
	case facKindAny:
		return ix.anyText >= n.lo.low && ix.anyText <= n.hi.low
	case facKindID:
		if f == facIdentifier {
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

func (n facBetween) write(b *strings.Builder) {
	b.WriteString(n.lo.field.String() + " BETWEEN " + facQuote(n.lo.lit) + " AND " + facQuote(n.hi.lit))
}

// facNull is PropertyIsNull: the field has no value.
type facNull struct{ field facField }

func (n facNull) eval(ix *facIndex) bool {
	switch n.field.kind() {
	case facKindAny:
		return ix.anyText == ""
	case facKindBox:
		return len(ix.boxes) == 0
	case facKindID:
		if n.field == facIdentifier {
			return len(ix.ids) == 0
		}
	}
	return len(ix.values(n.field)) == 0
}

func (n facNull) write(b *strings.Builder) { b.WriteString(n.field.String() + " IS NULL") }

// facLike is PropertyIsLike, compiled to a wildcard matcher over the
// lower-cased value (case-insensitive), never a regular expression.
type facLike struct {
	field   facField
	pattern string // as written
	cql     string // the pattern in CQL syntax (% _ and \ escapes), for String
	toks    []facTok
}

type facTokKind uint8

const (
	facTokLit facTokKind = iota
	facTokAny
	facTokOne
)

type facTok struct {
	kind facTokKind
	lit  string
}

// newLike compiles a pattern with the given wildcard, single-character and
// escape characters (each one rune; escape may be 0 for none).
func newLike(field facField, pattern string, wild, single, escape rune) (*facLike, *Exception) {
	if field.kind() == facKindBox {
		return nil, facInvalid("constraint", field.String()+" can only be used with a spatial operator")
	}
	l := &facLike{field: field, pattern: pattern}
	var lit, cql strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.toks = append(l.toks, facTok{kind: facTokLit, lit: strings.ToLower(lit.String())})
			lit.Reset()
		}
	}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			lit.WriteRune(r)
			facCQLLit(&cql, r)
			escaped = false
		case escape != 0 && r == escape:
			escaped = true
		case r == wild:
			flush()
			cql.WriteByte('%')
			if n := len(l.toks); n == 0 || l.toks[n-1].kind != facTokAny {
				l.toks = append(l.toks, facTok{kind: facTokAny})
			}
		case r == single:
			flush()
			cql.WriteByte('_')
			l.toks = append(l.toks, facTok{kind: facTokOne})
		default:
			lit.WriteRune(r)
			facCQLLit(&cql, r)
		}
	}
	if escaped {
		lit.WriteRune(escape)
		facCQLLit(&cql, escape)
	}
	flush()
	l.cql = cql.String()
	return l, nil
}

// newExactLike is a case-insensitive equality: a pattern without wildcards.
func newExactLike(field facField, lit string) *facLike {
	var cql strings.Builder
	for _, r := range lit {
		facCQLLit(&cql, r)
	}
	l := &facLike{field: field, pattern: lit, cql: cql.String()}
	if lit != "" {
		l.toks = []facTok{{kind: facTokLit, lit: strings.ToLower(lit)}}
	}
	return l
}

func (l *facLike) eval(ix *facIndex) bool {
	switch l.field {
	case facAnyText:
		return facGlob(l.toks, ix.anyText)
	case facIdentifier:
		for _, v := range ix.idsLow {
			if facGlob(l.toks, v) {
				return true
			}
		}
		return false
	}
	for _, v := range ix.values(l.field) {
		if facGlob(l.toks, v.low) {
			return true
		}
	}
	return false
}

func (l *facLike) write(b *strings.Builder) {
	b.WriteString(l.field.String() + " LIKE " + facQuote(l.cql))
}

func facCQLLit(b *strings.Builder, r rune) {
	if r == '%' || r == '_' || r == '\\' {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// facGlob matches s against the tokens with the classic greedy wildcard
// algorithm: on a mismatch it retries from the last wildcard seen, one rune
// further. That is O(len(tokens)·len(s)) at worst, never exponential.
func facGlob(toks []facTok, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case facTokAny:
				starT, starS = ti, si
				ti++
				if ti == len(toks) {
					return true // a trailing wildcard takes the rest
				}
				// Jump straight to the next occurrence of the literal that
				// follows the wildcard, if any.
				if ti < len(toks) && toks[ti].kind == facTokLit {
					j := strings.Index(s[si:], toks[ti].lit)
					if j < 0 {
						return false
					}
					starS = si + j
					si = starS
				}
				continue
			case facTokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					ti++
					si += len(t.lit)
					continue
				}
			case facTokOne:
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
		if starT+1 < len(toks) && toks[starT+1].kind == facTokLit {
			j := strings.Index(s[starS:], toks[starT+1].lit)
			if j < 0 {
				return false
			}
			starS += j
		}
		ti, si = starT+1, starS
	}
}

// facDate is a parsed date or date-time; comparisons with a date-only value
// compare calendar days.
type facDate struct {
	t        time.Time
	dateOnly bool
}

var facDateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z0700"}

func facParseDate(s string) (facDate, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 10 {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return facDate{t: t, dateOnly: true}, true
		}
	}
	for _, l := range facDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return facDate{t: t.UTC()}, true
		}
	}
	switch len(s) {
	case 4:
		if t, err := time.Parse("2006", s); err == nil {
			return facDate{t: t, dateOnly: true}, true
		}
	case 7:
		if t, err := time.Parse("2006-01", s); err == nil {
			return facDate{t: t, dateOnly: true}, true
		}
	}
	return facDate{}, false
}

func (d facDate) compare(o facDate) int {
	a, b := d.t, o.t
	if d.dateOnly || o.dateOnly {
		a = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
		b = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	}
	return a.Compare(b)
}

func facQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
