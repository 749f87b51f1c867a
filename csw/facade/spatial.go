package facade

import (
	"math"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/iso"
)

// spatialOp is an OGC Filter 1.1 spatial operator.
type spatialOp uint8

const (
	opBBOX spatialOp = iota
	opIntersects
	opWithin
	opContains
	opDisjoint
	opEquals
	opOverlaps
)

var spatialOps = map[string]spatialOp{
	"BBOX": opBBOX, "Intersects": opIntersects, "Within": opWithin, "Contains": opContains,
	"Disjoint": opDisjoint, "Equals": opEquals, "Overlaps": opOverlaps,
}

var spatialNames = [...]string{"BBOX", "INTERSECTS", "WITHIN", "CONTAINS", "DISJOINT", "EQUALS", "OVERLAPS"}

// geom is a filter geometry in WGS 84 longitude/latitude: a rectangle
// (ring nil) or a polygon's exterior ring (closed).
type geom struct {
	ring                   [][2]float64
	minX, minY, maxX, maxY float64
}

func geomOf(ring [][2]float64) geom {
	g := geom{ring: ring, minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for _, p := range ring {
		g.minX, g.maxX = math.Min(g.minX, p[0]), math.Max(g.maxX, p[0])
		g.minY, g.maxY = math.Min(g.minY, p[1]), math.Max(g.maxY, p[1])
	}
	if n := len(ring); n > 0 && ring[0] != ring[n-1] {
		g.ring = append(ring, ring[0])
	}
	return g
}

// spatial tests a record's repaired bounding boxes against a geometry:
// true when one box satisfies the operator (Disjoint: when every box is
// disjoint). A record without a box matches no spatial operator.
type spatial struct {
	op spatialOp
	g  geom
}

func (n spatial) eval(ix *index) bool {
	if len(ix.boxes) == 0 {
		return false
	}
	if n.op == opDisjoint {
		for _, b := range ix.boxes {
			if n.g.intersects(b) {
				return false
			}
		}
		return true
	}
	for _, b := range ix.boxes {
		if n.test(b) {
			return true
		}
	}
	return false
}

func (n spatial) test(b iso.BoundingBox) bool {
	switch n.op {
	case opWithin:
		return n.g.covers(b)
	case opContains:
		return b.West <= n.g.minX && b.East >= n.g.maxX && b.South <= n.g.minY && b.North >= n.g.maxY
	case opEquals:
		const eps = 1e-9
		return n.g.isRect() && math.Abs(b.West-n.g.minX) < eps && math.Abs(b.East-n.g.maxX) < eps &&
			math.Abs(b.South-n.g.minY) < eps && math.Abs(b.North-n.g.maxY) < eps
	case opOverlaps:
		contains := b.West <= n.g.minX && b.East >= n.g.maxX && b.South <= n.g.minY && b.North >= n.g.maxY
		return n.g.intersects(b) && !n.g.covers(b) && !contains
	}
	return n.g.intersects(b)
}

func (n spatial) write(b *strings.Builder) {
	g := n.g
	if g.ring == nil && (n.op == opBBOX || n.op == opIntersects) {
		b.WriteString("BBOX(BoundingBox, " + float(g.minX) + ", " + float(g.minY) + ", " + float(g.maxX) + ", " + float(g.maxY) + ")")
		return
	}
	ring := g.ring
	if ring == nil {
		ring = [][2]float64{{g.minX, g.minY}, {g.maxX, g.minY}, {g.maxX, g.maxY}, {g.minX, g.maxY}, {g.minX, g.minY}}
	}
	name := spatialNames[n.op]
	if n.op == opBBOX {
		name = "INTERSECTS" // a reprojected envelope: the same test on its outline
	}
	b.WriteString(name + "(BoundingBox, POLYGON((")
	for i, p := range ring {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(float(p[0]) + " " + float(p[1]))
	}
	b.WriteString(")))")
}

// isRect tells whether the geometry is an axis-aligned rectangle.
func (g geom) isRect() bool {
	for _, p := range g.ring {
		if (p[0] != g.minX && p[0] != g.maxX) || (p[1] != g.minY && p[1] != g.maxY) {
			return false
		}
	}
	return true
}

// intersects tells whether the geometry and the box share a point.
func (g geom) intersects(b iso.BoundingBox) bool {
	if g.minX > b.East || g.maxX < b.West || g.minY > b.North || g.maxY < b.South {
		return false
	}
	if g.ring == nil {
		return true
	}
	for _, p := range g.ring {
		if p[0] >= b.West && p[0] <= b.East && p[1] >= b.South && p[1] <= b.North {
			return true
		}
	}
	corners := [...][2]float64{{b.West, b.South}, {b.East, b.South}, {b.East, b.North}, {b.West, b.North}}
	for _, c := range corners {
		if inRing(g.ring, c) {
			return true
		}
	}
	for i := 0; i+1 < len(g.ring); i++ {
		for j := range corners {
			if segmentsCross(g.ring[i], g.ring[i+1], corners[j], corners[(j+1)%4]) {
				return true
			}
		}
	}
	return false
}

// covers tells whether the box lies inside the geometry.
func (g geom) covers(b iso.BoundingBox) bool {
	if b.West < g.minX || b.East > g.maxX || b.South < g.minY || b.North > g.maxY {
		return false
	}
	if g.ring == nil {
		return true
	}
	for _, c := range [...][2]float64{{b.West, b.South}, {b.East, b.South}, {b.East, b.North}, {b.West, b.North}} {
		if !inRing(g.ring, c) && !onRing(g.ring, c) {
			return false
		}
	}
	// A concave ring may dip into the box between its corners.
	for _, p := range g.ring {
		if p[0] > b.West && p[0] < b.East && p[1] > b.South && p[1] < b.North {
			return false
		}
	}
	return true
}

// inRing is the even-odd rule.
func inRing(ring [][2]float64, p [2]float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func onRing(ring [][2]float64, p [2]float64) bool {
	for i := 0; i+1 < len(ring); i++ {
		a, b := ring[i], ring[i+1]
		if cross(a, b, p) == 0 && p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0]) &&
			p[1] >= math.Min(a[1], b[1]) && p[1] <= math.Max(a[1], b[1]) {
			return true
		}
	}
	return false
}

func cross(a, b, p [2]float64) float64 {
	return (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
}

// segmentsCross tells whether segments ab and cd share a point.
func segmentsCross(a, b, c, d [2]float64) bool {
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(p, q, r [2]float64, v float64) bool {
		return v == 0 && r[0] >= math.Min(p[0], q[0]) && r[0] <= math.Max(p[0], q[0]) && r[1] >= math.Min(p[1], q[1]) && r[1] <= math.Max(p[1], q[1])
	}
	return on(c, d, a, d1) || on(c, d, b, d2) || on(a, b, c, d3) || on(a, b, d, d4)
}

// envelopeGeom builds the geometry of an envelope given by two corners
// as written in crs. In a projected CRS the rectangle's sides are curves in
// longitude/latitude: each side is sampled.
func envelopeGeom(lower, upper [2]float64, crs crs) (geom, *Exception) {
	if lower[0] > upper[0] || lower[1] > upper[1] {
		return geom{}, invalid("constraint", "envelope lower corner is above its upper corner")
	}
	if crs.proj == nil {
		x0, y0 := crs.lonLat(lower[0], lower[1])
		x1, y1 := crs.lonLat(upper[0], upper[1])
		return geom{minX: x0, minY: y0, maxX: x1, maxY: y1}, nil
	}
	const steps = 8
	var ring [][2]float64
	side := func(ax, ay, bx, by float64) {
		for i := range steps {
			f := float64(i) / steps
			lon, lat := crs.lonLat(ax+(bx-ax)*f, ay+(by-ay)*f)
			ring = append(ring, [2]float64{lon, lat})
		}
	}
	side(lower[0], lower[1], upper[0], lower[1])
	side(upper[0], lower[1], upper[0], upper[1])
	side(upper[0], upper[1], lower[0], upper[1])
	side(lower[0], upper[1], lower[0], lower[1])
	return checkGeom(geomOf(ring))
}

// ringGeom converts a polygon ring as written in crs.
func ringGeom(pts [][2]float64, crs crs) (geom, *Exception) {
	// GML's LinearRing and WKT alike: at least 4 positions, closed.
	if len(pts) < 4 || pts[0] != pts[len(pts)-1] {
		return geom{}, invalid("constraint", "a polygon ring needs at least 4 positions, the last equal to the first")
	}
	ring := make([][2]float64, len(pts))
	for i, p := range pts {
		lon, lat := crs.lonLat(p[0], p[1])
		ring[i] = [2]float64{lon, lat}
	}
	return checkGeom(geomOf(ring))
}

func checkGeom(g geom) (geom, *Exception) {
	for _, v := range []float64{g.minX, g.minY, g.maxX, g.maxY} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return geom{}, invalid("constraint", "geometry outside the domain of its CRS")
		}
	}
	return g, nil
}

// spatial compiles BBOX and the other spatial operators of OGC Filter 1.1
// on the record's bounding box, with a gml:Envelope (or GML 2 gml:Box), a
// gml:Polygon or a gml:Point, in any CRS parseCRS knows.
func (p *filterParser) spatial(el *etree.Element, op spatialOp) (node, *Exception) {
	var geomEl *etree.Element
	for _, k := range children(el) {
		switch {
		case k.Tag == "PropertyName":
			if f, ok := lookupField(k.Text()); !ok || f.kind() != kindBox {
				return nil, invalid("constraint", "ogc:"+el.Tag+" applies to BoundingBox, got "+quote(strings.TrimSpace(k.Text())))
			}
		case geomEl == nil:
			if ns := k.NamespaceURI(); ns == csw.NSGML || ns == csw.NSGML32 || ns == "" {
				geomEl = k
			}
		}
	}
	if geomEl == nil {
		return nil, invalid("constraint", "ogc:"+el.Tag+" needs a GML geometry (gml:Envelope, gml:Polygon)")
	}
	srs := geomEl.SelectAttrValue("srsName", "")
	crs, ok := parseCRS(srs, true)
	if !ok {
		return nil, invalid("constraint", "unsupported srsName "+quote(srs)+": use "+supportedCRS)
	}
	var g geom
	var ex *Exception
	switch geomEl.Tag {
	case "Envelope", "Box":
		var lower, upper [2]float64
		if geomEl.Tag == "Box" {
			c := anyChild(geomEl, "coordinates")
			if c == nil {
				return nil, invalid("constraint", "gml:Box needs gml:coordinates")
			}
			pts, ok := parseGMLCoordinates(c.Text())
			if !ok || len(pts) != 2 {
				return nil, invalid("constraint", "gml:Box coordinates must be two positions")
			}
			lower, upper = pts[0], pts[1]
		} else {
			lc, uc := anyChild(geomEl, "lowerCorner"), anyChild(geomEl, "upperCorner")
			if lc == nil || uc == nil {
				return nil, invalid("constraint", "gml:Envelope needs lowerCorner and upperCorner")
			}
			var ok1, ok2 bool
			lower, ok1 = parsePos(lc.Text())
			upper, ok2 = parsePos(uc.Text())
			if !ok1 || !ok2 {
				return nil, invalid("constraint", "envelope corners must be two numbers each")
			}
		}
		g, ex = envelopeGeom(lower, upper, crs)
	case "Polygon":
		if op == opBBOX {
			return nil, invalid("constraint", "ogc:BBOX takes a gml:Envelope; use ogc:Intersects for a polygon")
		}
		pts, ok := parseRing(geomEl)
		if !ok {
			return nil, invalid("constraint", "gml:Polygon needs an exterior ring of numeric positions")
		}
		g, ex = ringGeom(pts, crs)
	case "Point":
		pos := anyChild(geomEl, "pos")
		var pt [2]float64
		var ok bool
		if pos != nil {
			pt, ok = parsePos(pos.Text())
		} else if c := anyChild(geomEl, "coordinates"); c != nil {
			var pts [][2]float64
			pts, ok = parseGMLCoordinates(c.Text())
			ok = ok && len(pts) == 1
			if ok {
				pt = pts[0]
			}
		}
		if !ok {
			return nil, invalid("constraint", "gml:Point needs one position")
		}
		g, ex = envelopeGeom(pt, pt, crs)
	default:
		return nil, invalid("constraint", "unsupported geometry gml:"+geomEl.Tag+": use gml:Envelope, gml:Polygon or gml:Point")
	}
	if ex != nil {
		return nil, ex
	}
	return spatial{op: op, g: g}, nil
}

// parseRing reads the exterior ring of a GML 3 (exterior) or GML 2
// (outerBoundaryIs) polygon: gml:posList, gml:pos elements or
// gml:coordinates.
func parseRing(poly *etree.Element) ([][2]float64, bool) {
	outer := anyChild(poly, "exterior")
	if outer == nil {
		outer = anyChild(poly, "outerBoundaryIs")
	}
	if outer == nil {
		return nil, false
	}
	ring := anyChild(outer, "LinearRing")
	if ring == nil {
		return nil, false
	}
	if pl := anyChild(ring, "posList"); pl != nil {
		dim := 2
		if d := pl.SelectAttrValue("srsDimension", ""); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil || n < 2 || n > 3 {
				return nil, false
			}
			dim = n
		}
		f := strings.Fields(pl.Text())
		if len(f)%dim != 0 {
			return nil, false
		}
		var pts [][2]float64
		for i := 0; i+dim <= len(f); i += dim {
			p, ok := parsePair(f[i], f[i+1])
			if !ok {
				return nil, false
			}
			pts = append(pts, p)
		}
		return pts, true
	}
	if c := anyChild(ring, "coordinates"); c != nil {
		return parseGMLCoordinates(c.Text())
	}
	var pts [][2]float64
	for _, k := range ring.ChildElements() {
		if k.Tag == "pos" {
			p, ok := parsePos(k.Text())
			if !ok {
				return nil, false
			}
			pts = append(pts, p)
		}
	}
	return pts, len(pts) > 0
}

// parseGMLCoordinates reads GML 2 "x1,y1 x2,y2 …".
func parseGMLCoordinates(s string) ([][2]float64, bool) {
	var out [][2]float64
	for _, t := range strings.Fields(s) {
		xy := strings.Split(t, ",")
		if len(xy) < 2 || len(xy) > 3 {
			return nil, false
		}
		p, ok := parsePair(xy[0], xy[1])
		if !ok {
			return nil, false
		}
		out = append(out, p)
	}
	return out, len(out) > 0
}
