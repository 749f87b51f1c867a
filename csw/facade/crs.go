package facade

import (
	"math"
	"strconv"
	"strings"
)

// Coordinate reference systems of spatial filters. Records' boxes are WGS 84
// longitude/latitude; a filter geometry in another CRS is brought back to
// longitude/latitude before comparing. The projections French records and
// clients use are computed here (a few dozen lines of textbook formulas,
// EPSG Guidance Note 7-2) rather than through a projection library: the
// only Go candidates wrap the PROJ C library (cgo, a system dependency) or
// carry far more than these four methods. Datum shifts (RGF93, ETRS89 and
// WGS 84 agree within a metre; ED50 and NTF are off by about 100 m) are not
// applied: a box filter does not need them.

// crs converts coordinates written in one CRS, in its axis order, to
// WGS 84 longitude and latitude in degrees.
type crs struct {
	name     string
	latFirst bool // geographic, latitude written first
	proj     projection
}

// projection is an inverse map projection: easting, northing in metres
// to longitude, latitude in degrees. nil for geographic CRSs.
type projection interface {
	inverse(e, n float64) (lon, lat float64)
}

// lonLat converts a position (a, b) as written.
func (c crs) lonLat(a, b float64) (lon, lat float64) {
	switch {
	case c.proj != nil:
		return c.proj.inverse(a, b)
	case c.latFirst:
		return b, a
	}
	return a, b
}

// parseCRS resolves a srsName. emptyLatFirst is the axis order of
// WGS 84 when no srsName is given: latitude first for GML envelopes (pycsw,
// the ISO AP), longitude first for CQL's BBOX (x, y).
//
// Geographic CRSs (WGS 84, ETRS89, RGF93) are latitude first as OGC URNs
// (urn:ogc:def:crs:EPSG::4326, urn:x-ogc:def:crs:EPSG:6.11:4326) and http
// URIs (http://www.opengis.net/def/crs/EPSG/0/4326), as EPSG defines them;
// CRS84, the short "EPSG:4326" form and the
// http://www.opengis.net/gml/srs/epsg.xml#4326 form are longitude first
// (the traditional GIS order GeoServer keeps for them). Projected CRSs are
// always easting, northing.
func parseCRS(srs string, emptyLatFirst bool) (crs, bool) {
	s := strings.ToLower(strings.TrimSpace(srs))
	if s == "" {
		return crs{name: "", latFirst: emptyLatFirst}, true
	}
	if s == "crs:84" || strings.HasSuffix(s, "crs84") && (strings.HasPrefix(s, "urn:ogc:def:crs:ogc") || strings.HasPrefix(s, "http://www.opengis.net/def/crs/ogc/")) {
		return crs{name: srs}, true
	}
	code, formal := "", false
	switch {
	case strings.HasPrefix(s, "urn:ogc:def:crs:epsg:"), strings.HasPrefix(s, "urn:x-ogc:def:crs:epsg:"):
		code, formal = s[strings.LastIndexByte(s, ':')+1:], true
	case strings.HasPrefix(s, "http://www.opengis.net/def/crs/epsg/"):
		code, formal = s[strings.LastIndexByte(s, '/')+1:], true
	case strings.HasPrefix(s, "http://www.opengis.net/gml/srs/epsg.xml#"):
		code = s[strings.IndexByte(s, '#')+1:]
	case strings.HasPrefix(s, "epsg:"):
		code = s[len("epsg:"):]
	default:
		return crs{}, false
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return crs{}, false
	}
	switch n {
	case 4326, 4258, 4171, 4230, 4275, 4807:
		return crs{name: srs, latFirst: formal}, true
	}
	if p := projectionOf(n); p != nil {
		return crs{name: srs, proj: p}, true
	}
	return crs{}, false
}

// supportedCRS lists the projected CRSs accepted, for messages.
const supportedCRS = "WGS 84 (EPSG:4326, CRS84), ETRS89 (4258), RGF93 (4171), Web Mercator (3857), Lambert-93 (2154), CC 42–50 (3942–3950), Lambert II étendu (27572), EuroLambert (2192), UTM (326xx, 327xx, 258xx and the French overseas 2969, 2972, 2975, 4471, 5490)"

// Ellipsoids: semi-major axis and inverse flattening.
var (
	grs80    = ellipsoid(6378137, 298.257222101)
	wgs84    = ellipsoid(6378137, 298.257223563)
	intl1924 = ellipsoid(6378388, 297)
	clarkeIG = ellipsoid(6378249.2, 293.4660212936269)
)

type ell struct{ a, e float64 }

func ellipsoid(a, invF float64) ell {
	f := 1 / invF
	return ell{a: a, e: math.Sqrt(2*f - f*f)}
}

const deg = math.Pi / 180

// projectionOf returns the inverse projection of an EPSG projected CRS,
// nil when unsupported.
func projectionOf(code int) projection {
	switch {
	case code == 3857 || code == 900913 || code == 3785 || code == 102100:
		return webMercator{}
	case code == 2154:
		return newLCC2(grs80, 46.5, 3, 49, 44, 700000, 6600000)
	case code >= 3942 && code <= 3950: // RGF93 / CC42 … CC50
		lat0 := float64(code - 3942 + 42)
		return newLCC2(grs80, lat0, 3, lat0-0.75, lat0+0.75, 1700000, float64(code-3942)*1e6+1200000)
	case code == 27572: // NTF (Paris) / Lambert zone II (étendu)
		return newLCC1(clarkeIG, 46.8, 2.33722917, 0.99987742, 600000, 2200000)
	case code == 2192: // ED50 / France EuroLambert (deprecated)
		return newLCC1(intl1924, 46.8, 2.337229166667, 0.99987742, 600000, 2200000)
	case code >= 32601 && code <= 32660:
		return newUTM(wgs84, code-32600, false)
	case code >= 32701 && code <= 32760:
		return newUTM(wgs84, code-32700, true)
	case code >= 25828 && code <= 25838: // ETRS89 / UTM
		return newUTM(grs80, code-25800, false)
	case code == 2969 || code == 5490: // RRAF 1991, RGAF09 / UTM 20N
		return newUTM(grs80, 20, false)
	case code == 2972: // RGFG95 / UTM 22N
		return newUTM(grs80, 22, false)
	case code == 2975: // RGR92 / UTM 40S
		return newUTM(grs80, 40, true)
	case code == 4471: // RGM04 / UTM 38S
		return newUTM(grs80, 38, true)
	}
	return nil
}

// webMercator is EPSG:3857 (spherical).
type webMercator struct{}

func (webMercator) inverse(e, n float64) (float64, float64) {
	const r = 6378137
	return e / r / deg, (2*math.Atan(math.Exp(n/r)) - math.Pi/2) / deg
}

// lcc is Lambert Conic Conformal (EPSG methods 9801 and 9802).
type lcc struct {
	ell          ell
	lon0         float64 // radians
	n, f, r0, k0 float64
	fe, fn       float64
}

func (p lcc) t(phi float64) float64 {
	es := p.ell.e * math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-es)/(1+es), p.ell.e/2)
}

func (p lcc) m(phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-p.ell.e*p.ell.e*s*s)
}

// newLCC2 is the two standard parallels form (k0 = 1).
func newLCC2(ell ell, lat0, lon0, lat1, lat2, fe, fn float64) lcc {
	p := lcc{ell: ell, lon0: lon0 * deg, k0: 1, fe: fe, fn: fn}
	p1, p2, p0 := lat1*deg, lat2*deg, lat0*deg
	m1, m2 := p.m(p1), p.m(p2)
	t1, t2, t0 := p.t(p1), p.t(p2), p.t(p0)
	p.n = (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2))
	p.f = m1 / (p.n * math.Pow(t1, p.n))
	p.r0 = ell.a * p.f * math.Pow(t0, p.n)
	return p
}

// newLCC1 is the one standard parallel form with a scale factor.
func newLCC1(ell ell, lat0, lon0, k0, fe, fn float64) lcc {
	p := lcc{ell: ell, lon0: lon0 * deg, k0: k0, fe: fe, fn: fn}
	p0 := lat0 * deg
	t0 := p.t(p0)
	p.n = math.Sin(p0)
	p.f = p.m(p0) / (p.n * math.Pow(t0, p.n))
	p.r0 = ell.a * p.f * math.Pow(t0, p.n) * k0
	return p
}

func (p lcc) inverse(e, n float64) (float64, float64) {
	dx, dy := e-p.fe, p.r0-(n-p.fn)
	r := math.Copysign(math.Hypot(dx, dy), p.n)
	t := math.Pow(r/(p.ell.a*p.k0*p.f), 1/p.n)
	theta := math.Atan2(dx, dy)
	if p.n < 0 {
		theta = math.Atan2(-dx, -dy)
	}
	phi := math.Pi/2 - 2*math.Atan(t)
	for range 15 {
		es := p.ell.e * math.Sin(phi)
		next := math.Pi/2 - 2*math.Atan(t*math.Pow((1-es)/(1+es), p.ell.e/2))
		if math.Abs(next-phi) < 1e-12 {
			phi = next
			break
		}
		phi = next
	}
	return (theta/p.n + p.lon0) / deg, phi / deg
}

// tm is Transverse Mercator (UTM), Snyder's series (USGS PP 1395 §8).
type tm struct {
	ell    ell
	lon0   float64 // radians
	k0     float64
	fe, fn float64
}

func newUTM(ell ell, zone int, south bool) tm {
	p := tm{ell: ell, lon0: float64(zone*6-183) * deg, k0: 0.9996, fe: 500000}
	if south {
		p.fn = 10000000
	}
	return p
}

func (p tm) inverse(e, n float64) (float64, float64) {
	a, e2 := p.ell.a, p.ell.e*p.ell.e
	ep2 := e2 / (1 - e2)
	m := (n - p.fn) / p.k0
	mu := m / (a * (1 - e2/4 - 3*e2*e2/64 - 5*e2*e2*e2/256))
	sq := math.Sqrt(1 - e2)
	e1 := (1 - sq) / (1 + sq)
	phi1 := mu + (3*e1/2-27*e1*e1*e1/32)*math.Sin(2*mu) +
		(21*e1*e1/16-55*e1*e1*e1*e1/32)*math.Sin(4*mu) +
		(151*e1*e1*e1/96)*math.Sin(6*mu) +
		(1097*e1*e1*e1*e1/512)*math.Sin(8*mu)
	s1, c1, tn := math.Sin(phi1), math.Cos(phi1), math.Tan(phi1)
	cc := ep2 * c1 * c1
	tt := tn * tn
	n1 := a / math.Sqrt(1-e2*s1*s1)
	r1 := a * (1 - e2) / math.Pow(1-e2*s1*s1, 1.5)
	d := (e - p.fe) / (n1 * p.k0)
	lat := phi1 - (n1*tn/r1)*(d*d/2-
		(5+3*tt+10*cc-4*cc*cc-9*ep2)*d*d*d*d/24+
		(61+90*tt+298*cc+45*tt*tt-252*ep2-3*cc*cc)*d*d*d*d*d*d/720)
	lon := p.lon0 + (d-(1+2*tt+cc)*d*d*d/6+
		(5-2*cc+28*tt-3*cc*cc+8*ep2+24*tt*tt)*d*d*d*d*d/120)/c1
	return lon / deg, lat / deg
}
