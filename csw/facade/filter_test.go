package facade

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/iso"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filterEntries is a small view covering multi-valued organisations,
// slugs, missing dates, formats and boxes, and odd identifiers.
func filterEntries() []*Entry {
	kw := func(vs ...string) []iso.KeywordGroup {
		g := iso.KeywordGroup{}
		for _, v := range vs {
			g.Keywords = append(g.Keywords, iso.Text{Value: v})
		}
		return []iso.KeywordGroup{g}
	}
	return []*Entry{
		{ID: "C:\\x", Type: "service", Organisations: []string{"IGN"}, Record: &iso.Record{
			Title:         iso.Text{Value: "Réseau_100%"},
			BoundingBoxes: []iso.BoundingBox{{West: -5, East: 10, South: 41, North: 52}},
		}},
		{ID: "a", Identifier: "https://data.example.org/plu", Type: "dataset", Modified: "2024-03-05T10:20:30",
			Organisations: []string{"Région Hauts-de-France", "region-hauts-de-france"},
			Record: &iso.Record{
				Title:               iso.Text{Value: "Plan Local d'Urbanisme", Translations: map[string]string{"eng": "Local urban plan"}},
				Abstract:            iso.Text{Value: "Zonage du PLU de Lille."},
				Keywords:            kw("Urbanisme", "PLU"),
				DistributionFormats: []iso.Format{{Name: "ESRI Shapefile"}},
				BoundingBoxes:       []iso.BoundingBox{{West: 2, East: 3, South: 49, North: 50}},
			}},
		{ID: "b", Type: "series", Modified: "2022-01-15", Organisations: []string{"YPAAT", "NTUA"}, Record: &iso.Record{
			Title:    iso.Text{Value: "Orthophotos 1998"},
			Keywords: kw("Orthoimagery"),
		}},
	}
}

func matchIDs(f *Filter, entries []*Entry) []string {
	var out []string
	for _, e := range entries {
		if f.Match(e) {
			out = append(out, e.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestFilterCQLEvaluation(t *testing.T) {
	entries := filterEntries()
	tests := []struct {
		cql  string
		want []string
	}{
		{"apiso:OrganisationName = 'ntua'", []string{"b"}},
		{"apiso:OrganisationName = 'YPAAT'", []string{"b"}},
		{"apiso:OrganisationName = 'region-hauts-de-france'", []string{"a"}},
		{"apiso:OrganisationName = 'RÉGION Hauts-de-France'", []string{"a"}},
		{"OrganisationName <> 'NTUA'", []string{"C:\\x", "a"}},
		{"OrganisationName LIKE '%hauts%'", []string{"a"}},
		{"csw:AnyText LIKE '%urbanisme%'", []string{"a"}},
		{"csw:AnyText LIKE '%URBAN PLAN%'", []string{"a"}},
		{"csw:AnyText = 'lille'", []string{"a"}},
		{"csw:AnyText LIKE 'urbanisme'", nil},
		{"dc:title LIKE 'plan%'", []string{"a"}},
		{"dc:title ILIKE 'PLAN%'", []string{"a"}},
		{`dc:title LIKE 'R_seau\_100\%'`, []string{"C:\\x"}},
		{`dc:title LIKE 'R_seau_100%'`, []string{"C:\\x"}},
		{"dc:title NOT LIKE 'plan%'", []string{"C:\\x", "b"}},
		{"apiso:Type = 'dataset' OR apiso:Type = 'series'", []string{"a", "b"}},
		{"apiso:Type = 'DATASET'", []string{"a"}},
		{"apiso:Modified >= '2023-01-01'", []string{"a"}},
		{"apiso:Modified < '2023-01-01'", []string{"b"}},
		{"apiso:Modified = '2024-03-05'", []string{"a"}},
		{"apiso:Modified > '2024-03-05T10:00:00Z'", []string{"a"}},
		{"dct:modified BETWEEN '2022-01-01' AND '2022-12-31'", []string{"b"}},
		{"dct:modified BETWEEN 2022-01-01 AND 2022-12-31", []string{"b"}},
		{"apiso:Modified IS NULL", []string{"C:\\x"}},
		{"Format IS NULL", []string{"C:\\x", "b"}},
		{"Format IS NOT NULL", []string{"a"}},
		{"NOT Format IS NULL", []string{"a"}},
		{"dc:format = 'esri shapefile'", []string{"a"}},
		{`dc:identifier = 'C:\x'`, []string{"C:\\x"}},
		{"dc:identifier = 'A'", nil},
		{"apiso:Identifier = 'https://data.example.org/plu'", []string{"a"}},
		{"dc:subject = 'plu'", []string{"a"}},
		{"dc:title >= 'p'", []string{"C:\\x", "a"}},
		{"dc:title BETWEEN 'o' AND 'q'", []string{"a", "b"}},
		{"Abstract LIKE '%lille%' AND Type = 'dataset'", []string{"a"}},
		{"(Type = 'dataset' AND NOT Subject = 'plu') OR Type = 'service'", []string{"C:\\x"}},
		{"BBOX(ows:BoundingBox, 0, 45, 5, 51)", []string{"C:\\x", "a"}},
		{"BBOX(ows:BoundingBox, 45, 0, 51, 5, 'urn:ogc:def:crs:EPSG::4326')", []string{"C:\\x", "a"}},
		{"BBOX(ows:BoundingBox, 0, 45, 5, 51, 'CRS:84')", []string{"C:\\x", "a"}},
		{"BBOX(BoundingBox, 100, 0, 110, 5)", nil},
		{"BBOX(BoundingBox, 9.5, 51.5, 20, 60)", []string{"C:\\x"}},
		{"bbox(apiso:BoundingBox, -180, -90, 180, 90) and type = 'dataset'", []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.cql, func(t *testing.T) {
			f, err := ParseCQL(tc.cql)
			require.NoError(t, err)
			assert.Equal(t, tc.want, matchIDs(f, entries))
		})
	}
}

func TestFilterXMLEvaluation(t *testing.T) {
	entries := filterEntries()
	env := func(srs, lower, upper string) string {
		attr := ""
		if srs != "" {
			attr = ` srsName="` + srs + `"`
		}
		return `<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope` + attr + `><gml:lowerCorner>` + lower + `</gml:lowerCorner><gml:upperCorner>` + upper + `</gml:upperCorner></gml:Envelope></ogc:BBOX>`
	}
	spatial := func(op, _ string, geom string) string {
		return `<ogc:` + op + `><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>` + geom + `</ogc:` + op + `>`
	}
	within := func(srs, lower, upper string) string {
		return spatial("Within", "", `<gml:Envelope srsName="`+srs+`"><gml:lowerCorner>`+lower+`</gml:lowerCorner><gml:upperCorner>`+upper+`</gml:upperCorner></gml:Envelope>`)
	}
	tests := []struct {
		name, filter string
		want         []string
	}{
		{"EqualTo org", `<ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:OrganisationName</ogc:PropertyName><ogc:Literal>ntua</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"b"}},
		{"literal first", `<ogc:PropertyIsEqualTo><ogc:Literal>series</ogc:Literal><ogc:PropertyName>dc:type</ogc:PropertyName></ogc:PropertyIsEqualTo>`, []string{"b"}},
		{"identifier matchCase false", `<ogc:PropertyIsEqualTo matchCase="false"><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"a"}},
		{"identifier matchCase default", `<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>`, nil},
		{"Like default wildcards", `<ogc:PropertyIsLike wildCard="*" singleChar="." escapeChar="\"><ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>*ortho*</ogc:Literal></ogc:PropertyIsLike>`, []string{"b"}},
		{"Like escape", `<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="!"><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>%!_100!%</ogc:Literal></ogc:PropertyIsLike>`, []string{"C:\\x"}},
		{"GreaterThanOrEqualTo modified", `<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>2022-01-15</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo>`, []string{"a", "b"}},
		{"LessThanOrEqualTo modified", `<ogc:PropertyIsLessThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>2022-01-15</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo>`, []string{"b"}},
		{"NotEqualTo type", `<ogc:PropertyIsNotEqualTo><ogc:PropertyName>apiso:Type</ogc:PropertyName><ogc:Literal>service</ogc:Literal></ogc:PropertyIsNotEqualTo>`, []string{"a", "b"}},
		{"Or of And", `<ogc:Or><ogc:And><ogc:PropertyIsEqualTo><ogc:PropertyName>Type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><ogc:PropertyName>Title</ogc:PropertyName><ogc:Literal>plan*</ogc:Literal></ogc:PropertyIsLike></ogc:And><ogc:PropertyIsNull><ogc:PropertyName>apiso:Modified</ogc:PropertyName></ogc:PropertyIsNull></ogc:Or>`, []string{"C:\\x", "a"}},
		{"BBOX without srsName is EPSG:4326 lat/lon (pycsw, ISO AP)", env("", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX without srsName read lon/lat misses", env("", "0 45", "5 51"), nil},
		{"BBOX EPSG:4326 short form is lon/lat", env("EPSG:4326", "0 45", "5 51"), []string{"C:\\x", "a"}},
		{"BBOX CRS84", env("urn:ogc:def:crs:OGC:1.3:CRS84", "0 45", "5 51"), []string{"C:\\x", "a"}},
		{"BBOX EPSG URN is lat/lon", env("urn:ogc:def:crs:EPSG::4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX x-ogc URN is lat/lon", env("urn:x-ogc:def:crs:EPSG:6.11:4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX http EPSG URI is lat/lon", env("http://www.opengis.net/def/crs/EPSG/0/4326", "45 0", "51 5"), []string{"C:\\x", "a"}},
		{"BBOX URN read lon/lat would miss", env("urn:ogc:def:crs:EPSG::4326", "0 45", "5 51"), nil},
		// Envelopes in projected CRSs, reprojected: a box around (2.5°E, 49.5°N), inside record a's box.
		{"Within Lambert-93 envelope", within("EPSG:2154", "641688 6900326", "685591 6966809"), nil},
		{"BBOX Lambert-93 envelope", env("urn:ogc:def:crs:EPSG::2154", "641688 6900326", "685591 6966809"), []string{"C:\\x", "a"}},
		{"BBOX Web Mercator envelope", env("EPSG:3857", "244902 6308865", "311694 6411711"), []string{"C:\\x", "a"}},
		{"BBOX UTM 31N envelope", env("http://www.opengis.net/def/crs/EPSG/0/32631", "441720 5449997", "485607 5516413"), []string{"C:\\x", "a"}},
		{"BBOX Lambert-93 far south: France box only", env("EPSG:2154", "600000 6300000", "650000 6350000"), []string{"C:\\x"}},
		{"Contains Lambert-93 envelope", spatial("Contains", "EPSG:2154", `<gml:Envelope srsName="EPSG:2154"><gml:lowerCorner>641688 6900326</gml:lowerCorner><gml:upperCorner>685591 6966809</gml:upperCorner></gml:Envelope>`), []string{"C:\\x", "a"}},
		{"Intersects polygon (lat/lon, posList)", spatial("Intersects", "", `<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>49.4 2.4 49.6 2.4 49.6 2.6 49.4 2.4</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`), []string{"C:\\x", "a"}},
		{"Intersects polygon in Lambert-93 (pos)", spatial("Intersects", "", `<gml:Polygon srsName="EPSG:2154"><gml:exterior><gml:LinearRing><gml:pos>600000 6300000</gml:pos><gml:pos>650000 6300000</gml:pos><gml:pos>650000 6350000</gml:pos><gml:pos>600000 6300000</gml:pos></gml:LinearRing></gml:exterior></gml:Polygon>`), []string{"C:\\x"}},
		{"Intersects GML 2 polygon", spatial("Intersects", "", `<gml:Polygon srsName="EPSG:4326"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>2.4,49.4 2.6,49.4 2.6,49.6 2.4,49.4</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>`), []string{"C:\\x", "a"}},
		{"Intersects polygon around a box corner only", spatial("Intersects", "", `<gml:Polygon srsName="CRS:84"><gml:exterior><gml:LinearRing><gml:posList>1.5 48.5 2.5 48.5 1.5 49.5 1.5 48.5</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`), []string{"C:\\x", "a"}},
		{"Intersects polygon crossing a box edge, no vertex inside", spatial("Intersects", "", `<gml:Polygon srsName="CRS:84"><gml:exterior><gml:LinearRing><gml:posList>1 49.4 4 49.4 4 49.6 1 49.6 1 49.4</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`), []string{"C:\\x", "a"}},
		{"Within envelope", spatial("Within", "", `<gml:Envelope><gml:lowerCorner>48 1</gml:lowerCorner><gml:upperCorner>51 4</gml:upperCorner></gml:Envelope>`), []string{"a"}},
		{"Within polygon", spatial("Within", "", `<gml:Polygon srsName="CRS:84"><gml:exterior><gml:LinearRing><gml:posList>1 48 4 48 4 51 1 51 1 48</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`), []string{"a"}},
		{"Contains envelope", spatial("Contains", "", `<gml:Envelope><gml:lowerCorner>49.2 2.2</gml:lowerCorner><gml:upperCorner>49.3 2.3</gml:upperCorner></gml:Envelope>`), []string{"C:\\x", "a"}},
		{"Contains point", spatial("Contains", "", `<gml:Point srsName="CRS:84"><gml:pos>0 45</gml:pos></gml:Point>`), []string{"C:\\x"}},
		{"Disjoint envelope (records without a box never match)", spatial("Disjoint", "", `<gml:Envelope><gml:lowerCorner>49.2 2.2</gml:lowerCorner><gml:upperCorner>49.3 2.3</gml:upperCorner></gml:Envelope>`), nil},
		{"Disjoint far away", spatial("Disjoint", "", `<gml:Envelope><gml:lowerCorner>0 100</gml:lowerCorner><gml:upperCorner>1 101</gml:upperCorner></gml:Envelope>`), []string{"C:\\x", "a"}},
		{"Equals envelope", spatial("Equals", "", `<gml:Envelope srsName="CRS:84"><gml:lowerCorner>2 49</gml:lowerCorner><gml:upperCorner>3 50</gml:upperCorner></gml:Envelope>`), []string{"a"}},
		{"Overlaps envelope", spatial("Overlaps", "", `<gml:Envelope srsName="CRS:84"><gml:lowerCorner>2.5 49.5</gml:lowerCorner><gml:upperCorner>12 53</gml:upperCorner></gml:Envelope>`), []string{"C:\\x", "a"}},
		{"Function upper", `<ogc:PropertyIsEqualTo><ogc:Function name="upper"><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:Function><ogc:Literal>ORTHOPHOTOS 1998</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"b"}},
		{"Function lower on an identifier folds case", `<ogc:PropertyIsEqualTo><ogc:Function name="lower"><ogc:PropertyName>dc:identifier</ogc:PropertyName></ogc:Function><ogc:Literal>A</ogc:Literal></ogc:PropertyIsEqualTo>`, []string{"a"}},
		{"Function in Like", `<ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar=""><ogc:Function name="upper"><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:Function><ogc:Literal>ORTHO*</ogc:Literal></ogc:PropertyIsLike>`, []string{"b"}},
		{"escapeChar empty means none", `<ogc:PropertyIsLike wildCard="*" escapeChar="" singleChar="?"><ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>*ortho*</ogc:Literal></ogc:PropertyIsLike>`, []string{"b"}},
		{"/ows:BoundingBox property path", `<ogc:BBOX><ogc:PropertyName>/ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName="CRS:84"><gml:lowerCorner>2.4 49.4</gml:lowerCorner><gml:upperCorner>2.6 49.6</gml:upperCorner></gml:Envelope></ogc:BBOX>`, []string{"C:\\x", "a"}},
		{"gml:Box coordinates", `<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Box srsName="EPSG:4326"><gml:coordinates>9.5,51.5 20,60</gml:coordinates></gml:Box></ogc:BBOX>`, []string{"C:\\x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFilter(`<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">` + tc.filter + `</ogc:Filter>`)
			require.NoError(t, err)
			assert.Equal(t, tc.want, matchIDs(f, entries))
		})
	}
}

func TestFilterNilMatchesAll(t *testing.T) {
	var f *Filter
	for _, e := range filterEntries() {
		assert.True(t, f.Match(e))
	}
	assert.Empty(t, f.String())
}

func TestFilterEntryWithoutRecord(t *testing.T) {
	e := &Entry{ID: "x"}
	for _, cql := range []string{"Title IS NULL", "Type = 'dataset'", "AnyText LIKE '%x%'"} {
		f, err := ParseCQL(cql)
		require.NoError(t, err)
		assert.True(t, f.Match(e), cql)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"%", "", true},
		{"%", "anything", true},
		{"a%", "abc", true},
		{"%c", "abc", true},
		{"%b%", "abc", true},
		{"%x%", "abc", false},
		{"a_c", "abc", true},
		{"a_c", "ac", false},
		{"_", "é", true},
		{"%é_", "café!", true},
		{"%aa%aa", "aaaaa", true},
		{"%ab%ab", "abab", true},
		{"%ab%ab", "aba", false},
		{"a%%b", "ab", true},
		{"%_%_%", "ab", true},
		{"%_%_%", "a", false},
		{strings.Repeat("%a", 20) + "%b", strings.Repeat("a", 40), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.s), func(t *testing.T) {
			l, ex := newLike(fieldTitle, tc.pattern, '%', '_', '\\')
			require.Nil(t, ex)
			assert.Equal(t, tc.want, glob(l.toks, tc.s))
		})
	}
}

func TestLookupField(t *testing.T) {
	tests := []struct {
		name string
		want field
		ok   bool
	}{
		{"apiso:OrganisationName", fieldOrganisation, true},
		{"apiso:organisationname", fieldOrganisation, true},
		{"OrganisationName", fieldOrganisation, true},
		{"csw:AnyText", fieldAnyText, true},
		{"dc:title", fieldTitle, true},
		{"dct:abstract", fieldAbstract, true},
		{"dct:modified", fieldModified, true},
		{"ows:BoundingBox", fieldBoundingBox, true},
		{"apiso:type", fieldType, true},
		{"gmd:title", 0, false},
		{"dc:nothing", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := lookupField(tc.name)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, f)
			}
		})
	}
}

// TestGlobAgainstRegexp compares the matcher with regexp on random patterns
// over a small alphabet (test oracle only; the facade never uses regexp).
func TestGlobAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abé%_")
	gen := func(n int, pattern bool) string {
		var b strings.Builder
		for range rng.IntN(n) {
			r := alphabet[rng.IntN(len(alphabet))]
			if !pattern && (r == '%' || r == '_') {
				r = 'a'
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	for range 20000 {
		p, s := gen(8, true), gen(12, false)
		var re strings.Builder
		re.WriteString("^")
		for _, r := range p {
			switch r {
			case '%':
				re.WriteString("(?s:.*)")
			case '_':
				re.WriteString("(?s:.)")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		l, ex := newLike(fieldTitle, p, '%', '_', 0)
		require.Nil(t, ex)
		want := regexp.MustCompile(re.String()).MatchString(s)
		require.Equal(t, want, glob(l.toks, s), "pattern %q on %q", p, s)
	}
}

// TestFilterWrongNamespaceSaysWhich: the message names the namespace the
// Filter element came in (it used to say "expected ogc:Filter, got
// 'ogc:Filter'").
func TestFilterWrongNamespaceSaysWhich(t *testing.T) {
	_, err := ParseFilter(`<ogc:Filter xmlns:ogc="http://www.opengis.net/fes/2.0"><ogc:PropertyIsNull><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:PropertyIsNull></ogc:Filter>`)
	var ex *Exception
	require.ErrorAs(t, err, &ex)
	assert.Contains(t, ex.Text, "http://www.opengis.net/fes/2.0")
	assert.Contains(t, ex.Text, "http://www.opengis.net/ogc")
}
