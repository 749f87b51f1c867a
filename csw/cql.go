package csw

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
		return nil, facInvalid("constraint", "CQL text longer than "+strconv.Itoa(MaxCQLBytes)+" bytes")
	}
	toks, ex := facLexCQL(text)
	if ex != nil {
		return nil, ex
	}
	if len(toks) == 0 {
		return nil, facInvalid("constraint", "empty CQL constraint")
	}
	p := &facCQLParser{toks: toks}
	n, ex := p.expr(1)
	if ex != nil {
		return nil, ex
	}
	if p.pos < len(p.toks) {
		return nil, p.errorf("unexpected " + facQuote(p.toks[p.pos].text))
	}
	return newFilter(n), nil
}

type facCQLKind uint8

const (
	facCQLWord facCQLKind = iota
	facCQLString
	facCQLOp
	facCQLLParen
	facCQLRParen
	facCQLComma
)

type facCQLTok struct {
	kind facCQLKind
	text string
	pos  int
}

func facLexCQL(s string) ([]facCQLTok, *Exception) {
	var toks []facCQLTok
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case r == '(':
			toks = append(toks, facCQLTok{facCQLLParen, "(", i})
			i++
		case r == ')':
			toks = append(toks, facCQLTok{facCQLRParen, ")", i})
			i++
		case r == ',':
			toks = append(toks, facCQLTok{facCQLComma, ",", i})
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
				return nil, facInvalid("constraint", "unterminated string in CQL at offset "+strconv.Itoa(i))
			}
			kind := facCQLString
			if r == '"' { // a double-quoted identifier
				kind = facCQLWord
			}
			toks = append(toks, facCQLTok{kind, b.String(), i})
			i = j
		case r == '=' || r == '<' || r == '>' || r == '!':
			op := string(r)
			if i+1 < len(s) && (s[i+1] == '=' || (r == '<' && s[i+1] == '>')) {
				op += string(s[i+1])
			}
			if op == "!" {
				return nil, facInvalid("constraint", "unexpected '!' in CQL at offset "+strconv.Itoa(i))
			}
			toks = append(toks, facCQLTok{facCQLOp, op, i})
			i += len(op)
		case facCQLWordRune(r):
			j := i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !facCQLWordRune(r2) {
					break
				}
				j += n2
			}
			toks = append(toks, facCQLTok{facCQLWord, s[i:j], i})
			i = j
		default:
			return nil, facInvalid("constraint", "unexpected character "+strconv.QuoteRune(r)+" in CQL at offset "+strconv.Itoa(i))
		}
	}
	return toks, nil
}

func facCQLWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == ':' || r == '.' || r == '-' || r == '+' || r == '/'
}

type facCQLParser struct {
	toks  []facCQLTok
	pos   int
	nodes int
}

func (p *facCQLParser) errorf(msg string) *Exception {
	return facInvalid("constraint", "invalid CQL: "+msg)
}

func (p *facCQLParser) peek() *facCQLTok {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

// keyword reports whether the next token is the (case-insensitive) keyword,
// consuming it if so.
func (p *facCQLParser) keyword(kw string) bool {
	t := p.peek()
	if t != nil && t.kind == facCQLWord && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *facCQLParser) count(depth int) *Exception {
	if depth > MaxFilterDepth {
		return facInvalid("constraint", "CQL nested deeper than "+strconv.Itoa(MaxFilterDepth))
	}
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return facInvalid("constraint", "CQL has more than "+strconv.Itoa(MaxFilterNodes)+" operators")
	}
	return nil
}

func (p *facCQLParser) expr(depth int) (facNode, *Exception) {
	if ex := p.count(depth); ex != nil {
		return nil, ex
	}
	first, ex := p.term(depth)
	if ex != nil {
		return nil, ex
	}
	ns := []facNode{first}
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
	return facOr(ns), nil
}

func (p *facCQLParser) term(depth int) (facNode, *Exception) {
	first, ex := p.factor(depth)
	if ex != nil {
		return nil, ex
	}
	ns := []facNode{first}
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
	return facAnd(ns), nil
}

func (p *facCQLParser) factor(depth int) (facNode, *Exception) {
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
		return facNot{n}, nil
	}
	if t.kind == facCQLLParen {
		p.pos++
		n, ex := p.expr(depth + 1)
		if ex != nil {
			return nil, ex
		}
		if t := p.peek(); t == nil || t.kind != facCQLRParen {
			return nil, p.errorf("missing ')'")
		}
		p.pos++
		return n, nil
	}
	if t.kind == facCQLWord && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == facCQLLParen {
		for op, name := range facSpatialNames {
			if strings.EqualFold(t.text, name) {
				if op == int(facOpBBOX) {
					return p.bbox()
				}
				return p.spatial(facSpatialOp(op))
			}
		}
	}
	return p.predicate()
}

func (p *facCQLParser) property() (facField, *Exception) {
	t := p.peek()
	if t == nil || t.kind != facCQLWord {
		return 0, p.errorf("expected a property name")
	}
	p.pos++
	f, ok := facLookupField(t.text)
	if !ok {
		return 0, facInvalid("constraint", "unknown queryable "+facQuote(t.text))
	}
	return f, nil
}

func (p *facCQLParser) literal() (string, *Exception) {
	t := p.peek()
	if t == nil || (t.kind != facCQLString && t.kind != facCQLWord) {
		return "", p.errorf("expected a literal")
	}
	p.pos++
	return t.text, nil
}

func (p *facCQLParser) predicate() (facNode, *Exception) {
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	t := p.peek()
	if t == nil {
		return nil, p.errorf("expected an operator")
	}
	if t.kind == facCQLOp {
		p.pos++
		lit, ex := p.literal()
		if ex != nil {
			return nil, ex
		}
		var op facOp
		switch t.text {
		case "=":
			op = facEq
		case "<>", "!=":
			op = facNe
		case "<":
			op = facLt
		case "<=":
			op = facLe
		case ">":
			op = facGt
		case ">=":
			op = facGe
		default:
			return nil, p.errorf("unknown operator " + facQuote(t.text))
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
		var n facNode = facNull{field}
		if neg {
			n = facNot{n}
		}
		return n, nil
	}
	neg := p.keyword("NOT")
	var n facNode
	switch {
	case p.keyword("LIKE") || p.keyword("ILIKE"):
		t := p.peek()
		if t == nil || t.kind != facCQLString {
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
		n = facNot{n}
	}
	return n, nil
}

func (p *facCQLParser) bbox() (facNode, *Exception) {
	p.pos += 2 // BBOX (
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	if field != facBoundingBox {
		return nil, facInvalid("constraint", "BBOX applies to BoundingBox, got "+field.String())
	}
	var v [4]float64
	for i := range v {
		if t := p.peek(); t == nil || t.kind != facCQLComma {
			return nil, p.errorf("BBOX needs four coordinates")
		}
		p.pos++
		t := p.peek()
		if t == nil || t.kind != facCQLWord {
			return nil, p.errorf("BBOX needs four coordinates")
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || f != f {
			return nil, p.errorf("BBOX coordinate " + facQuote(t.text) + " is not a number")
		}
		v[i] = f
		p.pos++
	}
	srs := ""
	if t := p.peek(); t != nil && t.kind == facCQLComma {
		p.pos++
		t := p.peek()
		if t == nil || t.kind != facCQLString {
			return nil, p.errorf("BBOX CRS must be a quoted string")
		}
		srs = t.text
		p.pos++
	}
	if t := p.peek(); t == nil || t.kind != facCQLRParen {
		return nil, p.errorf("missing ')' after BBOX")
	}
	p.pos++
	// CQL coordinates are x, y: longitude first without a CRS.
	crs, ok := facParseCRS(srs, false)
	if !ok {
		return nil, facInvalid("constraint", "unsupported CRS "+facQuote(srs)+": use "+facSupportedCRS)
	}
	g, ex := facEnvelopeGeom([2]float64{v[0], v[1]}, [2]float64{v[2], v[3]}, crs)
	if ex != nil {
		return nil, ex
	}
	return facSpatial{op: facOpBBOX, g: g}, nil
}

// spatial reads OP(prop, POLYGON((x y, …))) or OP(prop, POINT(x y)), the
// ECQL spatial predicates, in WGS 84 longitude/latitude.
func (p *facCQLParser) spatial(op facSpatialOp) (facNode, *Exception) {
	p.pos += 2 // OP (
	field, ex := p.property()
	if ex != nil {
		return nil, ex
	}
	if field.kind() != facKindBox {
		return nil, facInvalid("constraint", facSpatialNames[op]+" applies to BoundingBox, got "+field.String())
	}
	if t := p.peek(); t == nil || t.kind != facCQLComma {
		return nil, p.errorf(facSpatialNames[op] + " needs a geometry")
	}
	p.pos++
	t := p.peek()
	if t == nil || t.kind != facCQLWord {
		return nil, p.errorf(facSpatialNames[op] + " needs a POLYGON or POINT geometry")
	}
	kind := strings.ToUpper(t.text)
	p.pos++
	open := func() *Exception {
		if t := p.peek(); t == nil || t.kind != facCQLLParen {
			return p.errorf("expected '(' in " + kind)
		}
		p.pos++
		return nil
	}
	closeParen := func() *Exception {
		if t := p.peek(); t == nil || t.kind != facCQLRParen {
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
				if t == nil || t.kind != facCQLWord {
					return p.errorf(kind + " needs numeric positions")
				}
				f, err := strconv.ParseFloat(t.text, 64)
				if err != nil || f != f {
					return p.errorf(kind + " coordinate " + facQuote(t.text) + " is not a number")
				}
				xy[i] = f
				p.pos++
			}
			pts = append(pts, xy)
			if t := p.peek(); t == nil || t.kind != facCQLComma {
				return nil
			}
			p.pos++
		}
	}
	crs := facCRS{}
	var g facGeom
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
		if g, ex = facRingGeom(pts, crs); ex != nil {
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
		if g, ex = facEnvelopeGeom(pts[0], pts[0], crs); ex != nil {
			return nil, ex
		}
	default:
		return nil, p.errorf("unsupported geometry " + facQuote(t.text) + ": use POLYGON or POINT")
	}
	if ex := closeParen(); ex != nil {
		return nil, ex
	}
	return facSpatial{op: op, g: g}, nil
}
