package csw

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

const (
	facNSOGC   = "http://www.opengis.net/ogc"
	facNSGML   = "http://www.opengis.net/gml"
	facNSGML32 = "http://www.opengis.net/gml/3.2"
)

// facFilterParser compiles an ogc:Filter element, counting operators.
type facFilterParser struct {
	nodes int
}

// parseFilterElement compiles an ogc:Filter (OGC Filter Encoding 1.1) element.
func parseFilterElement(el *etree.Element) (*Filter, *Exception) {
	if el.Tag != "Filter" || !facIsOGC(el) {
		return nil, facInvalid("constraint", "expected ogc:Filter, got "+facQuote(el.FullTag()))
	}
	ops := facChildren(el)
	if len(ops) != 1 {
		return nil, facInvalid("constraint", "ogc:Filter must hold exactly one operator")
	}
	p := &facFilterParser{}
	n, ex := p.node(ops[0], 1)
	if ex != nil {
		return nil, ex
	}
	return newFilter(n), nil
}

// ParseFilter compiles an ogc:Filter document, such as the value of a KVP
// constraint with constraintLanguage=FILTER.
func ParseFilter(text string) (*Filter, error) {
	f, ex := parseFilterText(text)
	if ex != nil {
		return nil, ex
	}
	return f, nil
}

func parseFilterText(text string) (*Filter, *Exception) {
	doc, ex := facReadXML([]byte(text), MaxFilterBytes, "constraint")
	if ex != nil {
		return nil, ex
	}
	return parseFilterElement(doc.Root())
}

// MaxFilterBytes bounds a KVP FILTER constraint.
const MaxFilterBytes = 64 << 10

// facIsOGC accepts the OGC namespace and, leniently, an undeclared prefix or
// no namespace (KVP filters are often sent without xmlns declarations).
func facIsOGC(el *etree.Element) bool {
	ns := el.NamespaceURI()
	return ns == facNSOGC || ns == ""
}

func facChildren(el *etree.Element) []*etree.Element { return el.ChildElements() }

func (p *facFilterParser) node(el *etree.Element, depth int) (facNode, *Exception) {
	if depth > MaxFilterDepth {
		return nil, facInvalid("constraint", "filter nested deeper than "+strconv.Itoa(MaxFilterDepth))
	}
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return nil, facInvalid("constraint", "filter has more than "+strconv.Itoa(MaxFilterNodes)+" operators")
	}
	if !facIsOGC(el) {
		return nil, facInvalid("constraint", "unexpected element "+facQuote(el.FullTag())+" in ogc:Filter")
	}
	switch el.Tag {
	case "And", "Or":
		kids := facChildren(el)
		if len(kids) == 0 {
			return nil, facInvalid("constraint", "ogc:"+el.Tag+" needs operands")
		}
		ns := make([]facNode, 0, len(kids))
		for _, k := range kids {
			n, ex := p.node(k, depth+1)
			if ex != nil {
				return nil, ex
			}
			ns = append(ns, n)
		}
		if len(ns) == 1 {
			return ns[0], nil
		}
		if el.Tag == "And" {
			return facAnd(ns), nil
		}
		return facOr(ns), nil
	case "Not":
		kids := facChildren(el)
		if len(kids) != 1 {
			return nil, facInvalid("constraint", "ogc:Not needs exactly one operand")
		}
		n, ex := p.node(kids[0], depth+1)
		if ex != nil {
			return nil, ex
		}
		return facNot{n}, nil
	case "PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsLessThanOrEqualTo",
		"PropertyIsGreaterThan", "PropertyIsGreaterThanOrEqualTo":
		return p.comparison(el)
	case "PropertyIsLike":
		return p.like(el)
	case "PropertyIsBetween":
		return p.between(el)
	case "PropertyIsNull":
		field, ex := p.property(el)
		if ex != nil {
			return nil, ex
		}
		return facNull{field}, nil
	case "BBOX":
		return p.bbox(el)
	}
	return nil, facInvalid("constraint", "unsupported filter operator ogc:"+el.Tag)
}

var facCompareOps = map[string]facOp{
	"PropertyIsEqualTo":              facEq,
	"PropertyIsNotEqualTo":           facNe,
	"PropertyIsLessThan":             facLt,
	"PropertyIsLessThanOrEqualTo":    facLe,
	"PropertyIsGreaterThan":          facGt,
	"PropertyIsGreaterThanOrEqualTo": facGe,
}

func (p *facFilterParser) property(el *etree.Element) (facField, *Exception) {
	pn := facChild(el, "PropertyName")
	if pn == nil {
		return 0, facInvalid("constraint", "ogc:"+el.Tag+" needs an ogc:PropertyName")
	}
	name := strings.TrimSpace(pn.Text())
	f, ok := facLookupField(name)
	if !ok {
		return 0, facInvalid("constraint", "unknown queryable "+facQuote(name))
	}
	return f, nil
}

func (p *facFilterParser) literal(el *etree.Element) (string, *Exception) {
	lit := facChild(el, "Literal")
	if lit == nil {
		return "", facInvalid("constraint", "ogc:"+el.Tag+" needs an ogc:Literal")
	}
	return strings.TrimSpace(lit.Text()), nil
}

func (p *facFilterParser) comparison(el *etree.Element) (facNode, *Exception) {
	field, ex := p.property(el)
	if ex != nil {
		return nil, ex
	}
	lit, ex := p.literal(el)
	if ex != nil {
		return nil, ex
	}
	matchCase := true
	if v := el.SelectAttrValue("matchCase", "true"); strings.EqualFold(v, "false") || v == "0" {
		matchCase = false
	}
	op := facCompareOps[el.Tag]
	if field == facIdentifier && !matchCase && (op == facEq || op == facNe) {
		// Case-insensitive identifier equality is a LIKE without wildcards,
		// which keeps the canonical form expressible in CQL.
		var n facNode = newExactLike(field, lit)
		if op == facNe {
			n = facNot{n}
		}
		return n, nil
	}
	c, ex := newCompare(field, op, lit)
	if ex != nil {
		return nil, ex
	}
	return c, nil
}

func (p *facFilterParser) like(el *etree.Element) (facNode, *Exception) {
	field, ex := p.property(el)
	if ex != nil {
		return nil, ex
	}
	lit, ex := p.literal(el)
	if ex != nil {
		return nil, ex
	}
	wild, ex := facOneRune(el, "wildCard", '*')
	if ex != nil {
		return nil, ex
	}
	single, ex := facOneRune(el, "singleChar", '?')
	if ex != nil {
		return nil, ex
	}
	escape, ex := facOneRune(el, "escapeChar", 0)
	if ex != nil {
		return nil, ex
	}
	if escape == 0 {
		if escape, ex = facOneRune(el, "escape", 0); ex != nil { // Filter 1.0 name
			return nil, ex
		}
	}
	l, ex := newLike(field, lit, wild, single, escape)
	if ex != nil {
		return nil, ex
	}
	return l, nil
}

// facOneRune reads a one-character attribute.
func facOneRune(el *etree.Element, name string, def rune) (rune, *Exception) {
	a := el.SelectAttr(name)
	if a == nil {
		return def, nil
	}
	if utf8.RuneCountInString(a.Value) != 1 {
		return 0, facInvalid("constraint", "ogc:PropertyIsLike "+name+" must be one character")
	}
	r, _ := utf8.DecodeRuneInString(a.Value)
	return r, nil
}

func (p *facFilterParser) between(el *etree.Element) (facNode, *Exception) {
	field, ex := p.property(el)
	if ex != nil {
		return nil, ex
	}
	lo, hi := facChild(el, "LowerBoundary"), facChild(el, "UpperBoundary")
	if lo == nil || hi == nil {
		return nil, facInvalid("constraint", "ogc:PropertyIsBetween needs LowerBoundary and UpperBoundary")
	}
	los, ex := p.literal(lo)
	if ex != nil {
		return nil, ex
	}
	his, ex := p.literal(hi)
	if ex != nil {
		return nil, ex
	}
	return newBetween(field, los, his)
}

func newBetween(field facField, lo, hi string) (facNode, *Exception) {
	l, ex := newCompare(field, facGe, lo)
	if ex != nil {
		return nil, ex
	}
	h, ex := newCompare(field, facLe, hi)
	if ex != nil {
		return nil, ex
	}
	return facBetween{lo: l, hi: h}, nil
}

func (p *facFilterParser) bbox(el *etree.Element) (facNode, *Exception) {
	if pn := facChild(el, "PropertyName"); pn != nil {
		if f, ok := facLookupField(pn.Text()); !ok || f != facBoundingBox {
			return nil, facInvalid("constraint", "BBOX applies to BoundingBox, got "+facQuote(strings.TrimSpace(pn.Text())))
		}
	}
	var env *etree.Element
	for _, k := range facChildren(el) {
		if ns := k.NamespaceURI(); (ns == facNSGML || ns == facNSGML32 || ns == "") && (k.Tag == "Envelope" || k.Tag == "Box") {
			env = k
			break
		}
	}
	if env == nil {
		return nil, facInvalid("constraint", "ogc:BBOX needs a gml:Envelope")
	}
	srs := env.SelectAttrValue("srsName", "")
	var lower, upper [2]float64
	var ok bool
	if env.Tag == "Box" {
		c := facAnyChild(env, "coordinates")
		if c == nil {
			return nil, facInvalid("constraint", "gml:Box needs gml:coordinates")
		}
		lower, upper, ok = facParseCoordinates(c.Text())
	} else {
		lc, uc := facAnyChild(env, "lowerCorner"), facAnyChild(env, "upperCorner")
		if lc == nil || uc == nil {
			return nil, facInvalid("constraint", "gml:Envelope needs lowerCorner and upperCorner")
		}
		var ok1, ok2 bool
		lower, ok1 = facParsePos(lc.Text())
		upper, ok2 = facParsePos(uc.Text())
		ok = ok1 && ok2
	}
	if !ok {
		return nil, facInvalid("constraint", "BBOX corners must be two numbers each")
	}
	b, ex := newBBox(lower, upper, srs)
	if ex != nil {
		return nil, ex
	}
	return b, nil
}

func facParsePos(s string) ([2]float64, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return [2]float64{}, false
	}
	return facParsePair(f[0], f[1])
}

func facParsePair(a, b string) ([2]float64, bool) {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || x != x || y != y { // NaN
		return [2]float64{}, false
	}
	return [2]float64{x, y}, true
}

// facParseCoordinates reads GML 2 "x1,y1 x2,y2".
func facParseCoordinates(s string) (lower, upper [2]float64, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return lower, upper, false
	}
	a, b := strings.Split(f[0], ","), strings.Split(f[1], ",")
	if len(a) != 2 || len(b) != 2 {
		return lower, upper, false
	}
	var ok1, ok2 bool
	lower, ok1 = facParsePair(a[0], a[1])
	upper, ok2 = facParsePair(b[0], b[1])
	return lower, upper, ok1 && ok2
}

// facChild returns the first child in the OGC namespace (or none) with that
// local name.
func facChild(el *etree.Element, tag string) *etree.Element {
	for _, k := range el.ChildElements() {
		if k.Tag == tag && facIsOGC(k) {
			return k
		}
	}
	return nil
}

// facAnyChild returns the first child with that local name, any namespace.
func facAnyChild(el *etree.Element, tag string) *etree.Element {
	for _, k := range el.ChildElements() {
		if k.Tag == tag {
			return k
		}
	}
	return nil
}

func facFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
