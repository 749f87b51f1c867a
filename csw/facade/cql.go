package facade

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseCQL compiles a CQL_TEXT constraint (OGC CSW 2.0.2 §6.2.2 / the
// common ECQL subset) covering what OGC Filter 1.1 offers here:
//
//	expr      = term { OR term }
//	term      = factor { AND factor }
//	factor    = NOT factor | "(" expr ")" | predicate
//	predicate = prop ("=" | "<>" | "!=" | "<" | "<=" | ">" | ">=") literal
//	          | prop [NOT] (LIKE | ILIKE) 'pattern'        (% and _ wildcards, \ escape)
//	          | prop [NOT] BETWEEN literal AND literal
//	          | prop IS [NOT] NULL
//	          | BBOX "(" prop "," minx "," miny "," maxx "," maxy ["," 'crs'] ")"
//	literal   = 'quoted string' ('' for a quote) | number | bare date
//
// Keywords are case-insensitive; property names take the apiso:, csw:, dc:,
// dct: or ows: prefix or none. LIKE is case-insensitive, like PropertyIsLike.
// The error is always an *Exception.
func ParseCQL(text string) (*Filter, error) {
	f, ex := parseCQL(text)
	if ex != nil {
		return nil, ex
	}
	return f, nil
}

func parseCQL(text string) (*Filter, *Exception) {
	if len(text) > MaxCQLBytes {
		return nil, invalid("constraint", "CQL text longer than "+strconv.Itoa(MaxCQLBytes)+" bytes")
	}
	toks, ex := lexCQL(text)
	if ex != nil {
		return nil, ex
	}
	if len(toks) == 0 {
		return nil, invalid("constraint", "empty CQL constraint")
	}
	p := &cqlParser{toks: toks}
	n, ex := p.expr(1)
	if ex != nil {
		return nil, ex
	}
	if p.pos < len(p.toks) {
		return nil, p.errorf("unexpected " + quote(p.toks[p.pos].text))
	}
	return newFilter(n), nil
}

type cqlKind uint8

const (
	cqlWord cqlKind = iota
	cqlString
	cqlOp
	cqlLParen
	cqlRParen
	cqlComma
)

type cqlTok struct {
	kind cqlKind
	text string
	pos  int
}

func lexCQL(s string) ([]cqlTok, *Exception) {
	var toks []cqlTok
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case r == '(':
			toks = append(toks, cqlTok{cqlLParen, "(", i})
			i++
		case r == ')':
			toks = append(toks, cqlTok{cqlRParen, ")", i})
			i++
		case r == ',':
			toks = append(toks, cqlTok{cqlComma, ",", i})
			i++
		case r == '\'' || r == '"':
			// Quoted string; the quote is escaped by doubling it.
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == byte(r) {
					if j+1 < len(s) && s[j+1] == byte(r) {
						b.WriteByte(byte(r))
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, invalid("constraint", "unterminated string in CQL at offset "+strconv.Itoa(i))
			}
			kind := cqlString
			if r == '"' { // a double-quoted identifier
				kind = cqlWord
			}
			toks = append(toks, cqlTok{kind, b.String(), i})
			i = j
		case r == '=' || r == '<' || r == '>' || r == '!':
			op := string(r)
			if i+1 < len(s) && (s[i+1] == '=' || (r == '<' && s[i+1] == '>')) {
				op += string(s[i+1])
			}
			if op == "!" {
				return nil, invalid("constraint", "unexpected '!' in CQL at offset "+strconv.Itoa(i))
			}
			toks = append(toks, cqlTok{cqlOp, op, i})
			i += len(op)
		case cqlWordRune(r):
			j := i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !cqlWordRune(r2) {
					break
				}
				j += n2
			}
			toks = append(toks, cqlTok{cqlWord, s[i:j], i})
			i = j
		default:
			return nil, invalid("constraint", "unexpected character "+strconv.QuoteRune(r)+" in CQL at offset "+strconv.Itoa(i))
		}
	}
	return toks, nil
}

func cqlWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == ':' || r == '.' || r == '-' || r == '+' || r == '/'
}

type cqlParser struct {
	toks  []cqlTok
	pos   int
	nodes int
}

func (p *cqlParser) errorf(msg string) *Exception {
	return invalid("constraint", "invalid CQL: "+msg)
}

func (p *cqlParser) peek() *cqlTok {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

// keyword reports whether the next token is the (case-insensitive) keyword,
// consuming it if so.
func (p *cqlParser) keyword(kw string) bool {
	t := p.peek()
	if t != nil && t.kind == cqlWord && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *cqlParser) count(depth int) *Exception {
	if depth > MaxFilterDepth {
		return invalid("constraint", "CQL nested deeper than "+strconv.Itoa(MaxFilterDepth))
	}
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return invalid("constraint", "CQL has more than "+strconv.Itoa(MaxFilterNodes)+" operators")
	}
	return nil
}

func (p *cqlParser) expr(depth int) (node, *Exception) {
	if ex := p.count(depth); ex != nil {
		return nil, ex
	}
	first, ex := p.term(depth)
	if ex != nil {
		return nil, ex
	}
	ns := []node{first}
	for p.keyword("OR") {
		n, ex := p.term(depth)
		if ex != nil {
			return nil, ex
		}
		ns = append(ns, n)
	}
	if len(ns) == 1 {
		return first, nil
	}
	return or(ns), nil
}

func (p *cqlParser) term(depth int) (node, *Exception) {
	first, ex := p.factor(depth)
	if ex != nil {
		return nil, ex
	}
	ns := []node{first}
	for p.keyword("AND") {
		n, ex := p.factor(depth)
		if ex != nil {
			return nil, ex
		}
		ns = append(ns, n)
	}
	if len(ns) == 1 {
		return first, nil
	}
	return and(ns), nil
}

func (p *cqlParser) factor(depth int) (node, *Exception) {
	if ex := p.count(depth); ex != nil {
		return nil, ex
	}
	t := p.peek()
	if t == nil {
		return nil, p.errorf("unexpected end")
	}
	if p.keyword("NOT") {
		n, ex := p.factor(depth + 1)
		if ex != nil {
			return nil, ex
		}
		return not{n}, nil
	}
	if t.kind == cqlLParen {
		p.pos++
		n, ex := p.expr(depth + 1)
		if ex != nil {
			return nil, ex
		}
		if t := p.peek(); t == nil || t.kind != cqlRParen {
			return nil, p.errorf("missing ')'")
		}
		p.pos++
		return n, nil
	}
	if t.kind == cqlWord && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == cqlLParen {
		for op, name := range spatialNames {
			if strings.EqualFold(t.text, name) {
				if op == int(opBBOX) {
					return p.bbox()
				}
				return p.spatial(spatialOp(op))
			}
		}
	}
	return p.predicate()
}

func (p *cqlParser) property() (field, *Exception) {
	t := p.peek()
	if t == nil || t.kind != cqlWord {
		return 0, p.errorf("expected a property name")
	}
	p.pos++
	f, ok := lookupField(t.text)
	if !ok {
		return 0, invalid("constraint", "unknown queryable "+quote(t.text))
	}
	return f, nil
}

func (p *cqlParser) literal() (string, *Exception) {
	t := p.peek()
	if t == nil || (t.kind != cqlString && t.kind != cqlWord) {
		return "", p.errorf("expected a literal")
	}
	p.pos++
	return t.text, nil
}

func (p *cqlParser) predicate() (node, *Exception) {
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	t := p.peek()
	if t == nil {
		return nil, p.errorf("expected an operator")
	}
	if t.kind == cqlOp {
		p.pos++
		lit, ex := p.literal()
		if ex != nil {
			return nil, ex
		}
		var op op
		switch t.text {
		case "=":
			op = eq
		case "<>", "!=":
			op = ne
		case "<":
			op = lt
		case "<=":
			op = le
		case ">":
			op = gt
		case ">=":
			op = ge
		default:
			return nil, p.errorf("unknown operator " + quote(t.text))
		}
		// Comparisons on identifiers are case-sensitive, as Filter's default matchCase.
		c, ex := newCompare(field, op, lit)
		if ex != nil {
			return nil, ex
		}
		return c, nil
	}
	if p.keyword("IS") {
		neg := p.keyword("NOT")
		if !p.keyword("NULL") {
			return nil, p.errorf("expected NULL after IS")
		}
		var n node = null{field}
		if neg {
			n = not{n}
		}
		return n, nil
	}
	neg := p.keyword("NOT")
	var n node
	switch {
	case p.keyword("LIKE") || p.keyword("ILIKE"):
		t := p.peek()
		if t == nil || t.kind != cqlString {
			return nil, p.errorf("LIKE needs a quoted pattern")
		}
		p.pos++
		l, ex := newLike(field, t.text, '%', '_', '\\')
		if ex != nil {
			return nil, ex
		}
		n = l
	case p.keyword("BETWEEN"):
		lo, ex := p.literal()
		if ex != nil {
			return nil, ex
		}
		if !p.keyword("AND") {
			return nil, p.errorf("expected AND in BETWEEN")
		}
		hi, ex := p.literal()
		if ex != nil {
			return nil, ex
		}
		if n, ex = newBetween(field, lo, hi); ex != nil {
			return nil, ex
		}
	default:
		return nil, p.errorf("expected an operator after " + field.String())
	}
	if neg {
		n = not{n}
	}
	return n, nil
}

func (p *cqlParser) bbox() (node, *Exception) {
	p.pos += 2 // BBOX (
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	if field != fieldBoundingBox {
		return nil, invalid("constraint", "BBOX applies to BoundingBox, got "+field.String())
	}
	var v [4]float64
	for i := range v {
		if t := p.peek(); t == nil || t.kind != cqlComma {
			return nil, p.errorf("BBOX needs four coordinates")
		}
		p.pos++
		t := p.peek()
		if t == nil || t.kind != cqlWord {
			return nil, p.errorf("BBOX needs four coordinates")
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || f != f {
			return nil, p.errorf("BBOX coordinate " + quote(t.text) + " is not a number")
		}
		v[i] = f
		p.pos++
	}
	srs := ""
	if t := p.peek(); t != nil && t.kind == cqlComma {
		p.pos++
		t := p.peek()
		if t == nil || t.kind != cqlString {
			return nil, p.errorf("BBOX CRS must be a quoted string")
		}
		srs = t.text
		p.pos++
	}
	if t := p.peek(); t == nil || t.kind != cqlRParen {
		return nil, p.errorf("missing ')' after BBOX")
	}
	p.pos++
	// CQL coordinates are x, y: longitude first without a CRS.
	crs, ok := parseCRS(srs, false)
	if !ok {
		return nil, invalid("constraint", "unsupported CRS "+quote(srs)+": use "+supportedCRS)
	}
	g, ex := envelopeGeom([2]float64{v[0], v[1]}, [2]float64{v[2], v[3]}, crs)
	if ex != nil {
		return nil, ex
	}
	return spatial{op: opBBOX, g: g}, nil
}

// spatial reads OP(prop, POLYGON((x y, …))) or OP(prop, POINT(x y)), the
// ECQL spatial predicates, in WGS 84 longitude/latitude.
func (p *cqlParser) spatial(op spatialOp) (node, *Exception) {
	p.pos += 2 // OP (
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	if field.kind() != kindBox {
		return nil, invalid("constraint", spatialNames[op]+" applies to BoundingBox, got "+field.String())
	}
	if t := p.peek(); t == nil || t.kind != cqlComma {
		return nil, p.errorf(spatialNames[op] + " needs a geometry")
	}
	p.pos++
	t := p.peek()
	if t == nil || t.kind != cqlWord {
		return nil, p.errorf(spatialNames[op] + " needs a POLYGON or POINT geometry")
	}
	kind := strings.ToUpper(t.text)
	p.pos++
	open := func() *Exception {
		if t := p.peek(); t == nil || t.kind != cqlLParen {
			return p.errorf("expected '(' in " + kind)
		}
		p.pos++
		return nil
	}
	closeParen := func() *Exception {
		if t := p.peek(); t == nil || t.kind != cqlRParen {
			return p.errorf("expected ')' in " + kind)
		}
		p.pos++
		return nil
	}
	var pts [][2]float64
	readPoints := func() *Exception {
		for {
			var xy [2]float64
			for i := range xy {
				t := p.peek()
				if t == nil || t.kind != cqlWord {
					return p.errorf(kind + " needs numeric positions")
				}
				f, err := strconv.ParseFloat(t.text, 64)
				if err != nil || f != f {
					return p.errorf(kind + " coordinate " + quote(t.text) + " is not a number")
				}
				xy[i] = f
				p.pos++
			}
			pts = append(pts, xy)
			if t := p.peek(); t == nil || t.kind != cqlComma {
				return nil
			}
			p.pos++
		}
	}
	crs := crs{}
	var g geom
	switch kind {
	case "POLYGON":
		if ex := open(); ex != nil {
			return nil, ex
		}
		if ex := open(); ex != nil {
			return nil, ex
		}
		if ex := readPoints(); ex != nil {
			return nil, ex
		}
		if ex := closeParen(); ex != nil {
			return nil, ex
		}
		if ex := closeParen(); ex != nil {
			return nil, ex
		}
		if g, ex = ringGeom(pts, crs); ex != nil {
			return nil, ex
		}
	case "POINT":
		if ex := open(); ex != nil {
			return nil, ex
		}
		if ex := readPoints(); ex != nil {
			return nil, ex
		}
		if ex := closeParen(); ex != nil {
			return nil, ex
		}
		if len(pts) != 1 {
			return nil, p.errorf("POINT takes one position")
		}
		if g, ex = envelopeGeom(pts[0], pts[0], crs); ex != nil {
			return nil, ex
		}
	default:
		return nil, p.errorf("unsupported geometry " + quote(t.text) + ": use POLYGON or POINT")
	}
	if ex := closeParen(); ex != nil {
		return nil, ex
	}
	return spatial{op: op, g: g}, nil
}
