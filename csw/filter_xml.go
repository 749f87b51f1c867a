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
		ns := el.NamespaceURI()
		if ns == "" {
			ns = "no namespace"
		}
		return nil, facInvalid("constraint", "expected a Filter element in the namespace "+facNSOGC+" (OGC Filter 1.1), got "+facQuote(el.FullTag())+" in "+ns)
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
	}
	if op, ok := facSpatialOps[el.Tag]; ok {
		return p.spatial(el, op)
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
	f, _, ex := p.propertyOrFunction(el)
	return f, ex
}

// propertyOrFunction reads the ogc:PropertyName of a comparison, or one
// wrapped in ogc:Function name="upper" or "lower" (pycsw's functions); fold
// tells a function was applied, which makes the comparison
// case-insensitive.
func (p *facFilterParser) propertyOrFunction(el *etree.Element) (facField, bool, *Exception) {
	pn := facChild(el, "PropertyName")
	fold := false
	if pn == nil {
		if fn := facChild(el, "Function"); fn != nil {
			switch name := strings.ToLower(strings.TrimSpace(fn.SelectAttrValue("name", ""))); name {
			case "upper", "lower":
				fold = true
				pn = facChild(fn, "PropertyName")
			default:
				return 0, false, facInvalid("constraint", "unsupported ogc:Function "+facQuote(name)+": use upper or lower")
			}
		}
	}
	if pn == nil {
		return 0, false, facInvalid("constraint", "ogc:"+el.Tag+" needs an ogc:PropertyName")
	}
	name := strings.TrimSpace(pn.Text())
	f, ok := facLookupField(name)
	if !ok {
		return 0, false, facInvalid("constraint", "unknown queryable "+facQuote(name))
	}
	return f, fold, nil
}

func (p *facFilterParser) literal(el *etree.Element) (string, *Exception) {
	lit := facChild(el, "Literal")
	if lit == nil {
		return "", facInvalid("constraint", "ogc:"+el.Tag+" needs an ogc:Literal")
	}
	return strings.TrimSpace(lit.Text()), nil
}

func (p *facFilterParser) comparison(el *etree.Element) (facNode, *Exception) {
	field, fold, ex := p.propertyOrFunction(el)
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
	if fold {
		matchCase = false
	}
	if field.kind() == facKindID && !matchCase && (op == facEq || op == facNe) {
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
	if escape == 0 && el.SelectAttr("escapeChar") == nil {
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
	if a.Value == "" && name == "escapeChar" || a.Value == "" && name == "escape" {
		return 0, nil // escapeChar="": no escape character (pycsw's requests)
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
