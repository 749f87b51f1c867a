package facade

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
	"github.com/passerelle/passerelle/csw"
)

// filterParser compiles an ogc:Filter element, counting operators.
type filterParser struct {
	nodes int
}

// parseFilterElement compiles an ogc:Filter (OGC Filter Encoding 1.1) element.
func parseFilterElement(el *etree.Element) (*Filter, *Exception) {
	if el.Tag != "Filter" || !isOGC(el) {
		ns := el.NamespaceURI()
		if ns == "" {
			ns = "no namespace"
		}
		return nil, invalid("constraint", "expected a Filter element in the namespace "+csw.NSOGC+" (OGC Filter 1.1), got "+quote(el.FullTag())+" in "+ns)
	}
	ops := children(el)
	if len(ops) != 1 {
		return nil, invalid("constraint", "ogc:Filter must hold exactly one operator")
	}
	p := &filterParser{}
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
	doc, ex := readXML([]byte(text), MaxFilterBytes, "constraint")
	if ex != nil {
		return nil, ex
	}
	return parseFilterElement(doc.Root())
}

// MaxFilterBytes bounds a KVP FILTER constraint.
const MaxFilterBytes = 64 << 10

// isOGC accepts the OGC namespace and, leniently, an undeclared prefix or
// no namespace (KVP filters are often sent without xmlns declarations).
func isOGC(el *etree.Element) bool {
	ns := el.NamespaceURI()
	return ns == csw.NSOGC || ns == ""
}

func children(el *etree.Element) []*etree.Element { return el.ChildElements() }

func (p *filterParser) node(el *etree.Element, depth int) (node, *Exception) {
	if depth > MaxFilterDepth {
		return nil, invalid("constraint", "filter nested deeper than "+strconv.Itoa(MaxFilterDepth))
	}
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return nil, invalid("constraint", "filter has more than "+strconv.Itoa(MaxFilterNodes)+" operators")
	}
	if !isOGC(el) {
		return nil, invalid("constraint", "unexpected element "+quote(el.FullTag())+" in ogc:Filter")
	}
	switch el.Tag {
	case "And", "Or":
		kids := children(el)
		if len(kids) == 0 {
			return nil, invalid("constraint", "ogc:"+el.Tag+" needs operands")
		}
		ns := make([]node, 0, len(kids))
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
			return and(ns), nil
		}
		return or(ns), nil
	case "Not":
		kids := children(el)
		if len(kids) != 1 {
			return nil, invalid("constraint", "ogc:Not needs exactly one operand")
		}
		n, ex := p.node(kids[0], depth+1)
		if ex != nil {
			return nil, ex
		}
		return not{n}, nil
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
		return null{field}, nil
	}
	if op, ok := spatialOps[el.Tag]; ok {
		return p.spatial(el, op)
	}
	return nil, invalid("constraint", "unsupported filter operator ogc:"+el.Tag)
}

var compareOps = map[string]op{
	"PropertyIsEqualTo":              eq,
	"PropertyIsNotEqualTo":           ne,
	"PropertyIsLessThan":             lt,
	"PropertyIsLessThanOrEqualTo":    le,
	"PropertyIsGreaterThan":          gt,
	"PropertyIsGreaterThanOrEqualTo": ge,
}

func (p *filterParser) property(el *etree.Element) (field, *Exception) {
	f, _, ex := p.propertyOrFunction(el)
	return f, ex
}

// propertyOrFunction reads the ogc:PropertyName of a comparison, or one
// wrapped in ogc:Function name="upper" or "lower" (pycsw's functions); fold
// tells a function was applied, which makes the comparison
// case-insensitive.
func (p *filterParser) propertyOrFunction(el *etree.Element) (field, bool, *Exception) {
	pn := child(el, "PropertyName")
	fold := false
	if pn == nil {
		if fn := child(el, "Function"); fn != nil {
			switch name := strings.ToLower(strings.TrimSpace(fn.SelectAttrValue("name", ""))); name {
			case "upper", "lower":
				fold = true
				pn = child(fn, "PropertyName")
			default:
				return 0, false, invalid("constraint", "unsupported ogc:Function "+quote(name)+": use upper or lower")
			}
		}
	}
	if pn == nil {
		return 0, false, invalid("constraint", "ogc:"+el.Tag+" needs an ogc:PropertyName")
	}
	name := strings.TrimSpace(pn.Text())
	f, ok := lookupField(name)
	if !ok {
		return 0, false, invalid("constraint", "unknown queryable "+quote(name))
	}
	return f, fold, nil
}

func (p *filterParser) literal(el *etree.Element) (string, *Exception) {
	lit := child(el, "Literal")
	if lit == nil {
		return "", invalid("constraint", "ogc:"+el.Tag+" needs an ogc:Literal")
	}
	return strings.TrimSpace(lit.Text()), nil
}

func (p *filterParser) comparison(el *etree.Element) (node, *Exception) {
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
	op := compareOps[el.Tag]
	if fold {
		matchCase = false
	}
	if field.kind() == kindID && !matchCase && (op == eq || op == ne) {
		// Case-insensitive identifier equality is a LIKE without wildcards,
		// which keeps the canonical form expressible in CQL.
		var n node = newExactLike(field, lit)
		if op == ne {
			n = not{n}
		}
		return n, nil
	}
	c, ex := newCompare(field, op, lit)
	if ex != nil {
		return nil, ex
	}
	return c, nil
}

func (p *filterParser) like(el *etree.Element) (node, *Exception) {
	field, ex := p.property(el)
	if ex != nil {
		return nil, ex
	}
	lit, ex := p.literal(el)
	if ex != nil {
		return nil, ex
	}
	wild, ex := oneRune(el, "wildCard", '*')
	if ex != nil {
		return nil, ex
	}
	single, ex := oneRune(el, "singleChar", '?')
	if ex != nil {
		return nil, ex
	}
	escape, ex := oneRune(el, "escapeChar", 0)
	if ex != nil {
		return nil, ex
	}
	if escape == 0 && el.SelectAttr("escapeChar") == nil {
		if escape, ex = oneRune(el, "escape", 0); ex != nil { // Filter 1.0 name
			return nil, ex
		}
	}
	l, ex := newLike(field, lit, wild, single, escape)
	if ex != nil {
		return nil, ex
	}
	return l, nil
}

// oneRune reads a one-character attribute.
func oneRune(el *etree.Element, name string, def rune) (rune, *Exception) {
	a := el.SelectAttr(name)
	if a == nil {
		return def, nil
	}
	if a.Value == "" && name == "escapeChar" || a.Value == "" && name == "escape" {
		return 0, nil // escapeChar="": no escape character (pycsw's requests)
	}
	if utf8.RuneCountInString(a.Value) != 1 {
		return 0, invalid("constraint", "ogc:PropertyIsLike "+name+" must be one character")
	}
	r, _ := utf8.DecodeRuneInString(a.Value)
	return r, nil
}

func (p *filterParser) between(el *etree.Element) (node, *Exception) {
	field, ex := p.property(el)
	if ex != nil {
		return nil, ex
	}
	lo, hi := child(el, "LowerBoundary"), child(el, "UpperBoundary")
	if lo == nil || hi == nil {
		return nil, invalid("constraint", "ogc:PropertyIsBetween needs LowerBoundary and UpperBoundary")
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

func newBetween(field field, lo, hi string) (node, *Exception) {
	l, ex := newCompare(field, ge, lo)
	if ex != nil {
		return nil, ex
	}
	h, ex := newCompare(field, le, hi)
	if ex != nil {
		return nil, ex
	}
	return between{lo: l, hi: h}, nil
}

func parsePos(s string) ([2]float64, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return [2]float64{}, false
	}
	return parsePair(f[0], f[1])
}

func parsePair(a, b string) ([2]float64, bool) {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || x != x || y != y { // NaN
		return [2]float64{}, false
	}
	return [2]float64{x, y}, true
}

// child returns the first child in the OGC namespace (or none) with that
// local name.
func child(el *etree.Element, tag string) *etree.Element {
	for _, k := range el.ChildElements() {
		if k.Tag == tag && isOGC(k) {
			return k
		}
	}
	return nil
}

// anyChild returns the first child with that local name, any namespace.
func anyChild(el *etree.Element, tag string) *etree.Element {
	for _, k := range el.ChildElements() {
		if k.Tag == tag {
			return k
		}
	}
	return nil
}

func float(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
